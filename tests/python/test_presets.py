"""Import presets (UCDP GED, ACLED, Airwars, IBC), repairs, encodings, date
formats, and summaries by kept fields (docs/importers.md).

The fixtures in tests/data and data/ucdp always run; the real files are
read from $TOLL_SHARED_DATA (skipped without it)."""
import os

import pytest

from conftest import ROOT, shared_data, toll

TEST_DATA = os.path.join(ROOT, "tests", "data")
UCDP_SAMPLE = os.path.join(ROOT, "data", "ucdp", "ged241_myanmar_sample.csv")


def shared(rel):
    return shared_data(*rel.split("/"))


def rows(table):
    return table.rows()


GED_HEADER = ("id,relid,type_of_violence,dyad_new_id,side_a,side_b,country,"
              "adm_1,adm_2,date_prec,where_prec,date_start,date_end,low,best,"
              "high\n")


# -- UCDP GED ----------------------------------------------------------------

def test_ucdp_sample_should_load_one_report_per_event_with_repairs():
    reports = toll.read(UCDP_SAMPLE, preset="ucdp-ged")
    assert len(reports) == 113
    assert reports.rejects == []
    repairs = reports.repairs
    assert len(repairs) == 4
    first = repairs[0]
    assert first["field"] == "killed"
    assert first["text"] == "low 0, best 3, high 0"
    assert first["code"] == "TOLL_OK"
    assert first["file"].endswith("ged241_myanmar_sample.csv")
    assert "range widened to low 0, high 3 (best 3 kept)" in first["message"]
    assert [r["field"] for r in repairs].count("region") == 2
    assert reports.categories == ["killed"]


def test_ucdp_kept_fields_should_group_and_filter():
    inc = toll.read(UCDP_SAMPLE, preset="ucdp-ged").reconcile()
    t = inc.summarize(by=["dyad_dset_id", "period:year"],
                      where={"type_of_violence": "1"})
    assert t.columns[:2] == ["dyad_dset_id", "period"]
    got = {(r["dyad_dset_id"], r["period"]): (r["low"], r["best"], r["high"])
           for r in rows(t)}
    assert got[("428", "1991")] == (497, 552, 672)  # = BRD v24.1
    assert got[("428", "1989")] == (538, 1304, 1916)  # BRD high 1913 + repair
    assert ("144", "1992") not in got  # one-sided violence filtered out
    assert "where type_of_violence=1" in t.caption
    # several values of a field: any of them; several fields: all
    t2 = inc.summarize(by="type_of_violence",
                       where={"type_of_violence": ["1", "3"],
                              "active_year": "true"})
    assert [r["type_of_violence"] for r in rows(t2)] == ["1", "3"]
    t3 = inc.summarize(where=["type_of_violence=3", "dyad_dset_id=144"])
    assert rows(t3)[0]["incidents"] == 14  # of the 20 one-sided events


def test_kept_field_errors_should_be_option_errors():
    inc = toll.read(UCDP_SAMPLE, preset="ucdp-ged").reconcile()
    with pytest.raises(toll.OptionError) as ei:
        inc.summarize(by="dyad_id")
    assert "nor a kept field of the reports (kept fields: relid, year" in str(
        ei.value)
    with pytest.raises(toll.OptionError) as ei:
        inc.summarize(where={"violence": 1})
    assert ei.value.field == "where"
    with pytest.raises(toll.OptionError):
        inc.summarize(min_data_grade="fair")  # GED keeps no data_grade
    with pytest.raises(TypeError):
        inc.summarize(where={"type_of_violence": None})


def test_ucdp_dates_in_all_three_forms(tmp_path):
    text = (GED_HEADER
            + "1,R1,1,11,Gov,Reb,Myanmar,Kachin,,1,2,2022-11-05,2022-11-05,"
              "1,2,3\n"
            + "2,R2,1,11,Gov,Reb,Myanmar,Kachin,,1,2,2022-11-05 00:00:00.000,"
              "2022-11-07 00:00:00.000,0,0,0\n"
            + "3,R3,3,12,Gov,Civilians,Myanmar,,,4,5,2022-11-05T00:00:00,"
              "2022-11-30T00:00:00,5,5,9\n")
    reports = toll.Reports()
    reports.load_text(text, "ged.csv", format="csv", preset="ucdp-ged")
    t = reports.reconcile().table()
    assert t.column("date_start") == ["2022-11-05"] * 3
    assert t.column("date_end") == ["2022-11-05", "2022-11-07", "2022-11-30"]


def test_repair_false_should_reject_rows_out_of_order():
    text = (GED_HEADER
            + "1,R1,1,11,Gov,Reb,Myanmar,,,1,1,2019-01-01,2019-01-01,2,2,2\n"
            + "2,R2,1,11,Gov,Reb,Myanmar,,,1,1,2019-01-02,2019-01-02,6,6,5\n")
    reports = toll.Reports()
    with pytest.raises(toll.ReportError) as ei:
        reports.load_text(text, "ged.csv", format="csv", preset="ucdp-ged",
                          repair=False)
    assert ei.value.line == 3
    assert len(reports) == 0
    assert reports.load_text(text, "ged.csv", format="csv",
                             preset="ucdp-ged", repair=False,
                             lenient=True) == 1
    assert len(reports.rejects) == 1 and reports.repairs == []
    # repair=True works without a preset, through a column map
    r2 = toll.Reports()
    r2.load_text("lo,hi\n7,0\n", "x.csv", format="csv", repair=True,
                 map="killed=lo..hi,source='S'")
    assert r2.repairs[0]["text"] == "low 7, high 0"
    row = r2.reconcile().table().rows()[0]
    assert (row["low"], row["high"]) == (0, 7)


def test_unknown_preset_encoding_and_date_format_are_option_errors():
    with pytest.raises(toll.OptionError) as ei:
        toll.read(UCDP_SAMPLE, preset="gdelt")
    assert ei.value.field == "preset"
    assert "unknown preset 'gdelt'" in str(ei.value)
    reports = toll.Reports()
    with pytest.raises(toll.OptionError):
        reports.load_text("source\na\n", format="csv", encoding="ebcdic")
    with pytest.raises(toll.OptionError):
        reports.load_text("source\na\n", format="csv", date_format="%d-%q")


def test_preset_map_should_be_extendable():
    reports = toll.read(UCDP_SAMPLE, preset="ucdp-ged",
                        map="keep:violence=type_of_violence")
    inc = reports.reconcile()
    assert [r["violence"] for r in rows(inc.summarize(by="violence"))] == [
        "1", "3"]


# -- ACLED, Airwars, IBC fixtures ---------------------------------------------

def test_acled_sample():
    reports = toll.read(os.path.join(TEST_DATA, "acled_sample.csv"),
                        preset="acled")
    assert len(reports) == 6
    inc = reports.reconcile()
    t = inc.table()
    assert t.column("date_start") == ["2023-01-15", "2023-01-16",
                                      "2023-01-16", "2023-01-17",
                                      "2023-01-18", "2023-01-31"]
    assert t.column("region")[0] == "Syria/Idlib/Ariha/Ariha"
    by_type = {r["event_type"]: r["best"]
               for r in rows(inc.summarize(by="event_type"))}
    assert by_type == {"Battles": 16, "Explosions/Remote violence": 9,
                       "Protests": 0, "Violence against civilians": 0}
    civ = inc.summarize(where={"civilian_targeting": "civilian targeting"})
    assert rows(civ)[0]["incidents"] == 2


def test_airwars_sample_grades_and_attribution():
    reports = toll.read(os.path.join(TEST_DATA, "airwars_sample.csv"),
                        preset="airwars")
    inc = reports.reconcile()
    grades = [r["data_grade"] for r in rows(inc.summarize(by="data_grade"))]
    # (the incident without a grade has no known death toll: not counted)
    assert grades == ["Confirmed", "Fair", "Weak", "Contested", "Discounted"]
    fair = inc.summarize(by="actor", min_data_grade="fair",
                         attribution="split")
    got = {r["actor"]: (r["low"], r["high"]) for r in rows(fair)}
    assert got == {"Iranian Military": (2, 5), "Russian Military": (15, 51),
                   "Turkish Military": (5, 6)}
    contested = inc.summarize(by="actor", attribution="each",
                              where={"data_grade": "contested"})
    assert {r["actor"] for r in rows(contested)} == {
        "Russian Military", "Turkish Military", "YPG"}
    assert not contested.additive


def test_ibc_sample_latin1_cr_and_bad_rows():
    path = os.path.join(TEST_DATA, "ibc_sample.csv")
    with pytest.raises(toll.ReportError) as ei:
        toll.read(path, preset="ibc")
    assert ei.value.line == 4 and ei.value.field == "Min"
    reports = toll.read(path, preset="ibc", lenient=True)
    assert len(reports) == 3
    assert [r["line"] for r in reports.rejects] == [4, 5]
    t = reports.reconcile().table()
    assert t.column("date_start") == ["2003-03-20", "2003-03-21",
                                      "2009-12-31"]
    assert t.column("date_end")[0] == "2003-04-09"


def test_encoding_and_date_format_options():
    reports = toll.Reports()
    reports.load_text(b"source,note,date\nS,caf\xe9,20-Mar-03\n", "x.csv",
                      format="csv", encoding="latin-1",
                      date_format="%d-%b-%y")
    t = reports.reconcile().table()
    assert t.column("date_start") == ["2003-03-20"]


# -- the real files --------------------------------------------------------------

@pytest.mark.parametrize("rel, n, repairs", [
    ("ucdp/ucdp_ged_myanmar.csv", 7374, 12),
    ("ucdp/ucdp_ged_mexico.csv", 18957, 89),
    ("ucdp/ucdp_ged_syria_2016_2019.csv", 16566, 101),
])
def test_real_ucdp_files(rel, n, repairs):
    reports = toll.read(shared(rel), preset="ucdp-ged")
    assert len(reports) == n
    assert len(reports.repairs) == repairs
    kinds = {r["field"] for r in reports.repairs}
    assert kinds <= {"killed", "region"}
    # every repair widened a range: the message says how
    assert all("widened" in r["message"] or "region cut" in r["message"]
               for r in reports.repairs)
    # precision codes are kept and can be filtered on
    inc = reports.reconcile()
    exact = inc.summarize(where={"date_prec": "1"})
    assert 0 < rows(exact)[0]["incidents"] < n


def test_real_airwars_file():
    reports = toll.read(shared(
        "airwars/airwars_syria_incidents_normalized_996.csv"),
        preset="airwars", lenient=True)
    # one incident (CS1033) gives longitude 4239.00416: rejected
    assert len(reports) == 995
    assert [(r["line"], r["field"], r["text"]) for r in reports.rejects] == [
        (405, "longitude", "4239.00416")]
    inc = reports.reconcile()
    g = {r["data_grade"]: r["incidents"]
         for r in rows(inc.summarize(by="data_grade"))}
    # incidents with a known civilian death toll, by grade
    assert g == {"Confirmed": 2, "Fair": 270, "Weak": 5, "Contested": 198,
                 "": 3}


def test_real_ibc_file():
    path = shared("ibc/ibc_esoc_incidents_2003_2009.csv")
    with pytest.raises(toll.ReportError) as ei:
        toll.read(path, preset="ibc")
    assert ei.value.line == 6
    reports = toll.read(path, preset="ibc", lenient=True)
    assert len(reports) == 21079
    rejects = reports.rejects
    assert len(rejects) == 21
    assert sum("is greater than high" in r["message"] for r in rejects) == 18
    assert sum("empty region level" in r["message"] for r in rejects) == 3
