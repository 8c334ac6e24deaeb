"""The linking benchmark's scorer and generator (bench/link/).

The scorer is checked on hand-made clusterings whose pairwise and B-cubed
figures are worked out below.  The generator reads the real incident lists
(the shared data folder: $TOLL_SHARED_DATA or ../shared/data) and its tests
skip when they are absent.
"""
import csv
import os
import random
import shutil
import subprocess
import sys

import pytest

import toll

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
LINK = os.path.join(ROOT, "bench", "link")
sys.path.insert(0, LINK)

import linkgen as gen  # noqa: E402
import linkscore as score  # noqa: E402

DATA = gen.data_dir(None)
HAVE_DATA = all(os.path.exists(os.path.join(DATA, p))
                for p in (gen.UCDP, gen.AIRWARS, gen.IBC))
needs_data = pytest.mark.skipif(
    not HAVE_DATA, reason=f"skipped: the shared real datasets are not at {DATA} "
                          "(set TOLL_SHARED_DATA)")


# ---------------------------------------------------------------- scorer

TRUTH = {"2": "A", "3": "A", "4": "A", "5": "B", "6": "B", "7": "C"}


def test_score_perfect_clustering_is_one_everywhere():
    s = score.score(TRUTH, {r: "x" + t for r, t in TRUTH.items()})
    for k in ("pair_precision", "pair_recall", "pair_f1",
              "b3_precision", "b3_recall", "b3_f1"):
        assert s[k] == 1.0
    assert s["true_pairs"] == 4 and s["predicted_pairs"] == 4


def test_score_all_singletons_has_no_pairs_and_full_b3_precision():
    s = score.score(TRUTH, {})
    assert s["predicted_pairs"] == 0
    assert s["pair_precision"] == 1.0       # nothing claimed
    assert s["pair_recall"] == 0.0
    assert s["pair_f1"] == 0.0
    assert s["b3_precision"] == 1.0
    # recall per report: 1/3 for A's three, 1/2 for B's two, 1 for C
    assert s["b3_recall"] == pytest.approx((3 * (1 / 3) + 2 * (1 / 2) + 1) / 6)
    assert s["predicted_incidents"] == 6


def test_score_all_in_one_has_full_recall_and_low_precision():
    s = score.score(TRUTH, {r: "one" for r in TRUTH})
    assert s["predicted_pairs"] == 15       # 6 choose 2
    assert s["correct_pairs"] == 4          # 3 in A, 1 in B
    assert s["pair_precision"] == pytest.approx(4 / 15)
    assert s["pair_recall"] == 1.0
    assert s["b3_recall"] == 1.0
    # precision per report: 3/6 for A's, 2/6 for B's, 1/6 for C
    assert s["b3_precision"] == pytest.approx((3 * 3 + 2 * 2 + 1) / 36)


def test_score_partial_clustering_matches_worked_example():
    # predicted: {2,3} {4,5} {6,7}
    pred = {"2": "p", "3": "p", "4": "q", "5": "q", "6": "r", "7": "r"}
    s = score.score(TRUTH, pred)
    assert (s["largest_predicted"], s["largest_true"]) == (2, 3)
    assert s["correct_pairs"] == 1          # (2,3)
    assert s["pair_precision"] == pytest.approx(1 / 3)
    assert s["pair_recall"] == pytest.approx(1 / 4)
    assert s["pair_f1"] == pytest.approx(2 * (1 / 3) * (1 / 4) / (1 / 3 + 1 / 4))
    # B-cubed precision: 2,3 -> 1; 4,5,6,7 -> 1/2
    assert s["b3_precision"] == pytest.approx((1 + 1 + 4 * 0.5) / 6)
    # recall: 2,3 -> 2/3; 4 -> 1/3; 5,6 -> 1/2; 7 -> 1
    assert s["b3_recall"] == pytest.approx((2 / 3 * 2 + 1 / 3 + 0.5 * 2 + 1) / 6)


def test_score_counts_pairs_like_enumeration_on_random_clusterings():
    rng = random.Random(5)
    for _ in range(20):
        n = rng.randint(1, 60)
        truth = {str(i): rng.randint(0, 8) for i in range(n)}
        pred = {str(i): rng.randint(0, 8) for i in range(n) if rng.random() < 0.9}
        s = score.score(truth, pred)
        keys = sorted(truth)
        tp = pp = tt = 0
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                same_t = truth[a] == truth[b]
                same_p = a in pred and b in pred and pred[a] == pred[b]
                tt += same_t
                pp += same_p
                tp += same_t and same_p
        assert (s["correct_pairs"], s["predicted_pairs"], s["true_pairs"]) == (tp, pp, tt)


def test_score_rejects_predicted_report_missing_from_truth():
    with pytest.raises(ValueError, match="not in the truth"):
        score.score({"2": "A"}, {"2": "x", "9": "x"})


def test_read_map_matches_reports_by_line_whatever_the_path(tmp_path):
    p = tmp_path / "pred.csv"
    p.write_text("report,incident\n/some/dir/reports.csv:2,x\nreports.csv:3,x\n")
    assert score.read_map(str(p)) == {"2": "x", "3": "x"}


def test_read_map_names_a_missing_column(tmp_path):
    p = tmp_path / "pred.csv"
    p.write_text("report,cluster\nreports.csv:2,x\n")
    with pytest.raises(ValueError, match="no column 'incident'"):
        score.read_map(str(p))


# ------------------------------------------------------------- generator

def test_variant_changes_spelling_but_never_empties_a_name():
    rng = random.Random(1)
    names = ["al-Bab", "Khan Shaykhun", "Deir ez-Zor", "Ma'arat al-Nu'man", "Idlib"]
    seen = {n: set() for n in names}
    for _ in range(200):
        for n in names:
            v = gen.variant(n, rng, 0.35)
            assert v.strip()
            seen[n].add(v)
    assert all(len(s) > 3 for s in seen.values())
    assert any(v.startswith("el-") or v.startswith("Bab") for v in seen["al-Bab"])


@pytest.fixture(scope="module")
def lists():
    if not HAVE_DATA:
        pytest.skip(f"skipped: the shared real datasets are not at {DATA} "
                    "(set TOLL_SHARED_DATA)")
    return gen.load_incidents(DATA)


@needs_data
def test_generator_reads_all_three_real_lists(lists):
    ucdp, airwars, ibc = lists
    assert len(ucdp) == 16566
    assert 900 < len(airwars) <= 996
    assert len(ibc) > 21000
    assert all(i["country"] == "Iraq" for i in ibc[:50])
    assert all(i["low"] <= i["high"] for i in ibc)


@needs_data
def test_generated_data_are_dense_and_a_sixth_lacks_place(lists):
    reports = gen.generate(lists, gen.DEFAULT_SEED)
    meta = gen.describe(reports)
    assert meta["max_incidents_per_governorate_day"] >= 18
    assert 0.15 <= meta["share_no_place_no_coordinates"] <= 0.19
    assert meta["incidents"] == sum(len(x) for x in lists)


@needs_data
def test_generated_files_are_toll_reports_with_truth_by_line(lists, tmp_path):
    reports = gen.generate(lists, 7, n_incidents=400)
    rp, tp = gen.write(reports, str(tmp_path), gen.describe(reports))
    with open(rp, newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0].keys()) == gen.HEADER
    assert "incident" not in rows[0]
    with open(tp, newline="") as f:
        truth = list(csv.DictReader(f))
    assert [t["report"] for t in truth] == [f"reports.csv:{k + 2}" for k in range(len(rows))]
    plain = {r["source"] for r in rows if r["source_kind"] != "party"}
    assert len(plain) >= 6
    denials = [r for r in rows if r["source_kind"] == "party"]
    assert denials
    for r in denials:
        assert r["killed"] == "no civilian casualties"
        assert r["source_actor"] and r["actor"] == r["source_actor"]
    loaded = toll.read(rp)
    assert len(loaded) == len(rows)


@needs_data
def test_generator_is_deterministic_for_a_seed(lists):
    a = gen.generate(lists, 11, n_incidents=300)
    b = gen.generate(lists, 11, n_incidents=300)
    c = gen.generate(lists, 12, n_incidents=300)
    key = [(r["source"], r["date"], r["location"], r["killed"], i) for r, i in a]
    assert key == [(r["source"], r["date"], r["location"], r["killed"], i) for r, i in b]
    assert key != [(r["source"], r["date"], r["location"], r["killed"], i) for r, i in c]


@needs_data
def test_scale_copies_cannot_match_each_other(lists):
    reports = gen.generate(lists, 3, n_incidents=200, n_reports=2000)
    assert len(reports) == 2000
    by_inc = {}
    for r, iid in reports:
        by_inc.setdefault(iid, set()).add(r["region"].split("/")[0])
    assert all(len(c) == 1 for c in by_inc.values())
    countries = {c for cs in by_inc.values() for c in cs}
    assert {"Syria", "Syria 2", "Iraq", "Iraq 2"} <= countries


def _toll_cli():
    for p in (os.environ.get("TOLL_CLI"), os.path.join(ROOT, "build", "toll"),
              shutil.which("toll")):
        if p and os.path.exists(p):
            return p
    return None


@needs_data
def test_run_smoke_writes_the_report(tmp_path):
    cli = _toll_cli()
    if not cli:
        pytest.skip("skipped: no toll CLI built (set TOLL_CLI)")
    out = tmp_path / "LINK.md"
    p = subprocess.run([sys.executable, os.path.join(LINK, "run.py"), "--smoke",
                        "--toll", cli, "--work", str(tmp_path), "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    md = out.read_text()
    assert "## Quality and cost" in md and "## Targets (toll link)" in md
    assert "toll rule" in md


def test_write_labels_marks_the_pairs_of_one_true_incident(tmp_path):
    cli = _toll_cli()
    if not cli:
        pytest.skip("skipped: no toll CLI built (set TOLL_CLI)")
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        "link_run", os.path.join(LINK, "run.py"))
    run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(run)
    rp = tmp_path / "reports.csv"
    rp.write_text("source,date,region,location,actor,killed\n"
                  "SNHR,2016-05-01,Syria/Idlib,Saraqib,Russia,4\n"
                  "SOHR,2016-05-01,Syria/Idlib,Saraqeb,Russia,5\n"
                  "Airwars,2016-05-01,Syria/Idlib,Saraqib,Russia,4\n")
    truth = {"2": "a", "3": "a", "4": "b"}
    labels = tmp_path / "labels.csv"
    n, m = run.write_labels(cli, str(rp), truth, str(labels))
    with open(labels, newline="") as f:
        rows = list(csv.DictReader(f))
    assert (n, m) == (3, 1) == (len(rows), sum(r["match"] == "1" for r in rows))
    got = {(r["report_a"].split(":")[-1], r["report_b"].split(":")[-1]):
           r["match"] for r in rows}
    assert got == {("2", "3"): "1", ("2", "4"): "0", ("3", "4"): "0"}
