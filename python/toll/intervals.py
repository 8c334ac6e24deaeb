"""toll.intervals: probabilistic intervals for totals of ranges.

Each range [low, high] is one incident's count; the total's quantiles are
computed as :meth:`toll.Incidents.summarize` does for each row with
``interval=``.  ::

    from toll.intervals import interval_sum
    interval_sum([85, 27, 10], [150, 33, 20], open=[True, False, False])
    # {'q025': ..., 'q500': ..., 'q975': ..., 'engine': 'exact'}

What each interval assumes, and how it is computed: docs/intervals.md.
"""
from typing import Any, Dict, Optional, Sequence

from . import _core

__all__ = ["interval_sum", "column_name"]


def column_name(p: float) -> str:
    """The column of quantile p: 0.025 -> "q025", 0.5 -> "q500"."""
    return _core.interval_column_name(p)


def interval_sum(low: Sequence[int], high: Sequence[Optional[int]],
                 best: Optional[Sequence[Optional[float]]] = None,
                 open: Optional[Sequence[bool]] = None,
                 share: Optional[Sequence[float]] = None, *,
                 interval: str = "independent", dist: str = "uniform",
                 quantiles: Sequence[float] = (0.025, 0.5, 0.975),
                 open_cap: float = 2.0, engine: str = "auto",
                 draws: int = 10000, seed: int = 1) -> Dict[str, Any]:
    """Quantiles of  sum_i share[i] * X_i,  X_i drawn from low[i]..high[i].

    high None (or open True) marks an open range, capped at
    max(high, ceil(open_cap * low)).  ``best`` is the triangular mode.
    interval: "independent" or "comonotone"; dist: "uniform" or
    "triangular"; engine: "auto", "exact", "normal" or "simulate".
    Returns {column name: value, ..., "engine": engine used}."""
    values, used = _core.interval_sum(
        list(low), list(high), None if best is None else list(best),
        None if open is None else list(open),
        None if share is None else list(share), interval=interval,
        dist=dist, draws=draws, seed=seed, open_cap=open_cap,
        quantiles=list(quantiles), engine=engine)
    out: Dict[str, Any] = {column_name(p): v
                           for p, v in zip(quantiles, values)}
    out["engine"] = used
    return out
