#!/usr/bin/env python3
"""Seeded generator of realistic synthetic casualty reports for the benchmark.

    python bench/gen.py --sizes 1e5,1e6 [--out bench/out] [--seed 20240917]

For each size N it writes, under --out (default bench/out/, git-ignored):

  reports_<N>.csv          toll's report format, CSV (what `toll` reads)
  reports_<N>.jsonl        toll's report format, JSON Lines
  reports_<N>.peers.csv    the same reports PRE-PARSED for pandas, polars and
  reports_<N>.peers.jsonl  DuckDB: numeric low/high/best per report (high
                           empty/null when open), date_end always filled,
                           and is_self (ground truth, not read by the peers)
  reports_<N>.meta.json    seed, generator version, counts

The peers' side files are a concession to them: they do not have to read
"at least 40", "85-92", "about 120" or "dozens"; toll does.

The data (all rates are per report unless said otherwise):
  - incidents of 1 to 5 reports (30/28/20/13/9 %); every report of an
    incident shares its region and its dates, so place and time
    reconciliation is trivial;
  - 10 actors (skewed: the first few far more common); 10 % of incidents
    are joint (two actors); in a joint incident 60 % of the reports name
    both actors and 20 % each name one of them (the incident's actor set is
    the union);
  - 20 sources: 10 non-party (monitors, rescuers, media, UN, NGO) and one
    party source per actor (its source_actor);
  - regions "Syria/<governorate>/<district>": 14 governorates x 5 districts;
  - dates over the 10 years 2014-2023; 5 % of incidents are spans of 2 to 14
    days (which may cross a month end);
  - quantities: 70 % integers, 20 % low/high pairs ("85-92" in CSV,
    {"low":85,"high":92} in JSON Lines), 10 % text ("at least 40",
    "about 120", "dozens");
  - 2 % self-report denials: a report from the party source of one of the
    incident's actors (so source_actor is in the incident's actor set),
    naming the incident's actors, giving 0;
  - 3 % party accusations: a party source blaming another actor (not a
    self-report; counted like any other report).
Reports are written roughly in publication order (incident start plus a
lag of 0-30 days), so an incident's reports are near each other but
interleaved with other incidents' reports.

Generation is vectorised with numpy (numpy >= 2: StringDType) and written in
chunks; 10^7 reports take about a minute per format on one core.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np

try:
    from numpy.dtypes import StringDType
except ImportError:  # pragma: no cover - numpy < 2
    sys.exit("bench/gen.py needs numpy >= 2 (pip install -r "
             "bench/requirements.txt)")

GEN_VERSION = 1
DEFAULT_SEED = 20240917
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "out")
CHUNK = 1 << 20
S = StringDType()

# ---- the world --------------------------------------------------------------

ACTORS = ["Syria", "Russia", "US-led Coalition", "Turkey", "ISIS", "HTS",
          "SDF", "Israel", "Iran", "SNA"]
ACTOR_P = np.array([0.34, 0.22, 0.10, 0.07, 0.07, 0.05, 0.05, 0.04, 0.03,
                    0.03])
PARTY_SOURCES = ["Syrian Ministry of Defence", "Russian Ministry of Defence",
                 "CJTF-OIR", "Turkish Ministry of National Defence",
                 "Amaq", "HTS Media Office", "SDF Media Centre", "IDF",
                 "IRGC", "SNA Spokesman"]
OTHER_SOURCES = [("SOHR", "monitor"), ("SNHR", "monitor"), ("VDC", "monitor"),
                 ("LCC", "monitor"), ("Syrian Civil Defence", "rescue"),
                 ("Reuters", "media"), ("AFP", "media"),
                 ("Al Jazeera", "media"), ("OHCHR", "un"), ("Airwars", "ngo")]
OTHER_P = np.array([0.20, 0.16, 0.08, 0.06, 0.14, 0.10, 0.09, 0.07, 0.04,
                    0.06])
GOVERNORATES = {
    "Aleppo": ["Mount Simeon", "Azaz", "Afrin", "al-Bab", "Manbij"],
    "Idlib": ["Idlib", "Ariha", "Jisr al-Shughur", "Maarrat al-Numan",
              "Harem"],
    "Rif Dimashq": ["Douma", "Darayya", "Qudsaya", "Yabroud", "Zabadani"],
    "Damascus": ["Old City", "Jobar", "Qaboun", "Yarmouk", "Midan"],
    "Homs": ["Homs", "Rastan", "Talkalakh", "al-Qusayr", "Palmyra"],
    "Hama": ["Hama", "Salamiyah", "Masyaf", "Mahardah", "Suqaylabiyah"],
    "Deir ez-Zor": ["Deir ez-Zor", "Mayadin", "Abu Kamal", "Hajin",
                    "Busayrah"],
    "Raqqa": ["Raqqa", "Tabqa", "Tell Abyad", "Maadan", "Karama"],
    "Daraa": ["Daraa", "Izra", "al-Sanamayn", "Nawa", "Bosra"],
    "Hasakah": ["Hasakah", "Qamishli", "Ras al-Ayn", "Malikiyah",
                "Shaddadi"],
    "Latakia": ["Latakia", "Jableh", "Qardaha", "al-Haffah", "Kessab"],
    "Tartus": ["Tartus", "Baniyas", "Safita", "Dreikish", "Sheikh Badr"],
    "Quneitra": ["Quneitra", "Fiq", "Khan Arnabah", "Jubata al-Khashab",
                 "Hadar"],
    "As-Suwayda": ["Suwayda", "Salkhad", "Shahba", "Qrayya", "Ariqa"],
}
GOV_P = np.array([0.17, 0.16, 0.12, 0.06, 0.08, 0.08, 0.07, 0.06, 0.06,
                  0.04, 0.03, 0.02, 0.02, 0.03])
REGIONS = [f"Syria/{g}/{d}" for g, ds in GOVERNORATES.items() for d in ds]
FIRST_DAY = np.datetime64("2014-01-01")
NDAYS = int((np.datetime64("2024-01-01") - FIRST_DAY).astype(np.int64))
REPORTS_PER_INCIDENT = np.array([1, 2, 3, 4, 5])
REPORTS_P = np.array([0.30, 0.28, 0.20, 0.13, 0.09])

# quantity kinds
Q_INT, Q_PAIR, Q_ATLEAST, Q_ABOUT, Q_DOZENS = range(5)
OPEN = -1


def size_label(n):
    """1e5 for 100000, else the plain number."""
    k = round(math.log10(n)) if n > 0 else 0
    return f"1e{k}" if 10 ** k == n else str(n)


def parse_size(text):
    v = float(text)
    if v < 1 or v != int(v):
        raise argparse.ArgumentTypeError(f"bad size {text!r}")
    return int(v)


def paths(n, out_dir=DEFAULT_OUT):
    """The files for size n: {"csv", "jsonl", "peers_csv", "peers_jsonl",
    "meta"}."""
    base = os.path.join(out_dir, f"reports_{size_label(n)}")
    return {"csv": base + ".csv", "jsonl": base + ".jsonl",
            "peers_csv": base + ".peers.csv",
            "peers_jsonl": base + ".peers.jsonl", "meta": base + ".meta.json"}


def up_to_date(n, seed, out_dir=DEFAULT_OUT):
    """True when the files for size n exist and came from this seed and
    generator version."""
    p = paths(n, out_dir)
    try:
        with open(p["meta"], encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    return (meta.get("seed") == seed and meta.get("version") == GEN_VERSION
            and meta.get("reports") == n
            and all(os.path.exists(p[k]) for k in p))


# ---- numbers ----------------------------------------------------------------

def generate(n, seed=DEFAULT_SEED):
    """The reports as numpy columns (dict), in output order."""
    rng = np.random.default_rng([seed, n])
    na = len(ACTORS)

    # Incidents and their report counts.
    k = rng.choice(REPORTS_PER_INCIDENT, size=n // 2 + 16, p=REPORTS_P)
    cs = np.cumsum(k)
    m = int(np.searchsorted(cs, n)) + 1
    k = k[:m].copy()
    k[-1] -= cs[m - 1] - n
    inc = np.repeat(np.arange(m, dtype=np.int64), k)

    # Incident attributes (ids in chronological order, as in real data).
    day0 = np.sort(rng.integers(0, NDAYS, m))
    span = rng.random(m) < 0.05
    day1 = np.where(span, day0 + rng.integers(1, 14, m), day0)
    a1 = rng.choice(na, m, p=ACTOR_P)
    joint = rng.random(m) < 0.10
    a2 = (a1 + rng.integers(1, na, m)) % na
    a2 = np.where(joint, a2, a1)
    region = rng.choice(len(GOVERNORATES), m, p=GOV_P) * 5 + \
        rng.integers(0, 5, m)
    truth = np.maximum(1, np.rint(np.exp(rng.normal(1.5, 1.1, m))))

    # Reports: roles.  0 normal, 1 self-report denial, 2 party accusation.
    u = rng.random(n)
    role = np.where(u < 0.02, 1, np.where(u < 0.05, 2, 0))
    ra1, ra2, rj = a1[inc], a2[inc], joint[inc]

    # Actor set named by each report: (x, y) with x == y for one actor.
    pick = rng.random(n)
    x = np.where(rj & (pick >= 0.6) & (pick < 0.8), ra2, ra1)
    y = np.where(rj & (pick >= 0.8), ra1, np.where(rj & (pick < 0.6), ra2, x))
    x = np.where(role == 1, ra1, x)
    y = np.where(role == 1, ra2, y)
    lo_a, hi_a = np.minimum(x, y), np.maximum(x, y)
    actor_set = lo_a * na + hi_a  # index into the actor-set table

    # Sources: 0..9 other, 10..19 party (10 + actor).
    src = rng.choice(len(OTHER_SOURCES), n, p=OTHER_P)
    self_actor = np.where(rng.random(n) < 0.5, ra1, ra2)
    src = np.where(role == 1, 10 + self_actor, src)
    blamer = rng.integers(0, na, n)
    bad = (blamer == ra1) | (blamer == ra2)
    while bad.any():
        blamer[bad] = rng.integers(0, na, int(bad.sum()))
        bad = (blamer == ra1) | (blamer == ra2)
    src = np.where(role == 2, 10 + blamer, src)

    # Quantities.
    v = truth[inc] * np.exp(rng.normal(0.0, 0.2, n))
    qk = rng.random(n)
    kind = np.where(qk < 0.7, Q_INT, np.where(qk < 0.9, Q_PAIR, -1))
    tk = rng.random(n)
    text_kind = np.where(tk < 0.45, Q_ATLEAST, Q_ABOUT)
    text_kind = np.where((tk >= 0.8) & (v >= 24) & (v <= 99), Q_DOZENS,
                         text_kind)
    about_n = np.maximum(10, np.rint(v / 10) * 10)
    text_kind = np.where((text_kind == Q_ABOUT) & (v < 8), Q_ATLEAST,
                         text_kind)
    kind = np.where(kind < 0, text_kind, kind)
    kind = np.where(role == 1, Q_INT, kind)

    low = np.zeros(n, dtype=np.int64)
    high = np.zeros(n, dtype=np.int64)
    best = np.zeros(n)
    iv = np.rint(v).astype(np.int64)
    sel = kind == Q_INT
    low[sel] = high[sel] = iv[sel]
    sel = kind == Q_PAIR
    pl = np.floor(v * 0.9).astype(np.int64)
    ph = np.ceil(v * 1.1).astype(np.int64) + 1
    low[sel], high[sel] = pl[sel], ph[sel]
    sel = kind == Q_ATLEAST
    al = np.maximum(1, np.floor(v * 0.8)).astype(np.int64)
    low[sel], high[sel] = al[sel], OPEN
    sel = kind == Q_ABOUT
    an = about_n.astype(np.int64)
    # toll: [round(0.9 N), round(1.1 N)], best N; N is a multiple of 10, so
    # both are whole numbers and no rounding tie can arise.
    low[sel], high[sel] = (an[sel] * 9) // 10, (an[sel] * 11) // 10
    sel = kind == Q_DOZENS
    low[sel], high[sel] = 24, 99
    low[role == 1] = 0
    high[role == 1] = 0
    best = np.where(high == OPEN, low.astype(float), (low + high) / 2.0)
    best = np.where(kind == Q_ABOUT, about_n, best)
    best = np.where(kind == Q_DOZENS, 36.0, best)
    is_self = role == 1

    # Output order: publication order (start + lag), stable.
    order = np.argsort(day0[inc] + rng.integers(0, 31, n), kind="stable")
    return {
        "n": n, "incidents": m,
        "inc": inc[order], "src": src[order], "actor_set": actor_set[order],
        "region": region[inc][order], "day0": day0[inc][order],
        "day1": day1[inc][order], "span": span[inc][order],
        "kind": kind[order], "low": low[order], "high": high[order],
        "best": best[order], "about_n": an[order],
        "is_self": is_self[order],
    }


# ---- text -------------------------------------------------------------------

def _sarr(values):
    return np.array(values, dtype=S)


def _cat(*parts):
    """Concatenate string arrays / scalars elementwise."""
    out = parts[0]
    for p in parts[1:]:
        out = np.strings.add(out, p)
    return out


class _Tables:
    """Lookup tables of the text of every source, actor set, region, day."""

    def __init__(self):
        na = len(ACTORS)
        kinds = [k for _, k in OTHER_SOURCES] + ["party"] * na
        names = [s for s, _ in OTHER_SOURCES] + PARTY_SOURCES
        sactors = [""] * len(OTHER_SOURCES) + ACTORS
        self.src_name = _sarr(names)
        self.src_actor = _sarr(sactors)
        self.csv_src = _sarr([f"{s},{k},{a}" for s, k, a in
                              zip(names, kinds, sactors)])
        self.json_src = _sarr([
            f'"source":{json.dumps(s)},"source_kind":"{k}",' +
            (f'"source_actor":{json.dumps(a)},' if a else "")
            for s, k, a in zip(names, kinds, sactors)])
        self.json_peer_src = _sarr([
            f'"source":{json.dumps(s)},"source_actor":' +
            (json.dumps(a) if a else "null") + ","
            for s, a in zip(names, sactors)])
        sets_csv, sets_json = [], []
        for i in range(na):
            for j in range(na):
                if i == j:
                    sets_csv.append(ACTORS[i])
                    sets_json.append(json.dumps(ACTORS[i]))
                else:
                    sets_csv.append(f"{ACTORS[i]};{ACTORS[j]}")
                    sets_json.append(json.dumps([ACTORS[i], ACTORS[j]]))
        self.set_csv = _sarr(sets_csv)
        self.set_json = _sarr(sets_json)
        self.region = _sarr(REGIONS)
        self.json_region = _sarr([json.dumps(r) for r in REGIONS])
        days = FIRST_DAY + np.arange(NDAYS + 16)
        self.day = np.datetime_as_string(days, unit="D").astype(S)


def _qtext(t, d, sel_json):
    """The killed column: CSV text, or the JSON value when sel_json."""
    kind, low, high = d["kind"], d["low"], d["high"]
    ls = low.astype(S)
    hs = high.astype(S)
    out = ls.copy()
    pair = kind == Q_PAIR
    if sel_json:
        out[pair] = _cat('{"low":', ls[pair], ',"high":', hs[pair], "}")
    else:
        out[pair] = _cat(ls[pair], "-", hs[pair])
    q = '"' if sel_json else ""
    al = kind == Q_ATLEAST
    out[al] = _cat(q + "at least ", ls[al], q)
    ab = kind == Q_ABOUT
    out[ab] = _cat(q + "about ", d["about_n"][ab].astype(S), q)
    out[kind == Q_DOZENS] = q + "dozens" + q
    return out


def _incident_ids(inc):
    return _cat("inc-", np.strings.zfill(inc.astype(S), 8))


def _lines_csv(t, d):
    ds = t.day[d["day0"]]
    de = np.where(d["span"], t.day[d["day1"]], _sarr([""]))
    return _cat(_incident_ids(d["inc"]), ",", t.csv_src[d["src"]], ",", ds,
                ",", de, ",", t.region[d["region"]], ",",
                t.set_csv[d["actor_set"]], ",", _qtext(t, d, False))


def _lines_jsonl(t, d):
    ds = t.day[d["day0"]]
    dates = np.where(
        d["span"],
        _cat('"date_start":"', ds, '","date_end":"', t.day[d["day1"]], '",'),
        _cat('"date":"', ds, '",'))
    return _cat('{"incident":"', _incident_ids(d["inc"]), '",',
                t.json_src[d["src"]], dates, '"region":',
                t.json_region[d["region"]], ',"actor":',
                t.set_json[d["actor_set"]], ',"killed":', _qtext(t, d, True),
                "}")


def _num(a):
    return a.astype(S)


def _best_text(best):
    """Bests print as integers when whole, else with their fraction."""
    whole = best == np.floor(best)
    out = best.astype(S)
    out[whole] = best[whole].astype(np.int64).astype(S)
    return out


def _lines_peers_csv(t, d):
    hs = np.where(d["high"] == OPEN, _sarr([""]), _num(d["high"]))
    return _cat(_incident_ids(d["inc"]), ",", t.src_name[d["src"]], ",",
                t.src_actor[d["src"]], ",", t.set_csv[d["actor_set"]], ",",
                t.region[d["region"]], ",", t.day[d["day0"]], ",",
                t.day[d["day1"]], ",", _num(d["low"]), ",", hs, ",",
                _best_text(d["best"]), ",",
                np.where(d["is_self"], _sarr(["1"]), _sarr(["0"])))


def _lines_peers_jsonl(t, d):
    hs = np.where(d["high"] == OPEN, _sarr(["null"]), _num(d["high"]))
    bs = d["best"].astype(S)  # always with a decimal point: a double
    return _cat('{"incident":"', _incident_ids(d["inc"]), '",',
                t.json_peer_src[d["src"]], '"actor":"',
                t.set_csv[d["actor_set"]], '","region":',
                t.json_region[d["region"]], ',"date_start":"',
                t.day[d["day0"]], '","date_end":"', t.day[d["day1"]],
                '","low":', _num(d["low"]), ',"high":', hs, ',"best":', bs,
                ',"is_self":',
                np.where(d["is_self"], _sarr(["true"]), _sarr(["false"])),
                "}")


CSV_HEADER = ("incident,source,source_kind,source_actor,date_start,date_end,"
              "region,actor,killed")
PEERS_CSV_HEADER = ("incident,source,source_actor,actor,region,date_start,"
                    "date_end,low,high,best,is_self")

# The peers' schema (column -> type), shared by bench/peers.py.
PEERS_SCHEMA = [("incident", "str"), ("source", "str"),
                ("source_actor", "str"), ("actor", "str"), ("region", "str"),
                ("date_start", "str"), ("date_end", "str"), ("low", "int"),
                ("high", "int"), ("best", "float"), ("is_self", "bool")]


def write_all(n, seed=DEFAULT_SEED, out_dir=DEFAULT_OUT, verbose=True):
    """Generate size n and write its four files and meta; returns paths."""
    t0 = time.perf_counter()
    os.makedirs(out_dir, exist_ok=True)
    p = paths(n, out_dir)
    d = generate(n, seed)
    t = _Tables()
    writers = [("csv", CSV_HEADER, _lines_csv),
               ("jsonl", None, _lines_jsonl),
               ("peers_csv", PEERS_CSV_HEADER, _lines_peers_csv),
               ("peers_jsonl", None, _lines_peers_jsonl)]
    cols = [c for c in d if isinstance(d[c], np.ndarray)]
    files = {key: open(p[key] + ".tmp", "w", encoding="utf-8", newline="")
             for key, _, _ in writers}
    try:
        for key, header, _ in writers:
            if header:
                files[key].write(header + "\n")
        for s in range(0, n, CHUNK):
            chunk = {c: d[c][s:s + CHUNK] for c in cols}
            for key, _, fn in writers:
                lines = fn(t, chunk)
                files[key].write("\n".join(lines.tolist()))
                files[key].write("\n")
    finally:
        for f in files.values():
            f.close()
    for key, _, _ in writers:
        os.replace(p[key] + ".tmp", p[key])
    meta = {
        "version": GEN_VERSION, "seed": seed, "reports": n,
        "incidents": d["incidents"],
        "self_reports": int(d["is_self"].sum()),
        "bytes": {k: os.path.getsize(p[k]) for k, _, _ in writers},
        "note": "peers_* files carry pre-parsed numbers (a concession to "
                "the peers)",
    }
    with open(p["meta"], "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
        f.write("\n")
    if verbose:
        mb = sum(meta["bytes"].values()) / 1e6
        print(f"gen: {size_label(n)}: {n} reports, {d['incidents']} "
              f"incidents, {mb:.0f} MB in 4 files, "
              f"{time.perf_counter() - t0:.1f} s -> {out_dir}",
              file=sys.stderr)
    return p


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e5,1e6",
                    help="comma-separated report counts (default 1e5,1e6)")
    ap.add_argument("--out", default=DEFAULT_OUT,
                    help="output directory (default bench/out/)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--force", action="store_true",
                    help="regenerate even when up to date")
    a = ap.parse_args(argv)
    for s in a.sizes.split(","):
        n = parse_size(s.strip())
        if a.force or not up_to_date(n, a.seed, a.out):
            write_all(n, a.seed, a.out)
        else:
            print(f"gen: {size_label(n)}: up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
