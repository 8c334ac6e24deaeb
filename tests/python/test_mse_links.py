"""toll.mse.Data.from_links: capture histories from scored record links
(the C builder toll_mse_linkage) and their sensitivity to the threshold."""
import math
import os
import re
from collections import Counter
from pathlib import Path

import pytest

import toll
import toll.mse

RECORDS = [
    {"id": "a1", "list": "A"}, {"id": "b1", "list": "B"},
    {"id": "c1", "list": "C"}, {"id": "a2", "list": "A"},
    {"id": "b2", "list": "B"}, {"id": "c2", "list": "C"},
    {"id": "a3", "list": "A"},
]
LINKS = [
    {"left": "a1", "right": "b1", "score": 0.9},
    {"left": "b1", "right": "c1", "score": 0.6},
    {"left": "a2", "right": "b2", "score": 0.8},
    {"left": "a3", "right": "a1", "score": 0.95},
]
# histories by threshold, worked by hand
WANT = {
    0.5: {"110": 1, "001": 1, "111": 1},
    0.7: {"110": 2, "001": 2},
    0.99: {"100": 3, "010": 2, "001": 2},
}


def nonzero(d):
    return {k: v for k, v in d.counts().items() if v}


def frames(kind):
    if kind == "mappings":
        return RECORDS, LINKS
    if kind == "pandas":
        pd = pytest.importorskip("pandas")
        return pd.DataFrame(RECORDS), pd.DataFrame(LINKS)
    if kind == "polars":
        pl = pytest.importorskip("polars")
        return pl.DataFrame(RECORDS), pl.DataFrame(LINKS)
    pa = pytest.importorskip("pyarrow")
    return pa.Table.from_pylist(RECORDS), pa.Table.from_pylist(LINKS)


@pytest.mark.parametrize("kind", ["mappings", "pandas", "polars", "arrow"])
def test_from_links_should_build_the_histories_of_each_threshold(kind):
    recs, links = frames(kind)
    s = toll.mse.Data.from_links(recs, links, thresholds=[0.5, 0.7, 0.99])
    assert isinstance(s, toll.mse.Sensitivity)
    assert s.thresholds == (0.5, 0.7, 0.99)
    for t, d in zip(s.thresholds, s):
        assert d.lists == ("A", "B", "C")
        assert nonzero(d) == WANT[t]


def test_from_links_with_one_threshold_should_give_a_data():
    d = toll.mse.Data.from_links(RECORDS, LINKS, thresholds=0.7)
    assert isinstance(d, toll.mse.Data)
    assert nonzero(d) == WANT[0.7]


def test_from_links_should_take_other_column_names_and_list_order():
    recs = [{"rid": r["id"], "src": r["list"]} for r in RECORDS]
    links = [{"x": l["left"], "y": l["right"], "p": l["score"]}
             for l in LINKS]
    d = toll.mse.Data.from_links(recs, links, score="p", thresholds=0.5,
                                 list="src", id="rid", left="x", right="y",
                                 lists=["C", "B", "A"])
    assert d.lists == ("C", "B", "A")
    assert nonzero(d) == {"011": 1, "100": 1, "111": 1}


def test_from_links_should_put_components_in_the_stratum_of_their_first_record():
    recs = [dict(r, region="north" if r["id"] < "b" else "south")
            for r in RECORDS]
    d = toll.mse.Data.from_links(recs, LINKS, thresholds=0.7,
                                 stratum="region")
    assert d.strata == ("north", "south")
    assert {k: v for k, v in d.counts("north").items() if v} == {"110": 2}
    assert {k: v for k, v in d.counts("south").items() if v} == {"001": 2}


def test_from_links_should_count_only_the_individuals_kept():
    # individuals at 0.7: 0 {a1,b1,a3}, 1 {c1}, 2 {a2,b2}, 3 {c2}
    seen = []

    def keep(comp):
        seen.append(list(comp))
        return [i != 2 for i in range(max(comp) + 1)]
    d = toll.mse.Data.from_links(RECORDS, LINKS, thresholds=0.7, keep=keep)
    assert seen == [[0, 0, 1, 2, 2, 3, 0]]
    assert nonzero(d) == {"110": 1, "001": 2}
    with pytest.raises(ValueError, match="3 flags for 4"):
        toll.mse.Data.from_links(RECORDS, LINKS, thresholds=0.7,
                                 keep=lambda c: [True] * 3)


def test_observed_should_never_fall_as_the_threshold_rises():
    import random
    rng = random.Random(5)
    recs = [{"id": f"r{i}", "list": "ABC"[i % 3]} for i in range(200)]
    links = [{"left": f"r{rng.randrange(200)}",
              "right": f"r{rng.randrange(200)}", "score": rng.random()}
             for _ in range(300)]
    ts = [i / 10 for i in range(11)]
    s = toll.mse.Data.from_links(recs, links, thresholds=ts)
    obs = s.observed()
    assert obs == sorted(obs)
    assert obs[0] < obs[-1] <= 200


def test_estimate_should_give_one_row_per_threshold_as_loglinear_does():
    s = toll.mse.Data.from_links(RECORDS * 1, LINKS, thresholds=[0.5, 0.7])
    t = s.estimate()
    assert t.columns[:3] == ["threshold", "observed", "model"]
    rows = t.rows()
    assert [r["threshold"] for r in rows] == [0.5, 0.7]
    assert [r["observed"] for r in rows] == [3, 4]
    for r, d in zip(rows, s):
        try:
            e = d.loglinear()
        except toll.ModelError as exc:
            assert math.isnan(r["n_hat"]) or r["n_hat"] is None
            assert r["warning"]
            assert str(exc)[:20] in r["warning"]
        else:
            assert r["n_hat"] == pytest.approx(e.n_hat)
    df = s.to_pandas()
    assert list(df["threshold"]) == [0.5, 0.7]
    assert "<table" in s._repr_html_()


def test_plot_should_draw_n_hat_and_observed_against_the_threshold():
    pytest.importorskip("matplotlib")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    recs = [{"id": f"{l}{i}", "list": l} for l in "ABC" for i in range(40)]
    links = [{"left": f"A{i}", "right": f"B{i}", "score": i / 40}
             for i in range(30)]
    links += [{"left": f"B{i}", "right": f"C{i}", "score": 1 - i / 40}
              for i in range(25)]
    links += [{"left": f"A{i}", "right": f"C{i}", "score": 0.5}
              for i in range(10, 30)]
    s = toll.mse.Data.from_links(recs, links, thresholds=[0.2, 0.5, 0.7])
    s.estimate()
    ax = s.plot()
    xs = [list(line.get_xdata()) for line in ax.get_lines()]
    assert [0.2, 0.5, 0.7] in xs
    assert ax.get_xlabel() == "linkage threshold"
    plt.close("all")


def test_from_links_should_refuse_an_unknown_list_naming_record_field_and_text():
    recs = RECORDS + [{"id": "z", "list": "Q"}]
    with pytest.raises(toll.OptionError) as e:
        toll.mse.Data.from_links(recs, LINKS, thresholds=0.5,
                                 lists=["A", "B", "C"])
    assert str(e.value) == ('record 8: field \'list\': unknown list "Q" '
                            "(lists: A, B, C)")
    assert e.value.field == "list" and e.value.text == "Q"


def test_from_links_should_refuse_an_unknown_id_in_links():
    links = LINKS + [{"left": "a1", "right": "nobody", "score": 1.0}]
    with pytest.raises(toll.OptionError, match=r'link 5: field \'right\': '
                       r'unknown record id "nobody"'):
        toll.mse.Data.from_links(RECORDS, links, thresholds=0.5)


def test_from_links_should_refuse_a_nan_or_unreadable_score():
    for bad, text in [(float("nan"), "not a number"), (None, "not a number"),
                      ("high", "cannot read 'high'")]:
        links = LINKS + [{"left": "a1", "right": "b2", "score": bad}]
        with pytest.raises(toll.OptionError) as e:
            toll.mse.Data.from_links(RECORDS, links, thresholds=0.5)
        assert str(e.value).startswith("link 5: field 'score': ")
        assert text in str(e.value)


def test_from_links_should_refuse_a_threshold_that_is_not_a_number():
    with pytest.raises(toll.OptionError, match="finite number"):
        toll.mse.Data.from_links(RECORDS, LINKS, thresholds=[0.5, math.nan])
    with pytest.raises(toll.OptionError, match="at least one threshold"):
        toll.mse.Data.from_links(RECORDS, LINKS, thresholds=[])


def test_from_links_should_refuse_a_repeated_id_and_a_missing_column():
    recs = RECORDS + [{"id": "a1", "list": "B"}]
    with pytest.raises(toll.OptionError,
                       match=r'record 8: field \'id\': id "a1" repeats'):
        toll.mse.Data.from_links(recs, LINKS, thresholds=0.5)
    with pytest.raises(toll.OptionError, match="no column 'p'"):
        pd = pytest.importorskip("pandas")
        toll.mse.Data.from_links(pd.DataFrame(RECORDS), pd.DataFrame(LINKS),
                                 score="p", thresholds=0.5)


# ---- the Sudan records (Dahab et al. 2024) ---------------------------------

SHARED = os.environ.get("TOLL_SHARED_DATA")
SUDAN = Path(SHARED or ".") / "mse" / "sdn_cam_data_final_public__data.csv"
needs_sudan = pytest.mark.skipif(
    not SHARED or not SUDAN.exists(),
    reason="set TOLL_SHARED_DATA to the shared datasets directory")
LISTS = ["PB", "PV", "SM"]


def parent(dup_id):
    parts = dup_id.split("_")
    return "_".join(parts[:2]) if len(parts) > 2 else dup_id


def split_link(s):
    m = re.search(r"_(PB|PV|SM)_", s[1:])
    i = m.start() + 1
    return s[:i], s[i + 1:].rsplit("_", 1)[0]


def recipe(raw, d, o):
    """The pandas recipe of notebooks/04-sudan-mse.ipynb, without its
    individual-level filters: dup_score >= d merges a record into its
    parent, ovrlp_score >= o joins records, components are individuals."""
    dup_score = dict(zip(raw["dup_id"], raw["dup_score"].astype(int)))

    def node(x):
        return parent(x) if x != parent(x) and dup_score.get(x, 0) >= d \
            else x
    up = {}

    def find(x):
        up.setdefault(x, x)
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x
    for k in range(1, 6):
        for s, v in zip(raw[f"ovrlp_id_{k}"], raw[f"ovrlp_score_{k}"]):
            if isinstance(s, str) and float(v) >= o:
                a, b = split_link(s)
                ra, rb = find(node(a)), find(node(b))
                if ra != rb:
                    up[ra] = rb
    comp = {}
    for x in raw["dup_id"]:
        r = find(node(x))
        comp[r] = comp.get(r, 0) | 1 << LISTS.index(x[:2])
    return dict(Counter("".join("1" if m >> j & 1 else "0"
                                for j in range(3)) for m in comp.values()))


def sudan_links(raw):
    """Records (one per dup_id) and scored links: a duplicate link from
    each record to its parent scored dup_score, and every overlap link
    scored ovrlp_score.  An id that is no record (a parent or an overlap
    end missing from the file) joins the records it is linked to: they are
    linked pairwise, scored by the lower of their two scores."""
    ids = set(raw["dup_id"])
    links, phantom = [], {}

    def add(a, b, v):
        for x, y in ((a, b), (b, a)):
            if x not in ids:
                phantom.setdefault(x, []).append((y, v))
        if a in ids and b in ids:
            links.append({"left": a, "right": b, "score": v})
    for x, v in zip(raw["dup_id"], raw["dup_score"].astype(float)):
        if parent(x) != x:
            add(x, parent(x), v)
    for k in range(1, 6):
        for s, v in zip(raw[f"ovrlp_id_{k}"], raw[f"ovrlp_score_{k}"]):
            if isinstance(s, str):
                a, b = split_link(s)
                add(a, b, float(v))
    for ends in phantom.values():
        for i, (x, vx) in enumerate(ends):
            for y, vy in ends[i + 1:]:
                if x in ids and y in ids:
                    links.append({"left": x, "right": y,
                                  "score": min(vx, vy)})
    records = [{"id": x, "list": x[:2]} for x in raw["dup_id"]]
    return records, links


@needs_sudan
def test_sudan_histories_should_equal_the_notebook_recipe():
    pd = pytest.importorskip("pandas")
    raw = pd.read_csv(SUDAN, dtype=str)
    records, links = sudan_links(raw)
    s = toll.mse.Data.from_links(records, links, thresholds=[1, 2, 3, 4, 5],
                                 lists=LISTS)
    for t, d in zip(s.thresholds, s):
        assert nonzero(d) == recipe(raw, t, t), t
    obs = s.observed()
    assert obs == sorted(obs)
    assert obs[0] < obs[-1] < len(raw)


def sudan_keep(raw):
    """The notebook's individual rules: a record with del_score > 0, one
    dated in 2023-04-15 .. 2024-06-04, Khartoum the most frequent place."""
    pd = pytest.importorskip("pandas")
    ok = (raw["del_score"].astype(int) > 0).tolist()
    dates = pd.to_datetime(raw["death_date"], errors="coerce")
    win = ((dates >= "2023-04-15") & (dates <= "2024-06-04")).tolist()
    loc = raw["loc_death"].str.strip().tolist()

    def keep(comp):
        n = max(comp) + 1
        a, w, places = [False] * n, [False] * n, [Counter() for _ in range(n)]
        for c, o, x, p in zip(comp, ok, win, loc):
            a[c] |= o
            w[c] |= x
            if isinstance(p, str):
                places[c][p] += 1
        return [a[i] and w[i] and bool(places[i])
                and places[i]["Khartoum"] == max(places[i].values())
                for i in range(n)]
    return keep


@needs_sudan
def test_sudan_sensitivity_should_give_the_documented_table():
    pd = pytest.importorskip("pandas")
    raw = pd.read_csv(SUDAN, dtype=str)
    records, links = sudan_links(raw)
    s = toll.mse.Data.from_links(records, links, thresholds=[5, 4, 3, 2, 1],
                                 lists=LISTS, keep=sudan_keep(raw))
    assert s.observed() == [3879, 3418, 3116, 2978, 2927]
    assert nonzero(s.data(1)) == {"001": 1317, "010": 852, "011": 218,
                                  "100": 425, "101": 61, "110": 33,
                                  "111": 21}
    avg = s.search("aic").rows()
    want = [382563, 54719, 25433, 25013, 23747]  # docs/mse.md
    for r, w in zip(avg, want):
        assert r["model"] == "model average"
        assert r["n_hat"] == pytest.approx(w, rel=1e-4)
    best = s.search("bic", average=False).rows()
    assert [round(r["n_hat"]) for r in best] == [135883, 34363, 19977,
                                                 14503, 11749]
    assert all(r["model"] == "PB + PV + SM + PV*SM" for r in best)
    ind = s.estimate().rows()
    assert [round(r["n_hat"]) for r in ind] == [44886, 18773, 13084, 10370,
                                                9008]
    # the authors' published estimates at the same thresholds (d = o = t):
    # toll's AIC-average intervals overlap theirs at every threshold
    authors = pd.read_csv(SUDAN.parent / "all_sens_raw.csv").set_index(
        ["dup_threshold", "ovrlp_threshold"])
    for t, r in zip(s.thresholds, avg):
        a = authors.loc[(int(t), int(t))]
        assert r["lower"] < a["all_cause_uci"] and a["all_cause_lci"] < r["upper"]
        assert 0.4 < r["n_hat"] / a["all_cause_est"] < 2.5


def test_link_thresholds_should_move_the_estimate_on_multi_source_reports(
        tmp_path):
    """`toll mse --from-incidents --link auto --link-thresholds` on reports
    of 400 real incidents by simulated sources (bench/link/linkgen.py, from
    the shared data): the linker's match probabilities lie between 0 and
    1, so stricter thresholds merge fewer reports: the observed count
    never falls, several thresholds differ, and N-hat grows."""
    import csv
    import subprocess
    import sys
    from conftest import ROOT, shared_data
    data = os.path.dirname(os.path.dirname(
        shared_data("ucdp", "ucdp_ged_syria_2016_2019.csv")))
    gen = subprocess.run(
        [sys.executable, os.path.join(ROOT, "bench", "link", "linkgen.py"),
         "--incidents", "400", "--out", str(tmp_path), "--data", data],
        capture_output=True, text=True, timeout=300)
    assert gen.returncode == 0, gen.stderr
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.dirname(os.path.dirname(toll.__file__)),
         env.get("PYTHONPATH", "")])
    thresholds = ["0.2", "0.5", "0.8", "0.99"]
    p = subprocess.run(
        [sys.executable, "-m", "toll", "mse", "--from-incidents",
         str(tmp_path / "reports.csv"), "--link", "auto",
         "--link-thresholds", ",".join(thresholds),
         "--lists", "SOHR,SNHR,Syria Civil Defence,"
         "Local Coordination Committees", "--format", "csv"],
        capture_output=True, text=True, env=env, timeout=300)
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(p.stdout.splitlines()))
    assert [r["threshold"] for r in rows] == thresholds
    observed = [int(float(r["observed"])) for r in rows]
    n_hat = [float(r["n_hat"]) for r in rows]
    assert observed == sorted(observed)
    assert len(set(observed)) >= 3
    assert n_hat[-1] > n_hat[0] >= observed[0]
