"""Probabilistic intervals of totals: toll.intervals.interval_sum and
Incidents.summarize(interval=...).  Each engine is checked against brute
force (enumeration of every outcome) or against another engine."""
import itertools
import math
import random

import pytest

import toll
from toll.intervals import column_name, interval_sum


def brute_quantiles(ranges, ps):
    """Exact quantiles of a sum of independent uniform integer ranges by
    enumerating every outcome: smallest x with P(S <= x) >= p."""
    counts = {}
    for combo in itertools.product(*[range(lo, hi + 1) for lo, hi in ranges]):
        s = sum(combo)
        counts[s] = counts.get(s, 0) + 1
    total = sum(counts.values())
    out = []
    for p in ps:
        cum = 0
        for x in sorted(counts):
            cum += counts[x]
            if cum >= p * total - 1e-9:
                out.append(float(x))
                break
    return out


PS = (0.025, 0.1, 0.5, 0.9, 0.975)


def test_column_names_should_spell_the_probability():
    assert [column_name(p) for p in (0.025, 0.5, 0.975, 0.0125)] == [
        "q025", "q500", "q975", "q0125"]


@pytest.mark.parametrize("seed", range(5))
def test_exact_should_match_enumeration(seed):
    rng = random.Random(seed)
    ranges = [(lo, lo + rng.randint(0, 6)) for lo in
              (rng.randint(0, 20) for _ in range(rng.randint(1, 5)))]
    got = interval_sum([a for a, _ in ranges], [b for _, b in ranges],
                       quantiles=PS, engine="exact")
    assert got["engine"] == "exact"
    assert [got[column_name(p)] for p in PS] == brute_quantiles(ranges, PS)


def test_simulation_should_agree_with_exact():
    low = [0, 5, 10, 0, 40]
    high = [30, 9, 60, 100, 41]
    best = [10, 9, 12, 90, 40]
    for dist in ("uniform", "triangular"):
        ex = interval_sum(low, high, best, quantiles=PS, dist=dist,
                          engine="exact")
        sim = interval_sum(low, high, best, quantiles=PS, dist=dist,
                           engine="simulate", draws=200000, seed=3)
        assert sim["engine"] == "simulate"
        for p in PS:
            assert abs(sim[column_name(p)] - ex[column_name(p)]) <= 2, (dist,
                                                                      p)


def test_normal_should_agree_with_exact_for_many_ranges():
    rng = random.Random(9)
    low = [rng.randint(0, 100) for _ in range(300)]
    high = [x + rng.randint(0, 50) for x in low]
    ex = interval_sum(low, high, quantiles=PS, engine="exact")
    nm = interval_sum(low, high, quantiles=PS, engine="normal")
    sd = (ex["q975"] - ex["q025"]) / (2 * 1.96)
    for p in PS:
        assert abs(nm[column_name(p)] - ex[column_name(p)]) <= 0.01 * sd + 1


def test_normal_should_use_exact_mean_and_variance():
    # 1000 ranges [0, 9]: mean 4500, variance 1000 * 99/12
    got = interval_sum([0] * 1000, [9] * 1000, engine="normal",
                       quantiles=(0.5, 0.8413447460685429))
    assert got["q500"] == 4500
    assert abs(got[column_name(0.8413447460685429)]
               - (4500 + math.sqrt(1000 * 99 / 12))) <= 1


def test_comonotone_should_sum_the_quantiles():
    got = interval_sum([0, 0, 0], [9, 9, 9], interval="comonotone")
    assert (got["q025"], got["q500"], got["q975"]) == (0, 12, 27)
    assert got["engine"] == "exact"


def test_open_ranges_should_be_capped():
    got = interval_sum([150], [None], interval="comonotone",
                       quantiles=(0.5,))
    assert got["q500"] == 225  # [150, 300]
    got = interval_sum([85], [150], open=[True], interval="comonotone",
                       quantiles=(0.999,), open_cap=3)
    assert got["q999"] == 255


def test_same_seed_should_give_the_same_numbers():
    kw = dict(engine="simulate", draws=999, seed=42)
    a = interval_sum([0, 10, 20, 5], [100, 50, 25, 500], **kw)
    b = interval_sum([0, 10, 20, 5], [100, 50, 25, 500], **kw)
    assert a == b
    # the values tests/test_intervals.c pins for every platform
    assert (a["q025"], a["q500"], a["q975"]) == (105, 354, 609)
    c = interval_sum([0, 10, 20, 5], [100, 50, 25, 500], engine="simulate",
                     draws=999, seed=43)
    assert c != a


def test_bad_options_should_raise_option_error():
    with pytest.raises(toll.OptionError) as ei:
        interval_sum([1], [2], interval="bayesian")
    assert ei.value.field == "interval"
    with pytest.raises(toll.OptionError, match="open_cap"):
        interval_sum([1], [2], open_cap=0.5)
    with pytest.raises(toll.OptionError, match="quantile"):
        interval_sum([1], [2], quantiles=(0.5, 1.0))
    with pytest.raises(toll.OptionError):
        interval_sum([5], [2])


def test_large_groups_should_use_the_normal_engine():
    rng = random.Random(1)
    low = [rng.randint(0, 200) for _ in range(100000)]
    high = [x + rng.randint(0, 60) for x in low]
    got = interval_sum(low, high, draws=10000)
    assert got["engine"] == "normal"


# ---- summaries --------------------------------------------------------------

def test_summarize_should_append_interval_columns(incidents):
    t = incidents.summarize(by="actor", interval="independent")
    assert t.columns[-4:] == ["q025", "q500", "q975", "q_engine"]
    for row in t.rows():
        assert row["low"] <= row["q025"] <= row["q500"] <= row["q975"]
        assert row["q_engine"] in ("exact", "normal", "simulate")
    assert "interval independent uniform" in t.caption
    plain = incidents.summarize(by="actor")
    assert "q500" not in plain.columns


def test_summarize_interval_should_match_interval_sum(incidents):
    # one row: aleppo-1 [85, 150] open (best 92), idlib-2 about 30
    # [27, 33], homs-3 12-15
    t = incidents.summarize(interval="comonotone", quantiles=[0.5, 0.99])
    (row,) = t.rows()
    inc = {r["incident"]: r for r in incidents.table().rows()
           if r["category"] == "killed"}
    low = [int(inc[k]["low"]) for k in ("aleppo-1", "idlib-2", "homs-3")]
    high = [int(inc[k]["high"]) for k in ("aleppo-1", "idlib-2", "homs-3")]
    opn = [bool(inc[k]["open"]) for k in ("aleppo-1", "idlib-2", "homs-3")]
    ref = interval_sum(low, high, open=opn, interval="comonotone",
                       quantiles=(0.5, 0.99))
    assert row["q500"] == ref["q500"] and row["q990"] == ref["q990"]


def test_summarize_interval_should_be_reproducible(incidents):
    kw = dict(by="actor", interval="independent", engine="simulate",
              draws=2000, dist="triangular")
    a = incidents.summarize(seed=7, **kw).to_dict()
    b = incidents.summarize(seed=7, **kw).to_dict()
    assert a == b


@pytest.mark.parametrize("kw", [dict(draws=0), dict(open_cap=0.5),
                                dict(open_cap=float("nan"))])
def test_summarize_should_check_interval_options_through_c_without_interval(
        incidents, kw):
    # the library's rule (toll_interval_options_check), as on the command
    # line: refused even when no interval is asked for
    with pytest.raises(toll.OptionError) as ei:
        incidents.summarize(**kw)
    assert ei.value.field == next(iter(kw))
    assert "must be" in ei.value.message


def test_summarize_bad_interval_options_should_name_the_option(incidents):
    with pytest.raises(toll.OptionError) as ei:
        incidents.summarize(interval="sometimes")
    assert ei.value.field == "interval"
    with pytest.raises(toll.OptionError) as ei:
        incidents.summarize(interval="independent", draws=0)
    assert ei.value.field == "draws"
    with pytest.raises(toll.OptionError) as ei:
        incidents.summarize(interval="independent", dist="normal")
    assert ei.value.field == "dist"


def test_interval_sum_beyond_2_53_should_raise_not_wrap():
    # a single 2^63 - 1 gave q025 = q500 = q975 = 0
    for method in ("independent", "comonotone"):
        with pytest.raises(toll.TollError) as info:
            interval_sum([0], [2 ** 63 - 1], interval=method, draws=100)
        assert "beyond 2^53" in info.value.message
        with pytest.raises(toll.TollError):
            interval_sum([0, 0, 0], [2 ** 52] * 3, interval=method)
