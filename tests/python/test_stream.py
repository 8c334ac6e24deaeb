"""toll.summarize_files(..., stream=True): the one-pass summary gives the
same table as the default path (load, reconcile, summarize) on the bench's
synthetic files (bench/gen.py, bench/ged.py), on shuffled and repeated
input, and on every real file of the shared datasets that `toll summarize`
reads; it refuses what one pass cannot do, naming the option."""
import os
import random
import subprocess
import sys

import pytest

import toll
from conftest import shared_data

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BENCH = os.path.join(ROOT, "bench")

BY_LISTS = ["actor,period:month", "region:1,period:year", "actor,region",
            "category,grade", None]
OPTION_SETS = [
    {},
    {"policy": "conservative"},
    {"self_reports": "include"},
    {"attribution": "split"},
    {"attribution": "each"},
    {"span": "prorate", "attribution": "split"},
    {"min_grade": "single", "date_from": "2016", "date_to": "2019-06"},
    {"interval": "independent", "seed": 7},
]


def _env():
    """The bench scripts' environment: the toll this session imported."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(os.path.abspath(toll.__file__)))] +
        ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


def _same(paths, **options):
    """The default and the stream table of paths with options, compared as
    rendered text and CSV, caption and warnings."""
    a = toll.summarize_files(paths, **options)
    b = toll.summarize_files(paths, stream=True, **options)
    assert a.caption == b.caption
    assert a.render("csv", totals=True) == b.render("csv", totals=True)
    assert a.render("text") == b.render("text")
    assert a.warnings == b.warnings
    return a


@pytest.fixture(scope="module")
def gen_csv(tmp_path_factory):
    """bench/gen.py's CSV of 20,000 reports (numpy >= 2 needed)."""
    pytest.importorskip("numpy", minversion="2")
    out = tmp_path_factory.mktemp("gen")
    p = subprocess.run([sys.executable, os.path.join(BENCH, "gen.py"),
                        "--sizes", "2e4", "--out", str(out)],
                       capture_output=True, text=True, env=_env(),
                       timeout=300)
    assert p.returncode == 0, p.stderr
    return str(out / "reports_20000.csv"), str(out / "reports_20000.jsonl")


@pytest.mark.parametrize("by", BY_LISTS)
@pytest.mark.parametrize("opts", OPTION_SETS)
def test_stream_equals_default_on_bench_file(gen_csv, by, opts):
    _same(gen_csv[0], by=by, **opts)


def test_stream_equals_default_on_bench_jsonl(gen_csv):
    for opts in OPTION_SETS:
        _same(gen_csv[1], by="actor,period:month", **opts)


def test_stream_equals_default_on_shuffled_input(gen_csv, tmp_path):
    with open(gen_csv[0], encoding="utf-8") as f:
        header, *rows = f.readlines()
    random.Random(5).shuffle(rows)
    p = tmp_path / "shuffled.csv"
    p.write_text(header + "".join(rows), encoding="utf-8")
    for by in BY_LISTS:
        for opts in OPTION_SETS[:6]:
            _same(str(p), by=by, **opts)


def test_stream_equals_default_on_several_files(gen_csv, tmp_path):
    with open(gen_csv[0], encoding="utf-8") as f:
        header, *rows = f.readlines()
    half = len(rows) // 2
    p1, p2 = tmp_path / "a.csv", tmp_path / "b.csv"
    p1.write_text(header + "".join(rows[:half]), encoding="utf-8")
    p2.write_text(header + "".join(rows[half:]), encoding="utf-8")
    t = _same([str(p1), str(p2)], by="actor,period:month")
    whole = toll.summarize_files(gen_csv[0], stream=True,
                                 by="actor,period:month")
    assert t.render("csv") == whole.render("csv")


def test_stream_counts_every_report_of_repeated_input(gen_csv, tmp_path):
    with open(gen_csv[0], encoding="utf-8") as f:
        header, *rows = f.readlines()
    p = tmp_path / "twice.csv"
    p.write_text(header + "".join(rows) + "".join(rows), encoding="utf-8")
    t = _same(str(p), by="actor")
    once = toll.summarize_files(gen_csv[0], stream=True, by="actor")
    assert ([r["reports"] for r in t.rows()] ==
            [2 * r["reports"] for r in once.rows()])


def test_stream_equals_default_on_ged_shaped_file(tmp_path):
    data = shared_data("ucdp", "ucdp_ged_myanmar.csv")
    p = subprocess.run([sys.executable, os.path.join(BENCH, "ged.py"), "gen",
                        "--events", "3000", "--out", str(tmp_path), "--data",
                        os.path.dirname(os.path.dirname(data))],
                       capture_output=True, text=True, env=_env(),
                       timeout=300)
    assert p.returncode == 0, p.stderr
    csvs = [os.path.join(tmp_path, f) for f in os.listdir(tmp_path)
            if f.endswith(".csv")]
    assert csvs
    for path in csvs:
        for by in ("actor,period:year", "region:1", None):
            _same(path, by=by, preset="ucdp-ged")


# The shared datasets' files of reports, with their presets, read as
# `toll summarize --lenient --repair` reads them (Airwars has a bad
# longitude, IBC figures out of order).  The VDC files are daily counts by
# column and the MSE files capture lists: no reports.
REAL = [("ucdp", "ucdp_ged_myanmar.csv", "ucdp-ged"),
        ("ucdp", "ucdp_ged_mexico.csv", "ucdp-ged"),
        ("ucdp", "ucdp_ged_syria_2016_2019.csv", "ucdp-ged"),
        ("airwars", "airwars_syria_incidents_normalized_996.csv", "airwars"),
        ("ibc", "ibc_esoc_incidents_2003_2009.csv", "ibc")]


@pytest.mark.parametrize("folder,name,preset", REAL)
def test_stream_equals_default_on_real_file(folder, name, preset):
    path = shared_data(folder, name)
    for by in BY_LISTS:
        for opts in OPTION_SETS:
            o = {k: v for k, v in opts.items()
                 if k not in ("date_from", "date_to")}
            _same(path, by=by, preset=preset, lenient=True, repair=True,
                  **o)


@pytest.mark.parametrize("options,field", [
    ({"link": "rule"}, "link"),
    ({"by": "actor,kind"}, "by"),
    ({"where": {"kind": "1"}}, "where"),
    ({"min_data_grade": "fair"}, "min_data_grade"),
])
def test_stream_refuses_what_one_pass_cannot_do(tmp_path, options, field):
    p = tmp_path / "r.csv"
    p.write_text("incident,source,actor,killed,kind,data_grade\n"
                 "a,SOHR,Russia,3,1,fair\n", encoding="utf-8")
    with pytest.raises(toll.OptionError) as e:
        toll.summarize_files(str(p), stream=True, **options)
    assert e.value.field == field
    assert "one-pass" in str(e.value)
    toll.summarize_files(str(p), **options)  # the default path does it


def test_stream_bad_record_names_file_line_field(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("incident,source,killed\na,x,3\nb,y,lots and lots\n",
                 encoding="utf-8")
    with pytest.raises(toll.ParseError) as e:
        toll.summarize_files(str(p), stream=True)
    assert e.value.line == 3 and e.value.field == "killed"
    assert e.value.file == str(p)


def test_stream_lenient_rejects_and_missing_file(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text("incident,source,killed\na,x,3\nb,y,lots and lots\n",
                 encoding="utf-8")
    t = _same(str(p), lenient=True, by=None)
    assert t.rows()[0]["reports"] == 1
    with pytest.raises(FileNotFoundError):
        toll.summarize_files(str(tmp_path / "absent.csv"), stream=True)
