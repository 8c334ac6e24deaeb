"""toll.Table: column buffers, pandas, rendering, HTML, plotting, threads."""
import array
import csv
import io
import json
import os
import subprocess
import sys
import threading

import pytest

import toll
from conftest import SUMMARY_CSV_COLUMNS

# the directory toll was imported from (in-place build or site-packages)
TOLL_PARENT = os.path.dirname(os.path.dirname(os.path.abspath(toll.__file__)))


def test_table_should_report_its_shape(summary):
    assert len(summary) == summary.nrows == 3
    assert summary.ncols == len(summary.columns) == 10
    assert summary.column_types == ["string", "string", "int64", "int64",
                                    "double", "double", "double", "int64",
                                    "int64", "int64"]
    assert "3 rows x 10 columns" in repr(summary)


def test_numeric_column_buffer_should_be_a_readonly_memoryview(summary):
    mv = summary.column_buffer("low")
    assert isinstance(mv, memoryview)
    assert mv.format == "d" and mv.itemsize == 8 and mv.readonly
    assert mv.shape == (3,)
    assert sorted(mv.tolist()) == [12.0, 27.0, 85.0]
    ints = summary.column_buffer("incidents")
    assert ints.format == "q" and ints.tolist() == [1, 1, 1]


def test_column_buffer_should_convert_to_array_without_numpy(summary):
    mv = summary.column_buffer("high")
    a = array.array("d", mv.tobytes())
    assert a.tolist() == mv.tolist()
    b = array.array("q")
    b.frombytes(summary.column_buffer("reports").cast("B"))
    assert b.tolist() == summary.column("reports")


def test_string_column_buffer_should_be_codes_and_dictionary(incidents):
    t = incidents.table()
    codes, dictionary = t.column_buffer("self_source")
    assert codes.format == "I" and codes.itemsize == 4
    assert dictionary == ["MoD"]
    assert codes.tolist()[0] == 0
    assert codes.tolist()[1:] == [0xFFFFFFFF] * 4
    assert t.column("self_source") == ["MoD", None, None, None, None]


def test_column_buffer_should_keep_the_table_alive(jsonl_path):
    import gc
    mv = toll.read(jsonl_path).reconcile().summarize().column_buffer("high")
    gc.collect()
    assert mv.tolist() == [198.0]


def test_column_buffer_should_refuse_writable_requests(summary):
    mv = summary.column_buffer("low")
    with pytest.raises(TypeError):
        mv[0] = 1.0


def test_column_should_accept_names_and_indices(summary):
    assert summary.column(0) == summary.column("actor")
    assert summary.column(-1) == summary.column("contested")
    with pytest.raises(KeyError):
        summary.column("nope")
    with pytest.raises(IndexError):
        summary.column(99)
    with pytest.raises(TypeError):
        summary.column(1.5)
    assert summary["period"] == summary.column("period")


def test_table_should_not_be_created_directly():
    with pytest.raises(TypeError):
        toll._core.Table()


def test_to_dict_and_rows_should_agree(summary):
    d = summary.to_dict()
    assert list(d) == summary.columns
    rows = summary.rows()
    assert [r["actor"] for r in rows] == d["actor"]


def test_to_pandas_should_use_the_csv_column_names(summary):
    pd = pytest.importorskip("pandas")
    df = summary.to_pandas()
    assert list(df.columns) == ["actor", "period"] + SUMMARY_CSV_COLUMNS
    assert str(df["incidents"].dtype) == "Int64"  # a count
    assert str(df["low"].dtype) == "float64"
    assert df["actor"].tolist() == summary.column("actor")
    assert df["best"].tolist() == summary.column("best")
    assert df.attrs["caption"] == summary.caption
    df.loc[0, "low"] = -1.0  # writable, owned by the frame
    assert summary.column("low")[0] != -1.0
    csv_df = pd.read_csv(io.StringIO(summary.to_csv()))
    assert list(csv_df.columns) == list(df.columns)


def test_to_pandas_should_map_missing_values(incidents):
    pd = pytest.importorskip("pandas")
    df = incidents.to_pandas()
    assert df["self_source"].iloc[0] == "MoD"
    assert pd.isna(df["self_source"].iloc[1])
    assert pd.isna(df["self_low"].iloc[1])


def test_to_pandas_categorical_should_build_categoricals(incidents):
    pd = pytest.importorskip("pandas")
    df = incidents.to_pandas(categorical=True)
    assert isinstance(df["category"].dtype, pd.CategoricalDtype)
    assert df["category"].tolist() == incidents.table().column("category")
    assert pd.isna(df["self_source"].iloc[2])


def test_to_pandas_of_an_empty_table():
    pytest.importorskip("pandas")
    df = toll.Reports().reconcile().table().to_pandas()
    assert len(df) == 0
    assert "incident" in df.columns


def test_to_csv_should_match_the_cli_format(summary, tmp_path):
    text = summary.to_csv()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["actor", "period"] + SUMMARY_CSV_COLUMNS
    assert len(rows) == 4
    with_totals = list(csv.reader(io.StringIO(summary.to_csv(totals=True))))
    assert len(with_totals) == 5
    p = tmp_path / "out.csv"
    assert summary.to_csv(p) is None
    assert p.read_text(encoding="utf-8") == text


def test_to_markdown_should_show_ranges_and_totals(summary):
    md = summary.to_markdown()
    assert "| actor" in md
    assert "85\u2013150" in md
    assert "Total" in md


def test_to_json_should_be_an_array_of_rows(summary):
    rows = json.loads(summary.to_json())
    assert len(rows) == 3
    assert {r["actor"] for r in rows} == {"Russia", "Syria", "Russia + Syria"}


def test_str_should_be_the_text_rendering(summary):
    assert str(summary) == summary.render("text")
    assert "Russia" in str(summary)


def test_render_should_reject_unknown_formats(summary):
    with pytest.raises(toll.OptionError, match="format"):
        summary.render("xml")


def test_repr_html_should_escape_strings():
    recs = [{"incident": "<script>alert(1)</script>", "source": "A & B",
             "killed": 3, "actor": ["\"Q\""]}]
    t = toll.Reports.from_records(recs).reconcile().table()
    h = t._repr_html_()
    assert "<script>" not in h
    assert "&lt;script&gt;" in h
    assert "&quot;Q&quot;" in h
    assert h.startswith("<table")


def test_repr_html_should_show_caption_and_truncate(incidents):
    s = incidents.summarize(by="actor", attribution="each")
    h = s._repr_html_()
    assert "<caption>" in h and "not additive" in h
    recs = [{"source": f"s{i}", "killed": i} for i in range(100)]
    big = toll.Reports.from_records(recs).reconcile().table()
    h = big._repr_html_(max_rows=10)
    assert h.count("<tr>") == 1 + 10 + 1  # header, rows, ellipsis row
    assert "90 more rows" in h


def test_repr_html_should_format_numbers_as_the_text_renderer():
    recs = [{"source": "A", "killed": 2469, "actor": ["X", "Y"]},
            {"source": "B", "killed": 1200, "actor": ["X"]}]
    t = toll.Reports.from_records(recs).reconcile().summarize(
        by="actor", attribution="split")
    h = t._repr_html_()
    assert '<td style="text-align:right">1,234.5</td>' in h
    assert '<td style="text-align:right">2,434.5</td>' in h
    assert "1,234.5" in str(t)
    assert t._c.cells("low", [0, 1]) == ["2,434.5", "1,234.5"]


def test_plot_should_draw_ranges(summary):
    mpl = pytest.importorskip("matplotlib")
    mpl.use("Agg")
    ax = summary.plot()
    assert ax.get_title().replace("\n", " ") == summary.caption
    import datetime
    lines = [ln for ln in ax.get_lines()
             if not ln.get_label().startswith("_")]
    assert len(lines) == 3  # one line (best) per actor, on a time axis
    for ln in lines:
        assert list(ln.get_xdata()) == [
            datetime.date(2016, m, 1) for m in (9, 10, 11)]
    assert len(ax.collections) == 3  # one low..high band per actor
    import matplotlib.pyplot as plt
    plt.close("all")


def test_plot_should_need_measures(incidents):
    pytest.importorskip("matplotlib")
    t = toll.Reports.from_records([{"source": "a", "killed": 1}]) \
        .reconcile().summarize(by="actor")
    assert t.plot() is not None
    with pytest.raises(KeyError):
        t.plot(x="nope")


def test_plot_without_matplotlib_should_say_how_to_install(summary,
                                                           monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError,
                       match=r"table.plot\(\) needs matplotlib: "
                             r"pip install matplotlib"):
        summary.plot()


def test_to_pandas_without_pandas_should_say_how_to_install(summary,
                                                            monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError,
                       match=r"to_pandas\(\) needs pandas: pip install pandas"):
        summary.to_pandas()


def test_import_should_work_without_pandas_numpy_matplotlib(jsonl_path):
    code = (
        "import sys\n"
        "for m in ('pandas', 'numpy', 'matplotlib'): sys.modules[m] = None\n"
        f"sys.path.insert(0, {TOLL_PARENT!r})\n"
        "import toll\n"
        f"t = toll.read({str(jsonl_path)!r}).reconcile().summarize(by='actor')\n"
        "print(t.nrows, t.column('low')[0] > 0, len(t._repr_html_()) > 0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True,
                         text=True, check=True)
    assert out.stdout.split() == ["3", "True", "True"]


def _snapshot(table, incidents):
    cols = [table.column_buffer(j) for j in range(table.ncols)]
    data = [c[0].tobytes() + repr(c[1]).encode() if isinstance(c, tuple)
            else c.tobytes() for c in cols]
    return (table.render("csv", True), table.render("text"),
            table.render("markdown"), table.render("json"), tuple(data),
            incidents.summarize(by="actor,period:month").to_csv(),
            incidents.table().render("csv"))


def test_threads_reading_one_table_should_agree(incidents):
    table = incidents.summarize(by=["actor", "period:month"])
    expected = _snapshot(table, incidents)
    results, errors = [], []

    def work():
        try:
            for _ in range(200):
                results.append(_snapshot(table, incidents))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(results) == 1200
    assert all(r == expected for r in results)


def test_threads_reconciling_one_reports_should_agree(reports):
    expected = reports.reconcile().summarize(by="actor").to_csv()
    out, errors = [], []

    def work():
        try:
            for _ in range(100):
                inc = reports.reconcile()
                out.append(inc.summarize(by="actor").to_csv())
        except Exception as exc:  # pragma: no cover
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert out == [expected] * 400


def test_str_of_a_long_table_should_show_its_first_and_last_rows():
    recs = [{"incident": f"i{k:03d}", "source": "s", "killed": k}
            for k in range(100)]
    table = toll.Reports.from_records(recs).reconcile().table()
    text = str(table)
    lines = text.rstrip("\n").split("\n")
    assert "i000" in text and "i029" in text
    assert "i030" not in text and "i069" not in text
    assert "i070" in text and "i099" in text
    assert "..." in lines
    assert lines[-1] == f"[100 rows x {table.ncols} columns]"
    assert str(table).split("\n")[0] == table.to_text().split("\n")[0]


def test_str_of_a_short_table_should_be_the_whole_text():
    table = toll.Reports.from_records(
        [{"incident": "a", "source": "s", "killed": 3}]).reconcile().table()
    assert str(table) == table.to_text()


def test_max_rows_should_set_where_str_cuts(monkeypatch):
    recs = [{"incident": f"i{k:03d}", "source": "s", "killed": k}
            for k in range(20)]
    table = toll.Reports.from_records(recs).reconcile().table()
    monkeypatch.setattr(toll.Table, "max_rows", 4)
    text = str(table)
    assert "i001" in text and "i002" not in text and "i018" in text
    assert "[20 rows x" in text
