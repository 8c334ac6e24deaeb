"""Type stubs for toll._core, the C extension behind the toll package."""
from os import PathLike
from typing import (Any, Callable, Dict, Iterable, List, Mapping, Optional,
                    Sequence, Tuple, Union, final)

_Path = Union[str, bytes, PathLike[str], PathLike[bytes]]
_QuantityTuple = Tuple[int, Optional[int], float, str]
_LexiconArg = Union["Lexicon", str, None]

library_version: str
OPEN: int

class TollError(Exception):
    """Base of toll's errors; carries the C library's error details."""
    code: str
    file: Optional[str]
    line: Optional[int]
    record: Optional[int]
    field: Optional[str]
    text: Optional[str]
    message: str

class ParseError(TollError, ValueError): ...
class ReportError(TollError, ValueError): ...
class OptionError(TollError, ValueError): ...
class ModelError(TollError, ValueError): ...

@final
class Lexicon:
    def __init__(self, preset: str = "default") -> None: ...
    def __len__(self) -> int: ...
    def load_json(self, text: Union[str, bytes], name: Optional[str] = None) -> None: ...
    def load_file(self, path: _Path) -> None: ...
    def set(self, word: str, low: int, high: Optional[int] = None,
            best: Optional[float] = None) -> None: ...
    def entries(self) -> List[Tuple[str, int, Optional[int], Optional[float]]]: ...

@final
class Reports:
    rejects: List[Dict[str, Any]]
    warnings: List[Dict[str, Any]]
    repairs: List[Dict[str, Any]]
    categories: List[str]
    def __init__(self) -> None: ...
    def __len__(self) -> int: ...
    def load_file(self, path: _Path, *, format: Optional[str] = None,
                  lenient: bool = False, lexicon: _LexiconArg = None,
                  about_tolerance: float = 0.1, map: Optional[str] = None,
                  map_json: Optional[str] = None,
                  map_file: Optional[_Path] = None,
                  delimiter: Optional[str] = None,
                  actor_sep: Optional[str] = None,
                  region_sep: Optional[str] = None,
                  preset: Optional[str] = None,
                  repair: Optional[bool] = None,
                  encoding: Optional[str] = None,
                  date_format: Optional[str] = None,
                  date_window: Optional[Tuple[int, int]] = None,
                  threads: Optional[int] = None) -> int: ...
    def summarize_stream(self, paths: Sequence[_Path],
                         load: Dict[str, Any], reconcile: Dict[str, Any],
                         summarize: Dict[str, Any]
                         ) -> Tuple["Table", List[Dict[str, Any]],
                                    List[Dict[str, Any]]]: ...
    def load_buffer(self, data: Union[str, bytes, bytearray, memoryview],
                    name: Optional[str] = None, *,
                    format: Optional[str] = None, lenient: bool = False,
                    lexicon: _LexiconArg = None,
                    about_tolerance: float = 0.1, map: Optional[str] = None,
                    map_json: Optional[str] = None,
                    map_file: Optional[_Path] = None,
                    delimiter: Optional[str] = None,
                    actor_sep: Optional[str] = None,
                    region_sep: Optional[str] = None,
                    preset: Optional[str] = None,
                    repair: Optional[bool] = None,
                    encoding: Optional[str] = None,
                    date_format: Optional[str] = None,
                    date_window: Optional[Tuple[int, int]] = None,
                    threads: Optional[int] = None) -> int: ...
    def load_records(self, records: Iterable[Mapping[str, Any]],
                     convert: Callable[[Any], Any],
                     name: Optional[str] = None, *,
                     format: Optional[str] = None, lenient: bool = False,
                     lexicon: _LexiconArg = None,
                     about_tolerance: float = 0.1, map: Optional[str] = None,
                     map_json: Optional[str] = None,
                     map_file: Optional[_Path] = None,
                     delimiter: Optional[str] = None,
                     actor_sep: Optional[str] = None,
                     region_sep: Optional[str] = None,
                     preset: Optional[str] = None,
                     repair: Optional[bool] = None,
                     encoding: Optional[str] = None,
                     date_format: Optional[str] = None,
                     date_window: Optional[Tuple[int, int]] = None,
                     threads: Optional[int] = None) -> int: ...
    def load_arrow(self, stream: Any, name: Optional[str] = None, *,
                   format: Optional[str] = None, lenient: bool = False,
                   lexicon: _LexiconArg = None,
                   about_tolerance: float = 0.1, map: Optional[str] = None,
                   map_json: Optional[str] = None,
                   map_file: Optional[_Path] = None,
                   delimiter: Optional[str] = None,
                   actor_sep: Optional[str] = None,
                   region_sep: Optional[str] = None,
                   preset: Optional[str] = None,
                   repair: Optional[bool] = None,
                   encoding: Optional[str] = None,
                   date_format: Optional[str] = None,
                   date_window: Optional[Tuple[int, int]] = None,
                   threads: Optional[int] = None) -> int: ...
    def load_columns(self, names: Sequence[str],
                     columns: Sequence[Tuple[str, Any]],
                     name: Optional[str] = None, *,
                     format: Optional[str] = None, lenient: bool = False,
                     lexicon: _LexiconArg = None,
                     about_tolerance: float = 0.1, map: Optional[str] = None,
                     map_json: Optional[str] = None,
                     map_file: Optional[_Path] = None,
                     delimiter: Optional[str] = None,
                     actor_sep: Optional[str] = None,
                     region_sep: Optional[str] = None,
                     preset: Optional[str] = None,
                     repair: Optional[bool] = None,
                     encoding: Optional[str] = None,
                     date_format: Optional[str] = None,
                     date_window: Optional[Tuple[int, int]] = None,
                     threads: Optional[int] = None) -> int: ...
    def table(self) -> Table: ...
    def reconcile(self, policy: Optional[str] = "envelope",
                  self_reports: Optional[str] = "exclude",
                  link: Optional[str] = "none",
                  link_days: Optional[int] = 1,
                  link_level: Optional[int] = 1,
                  link_actors: Optional[str] = "overlap",
                  link_max_span: Optional[int] = 7,
                  links: Optional[Links] = None) -> Incidents: ...
    def link(self, *, window: Optional[int] = None,
             upper: Optional[float] = None, lower: Optional[float] = None,
             same_source: Optional[str] = None,
             max_span: Optional[int] = None,
             model_json: Optional[str] = None,
             model_file: Optional[_Path] = None,
             names_file: Optional[_Path] = None,
             labels: Optional[Sequence[Tuple[int, int, bool]]] = None,
             seed: Optional[int] = None,
             threads: Optional[int] = None) -> Links: ...

@final
class Links:
    reports: Reports
    n_incidents: int
    n_pairs: int
    def __len__(self) -> int: ...
    def assignments(self) -> Table: ...
    def pairs(self, which: str = "all") -> Table: ...
    def model_json(self) -> str: ...

@final
class Incidents:
    reports: Reports
    policy: str
    self_reports: str
    def __len__(self) -> int: ...
    def table(self) -> Table: ...
    def links(self) -> Table: ...
    def summarize(self, by: Union[str, Sequence[str], None] = None,
                  category: Optional[str] = None,
                  attribution: Optional[str] = "joint",
                  span: Optional[str] = "start",
                  min_grade: Optional[str] = None,
                  date_from: Optional[str] = None,
                  date_to: Optional[str] = None,
                  region: Optional[str] = None,
                  actors: Union[str, Sequence[str], None] = None,
                  where: Union[str, Sequence[str], None] = None,
                  min_data_grade: Optional[str] = None, *,
                  interval: Optional[str] = None, dist: Optional[str] = None,
                  draws: Optional[int] = None, seed: Optional[int] = None,
                  open_cap: Optional[float] = None,
                  quantiles: Optional[Sequence[float]] = None,
                  engine: Optional[str] = None,
                  max_rows: Optional[int] = None) -> Table: ...

@final
class Column:
    """Read-only buffer over one table column (buffer protocol)."""

@final
class Table:
    nrows: int
    ncols: int
    nkeys: int
    additive: bool
    caption: str
    warnings: List[Dict[str, Any]]
    columns: List[str]
    column_types: List[str]
    column_kinds: List[str]
    def __len__(self) -> int: ...
    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any: ...
    def column(self, key: Union[str, int]) -> Union[memoryview, Tuple[memoryview, List[str]]]: ...
    def column_type(self, key: Union[str, int]) -> str: ...
    def render(self, format: str = "text", totals: bool = False) -> str: ...
    def cells(self, key: Union[str, int], rows: Sequence[int]) -> List[str]: ...
    def merge(self, other: "Table") -> "Table": ...

def parse_quantity(text: str, lexicon: _LexiconArg = None,
                   about_tolerance: float = 0.1) -> Optional[_QuantityTuple]: ...
def parse_quantities(texts: Sequence[Optional[str]], lexicon: _LexiconArg = None,
                     about_tolerance: float = 0.1,
                     errors: str = "raise") -> List[Optional[_QuantityTuple]]: ...
def format_quantity(low: Optional[int], high: Optional[int] = None,
                    best: Optional[float] = None, *,
                    thousands: bool = False) -> str: ...
def status_name(code: int) -> str: ...

# ---- multiple systems estimation and intervals (python/_mse.c) ----------

MSE_MAX_LISTS: int
_Stratum = Union[str, int, None]

@final
class MseData:
    lists: Tuple[str, ...]
    strata: Tuple[str, ...]
    def __init__(self, lists: Optional[Sequence[str]] = None) -> None: ...
    @classmethod
    def from_incidents(cls, incidents: Incidents,
                       lists: Optional[Sequence[str]] = None,
                       stratify_by: Optional[str] = None) -> "MseData": ...
    @classmethod
    def from_links(cls, lists: Sequence[str],
                   ids: Sequence[Optional[str]],
                   record_lists: Sequence[Optional[str]],
                   strata: Optional[Sequence[Optional[str]]],
                   id_a: Sequence[Optional[str]],
                   id_b: Sequence[Optional[str]],
                   scores: Sequence[Any], thresholds: Sequence[float],
                   fields: Optional[Sequence[str]] = None,
                   keep: Optional[Callable[[List[int]], Sequence[Any]]] = None
                   ) -> List["MseData"]: ...
    @classmethod
    def sensitivity(cls, data: Sequence["MseData"],
                    thresholds: Sequence[float], kind: str = "model",
                    model: Optional[str] = None, criterion: str = "aic",
                    level: float = 0.95, profile: bool = True) -> Table: ...
    def add_pattern(self, pattern: str, count: int = 1,
                    stratum: Optional[str] = None) -> None: ...
    def add_records(self, flags: bytes,
                    strata: Optional[Sequence[Optional[str]]] = None) -> None: ...
    def load_file(self, path: _Path, lists: Optional[Sequence[str]] = None,
                  stratum_column: Optional[str] = None,
                  delimiter: Optional[str] = None) -> None: ...
    def load_buffer(self, data: Union[str, bytes], name: Optional[str] = None,
                    lists: Optional[Sequence[str]] = None,
                    stratum_column: Optional[str] = None,
                    delimiter: Optional[str] = None) -> None: ...
    def counts(self, stratum: _Stratum = None) -> List[int]: ...
    def observed(self, stratum: _Stratum = None) -> int: ...
    def lincoln_petersen(self, a: Union[str, int, None] = None,
                         b: Union[str, int, None] = None,
                         stratum: _Stratum = None,
                         level: float = 0.95) -> Dict[str, Any]: ...
    def chapman(self, a: Union[str, int, None] = None,
                b: Union[str, int, None] = None, stratum: _Stratum = None,
                level: float = 0.95) -> Dict[str, Any]: ...
    def chao(self, stratum: _Stratum = None,
             level: float = 0.95) -> Dict[str, Any]: ...
    def loglinear(self, model: Optional[str] = None, stratum: _Stratum = None,
                  level: float = 0.95, profile: bool = True) -> Dict[str, Any]: ...
    def search(self, criterion: str = "aic", stratum: _Stratum = None,
               level: float = 0.95, profile: bool = True,
               profile_delta: float = 10.0
               ) -> Tuple[List[Dict[str, Any]], Dict[str, Any],
                          List[Tuple[str, str]], str]: ...
    def estimate_exists(self, model: Optional[str] = None,
                        stratum: _Stratum = None) -> Tuple[bool, str]: ...
    def leave_one_out(self, model: Optional[str] = None,
                      stratum: _Stratum = None, level: float = 0.95,
                      profile: bool = True) -> Table: ...
    def lcmcr(self, kstar: int = 10, burnin: int = 10000,
              samples: int = 1000, thin: int = 100, chains: int = 4,
              seed: int = 1, threads: int = 0, stratum: _Stratum = None,
              level: float = 0.95
              ) -> List[Tuple[Dict[str, Any], bytes]]: ...
    def bootstrap(self, B: int = 1000, criterion: str = "aic",
                  seed: int = 1, threads: int = 0,
                  method: str = "multinomial", level: float = 0.95,
                  stratum: _Stratum = None, model: Optional[str] = None
                  ) -> Tuple[Dict[str, Any], bytes, bytes,
                             List[Tuple[str, int, float]], str,
                             Dict[str, Any]]: ...
    def fitted(self, model: Optional[str] = None, stratum: _Stratum = None
               ) -> Tuple[List[float], List[float], List[float]]: ...
    def model_name(self, spec: str) -> str: ...

@final
class MseFreq:
    occasions: int
    observed: int
    @classmethod
    def load_buffer(cls, data: Union[str, bytes], occasions: int,
                    name: Optional[str] = None,
                    delimiter: Optional[str] = None) -> "MseFreq": ...
    @classmethod
    def load_file(cls, path: _Path, occasions: int,
                  delimiter: Optional[str] = None) -> "MseFreq": ...
    def counts(self) -> List[int]: ...
    def fit(self, model: str, max_captures: int = 0,
            level: float = 0.95) -> Dict[str, Any]: ...

def interval_sum(low: Sequence[int], high: Sequence[Optional[int]],
                 best: Optional[Sequence[Optional[float]]] = None,
                 open: Optional[Sequence[bool]] = None,
                 share: Optional[Sequence[float]] = None, *,
                 interval: Optional[str] = None, dist: Optional[str] = None,
                 draws: Optional[int] = None, seed: Optional[int] = None,
                 open_cap: Optional[float] = None,
                 quantiles: Optional[Sequence[float]] = None,
                 engine: Optional[str] = None) -> Tuple[List[float], str]: ...
def interval_column_name(p: float) -> str: ...
