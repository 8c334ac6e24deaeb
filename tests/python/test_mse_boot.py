"""toll.mse.Data.bootstrap: bootstrap intervals with the model search re-run
in every resample, from Python.

The statistics are checked in tests/test_mse_boot.c; these tests check the
Python face: determinism, the percentile rule, selection frequencies,
options and errors, the frames, the plot and the HTML view.
"""
import math

import pytest

import toll
import toll.mse
from conftest import shared_data

COUNTS = {"100": 300, "010": 280, "001": 260, "110": 190, "101": 100,
          "011": 95, "111": 60}


@pytest.fixture
def data():
    return toll.mse.Data.from_patterns(COUNTS)


def test_bootstrap_same_seed_should_give_identical_draws_whatever_the_threads(
        data):
    a = data.bootstrap(B=50, seed=9, threads=1)
    b = data.bootstrap(B=50, seed=9, threads=4)
    assert list(a.draws) == list(b.draws)
    assert list(a.average_draws) == list(b.average_draws)
    assert a.selection == b.selection
    c = data.bootstrap(B=50, seed=10, threads=1)
    assert list(c.draws) != list(a.draws)


def test_bootstrap_selection_should_sum_to_replicates_minus_failures(data):
    b = data.bootstrap(B=120, seed=2)
    assert sum(b.selection.values()) == b.replicates - b.failed == len(b.draws)
    shares = b.selection_frame()["share"] if _has_pandas() else \
        [r["share"] for r in b.selection_rows()]
    assert math.isclose(sum(shares), 1.0)
    counts = list(b.selection.values())
    assert counts == sorted(counts, reverse=True)


def test_bootstrap_interval_should_be_the_documented_percentiles(data):
    b = data.bootstrap(B=9, seed=4, level=0.5)
    x = sorted(float(v) for v in b.draws)
    # h = 0.25 * 8 = 2 and 0.75 * 8 = 6: whole order statistics
    assert b.interval == pytest.approx((x[2], x[6]), rel=1e-12)
    b = data.bootstrap(B=6, seed=4, level=0.5)
    x = sorted(float(v) for v in b.draws)
    # h = 0.25 * 5 = 1.25 and 0.75 * 5 = 3.75
    lo = x[1] + 0.25 * (x[2] - x[1])
    hi = x[3] + 0.75 * (x[4] - x[3])
    assert b.interval == pytest.approx((lo, hi), rel=1e-12)


def test_bootstrap_should_start_from_the_search_on_the_data(data):
    r = data.search("aic")
    b = data.bootstrap(B=10)
    assert b.n_hat == r.best.n_hat
    assert b.model == r.best.model
    assert b.average == r.average.n_hat
    assert (b.estimate.lower, b.estimate.upper) == (r.best.lower,
                                                    r.best.upper)


def test_bootstrap_with_a_model_should_refit_only_that_model(data):
    b = data.bootstrap(B=20, model="A*B", method="parametric")
    assert b.selection == {"A + B + C + A*B": 20}
    assert b.method == "parametric"
    assert list(b.draws) == list(b.average_draws)


@pytest.mark.parametrize("kw, field", [
    (dict(B=0), "replicates"), (dict(B=2_000_000), "replicates"),
    (dict(threads=-1), "threads"), (dict(level=1.5), "level"),
    (dict(method="jackknife"), "method"), (dict(criterion="cic"),
                                           "criterion"),
    (dict(seed=-1), "seed"), (dict(B=2.5), "replicates")])
def test_bootstrap_bad_options_should_raise_naming_the_option(data, kw, field):
    with pytest.raises(toll.OptionError) as e:
        data.bootstrap(**{"B": 10, **kw})
    assert field in str(e.value)


def test_bootstrap_failed_resamples_should_be_counted(tmp_path):
    d = toll.mse.Data.from_patterns({"10": 60, "01": 60, "11": 1})
    b = d.bootstrap(B=60, seed=1)
    assert 5 < b.failed < 50
    assert len(b.draws) == 60 - b.failed
    assert b.fail_message.startswith("replicate ")


def test_bootstrap_frames_html_and_repr_should_show_both_tables(data):
    b = data.bootstrap(B=30)
    rows = b.rows()
    assert [r["estimate"] for r in rows] == ["selected model",
                                             "model average"]
    html = b._repr_html_()
    assert "selected" in html and "share" in html and "<table>" in html
    assert "toll.mse.Bootstrap" in repr(b)
    if _has_pandas():
        assert list(b.selection_frame().columns) == ["model", "selected",
                                                     "share"]
        assert len(b.to_pandas()) == 2


def test_bootstrap_plot_should_draw_the_histogram_and_interval(data):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    b = data.bootstrap(B=40)
    ax = b.plot()
    assert len(ax.lines) == 3
    assert ax.lines[1].get_xdata()[0] == pytest.approx(b.interval[0])
    plt.close("all")


def test_bootstrap_kosovo_should_bracket_the_search_estimate():
    d = toll.mse.read(shared_data("mse", "kosovo_lists.csv"))
    b = d.bootstrap(B=200, seed=1)
    lo, hi = b.interval
    assert lo < b.n_hat < hi
    assert next(iter(b.selection)) == b.model


def _has_pandas():
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True
