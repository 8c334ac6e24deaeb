"""toll.mse: does the log-linear estimate exist? and leave-one-list-out.

The existence cases are those of tests/test_mse_exist.c, worked out by
hand there (Fienberg and Rinaldo 2012); the leave-one-list-out rows are
checked against fits of the lists left, and the two-list rows against
Lincoln-Petersen.  The Kosovo lists come from $TOLL_SHARED_DATA (skipped
without it).
"""
import math
import subprocess
import os

import pytest

import toll
import toll.mse
from conftest import shared_data

P3 = ["111", "110", "101", "100", "011", "010", "001"]
# 111 empty: the all-pairs model of three lists has no estimate
ZERO111 = {"110": 10, "101": 8, "100": 30, "011": 6, "010": 25, "001": 20}
ALL_PAIRS = "A*B + A*C + B*C"
ALL_PAIRS_NAME = "A + B + C + A*B + A*C + B*C"


def test_estimate_exists_should_name_the_empty_cell_it_forces_to_zero():
    d = toll.mse.Data.from_patterns(ZERO111)
    ok, why = d.estimate_exists(ALL_PAIRS)
    assert ok is False
    assert "empty cell 111 " in why
    assert d.estimate_exists("A*B") == (True, "")
    assert d.estimate_exists() == (True, "")


def test_estimate_exists_of_a_total_should_name_the_failing_stratum():
    full = dict(ZERO111, **{"111": 4})
    d = toll.mse.Data.from_patterns({"north": full, "south": ZERO111})
    assert d.estimate_exists(ALL_PAIRS, stratum="north") == (True, "")
    ok, why = d.estimate_exists(ALL_PAIRS)
    assert not ok and why.startswith("stratum 'south': ")


def test_loglinear_should_raise_model_error_when_the_estimate_does_not_exist():
    d = toll.mse.Data.from_patterns(ZERO111)
    with pytest.raises(toll.ModelError) as exc:
        d.loglinear(ALL_PAIRS)
    assert "estimate does not exist" in str(exc.value)
    assert ALL_PAIRS_NAME in str(exc.value)


def test_search_should_list_skipped_models_with_their_reasons():
    d = toll.mse.Data.from_patterns(ZERO111)
    res = d.search("aic")
    assert len(res) == 7
    assert [m for m, _ in res.skipped_models] == [ALL_PAIRS_NAME]
    assert res.skipped_models[0][1].startswith("estimate does not exist: ")
    assert ALL_PAIRS_NAME not in [e.model for e in res]
    assert math.isfinite(res.average.n_hat)
    assert "1 skipped" in res._repr_html_()


def test_search_without_zero_cells_should_skip_nothing():
    d = toll.mse.Data.from_patterns(dict(zip(P3, [72, 5, 29, 54, 24, 3, 14])))
    res = d.search("aic")
    assert res.skipped == 0 and res.skipped_models == [] and len(res) == 8


def test_leave_one_out_should_give_a_table_with_a_row_per_dropped_list():
    d = toll.mse.Data.from_patterns(
        {"111": 5, "110": 10, "101": 6, "100": 40, "011": 4, "010": 30,
         "001": 20})
    t = d.leave_one_out()
    assert isinstance(t, toll.Table)
    assert t.columns == ["dropped", "lists", "model", "observed", "n_hat",
                         "se", "lower", "upper", "interval", "warning"]
    rows = t.rows()
    assert [r["dropped"] for r in rows] == ["A", "B", "C"]
    assert rows[2]["lists"] == "A, B" and rows[2]["model"] == "A + B"
    # without C: n1 = 61, n2 = 49, m = 15, Lincoln-Petersen 61 * 49 / 15
    lp = d.lincoln_petersen("A", "B")
    assert rows[2]["n_hat"] == pytest.approx(61 * 49 / 15, rel=1e-9)
    assert rows[2]["se"] == pytest.approx(lp.se, rel=1e-6)
    assert rows[2]["observed"] == 95
    df = t.to_pandas()
    assert list(df["dropped"]) == ["A", "B", "C"]
    assert "<table" in t._repr_html_()


def test_leave_one_out_should_drop_the_interactions_of_the_dropped_list():
    d = toll.mse.Data.from_patterns(
        {"111": 5, "110": 10, "101": 6, "100": 40, "011": 4, "010": 30,
         "001": 20})
    rows = d.leave_one_out(model="A*B + B*C").rows()
    assert [r["model"] for r in rows] == ["B + C + B*C", "A + C", "A + B + A*B"]
    # the two saturated two-list rows say so, with no numbers
    assert rows[0]["n_hat"] is None and "saturated" in rows[0]["warning"]
    ac = toll.mse.Data.from_patterns({"11": 11, "10": 50, "01": 24},
                                     lists=["A", "C"])
    assert rows[1]["n_hat"] == pytest.approx(ac.loglinear().n_hat, rel=1e-9)


def test_leave_one_out_should_refuse_two_lists():
    d = toll.mse.Data.from_patterns({"11": 10, "10": 40, "01": 30})
    with pytest.raises(toll.OptionError, match="at least 3 lists"):
        d.leave_one_out()


def test_leave_one_out_should_refuse_an_unknown_list_in_the_model():
    d = toll.mse.Data.from_patterns(ZERO111)
    with pytest.raises(toll.TollError, match="Q"):
        d.leave_one_out(model="A*Q")


def test_leave_one_out_should_run_on_the_kosovo_lists():
    d = toll.mse.read(shared_data("mse", "kosovo_lists.csv"))
    rows = d.leave_one_out().rows()
    assert [r["observed"] for r in rows] == [3269, 3555, 3464, 4094]
    for r in rows:
        assert r["lower"] < r["n_hat"] < r["upper"]
        assert r["interval"] == "profile"
    # the row without A is the independence fit of B, C, D
    merged = {}
    for p, n in d.counts().items():
        if p[1:] != "000" and n:
            merged[p[1:]] = merged.get(p[1:], 0) + n
    bcd = toll.mse.Data.from_patterns(merged, lists=["B", "C", "D"])
    assert rows[0]["n_hat"] == pytest.approx(bcd.loglinear().n_hat, rel=1e-9)


def test_cli_and_python_should_agree_on_leave_one_out(tmp_path):
    cli = os.environ.get("TOLL_CLI")
    if not cli:
        pytest.skip("skipped: no toll CLI built (set TOLL_CLI)")
    path = tmp_path / "zero111.csv"
    path.write_text("pattern,count\n" + "".join(
        f"{p},{c}\n" for p, c in ZERO111.items()))
    out = subprocess.run([cli, "mse", str(path), "--sensitivity", "lists",
                          "--model", "A*B", "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout
    d = toll.mse.read(str(path))
    assert out == d.leave_one_out(model="A*B").render("csv")
