"""Reference counts, leaks and garbage collection of the C types."""
import gc
import os
import sys
import weakref

import pytest

import toll
from conftest import records_jsonl

_core = toll._core
DATA = records_jsonl().encode()
BAD = DATA + b'{"source": "x", "killed": "at leest 5"}\n'

needs_proc = pytest.mark.skipif(not os.path.exists("/proc/self/statm"),
                                reason="needs /proc/self/statm (Linux)")


def rss_kib():
    with open("/proc/self/statm") as f:
        resident_pages = int(f.read().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE") // 1024


def settle():
    for _ in range(3):
        gc.collect()


def parse_round(text, lex):
    q = _core.parse_quantity(text, lex, 0.1)
    assert q is not None
    try:
        _core.parse_quantity("at leest 5")
    except toll.ParseError as e:
        assert e.text == "at leest 5"
    return q


def pipeline_round(data):
    r = _core.Reports()
    r.load_buffer(data, "<loop>", format="jsonl")
    inc = r.reconcile()
    t = inc.summarize(by="actor,period:month", attribution="split")
    out = t.render("csv", True)
    codes, dictionary = t.column(0)
    low = t.column("low")
    assert low.tolist() and codes.tolist() and dictionary
    try:
        r2 = _core.Reports()
        r2.load_buffer(BAD, "<bad>")
    except toll.ParseError:
        pass
    r3 = _core.Reports()
    r3.load_buffer(BAD, "<bad>", lenient=True)
    assert len(r3.rejects) == 1
    try:
        inc.summarize(by="colour")
    except toll.OptionError:
        pass
    return out


@needs_proc
def test_parse_quantity_loop_should_keep_memory_and_refcounts_stable():
    text = "at least 150 civilians"
    lex = _core.Lexicon("acled")
    for _ in range(2000):  # warm up caches and allocator arenas
        parse_round(text, lex)
    settle()
    refs = (sys.getrefcount(text), sys.getrefcount(lex),
            sys.getrefcount(toll.ParseError), sys.getrefcount(_core.Lexicon))
    objects = len(gc.get_objects())
    before = rss_kib()
    for _ in range(100_000):
        parse_round(text, lex)
    settle()
    growth = rss_kib() - before
    assert growth < 4 * 1024, f"RSS grew by {growth} KiB"
    assert len(gc.get_objects()) - objects < 100
    assert (sys.getrefcount(text), sys.getrefcount(lex),
            sys.getrefcount(toll.ParseError),
            sys.getrefcount(_core.Lexicon)) == refs


@needs_proc
def test_parse_quantities_loop_should_not_leak():
    texts = ["5", None, "dozens", "about 30", "12-15"] * 20
    for _ in range(200):
        _core.parse_quantities(texts)
    settle()
    before = rss_kib()
    for _ in range(5_000):  # 500,000 values
        _core.parse_quantities(texts)
        try:
            _core.parse_quantities(texts + ["x y z"])
        except toll.ParseError:
            pass
    settle()
    assert rss_kib() - before < 4 * 1024


@needs_proc
def test_load_reconcile_summarize_loop_should_not_leak():
    for _ in range(2000):
        pipeline_round(DATA)
    settle()
    types = (_core.Reports, _core.Incidents, _core.Table, _core.Column)
    refs = [sys.getrefcount(t) for t in types] + [sys.getrefcount(DATA)]
    objects = len(gc.get_objects())
    before = rss_kib()
    expected = pipeline_round(DATA)
    for _ in range(100_000 // 4):  # 4 loads, 1 reconcile, 2 summaries each
        assert pipeline_round(DATA) == expected
    settle()
    growth = rss_kib() - before
    assert growth < 8 * 1024, f"RSS grew by {growth} KiB"
    assert len(gc.get_objects()) - objects < 100
    assert [sys.getrefcount(t) for t in types] + [
        sys.getrefcount(DATA)] == refs


@needs_proc
def test_python_api_loop_should_not_leak(records):
    def round_trip():
        reports = toll.Reports.from_records(records)
        table = reports.reconcile().summarize(by=["actor", "period:month"])
        return table.to_csv(), table.rows()

    for _ in range(300):
        round_trip()
    settle()
    before = rss_kib()
    for _ in range(5_000):
        round_trip()
    settle()
    assert rss_kib() - before < 4 * 1024


def test_reconcile_should_not_change_the_reports_refcount():
    r = _core.Reports()
    r.load_buffer(DATA)
    n = sys.getrefcount(r)
    for _ in range(1000):
        inc = r.reconcile()
        assert sys.getrefcount(r) == n + 1  # the Incidents' reference
        inc.table()
        del inc
    assert sys.getrefcount(r) == n


def test_column_views_should_hold_and_release_the_table():
    r = _core.Reports()
    r.load_buffer(DATA)
    t = r.reconcile().table()
    n = sys.getrefcount(t)
    views = [t.column(j) for j in range(t.ncols)]
    assert sys.getrefcount(t) == n + t.ncols
    del views
    assert sys.getrefcount(t) == n


def test_all_types_should_be_weak_referenceable():
    r = _core.Reports()
    r.load_buffer(DATA)
    inc = r.reconcile()
    objs = [r, inc, inc.table(), _core.Lexicon()]
    refs = [weakref.ref(o) for o in objs]
    assert all(w() is o for w, o in zip(refs, objs))
    del objs, r, inc
    settle()
    assert all(w() is None for w in refs)


def test_reports_in_a_reference_cycle_should_be_collected():
    r = _core.Reports()
    r.load_buffer(DATA)
    inc = r.reconcile()
    cycle = [r]
    cycle.append(cycle)          # a list that contains itself
    r.keep = (cycle, inc)        # Reports -> list -> Reports, -> Incidents
    inc.owner = r                # Incidents -> Reports (also held in C)
    w_r, w_inc = weakref.ref(r), weakref.ref(inc)
    del r, inc, cycle
    assert w_r() is not None     # only the cycle keeps them alive now
    settle()
    assert w_r() is None
    assert w_inc() is None


def test_python_wrappers_in_a_cycle_should_be_collected(records):
    reports = toll.Reports.from_records(records)
    incidents = reports.reconcile()
    reports.me = [reports, incidents]
    w_core = weakref.ref(reports._c)
    w_inc = weakref.ref(incidents._c)
    del reports, incidents
    settle()
    assert w_core() is None and w_inc() is None


def test_load_should_work_while_an_incidents_cycle_is_alive():
    r = _core.Reports()
    r.load_buffer(DATA)
    inc = r.reconcile()
    inc.me = inc                 # a cycle through the Incidents only
    n = len(inc)
    assert r.load_buffer(DATA) > 0
    assert len(inc) == n         # still the reports it was made from
    w_inc = weakref.ref(inc)
    del inc
    settle()
    assert w_inc() is None
    assert r.load_buffer(DATA) > 0


def test_dict_of_core_objects_should_work():
    r = _core.Reports()
    r.note = "hello"
    assert r.__dict__ == {"note": "hello"}
