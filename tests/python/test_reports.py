"""toll.read / toll.Reports: loading from files, text, records and pandas."""
import gc
import json
import os
import pathlib

import pytest

import toll
from conftest import RECORDS, records_csv, records_jsonl, shared_data


def test_read_should_load_json_lines(jsonl_path):
    r = toll.read(jsonl_path)
    assert len(r) == len(RECORDS)
    assert r.categories == ["killed", "injured", "children_killed"]
    assert r.rejects == []


def test_read_should_load_a_json_array(json_path):
    assert len(toll.read(json_path)) == len(RECORDS)


def test_read_should_load_csv(csv_path):
    r = toll.read(csv_path)
    assert len(r) == len(RECORDS)
    assert set(r.categories) == {"killed", "injured", "children_killed"}


def test_read_should_accept_str_and_path_objects(jsonl_path):
    assert len(toll.read(str(jsonl_path))) == len(toll.read(
        pathlib.Path(jsonl_path)))


def test_read_should_honour_an_explicit_format(tmp_path):
    p = tmp_path / "reports.txt"
    p.write_text(records_jsonl())
    assert len(toll.read(p, format="jsonl")) == len(RECORDS)


def test_read_should_use_a_column_map_spec(tmp_path):
    p = tmp_path / "airwars.csv"
    p.write_text("code,who,min,max,day\n"
                 "a1,Russia,13,46,2016-09-25\n"
                 "a2,Syria,2,5,2016-09-26\n")
    r = toll.read(p, map="incident=code,source=who,killed=min..max,"
                         "date=day")
    assert len(r) == 2
    t = r.reconcile().table()
    assert t.column("low") == [13.0, 2.0]
    assert t.column("high") == [46.0, 5.0]


def test_read_should_use_a_column_map_dict_and_file(tmp_path):
    p = tmp_path / "ged.csv"
    p.write_text("id,side_a,low,best,high\n1,Govt,3,4,6\n")
    r = toll.read(p, map={"source": "side_a",
                          "killed": {"low": "low", "high": "high"}})
    t = r.reconcile().table()
    assert (t.column("low"), t.column("high")) == ([3.0], [6.0])
    mp = tmp_path / "map.json"
    mp.write_text(json.dumps({"source": "side_a",
                              "killed": {"low": "low", "high": "high"}}))
    t2 = toll.read(p, map_file=mp).reconcile().table()
    assert t2.column("high") == [6.0]


def test_read_should_use_separators_and_delimiter(tmp_path):
    p = tmp_path / "semi.csv"
    p.write_text("source;actor;region;killed\n"
                 "A;Russia|Syria;Syria>Aleppo;5\n")
    r = toll.read(p, delimiter=";", actor_sep="|", region_sep=">")
    t = r.reconcile().table()
    assert t.column("actor") == ["Russia + Syria"]
    assert t.column("region") == ["Syria/Aleppo"]


def test_read_should_use_the_lexicon_option(tmp_path):
    p = tmp_path / "vague.jsonl"
    p.write_text('{"source": "A", "killed": "dozens"}\n')
    default = toll.read(p).reconcile().table().column("low")
    acled = toll.read(p, lexicon="acled").reconcile().table().column("low")
    assert default != acled
    lex = toll.Lexicon("empty")
    lex.set("dozens", 7, 7)
    assert toll.read(p, lexicon=lex).reconcile().table().column("low") == [
        7.0]


def test_read_should_use_about_tolerance(tmp_path):
    p = tmp_path / "about.jsonl"
    p.write_text('{"source": "A", "killed": "about 100"}\n')
    t = toll.read(p, about_tolerance=0.2).reconcile().table()
    assert (t.column("low"), t.column("high")) == ([80.0], [120.0])


def test_from_records_should_load_dicts(records):
    r = toll.Reports.from_records(records)
    assert len(r) == len(records)
    assert r.categories == ["killed", "injured", "children_killed"]


def test_from_records_should_accept_an_empty_list():
    r = toll.Reports.from_records([])
    assert len(r) == 0


def test_from_records_should_reject_non_dicts():
    with pytest.raises(TypeError, match="record 1"):
        toll.Reports.from_records([{"source": "a"}, ["not", "a", "dict"]])


def test_load_should_append_and_return_the_count(jsonl_path, csv_path):
    r = toll.Reports()
    assert r.load(jsonl_path) == len(RECORDS)
    assert r.load(csv_path) == len(RECORDS)
    assert len(r) == 2 * len(RECORDS)


def test_load_text_should_sniff_the_format():
    r = toll.Reports()
    assert r.load_text(records_jsonl(), name="mem.jsonl") == len(RECORDS)
    assert r.load_text(json.dumps(RECORDS).encode()) == len(RECORDS)
    assert r.load_text(records_csv(), format="csv") == len(RECORDS)
    assert len(r) == 3 * len(RECORDS)


def test_lenient_load_should_list_rejects(records):
    records.insert(1, {"source": "bad", "killed": "at leest 5"})
    records.append({"killed": 3})
    r = toll.Reports.from_records(records, lenient=True)
    assert len(r) == len(RECORDS)
    rej = r.rejects
    assert [x["record"] for x in rej] == [1, len(records) - 1]
    assert rej[0]["code"] == "TOLL_EPARSE"
    assert rej[0]["field"] == "killed"
    assert rej[0]["text"] == "at leest 5"
    assert rej[0]["line"] == 2
    assert "at leest 5" in rej[0]["message"]
    assert rej[1]["code"] == "TOLL_EREPORT"
    assert "source" in rej[1]["message"]


def test_rejects_should_be_cleared_by_the_next_load(records):
    r = toll.Reports.from_records([{"killed": 3}], lenient=True)
    assert len(r.rejects) == 1
    r.load_records(records, lenient=True)
    assert r.rejects == []


def test_failed_load_should_clear_the_rejects_and_keep_the_reports(records):
    r = toll.Reports.from_records(records)
    r.load_records([{"killed": 3}], lenient=True)
    assert len(r.rejects) == 1
    inc = r.reconcile()
    with pytest.raises(toll.ParseError):
        r.load_text('{"source": "x", "killed": "at leest 5"}\n',
                    format="jsonl")
    assert r.rejects == []
    assert len(r) == len(records)
    assert r.reconcile().table().to_dict() == inc.table().to_dict()


def test_strict_load_failure_should_leave_earlier_data_intact(jsonl_path):
    r = toll.read(jsonl_path)
    before = r.reconcile().table().to_dict()
    gc.collect()
    bad = records_jsonl() + '{"source": "x", "killed": "at leest 5"}\n'
    with pytest.raises(toll.ParseError):
        r.load_text(bad, name="bad.jsonl")
    assert len(r) == len(RECORDS)
    assert r.categories == ["killed", "injured", "children_killed"]
    assert r.reconcile().table().to_dict() == before


def test_load_should_work_while_incidents_exist_and_leave_them_as_made(
        jsonl_path):
    r = toll.read(jsonl_path)
    inc = r.reconcile()
    before = inc.table().to_dict()
    assert r.load(jsonl_path) == len(RECORDS)
    assert len(inc) == 3
    assert inc.table().to_dict() == before
    assert len(r) == 2 * len(RECORDS)


def test_load_after_a_displayed_and_deleted_incidents_should_work(jsonl_path):
    # Jupyter: the output history (Out[]) keeps a displayed object alive
    # after `del inc`
    r = toll.read(jsonl_path)
    inc = r.reconcile()
    html = inc._repr_html_()
    summary = inc.summarize(by="actor").to_dict()
    out_history = [inc]
    del inc
    gc.collect()
    assert r.load(jsonl_path) == len(RECORDS)
    old = out_history[0]
    assert old._repr_html_() == html
    assert old.summarize(by="actor").to_dict() == summary
    # a new reconcile sees the new reports (each incident twice as many)
    assert r.reconcile().table().to_dict() != old.table().to_dict()


def test_reports_repr_should_show_the_count(reports):
    assert repr(reports) == f"<toll.Reports: {len(RECORDS)} reports>"


REPORT_COLUMNS = ["report", "incident", "source", "source_kind",
                  "source_actor", "date_start", "date_end", "region",
                  "actor", "id", "url", "note", "lat", "lon", "location",
                  "precision_km"]


def test_to_pandas_should_list_reports_loaded_from_a_file(jsonl_path):
    pytest.importorskip("pandas")
    df = toll.read(jsonl_path).to_pandas()
    assert list(df.columns) == REPORT_COLUMNS + [
        "killed_low", "killed_best", "killed_high", "injured_low",
        "injured_best", "injured_high", "children_killed_low",
        "children_killed_best", "children_killed_high"]
    assert len(df) == len(RECORDS)
    assert df["report"].iloc[0] == f"{jsonl_path}:1"
    assert df["source"].tolist() == [r["source"] for r in RECORDS]


def _values(column):
    """A DataFrame column as a list, missing values as None."""
    return [None if v is None or v != v else v for v in column.tolist()]


def test_to_pandas_should_show_each_record(records):
    pd = pytest.importorskip("pandas")
    df = toll.Reports.from_records(records).to_pandas()
    assert df["report"].tolist() == [f"<records>:{i + 1}"
                                     for i in range(len(records))]
    assert _values(df["incident"]) == [r.get("incident") for r in records]
    assert df["source_kind"].tolist() == [r["source_kind"] for r in records]
    assert _values(df["source_actor"]) == [None, None, None, "Russia", None,
                                           None]
    assert df["date_start"].tolist()[3:5] == [pd.Timestamp("2016-09-25"),
                                              pd.Timestamp("2016-10-03")]
    assert df["date_end"].iloc[4] == pd.Timestamp("2016-10-05")
    assert _values(df["region"])[3] is None
    assert df["actor"].tolist()[4:] == ["Syria", "Russia + Syria"]
    assert df["note"].iloc[5] == '<b>bold</b> & "quoted"'
    assert df["killed_low"].tolist() == [92, 85, 150, 0, 27, 12]
    assert df["killed_high"].tolist()[:3] == [92, 85, float("inf")]
    assert df["killed_best"].iloc[5] == 13.5
    assert df["injured_low"].isna().tolist() == [True, True, False, True,
                                                 True, True]
    assert df["children_killed_low"].iloc[4] == 4


def test_to_pandas_should_be_a_copy(records):
    pd = pytest.importorskip("pandas")
    r = toll.Reports.from_records(records)
    out = r.to_pandas()
    out.loc[0, "source"] = "changed"
    assert r.to_pandas()["source"].iloc[0] == "SNHR"


def test_from_pandas_should_store_what_from_records_stores():
    pd = pytest.importorskip("pandas")
    np = pytest.importorskip("numpy")
    df = pd.DataFrame({
        "incident": ["a", "a", "b", None],
        "source": ["SNHR", "AFP", "SOHR", "UN"],
        "source_kind": ["monitor", "media", None, "un"],
        "date": pd.to_datetime(["2016-09-25", "2016-09-25", None,
                                "2016-10-01"]),
        "region": ["Syria/Aleppo", None, "Syria/Idlib", "Syria"],
        "actor": [["Russia"], ["Russia", "Syria"], None, ["Syria"]],
        "killed": [92, np.nan, 5, 7],
        "injured": ["dozens", None, "3", "at least 2"],
        "count": np.array([1, 2, 3, 4], dtype=np.int32),
        "note": ["x", "", None, "<b>"],
    })
    original = df.copy(deep=True)
    out = toll.Reports.from_pandas(df).to_pandas()
    pd.testing.assert_frame_equal(df, original)  # input untouched
    recs = [
        {"incident": "a", "source": "SNHR", "source_kind": "monitor",
         "date": "2016-09-25", "region": "Syria/Aleppo", "actor": ["Russia"],
         "killed": 92, "injured": "dozens", "count": 1, "note": "x"},
        {"incident": "a", "source": "AFP", "source_kind": "media",
         "date": "2016-09-25", "actor": ["Russia", "Syria"], "count": 2,
         "note": ""},
        {"incident": "b", "source": "SOHR", "region": "Syria/Idlib",
         "killed": 5, "injured": "3", "count": 3},
        {"source": "UN", "source_kind": "un", "date": "2016-10-01",
         "region": "Syria", "actor": ["Syria"], "killed": 7,
         "injured": "at least 2", "count": 4, "note": "<b>"},
    ]
    pd.testing.assert_frame_equal(out, toll.Reports.from_records(
        recs).to_pandas())
    assert out["count"].tolist() == ["1", "2", "3", "4"]


def test_from_pandas_should_reconcile_like_from_records(records):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame.from_records(records)
    a = toll.Reports.from_pandas(df).reconcile().summarize(by="actor")
    b = toll.Reports.from_records(records).reconcile().summarize(by="actor")
    assert a.to_dict() == b.to_dict()


def test_from_pandas_errors_should_name_the_record():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["a", "b"], "killed": ["5", "at leest 5"]})
    with pytest.raises(toll.ParseError) as ei:
        toll.Reports.from_pandas(df)
    assert ei.value.record == 1
    assert ei.value.field == "killed"
    assert "<records>:2" in str(ei.value)


def test_from_pandas_should_read_an_integer_year_as_a_date(tmp_path):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["a", "b"], "year": [2014, 2015],
                       "killed": [3, 4]})
    assert df["year"].dtype.kind == "i"
    path = tmp_path / "years.csv"
    df.to_csv(path, index=False)
    frame = toll.Reports.from_pandas(df, map="date=year").to_pandas()
    text = toll.read(path, map="date=year").to_pandas()
    assert frame["date_start"].tolist() == [pd.Timestamp("2014-01-01"),
                                            pd.Timestamp("2015-01-01")]
    assert frame["date_end"].tolist() == [pd.Timestamp("2014-12-31"),
                                          pd.Timestamp("2015-12-31")]
    assert frame[["date_start", "date_end"]].equals(
        text[["date_start", "date_end"]])


@pytest.mark.parametrize("value", [float("inf"), float("-inf")])
def test_from_pandas_should_refuse_an_infinite_count(value):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["a", "b"], "killed": [3.0, value]})
    with pytest.raises(toll.ParseError) as ei:
        toll.Reports.from_pandas(df)
    assert ei.value.record == 1  # counted from 0: the second row
    assert ei.value.field == "killed"
    assert "inf" in ei.value.text
    assert "<records>:2" in str(ei.value)


@pytest.mark.parametrize("value", [float("nan"), None])
def test_from_pandas_should_read_nan_and_none_counts_as_unknown(value):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["a", "b"], "killed": [3, value]})
    out = toll.Reports.from_pandas(df).to_pandas()
    assert out["killed_low"].isna().tolist() == [False, True]


def test_from_pandas_lenient_should_drop_rejected_rows():
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"source": ["a", "b", "c"],
                       "killed": ["5", "at leest 5", "7"]})
    r = toll.Reports.from_pandas(df, lenient=True)
    assert len(r) == 2
    out = r.to_pandas()
    assert out["source"].tolist() == ["a", "c"]
    assert out["report"].tolist() == ["<records>:1", "<records>:3"]


def test_from_pandas_should_need_a_dataframe():
    pytest.importorskip("pandas")
    with pytest.raises(TypeError):
        toll.Reports.from_pandas([{"source": "a"}])


def test_read_should_load_real_ucdp_data():
    path = shared_data("ucdp", "ucdp_ged_myanmar.csv")
    r = toll.read(path, map="incident=id,source=source_article,"
                            "killed=low..best..high,actor=side_a,"
                            "region=country/adm_1", lenient=True)
    assert len(r) > 7000
    t = r.reconcile().summarize(by="period:year")
    assert t.nrows > 10


def _seeds_path():
    from conftest import ROOT
    p = pathlib.Path(ROOT) / "data" / "seeds.jsonl"
    if not p.exists():
        pytest.skip("data/seeds.jsonl not present")
    return p


def test_read_should_load_the_bundled_seeds():
    p = _seeds_path()
    r = toll.read(p)
    n = sum(1 for line in p.read_text(encoding="utf-8").splitlines()
            if line.strip())
    assert len(r) == n
    t = r.reconcile().summarize(by=["actor", "period:year"])
    assert t.nrows > 0
    assert "killed" in t.caption


def test_seed_records_should_round_trip_through_pandas():
    pd = pytest.importorskip("pandas")
    p = _seeds_path()
    recs = [json.loads(line) for line in
            p.read_text(encoding="utf-8").splitlines() if line.strip()]
    df = pd.DataFrame.from_records(recs)
    r = toll.Reports.from_pandas(df)
    pd.testing.assert_frame_equal(r.to_pandas().drop(columns="report"),
                                  toll.read(p).to_pandas().drop(
                                      columns="report"))
    by = ["actor", "period:year"]
    a = r.reconcile().summarize(by=by).to_csv()
    b = toll.read(p).reconcile().summarize(by=by).to_csv()
    assert a == b


def test_reading_while_another_thread_loads_should_never_crash():
    import threading
    big = records_jsonl(RECORDS * 20000).encode()  # 120,000 reports
    r = toll._core.Reports()
    done = threading.Event()
    seen = set()

    def load():
        try:
            r.load_buffer(big, "<big>")  # alongside a running reconcile
        finally:
            done.set()

    t = threading.Thread(target=load)
    t.start()
    while not done.is_set():
        seen.add(len(r))  # before the load or after it, never a part
        r.reconcile()
    t.join()
    assert len(r) == len(RECORDS) * 20000
    assert seen <= {0, len(RECORDS) * 20000}


def _same_store(recs, tmp_path):
    """from_records(recs) and read() of the same records as a JSON file
    store the same reports (only the file name in `report` differs)."""
    pd = pytest.importorskip("pandas")
    p = tmp_path / "recs.json"
    p.write_text(json.dumps(recs), encoding="utf-8")
    a = toll.Reports.from_records(recs).to_pandas()
    b = toll.read(p).to_pandas()
    assert a["report"].tolist() == [f"<records>:{i + 1}"
                                    for i in range(len(recs))]
    pd.testing.assert_frame_equal(a.drop(columns="report"),
                                  b.drop(columns="report"))


def test_from_records_and_read_should_store_the_same_reports(records,
                                                              tmp_path):
    _same_store(records, tmp_path)


def test_from_records_and_read_should_store_the_same_bench_reports(tmp_path):
    """The first 5,000 reports of the bench file (bench/gen.py writes it to
    bench/out, or to the folder named by TOLL_BENCH_OUT)."""
    from conftest import ROOT
    out = os.environ.get("TOLL_BENCH_OUT",
                         os.path.join(ROOT, "bench", "out"))
    path = pathlib.Path(out) / "reports_1e5.jsonl"
    if not path.exists():
        pytest.skip(f"{path} not present (python bench/gen.py --sizes 1e5)")
    recs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
            if len(recs) == 5000:
                break
    _same_store(recs, tmp_path)


# --------------------------------------------------------------------------
# Warnings, field names in any case, the date window

CATALOGUE = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))), "tests", "catalogue")


def test_toll_warning_should_be_an_exported_user_warning():
    assert issubclass(toll.TollWarning, UserWarning)
    assert "TollWarning" in toll.__all__


def test_read_without_any_category_should_warn_with_the_kept_fields(tmp_path):
    p = tmp_path / "deaths.csv"
    p.write_text("source,deaths,place\nA,5,X\n")
    with pytest.warns(toll.TollWarning,
                      match="no report carries any casualty category") as rec:
        r = toll.read(p)
    assert len(r) == 1
    assert "'deaths', 'place'" in str(rec[0].message)
    assert "map=" in str(rec[0].message)
    # located at the caller, not inside the package
    assert rec[0].filename == __file__
    assert [w["file"] for w in r.warnings] == [str(p)]
    assert r.warnings[0]["code"] == "TOLL_OK"


def test_load_records_and_pandas_without_any_category_should_warn():
    with pytest.warns(toll.TollWarning, match="<records>: no report"):
        toll.Reports.from_records([{"source": "a", "deaths": 3}])
    pd = pytest.importorskip("pandas")
    with pytest.warns(toll.TollWarning, match="no report carries"):
        toll.Reports.from_pandas(pd.DataFrame({"source": ["a"],
                                               "deaths": [3]}))


def test_summarize_without_any_category_should_warn():
    # the summaries.tsv rows no_category_deaths_header*
    with pytest.warns(toll.TollWarning):
        r = toll.read(os.path.join(CATALOGUE, "deaths_header.csv"))
    inc = r.reconcile()
    with pytest.warns(toll.TollWarning,
                      match="no report carries any casualty category") as rec:
        t = inc.summarize(by="actor")
    assert "'deaths'" in str(rec[0].message)
    assert len(t.warnings) == 1


def test_loads_with_a_category_should_not_warn(jsonl_path):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error", toll.TollWarning)
        r = toll.read(jsonl_path)
        r.reconcile().summarize()
    assert r.warnings == []


def test_standard_names_should_match_in_any_case():
    # the summaries.tsv row killed_header_any_case
    r = toll.read(os.path.join(CATALOGUE, "killed_header.csv"))
    assert r.categories == ["killed"]
    t = r.reconcile().summarize()
    assert t["best"] == [8.0]
    r = toll.Reports.from_records([{"Source": "a", "KILLED": 2,
                                    "Date": "2020-01-01"}])
    assert r.categories == ["killed"]


def test_date_window_should_reject_implausible_dates_and_widen(tmp_path):
    p = tmp_path / "far.csv"
    p.write_text("source,killed,date\nA,1,2020-01-01\nB,2,8306-05-01\n")
    with pytest.raises(toll.ReportError) as info:
        toll.read(p)
    assert info.value.field == "date"
    assert info.value.text == "8306-05-01"
    assert info.value.line == 3
    r = toll.read(p, lenient=True)
    assert len(r) == 1 and r.rejects[0]["line"] == 3
    assert len(toll.read(p, date_window=(1800, 9000))) == 2
    r = toll.Reports.from_records([{"source": "a", "killed": 1,
                                    "date": "1850"}],
                                  date_window=(1800, 2100))
    assert len(r) == 1


def test_minified_json_arrays_should_name_records_and_incidents(tmp_path):
    p = tmp_path / "m.json"
    p.write_text('[{"source":"a","killed":1},{"source":"b","killed":2},'
                 '{"source":"c","killed":3},{"source":"d","killed":"x"}]')
    with pytest.raises(toll.ParseError) as info:
        toll.read(p)
    assert info.value.message.startswith(f"{p}:1: record 4: ")
    r = toll.read(p, lenient=True)
    assert r.table()["report"] == [f"{p}:1", f"{p}:1#2", f"{p}:1#3"]
    names = r.reconcile().table()["incident"]
    assert len(set(names)) == 3


# ---- frames and files give the same store ----------------------------------

def _frame_and_file(path, **options):
    """The stores of read(path) and of from_pandas(read_csv(path)) (every
    cell as text, as the CSV reader sees it), as frames without the
    `report` column (which names the input)."""
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = df.replace("", None)
    a = toll.Reports.from_pandas(df, **options).to_pandas()
    b = toll.read(path, **options).to_pandas()
    return a.drop(columns="report"), b.drop(columns="report")


def test_from_pandas_should_split_actors_as_the_file_load_does(tmp_path):
    pd = pytest.importorskip("pandas")
    p = tmp_path / "r.csv"
    p.write_text("source,actor,killed\na,Russia;Syria,3\nb,Russia,2\n",
                 encoding="utf-8")
    a, b = _frame_and_file(p)
    pd.testing.assert_frame_equal(a, b)
    assert a["actor"].tolist() == ["Russia + Syria", "Russia"]
    a, b = _frame_and_file(p, actor_sep="|")
    pd.testing.assert_frame_equal(a, b)
    assert a["actor"].tolist() == ["Russia;Syria", "Russia"]


def test_from_pandas_with_the_airwars_preset_should_split_belligerents():
    pd = pytest.importorskip("pandas")
    path = os.path.join(os.path.dirname(__file__), "..", "data",
                        "airwars_sample.csv")
    a, b = _frame_and_file(path, preset="airwars")
    pd.testing.assert_frame_equal(a, b)


def test_from_pandas_of_the_airwars_file_should_count_as_the_file_load():
    # Russian Military in the shared Airwars Syria file, each actor
    # credited in full: 184 incidents (425-578 killed), as toll.read gives
    pd = pytest.importorskip("pandas")
    path = shared_data("airwars", "airwars_syria_incidents_normalized_996.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False).replace("", None)
    opts = dict(preset="airwars", lenient=True)
    tables = [r.reconcile().summarize(by="actor", attribution="each")
              for r in (toll.Reports.from_pandas(df, **opts),
                        toll.read(path, **opts))]
    rows = [{row["actor"]: row for row in t.rows()} for t in tables]
    assert rows[0].keys() == rows[1].keys()
    russia = rows[0]["Russian Military"]
    assert (russia["incidents"], russia["low"], russia["high"]) == \
        (184, 425, 578)
    assert not [k for k in rows[0] if k and ", " in k]
