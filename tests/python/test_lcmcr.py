"""toll.mse.Data.lcmcr: the latent-class Bayesian estimate from Python.

The sampler's statistics are checked in tests/test_lcmcr.c; these tests
check the Python face: options, errors, draws, summaries, strata, the
plot and the HTML view, and that the GIL is released while sampling.
"""
import os
import threading

import pytest

import toll
import toll.mse
from conftest import SHARED_DATA, SHARED_DATA_SKIP

COUNTS = {"100": 300, "010": 280, "001": 260, "110": 150, "101": 140,
          "011": 130, "111": 90}
QUICK = dict(burnin=200, samples=100, thin=2, chains=2)


@pytest.fixture
def data():
    return toll.mse.Data.from_patterns(COUNTS)


def test_lcmcr_should_return_draws_per_chain_and_a_summary(data):
    r = data.lcmcr(**QUICK)
    assert isinstance(r, toll.mse.Lcmcr)
    assert len(r.draws) == 2 and all(len(c) == 100 for c in r.draws)
    assert min(min(c) for c in r.draws) >= 1350
    lo, hi = r.interval
    assert 1350 <= lo <= r.median <= hi
    assert r.summary["observed"] == 1350
    assert r.summary["level"] == 0.95
    assert r.ess > 0 and r.rhat > 0
    assert r.mean == pytest.approx(
        sum(sum(c) for c in r.draws) / 200, rel=1e-12)


def test_lcmcr_same_seed_should_give_same_draws_whatever_the_threads(data):
    a = data.lcmcr(seed=7, threads=1, **QUICK)
    b = data.lcmcr(seed=7, threads=2, **QUICK)
    c = data.lcmcr(seed=8, **QUICK)
    assert [list(x) for x in a.draws] == [list(x) for x in b.draws]
    assert [list(x) for x in a.draws] != [list(x) for x in c.draws]


def test_lcmcr_few_draws_should_warn(data):
    r = data.lcmcr(**QUICK)
    assert any("effective sample size" in w for w in r.warnings)
    assert r.summary["warning_flags"] & 2


@pytest.mark.parametrize("option, value, text", [
    ("kstar", 1, "kstar"), ("chains", 0, "chains"), ("samples", 1, "samples"),
    ("thin", 0, "thin"), ("burnin", -1, "burnin"), ("seed", -1, "seed"),
    ("seed", 2 ** 64, "seed"), ("seed", 1.5, "seed"), ("kstar", "10", "kstar"),
    ("threads", -2, "threads"), ("level", 1.5, "level"),
])
def test_lcmcr_bad_option_should_raise_option_error_naming_it(
        data, option, value, text):
    with pytest.raises(toll.OptionError, match=text):
        data.lcmcr(**{**QUICK, option: value})


def test_lcmcr_largest_seed_should_be_accepted(data):
    r = data.lcmcr(seed=2 ** 64 - 1, **QUICK)
    assert r.median > 0


def test_lcmcr_list_recording_no_one_should_raise_model_error():
    d = toll.mse.Data.from_patterns({"100": 30, "010": 20, "110": 10})
    with pytest.raises(toll.ModelError, match="list 'C' records no one"):
        d.lcmcr(**QUICK)


def test_lcmcr_non_integer_count_should_be_refused():
    with pytest.raises(toll.ParseError, match="1.5"):
        toll.mse.Data.from_patterns({"10": 1.5, "01": 3})


def test_lcmcr_one_list_should_be_refused():
    with pytest.raises(ValueError):
        toll.mse.Data(["A"])


def test_lcmcr_strata_should_give_their_results_and_the_total():
    d = toll.mse.Data.from_patterns({"north": COUNTS,
                                     "south": {k: v // 3 for k, v in
                                               COUNTS.items()}})
    r = d.lcmcr(**QUICK)
    assert set(r.strata) == {"north", "south"}
    assert r.summary["stratum"] is None
    n, s = r.strata["north"], r.strata["south"]
    for c in range(2):
        assert list(r.draws[c]) == [a + b for a, b in
                                    zip(n.draws[c], s.draws[c])]
    alone = d.lcmcr(stratum="south", **QUICK)
    assert [list(x) for x in alone.draws] == [list(x) for x in s.draws]
    assert len(r.rows()) == 3
    html = r._repr_html_()
    assert "north" in html and "total" in html and "<table>" in html


def test_lcmcr_repr_should_give_median_and_interval(data):
    r = data.lcmcr(**QUICK)
    assert "median" in repr(r) and "interval" in repr(r)
    assert "toll.mse.Lcmcr" in r._repr_html_()


def test_lcmcr_plot_should_draw_trace_and_posterior(data):
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    r = data.lcmcr(**QUICK)
    trace, hist = r.plot()
    assert len(trace.get_lines()) == 2
    assert len(hist.patches) > 0
    plt.close("all")


def test_lcmcr_should_release_the_gil(data):
    """A Python thread keeps running while the sampler works."""
    ticks = []
    done = threading.Event()

    def tick():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        data.lcmcr(burnin=20000, samples=200, thin=10, chains=1)
    finally:
        done.set()
        t.join()
    assert len(ticks) > 5


@pytest.mark.skipif(SHARED_DATA is None, reason=SHARED_DATA_SKIP)
def test_lcmcr_kosovo_median_should_agree_with_published_estimates():
    path = os.path.join(SHARED_DATA, "mse", "kosovo_lists.csv")
    if not os.path.exists(path):
        pytest.skip(f"skipped: {path} not found")
    d = toll.mse.read(path)
    r = d.lcmcr(burnin=5000, samples=500, thin=50, chains=2, seed=3)
    # Ball et al. (2002): 10,356 (9,002 to 12,122); tests/test_lcmcr.c
    assert 9000 < r.median < 12500
