"""Plots of toll tables: :meth:`toll.Table.plot` and
:meth:`toll.Incidents.plot_map`.

matplotlib is imported only when a plot is drawn.  Period labels are read
back into dates here (one function per label form of src/core/period.c),
so a summary by period draws on a real time axis."""

import datetime as _dt
import math as _math
import re as _re
import textwrap as _textwrap
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ._api import _need_matplotlib

__all__ = ["period_start", "period_kind", "plot_table", "plot_map"]


# --------------------------------------------------------------------------
# period labels (src/core/period.c, toll__period_label)

_PERIOD_FORMS = (
    ("day", _re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")),
    ("week", _re.compile(r"^(\d{4})-W(\d{2})$")),
    ("month", _re.compile(r"^(\d{4})-(\d{2})$")),
    ("quarter", _re.compile(r"^(\d{4})-Q([1-4])$")),
    ("year", _re.compile(r"^(\d{4})$")),
)


def _parse_period(label: str) -> Optional[Tuple[str, _dt.date]]:
    for kind, rx in _PERIOD_FORMS:
        m = rx.match(label)
        if not m:
            continue
        y = int(m.group(1))
        try:
            if kind == "day":
                return kind, _dt.date(y, int(m.group(2)), int(m.group(3)))
            if kind == "week":  # ISO 8601 week: starts on its Monday
                return kind, _dt.date.fromisocalendar(y, int(m.group(2)), 1)
            if kind == "month":
                return kind, _dt.date(y, int(m.group(2)), 1)
            if kind == "quarter":
                return kind, _dt.date(y, 3 * int(m.group(2)) - 2, 1)
            return kind, _dt.date(y, 1, 1)
        except ValueError:
            return None
    return None


def period_kind(label: Any) -> Optional[str]:
    """"day", "week", "month", "quarter" or "year" for a period label
    ("2016-09-25", "2016-W05", "2016-03", "2016-Q1", "2016"); None for
    anything else."""
    if not isinstance(label, str):
        return None
    p = _parse_period(label)
    return p[0] if p else None


def period_start(label: Any) -> Optional[_dt.date]:
    """The first day of the period a summary labels ``label``: "2016-03"
    is 2016-03-01, "2016-Q2" 2016-04-01, "2016-W05" the Monday of ISO
    week 5 of 2016 (2016-02-01), "2016" 2016-01-01, a day itself.  None
    for a label that is no period (the empty label of undated rows)."""
    if not isinstance(label, str):
        return None
    p = _parse_period(label)
    return p[1] if p else None


def _next_start(kind: str, d: _dt.date) -> _dt.date:
    """The first day of the period after the one starting on d."""
    if kind == "day":
        return d + _dt.timedelta(days=1)
    if kind == "week":
        return d + _dt.timedelta(days=7)
    months = {"month": 1, "quarter": 3}.get(kind, 12)
    m = d.month - 1 + months
    return _dt.date(d.year + m // 12, m % 12 + 1, 1)


def _period_axis(kind: str, first: _dt.date,
                 last: _dt.date) -> List[_dt.date]:
    """Every period start from first to last: the periods a summary has
    no row for are filled in."""
    out = [first]
    while out[-1] < last:
        out.append(_next_start(kind, out[-1]))
    return out


# --------------------------------------------------------------------------
# colours

def distinct_colors(n: int) -> List[Tuple[float, float, float, float]]:
    """n colours of a qualitative colormap, none repeated: tab10 up to 10,
    tab20 up to 20, beyond that evenly spaced hues."""
    plt = _need_matplotlib("plotting")
    if n <= 10:
        cmap = plt.get_cmap("tab10")
        return [cmap(i) for i in range(n)]
    if n <= 20:
        cmap = plt.get_cmap("tab20")
        return [cmap(i) for i in range(n)]
    cmap = plt.get_cmap("hsv")
    return [cmap(i / n) for i in range(n)]


def _wrap(label: str) -> str:
    """A legend label wrapped at 28 characters."""
    return "\n".join(_textwrap.wrap(label, 28)) or label


def _wrapped_legend(ax: Any) -> Tuple[List[Any], List[str]]:
    handles, labels = ax.get_legend_handles_labels()
    return handles, [_wrap(lab) for lab in labels]


# --------------------------------------------------------------------------
# Table.plot

_QCOL = _re.compile(r"^q(\d{3,})$")


def _quantile_columns(names: Sequence[str]) -> List[Tuple[float, str]]:
    """(probability, column) of a summary's interval quantile columns
    (docs/intervals.md: "q" then the digits after "0.": q025 is 0.025)."""
    out = []
    for name in names:
        m = _QCOL.match(name)
        if m:
            out.append((float("0." + m.group(1)), name))
    return sorted(out)


def _band_columns(names: Sequence[str],
                  band: Any) -> Optional[Tuple[str, str]]:
    """The (lower, upper) columns of the band: band None picks the widest
    quantile pair when the table has quantile columns, else low/high;
    "range" is low/high, "quantiles" the widest quantile pair, False
    none."""
    if band is False:
        return None
    qs = _quantile_columns(names)
    if band is None:
        band = "quantiles" if len(qs) >= 2 else "range"
    if band == "range":
        return ("low", "high")
    if band == "quantiles":
        if len(qs) < 2:
            raise ValueError("table.plot(band='quantiles') needs a summary "
                             "with interval quantile columns (interval=...)")
        return (qs[0][1], qs[-1][1])
    raise ValueError(f"table.plot(): band must be None, 'range', "
                     f"'quantiles' or False, not {band!r}")


def _num(v: Any) -> float:
    return 0.0 if v is None or v != v else float(v)


class _Series:
    """One line of a plot: measures by x value."""

    def __init__(self, label: str, measures: Sequence[str]) -> None:
        self.label = label
        self.values: Dict[Any, Dict[str, float]] = {}
        self.measures = measures

    def add(self, x: Any, row: Dict[str, float]) -> None:
        cur = self.values.setdefault(x, {m: 0.0 for m in self.measures})
        for m in self.measures:
            cur[m] += row[m]

    def total(self) -> float:
        return sum(v["best"] for v in self.values.values())


def _series(data: Dict[str, List[Any]], rows: Sequence[int], x: Optional[str],
            groups: Sequence[str], measures: Sequence[str], top: Optional[int],
            other: bool) -> List[_Series]:
    """The series of some rows: one per value of the group keys, the top
    ones by total best and the rest summed into "other"."""
    by: Dict[str, _Series] = {}
    for i in rows:
        label = " / ".join(str(data[g][i]) if data[g][i] is not None
                           else "(none)" for g in groups) or "all"
        s = by.get(label)
        if s is None:
            s = by[label] = _Series(label, measures)
        s.add(data[x][i] if x else "",
              {m: _num(data[m][i]) for m in measures})
    ranked = sorted(by.values(), key=lambda s: -s.total())
    if top is None or len(ranked) <= top:
        return ranked
    kept, rest = ranked[:top], ranked[top:]
    if other:
        o = _Series("other", measures)
        for s in rest:
            for xv, row in s.values.items():
                o.add(xv, row)
        kept.append(o)
    return kept


def _draw_time(ax: Any, series: List[_Series], colors: Sequence[Any],
               kind: str, axis: List[_dt.date], starts: Dict[Any, _dt.date],
               band: Optional[Tuple[str, str]]) -> None:
    for s, color in zip(series, colors):
        at = {starts[xv]: row for xv, row in s.values.items()
              if xv in starts}
        zero = {m: 0.0 for m in s.measures}
        rows = [at.get(d, zero) for d in axis]
        if band:
            ax.fill_between(axis, [r[band[0]] for r in rows],
                            [r[band[1]] for r in rows], color=color,
                            alpha=0.2, linewidth=0, label="_nolegend_")
        ax.plot(axis, [r["best"] for r in rows], "-", marker="o",
                markersize=3, color=color, label=s.label)
        if "open" in s.measures:
            op = [(d, r["high"]) for d, r in zip(axis, rows) if r["open"]]
            if op:
                ax.plot([d for d, _ in op], [h for _, h in op], "^",
                        color=color, markersize=6, label="_nolegend_")
    ax.set_xlim(axis[0] - (_next_start(kind, axis[0]) - axis[0]) / 2,
                axis[-1] + (_next_start(kind, axis[-1]) - axis[-1]) / 2)


def _draw_categories(ax: Any, series: List[_Series], colors: Sequence[Any],
                     xs: List[Any], band: Optional[Tuple[str, str]]) -> None:
    pos = {v: i for i, v in enumerate(xs)}
    width = 0.8 / max(1, len(series))
    for gi, (s, color) in enumerate(zip(series, colors)):
        off = (gi - (len(series) - 1) / 2) * width
        pts = sorted((pos[xv] + off, row) for xv, row in s.values.items())
        px = [p for p, _ in pts]
        if band:
            ax.vlines(px, [r[band[0]] for _, r in pts],
                      [r[band[1]] for _, r in pts], colors=[color],
                      linewidth=3, alpha=0.6, label="_nolegend_")
        ax.plot(px, [r["best"] for _, r in pts], "o", color=color,
                markersize=5, label=s.label)
        if "open" in s.measures:
            op = [(p, r["high"]) for p, r in pts if r["open"]]
            if op:
                ax.plot([p for p, _ in op], [h for _, h in op], "^",
                        color=color, markersize=6, label="_nolegend_")
    ax.set_xticks(range(len(xs)))
    ax.set_xticklabels([str(v) if v not in (None, "") else "(no date)"
                        for v in xs],
                       rotation=45 if len(xs) > 6 else 0,
                       ha="right" if len(xs) > 6 else "center")


def plot_table(table: Any, ax: Any = None, x: Optional[str] = None,
               title: Optional[str] = None, top: Optional[int] = 8,
               facet: Optional[str] = None, other: bool = True,
               band: Any = None) -> Any:
    """See :meth:`toll.Table.plot`."""
    plt = _need_matplotlib("table.plot()")
    names = table.columns
    for need in ("low", "best", "high"):
        if need not in names:
            raise ValueError(f"table.plot() needs a '{need}' column")
    if top is not None and top < 1:
        raise ValueError("table.plot(): top must be at least 1 (or None)")
    keys = names[:table.nkeys]
    if x is None:
        x = "period" if "period" in keys else (keys[0] if keys else None)
    elif x not in names:
        raise KeyError(f"no column {x!r} in this table")
    if facet is not None:
        if facet not in keys or facet == x:
            raise KeyError(f"table.plot(facet={facet!r}): facet must be a "
                           f"key column other than x ({', '.join(keys)})")
        if ax is not None:
            raise ValueError("table.plot(facet=...) draws its own figure: "
                             "leave ax None")
    bandcols = _band_columns(names, band)
    measures = ["low", "best", "high"]
    if "open" in names:
        measures.append("open")
    if bandcols:
        measures.extend(c for c in bandcols if c not in measures)
    groups = [k for k in keys if k not in (x, facet)]
    data = table.to_dict()
    n = table.nrows
    if not table.additive:
        other = False  # rows of attribution "each" must not be added

    # the x axis: dates when every dated label is a period of one kind
    xs_raw = data[x] if x else [""] * n
    labels = {v for v in xs_raw if v not in (None, "")}
    kinds = {period_kind(v) for v in labels}
    time_kind = kinds.pop() if len(kinds) == 1 and None not in kinds else None
    undated = 0.0
    if time_kind:
        starts = {v: period_start(v) for v in labels}
        rows_all = [i for i in range(n) if xs_raw[i] in starts]
        undated = sum(_num(data["best"][i]) for i in range(n)
                      if xs_raw[i] not in starts)
        axis = (_period_axis(time_kind, min(starts.values()),
                             max(starts.values())) if starts else [])
    else:
        rows_all = list(range(n))
        xs = sorted({v if v is not None else "" for v in xs_raw},
                    key=lambda v: (v == "", v))
        data = dict(data)
        if x:
            data[x] = [v if v is not None else "" for v in xs_raw]

    if facet is None:
        panels = [(None, rows_all)]
    else:
        fv: Dict[Any, List[int]] = {}
        for i in rows_all:
            fv.setdefault(data[facet][i], []).append(i)
        panels = sorted(fv.items(), key=lambda kv: -sum(
            _num(data["best"][i]) for i in kv[1]))

    drawn = [(value, _series(data, rows, x, groups, measures, top, other))
             for value, rows in panels]
    labels_all = list(dict.fromkeys(s.label for _, ss in drawn for s in ss))
    if facet is not None and labels_all == ["all"]:
        pcolors = distinct_colors(len(drawn))
        colors_of = [[c] for c in pcolors]
    else:
        cmap = dict(zip(labels_all, distinct_colors(len(labels_all))))
        colors_of = [[cmap[s.label] for s in ss] for _, ss in drawn]

    own = ax is None
    if facet is None:
        if own:
            width = 9 if time_kind else max(6, 0.6 * len(xs) + 3)
            _, ax = plt.subplots(figsize=(width, 4.5), layout="constrained")
        axes = [ax]
    else:
        ncols = min(3, len(drawn)) or 1
        nrows = max(1, _math.ceil(len(drawn) / ncols))
        fig, grid = plt.subplots(nrows, ncols, squeeze=False, sharex=True,
                                 figsize=(4 * ncols, 2.8 * nrows),
                                 layout="constrained")
        axes = [a for row in grid for a in row]
        for a in axes[len(drawn):]:
            a.set_visible(False)
        axes = axes[:len(drawn)]

    for a, (value, ss), colors in zip(axes, drawn, colors_of):
        if time_kind:
            if axis:
                _draw_time(a, ss, colors, time_kind, axis, starts, bandcols)
        else:
            _draw_categories(a, ss, colors, xs, bandcols)
        if facet is not None:
            a.set_title(str(value) if value is not None else "(none)",
                        fontsize="small")
        if time_kind:
            for lab in a.get_xticklabels():
                lab.set_rotation(30)
                lab.set_horizontalalignment("right")

    what = "best" + (f", band {bandcols[0]}–{bandcols[1]}" if bandcols
                     else "")
    if facet is None:
        ax.set_ylabel(f"casualties ({what})", fontsize="small")
        if x:
            ax.set_xlabel(x)
        if len(labels_all) > 1 and own:
            ax.figure.legend(*_wrapped_legend(ax), fontsize="small",
                             loc="outside right upper")
        elif len(labels_all) > 1:
            ax.legend(*_wrapped_legend(ax), fontsize="small",
                      loc="upper left", bbox_to_anchor=(1.01, 1.0),
                      borderaxespad=0.0)
    else:
        fig.supylabel(f"casualties ({what})", fontsize="small")
        if len(labels_all) > 1:
            handles, names_ = axes[0].get_legend_handles_labels()
            seen = dict(zip(names_, handles))
            for a in axes[1:]:
                for h, lab in zip(*a.get_legend_handles_labels()):
                    seen.setdefault(lab, h)
            fig.legend(list(seen.values()), [_wrap(k) for k in seen],
                       fontsize="small", loc="outside right upper")
    if title is None:
        title = "\n".join(_textwrap.wrap(table.caption, 80))
    if undated:
        title = (title + "\n" if title else "") + (
            f"not drawn: {undated:,.0f} (best) without a date")
    if facet is None:
        ax.set_title(title, fontsize="medium")
        ax.toll_undated = undated
        return ax
    fig.suptitle(title, fontsize="medium")
    fig.toll_undated = undated
    return axes


# --------------------------------------------------------------------------
# Incidents.plot_map

def _nice_sizes(vmax: float) -> List[float]:
    """Up to three round reference values at most vmax for a size legend."""
    if vmax <= 0:
        return []
    p = 10 ** _math.floor(_math.log10(vmax))
    top = max(m * p for m in (1, 2, 5) if m * p <= vmax)
    out = sorted({v for v in (top, top / 5, top / 25) if v >= 1})
    return out or [vmax]


def _incident_coordinates(incidents: Any, data: Dict[str, List[Any]]
                          ) -> List[Optional[Tuple[float, float]]]:
    """(lat, lon) per row of an incidents table, None when unknown: the
    mean position of the reports of the incident (the reports whose
    incident key, or report name when they have none, is the incident's),
    else that of the reports that set its low or high."""
    rt = incidents.reports.table()
    if "lat" not in rt.columns:
        return [None] * len(data["incident"])
    rep, key = rt["report"], rt["incident"]
    lats, lons = rt["lat"], rt["lon"]
    by_report: Dict[str, Tuple[float, float]] = {}
    by_key: Dict[str, List[Tuple[float, float]]] = {}
    for r, k, la, lo in zip(rep, key, lats, lons):
        if la is None or lo is None or la != la or lo != lo:
            continue
        by_report[r] = (la, lo)
        by_key.setdefault(k if k else r, []).append((la, lo))
    out: List[Optional[Tuple[float, float]]] = []
    for i, inc in enumerate(data["incident"]):
        pts = by_key.get(inc)
        if not pts:
            pts = [by_report[r] for r in (data["low_report"][i],
                                          data["high_report"][i])
                   if r in by_report]
        out.append((sum(p[0] for p in pts) / len(pts),
                    sum(p[1] for p in pts) / len(pts)) if pts else None)
    return out


def plot_map(incidents: Any, ax: Any = None, category: str = "killed",
             actor: Optional[str] = None, region: Optional[str] = None,
             title: Optional[str] = None, top: int = 8,
             max_area: float = 400.0) -> Any:
    """See :meth:`toll.Incidents.plot_map`."""
    plt = _need_matplotlib("incidents.plot_map()")
    from matplotlib.lines import Line2D

    t = incidents.table()
    data = t.to_dict()
    n = t.nrows
    want_actor = actor.casefold() if actor else None
    rows = []
    for i in range(n):
        if data["category"][i] != category:
            continue
        reg = data["region"][i] or ""
        if region and not (reg == region or reg.startswith(region + "/")):
            continue
        actors = data["actor"][i] or ""
        if want_actor and want_actor not in [
                a.strip().casefold() for a in actors.split(" + ")]:
            continue
        rows.append(i)

    coords = _incident_coordinates(incidents, data)
    placed = [i for i in rows if coords[i] is not None]
    missing = len(rows) - len(placed)
    best = {i: _num(data["best"][i]) for i in placed}
    vmax = max(best.values(), default=0.0)
    scale = max_area / vmax if vmax > 0 else 0.0

    def area(v: float) -> float:
        return max(v * scale, 2.0)

    totals: Dict[str, float] = {}
    for i in placed:
        a = data["actor"][i] or "(unknown)"
        totals[a] = totals.get(a, 0.0) + best[i]
    ranked = sorted(totals, key=lambda a: -totals[a])
    kept = ranked[:top]
    groups = kept + (["other"] if len(ranked) > top else [])
    colors = dict(zip(groups, distinct_colors(len(groups))))

    own = ax is None
    if own:
        _, ax = plt.subplots(figsize=(9, 6), layout="constrained")
    for g in groups:
        members = sorted(
            (i for i in placed
             if (data["actor"][i] or "(unknown)") == g
             or (g == "other" and (data["actor"][i] or "(unknown)")
                 not in kept)),
            key=lambda i: -best[i])
        ax.scatter([coords[i][1] for i in members],
                   [coords[i][0] for i in members],
                   s=[area(best[i]) for i in members], color=colors[g],
                   alpha=0.6, edgecolors="white", linewidths=0.5, label=g)
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    if groups:
        # outside the axes: on the figure when plot_map made it
        put = (lambda **kw: ax.figure.legend(**kw)) if own else None
        actors = [Line2D([], [], linestyle="", marker="o", color=colors[g],
                         alpha=0.6, markersize=6, label=_wrap(g))
                  for g in groups]
        sizes = [Line2D([], [], linestyle="", marker="o", color="grey",
                        alpha=0.6, markersize=_math.sqrt(area(v)),
                        label=f"{v:,.0f}")
                 for v in _nice_sizes(vmax)]
        if put:
            put(handles=actors, fontsize="small", loc="outside right upper",
                title="actor")
            if sizes:
                put(handles=sizes, fontsize="small",
                    loc="outside right lower", title=f"{category} (best)",
                    labelspacing=1.2)
        else:
            legend = ax.legend(handles=actors, fontsize="small",
                               loc="upper left", bbox_to_anchor=(1.01, 1.0),
                               borderaxespad=0.0, title="actor")
            if sizes:
                ax.add_artist(legend)
                ax.legend(handles=sizes, fontsize="small", loc="lower left",
                          bbox_to_anchor=(1.01, 0.0), borderaxespad=0.0,
                          title=f"{category} (best)", labelspacing=1.2)
    where = region or "all regions"
    if title is None:
        title = f"{category} by incident, {where}"
        if actor:
            title += f", actor {actor}"
    note = (f"{len(placed):,} incidents with coordinates; {missing:,} "
            "without (not drawn)")
    ax.set_title(f"{title}\n{note}", fontsize="medium")
    ax.toll_missing_coordinates = missing
    ax.toll_plotted = len(placed)
    return ax
