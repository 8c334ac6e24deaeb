#!/usr/bin/env python3
"""Multi-source reports of real incidents, for evaluating record linkers.

    python bench/link/linkgen.py --out bench/out/link              # every incident
    python bench/link/linkgen.py --incidents 2000 --out DIR        # a small slice
    python bench/link/linkgen.py --reports 1000000 --out DIR       # scale copies

The incidents are real: the UCDP GED Syria 2016-2019 events, the Airwars
Syria incidents and the Iraq Body Count incidents (ESOC coding) from the
shared data folder (--data, default ../shared/data from the project root,
or $TOLL_SHARED_DATA).  Their dates, governorates, districts, places,
coordinates, actors and figures are kept, so the density is real: up to
33 UCDP events fall on one governorate-day (Aleppo, 2018-01-20).

Each incident is then reported by a random subset of simulated sources
(SOURCES: monitors, a rescue service, media, the UN), each with its own
coverage and habits, and sometimes denied by a party to it:

- date: mostly the incident's first day, sometimes 1 or 2 days off;
- region: Country/Governorate/District, or only Country/Governorate;
- location: the place name in a transliteration variant (al-/el-/ad-
  or no article, sh/ch, ou/u, ei/ay, q/k, kh/h, doubled vowels, hyphens,
  apostrophes and spaces, an occasional typo), or none;
- coordinates: precise (precision_km <= 1), coarse (rounded or moved by
  several km, with a precision_km of 5-50), or none;
- actors: all of the incident's alleged actors, some of them, or none;
- killed: exact, "N-M", "at least N", "about N", "dozens", with some
  disagreement between sources;
- a party denial: a source of kind `party` whose source_actor is one of
  the incident's actors, saying "no civilian casualties".

About a sixth of the reports name neither a place nor coordinates.  No
report carries an incident key.  Reports are written in rough publication
order, so an incident's reports are near each other but interleaved.

Outputs (into --out):
  reports.csv  toll's report format: source, source_kind, source_actor,
               date, region, location, lat, lon, precision_km, actor
               (';'-separated), killed (text)
  truth.csv    report ("reports.csv:LINE", as toll names a report),
               incident (the real incident's id: ucdp:ID, airwars:ID,
               ibc:ID)
  meta.json    the seed, the counts and the density figures

--reports N replicates the incident pool into copies that cannot match
one another (countries "Syria 2", "Iraq 2", ...), each with its own
draws, until N reports are written: the density per block stays real.
"""
import argparse
import collections
import csv
import datetime
import json
import math
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VERSION = 1
DEFAULT_SEED = 2026

UCDP = "ucdp/ucdp_ged_syria_2016_2019.csv"
AIRWARS = "airwars/airwars_syria_incidents_normalized_996.csv"
IBC = "ibc/ibc_esoc_incidents_2003_2009.csv"

# name, kind, coverage (probability of reporting an incident), share of
# reports giving the district, share with precise / coarse coordinates,
# share naming the place, date noise scale, figure habits.
SOURCES = [
    dict(name="SOHR", iraq="Iraqi Observatory for Human Rights",
         kind="monitor", cover=0.62, district=0.6,
         precise=0.05, coarse=0.25, place=0.98, late=0.15),
    dict(name="SNHR", iraq="Iraqi Human Rights Monitor", kind="monitor",
         cover=0.45, district=0.8,
         precise=0.10, coarse=0.30, place=0.98, late=0.10),
    dict(name="Local Coordination Committees", iraq="Iraqi Ministry of Health",
         kind="monitor", cover=0.25,
         district=0.5, precise=0.0, coarse=0.10, place=0.98, late=0.20),
    dict(name="Syria Civil Defence", iraq="Iraqi Red Crescent", kind="rescue",
         cover=0.30, district=0.9,
         precise=0.55, coarse=0.15, place=0.98, late=0.05),
    dict(name="Reuters", iraq="Reuters", kind="media", cover=0.22,
         district=0.3, precise=0.0, coarse=0.20, place=0.98, late=0.35),
    dict(name="Al Jazeera", iraq="Al Jazeera", kind="media", cover=0.18,
         district=0.3, precise=0.0, coarse=0.15, place=0.98, late=0.35),
    dict(name="OHCHR", iraq="UNAMI", kind="un", cover=0.10, district=0.7,
         precise=0.0, coarse=0.05, place=0.98, late=0.25),
]
DENIAL_RATE = 0.08
PARTY_SOURCE = {
    "Government of Syria": "SANA",
    "Russian Military": "Russian Ministry of Defence",
    "Government of Russia (Soviet Union)": "Russian Ministry of Defence",
    "Turkish Military": "Turkish Ministry of National Defence",
    "Government of Turkey": "Turkish Ministry of National Defence",
    "U.S.-led Coalition": "CJTF-OIR",
    "Coalition": "CJTF-OIR",
    "Israeli Military": "Israel Defense Forces",
}
NO_PLACE_SHARE = 1.0 / 6.0

PLACE_SUFFIXES = (" village", " town", " city", " mountain", " district",
                  " governorate", " neighbourhood", " neighborhood", " area",
                  " camp", " subdistrict", " nahiya")


# ---------------------------------------------------------------- loading

def data_dir(arg):
    if arg:
        return arg
    env = os.environ.get("TOLL_SHARED_DATA")
    if env:
        return env
    return os.path.join(os.path.dirname(ROOT), "shared", "data")


def strip_suffix(s, suffixes):
    s = " ".join(s.split())
    low = s.lower()
    for suf in suffixes:
        if low.endswith(suf):
            return s[: -len(suf)].strip()
    return s


def num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def coords(lat, lon):
    """Valid decimal degrees, or (None, None): the lists have a few
    mistyped values (an Airwars longitude of 4239.00416)."""
    lat, lon = num(lat), num(lon)
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return lat, lon


def load_ucdp(path):
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            start = datetime.date.fromisoformat(r["date_start"][:10])
            end = datetime.date.fromisoformat(r["date_end"][:10])
            prec = int(r["where_prec"] or 7)
            gov = strip_suffix(r["adm_1"], (" governorate",))
            dist = strip_suffix(r["adm_2"], (" district",))
            place = strip_suffix(r["where_coordinates"], PLACE_SUFFIXES)
            if prec >= 4 or place in (gov, dist):
                place = ""          # the coordinates name an area, not a place
            actors = []
            for side in (r["side_a"], r["side_b"]):
                for a in side.split(","):
                    a = a.strip()
                    if a and a != "Civilians" and a not in actors:
                        actors.append(a)
            lo, best, hi = int(r["low"]), int(r["best"]), int(r["high"])
            lat, lon = coords(r["latitude"], r["longitude"]) if prec <= 3 else (None, None)
            out.append(dict(
                id="ucdp:" + r["id"], country="Syria", gov=gov, dist=dist,
                place=place, start=start, end=end,
                lat=lat, lon=lon,
                prec_km=(0.5, 0.5, 25.0, 40.0)[prec] if lat is not None else None,
                actors=actors, low=lo, best=best, high=hi))
    return out


def load_airwars(path):
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not r["incident_date"]:
                continue
            d = datetime.date.fromisoformat(r["incident_date"][:10])
            place = r["location_en"].split(",")[0].strip()
            if len(place.split()) > 4 or place.lower().startswith(
                    ("a ", "the ", "near ", "several ", "multiple ")):
                place = ""          # a description, not a place name
            lo = r["civilian_deaths_min"]
            hi = r["civilian_deaths_max"]
            lo = int(float(lo)) if lo else None
            hi = int(float(hi)) if hi else lo
            if lo is None:
                lo = hi
            actors = [a.strip() for a in r["alleged_belligerent"].split(",")
                      if a.strip() and a.strip().lower() != "unknown"]
            lat, lon = coords(r["latitude"], r["longitude"])
            out.append(dict(
                id="airwars:" + r["airwars_id"], country="Syria",
                gov=r["region_en"].strip(), dist="", place=place,
                start=d, end=d, lat=lat, lon=lon,
                prec_km=1.0 if lat is not None else None, actors=actors,
                low=lo, best=None if lo is None else (lo + hi) // 2,
                high=hi))
    return out


IBC_ACTORS = (("coalition", "Coalition"), ("insurgent", "Insurgents"),
              ("sectarian", "Sectarian militia"))


IBC_LEADS = ("near ", "south of ", "north of ", "east of ", "west of ",
             "south ", "north ", "east ", "west ", "central ", "southern ",
             "northern ", "eastern ", "western ", "outskirts of ")


def ibc_date(s):
    return datetime.datetime.strptime(s.strip(), "%d-%b-%y").date()


def load_ibc(path):
    out = []
    # Latin-1 with CR line ends: the csv module reads a lone CR as a line end.
    with open(path, newline="", encoding="latin-1") as f:
        for r in csv.DictReader(f):
            try:
                start = ibc_date(r["Start"])
            except ValueError:
                continue
            try:
                end = ibc_date(r["end"]) if r["end"].strip() else start
            except ValueError:
                end = start
            if end < start:
                end = start
            lo, hi = int(r["Min"] or 0), int(r["Max"] or 0)
            if lo > hi:
                lo, hi = hi, lo
            place = r["location"].split(",")[0].strip()
            low = place.lower()
            for lead in IBC_LEADS:
                if low.startswith(lead):
                    place = place[len(lead):].strip()
                    break
            if len(place.split()) > 4 or any(
                    w in place.lower() for w in (" between ", " and ",
                                                 "hospitals", "municipality",
                                                 "various", "road")):
                place = ""
            actors = [name for col, name in IBC_ACTORS if r[col].strip() == "1"]
            out.append(dict(
                id="ibc:" + r["col1"], country="Iraq",
                gov=r["governorate"].strip(), dist=r["district"].strip(),
                place=place, start=start, end=end, lat=None, lon=None,
                prec_km=None, actors=actors, low=lo, best=(lo + hi) // 2,
                high=hi))
    return out


def load_incidents(data):
    lists = []
    for rel, fn in ((UCDP, load_ucdp), (AIRWARS, load_airwars), (IBC, load_ibc)):
        p = os.path.join(data, rel)
        if not os.path.exists(p):
            raise SystemExit(f"linkgen.py: {p}: not found (give --data or "
                             "$TOLL_SHARED_DATA: the shared real datasets)")
        lists.append(fn(p))
    return lists


def take(lists, n):
    """The first n incidents in date order, shared among the lists in
    proportion to their sizes, so a day keeps all its incidents."""
    if n is None:
        return [i for lst in lists for i in lst]
    total = sum(len(lst) for lst in lists)
    out = []
    for lst in lists:
        k = max(1, round(n * len(lst) / total))
        out.extend(sorted(lst, key=lambda i: (i["start"], i["id"]))[:k])
    return out


# ------------------------------------------------------ transliteration

ARTICLES = ("al-", "el-", "ad-", "ar-", "as-", "ash-", "az-", "at-", "an-",
            "al ", "el ", "ad ", "ar ", "as ", "ash ", "az ", "at ", "an ")
SWAPS = (("sh", "ch"), ("ch", "sh"), ("ou", "u"), ("u", "ou"), ("ei", "ay"),
         ("ay", "ei"), ("q", "k"), ("k", "q"), ("kh", "h"), ("ee", "i"),
         ("i", "ee"), ("oo", "u"), ("aa", "a"), ("a", "aa"), ("j", "dj"),
         ("dh", "z"), ("th", "t"))


def variant(name, rng, strength):
    """A transliteration variant of a place name.  strength is the
    probability of each kind of change."""
    s = name
    low = s.lower()
    # the article: al-X -> el-X / X / al X / AlX
    for art in ARTICLES:
        if low.startswith(art):
            if rng.random() < strength:
                rest = s[len(art):]
                s = rng.choice(("", "el-", "al-", "Al ", "Al-", "ad-", "Al"))
                s = s + rest
            break
    else:
        if rng.random() < strength * 0.3:
            s = rng.choice(("al-", "Al-", "el-")) + s
    # letter swaps (one or two)
    for _ in range(2):
        if rng.random() < strength:
            cands = [(a, b) for a, b in SWAPS if a in s.lower()]
            if cands:
                a, b = rng.choice(cands)
                i = s.lower().find(a)
                rep = b if not s[i].isupper() else b[0].upper() + b[1:]
                s = s[:i] + rep + s[i + len(a):]
    # separators: hyphen <-> space, apostrophes dropped or added
    if rng.random() < strength:
        if "-" in s:
            s = s.replace("-", rng.choice((" ", "", "-")), 1)
        elif " " in s:
            s = s.replace(" ", rng.choice(("-", "", " ")), 1)
    if rng.random() < strength * 0.5:
        if "'" in s or "\u2019" in s:
            s = s.replace("'", "").replace("\u2019", "")
        elif len(s) > 4:
            i = rng.randrange(2, len(s) - 1)
            s = s[:i] + "'" + s[i:]
    # an occasional typo: a letter dropped, doubled or swapped with the next
    if rng.random() < strength * 0.15 and len(s) > 4:
        i = rng.randrange(1, len(s) - 1)
        k = rng.randrange(3)
        if k == 0:
            s = s[:i] + s[i + 1:]
        elif k == 1:
            s = s[:i] + s[i] + s[i:]
        else:
            s = s[:i] + s[i + 1] + s[i] + s[i + 2:]
    if rng.random() < 0.1:
        s = s.lower()
    return " ".join(s.split()) or name


# --------------------------------------------------------------- figures

def figure(inc, rng):
    lo, best, hi = inc["low"], inc["best"], inc["high"]
    if lo is None:
        return ""
    if best is None:
        best = (lo + hi) // 2
    # sources disagree a little
    if rng.random() < 0.3 and best > 2:
        best = max(0, best + rng.randint(-max(1, best // 8), max(1, best // 8)))
        lo, hi = min(lo, best), max(hi, best)
    k = rng.random()
    if 24 <= best <= 99 and k < 0.08:
        return "dozens"
    if k < 0.45:
        return str(best)
    if k < 0.65 and hi > lo:
        return f"{lo}-{hi}"
    if k < 0.85 and lo > 0:
        return f"at least {lo}"
    if best >= 5:
        return f"about {best}"
    return str(best)


# ------------------------------------------------------------- reports

def km_jitter(lat, lon, km, rng):
    ang = rng.random() * 2 * math.pi
    d = km * math.sqrt(rng.random())
    dlat = d * math.cos(ang) / 111.0
    dlon = d * math.sin(ang) / (111.0 * max(0.2, math.cos(math.radians(lat))))
    return lat + dlat, lon + dlon


def report_rows(inc, country, rng):
    """The reports of one incident: a list of (row, publication day)."""
    srcs = [s for s in SOURCES if rng.random() < s["cover"]]
    if not srcs:
        srcs = [rng.choices(SOURCES, weights=[s["cover"] for s in SOURCES])[0]]
    rows = []
    for s in srcs:
        off = 0
        r = rng.random()
        if r < 0.12:
            off = rng.choice((-1, 1))
        elif r < 0.16:
            off = rng.choice((-2, 2))
        d = inc["start"] + datetime.timedelta(days=off)
        region = country
        if inc["gov"]:
            region += "/" + inc["gov"]
            if inc["dist"] and rng.random() < s["district"]:
                region += "/" + inc["dist"]
        loc = ""
        if inc["place"] and rng.random() < s["place"]:
            loc = variant(inc["place"], rng, 0.35)
        lat = lon = prec = None
        if inc["lat"] is not None:
            r = rng.random()
            base_km = inc["prec_km"] or 1.0
            if r < s["precise"] and base_km <= 1.0:
                lat, lon = km_jitter(inc["lat"], inc["lon"], 0.3, rng)
                prec = rng.choice((0.1, 0.5, 1.0))
            elif r < s["precise"] + s["coarse"]:
                pk = max(base_km, rng.choice((5.0, 10.0, 25.0, 50.0)))
                lat, lon = km_jitter(inc["lat"], inc["lon"], pk / 2, rng)
                lat, lon = round(lat, 1), round(lon, 1)
                prec = pk
        acts = inc["actors"]
        r = rng.random()
        if not acts or r < 0.15:
            actor = []
        elif r < 0.35 and len(acts) > 1:
            actor = rng.sample(acts, rng.randint(1, len(acts) - 1))
        else:
            actor = list(acts)
            if rng.random() < 0.3:
                rng.shuffle(actor)
        name = s["iraq"] if inc["country"] == "Iraq" else s["name"]
        rows.append(dict(source=name, source_kind=s["kind"],
                         source_actor="", date=d, region=region,
                         location=loc, lat=lat, lon=lon, precision_km=prec,
                         actor=actor, killed=figure(inc, rng),
                         late=s["late"], day=inc["start"]))
    if inc["actors"] and rng.random() < DENIAL_RATE:
        a = rng.choice(inc["actors"])
        d = inc["start"] + datetime.timedelta(days=rng.choice((0, 0, 1, 2)))
        region = country + ("/" + inc["gov"] if inc["gov"] else "")
        rows.append(dict(source=PARTY_SOURCE.get(a, a + " spokesperson"),
                         source_kind="party", source_actor=a, date=d,
                         region=region,
                         location=(variant(inc["place"], rng, 0.35)
                                   if inc["place"] and rng.random() < 0.7 else ""),
                         lat=None, lon=None,
                         precision_km=None, actor=[a],
                         killed="no civilian casualties", late=0.5,
                         day=inc["start"]))
    return rows


def fmt_num(v, nd):
    return "" if v is None else f"{v:.{nd}f}".rstrip("0").rstrip(".")


HEADER = ["source", "source_kind", "source_actor", "date", "region",
          "location", "lat", "lon", "precision_km", "actor", "killed"]


def generate(lists, seed, n_incidents=None, n_reports=None):
    """All reports, in publication order: a list of (row, incident id)."""
    rng = random.Random(seed)
    pool = take(lists, n_incidents)
    # the share of reports that would name no place anyway (the incident
    # has no place name and no coordinates): drop places from the others
    # so that about NO_PLACE_SHARE of all reports name neither.
    out = []
    copy = 0
    while True:
        copy += 1
        for inc in pool:
            country = inc["country"] if copy == 1 else f"{inc['country']} {copy}"
            for row in report_rows(inc, country, rng):
                iid = inc["id"] if copy == 1 else f"{inc['id']}#{copy}"
                out.append((row, iid))
        if n_reports is None or len(out) >= n_reports:
            break
    if n_reports is not None:
        del out[n_reports:]
    forced = sum(1 for row, _ in out if not row["location"] and row["lat"] is None)
    p = max(0.0, (NO_PLACE_SHARE * len(out) - forced) / max(1, len(out) - forced))
    for row, _ in out:
        if (row["location"] or row["lat"] is not None) and rng.random() < p:
            row["location"] = ""
            row["lat"] = row["lon"] = row["precision_km"] = None
    # publication order: the report's date plus a delay
    keyed = []
    for row, iid in out:
        delay = rng.expovariate(1.0 / (1.0 + 6.0 * row["late"]))
        keyed.append((row["date"].toordinal() + delay, row, iid))
    keyed.sort(key=lambda t: t[0])
    return [(row, iid) for _, row, iid in keyed]


def describe(reports):
    incs = collections.Counter(iid for _, iid in reports)
    per_day = collections.defaultdict(set)
    for row, iid in reports:
        parts = row["region"].split("/")
        if len(parts) >= 2:
            per_day[(parts[0], parts[1], row["day"])].add(iid)
    best = max(per_day.items(), key=lambda kv: len(kv[1]), default=(None, ()))
    no_place = sum(1 for row, _ in reports
                   if not row["location"] and row["lat"] is None)
    countries = collections.Counter(row["region"].split("/")[0] for row, _ in reports)
    return dict(
        incidents=len(incs), reports=len(reports),
        sources=len({row["source"] for row, _ in reports}),
        reports_per_incident=len(reports) / max(1, len(incs)),
        max_incidents_per_governorate_day=len(best[1]),
        max_governorate_day=("/".join(best[0][:2]) + " " + best[0][2].isoformat()
                             if best[0] else ""),
        share_no_place_no_coordinates=no_place / max(1, len(reports)),
        denials=sum(1 for row, _ in reports if row["source_kind"] == "party"),
        countries=len(countries))


def write(reports, out_dir, meta):
    os.makedirs(out_dir, exist_ok=True)
    rp = os.path.join(out_dir, "reports.csv")
    tp = os.path.join(out_dir, "truth.csv")
    with open(rp, "w", newline="", encoding="utf-8") as f, \
            open(tp, "w", newline="", encoding="utf-8") as g:
        w = csv.writer(f, lineterminator="\n")
        t = csv.writer(g, lineterminator="\n")
        w.writerow(HEADER)
        t.writerow(["report", "incident"])
        for k, (row, iid) in enumerate(reports):
            w.writerow([row["source"], row["source_kind"], row["source_actor"],
                        row["date"].isoformat(), row["region"], row["location"],
                        fmt_num(row["lat"], 5), fmt_num(row["lon"], 5),
                        fmt_num(row["precision_km"], 1), ";".join(row["actor"]),
                        row["killed"]])
            t.writerow([f"reports.csv:{k + 2}", iid])
    with open(os.path.join(out_dir, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1, sort_keys=True)
        f.write("\n")
    return rp, tp


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--incidents", type=int, help="the first N real incidents")
    g.add_argument("--reports", type=lambda s: int(float(s)),
                   help="exactly N reports (copies of the pool as needed)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "out", "link"))
    ap.add_argument("--data", help="the shared real data folder")
    a = ap.parse_args(argv)
    lists = load_incidents(data_dir(a.data))
    reports = generate(lists, a.seed, a.incidents, a.reports)
    meta = describe(reports)
    meta.update(seed=a.seed, version=VERSION, incidents_arg=a.incidents,
                reports_arg=a.reports)
    write(reports, a.out, meta)
    print(f"{meta['reports']} reports of {meta['incidents']} incidents from "
          f"{meta['sources']} sources into {a.out}")
    print(f"max incidents on one governorate-day: "
          f"{meta['max_incidents_per_governorate_day']} ({meta['max_governorate_day']})")
    print(f"reports with neither place nor coordinates: "
          f"{100 * meta['share_no_place_no_coordinates']:.1f} %")
    return 0


if __name__ == "__main__":
    sys.exit(main())
