"""toll.mse.Frequencies: heterogeneity models on capture frequencies.

Published figures (mirrors of tests/test_mse_freq.c; docs/mse.md has the
table): Rcapture (Baillargeon & Rivest 2007) prints them in the saved
output of its examples (tests/Examples/Rcapture-Ex.Rout.save, Rcapture
1.3-1); the frequencies are those of its data sets.

* catbird site occupancy (catb), t = 11, f_1..f_6 = 6, 4, 5, 2, 0, 2:
  closedp.0 prints M0 20.3 (1.4) deviance 8.047 df 9 AIC 27.678, Mh Chao
  (LB) 22.6 (3.8) 4.939 7 28.570, Mh Poisson2 20.5 (1.4) 7.647 8 29.278,
  Mh Darroch 22.3 (3.1) 6.062 8 27.693, Mh Gamma3.5 24.7 (6.4) 5.912 8
  27.544.
* BBS2001 (Dorazio & Royle 2003), t = 50, t0 = 20: M0 71.1 (0.2) 214.075
  18 270.028, Mh Chao (LB) 87.2 (10.9) 12.403 14 76.356, Mh Poisson2 71.1
  (0.3) 170.128 17 228.081, Mh Darroch 74.0 (2.0) 34.733 17 92.687, Mh
  Gamma3.5 111.1 (16.0) 18.806 17 76.759.
* snowshoe hares, t = 6, f = 25, 22, 13, 5, 1, 2: closedp.t prints N (se)
  M0 75.4 (3.5), Mh Chao 79.8 (6.4), Poisson2 81.5 (5.7), Darroch 90.4
  (11.6), Gamma3.5 100.6 (21.7).

The fits are also checked against statsmodels' Poisson GLM with an offset
(skipped when statsmodels is not installed).
"""
import math
import random

import pytest

import toll
import toll.mse

CATB = [6, 4, 5, 2, 0, 2]
HARE = [25, 22, 13, 5, 1, 2]
BBS = [15, 7, 5, 2, 5, 6, 3, 2, 1, 2, 4, 4, 0, 1, 0, 2, 3, 1, 1, 1, 1, 0,
       0, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
MODELS = ["M0", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5"]
CATB_T11 = [(20.3, 1.4, 8.047, 9, 27.678), (22.6, 3.8, 4.939, 7, 28.570),
            (20.5, 1.4, 7.647, 8, 29.278), (22.3, 3.1, 6.062, 8, 27.693),
            (24.7, 6.4, 5.912, 8, 27.544)]
BBS_T20 = [(71.1, 0.2, 214.075, 18, 270.028), (87.2, 10.9, 12.403, 14, 76.356),
           (71.1, 0.3, 170.128, 17, 228.081), (74.0, 2.0, 34.733, 17, 92.687),
           (111.1, 16.0, 18.806, 17, 76.759)]


def assert_table(results, want):
    assert [e.model for e in results] == MODELS
    for e, (n, se, dev, df, aic) in zip(results, want):
        assert round(e.n_hat, 1) == pytest.approx(n), e.model
        assert round(e.se, 1) == pytest.approx(se), e.model
        assert round(e.deviance, 3) == pytest.approx(dev), e.model
        assert e.df == df, e.model
        assert round(e.aic, 3) == pytest.approx(aic), e.model


# ---- published figures ---------------------------------------------------

def test_closedp_should_match_rcapture_catbird_table():
    f = toll.mse.Data.from_frequencies(CATB, occasions=11)
    assert_table(f.closedp(), CATB_T11)


def test_closedp_should_match_rcapture_bbs2001_table_with_max_captures():
    f = toll.mse.Data.from_frequencies(
        {i + 1: c for i, c in enumerate(BBS)}, occasions=50)
    assert f.observed == 71
    assert_table(f.closedp(max_captures=20), BBS_T20)


def test_models_should_match_rcapture_hare_estimates():
    f = toll.mse.Data.from_frequencies(HARE, occasions=6)
    got = [(round(e.n_hat, 1), round(e.se, 1)) for e in f.closedp()]
    assert got == [(75.4, 3.5), (79.8, 6.4), (81.5, 5.7), (90.4, 11.6),
                   (100.6, 21.7)]


def test_each_model_method_should_equal_its_closedp_row():
    f = toll.mse.Data.from_frequencies(HARE, occasions=6)
    table = f.closedp()
    for name, method in zip(MODELS, [f.m0, f.chao, f.poisson2, f.darroch,
                                     f.gamma]):
        assert method() == table[name]


def test_fits_should_agree_with_statsmodels_poisson_glm_with_offset():
    sm = pytest.importorskip("statsmodels.api")
    np = pytest.importorskip("numpy")
    rng = random.Random(7)
    for _ in range(20):
        K = rng.randint(4, 10)
        freq = [rng.randint(0, 40) for _ in range(K)]
        freq[0] += 5
        freq[1] += 3
        f = toll.mse.Data.from_frequencies(freq, occasions=K)
        i = np.arange(1, K + 1, dtype=float)
        off = np.array([math.log(math.comb(K, int(k))) for k in i])
        for model, h in [("m0", None), ("poisson2", 2.0 ** i - 1),
                         ("darroch", i * i / 2),
                         ("gamma", math.log(3.5) - np.log(3.5 + i))]:
            cols = [np.ones(K), i] + ([h] if h is not None else [])
            res = sm.GLM(np.array(freq, float), np.column_stack(cols),
                         family=sm.families.Poisson(), offset=off).fit(
                             tol=1e-12, maxiter=200)
            e = f.fit(model)
            mu0 = math.exp(res.params[0])
            assert e.n_hat == pytest.approx(sum(freq) + mu0, rel=1e-6)
            se = math.sqrt(mu0 + mu0 ** 2 * res.cov_params()[0, 0])
            assert e.se == pytest.approx(se, rel=1e-5)
            assert e.deviance == pytest.approx(res.deviance, abs=1e-6)
            assert e.aic == pytest.approx(res.aic, rel=1e-9)


# ---- input ----------------------------------------------------------------

def test_from_frequencies_should_take_a_dataframe_with_nbcap_freq():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"nbcap": [1, 2, 3, 4, 6], "freq": [6, 4, 5, 2, 2]})
    f = toll.mse.Data.from_frequencies(df, occasions=11)
    assert f.counts()[6] == 2 and f.counts()[5] == 0
    assert f.closedp()[0].n_hat == pytest.approx(20.34, abs=0.005)


def test_read_should_load_capture_frequencies(tmp_path):
    p = tmp_path / "hare.csv"
    p.write_text("times,count\n" + "".join(
        f"{i + 1},{c}\n" for i, c in enumerate(HARE)))
    f = toll.mse.Data.read(p, capture_frequencies=6)
    assert isinstance(f, toll.mse.Frequencies)
    assert f.occasions == 6 and f.observed == 68
    assert toll.mse.read(str(p), capture_frequencies=6).counts() == \
        f.counts()


def test_times_beyond_the_occasions_should_be_named_as_in_a_file():
    with pytest.raises(toll.ParseError) as exc:
        toll.mse.Data.from_frequencies({1: 3, 7: 2}, occasions=6)
    assert str(exc.value) == (
        "<frequencies>:3: field 'times': \"7\" is not a number of captures "
        "of 6 occasions (a whole number from 1 to 6)")


@pytest.mark.parametrize("count", [2.5, 2.0, -1, "x"])
def test_counts_that_are_not_whole_numbers_should_be_refused(count):
    with pytest.raises(toll.ParseError, match="field 'count'"):
        toll.mse.Data.from_frequencies([3, count], occasions=4)


@pytest.mark.parametrize("times", [0, -2, 1.5])
def test_times_that_are_not_1_to_k_should_be_refused(times):
    with pytest.raises(toll.ParseError, match="field 'times'"):
        toll.mse.Data.from_frequencies({times: 3, 2: 1}, occasions=4)


def test_more_values_than_occasions_should_be_refused():
    with pytest.raises(toll.ParseError, match="1 to 2"):
        toll.mse.Data.from_frequencies([3, 2, 1], occasions=2)


def test_all_zero_counts_and_bad_occasions_should_raise_option_errors():
    with pytest.raises(toll.OptionError, match="zero"):
        toll.mse.Data.from_frequencies([0, 0, 0], occasions=3)
    with pytest.raises(toll.OptionError, match="2 to 100"):
        toll.mse.Data.from_frequencies([3, 1], occasions=1)


def test_bad_model_level_and_max_captures_should_raise_option_errors():
    f = toll.mse.Data.from_frequencies(HARE, occasions=6)
    with pytest.raises(toll.OptionError, match="lcmcr"):
        f.fit("lcmcr")
    with pytest.raises(toll.OptionError, match="level"):
        f.m0(level=1.5)
    with pytest.raises(toll.OptionError, match="max_captures"):
        f.m0(max_captures=7)


def test_two_occasions_should_fit_m0_only():
    f = toll.mse.Data.from_frequencies([30, 5], occasions=2)
    r = f.closedp()
    assert [e.model for e in r] == ["M0"] and not r.errors
    with pytest.raises(toll.ModelError, match="Mh Darroch"):
        f.darroch()


def test_no_recapture_should_raise_model_error_for_each_model():
    f = toll.mse.Data.from_frequencies([9, 0, 0], occasions=3)
    r = f.closedp()
    assert len(r) == 0 and set(r.errors) == {"m0", "chao", "poisson2",
                                             "darroch", "gamma"}


def test_results_should_render_as_html_and_pandas():
    r = toll.mse.Data.from_frequencies(CATB, occasions=11).closedp()
    html = r._repr_html_()
    assert "Mh Gamma3.5" in html and "11 occasions" in html
    pd = pytest.importorskip("pandas")
    df = r.to_pandas()
    assert isinstance(df, pd.DataFrame)
    assert list(df["model"]) == MODELS
    assert "stratum" not in df
