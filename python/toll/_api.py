"""The public Python API of toll: thin wrappers over :mod:`toll._core`.

Everything that does real work (parsing, loading, reconciling, summarizing,
rendering) happens in the C library, without the GIL.  This module adds
defaults, docstrings and the pandas / matplotlib / Jupyter conveniences.
pandas, numpy and matplotlib are optional and imported only when needed.
"""
from __future__ import annotations

import datetime as _dt
import errno as _errno
import html as _html
import json as _json
import math as _math
import operator as _operator
import os as _os
import sys as _sys
import textwrap as _textwrap
import warnings as _warnings
from typing import (Any, Dict, Iterable, List, Mapping, NamedTuple, Optional,
                    Sequence, Union)

from . import _core

__all__ = [
    "Quantity", "Reports", "Incidents", "Links", "Table", "read",
    "parse_quantity", "parse_quantities", "format_quantity", "load_lexicon",
]

PathLike = Union[str, "_os.PathLike[str]"]

_NULL_CODE = 0xFFFFFFFF


# --------------------------------------------------------------------------
# optional dependencies


def _need_pandas(what: str):
    """Import pandas and numpy or raise ImportError saying what needs them."""
    try:
        import numpy as np
        import pandas as pd
    except ImportError as exc:
        raise ImportError(f"{what} needs pandas: pip install pandas") from exc
    return pd, np


def _need_pyarrow(what: str):
    try:
        import pyarrow as pa
    except ImportError as exc:
        raise ImportError(
            f"{what} needs pyarrow: pip install pyarrow") from exc
    return pa


def _need_polars(what: str):
    try:
        import polars as pl
    except ImportError as exc:
        raise ImportError(
            f"{what} needs polars: pip install polars") from exc
    return pl


def _need_matplotlib(what: str):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(
            f"{what} needs matplotlib: pip install matplotlib") from exc
    return plt


# --------------------------------------------------------------------------
# quantities and lexicons

class Quantity(NamedTuple):
    """A parsed casualty figure: whole-number range [low, high] and a best
    estimate.  ``high`` is None when the range is open ("at least 150").
    ``rule`` names the parser rule that matched ("exact", "range",
    "at least", "about", "lexicon: dozens", ...)."""

    low: int
    high: Optional[int]
    best: float
    rule: str

    @property
    def open(self) -> bool:
        """True when the range has no upper bound."""
        return self.high is None

    def format(self, thousands: bool = False) -> str:
        """Display form: "92", "85–92", "150+" (C formatter)."""
        return _core.format_quantity(self.low, self.high, self.best,
                                     thousands=thousands)


_preset_cache: Dict[str, "_core.Lexicon"] = {}


def load_lexicon(path: PathLike, base: str = "default") -> "_core.Lexicon":
    """A Lexicon made from preset ``base`` plus the JSON file at ``path``
    (``{"dozens": {"low": 24, "high": 99, "best": 36}}``; with
    ``"replace": true`` the file's words replace the preset's)."""
    lex = _core.Lexicon(base)
    lex.load_file(_os.fspath(path))
    return lex


def _lexicon(lexicon: Any) -> Any:
    """Resolve a lexicon argument: None, a Lexicon, a preset name ("acled")
    or the path of a JSON lexicon file."""
    if lexicon is None or isinstance(lexicon, _core.Lexicon):
        return lexicon
    if isinstance(lexicon, _os.PathLike):
        return load_lexicon(lexicon)
    if isinstance(lexicon, str):
        if lexicon.lower().endswith(".json") or _os.sep in lexicon:
            return load_lexicon(lexicon)
        lex = _preset_cache.get(lexicon)
        if lex is None:
            lex = _core.Lexicon(lexicon)  # OptionError for unknown presets
            _preset_cache[lexicon] = lex
        return lex
    raise TypeError("lexicon must be a toll.Lexicon, a preset name, a path "
                    f"or None, not {type(lexicon).__name__}")


def _quantity_text(value: Any) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a quantity cannot be a bool")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if _math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    item = getattr(value, "item", None)  # numpy scalars
    if item is not None and type(value).__module__ == "numpy":
        return _quantity_text(item())
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    raise TypeError(f"cannot read a quantity from {type(value).__name__}")


def parse_quantity(text: Any, lexicon: Any = None,
                   about_tolerance: float = 0.1) -> Optional[Quantity]:
    """Parse one casualty figure.

    >>> parse_quantity("at least 150")
    Quantity(low=150, high=None, best=150.0, rule='at least')

    Accepts English text ("85-92", "about 350", "dozens", "four children"),
    integers, or None.  Unknown text ("unknown", "unclear", "NA", "n/a",
    "-", "") gives None; unreadable text, a number-like word after the
    quantity ("12, 000", "2 zillion") and counts above 2**53 raise
    :class:`toll.ParseError` naming the text.
    ``lexicon`` is a Lexicon, a preset name ("default", "acled", "empty") or
    a JSON lexicon file; ``about_tolerance`` widens "about N" to
    [round((1-t)N), round((1+t)N)].
    """
    t = _quantity_text(text)
    if t is None:
        return None
    res = _core.parse_quantity(t, _lexicon(lexicon), about_tolerance)
    return None if res is None else Quantity(*res)


def parse_quantities(values: Iterable[Any], lexicon: Any = None,
                     about_tolerance: float = 0.1,
                     errors: str = "raise") -> List[Optional[Quantity]]:
    """Parse many figures at once (the C parser runs without the GIL).

    Returns a list of :class:`Quantity` or None.  With ``errors="coerce"``
    unreadable text gives None instead of raising ParseError (whose record
    attribute is the index of the bad value).
    """
    texts = [_quantity_text(v) for v in values]
    res = _core.parse_quantities(texts, _lexicon(lexicon), about_tolerance,
                                 errors)
    return [None if r is None else Quantity(*r) for r in res]


def format_quantity(low: Optional[int], high: Optional[int] = None,
                    best: Optional[float] = None,
                    thousands: bool = False) -> str:
    """Display form of a range: ``format_quantity(85, 92)`` -> "85–92",
    ``format_quantity(150)`` with ``high=None`` -> "150+"; ``low=None``
    gives "unknown".  Invalid bounds raise ReportError."""
    return _core.format_quantity(low, high, best, thousands=thousands)


# --------------------------------------------------------------------------
# record values

def _clean(value: Any) -> Any:
    """A JSON-ready copy of a record value: NaN/None/NaT/NA -> None, numpy
    scalars -> Python, integral floats -> int, dates -> ISO strings.  An
    infinite float stays a float: the C reader refuses it, naming the
    record and the field."""
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if _math.isnan(value):
            return None
        if _math.isinf(value):
            return value
        if value.is_integer() and abs(value) < 2 ** 53:
            return int(value)
        return float(value)
    tname = type(value).__name__
    if tname in ("NaTType", "NAType"):
        return None
    if isinstance(value, _dt.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (
                0, 0, 0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _clean(v) for k, v in value.items()}
    if type(value).__module__ == "numpy":
        if hasattr(value, "tolist"):
            return _clean(value.tolist())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_clean(v) for v in value]
    if hasattr(value, "tolist"):  # pandas arrays
        return _clean(value.tolist())
    raise TypeError(f"cannot store a {tname} in a report")


def _record_value(value: Any) -> Any:
    """A record value that python/_reports.c does not read as it is (it
    reads None, bool, int, float, str and lists of str): as one of those,
    or as JSON text (bytes) for dicts and lists of other values."""
    v = _clean(value)
    if isinstance(v, list) and all(isinstance(x, str) for x in v):
        return v
    if isinstance(v, (dict, list)):
        # an infinite float becomes the token Infinity, which is not JSON:
        # the C reader refuses it, naming the record and the field
        return _json.dumps(v, ensure_ascii=False,
                           allow_nan=True).encode("utf-8")
    return v


# The load options, listed once: (name, default, description).  read(),
# Reports.read/load/load_text/load_records/load_pandas, their signatures
# and their docstrings are made from this table; the C library validates
# the values.
_LOAD_OPTIONS = (
    ("format", None,
     '"json", "jsonl", "csv" or None (from the file name; sniffed for '
     'text).'),
    ("map", None,
     'column map, as a spec string ("killed=civilian_deaths_min..'
     'civilian_deaths_max,actor=alleged_belligerent") or a dict '
     '({"killed": {"low": "min", "high": "max"}}).'),
    ("map_file", None, "a JSON column-map file."),
    ("lenient", False,
     "keep the valid records and list the rejected ones in "
     "``reports.rejects`` (default: one bad record fails the load)."),
    ("lexicon", None,
     'vague-word lexicon: a Lexicon, a preset name ("acled") or a JSON '
     'file.'),
    ("about_tolerance", 0.1,
     '"about N" -> [round((1-t)N), round((1+t)N)].'),
    ("actor_sep", None,
     'one character: the separator of actors written as text (default ";"; a list of strings is taken as given).'),
    ("region_sep", None,
     'one character: the region level separator (default "/").'),
    ("delimiter", None, 'one character: the CSV delimiter (default ",").'),
    ("preset", None,
     'import preset for a published dataset: "ucdp-ged", "acled", '
     '"airwars" or "ibc" (docs/importers.md); ``map`` adds to or '
     'overrides its column map.  Columns the preset does not map are kept '
     'as fields that summarize() can group on (``by``) and filter on '
     '(``where``).'),
    ("repair", None,
     'True: figures out of order (low > high, best outside [low, high]) '
     'are widened to take in every figure, and a region level holding "/" '
     'is cut; each repair is listed in ``reports.repairs``.  False: such '
     'records are rejected.  None (default): the preset\'s choice (on for '
     '"ucdp-ged").'),
    ("encoding", None, '"utf-8" (default), "latin-1" or "windows-1252".'),
    ("date_format", None,
     'strptime-like formats such as "%d-%b-%y" (several separated by "|"), '
     'tried before ISO dates; "%y" reads 69-99 as 1969-1999 and 00-68 as '
     '2000-2068.'),
    ("date_window", None,
     "(FROM, TO): the years of plausible dates, such as (1800, 2100); a "
     "report dated outside is a bad record (rejected with "
     "``lenient=True``).  None (default): 1900 to the current year + 1."),
    ("threads", None,
     "CSV and JSON Lines: None or 0 (default) two threads from 4 MiB of "
     "input, 1 one thread, 2 two threads.  The input is split at a record "
     "boundary and the parts merged in order: the result is the same as on "
     "one thread.  The GIL is released while loading."),
    ("progress", None,
     "None (default): a tqdm bar for a load that takes over 2 seconds, "
     "when tqdm is installed; False: none; or a callable(done, total) "
     "called with the bytes read (total 0 when unknown) about once per "
     "MiB and at the end."),
)
_LOAD_NAMES = tuple(name for name, _, _ in _LOAD_OPTIONS)


def _load_options_doc(indent: str = "    ") -> str:
    """The load options as a docstring paragraph."""
    width = max(len(n) for n in _LOAD_NAMES) + 2
    lines = []
    for name, _, text in _LOAD_OPTIONS:
        head = f"{name}:".ljust(width)
        body = _textwrap.wrap(text, 76 - len(indent) - width,
                              break_long_words=False,
                              break_on_hyphens=False)
        lines.append(indent + head + body[0])
        lines.extend(indent + " " * width + b for b in body[1:])
    return "\n".join(lines)


def _with_load_options(first: Sequence[str]):
    """Decorate a function taking (``first``..., *args, **options): its
    signature lists the load options after ``first`` and "{options}" in its
    docstring becomes their descriptions."""
    import inspect

    def wrap(fn):
        P = inspect.Parameter
        params = [P(n, P.POSITIONAL_OR_KEYWORD) for n in first]
        params += [P(n, P.POSITIONAL_OR_KEYWORD, default=d)
                   for n, d, _ in _LOAD_OPTIONS]
        fn.__signature__ = inspect.Signature(params)
        if fn.__doc__:
            fn.__doc__ = fn.__doc__.replace("{options}", _load_options_doc())
        return fn
    return wrap


class _TqdmProgress:
    """A load's progress as a tqdm bar in bytes, shown once the load has
    taken 2 seconds (tqdm's ``delay``)."""

    def __init__(self, tqdm: Any) -> None:
        self._tqdm = tqdm
        self._bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self._bar is None:
            self._bar = self._tqdm(total=total or None, unit="B",
                                   unit_scale=True, desc="toll: reading",
                                   delay=2, leave=False)
        self._bar.update(done - self._bar.n)
        if total and done >= total:
            self._bar.close()


def _progress(value: Any) -> Any:
    """The load option ``progress`` as the C library takes it: None (no
    progress), or a callable(done, total)."""
    if value is False:
        return None
    if value is None or value is True:
        try:
            from tqdm.auto import tqdm
        except ImportError:
            if value is True:
                raise ImportError("progress=True needs tqdm: pip install "
                                  "tqdm") from None
            return None
        return _TqdmProgress(tqdm)
    if not callable(value):
        raise _core.OptionError("progress: expected None, True, False or a "
                                f"callable(done, total), not {value!r}")
    return value


def _load_kwargs(what: str, args: Sequence[Any],
                 options: Mapping[str, Any]) -> Dict[str, Any]:
    """The load options given to ``what`` (positional ``args`` in the
    order of _LOAD_OPTIONS, then keywords) as _core keyword args."""
    if len(args) > len(_LOAD_OPTIONS):
        raise TypeError(f"{what}() takes at most {len(_LOAD_OPTIONS)} "
                        "load options by position")
    given = dict(zip(_LOAD_NAMES, args))
    for name, value in options.items():
        if name not in _LOAD_NAMES:
            raise TypeError(f"{what}() got an unexpected keyword argument "
                            f"{name!r}")
        if name in given:
            raise TypeError(f"{what}() got multiple values for argument "
                            f"{name!r}")
        given[name] = value
    o = {n: given.get(n, d) for n, d, _ in _LOAD_OPTIONS}
    kw: Dict[str, Any] = {n: o[n] for n in _LOAD_NAMES
                          if n not in ("map", "map_file", "threads",
                                       "progress")}
    kw["progress"] = _progress(o["progress"])
    kw["lenient"] = bool(o["lenient"])
    kw["lexicon"] = _lexicon(o["lexicon"])
    kw["repair"] = None if o["repair"] is None else bool(o["repair"])
    if o["threads"] is not None:
        kw["threads"] = o["threads"]
    m = o["map"]
    if m is not None:
        if isinstance(m, str):
            kw["map"] = m
        elif isinstance(m, Mapping):
            kw["map_json"] = _json.dumps(dict(m))
        else:
            raise TypeError("map must be a spec string "
                            "('killed=min..max,actor=side_a') or a dict")
    if o["map_file"] is not None:
        kw["map_file"] = _os.fspath(o["map_file"])
    return kw


# --------------------------------------------------------------------------
# Warnings

class TollWarning(UserWarning):
    """A problem that does not stop a load or a summary, such as a file in
    which no report carries any casualty category (its message lists the
    kept fields and suggests ``map=``).  Issued by :func:`read`,
    :meth:`Reports.load`, :meth:`Reports.from_records`,
    :meth:`Reports.from_pandas` and :meth:`Incidents.summarize`; the C
    library words it (``toll_reports_warning``, ``toll_table_warning``)."""


_PACKAGE_DIR = _os.path.dirname(_os.path.abspath(__file__))


def _warn(items: Iterable[Mapping[str, Any]]) -> None:
    """Issue each warning dict of the C library as a TollWarning, located
    at the first caller outside this package."""
    level = 2  # 1 is this function, 2 its caller
    frame = _sys._getframe(1)
    while frame is not None and _os.path.dirname(
            _os.path.abspath(frame.f_code.co_filename)) == _PACKAGE_DIR:
        frame = frame.f_back
        level += 1
    for item in items:
        _warnings.warn(item["message"], TollWarning, stacklevel=level)


# --------------------------------------------------------------------------
# Arrow data and data frames

def _is_frame(obj: Any) -> bool:
    """True for a pandas DataFrame (without importing pandas)."""
    pd = _sys.modules.get("pandas")
    return pd is not None and isinstance(obj, pd.DataFrame)


# Files read through pyarrow or pandas rather than the C loaders.
_TABLE_FILES = {".parquet": "parquet", ".pq": "parquet",
                ".feather": "feather", ".arrow": "feather",
                ".xlsx": "excel", ".xlsm": "excel"}


def _table_file_kind(path: str) -> Optional[str]:
    """"parquet", "feather" or "excel" for such a file name, else None."""
    return _TABLE_FILES.get(_os.path.splitext(path)[1].lower())


def _need_module(module: str, what: str, package: str) -> Any:
    """Import an optional module, or ImportError saying what needs it."""
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise ImportError(f"{what} needs {package}: pip install "
                          f"{package}") from None


def _is_arrow(obj: Any) -> bool:
    """True for an object exporting an Arrow C stream (pyarrow Table,
    polars DataFrame, DuckDB relation, ...), not a path."""
    return (hasattr(obj, "__arrow_c_stream__")
            and not isinstance(obj, (str, bytes, _os.PathLike)))


# infer_dtype results of object columns that pyarrow turns into types the
# C loader reads (include/toll/arrow.h); "string" and "empty" are also read
# from NumPy buffers
_ARROW_OBJECTS = ("string", "empty", "integer", "floating",
                  "mixed-integer-float", "boolean")


def _frame_plan(frame: Any, pd: Any, np: Any) -> Any:
    """How a DataFrame is loaded: None when a column holds what only the
    records path reads (lists, dicts, mixed or zoned values: each value
    through :func:`_record_value`), else a list of NumPy column kinds
    (python/_arrow_in.c; None for a column only pyarrow can export)."""
    if not frame.columns.is_unique:
        return None
    kinds: List[Optional[str]] = []
    for i, dtype in enumerate(frame.dtypes):
        if isinstance(dtype, np.dtype):
            k = dtype.kind
            if k in "iub" or (k == "f" and dtype.itemsize in (4, 8)):
                kinds.append("number")
            elif k == "M":
                unit = np.datetime_data(dtype)[0]
                if unit not in ("s", "ms", "us", "ns"):
                    return None
                kinds.append(f"timestamp[{unit}]")
            elif k == "O":
                inferred = pd.api.types.infer_dtype(frame.iloc[:, i],
                                                    skipna=True)
                if inferred not in _ARROW_OBJECTS:
                    return None
                kinds.append("string" if inferred in ("string", "empty")
                             else None)
            else:
                return None
        elif isinstance(dtype, pd.CategoricalDtype):
            if pd.api.types.infer_dtype(dtype.categories,
                                        skipna=True) != "string":
                return None
            kinds.append("string")
        elif isinstance(dtype, pd.StringDtype):
            kinds.append("string")
        elif isinstance(dtype, pd.ArrowDtype):
            pa = _sys.modules.get("pyarrow")
            t = dtype.pyarrow_dtype
            if pa is None or pa.types.is_nested(t) or pa.types.is_binary(
                    t) or pa.types.is_large_binary(t) or (
                    pa.types.is_timestamp(t) and t.tz is not None):
                return None
            kinds.append(None)
        elif isinstance(dtype, pd.DatetimeTZDtype):
            return None
        elif dtype.kind in "iufb":  # nullable Int64, Float64, boolean
            kinds.append(None)
        else:
            return None
    return kinds


def _frame_stream(frame: Any, pd: Any) -> Any:
    """The Arrow C stream capsule of a DataFrame (pandas >= 2.2 with
    pyarrow; an index other than a RangeIndex is left out, as the records
    path leaves it out), or None when pandas cannot export Arrow."""
    export = getattr(frame, "__arrow_c_stream__", None)
    if export is None:
        return None
    if not isinstance(frame.index, pd.RangeIndex):
        frame = frame.reset_index(drop=True)
    try:
        return frame.__arrow_c_stream__()
    except ImportError:  # no pyarrow
        return None


def _frame_columns(frame: Any, kinds: Sequence[str], np: Any) -> Any:
    """(names, columns) of a DataFrame for Reports._c.load_columns: NumPy
    buffers of numeric and datetime columns, values of string columns."""
    names = [str(c) for c in frame.columns]
    cols = []
    for i, kind in enumerate(kinds):
        col = frame.iloc[:, i]
        if kind == "number":
            cols.append((kind, np.ascontiguousarray(col.to_numpy())))
        elif kind.startswith("timestamp"):
            cols.append((kind, np.ascontiguousarray(
                col.to_numpy()).view("int64")))
        else:
            cols.append((kind, col.to_numpy(dtype=object)))
    return names, cols


# --------------------------------------------------------------------------
# Reports

class Reports:
    """A store of casualty reports: one source's claim about one incident
    per report.

    Create with :func:`toll.read`, :meth:`from_records` or
    :meth:`from_pandas`; add more with :meth:`load`.  Loads are
    transactional: a strict load that fails raises (ParseError /
    ReportError naming file, line or record, field and text) and leaves the
    reports as they were.  With ``lenient=True`` bad records are skipped and
    listed in :attr:`rejects`.
    """

    def __init__(self) -> None:
        self._c = _core.Reports()

    # -- constructors --------------------------------------------------
    @classmethod
    def read(cls, path: PathLike, *args: Any, **options: Any) -> "Reports":
        """Same as :func:`toll.read`."""
        reports = cls()
        reports.load(path, *args, **options)
        return reports

    @classmethod
    def from_records(cls, records: Iterable[Mapping[str, Any]],
                     **options: Any) -> "Reports":
        """Reports from a list of dicts in the report format
        (``{"incident": ..., "source": ..., "killed": "at least 5"}``).

        The C library reads the dicts as it reads the same records in a
        JSON array, under the name "<records>" with record i on line
        i + 1, so errors name the record.  Values: None (or NaN) for
        missing, str, int, float, bool, lists of str (actors, region
        levels), dicts ({"low": 5, "high": 9}); dates, numpy and pandas
        scalars are converted.  Options as for :func:`toll.read`."""
        reports = cls()
        reports.load_records(records, **options)
        return reports

    @classmethod
    def from_pandas(cls, df: Any, **options: Any) -> "Reports":
        """Reports from a DataFrame with one report per row and the report
        fields as columns (NaN/None -> missing), read as the same rows of
        a CSV file are (the same column maps, presets and options).  The
        C library reads the columns as Arrow data (through pyarrow when it
        is installed, else from the NumPy buffers); a frame with lists,
        dicts or mixed values in a column is read as records
        (:meth:`from_records`).  A named index becomes a column.  Errors
        name "<records>" and row i (from 0) on line i + 1.  Options as for
        :func:`toll.read`."""
        reports = cls()
        reports.load_pandas(df, **options)
        return reports

    @classmethod
    def from_arrow(cls, data: Any, **options: Any) -> "Reports":
        """Reports from any object with ``__arrow_c_stream__`` (a pyarrow
        Table or RecordBatchReader, a polars DataFrame, a DuckDB relation,
        ...): one report per row, read by the C library straight from the
        Arrow columns as the same rows of a CSV file are (docs/importers.md,
        "Arrow and data frames").  Options as for :func:`toll.read`, and
        ``name`` (default "<arrow>") names the input in errors."""
        reports = cls()
        reports.load_arrow(data, **options)
        return reports

    # -- loading -------------------------------------------------------
    @_with_load_options(["self", "path"])
    def load(self, path: PathLike, *args: Any, **options: Any) -> int:
        """Append the reports in a .json / .jsonl / .csv file, or in a
        data frame or any object with ``__arrow_c_stream__`` (see
        :meth:`from_pandas`, :meth:`from_arrow`); returns how many were
        added.

{options}

        Warnings of the load (see :attr:`warnings`) are issued as
        :class:`TollWarning`."""
        stream = hasattr(path, "read") and not isinstance(
            path, (str, bytes, _os.PathLike))
        table_file = (None if stream or _is_frame(path) or _is_arrow(path)
                      else _table_file_kind(_os.fspath(path)))
        if stream or table_file or _is_frame(path) or _is_arrow(path):
            given = dict(zip(_LOAD_NAMES, args))
            for name in given:
                if name in options:
                    raise TypeError(f"load() got multiple values for "
                                    f"argument {name!r}")
            given.update(options)
            if stream:
                return self._load_stream(path, given)
            if table_file:
                return self._load_table_file(_os.fspath(path), table_file,
                                             given)
            if _is_frame(path):
                return self.load_pandas(path, **given)
            return self.load_arrow(path, **given)
        n = self._c.load_file(_os.fspath(path),
                              **_load_kwargs("load", args, options))
        _warn(self._c.warnings)
        return n

    def _load_stream(self, f: Any, options: Dict[str, Any]) -> int:
        """A file-like object: its bytes (or text) loaded as a file's are,
        named by its ``name`` when it has one; Parquet bytes through
        pyarrow."""
        data = f.read()
        if isinstance(data, str):
            data = data.encode("utf-8")
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"{type(f).__name__}.read() returned a "
                            f"{type(data).__name__}, not bytes or str")
        name = getattr(f, "name", None)
        name = _os.fsdecode(name) if isinstance(name, (str, bytes)) \
            else "<stream>"
        if bytes(data[:4]) == b"PAR1":
            pq = _need_module("pyarrow.parquet", "reading Parquet",
                              "pyarrow")
            import io as _io
            return self.load_arrow(pq.read_table(_io.BytesIO(bytes(data))),
                                   name=name, **options)
        return self.load_text(bytes(data), name=name, **options)

    def _load_table_file(self, path: str, kind: str,
                         options: Dict[str, Any]) -> int:
        """A Parquet, Feather/Arrow IPC or Excel file, read by pyarrow or
        pandas (openpyxl) into the Arrow path; errors name the file and the
        data row, counted from 1 (the header not counted)."""
        if not _os.path.exists(path):
            raise FileNotFoundError(_errno.ENOENT, "No such file", path)
        if kind == "parquet":
            pq = _need_module("pyarrow.parquet", "reading Parquet",
                              "pyarrow")
            return self.load_arrow(pq.read_table(path), name=path,
                                   **options)
        if kind == "feather":
            feather = _need_module("pyarrow.feather",
                                   "reading Feather / Arrow IPC", "pyarrow")
            return self.load_arrow(feather.read_table(path), name=path,
                                   **options)
        pd, _ = _need_pandas("reading Excel")
        _need_module("openpyxl", "reading Excel", "openpyxl")
        return self.load_pandas(pd.read_excel(path), name=path, **options)

    def load_text(self, data: Union[str, bytes], name: str = "<buffer>",
                  **options: Any) -> int:
        """Append reports from a string or bytes (JSON, JSON Lines or CSV;
        sniffed unless ``format`` is given).  ``name`` names the input in
        error messages.  Options as for :func:`toll.read`."""
        n = self._c.load_buffer(data, name,
                                **_load_kwargs("load_text", (), options))
        _warn(self._c.warnings)
        return n

    def load_records(self, records: Iterable[Mapping[str, Any]],
                     **options: Any) -> int:
        """Append reports from dicts (see :meth:`from_records`)."""
        n = self._c.load_records(
            records, _record_value,
            **_load_kwargs("load_records", (), options))
        _warn(self._c.warnings)
        return n

    def load_arrow(self, data: Any, name: Optional[str] = None,
                   **options: Any) -> int:
        """Append reports from an object with ``__arrow_c_stream__`` (see
        :meth:`from_arrow`)."""
        if _is_frame(data):
            return self.load_pandas(data, **options)
        export = getattr(data, "__arrow_c_stream__", None)
        if export is None:
            raise TypeError(f"from_arrow needs an object with "
                            f"__arrow_c_stream__, not "
                            f"{type(data).__name__}")
        n = self._c.load_arrow(export(), name,
                               **_load_kwargs("load_arrow", (), options))
        _warn(self._c.warnings)
        return n

    def load_pandas(self, df: Any, name: Optional[str] = None,
                    **options: Any) -> int:
        """Append reports from a DataFrame (see :meth:`from_pandas`);
        ``name`` (default "<records>") names it in errors."""
        pd, np = _need_pandas("Reports.from_pandas()")
        if not isinstance(df, pd.DataFrame):
            raise TypeError("from_pandas needs a pandas DataFrame")
        frame = df
        if isinstance(frame.index, pd.MultiIndex) or frame.index.name:
            frame = frame.reset_index()
        kinds = _frame_plan(frame, pd, np)
        stream = _frame_stream(frame, pd) if kinds is not None else None
        if kinds is None or (stream is None and None in kinds):
            return self.load_records(frame.to_dict("records"), **options)
        kw = _load_kwargs("load_pandas", (), options)
        label = name or "<records>"
        if stream is not None:
            n = self._c.load_arrow(stream, label, **kw)
        else:
            names, cols = _frame_columns(frame, kinds, np)
            n = self._c.load_columns(names, cols, label, **kw)
        _warn(self._c.warnings)
        return n

    # -- access --------------------------------------------------------
    def __len__(self) -> int:
        return len(self._c)

    def __repr__(self) -> str:
        return f"<toll.Reports: {len(self._c)} reports>"

    @property
    def rejects(self) -> List[Dict[str, Any]]:
        """Records rejected by the last lenient load: dicts with code, file,
        line, record, field, text and message."""
        return self._c.rejects

    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """Warnings of the last load, dicts like :attr:`rejects` (code,
        file, line, record, field, text, message): for example that no
        report carries any casualty category.  Each was also issued as a
        :class:`TollWarning`."""
        return self._c.warnings

    @property
    def repairs(self) -> List[Dict[str, Any]]:
        """Repairs made while loading (``repair=True``, the default of the
        "ucdp-ged" preset): one dict per repaired figure or region, with
        file, line, record, field (the category or "region"), text (the
        original figures, "low 46, best 37, high 31") and message (what
        changed).  Repairs stay with their reports across loads."""
        return self._c.repairs

    @property
    def categories(self) -> List[str]:
        """Casualty categories seen ("killed", "injured", ...)."""
        return self._c.categories

    def reconcile(self, policy: str = "envelope",
                  self_reports: str = "exclude", link: Any = "none",
                  link_days: int = 1, link_level: int = 1,
                  link_actors: str = "overlap",
                  link_max_span: int = 7, *,
                  link_window: Optional[int] = None,
                  link_upper: Optional[float] = None,
                  link_lower: Optional[float] = None,
                  link_same_source: Optional[str] = None,
                  link_model: Any = None,
                  link_names: Optional[PathLike] = None,
                  link_labels: Any = None,
                  link_seed: Optional[int] = None) -> "Incidents":
        """Reconcile the reports of each incident into one range per
        category with provenance, flags and a grade.

        policy: "envelope" (low = min of lows, high = max of highs, best =
        median) or "conservative" (the lowest figure).  self_reports:
        "exclude" (a party's own figure is kept aside as a claim) or
        "include".  While the Incidents exist the reports cannot be
        loaded into.

        link: how reports that describe one incident are found
        (docs/linking.md):

        - "none" (default): a report without an incident key is an
          incident of its own;
        - "auto": the probabilistic linker links the reports of one
          incident across sources, as :meth:`link` does with the options
          ``link_window``, ``link_upper``, ``link_lower``,
          ``link_same_source``, ``link_max_span``, ``link_model``,
          ``link_names``, ``link_labels`` and ``link_seed`` (the keywords
          of :meth:`link` with ``link_`` in front);
        - a :class:`Links` (from :meth:`link` on these reports): use those
          links as they are, e.g. after checking ``links.pairs("review")``;
        - "rule": the earlier rule: reports without a key are linked when
          their dates are within ``link_days`` days, their regions agree
          on the first ``link_level`` + 1 levels (0: country; -1: the
          whole path) and - with ``link_actors="overlap"``; "ignore" skips
          this - they name a common actor; links are transitive.  A report
          spanning more than ``link_max_span`` days (0: no limit) links
          only to reports with the same span.

        :meth:`Incidents.links` says why reports were linked.  The
        linker's keywords without ``link="auto"`` raise
        :class:`toll.OptionError`.

        >>> links = reports.link(window=1)
        >>> incidents = reports.reconcile(link=links)
        >>> incidents = reports.reconcile(link="auto", link_upper=0.95)
        """
        linker = {"window": link_window, "upper": link_upper,
                  "lower": link_lower, "same_source": link_same_source,
                  "model": link_model, "names": link_names,
                  "labels": link_labels, "seed": link_seed}
        given = [k for k, v in linker.items() if v is not None]
        links = None
        if isinstance(link, Links):
            if given:
                raise _core.OptionError(
                    f"link_{given[0]}: a Links object was linked already; "
                    "give the linker's options to Reports.link")
            if link.reports is not self:
                raise _core.OptionError(
                    "link: the Links object was made from other Reports")
            links, link = link, "auto"
        elif isinstance(link, str) and link.strip().lower() == "auto":
            links = self.link(max_span=link_max_span, **linker)
        elif given:
            raise _core.OptionError(
                f"link_{given[0]} needs link=\"auto\" (the probabilistic "
                f"linker), not link={link!r}")
        return Incidents(self._c.reconcile(
            policy=policy, self_reports=self_reports, link=link,
            link_days=link_days, link_level=link_level,
            link_actors=link_actors, link_max_span=link_max_span,
            links=None if links is None else links._c), self, links)

    def link(self, *, window: Optional[int] = None,
             upper: Optional[float] = None, lower: Optional[float] = None,
             same_source: Optional[str] = None,
             max_span: Optional[int] = None, model: Any = None,
             names: Optional[PathLike] = None, labels: Any = None,
             seed: Optional[int] = None,
             threads: Optional[int] = None) -> "Links":
        """Link the reports of one incident across sources (a UCDP event,
        an Airwars incident, a news story a day later) with the
        probabilistic linker (docs/linking.md): candidate pairs whose
        spans come within ``window`` days, scored on date, distance, place
        name, region, actors, figures and source by a Fellegi-Sunter model,
        then clustered.

        window:      candidate pairs: spans within this many days (default
                     2).
        upper:       pairs with a match probability >= upper are merged
                     (default 0.9).
        lower:       every two reports of an incident need a pair >= lower;
                     pairs in [lower, upper) that were not merged are
                     listed by ``pairs("review")`` (default 0.5).
        same_source: "forbid" (default: an incident holds one report, or
                     one key, per source) or "allow".
        max_span:    a report spanning more than this many days is not
                     linked (default 7; 0: no limit).
        model:       a model to use as given, without fitting: a dict in
                     the shape of :attr:`Links.model`, the path of a JSON
                     model file (:meth:`Links.save_model`), or a
                     :class:`Links` (its model).  Default: fitted to these
                     reports.
        names:       path of a JSON file of place-name rules added to the
                     default ones.
        labels:      pairs known to match or not, to fit the model's m
                     from: a pandas DataFrame with the columns report_a,
                     report_b and match, or a list of (report_a, report_b,
                     match) tuples.  A report is its 0-based index in load
                     order or its "FILE:LINE" (the ``report`` column of
                     :meth:`table` and of :meth:`Links.assignments`).
        seed:        random pairs for the model's u (default 1; the same
                     seed gives the same result).
        threads:     0 (default) auto, 1, or 2; the same result.

        Bad values raise :class:`toll.OptionError` with the library's
        message (``lower`` above ``upper`` names both).

        >>> links = reports.link(window=1, upper=0.95)
        >>> links.assignments().to_pandas()        # incident of each report
        >>> links.pairs("review").to_pandas()      # pairs to check by hand
        >>> links.save_model("model.json")
        >>> again = reports.link(model="model.json")
        """
        model_json = model_file = None
        if isinstance(model, Links):
            model_json = model._c.model_json()
        elif isinstance(model, Mapping):
            model_json = _json.dumps(model)
        elif model is not None:
            model_file = _os.fspath(model)
        core = self._c.link(
            window=window, upper=upper, lower=lower, same_source=same_source,
            max_span=max_span, model_json=model_json, model_file=model_file,
            names_file=names, labels=self._label_tuples(labels), seed=seed,
            threads=threads)
        return Links(core, self)

    def _label_tuples(self, labels: Any) -> Optional[List[Any]]:
        """Labelled pairs as (index_a, index_b, match) tuples."""
        if labels is None:
            return None
        if hasattr(labels, "itertuples") and hasattr(labels, "columns"):
            missing = [c for c in ("report_a", "report_b", "match")
                       if c not in labels.columns]
            if missing:
                raise _core.OptionError(
                    f"labels: no column {missing[0]!r} (the labels need "
                    "report_a, report_b and match)")
            rows = list(zip(labels["report_a"], labels["report_b"],
                            labels["match"]))
        else:
            rows = [tuple(r) for r in labels]
        index: Optional[Dict[str, int]] = None
        out = []
        for i, row in enumerate(rows):
            if len(row) != 3:
                raise _core.OptionError(
                    f"labels[{i}]: expected (report_a, report_b, match), "
                    f"got {row!r}")
            pair = []
            for name, r in zip(("report_a", "report_b"), row[:2]):
                if isinstance(r, str) and not r.isdigit():
                    if index is None:
                        index = {k: j for j, k in
                                 enumerate(self.table()["report"])}
                    if r not in index:
                        raise _core.OptionError(
                            f"labels[{i}]: {name}: no report {r!r} (give "
                            "FILE:LINE as in Reports.table(), or a 0-based "
                            "index)")
                    pair.append(index[r])
                else:
                    try:
                        pair.append(_index_value(r))
                    except (TypeError, ValueError):
                        raise _core.OptionError(
                            f"labels[{i}]: {name}: {r!r} is not a report "
                            "(FILE:LINE or a 0-based index)") from None
            out.append((pair[0], pair[1], _label_match(i, row[2])))
        return out

    def table(self) -> "Table":
        """The stored reports, one row per report in load order (the C
        library's toll_reports_table): report ("FILE:LINE"), incident,
        source, source_kind, source_actor, date_start, date_end, region,
        actor ("A + B"), id, url, note, lat, lon (floats, NaN when none),
        location, precision_km (float, NaN when not stated); then
        CATEGORY_low, CATEGORY_best and CATEGORY_high for each category in
        :attr:`categories` (missing when the report gives none; high is inf
        for an open range); then one column per kept field, named after it
        (``keep:NAME`` when a column before it has the name, as UCDP's own
        ``region`` does)."""
        return Table(self._c.table())

    def to_pandas(self, categorical: bool = False) -> Any:
        """:meth:`table` as a DataFrame; works the same for reports loaded
        from files, text, records or DataFrames."""
        return self.table().to_pandas(categorical=categorical)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """:meth:`table` as an Arrow C stream (the Arrow PyCapsule
        interface), for ``pa.table(reports)``, ``pl.DataFrame(reports)``
        or DuckDB."""
        return self.table().__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """:meth:`table` as a pyarrow.Table (needs pyarrow)."""
        return self.table().to_arrow()

    def to_polars(self) -> Any:
        """:meth:`table` as a polars.DataFrame (needs polars)."""
        return self.table().to_polars()


@_with_load_options(["path"])
def read(path: PathLike, *args: Any, **options: Any) -> Reports:
    """Read reports from a .json (array), .jsonl (one object per line) or
    .csv file (also gzip-compressed, or the one data file of a .zip), a
    Parquet or Feather file (needs pyarrow), an Excel .xlsx sheet (needs
    pandas and openpyxl), a file-like object (its ``read()`` bytes or
    text), a data frame or any object with ``__arrow_c_stream__`` (a
    pyarrow Table, a polars DataFrame, a DuckDB relation: see
    :meth:`Reports.from_arrow`).

{options}

    Raises OSError for unreadable files (IsADirectoryError for a
    directory), ParseError / ReportError for bad records (naming file,
    line, field and text), OptionError for bad options and for a file
    whose extension does not tell the format (give ``format=``).
    Warnings of the load are issued as :class:`TollWarning`.
    """
    reports = Reports()
    reports.load(path, *args, **options)
    return reports


_SUMMARIZE_NAMES = ("by", "category", "attribution", "span", "min_grade",
                    "date_from", "date_to", "region", "actors", "where",
                    "min_data_grade", "interval", "dist", "draws", "seed",
                    "open_cap", "quantiles", "engine", "max_rows")


def summarize_files(paths: Union[PathLike, Sequence[PathLike]], *,
                    stream: bool = False, policy: str = "envelope",
                    self_reports: str = "exclude", link: str = "none",
                    **options: Any) -> "Table":
    """The summary of the reports in one file or a list of files, read in
    turn: :func:`read` (and :meth:`Reports.load`), :meth:`Reports.reconcile`
    with ``policy``, ``self_reports`` and ``link``, then
    :meth:`Incidents.summarize`.  ``options`` are the keywords of
    :meth:`Incidents.summarize` (by, category, attribution, span, filters,
    intervals, max_rows) and the load options of :func:`read` (format,
    lenient, preset, repair, map, ...).

    stream:  False (default): the reports are loaded and kept, with full
             provenance.  True: the one-pass summary
             (``toll summarize --stream``, C ``toll_summarize_stream``;
             docs/scaling.md): each file is read in chunks of reports that
             are folded into per-incident state and dropped, so memory
             follows the incidents and distinct strings (and the distinct
             figures of each incident), not the reports; the input need not
             be grouped by incident.  The table is the same.  Provenance is
             reduced to what the summary needs (no report's file, line, id,
             url, note, place name or kept fields is kept), so kept fields
             in ``by`` or ``where`` (other than actor=...),
             ``min_data_grade`` and ``link`` other than "none" raise
             :class:`toll.OptionError` naming the option.

    Warnings of the loads and of the summary are issued as
    :class:`TollWarning`; errors are those of :func:`read` and
    :meth:`Incidents.summarize`."""
    if isinstance(paths, (str, bytes)) or hasattr(paths, "__fspath__"):
        paths = [paths]
    paths = [_os.fspath(p) for p in paths]
    summarize = {k: options.pop(k) for k in list(options)
                 if k in _SUMMARIZE_NAMES}
    if "date_from" in summarize:
        summarize["date_from"] = _date_text(summarize["date_from"])
    if "date_to" in summarize:
        summarize["date_to"] = _date_text(summarize["date_to"])
    if "where" in summarize:
        summarize["where"] = _where_items(summarize["where"])
    if summarize.get("quantiles") is not None:
        summarize["quantiles"] = list(summarize["quantiles"])
    load = _load_kwargs("summarize_files", (), options)
    if not stream:
        reports = Reports()
        for path in paths:
            reports._c.load_file(path, **load)
            _warn(reports._c.warnings)
        return reports.reconcile(policy=policy, self_reports=self_reports,
                                 link=link).summarize(**summarize)
    core, warnings, rejects = _core.Reports().summarize_stream(
        paths, load, {"policy": policy, "self_reports": self_reports,
                      "link": link}, summarize)
    _warn(warnings)
    table = Table(core)
    _warn(table.warnings)
    return table


# --------------------------------------------------------------------------
# Incidents

def _where_items(where: Any) -> Optional[List[str]]:
    """summarize(where=...) as "FIELD=VALUE" strings: a dict (list values
    are alternatives), a "FIELD=VALUE" string or a list of them."""
    if where is None:
        return None
    if isinstance(where, str):
        return [where]
    if isinstance(where, Mapping):
        items = []
        for key, value in where.items():
            values = (value if isinstance(value, (list, tuple, set,
                                                   frozenset)) else [value])
            for v in values:
                if isinstance(v, bool) or v is None:
                    raise TypeError(f"where[{key!r}]: expected str or int "
                                    f"values, not {type(v).__name__}")
                items.append(f"{key}={v}")
        return items
    return [str(w) if not isinstance(w, str) else w for w in where]


def _date_text(value: Any) -> Optional[str]:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.strftime("%Y-%m-%d")
    return str(value)


class Incidents:
    """Reconciled incidents (from :meth:`Reports.reconcile`): per incident
    and category a range with best estimate, grade, flags and the reports
    that set each bound.  Keeps its Reports alive."""

    def __init__(self, core: "_core.Incidents", reports: Reports,
                 links: Optional["Links"] = None) -> None:
        self._c = core
        self._reports = reports
        self._links = links

    def __len__(self) -> int:
        return len(self._c)

    def __repr__(self) -> str:
        return (f"<toll.Incidents: {len(self._c)} incidents "
                f"(policy {self._c.policy}, self-reports "
                f"{self._c.self_reports})>")

    @property
    def reports(self) -> Reports:
        """The reports these incidents came from."""
        return self._reports

    @property
    def linked(self) -> Optional["Links"]:
        """The :class:`Links` of ``reconcile(link="auto")`` or
        ``reconcile(link=links)``; None otherwise."""
        return self._links

    @property
    def policy(self) -> str:
        """The reconcile policy: "envelope" or "conservative"."""
        return self._c.policy

    @property
    def self_reports(self) -> str:
        """How self-reports were treated: "exclude" or "include"."""
        return self._c.self_reports

    def table(self) -> "Table":
        """One row per incident and category: incident, category, dates,
        region, actor, grade, reports, sources, low, best, high, flags and
        provenance columns."""
        return Table(self._c.table())

    def links(self) -> "Table":
        """Why reports were linked (``reconcile(link="rule")`` or
        ``"auto"``): one row per link with incident, report_a, report_b,
        source_a, source_b, days_apart, region, shared_actors and an
        explanation sentence ("a.jsonl:3 ~ a.jsonl:7: 0 days apart, same
        region Syria/Idlib, shared actor Russia").  Empty without
        linking."""
        return Table(self._c.links())

    def to_pandas(self, categorical: bool = False) -> Any:
        """:meth:`table` as a DataFrame."""
        return self.table().to_pandas(categorical=categorical)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """:meth:`table` as an Arrow C stream (the Arrow PyCapsule
        interface), for ``pa.table(incidents)``,
        ``pl.DataFrame(incidents)`` or DuckDB."""
        return self.table().__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """:meth:`table` as a pyarrow.Table (needs pyarrow)."""
        return self.table().to_arrow()

    def to_polars(self) -> Any:
        """:meth:`table` as a polars.DataFrame (needs polars)."""
        return self.table().to_polars()

    def summarize(self, by: Union[str, Sequence[str], None] = None,
                  category: Optional[str] = None,
                  attribution: str = "joint", span: str = "start",
                  min_grade: Optional[str] = None, date_from: Any = None,
                  date_to: Any = None, region: Optional[str] = None,
                  actors: Union[str, Sequence[str], None] = None,
                  where: Any = None,
                  min_data_grade: Optional[str] = None, *,
                  interval: Optional[str] = None,
                  dist: Optional[str] = None, draws: Optional[int] = None,
                  seed: Optional[int] = None,
                  open_cap: Optional[float] = None,
                  quantiles: Optional[Sequence[float]] = None,
                  engine: Optional[str] = None,
                  max_rows: Optional[int] = None) -> "Table":
        """Totals by group.

        by:          keys as a list or comma string: actor, region,
                     region:K (the first K+1 levels: region:0 is the
                     country), period:day|week|month|
                     quarter|year, category, grade.  None: one row.
        category:    category to total (default "killed"; every category
                     when ``by`` contains "category").
        attribution: "joint" (the actor set "A + B"), "split" (1/n each) or
                     "each" (full counts to every actor: not additive).
        span:        "start" (count in the start period) or "prorate"
                     (split across periods by days).
        min_grade:   "self-only", "single", "corroborated" or "confirmed".
        date_from, date_to: inclusive bounds ("2016-09", date objects).
        region:      region prefix ("Syria/Aleppo").
        actors:      keep incidents naming any of these actors (matched
                     by actor identity: any case, white space collapsed,
                     Unicode NFKC; "unknown": incidents without actors).
        where:       filters on kept fields (columns an import keeps, such
                     as UCDP's type_of_violence): a dict
                     ``{"type_of_violence": "1"}`` (a list value means any
                     of them) or "FIELD=VALUE" strings.  Fields must all
                     match; values compare case-insensitively.  The field
                     "actor" is the actors filter (``"actor=Russia"``).
                     ``by`` may name kept fields too ("dyad_new_id");
                     ``keep:NAME`` names a kept field called like a key or
                     report field ("keep:region": UCDP's own region column),
                     in ``by`` and ``where`` alike.
        min_data_grade: grade from the data (kept field data_grade, e.g.
                     Airwars' grading): "confirmed", "fair", "weak",
                     "contested" or "discounted"; keeps that grade and
                     stronger.
        interval:    add a probabilistic interval to each row
                     (docs/intervals.md): "independent" (each incident's
                     count drawn from its range on its own) or
                     "comonotone" (all incidents at the same quantile);
                     default None.  Adds the columns q025, q500, q975 (one
                     per quantile) and q_engine after the measures.
        dist:        "uniform" (default) on low..high, or "triangular"
                     with its mode at best.
        quantiles:   probabilities (default 0.025, 0.5, 0.975).
        open_cap:    an open high becomes max(high, open_cap x low)
                     (default 2).
        engine:      "auto" (default), "exact", "normal" or "simulate".
        draws, seed: simulation draws (default 10000) and seed (default
                     1; the same seed gives the same numbers everywhere).
        max_rows:    the most rows the summary may have (default
                     10,000,000): beyond it :class:`toll.TollError`
                     (ERANGE) names the keys (and under span "prorate"
                     the incident whose span alone is too long) before
                     the rows are made.

        Every row has low <= best <= high; a total beyond 2^53 raises
        :class:`toll.TollError` (ERANGE) naming the row and the column.

        Bad option values raise :class:`toll.OptionError` naming the
        option.  When no report carries any casualty category the summary
        counts nothing: a :class:`TollWarning` says so (also in
        ``Table.warnings``)."""
        table = Table(self._c.summarize(
            by=by, category=category, attribution=attribution, span=span,
            min_grade=min_grade, date_from=_date_text(date_from),
            date_to=_date_text(date_to), region=region, actors=actors,
            where=_where_items(where), min_data_grade=min_data_grade,
            interval=interval, dist=dist, draws=draws, seed=seed,
            open_cap=open_cap,
            quantiles=None if quantiles is None else list(quantiles),
            engine=engine, max_rows=max_rows))
        _warn(table.warnings)
        return table

    def plot_map(self, ax: Any = None, category: str = "killed",
                 actor: Optional[str] = None, region: Optional[str] = None,
                 title: Optional[str] = None, top: int = 8) -> Any:
        """Scatter the incidents that have coordinates (lat, lon) with
        matplotlib, without a basemap or any download.

        category: the category drawn (default "killed"); marker area is
        proportional to its best estimate (a size legend shows round
        values).  actor: only incidents naming this actor (any case).
        region: only incidents in this region or below it
        ("Syria/Aleppo").  Colours are per actor set: the ``top`` by
        total best, the rest as "other".  The title says how many of the
        selected incidents lack coordinates; the returned Axes has them
        as ``ax.toll_missing_coordinates`` (and the number drawn as
        ``ax.toll_plotted``)."""
        from . import _plot
        return _plot.plot_map(self, ax=ax, category=category, actor=actor,
                              region=region, title=title, top=top)

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()


# --------------------------------------------------------------------------
# Links


def _index_value(r: Any) -> int:
    """A 0-based report index (an int, or a str of digits)."""
    if isinstance(r, bool):
        raise TypeError("bool")
    v = int(r) if isinstance(r, str) else _operator.index(r)
    if v < 0:
        raise ValueError("negative")
    return v


def _label_match(i: int, value: Any) -> bool:
    """labels[i]'s match value, read as the CLI reads its labels file
    (toll_link_label_match_parse): a str through the C rule; True/False;
    the numbers 1 and 0.  Anything else is an OptionError."""
    v = _clean(value) if not isinstance(value, str) else value
    if isinstance(v, bool):
        v = "1" if v else "0"
    elif isinstance(v, int) and v in (0, 1):
        v = str(v)
    if not isinstance(v, str):
        raise _core.OptionError(
            f"labels[{i}]: match: {value!r} is not a match label (expected "
            "1/0, true/false or yes/no)")
    try:
        return _core.link_label_match(v)
    except _core.OptionError as e:
        raise _core.OptionError(f"labels[{i}]: match: {e}") from None


class Links:
    """The result of :meth:`Reports.link`: the incident assigned to each
    report, the scored candidate pairs and the model they were scored
    with.  Keeps its Reports alive; pass it to
    ``reports.reconcile(link=links)`` to reconcile with these links.

    >>> links = reports.link()
    >>> links
    <toll.Links: 1200 reports in 950 incidents, 410 candidate pairs>
    >>> links.assignments().to_pandas()
    >>> links.pairs("review").to_pandas()
    >>> links.model["prior"]
    """

    def __init__(self, core: "_core.Links", reports: Reports) -> None:
        self._c = core
        self._reports = reports

    @property
    def reports(self) -> Reports:
        """The reports that were linked."""
        return self._reports

    def __len__(self) -> int:
        """Number of reports linked."""
        return len(self._c)

    @property
    def n_incidents(self) -> int:
        """Number of incidents the reports were put in."""
        return self._c.n_incidents

    @property
    def n_pairs(self) -> int:
        """Number of scored candidate pairs."""
        return self._c.n_pairs

    def __repr__(self) -> str:
        return (f"<toll.Links: {len(self)} reports in {self.n_incidents} "
                f"incidents, {self.n_pairs} candidate pairs>")

    def assignments(self) -> "Table":
        """One row per report in load order: report ("FILE:LINE"), id,
        source, incident (the assigned key: the report's own key, else
        the first key of its incident, else "auto:FILE:LINE"),
        match_probability (the weakest merged pair holding the report in
        its incident; missing for a report linked to nothing) and status
        ("linked", "single" or "review": a pair between the thresholds
        was not merged)."""
        return Table(self._c.assignments())

    def pairs(self, which: str = "all") -> "Table":
        """The scored candidate pairs, strongest first: report_a, report_b,
        id_a, id_b, source_a, source_b, then for each comparison (date,
        distance, place, region, actors, figures, source) its level and
        its weight (``date``, ``date_weight``, ...), prior_weight, weight
        (the total), match_probability and decision ("merged", "review",
        "below", "same source", "incompatible").

        which: "all" (default), "review" (pairs between ``lower`` and
        ``upper`` that were not merged) or "merged"."""
        return Table(self._c.pairs(which=which))

    @property
    def model(self) -> Dict[str, Any]:
        """The model the pairs were scored with, as a dict in the shape of
        the JSON model file: ``{"toll_link_model": 1, "prior": p,
        "comparisons": {"date": {"0": {"m": .., "u": ..}, ...}, ...}}``.
        Give it (or this Links) to ``Reports.link(model=...)`` to use it
        as is."""
        return _json.loads(self._c.model_json())

    def save_model(self, path: PathLike) -> None:
        """Write :attr:`model` as JSON to ``path`` (read it back with
        ``Reports.link(model=path)`` or ``toll link --link-model``)."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self._c.model_json())

    def to_pandas(self, categorical: bool = False) -> Any:
        """:meth:`assignments` as a DataFrame."""
        return self.assignments().to_pandas(categorical=categorical)

    def _repr_html_(self) -> str:
        counts: Dict[str, int] = {}
        for status in self.assignments()["status"]:
            counts[status] = counts.get(status, 0) + 1
        rows = "".join(
            f"<tr><td>{_html.escape(k)}</td><td>{v}</td></tr>"
            for k, v in sorted(counts.items()))
        return (f"<p><b>toll.Links</b>: {len(self)} reports in "
                f"{self.n_incidents} incidents, {self.n_pairs} candidate "
                f"pairs (prior {self.model.get('prior', float('nan')):.4g})"
                f"</p><table><tr><th>status</th><th>reports</th></tr>"
                f"{rows}</table>")


# --------------------------------------------------------------------------
# Table

class Table:
    """An immutable result table (summary or incident listing) with typed
    columns, rendered by the C library.

    In Jupyter a Table displays as HTML.  ``str(table)`` is the aligned
    text rendering; :meth:`to_pandas`, :meth:`to_csv`, :meth:`to_markdown`
    and :meth:`plot` convert it.  Safe to read from several threads."""

    def __init__(self, core: "_core.Table") -> None:
        self._c = core

    # -- shape ---------------------------------------------------------
    def __len__(self) -> int:
        return len(self._c)

    @property
    def nrows(self) -> int:
        """Number of rows (without any totals row)."""
        return self._c.nrows

    @property
    def ncols(self) -> int:
        """Number of columns."""
        return self._c.ncols

    @property
    def columns(self) -> List[str]:
        """Column names (group keys first, then measures)."""
        return self._c.columns

    @property
    def column_types(self) -> List[str]:
        """'string', 'int64' or 'double' per column."""
        return self._c.column_types

    @property
    def column_kinds(self) -> List[str]:
        """What each column's values mean beyond their type: 'date' (a
        string column of days), 'count' (whole counts; a double count
        column has NaN for missing), 'flag' (0/1) or 'plain'."""
        return self._c.column_kinds

    @property
    def nkeys(self) -> int:
        """Number of leading group-key columns (0 for incident listings)."""
        return self._c.nkeys

    @property
    def additive(self) -> bool:
        """False when rows must not be added up (attribution "each")."""
        return self._c.additive

    @property
    def warnings(self) -> List[Dict[str, Any]]:
        """Warnings of the call that made the table (dicts like
        :attr:`Reports.rejects`)."""
        return self._c.warnings

    @property
    def caption(self) -> str:
        """Short description ("killed; attribution joint ...")."""
        return self._c.caption

    # -- data ----------------------------------------------------------
    def column(self, key: Union[str, int]) -> List[Any]:
        """One column as a list; missing values are None."""
        col = self._c.column(key)
        if isinstance(col, tuple):
            codes, dictionary = col
            return [None if c == _NULL_CODE else dictionary[c]
                    for c in codes.tolist()]
        values = col.tolist()
        if col.format == "d":
            return [None if v != v else v for v in values]
        return values

    def __getitem__(self, key: Union[str, int]) -> List[Any]:
        return self.column(key)

    def column_buffer(self, key: Union[str, int]) -> Any:
        """Raw column data without copying: a read-only memoryview ('q'
        int64 / 'd' double, NaN = missing) or, for strings, (codes
        memoryview of uint32 with 0xFFFFFFFF = missing, dictionary)."""
        return self._c.column(key)

    def to_dict(self) -> Dict[str, List[Any]]:
        """{column name: list of values}."""
        return {name: self.column(j) for j, name in enumerate(self.columns)}

    def rows(self) -> List[Dict[str, Any]]:
        """The rows as dicts."""
        cols = self.to_dict()
        names = list(cols)
        return [dict(zip(names, vals)) for vals in zip(*cols.values())]

    def to_pandas(self, categorical: bool = False) -> Any:
        """The table as a DataFrame with the column names of the CSV
        output.  Built from the C column buffers (numpy.frombuffer), with
        no per-value Python loop.  String columns are object columns (None
        for missing) or, with ``categorical=True``, pandas Categoricals;
        date columns are datetime64 (NaT for missing), counts nullable
        Int64 (<NA> for missing), flags bool, other numbers int64 or
        float64 (NaN for missing); :attr:`column_kinds` tells which."""
        pd, np = _need_pandas("table.to_pandas()")
        data: Dict[str, Any] = {}
        for j, (name, kind, what) in enumerate(zip(
                self.columns, self.column_types, self.column_kinds)):
            col = self._c.column(j)
            if kind == "string":
                codes_mv, dictionary = col
                codes = np.frombuffer(codes_mv, dtype=np.uint32)
                missing = codes == _NULL_CODE
                if what == "date":
                    lookup = np.empty(len(dictionary) + 1,
                                      dtype="datetime64[D]")
                    lookup[:len(dictionary)] = np.array(
                        dictionary, dtype="datetime64[D]")
                    lookup[len(dictionary)] = np.datetime64("NaT")
                    idx = np.where(missing, len(dictionary),
                                   codes.astype(np.int64))
                    data[name] = lookup[idx].astype("datetime64[s]")
                elif categorical:
                    icodes = codes.astype(np.int64)
                    icodes[missing] = -1
                    data[name] = pd.Categorical.from_codes(
                        icodes, categories=pd.Index(dictionary, dtype=object))
                else:
                    lookup = np.empty(len(dictionary) + 1, dtype=object)
                    lookup[:len(dictionary)] = dictionary
                    lookup[len(dictionary)] = None
                    idx = np.where(missing, len(dictionary),
                                   codes.astype(np.int64))
                    data[name] = lookup[idx]
            elif kind == "int64":
                values = np.array(np.frombuffer(col, dtype=np.int64))
                if what == "flag":
                    data[name] = values != 0
                elif what == "count":
                    data[name] = pd.array(values, dtype="Int64")
                else:
                    data[name] = values
            else:
                values = np.array(np.frombuffer(col, dtype=np.float64))
                if what == "count":
                    missing = ~np.isfinite(values)
                    data[name] = pd.arrays.IntegerArray(
                        np.where(missing, 0, values).astype(np.int64),
                        missing)
                else:
                    data[name] = values
        df = pd.DataFrame(data, columns=self.columns)
        df.attrs["caption"] = self.caption
        df.attrs["additive"] = self.additive
        return df

    # -- Arrow ---------------------------------------------------------
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        """The table as an Arrow C stream: a PyCapsule (the Arrow
        PyCapsule interface), so ``pa.table(t)``, ``pl.DataFrame(t)`` and
        ``duckdb.sql("select * from t")`` read it, the int64 and float64
        columns without copying.  Strings are dictionary arrays, dates
        date32, counts int64 with nulls, flags booleans (docs/arrow.md).
        The stream keeps the table's data alive; ``requested_schema`` is
        accepted and not applied."""
        return self._c.__arrow_c_stream__(requested_schema)

    def to_arrow(self) -> Any:
        """The table as a pyarrow.Table (needs pyarrow)."""
        pa = _need_pyarrow("table.to_arrow()")
        return pa.table(self)

    def to_polars(self) -> Any:
        """The table as a polars.DataFrame (needs polars)."""
        pl = _need_polars("table.to_polars()")
        return pl.DataFrame(self)

    # -- merging -------------------------------------------------------
    def merge(self, other: "Table") -> "Table":
        """The summary of the union of two summaries of disjoint sets of
        incidents, as one summary of all of them would give it.

        Rows with the same keys are added column by column, a row whose
        keys only one table has is carried over, and the rows come in
        the order :meth:`Incidents.summarize` gives.  Both tables must be
        summaries with the same keys, columns and options (the caption);
        otherwise, and for a summary with the quantile columns of an
        interval (they do not add up), :class:`OptionError` names what
        differs.  toll cannot tell whether an incident was counted in
        both: partition the reports by incident (docs/scaling.md)::

            parts = [toll.Reports.from_pandas(df).reconcile().summarize(
                         by="actor,period:year") for df in partitions]
            total = functools.reduce(toll.Table.merge, parts)

        Neither table is changed; returns a new Table.  With attribution
        "split" or span "prorate" the fractional sums may differ from a
        single summary in the last bits of a double (another order of
        addition)."""
        if not isinstance(other, Table):
            raise TypeError(f"merge() needs a toll.Table, not "
                            f"{type(other).__name__}")
        return Table(self._c.merge(other._c))

    # -- rendering -----------------------------------------------------
    def render(self, format: str = "text", totals: bool = False) -> str:
        """Render with the C renderer: "csv", "json", "markdown" or "text"."""
        return self._c.render(format, totals)

    def to_csv(self, path: Optional[PathLike] = None,
               totals: bool = False) -> Optional[str]:
        """CSV (the CLI's format).  Returns the text, or writes it to
        ``path`` and returns None."""
        text = self._c.render("csv", totals)
        if path is None:
            return text
        with open(_os.fspath(path), "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return None

    def to_json(self, totals: bool = False) -> str:
        """JSON: an array of row objects."""
        return self._c.render("json", totals)

    def to_markdown(self) -> str:
        """Markdown, ranges as "1,098–1,450", with a totals row."""
        return self._c.render("markdown", False)

    def to_text(self) -> str:
        """Aligned text, as the CLI prints it."""
        return self._c.render("text", False)

    #: rows ``str(table)`` shows before it cuts to its first and last
    #: halves (as pandas does); ``to_text()`` always shows every row.
    max_rows = 60

    def __str__(self) -> str:
        return self._text(self.max_rows)

    def _text(self, max_rows: int) -> str:
        """to_text(), cut to its first and last max_rows // 2 rows with a
        "..." line between and "[N rows x M columns]" below when longer."""
        text = self.to_text()
        n = self.nrows
        if max_rows is None or n <= max_rows:
            return text
        lines = text.rstrip("\n").split("\n")
        # the rows start after the rule under the header
        rule = next((i for i, line in enumerate(lines)
                     if line and set(line) <= {"-", " "}), None)
        if rule is None or len(lines) < rule + 1 + n:
            return text
        half = max(1, max_rows // 2)
        rows = lines[rule + 1:rule + 1 + n]
        out = (lines[:rule + 1] + rows[:half] + ["..."] + rows[-half:]
               + lines[rule + 1 + n:]
               + ["", f"[{n} rows x {self.ncols} columns]"])
        return "\n".join(out) + "\n"

    def __repr__(self) -> str:
        cap = f": {self.caption}" if self.caption else ""
        return (f"<toll.Table {self.nrows} rows x {self.ncols} "
                f"columns{cap}>")

    def _repr_html_(self, max_rows: int = 60) -> str:
        """HTML for Jupyter (strings escaped)."""
        esc = _html.escape
        names = self.columns
        types = self.column_types
        n = self.nrows
        shown = list(range(n)) if n <= max_rows else (
            list(range(max_rows // 2)) + list(range(n - max_rows // 2, n)))
        # the cells of the rows shown, as the C text renderer writes them
        cols = [dict(zip(shown, self._c.cells(j, shown)))
                for j in range(len(names))]
        out = ['<table class="toll-table">']
        if self.caption:
            out.append(f"<caption>{esc(self.caption)}</caption>")
        out.append("<thead><tr>")
        out.extend(f"<th>{esc(name)}</th>" for name in names)
        out.append("</tr></thead><tbody>")
        prev = -1
        for i in shown:
            if i != prev + 1:
                out.append(f'<tr><td colspan="{len(names)}">… '
                           f"{i - prev - 1} more rows …</td></tr>")
            prev = i
            out.append("<tr>")
            for c, ty in zip(cols, types):
                align = ' style="text-align:right"' if ty != "string" else ""
                out.append(f"<td{align}>{esc(c[i])}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
        notes = [f"{n} rows"]
        if not self.additive:
            notes.append("rows are not additive (attribution 'each' counts "
                         "an incident once per actor)")
        out.append(f"<p><small>{esc('; '.join(notes))}</small></p>")
        return "".join(out)

    # -- plotting ------------------------------------------------------
    def plot(self, ax: Any = None, x: Optional[str] = None,
             title: Optional[str] = None, top: Optional[int] = 8,
             facet: Optional[str] = None, other: bool = True,
             band: Any = None) -> Any:
        """Plot the best estimate per group with a band, with matplotlib.

        x:     the key column on the x axis (default "period" when
               present, else the first key).  Period labels ("2016-03",
               "2016-Q1", "2016-W05", "2016", days) become a real time
               axis: a period without a row is drawn as 0, and rows
               without a date are left out (the title says how many
               casualties).  Any other x is drawn as categories, each
               group's low..high as a bar.
        top:   keep the ``top`` groups (the other key columns) by total
               best (default 8; None keeps all); the rest are summed
               into a series "other" (``other=False`` drops them; a
               table that is not additive never sums them).
        facet: a key column: one small panel per value of it (returns
               the list of Axes; ``ax`` must be None).
        band:  None (default): the widest interval quantile pair (q025
               and q975) when the summary has quantile columns, else
               low..high; "range", "quantiles", or False for no band.
               The band of "other" is the sum of its members' bands.
        ▲ marks a period with open-ended ranges at its high.  Colours
        come from tab10 / tab20 and never repeat.  Returns the
        matplotlib Axes (a list with ``facet``)."""
        from . import _plot
        return _plot.plot_table(self, ax=ax, x=x, title=title, top=top,
                                facet=facet, other=other, band=band)
