"""toll.read(..., threads=): a load split over two threads gives the same
store as a one-thread load (docs/parallel_load.md); calls on one store from
several Python threads neither fail nor wait for each other: a read sees the
store before or after a load, and concurrent loads all land."""
import gc
import threading
import time

import pytest

import toll


def _csv(n, bad_every=0):
    lines = ["incident,source,date,region,actor,killed,note"]
    for i in range(n):
        killed = "at leest 3" if bad_every and i % bad_every == bad_every - 1 \
            else str(i % 37)
        note = '"two\nlines"' if i % 5 == 0 else "n%d" % (i % 11)
        lines.append("inc-%05d,S%d,2020-%02d-%02d,Syria/R%d,A%d;B%d,%s,%s" % (
            i % 3001, i % 7, 1 + i % 12, 1 + i % 28, i % 9, i % 4, i % 3,
            killed, note))
    return "\n".join(lines) + "\n"


def _state(r):
    t = r.reconcile().table()
    return (len(r), r.categories, r.rejects, r.repairs,
            [t.column(c) for c in t.columns])


@pytest.mark.parametrize("lenient", [False, True])
def test_two_threads_should_load_what_one_thread_loads(tmp_path, lenient):
    p = tmp_path / "big.csv"
    p.write_text(_csv(30000, bad_every=997 if lenient else 0))
    one = toll.read(p, threads=1, lenient=lenient)
    two = toll.read(p, threads=2, lenient=lenient)
    assert _state(one) == _state(two)
    if lenient:
        assert len(two.rejects) == 30
        assert [e["line"] for e in two.rejects] == sorted(
            e["line"] for e in two.rejects)


def test_two_threads_should_fail_as_one_thread_does(tmp_path):
    p = tmp_path / "bad.csv"
    p.write_text(_csv(30000, bad_every=25000))
    errors = []
    for threads in (1, 2):
        with pytest.raises(toll.ParseError) as e:
            toll.read(p, threads=threads)
        errors.append(str(e.value))
    assert errors[0] == errors[1]


def test_threads_should_reject_a_negative_count(tmp_path):
    p = tmp_path / "r.csv"
    p.write_text(_csv(10))
    with pytest.raises(toll.OptionError):
        toll.read(p, threads=-1)


def _load_in_thread(r, text):
    """Start loading `text` into r in a thread; returns (thread, started)."""
    started = threading.Event()

    def run():
        started.set()
        r.load_text(text, name="more.csv")

    t = threading.Thread(target=run)
    t.start()
    started.wait()
    return t


def test_len_during_a_load_in_another_thread_should_be_before_or_after():
    r = toll.Reports()
    t = _load_in_thread(r, _csv(300000))
    seen = {len(r)}
    while t.is_alive():
        seen.add(len(r))  # before the load or after it: never an error
    t.join()
    assert seen <= {0, 300000}
    assert len(r) == 300000


def test_summaries_during_a_load_should_see_their_reports():
    r = toll.Reports()
    r.load_text(_csv(3000), name="first.csv")
    inc = r.reconcile()
    before = inc.summarize(by="actor").to_dict()
    t = _load_in_thread(r, _csv(200000))
    during = [inc.summarize(by="actor").to_dict() for _ in range(5)]
    t.join()
    assert all(d == before for d in during)
    assert inc.summarize(by="actor").to_dict() == before
    assert len(r) == 203000


def test_concurrent_reconciles_should_share_the_store():
    r = toll.Reports()
    r.load_text(_csv(20000), name="r.csv")
    want = r.reconcile().table().to_dict()
    got = []

    def run():
        got.append(r.reconcile().table().to_dict())

    ts = [threading.Thread(target=run) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert got == [want] * 3


def test_len_should_not_wait_for_a_load_in_another_thread():
    # A lock would make every len() that starts during the load wait for
    # its end and return the new length; without one, len() returns the
    # old length while the load runs.  Reads are counted only from a
    # quarter of the load's time on, when the load has surely begun.
    r = toll.Reports()
    r.load_text(_csv(100), name="first.csv")
    big = _csv(300000).encode()
    span = {}

    def run():
        span["t0"] = time.perf_counter()
        r.load_text(big, name="big.csv")
        span["t1"] = time.perf_counter()

    reads = []
    t = threading.Thread(target=run)
    gc.disable()  # a full collection of a large heap would pause the reads
    try:
        t.start()
        while t.is_alive():
            start = time.perf_counter()
            reads.append((start, len(r)))
        t.join()
    finally:
        gc.enable()
    assert len(r) == 300100
    t0, t1 = span["t0"], span["t1"]
    assert {n for _, n in reads} <= {100, 300100}
    mid = [n for at, n in reads if t0 + (t1 - t0) / 4 < at < t1]
    assert 100 in mid, "no len() returned the old length during the load"


def test_two_threads_loading_into_one_reports_at_once_should_both_land():
    r = toll.Reports()
    r.load_text(_csv(1000), name="first.csv")
    texts = [_csv(60000), _csv(40000)]
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run(text):
        try:
            barrier.wait()
            counts.append(r.load_text(text, name="more.csv"))
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    ts = [threading.Thread(target=run, args=(x,)) for x in texts]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    assert sorted(counts) == [40000, 60000]
    assert len(r) == 101000
    want = toll.Reports()
    for text in [_csv(1000)] + texts:
        want.load_text(text, name="x.csv")
    assert r.categories == want.categories
    assert len(r.reconcile()) == len(want.reconcile())


def test_many_threads_loading_small_inputs_should_all_land():
    r = toll.Reports()
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        for _ in range(10):
            r.load_text(_csv(500), name="small.csv")

    ts = [threading.Thread(target=run) for _ in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert len(r) == 4 * 10 * 500


def test_incidents_should_keep_their_reports_across_concurrent_loads():
    r = toll.Reports()
    r.load_text(_csv(2000), name="first.csv")
    inc = r.reconcile()
    before = inc.table().to_dict()
    t = _load_in_thread(r, _csv(100000))
    during = [inc.table().to_dict() == before for _ in range(3)]
    t.join()
    assert all(during)
    assert inc.table().to_dict() == before
    assert len(r.reconcile()) > len(inc)
