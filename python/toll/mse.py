"""toll.mse: multiple systems estimation (capture-recapture).

Several lists (sources) each record part of one population (deaths,
victims, incidents).  The pattern of overlaps between them estimates how
many were recorded by none.  ::

    import toll.mse
    d = toll.mse.Data.from_patterns({"110": 30, "101": 12, "011": 8,
                                     "100": 40, "010": 35, "001": 20,
                                     "111": 5}, lists=["A", "B", "C"])
    d.loglinear()                   # independence: Estimate(n_hat=..., ...)
    d.loglinear(model="A*B")        # with the A x B interaction
    r = d.search(criterion="aic")   # every two-way model, best first
    r.to_pandas(); r.average        # ... and the AIC-weighted average
    r.skipped_models                # [(model, reason)]: e.g. no estimate
    d.estimate_exists("A*B + A*C + B*C")   # (True, "") or (False, why)
    d.leave_one_out()               # N-hat with each list dropped in turn
    d.chapman("A", "B"); d.chao()   # two-list and nonparametric estimators
    p = d.lcmcr(seed=1)             # latent-class Bayesian (LCMCR) posterior
    p.median, p.interval, p.rhat    # ... p.draws, p.plot()
    b = d.bootstrap(B=1000, seed=1) # the search re-run in every resample
    b.interval, b.selection         # ... b.draws, b.selection_frame(), b.plot()

    f = toll.mse.Data.from_frequencies([25, 22, 13, 5, 1, 2], occasions=6)
    f.closedp()                     # M0, Mh Chao, Poisson2, Darroch, Gamma3.5
    f.darroch()                     # one of them: an Estimate

Data come from patterns and counts, from records with 0/1 list columns
(:meth:`Data.from_records`, :func:`read`) or from reconciled incidents,
whose non-self sources are their capture history
(:meth:`Data.from_incidents`), or from records and scored links between
them at one or several match thresholds (:meth:`Data.from_links`, giving a
:class:`Sensitivity`: N-hat at each threshold).  Every estimator works
in one stratum or, by default, in every stratum separately with the
estimates summed.

The work is done by the C library (``toll/mse.h``) without the GIL.  A
model that cannot be fitted raises :class:`toll.ModelError` (also a
ValueError); bad arguments raise :class:`toll.OptionError`.  Formulas,
choices and references: docs/mse.md.

Every value is read by the C library, by the reader of ``toll mse FILE``:
:meth:`Data.from_patterns` and :meth:`Data.from_records` write their input
as the CSV that command reads (``<patterns>`` / ``<records>`` in messages,
line 1 being the header) and load it, so a count of 1.5 or 2.0, a flag of
"maybe" or 1.0, a pattern "1x" and a repeated pattern are refused exactly
as in a file, with the same message.
"""
import array
import csv
import html as _html
import io
import math
import os
from dataclasses import asdict, dataclass
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional,
                    Sequence, Tuple, Union)

from . import _core
from ._core import ModelError, OptionError

__all__ = ["Data", "Estimate", "Results", "Lcmcr", "Bootstrap",
           "Frequencies", "FrequencyResults", "Sensitivity", "read",
           "ModelError"]


def __dir__() -> List[str]:
    """dir(toll.mse): the API only (PEP 562)."""
    return sorted(__all__)

PathLike = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]
_Stratum = Union[str, int, None]


def _opt(v: Any) -> Optional[float]:
    """NaN (not applicable) as None."""
    if v is None:
        return None
    return None if isinstance(v, float) and math.isnan(v) else v


@dataclass(frozen=True)
class Estimate:
    """One estimate of the population size.

    n_hat, se:        the estimate and its standard error
    lower, upper:     the interval at the requested level (upper may be
                      ``inf`` when the likelihood does not bound it)
    deviance, df, aic, bic: fit statistics of log-linear models (None for
                      the two-list and Chao estimators)
    model:            "A + B + C + A*B" (log-linear), "A,B" (two lists),
                      "all lists" (Chao) or "model average"
    warnings:         the estimate's warnings as text (empty when none)
    method:           "loglinear", "lincoln-petersen", "chapman", "chao"
                      or "model-average"
    observed:         individuals on at least one list
    interval:         "profile" or "log-normal"
    stratum:          the stratum's name, or None for all strata summed
    weight, delta:    in a search: Akaike (or BIC) weight and the
                      criterion's distance from the best model
    """
    n_hat: float
    se: float
    lower: float
    upper: float
    deviance: Optional[float]
    df: Optional[int]
    aic: Optional[float]
    bic: Optional[float]
    model: str
    warnings: Tuple[str, ...]
    method: str = "loglinear"
    observed: float = 0.0
    interval: str = ""
    stratum: Optional[str] = None
    weight: Optional[float] = None
    delta: Optional[float] = None
    n_profile: Optional[float] = None
    loglik: Optional[float] = None
    npar: Optional[int] = None
    warning_flags: int = 0

    @classmethod
    def _from_core(cls, d: Mapping[str, Any], ranked: bool = False
                   ) -> "Estimate":
        w = d["warning"]
        return cls(
            n_hat=d["n_hat"], se=d["se"], lower=d["lower"],
            upper=d["upper"], deviance=_opt(d["deviance"]), df=d["df"],
            aic=_opt(d["aic"]), bic=_opt(d["bic"]), model=d["model"],
            warnings=tuple(x for x in w.split("; ") if x) if w else (),
            method=d["method"], observed=d["observed"],
            interval=d["interval"], stratum=d["stratum"],
            weight=d["weight"] if ranked else None,
            delta=(None if d["method"] == "model-average" else d["delta"])
            if ranked else None,
            n_profile=d["n_profile"], loglik=_opt(d["loglik"]),
            npar=d["npar"], warning_flags=d["warning_flags"])

    def to_dict(self) -> Dict[str, Any]:
        """The fields as a dict."""
        return asdict(self)

    def _repr_html_(self) -> str:
        """The estimate as a one-row HTML table (Jupyter)."""
        return _html_table([self], "toll.mse.Estimate")

    def __str__(self) -> str:
        up = "inf" if math.isinf(self.upper) else f"{self.upper:,.0f}"
        s = (f"{self.model}: N-hat {self.n_hat:,.1f} (se {self.se:,.1f}), "
             f"interval {self.lower:,.0f} to {up}")
        if self.interval:
            s += f" ({self.interval})"
        return s


# the columns of the HTML views of estimates (Jupyter)
_HTML_COLUMNS = ["model", "method", "stratum", "observed", "n_hat", "se",
                 "lower", "upper", "interval", "aic", "weight", "warnings"]


def _html_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isinf(v):
            return "inf"
        if math.isnan(v):
            return ""
        return f"{v:,.0f}" if v == int(v) and abs(v) >= 100 else f"{v:,.2f}"
    if isinstance(v, (tuple, list)):
        return _html.escape("; ".join(str(x) for x in v))
    return _html.escape(str(v))


def _html_table(estimates: Iterable["Estimate"], caption: str) -> str:
    """Estimates as an HTML table, the columns of _HTML_COLUMNS that any
    of them fills."""
    rows = [e.to_dict() for e in estimates]
    cols = [c for c in _HTML_COLUMNS
            if any(r.get(c) not in (None, "", ()) for r in rows)]
    head = "".join(f"<th>{c}</th>" for c in cols)
    body = "".join("<tr>" + "".join(
        f'<td{"" if c in ("model", "method", "stratum", "interval", "warnings") else " style=text-align:right"}>'
        f"{_html_cell(r.get(c))}</td>" for c in cols) + "</tr>"
        for r in rows)
    return (f'<table class="toll-mse"><caption>{_html.escape(caption)}'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}"
            "</tbody></table>")


_COLUMNS = ["model", "method", "stratum", "observed", "n_hat", "se",
            "lower", "upper", "interval", "deviance", "df", "aic", "bic",
            "weight", "delta", "warnings"]


def _rows(estimates: Iterable[Estimate], ranked: bool) -> List[Dict[str, Any]]:
    out = []
    for e in estimates:
        row = {k: getattr(e, k) for k in _COLUMNS if k != "warnings"}
        row["warnings"] = "; ".join(e.warnings)
        if not ranked:
            row.pop("weight")
            row.pop("delta")
        out.append(row)
    return out


def _frame(rows: List[Dict[str, Any]]) -> Any:
    try:
        import pandas as pd
    except ImportError as exc:  # pragma: no cover - depends on install
        raise ImportError("to_pandas() needs pandas: pip install pandas"
                          ) from exc
    df = pd.DataFrame(rows)
    if "stratum" in df and df["stratum"].isna().all():
        df = df.drop(columns="stratum")
    return df


class Results(Sequence[Estimate]):
    """The models of a search, best first (a sequence of
    :class:`Estimate`), with the weighted model average in
    :attr:`average`.  :attr:`skipped` counts the models left out and
    :attr:`skipped_models` lists them as ``(model, reason)`` pairs: those
    whose estimate does not exist (zero cells put the maximum-likelihood
    estimate at infinity), or that could not be fitted; they are neither
    ranked nor averaged.  :attr:`skip_message` is the first reason."""

    def __init__(self, models: List[Estimate], average: Estimate,
                 criterion: str, skipped: List[Tuple[str, str]],
                 skip_message: str) -> None:
        self._models = models
        self.average = average
        self.criterion = criterion
        self.skipped = len(skipped)
        self.skipped_models = skipped
        self.skip_message = skip_message

    def __len__(self) -> int:
        return len(self._models)

    def __getitem__(self, i: Any) -> Any:
        return self._models[i]

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self._models)

    @property
    def best(self) -> Estimate:
        """The model ranked first."""
        return self._models[0]

    def rows(self, average: bool = True) -> List[Dict[str, Any]]:
        """One dict per model (and the average last)."""
        items = list(self._models) + ([self.average] if average else [])
        return _rows(items, True)

    def to_pandas(self, average: bool = True) -> Any:
        """A DataFrame: model, method, observed, n_hat, se, lower, upper,
        interval, deviance, df, aic, bic, weight, delta, warnings; one row
        per model, best first, and the model average last."""
        return _frame(self.rows(average))

    def _repr_html_(self) -> str:
        """The models, best first, and the model average last, as an HTML
        table (Jupyter)."""
        cap = f"toll.mse.Results: {len(self)} models by " \
            f"{self.criterion.upper()}, best first; model average last"
        if self.skipped:
            cap += f" ({self.skipped} skipped: {self.skip_message})"
        return _html_table(list(self._models) + [self.average], cap)

    def __repr__(self) -> str:
        return (f"<toll.mse.Results: {len(self)} models by "
                f"{self.criterion.upper()}, best {self.best.model!r} "
                f"N-hat {self.best.n_hat:,.1f}; average "
                f"{self.average.n_hat:,.1f}>")


def _draws_array(raw: bytes, chains: int) -> Any:
    """Draws (native doubles, chain after chain) as a chains x samples
    numpy array, or a list of lists of float without numpy."""
    try:
        import numpy as np
    except ImportError:
        flat = array.array("d")
        flat.frombytes(raw)
        n = len(flat) // chains if chains else 0
        return [list(flat[c * n:(c + 1) * n]) for c in range(chains)]
    return np.frombuffer(raw, dtype=np.float64).reshape(chains, -1).copy()


class Lcmcr:
    """The posterior of the population size N from :meth:`Data.lcmcr`
    (latent-class Bayesian MSE, Manrique-Vallier 2016).

    ``draws``: the draws of N, one row per chain (a numpy array, or lists
    without numpy); ``summary``: median, mean, credible interval,
    effective sample size, split-R-hat and warnings as a dict;
    ``median``, ``mean``, ``interval``, ``ess``, ``rhat``, ``warnings``.
    With several strata these describe the total (the sum of the strata,
    draw by draw); ``strata`` holds one :class:`Lcmcr` per stratum.
    """

    def __init__(self, summary: Dict[str, Any], draws: Any,
                 options: Dict[str, Any],
                 strata: Optional[Dict[str, "Lcmcr"]] = None) -> None:
        self.summary = summary
        self.draws = draws
        self.options = options
        self.strata: Dict[str, "Lcmcr"] = strata or {}

    @classmethod
    def _from_core(cls, parts: List[Tuple[Dict[str, Any], bytes]],
                   options: Dict[str, Any]) -> "Lcmcr":
        chains = options["chains"]
        objs = [cls(dict(s), _draws_array(raw, chains), options)
                for s, raw in parts]
        if len(objs) == 1:
            return objs[0]
        total = objs[-1]
        total.strata = {o.summary["stratum"]: o for o in objs[:-1]}
        return total

    @property
    def median(self) -> float:
        return self.summary["median"]

    @property
    def mean(self) -> float:
        return self.summary["mean"]

    @property
    def interval(self) -> Tuple[float, float]:
        """The equal-tailed credible interval at ``level`` (0.95)."""
        return (self.summary["lower"], self.summary["upper"])

    @property
    def ess(self) -> float:
        return self.summary["ess"]

    @property
    def rhat(self) -> float:
        return self.summary["rhat"]

    @property
    def warnings(self) -> List[str]:
        w = self.summary["warning"]
        return [x for x in w.split("; ") if x] if w else []

    def rows(self) -> List[Dict[str, Any]]:
        """One row per stratum, then the total (one row without strata)."""
        return [dict(o.summary) for o in self.strata.values()] + \
            [dict(self.summary)]

    def to_pandas(self) -> Any:
        return _frame(self.rows())

    def plot(self, ax: Any = None) -> Any:
        """The trace of every chain and the histogram of the pooled draws,
        with the median and the credible interval; returns the two axes.
        Needs matplotlib."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError("Lcmcr.plot needs matplotlib: "
                              "pip install matplotlib") from exc
        if ax is None:
            _, ax = plt.subplots(1, 2, figsize=(10, 3.5),
                                 gridspec_kw={"width_ratios": [2, 1]})
        trace, hist = ax
        pooled: List[float] = []
        for c, chain in enumerate(self.draws):
            chain = list(chain)
            pooled += chain
            trace.plot(chain, lw=0.6, label=f"chain {c + 1}")
        trace.set_xlabel("draw")
        trace.set_ylabel("N")
        trace.set_title(f"trace (split-R-hat {self.rhat:.3f}, "
                        f"ESS {self.ess:.0f})")
        hist.hist(pooled, bins=40, color="0.6")
        lo, hi = self.interval
        for x, style in ((self.median, "-"), (lo, "--"), (hi, "--")):
            hist.axvline(x, color="k", ls=style, lw=1)
        hist.set_xlabel("N")
        hist.set_title(f"posterior: median {self.median:,.0f}")
        return ax

    def __repr__(self) -> str:
        lo, hi = self.interval
        return (f"<toll.mse.Lcmcr: N median {self.median:.0f}, mean "
                f"{self.mean:.0f}, {100 * self.summary['level']:g}% interval "
                f"[{lo:.0f}, {hi:.0f}], ESS {self.ess:.0f}, "
                f"R-hat {self.rhat:.3f}>")

    def _repr_html_(self) -> str:
        cols = ["stratum", "observed", "median", "mean", "lower", "upper",
                "ess", "rhat", "warning"]

        def cell(v: Any) -> str:
            if v is None:
                return "total" if len(self.strata) else ""
            if isinstance(v, float):
                return f"{v:,.2f}" if v != int(v) else f"{v:,.0f}"
            return _html.escape(str(v))

        head = "".join(f"<th>{c}</th>" for c in cols)
        body = "".join(
            "<tr>" + "".join(f"<td>{cell(r[c])}</td>" for c in cols)
            + "</tr>" for r in self.rows())
        o = self.options
        return (f"<p><b>toll.mse.Lcmcr</b>: K* = {o['kstar']}, "
                f"{o['chains']} chains of {o['samples']} draws (burn-in "
                f"{o['burnin']}, thinning {o['thin']}, seed {o['seed']})"
                f"</p><table><tr>{head}</tr>{body}</table>")


def _draws_vector(raw: bytes) -> Any:
    """Draws (native doubles) as a numpy array, or a list of float without
    numpy."""
    try:
        import numpy as np
    except ImportError:
        flat = array.array("d")
        flat.frombytes(raw)
        return list(flat)
    return np.frombuffer(raw, dtype=np.float64).copy()


class Bootstrap:
    """Bootstrap intervals from :meth:`Data.bootstrap`: the data resampled
    ``B`` times and the model search re-run in every resample, so that the
    interval includes the choice of the model.

    ``n_hat``: the selected model's estimate on the data; ``interval``:
    the percentile interval of the selected models' N-hat over the
    resamples; ``average`` and ``average_interval``: the same for the
    model average; ``draws`` and ``average_draws``: one value per resample
    that could be fitted (numpy arrays, or lists without numpy);
    ``selection``: model name -> how many resamples selected it;
    ``failed``: resamples in which no model could be fitted
    (``fail_message`` tells why); ``estimate``: the selected model's fit on
    the data (:class:`Estimate`, with its profile interval).
    """

    def __init__(self, summary: Dict[str, Any], draws: Any,
                 average_draws: Any, selection: List[Tuple[str, int, float]],
                 fail_message: str, estimate: Estimate) -> None:
        self.summary = summary
        self.draws = draws
        self.average_draws = average_draws
        self._selection = selection
        self.fail_message = fail_message
        self.estimate = estimate

    @property
    def n_hat(self) -> float:
        return self.summary["n_hat"]

    @property
    def interval(self) -> Tuple[float, float]:
        """Percentile interval of the selected models' N-hat at ``level``."""
        return (self.summary["lower"], self.summary["upper"])

    @property
    def average(self) -> float:
        return self.summary["avg_n_hat"]

    @property
    def average_interval(self) -> Tuple[float, float]:
        """Percentile interval of the model average's N-hat."""
        return (self.summary["avg_lower"], self.summary["avg_upper"])

    @property
    def model(self) -> str:
        """The model selected on the data."""
        return self.summary["model"]

    @property
    def method(self) -> str:
        return self.summary["method"]

    @property
    def replicates(self) -> int:
        return self.summary["replicates"]

    @property
    def failed(self) -> int:
        return self.summary["failed"]

    @property
    def selection(self) -> Dict[str, int]:
        """Model name -> resamples that selected it, most often first."""
        return {m: c for m, c, _ in self._selection}

    def selection_rows(self) -> List[Dict[str, Any]]:
        return [{"model": m, "selected": c, "share": f}
                for m, c, f in self._selection]

    def selection_frame(self) -> Any:
        """The selection frequencies as a pandas DataFrame (model,
        selected, share)."""
        return _frame(self.selection_rows())

    def rows(self) -> List[Dict[str, Any]]:
        """The two intervals: selected model, model average."""
        s = self.summary
        base = {"method": s["method"], "observed": s["observed"],
                "level": s["level"], "replicates": s["replicates"],
                "failed": s["failed"]}
        return [dict(estimate="selected model", model=s["model"],
                     n_hat=s["n_hat"], median=s["median"],
                     lower=s["lower"], upper=s["upper"], **base),
                dict(estimate="model average",
                     model=f"{s['criterion'].upper()}-weighted average",
                     n_hat=s["avg_n_hat"], median=s["avg_median"],
                     lower=s["avg_lower"], upper=s["avg_upper"], **base)]

    def to_pandas(self) -> Any:
        return _frame(self.rows())

    def plot(self, ax: Any = None, average: bool = False) -> Any:
        """Histogram of the draws (of the model average with ``average``)
        with the estimate and the percentile interval; returns the axes.
        Needs matplotlib."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as exc:
            raise ImportError("Bootstrap.plot needs matplotlib: "
                              "pip install matplotlib") from exc
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        draws = self.average_draws if average else self.draws
        ax.hist(list(draws), bins=40, color="0.6")
        est = self.average if average else self.n_hat
        lo, hi = self.average_interval if average else self.interval
        for x, style in ((est, "-"), (lo, "--"), (hi, "--")):
            ax.axvline(x, color="k", ls=style, lw=1)
        ax.set_xlabel("N")
        what = "model average" if average else "selected model"
        ax.set_title(f"bootstrap ({self.method}, B = {self.replicates}): "
                     f"{what} {est:,.0f}, {100 * self.summary['level']:g}% "
                     f"[{lo:,.0f}, {hi:,.0f}]")
        return ax

    def __repr__(self) -> str:
        lo, hi = self.interval
        alo, ahi = self.average_interval
        return (f"<toll.mse.Bootstrap: {self.method}, B = "
                f"{self.replicates} ({self.failed} failed); selected "
                f"N-hat {self.n_hat:.0f} [{lo:.0f}, {hi:.0f}], average "
                f"{self.average:.0f} [{alo:.0f}, {ahi:.0f}]>")

    def _repr_html_(self) -> str:
        def cell(v: Any) -> str:
            if isinstance(v, float):
                return f"{v:,.2f}" if v != int(v) else f"{v:,.0f}"
            return _html.escape(str(v))

        def table(rows: List[Dict[str, Any]], cols: List[str]) -> str:
            head = "".join(f"<th>{c}</th>" for c in cols)
            body = "".join("<tr>" + "".join(f"<td>{cell(r[c])}</td>"
                                            for c in cols) + "</tr>"
                           for r in rows)
            return f"<table><tr>{head}</tr>{body}</table>"

        s = self.summary
        return (f"<p><b>toll.mse.Bootstrap</b>: {s['replicates']} "
                f"{_html.escape(s['method'])} resamples"
                f"{' with the ' + s['criterion'].upper() + ' search re-run' if s['select'] else ''}"
                f", {s['failed']} failed; {100 * s['level']:g}% percentile "
                f"intervals</p>"
                + table(self.rows(), ["estimate", "model", "n_hat", "median",
                                      "lower", "upper"])
                + "<p>models selected</p>"
                + table(self.selection_rows(), ["model", "selected",
                                                "share"]))


def _pattern(mask: int, k: int) -> str:
    return "".join("1" if (mask >> j) & 1 else "0" for j in range(k))


def _cell(value: Any) -> str:
    """A value as the text of a CSV cell, unconverted: the C reader decides
    whether it is a count, a pattern or a flag (1.5 stays "1.5")."""
    return "" if value is None else str(value)


def _csv(header: List[str], rows: Iterable[List[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _split_lists(lists: Any) -> Optional[List[str]]:
    if lists is None:
        return None
    if isinstance(lists, str):
        return [x.strip() for x in lists.split(",")]
    return [str(x) for x in lists]


# ---- capture histories from scored links --------------------------------

def _columns(obj: Any, names: List[str], what: str) -> Dict[str, List[Any]]:
    """The columns `names` of a pandas or polars DataFrame, an Arrow table
    or a sequence of mappings, as lists (values unconverted)."""
    if hasattr(obj, "column_names") and hasattr(obj, "column"):  # Arrow
        have = list(obj.column_names)
        get = lambda c: obj.column(c).to_pylist()  # noqa: E731
    elif hasattr(obj, "columns") and hasattr(obj, "__getitem__") and \
            not isinstance(obj, (list, tuple)):
        have = [str(c) for c in obj.columns]
        def get(c: str) -> List[Any]:
            col = obj[c]
            return col.to_list() if hasattr(col, "to_list") else col.tolist()
    else:
        rows = list(obj)
        out: Dict[str, List[Any]] = {c: [] for c in names}
        for i, rec in enumerate(rows):
            for c in names:
                if c not in rec:
                    raise OptionError(f"{what}: record {i + 1}: no field "
                                      f"{c!r}")
                out[c].append(rec[c])
        return out
    missing = [c for c in names if c not in have]
    if missing:
        raise OptionError(f"{what}: no column {missing[0]!r} "
                          f"(columns: {', '.join(have)})")
    return {c: get(c) for c in names}


def _text(v: Any) -> Optional[str]:
    """An id, list or stratum as text; None and NaN as None."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v if isinstance(v, str) else str(v)


class Sensitivity(Sequence["Data"]):
    """Capture histories at several linkage thresholds (one :class:`Data`
    per threshold, in the order given), from :meth:`Data.from_links`.

    :meth:`estimate` and :meth:`search` give N-hat at every threshold as a
    :class:`toll.Table` with one row per threshold (columns threshold,
    observed, model, method, n_hat, se, lower, upper, interval, deviance,
    df, aic, bic, warning), computed by the C library
    (``toll_mse_sensitivity_table``).  A threshold at which the model
    cannot be fitted (no overlap left) keeps its row, with empty
    estimates and the reason in ``warning``."""

    def __init__(self, thresholds: Sequence[float], data: List["Data"]
                 ) -> None:
        self.thresholds = tuple(float(t) for t in thresholds)
        self._data = data
        self.table: Any = None  # the last table computed

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, i: Any) -> Any:
        return self._data[i]

    def __iter__(self) -> Iterator["Data"]:
        return iter(self._data)

    def data(self, threshold: float) -> "Data":
        """The capture histories at `threshold` (one of :attr:`thresholds`)."""
        return self._data[self.thresholds.index(float(threshold))]

    def observed(self) -> List[int]:
        """Individuals observed at each threshold."""
        return [d.observed() for d in self._data]

    def _table(self, kind: str, model: Optional[str], criterion: str,
               level: float, profile: bool) -> Any:
        from ._api import Table
        core = _core.MseData.sensitivity(
            [d._c for d in self._data], list(self.thresholds), kind, model,
            criterion, level, profile)
        self.table = Table(core)
        return self.table

    def estimate(self, model: Optional[str] = None, level: float = 0.95,
                 profile: bool = True) -> Any:
        """The log-linear ``model`` ("A*B + C*D"; None: independence) at
        every threshold, all strata summed: a :class:`toll.Table`."""
        return self._table("model", model, "aic", level, profile)

    def search(self, criterion: str = "aic", average: bool = True,
               level: float = 0.95, profile: bool = True) -> Any:
        """The model search at every threshold: its ``criterion``-weighted
        model average (``average=False``: its best model), a
        :class:`toll.Table`."""
        return self._table("average" if average else "best", None,
                           criterion, level, profile)

    def to_pandas(self) -> Any:
        """The last table computed (by default the independence model's)
        as a DataFrame."""
        t = self.estimate() if self.table is None else self.table
        return t.to_pandas()

    def plot(self, ax: Any = None) -> Any:
        """N-hat and its interval against the threshold, with the observed
        count (matplotlib); returns the axes."""
        import matplotlib.pyplot as plt
        df = self.to_pandas()
        if ax is None:
            _, ax = plt.subplots()
        ok = df["n_hat"].notna()
        d = df[ok]
        ax.errorbar(d["threshold"], d["n_hat"],
                    yerr=[d["n_hat"] - d["lower"],
                          (d["upper"] - d["n_hat"]).clip(upper=1e300)],
                    fmt="o-", capsize=3, label="N-hat")
        ax.plot(df["threshold"], df["observed"], "s--", label="observed")
        ax.set_xlabel("linkage threshold")
        ax.set_ylabel("individuals")
        ax.legend()
        return ax

    def _repr_html_(self) -> str:
        t = self.estimate() if self.table is None else self.table
        return t._repr_html_()

    def __repr__(self) -> str:
        obs = ", ".join(f"{t:g}: {n:,}" for t, n in
                        zip(self.thresholds, self.observed()))
        return f"<toll.mse.Sensitivity: observed by threshold {obs}>"


class Data:
    """Capture histories over 2 to 8 named lists, by stratum.

    Build with :meth:`from_patterns`, :meth:`from_records`,
    :meth:`from_incidents` or :func:`read`; then estimate with
    :meth:`loglinear`, :meth:`search`, :meth:`average`,
    :meth:`lincoln_petersen`, :meth:`chapman` or :meth:`chao`.
    """

    def __init__(self, lists: Sequence[str]) -> None:
        if isinstance(lists, str):
            lists = [x.strip() for x in lists.split(",")]
        self._c = _core.MseData(list(lists))

    @classmethod
    def _wrap(cls, core: Any) -> "Data":
        self = cls.__new__(cls)
        self._c = core
        return self

    # ---- construction ----

    @classmethod
    def from_patterns(cls, counts: Union[Mapping[str, int],
                                         Iterable[Tuple[str, int]]],
                      lists: Optional[Sequence[str]] = None,
                      stratum: Optional[str] = None) -> "Data":
        """From capture histories and their counts: ``{"110": 30, ...}``
        (or (pattern, count) pairs).  A mapping of stratum names to such
        mappings gives strata.  ``lists`` names the lists (default "A",
        "B", ... by pattern length).  Read as a ``pattern,count`` table by
        the C reader of ``toll mse FILE``: a count is a whole number
        (1.5, 2.0, True or a negative count is an error), a pattern is
        0/1 per list, and a pattern given twice in a stratum is an
        error."""
        items: List[Tuple[Any, Any, Any]] = []
        pairs = counts.items() if isinstance(counts, Mapping) else counts
        for key, value in pairs:
            if isinstance(value, Mapping):
                items += [(str(key), p, c) for p, c in value.items()]
            else:
                items.append((stratum, key, value))
        text = _csv(["stratum", "pattern", "count"],
                    ([_cell(s), _cell(p), _cell(c)] for s, p, c in items))
        core = _core.MseData()  # its lists come with the load
        core.load_buffer(text, "<patterns>", _split_lists(lists), "stratum")
        return cls._wrap(core)

    @classmethod
    def from_records(cls, records: Any, lists: Sequence[str],
                     stratum: Optional[str] = None) -> "Data":
        """From one record per individual with a 0/1 column per list (also
        True/False, "yes"/"no"): a pandas DataFrame or an iterable of
        dicts.  ``lists`` names the columns (and the lists); ``stratum``
        names a column of stratum names.  The flags are read by the C
        reader of ``toll mse FILE``: 0/1, true/false, yes/no (a float such
        as 1.0 is an error, as in a file)."""
        lists = _split_lists(lists) or []
        rows: List[List[str]] = []
        if hasattr(records, "columns") and hasattr(records, "to_numpy"):
            missing = [c for c in lists + ([stratum] if stratum else [])
                       if c not in records.columns]
            if missing:
                raise OptionError(f"from_records: no column {missing[0]!r} "
                                  f"(columns: {', '.join(map(str, records.columns))})")
            cols = [records[c].tolist() for c in lists]
            if stratum:
                cols.append([None if isinstance(v, float) and math.isnan(v)
                             else v for v in records[stratum].tolist()])
            rows = [[_cell(v) for v in row] for row in zip(*cols)]
        else:
            for i, rec in enumerate(records):
                for c in lists:
                    if c not in rec:
                        raise OptionError(f"<records>: record {i}: no field "
                                          f"{c!r}")
                row = [_cell(rec[c]) for c in lists]
                if stratum:
                    row.append(_cell(rec.get(stratum)))
                rows.append(row)
        text = _csv(lists + ([stratum] if stratum else []), rows)
        core = _core.MseData(lists)
        core.load_buffer(text, "<records>", lists, stratum or "")
        return cls._wrap(core)

    @classmethod
    def from_incidents(cls, incidents: Any,
                       lists: Optional[Sequence[str]] = None,
                       stratify_by: Optional[str] = None) -> "Data":
        """From reconciled incidents (:meth:`toll.Reports.reconcile`): each
        incident is an individual and its non-self sources are the lists it
        is on, so the estimate counts the incidents that no source
        reported.  ``lists``: source names (default: every non-self source,
        at most 8).  ``stratify_by``: "region", "region:K" or
        "period:day|week|month|quarter|year"."""
        core = getattr(incidents, "_c", incidents)
        if isinstance(lists, str):
            lists = [x.strip() for x in lists.split(",")]
        return cls._wrap(_core.MseData.from_incidents(
            core, None if lists is None else list(lists), stratify_by))

    @classmethod
    def from_frequencies(cls, freq: Any, occasions: int
                         ) -> "Frequencies":
        """Capture-frequency data: how many individuals were caught 1, 2,
        ... K times over ``occasions`` (K) occasions, for the
        heterogeneity models of :class:`Frequencies`.  ``freq`` is a
        mapping {times: count}, a sequence f_1, f_2, ... (times 1, 2,
        ...; at most K values) or a pandas DataFrame with ``times`` and
        ``count`` (or ``nbcap`` and ``freq``) columns.  Read by the C
        reader of ``toll mse FILE --capture-frequencies K`` (written as
        its ``times,count`` CSV, ``<frequencies>`` in messages, line 1
        being the header): a times outside 1..K, a times given twice, a
        count of 1.5, 2.0 or -1 and all-zero counts are refused as in a
        file."""
        return Frequencies._from(freq, occasions)

    @classmethod
    def from_links(cls, records: Any, links: Any, score: str = "score",
                   thresholds: Union[float, Sequence[float]] = (),
                   list: str = "list", id: str = "id",
                   left: str = "left", right: str = "right",
                   stratum: Optional[str] = None,
                   lists: Optional[Sequence[str]] = None,
                   keep: Any = None
                   ) -> Union["Data", "Sensitivity"]:
        """Capture histories from scored record links.

        ``records`` has one row per record: its ``id`` and the name of its
        ``list`` (and, with ``stratum``, a stratum column); ``links`` one
        row per scored pair: ``left`` and ``right`` record ids and a
        ``score``.  Both may be pandas or polars DataFrames, Arrow tables
        or sequences of mappings.  At a threshold t the links with score
        >= t join records (transitively); each connected component is an
        individual on the lists of its records (two records of one list
        in a component are a duplicate: once on that list).  A component
        takes the stratum of its first record.

        ``lists`` names the lists in order (default: the list names of the
        records in order of first appearance).  With one threshold the
        result is a :class:`Data`; with a sequence of thresholds a
        :class:`Sensitivity` (one Data per threshold).

        ``keep`` (optional) selects individuals by their records: called
        at each threshold with the individual of every record (a list of
        ints, one per record in row order; individuals are numbered 0, 1,
        ... by their first record), it returns one truth value per
        individual; the others are not counted.  For rules such as "one
        of its records is dated in the study window".

        Every value is checked by the C builder (toll_mse_linkage), whose
        errors name the record or link (1-based, in row order), the field
        (by the column names given here) and the text: an unknown list, a
        repeated or empty id, a link to an unknown id, a NaN score raise
        :class:`toll.OptionError`."""
        rec = _columns(records, [id, list] + ([stratum] if stratum else []),
                       "records")
        lnk = _columns(links, [left, right, score], "links")
        ids = [_text(v) for v in rec[id]]
        rl = [_text(v) for v in rec[list]]
        names = _split_lists(lists)
        if names is None:
            names = []
            for v in rl:
                if v is not None and v not in names:
                    names.append(v)
        strata = [_text(v) for v in rec[stratum]] if stratum else None
        single = isinstance(thresholds, (int, float))
        ts = [float(thresholds)] if single else \
            [float(t) for t in thresholds]  # type: ignore[union-attr]
        if not ts:
            raise OptionError("from_links: give at least one threshold")
        cores = _core.MseData.from_links(
            names, ids, rl, strata, [_text(v) for v in lnk[left]],
            [_text(v) for v in lnk[right]], lnk[score], ts,
            [id, list, stratum or "stratum", left, right, score], keep)
        data = [cls._wrap(c) for c in cores]
        if single:
            return data[0]
        return Sensitivity(ts, data)

    @classmethod
    def read(cls, path: PathLike, lists: Optional[Sequence[str]] = None,
             stratum_column: Optional[str] = None,
             delimiter: Optional[str] = None,
             capture_frequencies: Optional[int] = None) -> Any:
        """Read a CSV file: one row per individual with a 0/1 column per
        list (``lists`` names them), or a table of ``pattern`` and
        ``count`` columns (lists default to "A", "B", ...).  An optional
        stratum column (``stratum_column``, default "stratum").  With
        ``capture_frequencies=K`` the file is instead a table of capture
        frequencies over K occasions (``times,count`` or ``nbcap,freq``
        columns) and a :class:`Frequencies` is returned."""
        if capture_frequencies is not None:
            if lists is not None or stratum_column is not None:
                raise OptionError("read: capture_frequencies takes neither "
                                  "lists nor stratum_column")
            return Frequencies._wrap(_core.MseFreq.load_file(
                path, capture_frequencies, delimiter))
        if isinstance(lists, str):
            lists = [x.strip() for x in lists.split(",")]
        core = _core.MseData()  # its lists come with the load
        core.load_file(path, None if lists is None else list(lists),
                       stratum_column, delimiter)
        return cls._wrap(core)

    # ---- contents ----

    @property
    def lists(self) -> Tuple[str, ...]:
        """The list names."""
        return self._c.lists

    @property
    def strata(self) -> Tuple[str, ...]:
        """The stratum names ("" for the unnamed stratum)."""
        return self._c.strata

    def counts(self, stratum: _Stratum = None) -> Dict[str, int]:
        """Count of each capture history ("110": on lists 1 and 2) in a
        stratum, or in all strata (None)."""
        c = self._c.counts(stratum)
        k = len(self.lists)
        return {_pattern(m, k): c[m] for m in range(1, len(c))}

    def observed(self, stratum: _Stratum = None) -> int:
        """Individuals on at least one list."""
        return self._c.observed(stratum)

    def model_name(self, model: Optional[str]) -> str:
        """The canonical name of a model ("A*B" -> "A + B + C + A*B")."""
        return self._c.model_name(model or "")

    def __repr__(self) -> str:
        return (f"<toll.mse.Data: lists {', '.join(self.lists)}; "
                f"{len(self.strata)} "
                f"{'stratum' if len(self.strata) == 1 else 'strata'}; "
                f"{self.observed()} observed>")

    # ---- estimators ----

    def lincoln_petersen(self, a: Union[str, int, None] = None,
                         b: Union[str, int, None] = None,
                         stratum: _Stratum = None,
                         level: float = 0.95) -> Estimate:
        """Lincoln-Petersen n1 n2 / m on lists a and b (default the first
        two), with a log-normal interval."""
        return Estimate._from_core(self._c.lincoln_petersen(a, b, stratum,
                                                            level))

    def chapman(self, a: Union[str, int, None] = None,
                b: Union[str, int, None] = None, stratum: _Stratum = None,
                level: float = 0.95) -> Estimate:
        """Chapman (n1+1)(n2+1)/(m+1) - 1 with Seber's variance."""
        return Estimate._from_core(self._c.chapman(a, b, stratum, level))

    def chao(self, stratum: _Stratum = None, level: float = 0.95
             ) -> Estimate:
        """Chao's (1987) lower bound S + f1^2 / (2 f2)."""
        return Estimate._from_core(self._c.chao(stratum, level))

    def loglinear(self, model: Optional[str] = None,
                  stratum: _Stratum = None, level: float = 0.95,
                  profile: bool = True) -> Estimate:
        """A Poisson log-linear model: main effects plus the two-way
        interactions named in ``model`` ("A*B + C*D"; None: independence),
        with a profile-likelihood interval (``profile=False``:
        log-normal)."""
        return Estimate._from_core(self._c.loglinear(model, stratum, level,
                                                     profile))

    def search(self, criterion: str = "aic", stratum: _Stratum = None,
               level: float = 0.95, profile: bool = True,
               profile_delta: float = 10.0) -> Results:
        """Fit every model with two-way interactions (up to 5 lists),
        ranked by ``criterion`` ("aic" or "bic"), and their weighted
        average (Buckland et al. 1997).  With ``profile``, models within
        ``profile_delta`` of the best criterion get profile-likelihood
        intervals, the others log-normal ones; a negative or non-finite
        ``profile_delta`` raises :class:`toll.OptionError`.  Models whose
        estimate does not exist are skipped and listed, with the reason,
        in :attr:`Results.skipped_models`."""
        models, avg, skipped, msg = self._c.search(criterion, stratum, level,
                                                   profile, profile_delta)
        return Results([Estimate._from_core(m, True) for m in models],
                       Estimate._from_core(avg, True), criterion.lower(),
                       skipped, msg)

    def estimate_exists(self, model: Optional[str] = None,
                        stratum: _Stratum = None) -> Tuple[bool, str]:
        """Whether the maximum-likelihood estimate of a log-linear model
        (None: independence) exists, and if not why: zero cells can put
        it at infinity (Fienberg and Rinaldo 2012; decided by a linear
        programme).  Without ``stratum``, in every stratum.  Returns
        ``(True, "")`` or ``(False, reason)``, the reason naming the
        empty cells that the model's margins force to zero."""
        return self._c.estimate_exists(model, stratum)

    def leave_one_out(self, model: Optional[str] = None,
                      stratum: _Stratum = None, level: float = 0.95,
                      profile: bool = True) -> Any:
        """Leave-one-list-out sensitivity: the log-linear estimate with
        each list dropped in turn (capture histories merged over it, so
        individuals only on that list disappear), for the independence
        model or ``model`` without the interactions of the dropped list.
        Needs at least 3 lists.  Returns a :class:`toll.Table` with one
        row per dropped list: dropped, lists, model, [stratum,] observed,
        n_hat, se, lower, upper, interval, warning (``rows()``,
        ``to_pandas()``, HTML in Jupyter).  A row whose estimate cannot
        be made has missing numbers and says why in ``warning``."""
        from ._api import Table
        return Table(self._c.leave_one_out(model, stratum, level, profile))

    def average(self, criterion: str = "aic", stratum: _Stratum = None,
                level: float = 0.95) -> Estimate:
        """The model average of :meth:`search`."""
        return self.search(criterion, stratum, level).average

    def lcmcr(self, kstar: int = 10, burnin: int = 10000,
              samples: int = 1000, thin: int = 100, chains: int = 4,
              seed: int = 1, threads: int = 0, stratum: _Stratum = None,
              level: float = 0.95) -> Lcmcr:
        """The latent-class Bayesian estimate (LCMCR, Manrique-Vallier
        2016): a Dirichlet-process mixture of ``kstar`` latent classes,
        sampled by Gibbs in ``chains`` chains (on threads) of ``burnin``
        discarded iterations and ``samples`` draws, one every ``thin``
        iterations.  The draws depend on ``seed`` (0 to 2**64 - 1) only,
        never on ``threads``.  Without ``stratum``, every stratum
        separately and their total.  Bad options raise
        :class:`toll.OptionError`; a list that records no one raises
        :class:`toll.ModelError`.  The GIL is released while sampling."""
        parts = self._c.lcmcr(kstar, burnin, samples, thin, chains, seed,
                              threads, stratum, level)
        opts = {"kstar": kstar, "burnin": burnin, "samples": samples,
                "thin": thin, "chains": chains, "seed": seed,
                "level": level}
        return Lcmcr._from_core(parts, opts)

    def bootstrap(self, B: int = 1000, criterion: str = "aic",
                  seed: int = 1, threads: Optional[int] = None,
                  method: str = "multinomial", level: float = 0.95,
                  stratum: _Stratum = None, model: Optional[str] = None
                  ) -> Bootstrap:
        """Bootstrap intervals that include the choice of the model: the
        data resampled ``B`` times (1 to 1,000,000) and the search by
        ``criterion`` ("aic" or "bic") re-run in every resample; the
        percentile intervals of the selected model's N-hat and of the
        model average's, and how often each model was selected.

        ``method``: "multinomial" (default; the observed individuals drawn
        with replacement, assuming no model) or "parametric" (a population
        of N-hat drawn from the selected model's fitted cell
        probabilities, the unobserved dropped).  ``model``: refit this
        model in every resample instead of searching.  The resamples
        depend on ``seed`` (0 to 2**64 - 1) only, never on ``threads``
        (None: the CPUs).  Without ``stratum`` every stratum is resampled
        within itself and the total searched, as :meth:`search` does.
        Bad options raise :class:`toll.OptionError`.  The GIL is released
        while resampling."""
        summary, d0, d1, sel, msg, est = self._c.bootstrap(
            B, criterion, seed, 0 if threads is None else threads, method,
            level, stratum, model)
        return Bootstrap(summary, _draws_vector(d0), _draws_vector(d1), sel,
                         msg, Estimate._from_core(est))

    def fitted(self, model: Optional[str] = None, stratum: _Stratum = None
               ) -> Dict[str, float]:
        """Fitted counts of a log-linear model by capture history; the
        all-zero history ("000") is the estimated unobserved count."""
        f, _, _ = self._c.fitted(model, stratum)
        k = len(self.lists)
        return {_pattern(m, k): f[m] for m in range(len(f))}

    def coefficients(self, model: Optional[str] = None,
                     stratum: _Stratum = None
                     ) -> Dict[str, Tuple[float, float]]:
        """Coefficients and standard errors of a log-linear model:
        "(Intercept)", one per list, one per interaction ("A:B")."""
        _, coef, se = self._c.fitted(model, stratum)
        names = ["(Intercept)"] + list(self.lists)
        canon = self.model_name(model)
        names += [t.strip().replace("*", ":") for t in canon.split("+")
                  if "*" in t]
        return {n: (c, s) for n, c, s in zip(names, coef, se)}


def read(path: PathLike, lists: Optional[Sequence[str]] = None,
         stratum_column: Optional[str] = None,
         delimiter: Optional[str] = None,
         capture_frequencies: Optional[int] = None) -> Any:
    """:meth:`Data.read`: capture histories (or, with
    ``capture_frequencies=K``, capture frequencies) from a CSV file."""
    return Data.read(path, lists, stratum_column, delimiter,
                     capture_frequencies)


# ---- capture frequencies ----------------------------------------------------

# the models of Rcapture's closedp.0, in its order
_FREQ_MODELS = ("m0", "chao", "poisson2", "darroch", "gamma")


class FrequencyResults(Sequence[Estimate]):
    """The heterogeneity models fitted to capture frequencies, in
    Rcapture's order (M0, Mh Chao (LB), Mh Poisson2, Mh Darroch, Mh
    Gamma3.5): a sequence of :class:`Estimate`.  A model that could not
    be fitted is left out and its error kept in :attr:`errors`."""

    def __init__(self, models: List[Estimate], errors: Dict[str, str],
                 occasions: int, observed: int) -> None:
        self._models = models
        self.errors = errors
        self.occasions = occasions
        self.observed = observed

    def __len__(self) -> int:
        return len(self._models)

    def __getitem__(self, i: Any) -> Any:
        if isinstance(i, str):
            for e in self._models:
                if e.model == i:
                    return e
            raise KeyError(i)
        return self._models[i]

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self._models)

    def rows(self) -> List[Dict[str, Any]]:
        """One dict per model."""
        return _rows(self._models, False)

    def to_pandas(self) -> Any:
        """A DataFrame: model, method, observed, n_hat, se, lower, upper,
        interval, deviance, df, aic, bic, warnings; one row per model."""
        return _frame(self.rows())

    def _caption(self) -> str:
        cap = (f"toll.mse.FrequencyResults: {self.occasions} occasions, "
               f"{self.observed} observed")
        if self.errors:
            cap += "; not fitted: " + "; ".join(
                f"{k}: {v}" for k, v in self.errors.items())
        return cap

    def _repr_html_(self) -> str:
        """The models as an HTML table (Jupyter)."""
        return _html_table(self._models, self._caption())

    def __repr__(self) -> str:
        best = ", ".join(f"{e.model} {e.n_hat:,.1f}" for e in self._models)
        return f"<{self._caption()}: {best}>"


class Frequencies:
    """Capture frequencies f_1..f_K: how many individuals were caught 1,
    2, ... K times over K occasions (Rcapture's closedp.0 data), and the
    heterogeneity models fitted to them, each a Poisson log-linear model
    log E f_i = log C(K, i) + a + b i + h(i) with N-hat = n + exp(a):

    M0 (no h), Mh Chao (the lower bound: eta terms for i >= 3, negative
    ones set to zero), Mh Poisson2 (h = 2^i - 1), Mh Darroch (h = i^2/2),
    Mh Gamma3.5 (h = log 3.5 - log(3.5 + i)).

    ``max_captures`` (Rcapture's t0) fits the frequencies of 1..t0
    captures only.  Intervals are log-normal.  Build with
    :meth:`Data.from_frequencies` or :meth:`Data.read` with
    ``capture_frequencies=K``.  Formulas: docs/mse.md."""

    def __init__(self, freq: Any, occasions: int) -> None:
        self._c = Frequencies._from(freq, occasions)._c

    @classmethod
    def _wrap(cls, core: Any) -> "Frequencies":
        self = cls.__new__(cls)
        self._c = core
        return self

    @classmethod
    def _from(cls, freq: Any, occasions: int) -> "Frequencies":
        if hasattr(freq, "columns") and hasattr(freq, "to_numpy"):
            cols = {str(c).lower(): c for c in freq.columns}
            t = cols.get("times", cols.get("nbcap"))
            c = cols.get("count", cols.get("freq"))
            if t is None or c is None:
                raise OptionError(
                    "from_frequencies: the DataFrame needs times,count (or "
                    "nbcap,freq) columns (columns: "
                    f"{', '.join(map(str, freq.columns))})")
            pairs: Iterable[Tuple[Any, Any]] = zip(freq[t].tolist(),
                                                   freq[c].tolist())
        elif isinstance(freq, Mapping):
            pairs = freq.items()
        elif isinstance(freq, (str, bytes)):
            raise OptionError("from_frequencies: give a mapping {times: "
                              "count}, a sequence f_1, f_2, ... or a "
                              "DataFrame, not a string")
        else:
            pairs = ((i + 1, v) for i, v in enumerate(freq))
        text = _csv(["times", "count"],
                    ([_cell(k), _cell(v)] for k, v in pairs))
        return cls._wrap(_core.MseFreq.load_buffer(text, occasions,
                                                   "<frequencies>"))

    @property
    def occasions(self) -> int:
        """K, the number of capture occasions."""
        return self._c.occasions

    @property
    def observed(self) -> int:
        """n, the individuals caught at least once."""
        return self._c.observed

    def counts(self) -> Dict[int, int]:
        """{times: count} for times 1..K."""
        return {i + 1: v for i, v in enumerate(self._c.counts())}

    def __repr__(self) -> str:
        return (f"<toll.mse.Frequencies: {self.occasions} occasions; "
                f"{self.observed} observed>")

    def fit(self, model: str, max_captures: Optional[int] = None,
            level: float = 0.95) -> Estimate:
        """One model: "m0", "chao", "poisson2", "darroch" or "gamma"."""
        return Estimate._from_core(self._c.fit(model, max_captures or 0,
                                               level))

    def m0(self, max_captures: Optional[int] = None,
           level: float = 0.95) -> Estimate:
        """M0: one capture probability for everyone."""
        return self.fit("m0", max_captures, level)

    def chao(self, max_captures: Optional[int] = None,
             level: float = 0.95) -> Estimate:
        """Mh Chao (LB): the lower-bound model of Rivest and Baillargeon."""
        return self.fit("chao", max_captures, level)

    def poisson2(self, max_captures: Optional[int] = None,
                 level: float = 0.95) -> Estimate:
        """Mh Poisson2: heterogeneity term 2^i - 1."""
        return self.fit("poisson2", max_captures, level)

    def darroch(self, max_captures: Optional[int] = None,
                level: float = 0.95) -> Estimate:
        """Mh Darroch: heterogeneity term i^2 / 2."""
        return self.fit("darroch", max_captures, level)

    def gamma(self, max_captures: Optional[int] = None,
              level: float = 0.95) -> Estimate:
        """Mh Gamma3.5: heterogeneity term log 3.5 - log(3.5 + i)."""
        return self.fit("gamma", max_captures, level)

    def closedp(self, max_captures: Optional[int] = None,
                level: float = 0.95) -> FrequencyResults:
        """Every model, as Rcapture's closedp.0 table (only M0 when 2
        frequencies are fitted).  A model that cannot be fitted is left
        out, its message in ``errors``; bad options raise
        :class:`toll.OptionError`."""
        t0 = max_captures or self.occasions
        models: List[Estimate] = []
        errors: Dict[str, str] = {}
        for m in _FREQ_MODELS if t0 >= 3 else _FREQ_MODELS[:1]:
            try:
                models.append(self.fit(m, max_captures, level))
            except ModelError as exc:
                errors[m] = str(exc)
        return FrequencyResults(models, errors, self.occasions,
                                self.observed)
