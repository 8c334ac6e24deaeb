#!/usr/bin/env python3
"""The benchmark job done by toll's peers: pandas, polars and DuckDB.

The job (what `toll summarize FILE --by actor,region:1,period:month
--category killed` does): load the reports, reconcile each incident with
the envelope policy and self-reports excluded, then total killed by actor,
governorate and month into low/best/high, counting incidents and reports.

The peers read the side files written by bench/gen.py
(reports_N.peers.csv / .peers.jsonl), whose quantities are already parsed
into numbers: low, high (empty/null when open) and best per report.  That is
a concession to them; toll reads "85-92", "at least 40", "about 120" and
"dozens" itself.  Everything else they derive as toll does:

  - an incident's actor set is the union of its reports' actor lists
    (";"-separated), labelled with the members sorted and joined " + ";
  - a self-report is one whose source_actor is in that set; self-reports
    are excluded from the bounds (the side file's is_self column is the
    generator's ground truth and is NOT read);
  - envelope: low = min of lows, high = max of (high, or low where open),
    best = median of bests (mean of the middle two for an even count),
    over the reports that are not self-reports and give a figure;
  - an incident with no such report is dropped (not even counted);
  - `reports` counts all of an incident's reports, self-reports included;
  - region:1 keeps the first two levels of the incident's region
    ("Syria/Idlib/Ariha" -> "Syria/Idlib"), period is the month of the
    incident's start ("2016-09"); on this data every report of an incident
    has the same region and dates.

Each implementation is idiomatic for its library and gets the same help:
explicit column types, only the columns it needs.  They run with their
default thread counts (polars and DuckDB use every core; pandas one).

Worker use (bench/run.py runs each job in its own process):
    python bench/peers.py IMPL FORMAT INPUT OUTPUT
IMPL pandas|polars|duckdb, FORMAT csv|jsonl.  Writes the result table to
OUTPUT (CSV: actor,region,period,incidents,reports,low,best,high) and prints
one JSON line: {"seconds": job time, "cpu": CPU time of the job (all
threads), "rss_base_kb": RSS after the imports, "rows": result rows,
"version": library version}.
"""
import json
import resource
import sys
import time

COLUMNS = ["actor", "region", "period", "incidents", "reports", "low",
           "best", "high"]
# Only these columns are read (is_self and date_end are not).
USE = ["incident", "source_actor", "actor", "region", "date_start", "low",
       "high", "best"]
REGION1 = r"^([^/]*(?:/[^/]*)?)"  # the first two levels


# ---- pandas -------------------------------------------------------------------

def pandas_read(path, fmt):
    import pandas as pd
    dtypes = {"incident": "str", "source_actor": "str", "actor": "str",
              "region": "str", "date_start": "str", "low": "float64",
              "high": "float64", "best": "float64"}
    if fmt == "csv":
        # The pyarrow engine is pandas' fastest CSV reader (multithreaded).
        return pd.read_csv(path, usecols=USE, dtype=dtypes, engine="pyarrow")
    df = pd.read_json(path, lines=True, engine="pyarrow")
    return df[USE].astype(dtypes)


def pandas_job(df):
    # Incident actor sets: the distinct (incident, actor) pairs.
    acts = df[["incident", "actor"]].drop_duplicates()
    acts = (acts.assign(actor=acts["actor"].str.split(";"))
            .explode("actor").drop_duplicates())
    # Labels "A + B": members sorted, joined without a per-group Python call.
    acts = acts.sort_values(["incident", "actor"])
    rank = acts.groupby("incident", sort=False).cumcount()
    wide = acts.assign(k=rank.to_numpy()).pivot(index="incident",
                                                columns="k", values="actor")
    label = wide[0]
    for k in wide.columns[1:]:
        label = label.where(wide[k].isna(), label + " + " + wide[k])
    # Self-reports: source_actor among the incident's actors.
    pairs = acts.rename(columns={"actor": "source_actor"}).assign(
        is_self=True)
    df = df.merge(pairs, on=["incident", "source_actor"], how="left")
    is_self = df["is_self"].fillna(False).astype(bool)

    per = df.groupby("incident", sort=False).agg(
        reports=("incident", "size"), region=("region", "first"),
        date_start=("date_start", "first"))
    known = df.loc[~is_self & df["low"].notna(),
                   ["incident", "low", "high", "best"]]
    known = known.assign(high=known["high"].fillna(known["low"]).clip(
        lower=known["low"]))
    bounds = known.groupby("incident", sort=False).agg(
        low=("low", "min"), high=("high", "max"), best=("best", "median"))
    inc = bounds.join(per, how="inner").join(label.rename("actor"))
    inc["region"] = inc["region"].str.extract(REGION1, expand=False)
    inc["period"] = inc["date_start"].str.slice(0, 7)
    out = inc.groupby(["actor", "region", "period"], sort=False).agg(
        incidents=("low", "size"), reports=("reports", "sum"),
        low=("low", "sum"), best=("best", "sum"), high=("high", "sum"))
    return out.reset_index()[COLUMNS]


def pandas_run(path, fmt):
    return pandas_job(pandas_read(path, fmt))


def pandas_write(res, out):
    res.to_csv(out, index=False)
    return len(res)


# ---- polars -------------------------------------------------------------------

def polars_scan(path, fmt):
    import polars as pl
    schema = {"incident": pl.String, "source": pl.String,
              "source_actor": pl.String, "actor": pl.String,
              "region": pl.String, "date_start": pl.String,
              "date_end": pl.String, "low": pl.Int64, "high": pl.Int64,
              "best": pl.Float64, "is_self": pl.Boolean}
    if fmt == "csv":
        return pl.scan_csv(path, schema=schema).select(USE)
    return pl.scan_ndjson(path, schema=schema).select(USE)


def polars_job(lf):
    import polars as pl
    acts = (lf.select("incident", pl.col("actor").str.split(";"))
            .explode("actor").unique())
    labels = acts.group_by("incident").agg(
        pl.col("actor").sort().str.join(" + "))
    pairs = acts.select("incident", pl.col("actor").alias("source_actor"),
                        pl.lit(True).alias("is_self"))
    rep = (lf.join(pairs, on=["incident", "source_actor"], how="left")
           .with_columns(pl.col("is_self").fill_null(False)))
    incl = ~pl.col("is_self") & pl.col("low").is_not_null()
    inc = rep.group_by("incident").agg(
        pl.len().alias("reports"),
        pl.col("region").first(),
        pl.col("date_start").first(),
        pl.col("low").filter(incl).min(),
        pl.max_horizontal("high", "low").filter(incl).max().alias("high"),
        pl.col("best").filter(incl).median(),
        incl.sum().alias("n_known"),
    )
    out = (inc.filter(pl.col("n_known") > 0)
           .join(labels, on="incident")
           .group_by(pl.col("actor"),
                     pl.col("region").str.extract(REGION1, 1),
                     pl.col("date_start").str.slice(0, 7).alias("period"))
           .agg(pl.len().alias("incidents"), pl.col("reports").sum(),
                pl.col("low").sum(), pl.col("best").sum(),
                pl.col("high").sum()))
    return out.select(COLUMNS).collect()


def polars_run(path, fmt):
    return polars_job(polars_scan(path, fmt))


def polars_write(res, out):
    res.write_csv(out)
    return res.height


# ---- DuckDB -------------------------------------------------------------------

DUCKDB_COLUMNS = ("{'incident': 'VARCHAR', 'source': 'VARCHAR', "
                  "'source_actor': 'VARCHAR', 'actor': 'VARCHAR', "
                  "'region': 'VARCHAR', 'date_start': 'VARCHAR', "
                  "'date_end': 'VARCHAR', 'low': 'BIGINT', "
                  "'high': 'BIGINT', 'best': 'DOUBLE', 'is_self': 'BOOLEAN'}")

DUCKDB_JOB = """
WITH r AS MATERIALIZED (
    SELECT incident, source_actor, actor, region, date_start, low, high, best
    FROM {source}),
acts AS (
    SELECT DISTINCT incident, unnest(string_split(actor, ';')) AS a FROM r),
labels AS (
    SELECT incident, string_agg(a, ' + ' ORDER BY a) AS actor
    FROM acts GROUP BY incident),
inc AS (
    SELECT r.incident,
           count(*) AS reports,
           any_value(r.region) AS region,
           any_value(r.date_start) AS date_start,
           min(r.low) FILTER (WHERE s.a IS NULL) AS low,
           max(greatest(coalesce(r.high, r.low), r.low))
               FILTER (WHERE s.a IS NULL) AS high,
           median(r.best) FILTER (WHERE s.a IS NULL AND r.low IS NOT NULL)
               AS best,
           count(r.low) FILTER (WHERE s.a IS NULL) AS n_known
    FROM r LEFT JOIN acts s ON s.incident = r.incident
                           AND s.a = r.source_actor
    GROUP BY r.incident)
SELECT l.actor,
       regexp_extract(inc.region, '{region1}', 1) AS region,
       substr(inc.date_start, 1, 7) AS period,
       count(*) AS incidents, sum(inc.reports) AS reports,
       sum(inc.low) AS low, sum(inc.best) AS best, sum(inc.high) AS high
FROM inc JOIN labels l USING (incident)
WHERE inc.n_known > 0
GROUP BY ALL
"""


def duckdb_run(path, fmt):
    import duckdb
    lit = "'" + path.replace("'", "''") + "'"
    if fmt == "csv":
        source = f"read_csv({lit}, header = true, columns = {DUCKDB_COLUMNS})"
    else:
        source = (f"read_json({lit}, format = 'newline_delimited', "
                  f"columns = {DUCKDB_COLUMNS})")
    con = duckdb.connect()
    try:
        return con.sql(DUCKDB_JOB.format(source=source,
                                         region1=REGION1)).fetchall()
    finally:
        con.close()


def duckdb_write(res, out):
    import csv
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(res)
    return len(res)


IMPLS = {
    "pandas": ("pandas", pandas_run, pandas_write),
    "polars": ("polars", polars_run, polars_write),
    "duckdb": ("duckdb", duckdb_run, duckdb_write),
}


def available(impl):
    """None if the peer's library imports, else why not."""
    import importlib
    try:
        importlib.import_module(IMPLS[impl][0])
        if impl == "pandas":
            importlib.import_module("pyarrow")
    except ImportError as e:
        return f"{e.name or IMPLS[impl][0]} is not installed " \
               "(pip install -r bench/requirements.txt)"
    return None


def worker(impl, fmt, path, out):
    import importlib
    mod = importlib.import_module(IMPLS[impl][0])
    if impl == "pandas":
        import pyarrow  # noqa: F401  (the CSV/JSON engine; imported here)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, run, write = IMPLS[impl]
    t0, c0 = time.perf_counter(), time.process_time()
    res = run(path, fmt)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rows = write(res, out)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_base_kb": base,
                      "rows": rows,
                      "version": getattr(mod, "__version__", "?")}))
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 5 or sys.argv[1] not in IMPLS or \
            sys.argv[2] not in ("csv", "jsonl"):
        sys.exit("usage: peers.py pandas|polars|duckdb csv|jsonl INPUT OUTPUT")
    sys.exit(worker(*sys.argv[1:]))
