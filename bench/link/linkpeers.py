#!/usr/bin/env python3
"""The linkers bench/link/run.py compares, each writing a report -> cluster map.

    python bench/link/linkpeers.py splink REPORTS.csv OUT.csv   # splink 4, DuckDB
    python bench/link/linkpeers.py rule TOLL REPORTS.csv OUT.csv [--link-mode rule]
    python bench/link/linkpeers.py link TOLL REPORTS.csv OUT.csv

Each writes OUT.csv with the columns report ("reports.csv:LINE") and
incident (a cluster label), which bench/link/linkscore.py reads.

- splink: a Fellegi-Sunter model set up the way splink's documentation
  sets one up.  Comparisons: the date (same day, within 1, within 3
  days), the place name (Jaro-Winkler >= 0.92, >= 0.8), the region (same
  district, same governorate), the actors (sharing 2, 1), the coordinates
  (within 1, 5, 25 km) and the killed figure (same, within 20 %).
  Pairs are blocked on the country and the date (the same day, or 1 or 2
  days apart).  The prior from a deterministic rule; u by random sampling;
  m by EM on two blocking rules (country, governorate and day;
  country, place and figure); predict, then cluster_pairwise_predictions_at_threshold
  at 0.9.  splink is given lightly cleaned columns (place names in lower
  case without punctuation and leading article; figures as numbers), as
  its documentation advises.
- rule: toll's earlier rule linker, `toll incidents FILE --link rule
  --explain --format csv` (`--link-mode auto` for builds where the rule is
  still called `auto`): the links it lists join reports into incidents;
  a report in no link is an incident of its own.
- link: toll's probabilistic linker, `toll link FILE --format csv`
  (columns report, id, source, incident, match_probability, status).

A toll that lacks the command or mode exits 3 with "not available" on
stderr.
"""
import argparse
import csv
import json
import re
import subprocess
import sys

NOT_AVAILABLE = 3


def write_map(path, pairs):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["report", "incident"])
        for r, c in pairs:
            w.writerow([r, c])


# ---------------------------------------------------------------- toll

def unavailable(rc, err):
    """Whether a toll run failed because the build lacks the command or mode."""
    return rc == 2 and ("unknown command" in err
                        or "invalid value for --link" in err)


def rule_cmd(toll, reports, mode="rule"):
    return [toll, "incidents", reports, "--link", mode, "--explain",
            "--format", "csv"]


def rule_map(text):
    """report -> incident from the links table of the rule: a report in no
    link is an incident of its own (left out)."""
    label = {}
    for row in csv.DictReader(text.splitlines()):
        label[row["report_a"]] = row["incident"]
        label[row["report_b"]] = row["incident"]
    return sorted(label.items())


def link_cmd(toll, reports):
    return [toll, "link", reports, "--format", "csv"]


def link_map(text):
    return [(r["report"], r["incident"]) for r in csv.DictReader(text.splitlines())]


def run_toll(cmd, to_map, out, what):
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        if unavailable(proc.returncode, proc.stderr):
            print(f"not available: {what}: {proc.stderr.strip()}", file=sys.stderr)
            return NOT_AVAILABLE
        sys.stderr.write(proc.stderr)
        return 1
    write_map(out, to_map(proc.stdout))
    return 0


# -------------------------------------------------------------- splink

ARTICLE = re.compile(r"^(al|el|ad|ar|as|ash|az|at|an)[\s-]+")
NUMBER = re.compile(r"\d+")


def clean_place(s):
    s = s.lower().replace("\u2019", "").replace("'", "")
    s = ARTICLE.sub("", s)
    s = re.sub(r"[^a-z0-9]+", " ", s).strip()
    return s or None


def figure_number(s):
    """A rough number for a killed text: the mean of its numbers, 36 for
    'dozens', 0 for a denial, None when there is none."""
    s = (s or "").strip().lower()
    if not s:
        return None
    if s.startswith("no ") or s in ("none", "no", "zero"):
        return 0.0
    if "dozens" in s:
        return 36.0
    ns = [int(x) for x in NUMBER.findall(s)]
    return sum(ns) / len(ns) if ns else None


def splink_frame(path):
    import pandas as pd
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df["unique_id"] = range(2, len(df) + 2)
    parts = df["region"].str.split("/")
    df["country"] = parts.str[0]
    df["gov"] = parts.str[1].where(parts.str.len() > 1, None)
    df["region"] = df["region"].where(parts.str.len() > 1, None)
    day = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    df["day"] = (day - pd.Timestamp("1970-01-01")).dt.days
    df["location_norm"] = df["location"].map(clean_place)
    df["actors"] = df["actor"].map(lambda s: sorted(a.strip() for a in s.split(";") if a.strip()) or None)
    df["lat"] = pd.to_numeric(df["lat"].replace("", None), errors="coerce")
    df["lon"] = pd.to_numeric(df["lon"].replace("", None), errors="coerce")
    df["killed_n"] = df["killed"].map(figure_number)
    return df[["unique_id", "country", "gov", "region", "date", "day",
               "location_norm",
               "actors", "lat", "lon", "killed_n"]]


def splink_settings():
    import splink.comparison_library as cl
    import splink.comparison_level_library as cll
    from splink import SettingsCreator, block_on

    region = cl.CustomComparison(
        output_column_name="region",
        comparison_levels=[
            cll.NullLevel("gov"),
            cll.ExactMatchLevel("region"),
            cll.ExactMatchLevel("gov"),
            cll.ElseLevel(),
        ])
    killed = cl.CustomComparison(
        output_column_name="killed_n",
        comparison_levels=[
            cll.NullLevel("killed_n"),
            cll.ExactMatchLevel("killed_n"),
            cll.PercentageDifferenceLevel("killed_n", 0.2),
            cll.ElseLevel(),
        ])
    blocking = [block_on("country", "day")]
    for d in (1, 2):
        blocking.append(f"l.country = r.country and l.day + {d} = r.day")
        blocking.append(f"l.country = r.country and l.day = r.day + {d}")
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        comparisons=[
            cl.AbsoluteDateDifferenceAtThresholds(
                "date", input_is_string=True, metrics=["day", "day"],
                thresholds=[1, 3], datetime_format="%Y-%m-%d"),
            cl.JaroWinklerAtThresholds("location_norm", [0.92, 0.8]),
            region,
            cl.ArrayIntersectAtSizes("actors", [2, 1]),
            cl.DistanceInKMAtThresholds("lat", "lon", [1, 5, 25]),
            killed,
        ],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=False,
    )


def run_splink(reports, out, threshold=0.9, info=None):
    import logging
    import splink
    from splink import DuckDBAPI, Linker, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    df = splink_frame(reports)
    linker = Linker(df, splink_settings(), db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        ["l.country = r.country and l.day = r.day "
         "and l.location_norm = r.location_norm"], recall=0.5)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("country", "gov", "day"))
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("country", "location_norm", "killed_n"))
    pred = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        pred, threshold_match_probability=threshold)
    cdf = clusters.as_pandas_dataframe()
    write_map(out, ((f"reports.csv:{u}", f"c{c}")
                    for u, c in zip(cdf["unique_id"], cdf["cluster_id"])))
    if info:
        n = linker.misc.query_sql(
            f"select count(*) as n from {pred.physical_name}")["n"][0]
        with open(info, "w") as f:
            json.dump({"splink": splink.__version__,
                       "pairs_above_0.5": int(n)}, f)
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("splink")
    s.add_argument("reports")
    s.add_argument("out")
    s.add_argument("--threshold", type=float, default=0.9)
    s.add_argument("--info", help="write the splink version and pair count here")
    r = sub.add_parser("rule")
    r.add_argument("toll")
    r.add_argument("reports")
    r.add_argument("out")
    r.add_argument("--link-mode", default="rule")
    k = sub.add_parser("link")
    k.add_argument("toll")
    k.add_argument("reports")
    k.add_argument("out")
    a = ap.parse_args(argv)
    if a.cmd == "splink":
        return run_splink(a.reports, a.out, a.threshold, a.info)
    if a.cmd == "rule":
        return run_toll(rule_cmd(a.toll, a.reports, a.link_mode), rule_map,
                        a.out, f"toll incidents --link {a.link_mode}")
    return run_toll(link_cmd(a.toll, a.reports), link_map, a.out, "toll link")


if __name__ == "__main__":
    sys.exit(main())
