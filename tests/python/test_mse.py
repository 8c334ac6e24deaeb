"""toll.mse: multiple systems estimation from Python.

Published figures (mirrors of tests/test_mse.c; docs/mse.md has the table):

* Seber (1982), The Estimation of Animal Abundance, p. 107: two samples
  n11 = 167, n10 = 781, n01 = 254.  Rcapture (Baillargeon & Rivest 2007)
  prints, for model Mt, abundance 2389.9, stderr 130.4, AIC 28.831, and
  for the bias-corrected (Chapman) estimator 2382.8, stderr 129.1.
* Cormack, Chang & Smith (2000), Int. J. Epidemiol. 29:1053-1059, Table 3b
  (three lists, 111..001 = 72, 5, 29, 54, 24, 3, 14): independence
  N = 209, deviance 75.1 on 3 df, 95% profile interval (203, 217).
* Darroch, Fienberg, Glonek & Junker (1993), JASA 88:1137-1148, data R3
  (111..001 = 72, 155, 7, 71, 13, 53, 43), as analysed by Rivest (2011),
  Int. J. Biostatistics 7(1) art. 23: model [12][23] N = 850, se 186,
  deviance 3.8 on 1 df; all two-way interactions N = 1240, se 451.

The log-linear fits are also checked against statsmodels' Poisson GLM on
many random tables (skipped when statsmodels is not installed).
"""
import itertools
import math
import os
import random

import pytest

import toll
import toll.mse
from conftest import RECORDS, ROOT, records_jsonl

MSE_DATA = os.path.join(ROOT, "tests", "data", "mse")
P3 = ["111", "110", "101", "100", "011", "010", "001"]
CORMACK = dict(zip(P3, [72, 5, 29, 54, 24, 3, 14]))
DARROCH = dict(zip(P3, [72, 155, 7, 71, 13, 53, 43]))


# ---- published figures ---------------------------------------------------

def test_seber_example_should_match_rcapture():
    d = toll.mse.Data.from_patterns({"11": 167, "10": 781, "01": 254})
    e = d.loglinear()
    assert round(e.n_hat, 1) == 2389.9
    assert round(e.se, 1) == 130.4
    assert round(e.aic, 3) == 28.831
    lp = d.lincoln_petersen()
    assert lp.n_hat == pytest.approx(e.n_hat, rel=1e-9)
    c = d.chapman("A", "B")
    assert (round(c.n_hat, 1), round(c.se, 1)) == (2382.8, 129.1)
    assert c.method == "chapman" and c.model == "A,B"
    assert c.deviance is None and c.df is None


def test_cormack_table_3b_should_match_the_published_fit():
    d = toll.mse.Data.from_patterns(CORMACK, lists=["NTOF", "WCC", "MOSH"])
    e = d.loglinear()
    assert round(e.n_hat) == 209
    assert round(e.deviance, 1) == 75.1 and e.df == 3
    assert (round(e.lower), round(e.upper)) == (203, 217)
    assert e.interval == "profile"
    e23 = d.loglinear("WCC*MOSH")
    assert round(e23.deviance, 1) == 1.2 and e23.df == 2
    assert round(e23.lower) == 210


def test_darroch_r3_should_match_rivest_2011():
    d = toll.mse.Data.from_patterns(DARROCH)
    e = d.loglinear("A*B + B*C")
    assert (round(e.n_hat), round(e.se)) == (850, 186)
    assert round(e.deviance, 1) == 3.8 and e.df == 1
    full = d.loglinear("A*B + A*C + B*C")
    assert (round(full.n_hat, -1), round(full.se)) == (1240, 451)
    assert full.df == 0 and full.warnings


# ---- statsmodels cross-check ------------------------------------------------

def _design(k, pairs):
    """Rows for the 2^k - 1 observed cells (bit j of the mask = list j):
    intercept, main effects, the interactions in `pairs`."""
    rows = []
    for m in range(1, 1 << k):
        x = [1.0] + [float((m >> j) & 1) for j in range(k)]
        x += [float(((m >> i) & 1) and ((m >> j) & 1)) for i, j in pairs]
        rows.append(x)
    return rows


@pytest.mark.filterwarnings("ignore")  # statsmodels on df = 0 fits
@pytest.mark.parametrize("k", [3, 4, 5])
def test_loglinear_fits_should_agree_with_statsmodels(k):
    sm = pytest.importorskip("statsmodels.api")
    np = pytest.importorskip("numpy")
    rng = random.Random(1000 + k)
    lists = [chr(ord("A") + j) for j in range(k)]
    all_pairs = list(itertools.combinations(range(k), 2))
    checked = 0
    for rep in range(25):
        # a random table from a random log-linear model
        b = [rng.uniform(2.0, 4.0)] + [rng.uniform(-1.0, 0.5)
                                       for _ in range(k)]
        inter = {p: rng.uniform(-0.5, 1.0) for p in all_pairs
                 if rng.random() < 0.4}
        counts = {}
        for m in range(1, 1 << k):
            eta = b[0] + sum(b[1 + j] for j in range(k) if (m >> j) & 1)
            eta += sum(v for (i, j), v in inter.items()
                       if (m >> i) & 1 and (m >> j) & 1)
            lam = math.exp(eta)
            counts["".join("1" if (m >> j) & 1 else "0" for j in range(k))] \
                = max(1, int(round(rng.gauss(lam, math.sqrt(lam)))))
        d = toll.mse.Data.from_patterns(counts, lists=lists)
        # a random model with up to 3 interactions
        pairs = sorted(rng.sample(all_pairs, rng.randint(0, min(3, len(all_pairs)))),
                       key=lambda p: (p[1], p[0]))
        spec = " + ".join(f"{lists[i]}*{lists[j]}" for i, j in pairs)
        try:
            e = d.loglinear(spec)
        except toll.ModelError:
            continue
        fitted = d.fitted(spec)
        y = np.array([counts["".join("1" if (m >> j) & 1 else "0"
                                     for j in range(k))]
                      for m in range(1, 1 << k)], dtype=float)
        X = np.array(_design(k, pairs))
        res = sm.GLM(y, X, family=sm.families.Poisson()).fit(tol=1e-13,
                                                              maxiter=200)
        assert e.deviance == pytest.approx(res.deviance, rel=1e-6, abs=1e-6)
        mu = res.fittedvalues
        for idx, m in enumerate(range(1, 1 << k)):
            pat = "".join("1" if (m >> j) & 1 else "0" for j in range(k))
            assert fitted[pat] == pytest.approx(mu[idx], rel=1e-6, abs=1e-6)
        # the unobserved cell: exp(intercept)
        assert fitted["0" * k] == pytest.approx(math.exp(res.params[0]),
                                                rel=1e-6)
        assert e.n_hat == pytest.approx(sum(counts.values())
                                        + math.exp(res.params[0]), rel=1e-6)
        # coefficients and their standard errors
        coef = d.coefficients(spec)
        for (name, (c, s)), pc, ps in zip(coef.items(), res.params, res.bse):
            assert c == pytest.approx(pc, rel=1e-5, abs=1e-6), name
            assert s == pytest.approx(ps, rel=1e-5, abs=1e-6), name
        checked += 1
    assert checked >= 20


# ---- building data ---------------------------------------------------------

def test_from_patterns_should_accept_strata_and_pairs():
    d = toll.mse.Data.from_patterns({"north": {"11": 5, "10": 3},
                                     "south": {"01": 2, "11": 1}})
    assert d.strata == ("north", "south")
    assert d.counts("north") == {"10": 3, "01": 0, "11": 5}
    assert d.counts() == {"10": 3, "01": 2, "11": 6}
    assert d.observed("south") == 3
    d2 = toll.mse.Data.from_patterns([("110", 4), ("011", 2)],
                                     lists=["X", "Y", "Z"])
    assert d2.lists == ("X", "Y", "Z")
    assert d2.observed() == 6


def test_from_records_should_read_dicts_and_dataframes():
    recs = [{"A": 1, "B": 0, "where": "n"}, {"A": True, "B": True,
                                              "where": "s"},
            {"A": "no", "B": "yes", "where": "n"}]
    d = toll.mse.Data.from_records(recs, lists=["A", "B"], stratum="where")
    assert d.strata == ("n", "s")
    assert d.counts() == {"10": 1, "01": 1, "11": 1}
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(recs)
    d2 = toll.mse.Data.from_records(df, lists=["A", "B"], stratum="where")
    assert d2.counts("n") == d.counts("n")


def test_from_records_should_reject_bad_flags_and_leave_nothing():
    # read by the C reader of `toll mse FILE`: line 1 is the header
    with pytest.raises(toll.ParseError,
                       match="<records>:3: field 'B': .*maybe.* 0 or 1"):
        toll.mse.Data.from_records([{"A": 1, "B": 0}, {"A": 1, "B": "maybe"}],
                                   lists=["A", "B"])
    with pytest.raises(toll.TollError, match="<records>:2: .*none of the"):
        toll.mse.Data.from_records([{"A": 0, "B": 0}], lists=["A", "B"])


def test_read_should_load_records_and_pattern_tables():
    d = toll.mse.read(os.path.join(MSE_DATA, "patterns.csv"))
    assert d.lists == ("A", "B", "C")
    assert d.counts() == CORMACK
    r = toll.mse.read(os.path.join(MSE_DATA, "records.csv"),
                      lists=["A", "B", "C"])
    assert r.observed() > 0
    assert r.strata  # the file has a stratum column


@pytest.mark.parametrize("width", [2, 4, 8])
def test_read_without_lists_should_name_them_by_the_pattern_width(tmp_path,
                                                                  width):
    p = tmp_path / "p.csv"
    pattern = ("10" * width)[:width]
    # a byte-order mark, CRLF line ends and quoted cells, read by the C
    # loader alone
    p.write_bytes(b'\xef\xbb\xbf"pattern",count\r\n"'
                  + pattern.encode() + b'",3\r\n')
    d = toll.mse.read(p)
    assert d.lists == tuple("ABCDEFGH"[:width])
    assert d.counts()[pattern] == 3


def test_read_without_lists_should_refuse_a_pattern_of_one_list(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("pattern,count\n1,3\n")
    with pytest.raises(toll.TollError, match="p.csv:2: .*1 characters wide"):
        toll.mse.read(p)


def test_read_without_lists_should_say_to_name_them(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text("A,B\n1,0\n0,1\n1,1\n")
    with pytest.raises(toll.OptionError, match="name the lists"):
        toll.mse.read(p)
    d = toll.mse.read(p, lists="A,B")
    assert d.counts() == {"10": 1, "01": 1, "11": 1}


def test_from_incidents_should_use_sources_as_lists(incidents):
    # the fixture: aleppo-1 by SNHR, Headline, White Helmets (MoD is the
    # accused's own statement), idlib-2 by SOHR, homs-3 by AFP
    d = toll.mse.Data.from_incidents(incidents, lists=["SNHR", "Headline"])
    assert d.lists == ("SNHR", "Headline")
    assert d.counts() == {"10": 0, "01": 0, "11": 1}
    with pytest.raises(toll.OptionError, match="'Nobody'"):
        toll.mse.Data.from_incidents(incidents, lists=["SNHR", "Nobody"])
    d2 = toll.mse.Data.from_incidents(incidents,
                                      lists=["SNHR", "White Helmets", "AFP"],
                                      stratify_by="region:1")
    assert d2.lists == ("SNHR", "White_Helmets", "AFP")
    assert d2.strata == ("Syria/Aleppo", "Syria/Homs")


def test_from_incidents_should_count_incidents_no_source_reported():
    # 3 sources over 300 incidents, each reporting an incident with
    # probability 0.5 independently: about 1/8 of the incidents are
    # reported by none, and the independence model recovers them
    rng = random.Random(5)
    recs = []
    for i in range(300):
        for s in ("A", "B", "C"):
            if rng.random() < 0.5:
                recs.append({"incident": f"i{i}", "source": s,
                             "killed": 1})
    reports = toll.Reports.from_records(recs)
    inc = reports.reconcile()
    d = toll.mse.Data.from_incidents(inc)
    e = d.loglinear()
    assert d.observed() == len({r["incident"] for r in recs})
    assert e.n_hat == pytest.approx(300, rel=0.1)
    assert e.lower < 300 < e.upper


# ---- estimates and errors ----------------------------------------------------

def test_search_should_rank_and_average():
    d = toll.mse.Data.from_patterns(CORMACK)
    r = d.search("aic")
    assert len(r) == 8
    assert r.best.model == "A + B + C + B*C"
    assert [e.aic for e in r] == sorted(e.aic for e in r)
    assert sum(e.weight for e in r) == pytest.approx(1.0)
    assert r.average.method == "model-average"
    assert d.average().n_hat == pytest.approx(r.average.n_hat)
    pytest.importorskip("pandas")
    df = r.to_pandas()
    assert list(df.columns[:8]) == ["model", "method", "observed", "n_hat",
                                    "se", "lower", "upper", "interval"]
    assert df["model"].iloc[-1] == "model average"
    assert len(df) == 9
    rb = d.search("bic")
    assert rb.criterion == "bic"


def test_model_errors_should_raise_model_error():
    d = toll.mse.Data.from_patterns({"11": 0, "10": 5, "01": 7})
    with pytest.raises(toll.ModelError) as ei:
        d.lincoln_petersen()
    assert isinstance(ei.value, ValueError)
    assert ei.value.code == "TOLL_EMODEL"
    d3 = toll.mse.Data.from_patterns(CORMACK)
    with pytest.raises(toll.ModelError, match="saturated"):
        d3.loglinear("A*B*C")
    with pytest.raises(toll.OptionError):
        d3.loglinear("A*Q")
    with pytest.raises(toll.OptionError, match="stratum"):
        d3.loglinear(stratum="nowhere")
    with pytest.raises(toll.OptionError, match="criterion"):
        d3.search("cic")
    with pytest.raises(toll.OptionError, match="level"):
        d3.chao(level=1.5)


@pytest.mark.parametrize("delta", [-1.0, float("nan"), float("inf")])
def test_search_should_refuse_a_bad_profile_delta_through_c(delta):
    d = toll.mse.Data.from_patterns(CORMACK)
    with pytest.raises(toll.TollError, match="profile_delta must be"):
        d.search("aic", profile_delta=delta)


def test_strata_should_sum_estimates():
    d = toll.mse.Data.from_patterns({"x": CORMACK, "y": CORMACK})
    one = d.loglinear(stratum="x")
    total = d.loglinear()
    assert total.n_hat == pytest.approx(2 * one.n_hat)
    assert total.se == pytest.approx(math.sqrt(2) * one.se)
    assert one.stratum == "x" and total.stratum is None


def test_estimate_should_print_and_convert():
    e = toll.mse.Data.from_patterns(CORMACK).loglinear()
    assert "N-hat 209.3" in str(e)
    assert e.to_dict()["model"] == "A + B + C"
    assert math.isfinite(e.upper)


def test_estimates_should_run_in_threads_with_the_same_results():
    import concurrent.futures as cf
    d = toll.mse.Data.from_patterns(CORMACK)
    ref = d.search("aic").average.n_hat
    with cf.ThreadPoolExecutor(4) as ex:
        got = list(ex.map(lambda _: d.search("aic").average.n_hat, range(16)))
    assert got == [ref] * 16


def test_repeated_estimates_should_not_leak_references():
    import sys
    d = toll.mse.Data.from_patterns(CORMACK)
    core = d._c
    before = sys.getrefcount(core)
    for _ in range(200):
        d.loglinear("B*C")
        d.fitted("B*C")
        with pytest.raises(toll.ModelError):
            d.loglinear("A*B*C")
    assert sys.getrefcount(core) == before


# ---- every value is read by the C reader of `toll mse FILE` ----------------

@pytest.mark.parametrize("count", [1.5, 2.0, True, -1, None, "3 "])
def test_from_patterns_should_refuse_a_count_the_cli_refuses(count):
    if count == "3 ":  # blanks around a cell are dropped, as in a file
        assert toll.mse.Data.from_patterns({"11": count}).observed() == 3
        return
    with pytest.raises(toll.ParseError,
                       match=r"<patterns>:2: field 'count': cannot read "
                             r"\".*\" as a non-negative whole number"):
        toll.mse.Data.from_patterns({"11": count, "10": 2})


def test_from_patterns_should_refuse_a_pattern_given_twice():
    with pytest.raises(toll.ParseError,
                       match=r"capture history \"11\" is on lines 2 and 4"):
        toll.mse.Data.from_patterns([("11", 1), ("10", 2), ("11", 3)])
    # in two strata it is two cells
    d = toll.mse.Data.from_patterns({"x": {"11": 1}, "y": {"11": 3}})
    assert d.counts() == {"10": 0, "01": 0, "11": 4}


def test_from_patterns_should_name_a_bad_pattern_and_too_many_lists():
    with pytest.raises(toll.ParseError,
                       match=r"cannot read \"1x\" as a capture history"):
        toll.mse.Data.from_patterns({"1x": 1})
    with pytest.raises(toll.ParseError, match="is 9 characters wide"):
        toll.mse.Data.from_patterns({"110000000": 1})


def test_from_records_should_refuse_a_float_flag_as_a_file_does():
    with pytest.raises(toll.ParseError, match=r"field 'A': cannot read "
                                              r"\"1.0\" as 0 or 1"):
        toll.mse.Data.from_records([{"A": 1.0, "B": 0}], lists=["A", "B"])


def test_loglinear_should_refuse_a_term_naming_a_list_twice():
    d = toll.mse.Data.from_patterns(CORMACK)
    with pytest.raises(toll.OptionError, match="names list A twice"):
        d.loglinear("A*A")
    with pytest.raises(toll.OptionError, match="names list A twice"):
        d.model_name("A*B*A")


@pytest.mark.parametrize("delimiter", ['"', "\n", "\r", "\x01"])
def test_read_should_refuse_a_delimiter_the_cli_refuses(tmp_path, delimiter):
    p = tmp_path / "p.csv"
    p.write_text("pattern,count\n11,1\n10,2\n")
    with pytest.raises(toll.OptionError, match="is not allowed: the "
                                               "delimiter is tab or one"):
        toll.mse.read(p, delimiter=delimiter)


def test_search_and_level_should_be_checked_by_the_library():
    d = toll.mse.Data.from_patterns(CORMACK)
    with pytest.raises(toll.OptionError,
                       match='criterion "cic" is not aic or bic'):
        d.search("cic")
    with pytest.raises(toll.OptionError, match="confidence level must be "
                                               "between 0 and 1"):
        d.loglinear(level=float("nan"))
    assert d.search("BIC").criterion == "bic"


def test_data_should_serve_estimates_from_several_threads_at_once():
    import threading
    d = toll.mse.Data.from_patterns(CORMACK)
    want = d.loglinear("A*B").n_hat
    got, errors = [], []

    def run():
        try:
            for _ in range(20):
                got.append(d.loglinear("A*B").n_hat)
        except Exception as exc:  # pragma: no cover - the test fails
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert got == [want] * 80


def test_read_should_take_tab_as_the_cli_does(tmp_path):
    p = tmp_path / "p.tsv"
    p.write_text("pattern\tcount\n11\t1\n10\t2\n")
    assert toll.mse.read(p, delimiter="tab").observed() == 3
    assert toll.mse.read(p, delimiter="\t").observed() == 3


NO_OVERLAP = {"100": 30, "010": 25, "001": 20}
# A and B overlap; C shares no record with them
C_ALONE = {"110": 20, "100": 30, "010": 25, "001": 15}
SHORT_LCMCR = dict(burnin=200, samples=50, thin=2, chains=2, threads=1)


def test_lists_that_do_not_overlap_should_raise_model_error_naming_them():
    d = toll.mse.Data.from_patterns(NO_OVERLAP, lists=["A", "B", "C"])
    msg = (r"no record is on two lists: the lists 'A', 'B' and 'C' do not "
           r"overlap, so multiple systems estimation has nothing to go on")
    with pytest.raises(toll.ModelError, match=msg):
        d.loglinear()
    with pytest.raises(toll.ModelError, match=msg):
        d.search("aic")
    with pytest.raises(toll.ModelError, match=msg):
        d.lcmcr(**SHORT_LCMCR)


def test_a_stratum_without_overlap_should_be_named_in_the_error():
    d = toll.mse.Data.from_patterns({"x": CORMACK, "y": NO_OVERLAP})
    d.loglinear(stratum="x")
    with pytest.raises(toll.ModelError, match="^stratum 'y': no record is on "
                                              "two lists"):
        d.average("aic")


def test_a_list_sharing_no_record_should_be_named_in_the_warnings():
    d = toll.mse.Data.from_patterns(C_ALONE, lists=["A", "B", "C"])
    w = "list 'C' shares no record with any other list"
    assert w in d.loglinear().warnings
    assert w in d.average("aic").warnings
    assert w in d.lcmcr(**SHORT_LCMCR).warnings
    assert not any("shares no record" in x
                   for x in toll.mse.Data.from_patterns(CORMACK)
                   .loglinear().warnings)
