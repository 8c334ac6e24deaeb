"""toll.read(..., threads=): a load split over two threads gives the same
store as a one-thread load (docs/parallel_load.md)."""
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
