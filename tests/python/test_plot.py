"""Table.plot and Incidents.plot_map (python/toll/_plot.py): a real time
axis from the period labels, the top series plus "other", facets, interval
bands, distinct colours, and the incident map; each rendered to PNG."""
import datetime as dt
import os
import sys

import pytest

from conftest import ROOT, shared_data, toll

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from toll import _plot  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ACTORS = [f"Actor {chr(ord('A') + i)}" for i in range(12)]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _png(fig, tmp_path, name="plot.png"):
    path = tmp_path / name
    fig.savefig(path)
    with open(path, "rb") as f:
        assert f.read(8) == PNG_MAGIC
    return path


def _monthly_incidents():
    """12 actors; each reports in 2016-01, 2016-02 and 2016-04 (no report
    in 2016-03); actor i kills (i + 1) * 10 per report, range -50%/+50%."""
    records = []
    for i, actor in enumerate(ACTORS):
        for day in ("2016-01-10", "2016-02-10", "2016-04-10"):
            best = (i + 1) * 10
            records.append({"source": "S", "date": day, "actor": actor,
                            "region": "Syria/Aleppo",
                            "killed": f"{best // 2}-{best * 3 // 2}"})
    return toll.Reports.from_records(records).reconcile()


def _lines(ax):
    return [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]


# -- period labels -----------------------------------------------------------

@pytest.mark.parametrize("unit,label,start", [
    ("day", "2016-02-03", dt.date(2016, 2, 3)),
    ("week", "2016-W05", dt.date(2016, 2, 1)),
    ("month", "2016-02", dt.date(2016, 2, 1)),
    ("quarter", "2016-Q1", dt.date(2016, 1, 1)),
    ("year", "2016", dt.date(2016, 1, 1)),
])
def test_period_start_should_map_the_labels_the_library_prints(unit, label,
                                                               start):
    inc = toll.Reports.from_records(
        [{"source": "S", "date": "2016-02-03", "killed": 1}]).reconcile()
    printed = inc.summarize(by=f"period:{unit}")["period"]
    assert printed == [label]
    assert _plot.period_kind(label) == unit
    assert _plot.period_start(label) == start


def test_period_start_should_take_iso_weeks_across_the_new_year():
    inc = toll.Reports.from_records(
        [{"source": "S", "date": "2016-01-01", "killed": 1}]).reconcile()
    label = inc.summarize(by="period:week")["period"][0]
    assert label == "2015-W53"
    assert _plot.period_start(label) == dt.date(2015, 12, 28)


def test_period_start_should_be_none_for_no_period():
    assert _plot.period_start("") is None
    assert _plot.period_start(None) is None
    assert _plot.period_start("Syria/Aleppo") is None


# -- Table.plot ----------------------------------------------------------------

def test_plot_should_draw_periods_on_a_date_axis(tmp_path):
    t = _monthly_incidents().summarize(by="period:month")
    ax = t.plot(title="monthly")
    _png(ax.figure, tmp_path)
    (line,) = _lines(ax)
    assert all(isinstance(v, dt.date) for v in line.get_xdata())
    assert ax.get_title() == "monthly"


def test_plot_should_draw_a_month_without_rows_as_zero(tmp_path):
    t = _monthly_incidents().summarize(by="period:month")
    assert "2016-03" not in t["period"]
    ax = t.plot()
    _png(ax.figure, tmp_path)
    (line,) = _lines(ax)
    points = dict(zip(line.get_xdata(), line.get_ydata()))
    assert list(points) == [dt.date(2016, m, 1) for m in (1, 2, 3, 4)]
    assert points[dt.date(2016, 3, 1)] == 0
    assert points[dt.date(2016, 2, 1)] == sum(t["best"]) / 3


def test_plot_should_leave_out_undated_rows_and_say_so(tmp_path):
    inc = toll.Reports.from_records([
        {"source": "S", "date": "2016-01-03", "killed": 3},
        {"source": "S", "killed": 5}]).reconcile()
    ax = inc.summarize(by="period:month").plot()
    _png(ax.figure, tmp_path)
    (line,) = _lines(ax)
    assert list(line.get_ydata()) == [3]
    assert ax.toll_undated == 5
    assert "not drawn: 5 (best) without a date" in ax.get_title()


def test_plot_should_keep_top_series_and_sum_the_rest_into_other(tmp_path):
    t = _monthly_incidents().summarize(by="actor,period:month")
    ax = t.plot(top=8)
    _png(ax.figure, tmp_path)
    lines = _lines(ax)
    labels = [ln.get_label() for ln in lines]
    assert len(lines) == 9 and labels.count("other") == 1
    assert labels[:8] == ACTORS[::-1][:8]
    drawn = sum(sum(ln.get_ydata()) for ln in lines)
    assert drawn == sum(t["best"])
    other = lines[labels.index("other")]
    assert max(other.get_ydata()) == (10 + 20 + 30 + 40)


def test_plot_other_false_should_drop_the_rest(tmp_path):
    t = _monthly_incidents().summarize(by="actor,period:month")
    ax = t.plot(top=3, other=False)
    _png(ax.figure, tmp_path)
    assert [ln.get_label() for ln in _lines(ax)] == ACTORS[::-1][:3]


def test_plot_series_should_never_share_a_colour(tmp_path):
    t = _monthly_incidents().summarize(by="actor,period:month")
    for top in (8, 11, None):
        ax = t.plot(top=top)
        _png(ax.figure, tmp_path)
        colours = [to_rgba(ln.get_color()) for ln in _lines(ax)]
        assert len(colours) == (9 if top == 8 else 12)
        assert len(set(colours)) == len(colours)
        plt.close("all")


def test_plot_facet_should_draw_one_panel_per_value(tmp_path):
    t = _monthly_incidents().summarize(by="actor,period:month")
    axes = t.plot(facet="actor")
    _png(axes[0].figure, tmp_path)
    assert len(axes) == 12
    assert sorted(a.get_title() for a in axes) == sorted(ACTORS)
    for a in axes:
        (line,) = _lines(a)
        assert all(isinstance(v, dt.date) for v in line.get_xdata())


def _band_top(ax):
    (band,) = [c for c in ax.collections
               if len(c.get_paths()) and c.get_paths()[0].vertices.size]
    return max(band.get_paths()[0].vertices[:, 1])


def test_plot_band_should_come_from_low_and_high(tmp_path):
    t = _monthly_incidents().summarize(by="period:month")
    ax = t.plot()
    _png(ax.figure, tmp_path)
    assert _band_top(ax) == max(t["high"])
    plt.close("all")
    ax = t.plot(band=False)
    assert not ax.collections


def test_plot_band_should_come_from_the_widest_quantiles_when_present(
        tmp_path):
    t = _monthly_incidents().summarize(
        by="period:month", interval="independent",
        quantiles=[0.05, 0.5, 0.9])
    ax = t.plot()
    _png(ax.figure, tmp_path)
    assert max(t["q900"]) < max(t["high"])
    assert _band_top(ax) == max(t["q900"])
    plt.close("all")
    ax = t.plot(band="range")
    assert _band_top(ax) == max(t["high"])


def test_plot_should_draw_keys_that_are_not_periods_as_categories(tmp_path):
    t = _monthly_incidents().summarize(by="actor")
    ax = t.plot()
    _png(ax.figure, tmp_path)
    assert [lab.get_text() for lab in ax.get_xticklabels()] == sorted(ACTORS)


def test_plot_quickstart_call_should_still_work(tmp_path):
    inc = toll.read(os.path.join(ROOT, "data", "seeds.jsonl")).reconcile()
    t = inc.summarize(by="actor,period:month", date_from="2016-01",
                      date_to="2016-12")
    ax = t.plot(title="Killed per month")
    _png(ax.figure, tmp_path)
    assert ax.get_title() == "Killed per month"
    assert _lines(ax)


def test_plot_without_matplotlib_should_name_the_install(monkeypatch):
    t = _monthly_incidents().summarize(by="period:month")
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        t.plot()


# -- Incidents.plot_map -------------------------------------------------------

def _placed_incidents():
    """Five incidents with coordinates (best 1, 5, 10, 50, 100; two
    actors) and one without."""
    records = []
    for k, best in enumerate((1, 5, 10, 50, 100)):
        records.append({"source": "S", "date": "2016-05-01",
                        "incident": f"i{k}", "region": "Syria/Aleppo",
                        "actor": "Russia" if k % 2 else "Syria",
                        "lat": 36.0 + k / 10, "lon": 37.0 + k / 10,
                        "killed": best})
    records.append({"source": "S", "date": "2016-05-01", "incident": "i9",
                    "region": "Syria/Idlib", "actor": "Syria",
                    "killed": 7})
    return toll.Reports.from_records(records).reconcile()


def _points(ax):
    return [(tuple(off), size) for c in ax.collections
            for off, size in zip(c.get_offsets(), c.get_sizes())]


def test_plot_map_should_draw_the_incidents_with_coordinates(tmp_path):
    ax = _placed_incidents().plot_map()
    _png(ax.figure, tmp_path)
    assert len(_points(ax)) == 5 == ax.toll_plotted
    assert ax.toll_missing_coordinates == 1
    assert "1 without" in ax.get_title()
    assert ax.get_aspect() == 1.0


def test_plot_map_sizes_should_grow_with_best(tmp_path):
    ax = _placed_incidents().plot_map()
    _png(ax.figure, tmp_path)
    by_lat = sorted((off[1], size) for off, size in _points(ax))
    sizes = [size for _, size in by_lat]  # best grows with lat here
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    assert sizes[-1] / sizes[-2] == pytest.approx(100 / 50)


def test_plot_map_should_colour_each_actor_apart(tmp_path):
    ax = _placed_incidents().plot_map()
    _png(ax.figure, tmp_path)
    labels = [c.get_label() for c in ax.collections]
    assert sorted(labels) == ["Russia", "Syria"]
    colours = [tuple(c.get_facecolor()[0][:3]) for c in
               ax.collections]
    assert len(set(colours)) == 2


def test_plot_map_should_filter_region_and_actor(tmp_path):
    inc = _placed_incidents()
    ax = inc.plot_map(region="Syria/Idlib")
    _png(ax.figure, tmp_path)
    assert ax.toll_plotted == 0 and ax.toll_missing_coordinates == 1
    plt.close("all")
    ax = inc.plot_map(actor="russia")
    assert ax.toll_plotted == 2 and ax.toll_missing_coordinates == 0


def test_plot_map_should_sum_actors_beyond_top_into_other(tmp_path):
    path = os.path.join(ROOT, "data", "ucdp", "ged241_myanmar_sample.csv")
    inc = toll.read(path, preset="ucdp").reconcile()
    ax = inc.plot_map(top=1)
    _png(ax.figure, tmp_path)
    labels = [c.get_label() for c in ax.collections]
    assert len(labels) == 2 and labels[1] == "other"
    killed = [r for r in inc.table().rows() if r["category"] == "killed"]
    assert len(_points(ax)) == ax.toll_plotted == len(killed)
    colours = {tuple(c.get_facecolor()[0][:3])
               for c in ax.collections}
    assert len(colours) == 2


def test_plot_map_of_a_ged_governorate(tmp_path):
    path = shared_data("ucdp", "ucdp_ged_syria_2016_2019.csv")
    inc = toll.read(path, preset="ucdp").reconcile()
    ax = inc.plot_map(region="Syria/Aleppo Governorate")
    _png(ax.figure, tmp_path)
    n = sum(1 for r in inc.table().rows() if r["category"] == "killed"
            and (r["region"] or "").startswith("Syria/Aleppo Governorate"))
    assert ax.toll_plotted + ax.toll_missing_coordinates == n > 100
    assert len(_points(ax)) == ax.toll_plotted
    colours = [tuple(c.get_facecolor()[0][:3])
               for c in ax.collections]
    assert len(set(colours)) == len(colours) <= 9
