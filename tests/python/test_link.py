"""Reports.reconcile(link="rule", ...) and Incidents.links()."""
import gc
import json
import random

import pytest

import toll


def load(records, name="links.jsonl"):
    r = toll.Reports()
    r.load_text("".join(json.dumps(x) + "\n" for x in records), name=name)
    return r


# Two reports of one Idlib strike a day apart (one names two actors), a
# third source the next day, an unrelated Mosul report, a keyed report.
RECORDS = [
    {"source": "SNHR", "date": "2016-09-25", "region": "Syria/Idlib/Ariha",
     "actor": ["Russia", "Syria"], "killed": 92},
    {"source": "AFP", "date": "2016-09-25", "region": "Syria/Idlib",
     "actor": ["Russia"], "killed": 85},
    {"source": "SOHR", "date": "2016-09-26", "region": "Syria/Idlib",
     "actor": ["Syria"], "killed": "about 100"},
    {"source": "Reuters", "date": "2016-09-25", "region": "Iraq/Mosul",
     "actor": ["ISIS"], "killed": 3},
    {"incident": "k-1", "source": "AP", "date": "2016-09-25",
     "region": "Syria/Idlib", "actor": ["Russia"], "killed": 7},
]


@pytest.fixture
def linked():
    return load(RECORDS).reconcile(link="rule")


def test_reconcile_should_not_link_by_default():
    inc = load(RECORDS).reconcile()
    assert len(inc) == 5
    assert len(inc.links()) == 0
    assert inc.links().columns == [
        "incident", "report_a", "report_b", "source_a", "source_b",
        "days_apart", "region", "shared_actors", "explanation"]


def test_link_auto_should_join_unkeyed_reports_into_one_incident(linked):
    assert len(linked) == 3
    rows = {row["incident"]: row for row in linked.table().rows()}
    a = rows["auto:links.jsonl:1"]
    assert a["reports"] == 3
    assert a["sources"] == 3
    assert (a["low"], a["high"]) == (85.0, 110.0)
    assert "links.jsonl:4" in rows      # unlinked: named by its report
    assert rows["k-1"]["reports"] == 1  # keyed: kept apart


def test_links_should_explain_each_link(linked):
    t = linked.links()
    rows = list(t.rows())
    assert len(rows) == 2
    assert rows[0]["incident"] == "auto:links.jsonl:1"
    assert (rows[0]["report_a"], rows[0]["report_b"]) == (
        "links.jsonl:1", "links.jsonl:2")
    assert (rows[0]["source_a"], rows[0]["source_b"]) == ("SNHR", "AFP")
    assert rows[0]["days_apart"] == 0
    assert rows[0]["region"] == "Syria/Idlib"
    assert rows[0]["shared_actors"] == "Russia"
    assert rows[0]["explanation"] == (
        "links.jsonl:1 ~ links.jsonl:2: 0 days apart, same region "
        "Syria/Idlib, shared actor Russia")
    assert rows[1]["explanation"] == (
        "links.jsonl:1 ~ links.jsonl:3: 1 day apart, same region "
        "Syria/Idlib, shared actor Syria")


def test_link_days_should_set_the_window():
    r = load(RECORDS)
    assert len(r.reconcile(link="rule", link_days=0)) == 4
    far = [dict(RECORDS[0]), dict(RECORDS[1], date="2016-09-28")]
    assert len(load(far).reconcile(link="rule")) == 2
    assert len(load(far).reconcile(link="rule", link_days=3)) == 1


def test_link_level_should_set_the_region_level():
    r = load(RECORDS)
    # level 2: "Syria/Idlib" is too coarse to link with districts
    assert len(r.reconcile(link="rule", link_level=2)) == 5
    # level -1: whole paths ("Syria/Idlib/Ariha" != "Syria/Idlib")
    assert len(r.reconcile(link="rule", link_level=-1)) == 5
    same = [dict(RECORDS[0]), dict(RECORDS[0], source="X")]
    assert len(load(same).reconcile(link="rule", link_level=-1)) == 1
    # level 0: the country; Mosul is in Iraq
    assert len(r.reconcile(link="rule", link_level=0)) == 3
    govs = [dict(RECORDS[1]), dict(RECORDS[1], region="Syria/Aleppo")]
    assert len(load(govs).reconcile(link="rule")) == 2
    assert len(load(govs).reconcile(link="rule", link_level=0)) == 1


def test_link_actors_ignore_should_not_compare_actors():
    no_actor = {k: v for k, v in RECORDS[1].items() if k != "actor"}
    recs = [dict(RECORDS[1]), dict(RECORDS[1], actor=["ISIS"]), no_actor]
    r = load(recs)
    assert len(r.reconcile(link="rule")) == 3
    inc = r.reconcile(link="rule", link_actors="ignore")
    assert len(inc) == 1
    assert all(row["explanation"].endswith("actors not compared")
               or "shared actor" in row["explanation"]
               for row in inc.links().rows())


def test_link_max_span_should_keep_vague_spans_apart():
    vague = {k: v for k, v in RECORDS[1].items() if k != "date"}
    vague.update(date_start="2013", date_end="2021")
    recs = [vague, dict(RECORDS[1])]
    r = load(recs)
    assert len(r.reconcile(link="rule")) == 2
    assert len(r.reconcile(link="rule", link_max_span=0)) == 1


@pytest.mark.parametrize("kwargs, option", [
    ({"link": "fuzzy"}, "link"),
    ({"link": "rule", "link_days": -1}, "link_days"),
    ({"link": "rule", "link_level": -2}, "link_level"),
    ({"link": "rule", "link_actors": "some"}, "link_actors"),
    ({"link": "rule", "link_max_span": -3}, "link_max_span"),
    ({"link": "rule", "link_days": 10**30}, "link_days"),
])
def test_bad_link_options_should_raise_option_error(kwargs, option):
    with pytest.raises(toll.OptionError) as e:
        load(RECORDS).reconcile(**kwargs)
    assert e.value.field == option
    assert isinstance(e.value, ValueError)


def test_link_option_of_wrong_type_should_raise_type_error():
    with pytest.raises(TypeError):
        load(RECORDS).reconcile(link="rule", link_days="1")
    with pytest.raises(TypeError):
        load(RECORDS).reconcile(link="rule", link_level=True)


def test_summarize_should_count_linked_incidents_once(linked):
    t = linked.summarize(by=None)
    row = next(iter(t.rows()))
    assert row["incidents"] == 3
    assert row["reports"] == 5


def test_links_table_should_outlive_the_incidents():
    r = load(RECORDS)
    inc = r.reconcile(link="rule")
    t = inc.links()
    del inc
    gc.collect()
    assert len(t) == 2
    assert t.column("shared_actors") == ["Russia", "Syria"]
    # the reports can be loaded into again once the incidents are gone
    r.load_text(json.dumps(RECORDS[0]) + "\n", name="more.jsonl")
    assert len(r) == 6


def test_links_should_render_like_any_table(linked):
    text = linked.links().render("csv")
    assert text.splitlines()[0].startswith("incident,report_a,report_b")


# ---- synthetic duplicates with known truth -------------------------------

ACTOR_SETS = [(["Russia"], .30), (["Russia", "Syria"], .25), (["Syria"], .20),
              (["Coalition"], .10), (["Turkey"], .05), (["ISIS"], .10)]


def synthetic(n_incidents, seed):
    """Reports of n_incidents true incidents over two years in 14
    governorates x 5 districts (the noise model of tests/test_link.c:
    dates exact 70% / +-1 day 24% / +-2 days 6%; district 70%,
    governorate 30%; actors right 80%, half of a joint pair 10%, wrong 5%,
    none 5%).  Returns (records, truth)."""
    rng = random.Random(seed)
    records, truth = [], []
    import datetime
    base = datetime.date(2016, 1, 1)
    for t in range(n_incidents):
        day = rng.randrange(730)
        gov, dist = rng.randrange(14), rng.randrange(5)
        u, acc, actors = rng.random(), 0.0, ACTOR_SETS[-1][0]
        for s, p in ACTOR_SETS:
            acc += p
            if u < acc:
                actors = s
                break
        v = rng.random()
        nrep = 1 if v < .3 else 2 if v < .6 else 3 if v < .85 else 4
        for k in range(nrep):
            w = rng.random()
            off = 0 if w < .7 else 1 if w < .94 else 2
            off = -off if rng.random() < .5 else off
            x = rng.random()
            if x < .8:
                a = actors
            elif x < .9:
                a = [rng.choice(actors)]
            elif x < .95:
                a = [rng.choice(["Unknown", "Hezbollah", "Iran"])]
            else:
                a = None
            rec = {"source": f"source-{k}",
                   "date": (base + datetime.timedelta(day + off)).isoformat(),
                   "region": (f"Syria/G{gov:02d}/D{dist}"
                              if rng.random() < .7 else f"Syria/G{gov:02d}"),
                   "killed": rng.randrange(50)}
            if a:
                rec["actor"] = a
            records.append(rec)
            truth.append(t)
    return records, truth


def pairwise(pred, truth):
    from collections import Counter

    def pairs(counter):
        return sum(k * (k - 1) // 2 for k in counter.values())
    both = pairs(Counter(zip(pred, truth)))
    p, t = pairs(Counter(pred)), pairs(Counter(truth))
    return both / p, both / t


def test_synthetic_duplicates_should_be_linked_with_good_precision_recall(
        capsys):
    """Sparse data (300 incidents in two years: 0.03 per governorate-day).
    The noise model caps recall near 0.76 (see tests/test_link.c); at this
    density a window holds about 0.2 unrelated reports of the same
    governorate, so precision should be near 0.9.  We require 0.8 and
    0.65."""
    records, truth = synthetic(300, seed=7)
    inc = load(records, name="synthetic.jsonl").reconcile(link="rule")
    # report -> incident: every report of a linked incident is in one of
    # its links (a spanning tree); the others are incidents of their own
    line_to_incident = {}
    for row in inc.links().rows():
        for rep in (row["report_a"], row["report_b"]):
            line_to_incident[rep] = row["incident"]
    pred = [line_to_incident.get(f"synthetic.jsonl:{i + 1}",
                                 f"synthetic.jsonl:{i + 1}")
            for i in range(len(records))]
    precision, recall = pairwise(pred, truth)
    with capsys.disabled():
        print(f"\nlink (python, {len(records)} synthetic reports): "
              f"precision {precision:.3f}, recall {recall:.3f}")
    assert precision >= 0.80
    assert recall >= 0.65
