"""Arrow import: toll.read(obj), Reports.load(obj), Reports.from_arrow and
Reports.from_pandas read any object with __arrow_c_stream__ (pyarrow,
polars, DuckDB, pandas) in the C library, and store what toll.read of the
same file stores.  Nothing here looks at a time: the bench line prints the
from_pandas / read times of the UCDP GED files (run with -s to see it).
"""
import math
import os
import time

import pytest

import toll
from toll import _api

from conftest import SHARED_DATA, SHARED_DATA_SKIP

pd = pytest.importorskip("pandas")
np = pytest.importorskip("numpy")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
TEST_DATA = os.path.join(ROOT, "tests", "data")

# each preset's sample: (path, options)
SAMPLES = [
    (os.path.join(ROOT, "data", "ucdp", "ged241_myanmar_sample.csv"),
     {"preset": "ucdp-ged"}),
    (os.path.join(TEST_DATA, "acled_sample.csv"), {"preset": "acled"}),
    (os.path.join(TEST_DATA, "airwars_sample.csv"), {"preset": "airwars"}),
    (os.path.join(TEST_DATA, "ibc_sample.csv"),
     {"preset": "ibc", "lenient": True}),
]

SHARED_FILES = [
    (("ucdp", "ucdp_ged_mexico.csv"), {"preset": "ucdp-ged"}),
    (("ucdp", "ucdp_ged_myanmar.csv"), {"preset": "ucdp-ged"}),
    (("ucdp", "ucdp_ged_syria_2016_2019.csv"), {"preset": "ucdp-ged"}),
    (("airwars", "airwars_syria_incidents_normalized_996.csv"),
     {"preset": "airwars", "lenient": True}),
    (("ibc", "ibc_esoc_incidents_2003_2009.csv"),
     {"preset": "ibc", "lenient": True}),
]


def _shared(parts):
    if not SHARED_DATA:
        pytest.skip(SHARED_DATA_SKIP)
    path = os.path.join(SHARED_DATA, *parts)
    if not os.path.exists(path):
        pytest.skip(f"skipped: {path} is missing")
    return path


def _text_frame(path, options):
    """The file as the CSV reader sees it: every cell text, empty cells
    missing."""
    enc = "latin-1" if options.get("preset") == "ibc" else "utf-8"
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
    return df.replace("", None)


def _pyarrow(df):
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pandas(df, preserve_index=False)


def _polars(df):
    pl = pytest.importorskip("polars")
    return pl.from_pandas(df)


def _duckdb(df):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    con.register("frame", df)
    return con.sql("select * from frame")


def _pandas_arrow_dtypes(df):
    pytest.importorskip("pyarrow")
    return df.astype("string[pyarrow]")


PRODUCERS = {
    "pyarrow": lambda df: toll.Reports.from_arrow(_pyarrow(df), **_O),
    "polars": lambda df: toll.read(_polars(df), **_O),
    "duckdb": lambda df: toll.read(_duckdb(df), **_O),
    "pandas": lambda df: toll.Reports.from_pandas(df, **_O),
    "pandas-pyarrow-dtypes": lambda df: toll.Reports.from_pandas(
        _pandas_arrow_dtypes(df), **_O),
}
_O = {}


def _load(producer, df, options, monkeypatch=None):
    _O.clear()
    _O.update(options)
    try:
        return PRODUCERS[producer](df)
    finally:
        _O.clear()


def _assert_same(reports, path, options):
    a = reports.to_pandas().drop(columns="report")
    b = toll.read(path, **options).to_pandas().drop(columns="report")
    pd.testing.assert_frame_equal(a, b)


# ---- every producer gives the store of toll.read ---------------------------

@pytest.mark.parametrize("producer", sorted(PRODUCERS))
@pytest.mark.parametrize("path,options", SAMPLES,
                         ids=[o["preset"] for _, o in SAMPLES])
def test_every_producer_should_store_what_read_stores(producer, path,
                                                      options):
    df = _text_frame(path, options)
    _assert_same(_load(producer, df, options), path, options)


@pytest.mark.parametrize("path,options", SAMPLES,
                         ids=[o["preset"] for _, o in SAMPLES])
def test_pandas_without_arrow_export_should_store_what_read_stores(
        monkeypatch, path, options):
    # pandas without pyarrow: the columns' NumPy buffers
    monkeypatch.setattr(_api, "_frame_stream", lambda frame, pd: None)
    df = _text_frame(path, options).astype(object)
    _assert_same(toll.Reports.from_pandas(df, **options), path, options)


@pytest.mark.parametrize("producer", ["pyarrow", "polars", "pandas"])
@pytest.mark.parametrize("parts,options", SHARED_FILES,
                         ids=[p[-1] for p, _ in SHARED_FILES])
def test_shared_files_should_store_what_read_stores(producer, parts,
                                                    options):
    path = _shared(parts)
    df = _text_frame(path, options)
    _assert_same(_load(producer, df, options), path, options)


# ---- values --------------------------------------------------------------

def _numeric_frame():
    return pd.DataFrame({
        "source": ["a", "b", None, "d"],
        "killed": [3, 0, 5, 7],
        "injured": [1.0, np.nan, 2.5e1, 4.0],
        "lat": [36.2, np.nan, 33.51, -12.25],
        "lon": [37.15, np.nan, 36.3, 44.0],
        "small": np.array([1, 2, 3, 4], dtype=np.int8),
        "flag": [True, False, True, False],
        "date": pd.to_datetime(["2016-09-25", None, "2016-10-01 12:30",
                                "2017-01-02"], format="ISO8601"),
        "score": np.array([0.1, 2.5, -1.0, 1e-5], dtype=np.float32),
    })


def test_numpy_buffers_and_pyarrow_should_store_the_same(monkeypatch):
    pytest.importorskip("pyarrow")
    df = _numeric_frame()
    opts = dict(lenient=True)
    via_arrow = toll.Reports.from_pandas(df, **opts)
    monkeypatch.setattr(_api, "_frame_stream", lambda frame, pd: None)
    via_numpy = toll.Reports.from_pandas(df, **opts)
    via_records = toll.Reports.from_records(df.to_dict("records"), **opts)
    a, b, c = (r.to_pandas() for r in (via_arrow, via_numpy, via_records))
    pd.testing.assert_frame_equal(a, b)
    # float32 values are written as float32 (0.1), records as the double
    # they widen to (0.10000000149011612)
    pd.testing.assert_frame_equal(a.drop(columns="score"),
                                  c.drop(columns="score"))
    assert via_arrow.rejects[0]["record"] == 2  # no source
    assert a["score"].tolist() == ["0.1", "2.5", "1e-05"]
    assert [None if pd.isna(d) else d.strftime("%Y-%m-%d")
            for d in a["date_start"]] == ["2016-09-25", None, "2017-01-02"]


@pytest.mark.parametrize("make", ["pyarrow", "polars", "pandas"])
def test_an_integer_year_mapped_to_date_should_read_as_a_year(make,
                                                              tmp_path):
    df = pd.DataFrame({"source": ["a", "b"], "year": [2014, 2015],
                       "killed": [3, 4]})
    path = tmp_path / "years.csv"
    df.to_csv(path, index=False)
    obj = {"pyarrow": _pyarrow, "polars": _polars,
           "pandas": lambda d: d}[make](df)
    frame = toll.read(obj, map="date=year").to_pandas()
    text = toll.read(path, map="date=year").to_pandas()
    assert frame["date_start"].tolist() == [pd.Timestamp("2014-01-01"),
                                            pd.Timestamp("2015-01-01")]
    assert frame["date_end"].tolist() == [pd.Timestamp("2014-12-31"),
                                          pd.Timestamp("2015-12-31")]
    pd.testing.assert_frame_equal(frame.drop(columns="report"),
                                  text.drop(columns="report"))


@pytest.mark.parametrize("make", ["pyarrow", "polars", "numpy"])
@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_an_infinite_count_should_be_refused_naming_row_and_field(
        monkeypatch, make, value):
    df = pd.DataFrame({"source": ["a", "b"], "killed": [3.0, value]})
    if make == "numpy":
        monkeypatch.setattr(_api, "_frame_stream", lambda frame, pd: None)
        run = lambda: toll.Reports.from_pandas(df)  # noqa: E731
    else:
        obj = _pyarrow(df) if make == "pyarrow" else _polars(df)
        run = lambda: toll.Reports.from_arrow(obj)  # noqa: E731
    with pytest.raises(toll.ParseError) as ei:
        run()
    assert ei.value.record == 1 and ei.value.line == 2
    assert ei.value.field == "killed"
    assert ei.value.text == ("inf" if value > 0 else "-inf")


@pytest.mark.parametrize("make", ["pyarrow", "polars", "numpy"])
def test_nan_and_none_counts_should_be_unknown(monkeypatch, make):
    df = pd.DataFrame({"source": ["a", "b", "c"],
                       "killed": [3.0, np.nan, None]})
    if make == "numpy":
        monkeypatch.setattr(_api, "_frame_stream", lambda frame, pd: None)
        r = toll.Reports.from_pandas(df)
    else:
        pa = pytest.importorskip("pyarrow")
        t = pa.table({"source": ["a", "b", "c"],
                      "killed": pa.array([3.0, float("nan"), None])})
        r = toll.Reports.from_arrow(t if make == "pyarrow" else _polars(df))
    out = r.to_pandas()
    assert out["killed_low"].isna().tolist() == [False, True, True]


def test_numpy_columns_should_refuse_a_value_naming_column_and_row():
    r = toll.Reports()
    with pytest.raises(TypeError, match=r"column 'note', row 1: a int"):
        r._c.load_columns(["source", "note"],
                          [("string", ["a", "b"]),
                           ("string", np.array(["x", 5], dtype=object))])
    with pytest.raises(ValueError, match=r"column 'killed' has 3 values"):
        r._c.load_columns(["source", "killed"],
                          [("string", ["a", "b"]),
                           ("number", np.array([1, 2, 3]))])
    assert len(r) == 0


# ---- entry points, names, errors ------------------------------------------

def test_read_load_and_from_arrow_should_accept_arrow_objects():
    t = _pyarrow(pd.DataFrame({"source": ["a", "b"], "killed": [1, 2]}))
    assert len(toll.read(t)) == 2
    r = toll.Reports()
    assert r.load(t) == 2
    assert r.load(t, None, None, None, True) == 2  # options by position
    assert len(toll.Reports.from_arrow(t)) == 2
    assert r.table()["report"][:2] == ["<arrow>:1", "<arrow>:2"]


def test_arrow_errors_should_name_the_input_row_and_field():
    t = _pyarrow(pd.DataFrame({"source": ["a", "b"],
                               "killed": ["5", "at leest 5"]}))
    with pytest.raises(toll.ParseError) as ei:
        toll.read(t)
    assert str(ei.value).startswith("<arrow>:2: ")
    assert ei.value.field == "killed" and ei.value.text == "at leest 5"
    with pytest.raises(toll.ParseError) as ei:
        toll.Reports().load_arrow(t, name="casualties")
    assert str(ei.value).startswith("casualties:2: ")


def test_a_failed_arrow_load_should_leave_the_reports_as_they_were():
    good = _pyarrow(pd.DataFrame({"source": ["a"], "killed": [1]}))
    bad = _pyarrow(pd.DataFrame({"source": ["b", "c"], "killed": ["2", "x"]}))
    r = toll.Reports.from_arrow(good)
    before = r.to_pandas()
    with pytest.raises(toll.ParseError):
        r.load(bad)
    pd.testing.assert_frame_equal(r.to_pandas(), before)


def test_lenient_arrow_loads_should_list_the_rejected_rows():
    t = _pyarrow(pd.DataFrame({"source": ["a", "b", "c"],
                               "killed": ["5", "x", "7"]}))
    r = toll.Reports.from_arrow(t, lenient=True)
    assert len(r) == 2
    assert [e["record"] for e in r.rejects] == [1]


def test_a_column_of_a_type_without_text_should_be_refused():
    pa = pytest.importorskip("pyarrow")
    t = pa.table({"source": ["a"], "killed": [1], "tags": [[1, 2]]})
    with pytest.raises(toll.OptionError, match=r"column 'tags' has the "
                                                r"Arrow type '\+l'"):
        toll.read(t)


def test_from_arrow_should_need_an_arrow_object():
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        toll.Reports.from_arrow([{"source": "a"}])


def test_a_reader_of_several_batches_should_load_every_row():
    pa = pytest.importorskip("pyarrow")
    t = pa.table({"source": ["a", "b", "c"], "killed": [1, 2, 3]})
    reader = pa.RecordBatchReader.from_batches(t.schema, t.to_batches(1))
    r = toll.read(reader)
    assert r.to_pandas()["report"].tolist() == ["<arrow>:1", "<arrow>:2",
                                                "<arrow>:3"]


def test_from_pandas_should_turn_a_named_index_into_a_column_only():
    df = pd.DataFrame({"source": ["a", "b", "c"], "killed": [1, 2, 3]})
    named = df.set_index("source")
    assert toll.Reports.from_pandas(named).to_pandas()["source"].tolist() \
        == ["a", "b", "c"]
    sliced = df[df["killed"] > 1]  # an unnamed index other than a range
    out = toll.Reports.from_pandas(sliced).to_pandas()
    assert out["source"].tolist() == ["b", "c"]
    assert not [c for c in out.columns if "index" in c]


def test_from_pandas_should_read_lists_and_mixed_columns_as_records():
    df = pd.DataFrame({"source": ["a", "b"], "actor": [["X", "Y"], ["Z"]],
                       "killed": [1, "at least 2"]})
    out = toll.Reports.from_pandas(df).to_pandas()
    assert out["actor"].tolist() == ["X + Y", "Z"]
    assert out["killed_low"].tolist() == [1, 2]


# ---- the bench line ---------------------------------------------------------

def test_bench_from_pandas_against_read_on_the_ged_files(capsys):
    files = [_shared(("ucdp", f)) for f in
             ("ucdp_ged_mexico.csv", "ucdp_ged_myanmar.csv",
              "ucdp_ged_syria_2016_2019.csv")]
    frames = [pd.read_csv(f) for f in files]
    best = {"read": math.inf, "from_pandas": math.inf}
    for _ in range(5):
        t = time.perf_counter()
        for f in files:
            toll.read(f, preset="ucdp-ged")
        best["read"] = min(best["read"], time.perf_counter() - t)
        t = time.perf_counter()
        for df in frames:
            toll.Reports.from_pandas(df, preset="ucdp-ged")
        best["from_pandas"] = min(best["from_pandas"],
                                  time.perf_counter() - t)
    rows = sum(len(df) for df in frames)
    with capsys.disabled():
        print(f"\nUCDP GED ({rows} rows, {frames[0].shape[1]} columns): "
              f"read {best['read']:.3f} s, from_pandas "
              f"{best['from_pandas']:.3f} s "
              f"({best['from_pandas'] / best['read']:.2f} x read)")
