"""The GED-shaped benchmark (bench/ged.py): its generator on the real UCDP
GED files, and a quick run in which every installed peer (pandas, polars,
DuckDB) must produce toll's table.  Correctness and the report's form only:
nothing here looks at a time.

The real files come from $TOLL_SHARED_DATA/ucdp; without them the tests
that need them skip, saying so.
"""
import csv
import importlib.util
import os
import re
import subprocess
import sys

import pytest

import toll

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BENCH = os.path.join(ROOT, "bench")
GED = os.path.join(BENCH, "ged.py")
sys.path.insert(0, BENCH)
try:
    import ged  # noqa: E402
finally:
    sys.path.remove(BENCH)

SHARED = os.environ.get("TOLL_SHARED_DATA")
EVENTS = 5000
EXTRA = {"relid", "code_status", "conflict_dset_id", "dyad_dset_id",
         "side_a_dset_id", "side_b_dset_id", "where_description", "gwnoa"}


def _real_files():
    if not SHARED:
        pytest.skip("skipped: set TOLL_SHARED_DATA to the shared datasets "
                    "directory (the UCDP GED files)")
    try:
        return ged.ged_files(SHARED)
    except FileNotFoundError as e:
        pytest.skip(f"skipped: {e}")


def _env():
    """bench/ged.py's environment: the toll module this session imported."""
    env = dict(os.environ)
    pkg_parent = os.path.dirname(os.path.dirname(os.path.abspath(
        toll.__file__)))
    env["PYTHONPATH"] = os.pathsep.join(
        [pkg_parent] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return env


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("ged-out")


@pytest.fixture(scope="module")
def ged_file(out_dir):
    _real_files()
    p = subprocess.run([sys.executable, GED, "gen", "--events", str(EVENTS),
                        "--out", str(out_dir), "--data", SHARED],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    return ged.paths(EVENTS, str(out_dir))["csv"]


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_generated_file_has_the_real_header_and_fresh_unique_ids(ged_file):
    with open(_real_files()[0], newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    assert len(header) == 49
    rows = _rows(ged_file)
    assert len(rows) == EVENTS
    assert list(rows[0].keys()) == header
    assert [r["id"] for r in rows] == [str(i + 1) for i in range(EVENTS)]


def test_generated_rows_are_real_rows_apart_from_the_id(ged_file):
    real = set()
    for path in _real_files():
        for r in _rows(path):
            real.add(tuple(sorted((k, v) for k, v in r.items()
                                  if k != "id")))
    for r in _rows(ged_file):
        # Syria's rows lack eight of the columns: written empty
        key = tuple(sorted((k, v) for k, v in r.items() if k != "id" and
                           not (k in EXTRA and v == "")))
        full = tuple(sorted((k, v) for k, v in r.items() if k != "id"))
        assert full in real or key in real, r["id"]


def test_generator_order_is_seeded_and_keeps_full_copies_in_file_order():
    a = ged.event_order(100, 250, 7, "file")
    assert a == ged.event_order(100, 250, 7, "file")
    assert a != ged.event_order(100, 250, 8, "file")
    assert a[:200] == list(range(100)) * 2
    tail = a[200:]
    assert len(tail) == 50 and tail == sorted(set(tail))
    s = ged.event_order(100, 250, 7, "shuffled")
    assert sorted(s[:100]) == list(range(100)) and s[:100] != list(range(100))


def test_raw_records_keep_quotes_and_line_breaks():
    text = 'id,a,b\n1,"x, ""y""\r\nz",\n2,plain,"q"\n'
    assert list(ged.raw_records(text, "t")) == [
        ["id", "a", "b"], ["1", '"x, ""y""\r\nz"', ""],
        ["2", "plain", '"q"']]
    with pytest.raises(ValueError, match="t:2"):
        list(ged.raw_records('id\n1"x\n', "t"))


def test_actor_label_sorts_the_sides_as_toll_does():
    assert ged.actor_label("Sinaloa Cartel", "Government of Mexico") == \
        "Government of Mexico + Sinaloa Cartel"
    assert ged.actor_label("A", "B") == ged.actor_label("B", "A") == "A + B"
    assert ged.actor_label("A", "A") == "A"


def test_compare_detects_a_changed_sum_and_a_missing_group(tmp_path):
    header = ",".join(ged.COLUMNS) + "\n"
    a, b, c = (tmp_path / n for n in ("a.csv", "b.csv", "c.csv"))
    a.write_text(header + "A + B,2016,2,2,3,4,5\nC,2017,1,1,0,1,1\n")
    b.write_text(header + "A + B,2016,2,2,3,4.5,5\nC,2017,1,1,0,1,1\n")
    c.write_text(header + "A + B,2016,2,2,3,4,5\n")
    ref = ged.load_result(str(a))
    assert ged.compare(ref, ref) == []
    d = ged.compare(ref, ged.load_result(str(b)))
    assert any("('A + B', '2016')" in x for x in d)
    assert any(x.startswith("totals") for x in d)
    assert any("only in the reference" in x
               for x in ged.compare(ref, ged.load_result(str(c))))


def test_replace_section_keeps_every_other_section(tmp_path):
    p = tmp_path / "RESULTS.md"
    p.write_text("# Results\n\nintro\n\n## Summary\n\ntext\n")
    ged.replace_section(str(p), [ged.SECTION, "", "first", ""])
    assert p.read_text() == ("# Results\n\nintro\n\n## Summary\n\ntext\n\n"
                             "## GED-shaped input\n\nfirst\n")
    p.write_text(p.read_text() + "\n## Later\n\nkept\n")
    ged.replace_section(str(p), [ged.SECTION, "", "second", "", "### Sub",
                                 "", "x"])
    assert p.read_text() == ("# Results\n\nintro\n\n## Summary\n\ntext\n\n"
                             "## GED-shaped input\n\nsecond\n\n### Sub\n\nx\n"
                             "\n## Later\n\nkept\n")


@pytest.fixture(scope="module")
def quick_run(ged_file, out_dir):
    results = out_dir / "RESULTS.md"
    results.write_text("# Results\n\n## Other\n\nkept\n")
    p = subprocess.run([sys.executable, GED, "run", "--quick", "--events",
                        str(EVENTS), "--out", str(out_dir), "--data", SHARED,
                        "--results", str(results)],
                       capture_output=True, text=True, env=_env(),
                       timeout=900)
    return p, results.read_text()


def test_quick_run_succeeds_with_toll_as_the_reference(quick_run):
    p, _ = quick_run
    assert p.returncode == 0, p.stdout + p.stderr
    assert "ged: toll Python agrees" in p.stderr, p.stderr
    if "ged: toll CLI agrees" not in p.stderr:
        print("toll CLI not found: the Python path was the reference "
              "(set TOLL_CLI)")


@pytest.mark.parametrize("peer, label", [("pandas", "pandas"),
                                         ("polars", "polars"),
                                         ("duckdb", "DuckDB")])
def test_quick_run_peer_agrees_with_toll(quick_run, peer, label):
    if importlib.util.find_spec(peer) is None:
        pytest.skip(f"bench ged: {peer} is not installed "
                    "(pip install -r bench/requirements.txt)")
    p, _ = quick_run
    assert f"ged: {label} agrees" in p.stderr, p.stderr
    assert f"ged: in process {label} agrees" in p.stderr, p.stderr


def test_quick_run_writes_a_well_formed_section(quick_run):
    p, md = quick_run
    assert md.startswith("# Results\n\n## Other\n\nkept\n\n## GED-shaped "
                         "input\n")
    assert md.count("## GED-shaped input") == 1
    section = md[md.index("## GED-shaped input"):]
    assert section.strip() == p.stdout.strip()
    assert f"### {EVENTS:,} events" in section
    assert "### In one Python process: the three real files" in section
    targets = section[section.index("### Targets"):].splitlines()
    rows = [r for r in targets if r.startswith("| ") and
            not r.startswith("| target")]
    assert len(rows) == 5
    for r in rows:
        assert re.search(r"\| (met|\*\*MISSED\*\*|–) \|$", r), r
