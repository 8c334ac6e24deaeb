"""Reports.reconcile and toll.Incidents."""
import gc
import weakref

import pytest

import toll
from conftest import RECORDS


def killed_rows(incidents):
    return {row["incident"]: row for row in incidents.table().rows()
            if row["category"] == "killed"}


def test_reconcile_should_make_one_incident_per_key(incidents):
    assert len(incidents) == 3
    assert "3 incidents" in repr(incidents)


def test_envelope_should_take_min_low_max_high_and_median_best(incidents):
    a = killed_rows(incidents)["aleppo-1"]
    assert (a["low"], a["best"], a["high"]) == (85.0, 92.0, 150.0)
    assert a["reports"] == 4
    assert a["sources"] == 3


def test_envelope_should_flag_open_and_denied(incidents):
    a = killed_rows(incidents)["aleppo-1"]
    assert a["open"] == 1
    assert a["denied"] == 1
    assert killed_rows(incidents)["idlib-2"]["open"] == 0


def test_self_report_should_be_kept_as_the_partys_figure(incidents):
    a = killed_rows(incidents)["aleppo-1"]
    assert a["self_source"] == "MoD"
    assert a["self_low"] == 0.0
    b = killed_rows(incidents)["idlib-2"]
    assert b["self_source"] is None
    assert b["self_low"] is None


def test_provenance_should_name_the_reports_that_set_the_bounds(
        jsonl_path, incidents):
    a = killed_rows(incidents)["aleppo-1"]
    assert a["low_source"] == "Headline"
    assert a["high_source"] == "White Helmets"
    assert a["low_report"] == f"{jsonl_path}:2"
    assert a["high_report"] == f"{jsonl_path}:3"


def test_grades_should_reflect_corroboration(incidents):
    rows = killed_rows(incidents)
    assert rows["aleppo-1"]["grade"] == "corroborated"
    assert rows["idlib-2"]["grade"] == "single"


def test_conservative_should_take_the_lowest_figure(reports):
    a = killed_rows(reports.reconcile(policy="conservative"))["aleppo-1"]
    assert (a["low"], a["best"], a["high"]) == (85.0, 85.0, 85.0)


def test_including_self_reports_should_lower_the_low_bound(reports):
    inc = reports.reconcile(self_reports="include")
    assert inc.self_reports == "include"
    a = killed_rows(inc)["aleppo-1"]
    assert a["low"] == 0.0
    assert a["low_source"] == "MoD"


def test_policy_names_should_be_case_insensitive(reports):
    inc = reports.reconcile(policy="Conservative", self_reports="EXCLUDE")
    assert inc.policy == "conservative"
    assert inc.self_reports == "exclude"


def test_bad_policy_should_raise_option_error_naming_it(reports):
    with pytest.raises(toll.OptionError) as ei:
        reports.reconcile(policy="generous")
    assert "policy" in str(ei.value) and "generous" in str(ei.value)
    assert ei.value.field == "policy"
    with pytest.raises(toll.OptionError, match="self"):
        reports.reconcile(self_reports="maybe")


def test_incidents_table_should_list_each_incident_and_category(incidents):
    t = incidents.table()
    assert t.nkeys == 0
    assert t.nrows == 5
    assert t.columns[:2] == ["incident", "category"]
    for name in ("date_start", "date_end", "region", "actor", "grade",
                 "reports", "sources", "low", "best", "high", "open",
                 "denied", "contested", "low_source", "high_source"):
        assert name in t.columns
    pairs = list(zip(t.column("incident"), t.column("category")))
    assert ("idlib-2", "children_killed") in pairs
    assert ("aleppo-1", "injured") in pairs


def test_multi_day_incident_should_keep_its_span(incidents):
    b = killed_rows(incidents)["idlib-2"]
    assert (b["date_start"], b["date_end"]) == ("2016-10-03", "2016-10-05")


def test_joint_attribution_should_join_the_actor_set(incidents):
    assert killed_rows(incidents)["homs-3"]["actor"] == "Russia + Syria"


def test_incidents_reports_should_be_the_source_reports(reports, incidents):
    assert incidents.reports is reports
    assert incidents._c.reports is reports._c


def test_incidents_should_keep_their_reports_alive(jsonl_path):
    r = toll.read(jsonl_path)
    core = weakref.ref(r._c)
    inc = r.reconcile()
    del r
    gc.collect()
    assert core() is not None
    assert len(inc.table()) == 5
    del inc
    gc.collect()
    assert core() is None


def test_incidents_to_pandas_should_match_the_table(incidents):
    pytest.importorskip("pandas")
    df = incidents.to_pandas()
    assert list(df.columns) == incidents.table().columns
    assert df["low"].tolist() == incidents.table().column("low")


def test_core_incidents_should_not_be_created_directly():
    with pytest.raises(TypeError):
        toll._core.Incidents()


def test_reconcile_of_empty_reports_should_give_no_incidents():
    inc = toll.Reports().reconcile()
    assert len(inc) == 0
    assert inc.table().nrows == 0


def test_unkeyed_report_should_be_an_incident_of_its_own():
    recs = [dict(RECORDS[0], incident=None), dict(RECORDS[1], incident=None)]
    inc = toll.Reports.from_records(recs).reconcile()
    assert len(inc) == 2


# ---- actor identity: Unicode case folding, white space collapsed ----------

DENIAL = [
    {"incident": "i1", "source": "Ministry", "source_actor": "russia",
     "actor": "Russia", "date": "2024-03-01", "killed": 0},
    {"incident": "i1", "source": "SOHR", "source_kind": "monitor",
     "actor": "Russia", "date": "2024-03-01", "killed": 12},
]


def test_self_report_denial_in_another_case_should_not_be_independent():
    inc = toll.Reports.from_records(DENIAL).reconcile()
    (row,) = killed_rows(inc).values()
    assert (row["low"], row["high"]) == (12.0, 12.0)
    assert row["grade"] == "single"
    assert row["sources"] == 1
    assert row["self_source"] == "Ministry"
    assert row["denied"] == 1


def test_actor_spellings_should_be_one_actor_labelled_as_first_seen():
    recs = [
        {"incident": "a", "source": "X", "actor": "Österreich", "killed": 1},
        {"incident": "b", "source": "Y", "actor": " ÖSTERREICH ", "killed": 2},
        {"incident": "c", "source": "Z", "actor": "österreich", "killed": 3},
    ]
    t = toll.Reports.from_records(recs).reconcile().summarize(by="actor")
    rows = [r for r in t.rows() if r["actor"] != "Total"]
    assert [(r["actor"], r["incidents"]) for r in rows] == [("Österreich", 3)]


def test_actors_filter_should_fold_the_typed_name():
    inc = toll.Reports.from_records(DENIAL).reconcile()
    for typed in ("RUSSIA", "  russia ", "Russia"):
        t = inc.summarize(by="actor", actors=typed)
        assert [r["actor"] for r in t.rows()][:1] == ["russia"], typed


def test_where_actor_should_be_the_actors_filter_by_identity():
    inc = toll.Reports.from_records(DENIAL).reconcile()
    for where in ("actor=RUSSIA", ["Actor= russia "], {"actor": "Russia"}):
        t = inc.summarize(by="actor", where=where)
        assert [r["actor"] for r in t.rows()] == ["russia"], where
        assert "; actors " in t.caption
