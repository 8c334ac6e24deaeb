#!/usr/bin/env python3
"""The GED-shaped benchmark: toll against pandas, polars and DuckDB on UCDP
GED files, summarised by actor and year.

    python bench/ged.py gen [--events 1e6]      # write bench/out/ged_1e6.csv
    python bench/ged.py run [--events 1e6] [--runs 3] [--toll PATH]
                            [--results bench/RESULTS.md]
    python bench/ged.py run --quick --events 5000   # agreement, one run

The data (`gen`): the three real UCDP GED files of the shared data folder
($TOLL_SHARED_DATA/ucdp, else ../shared/data/ucdp beside the repository):
ucdp_ged_myanmar.csv, ucdp_ged_mexico.csv and ucdp_ged_syria_2016_2019.csv,
42,897 events.  Their rows are copied, as written (quoting, embedded line
breaks and all), until N events are written, with fresh event ids (`id`:
1, 2, ..., N in output order) and everything else as in the real row.  The
file has the real 49-column header of the v24.1 files; the Syria file has
41 of those columns, and its rows get the other eight empty.  Full copies
of the 42,897 events keep the real order (Myanmar, Mexico, Syria, each in
file order); the last, partial copy is a seeded random subset of the rows,
in file order.  `--order shuffled` shuffles every copy instead (seeded).

The job, the same for everyone:

    toll summarize FILE --preset ucdp-ged --by actor,period:year --format csv

The preset (src/io/presets.c) reads killed from low..best..high, the actor
set from side_a + side_b, the incident key from id, and repairs figures out
of order (low = the smallest of low, best and high, high = the largest,
best kept).  Every event has its own id, so an incident is one event and
the table is, per actor set and year of date_start: incidents, reports,
and the sums of low, best and high.  The actor set is labelled with its
members sorted and joined with " + " ("Government of Mexico + Sinaloa
Cartel").

The peers (pandas, polars, DuckDB) compute the same table from the six
columns they need (side_a, side_b, date_start, low, best, high), read with
explicit types: each row's low and high repaired as toll does, grouped by
side_a, side_b and the first four characters of date_start; then the few
groups are labelled and the groups with the same label (sides swapped)
added up.  They do not read `id` (the generator makes every id distinct, so
each row is an incident of its own); toll reads and groups the ids.
pandas uses its default (C) CSV engine, on one core: its pyarrow engine
cannot be told that quoted cells hold line breaks, which GED's source
fields do, and fails on the large file.  polars (a lazy scan_csv) and
DuckDB (read_csv) use every core.

`run` measures, in one run on the same file, each implementation as a
whole process (interpreter start-up and imports included for the Python
ones), --runs times, interleaved: wall time, CPU time (user + system, all
threads), peak RSS (GNU time's %M), MB/s (file size / wall time) and MB/s
per core (file size / CPU time); medians.  toll's Python API
(`toll.read(FILE, preset="ucdp-ged").reconcile().summarize(...)`, table
written with to_csv) runs as a whole process too.  Then toll_phases
(bench/phases.c, when built beside the CLI) times toll's phases on the
file, and, in one Python process, the three real files: toll's read +
summarize against the peers' read + group (pandas with both engines: the
pyarrow one works on these small files), best of 5 each.  Every table is checked against toll's
(every group: incidents, reports, low, best and high exactly); any
difference is printed and the run exits 1.

The output is a Markdown section "## GED-shaped input" with the targets
met or MISSED; `--results FILE` also writes it into FILE, replacing the
section of that name or appending it, and leaving every other section as
it was.
"""
import argparse
import csv
import importlib
import importlib.util
import json
import os
import random
import re
import resource
import statistics
import sys
import tempfile
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

GEN_VERSION = 1
DEFAULT_SEED = 20261207
DEFAULT_EVENTS = 1_000_000
DEFAULT_OUT = os.path.join(HERE, "out")
GED_FILES = ("ucdp_ged_myanmar.csv", "ucdp_ged_mexico.csv",
             "ucdp_ged_syria_2016_2019.csv")
SECTION = "## GED-shaped input"

PRESET = "ucdp-ged"
BY = "actor,period:year"
NEEDED = ["side_a", "side_b", "date_start", "low", "best", "high"]
COLUMNS = ["actor", "period", "incidents", "reports", "low", "best", "high"]
KEYS = COLUMNS[:2]
VALUES = COLUMNS[2:]

IMPLS = ["toll-cli", "toll-py", "pandas", "polars", "duckdb"]
PEERS = ["pandas", "polars", "duckdb"]
# In one Python process, on the real files.
INPROC = ["toll-py", "toll-py+pandas", "pandas", "pandas-pyarrow", "polars",
          "duckdb"]
LABEL = {"toll-cli": "toll CLI", "toll-py": "toll Python", "pandas": "pandas",
         "polars": "polars", "duckdb": "DuckDB",
         "toll-py+pandas": "toll Python + to_pandas()",
         "pandas-pyarrow": "pandas, pyarrow engine"}
# Targets (the GED part of the speed issue).
LOAD_PER_CORE_MB_S = 400
PEER_RATIO = 3


# ---- the data ---------------------------------------------------------------

def data_dir(arg=None):
    """The shared data folder: --data, $TOLL_SHARED_DATA, ../shared/data."""
    if arg:
        return arg
    env = os.environ.get("TOLL_SHARED_DATA")
    if env:
        return env
    return os.path.join(os.path.dirname(ROOT), "shared", "data")


def ged_files(data=None):
    """The three real GED files; FileNotFoundError names a missing one."""
    d = os.path.join(data_dir(data), "ucdp")
    out = [os.path.join(d, f) for f in GED_FILES]
    for p in out:
        if not os.path.isfile(p):
            raise FileNotFoundError(
                f"{p} is absent (set TOLL_SHARED_DATA to the shared data "
                "folder, or pass --data)")
    return out


def bench_run():
    """bench/run.py (run_child, machine, find_cli, ...), imported when a
    run needs it, so that importing this module imports nothing else of
    bench/ (bench/link/ has a gen.py of its own)."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    import run
    return run


def size_label(n):
    k = len(str(n)) - 1
    return f"1e{k}" if n == 10 ** k else str(n)


def parse_count(text):
    v = float(text)
    if v < 1 or v != int(v):
        raise argparse.ArgumentTypeError(f"bad count {text!r}")
    return int(v)


def paths(n, out_dir=DEFAULT_OUT):
    base = os.path.join(out_dir, f"ged_{size_label(n)}")
    return {"csv": base + ".csv", "meta": base + ".meta.json"}


# One CSV field as written (quoted, with "" and line breaks inside, or
# bare) and what ends it.
_FIELD = re.compile(r'("(?:[^"]|"")*"|[^,"\r\n]*)(,|\r?\n|\Z)')


def raw_records(text, name):
    """The records of a CSV text as lists of fields exactly as written
    (quotes kept)."""
    pos, n, rec = 0, len(text), []
    while pos < n:
        m = _FIELD.match(text, pos)
        if not m or (m.end() == pos and pos < n):
            line = text.count("\n", 0, pos) + 1
            raise ValueError(f"{name}:{line}: cannot split the CSV record "
                             f"at {text[pos:pos + 40]!r}")
        rec.append(m.group(1))
        pos = m.end()
        if m.group(2) != ",":
            yield rec
            rec = []
    if rec:
        yield rec


def load_pool(files):
    """(header, tails): the GED header (that of the file with the most
    columns; every other file's columns must be among them) and, per real
    event, the text of its record after the id field (",...\\n"), in
    file order, with the columns a file lacks left empty."""
    parsed = []
    for path in files:
        with open(path, encoding="utf-8", newline="") as f:
            recs = list(raw_records(f.read(), path))
        parsed.append((path, [h.strip('"') for h in recs[0]], recs[1:]))
    header = max((names for _, names, _ in parsed), key=len)
    if header[0] != "id":
        raise ValueError("the GED header does not start with id")
    tails = []
    for path, names, recs in parsed:
        extra = [c for c in names if c not in header]
        if extra:
            raise ValueError(f"{path}: columns not in the GED header: "
                             f"{', '.join(extra)}")
        where = [names.index(c) if c in names else -1 for c in header[1:]]
        for k, r in enumerate(recs):
            if len(r) != len(names):
                raise ValueError(f"{path}: record {k + 1} has {len(r)} "
                                 f"fields, the header {len(names)}")
            tails.append("," + ",".join(r[i] if i >= 0 else ""
                                        for i in where) + "\n")
    return header, tails


def event_order(pool, n, seed, order):
    """Indices into the pool of the n events to write, in output order."""
    rng = random.Random(seed)
    idx = []
    while len(idx) < n:
        left = n - len(idx)
        if order == "shuffled":
            perm = list(range(pool))
            rng.shuffle(perm)
            idx += perm[:left]
        elif left >= pool:
            idx += range(pool)
        else:
            idx += sorted(rng.sample(range(pool), left))
    return idx


def write_ged(n, seed=DEFAULT_SEED, out_dir=DEFAULT_OUT, data=None,
              order="file", verbose=True):
    """Write the GED-shaped file of n events and its meta; returns paths."""
    t0 = time.perf_counter()
    files = ged_files(data)
    header, tails = load_pool(files)
    os.makedirs(out_dir, exist_ok=True)
    p = paths(n, out_dir)
    tmp = p["csv"] + ".tmp"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(f'"{h}"' for h in header) + "\n")
        buf = []
        for i, k in enumerate(event_order(len(tails), n, seed, order)):
            buf.append(str(i + 1) + tails[k])
            if len(buf) >= 65536:
                f.write("".join(buf))
                buf.clear()
        f.write("".join(buf))
    os.replace(tmp, p["csv"])
    meta = {"version": GEN_VERSION, "seed": seed, "events": n,
            "order": order, "columns": len(header), "pool": len(tails),
            "sources": [os.path.basename(x) for x in files],
            "bytes": os.path.getsize(p["csv"])}
    with open(p["meta"], "w", encoding="utf-8") as f:
        json.dump(meta, f, indent=1)
    if verbose:
        print(f"ged: {n:,} events, {meta['bytes'] / 1e6:.0f} MB -> "
              f"{p['csv']} ({time.perf_counter() - t0:.1f} s)",
              file=sys.stderr)
    return p


def up_to_date(n, seed, out_dir=DEFAULT_OUT, order="file"):
    p = paths(n, out_dir)
    try:
        with open(p["meta"], encoding="utf-8") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return False
    return (meta.get("version") == GEN_VERSION and meta.get("seed") == seed
            and meta.get("events") == n and meta.get("order") == order
            and os.path.exists(p["csv"])
            and os.path.getsize(p["csv"]) == meta.get("bytes"))


# ---- the peers ----------------------------------------------------------------

def actor_label(a, b):
    """The actor set side_a + side_b as toll labels it: members sorted,
    joined with " + " (one member when both sides are the same)."""
    if a == b:
        return a
    return f"{a} + {b}" if a < b else f"{b} + {a}"


def pandas_job(files, engine="c"):
    import numpy as np
    import pandas as pd
    dtype = {"side_a": "str", "side_b": "str", "date_start": "str",
             "low": "int64", "best": "int64", "high": "int64"}
    # The whole-process runs use pandas' default (C) engine: the pyarrow
    # engine cannot be told that quoted cells hold line breaks (GED's
    # source fields do) and fails on a large file ("CSV parser got out of
    # sync with chunker").  In one process, on the small real files, it is
    # timed too where it works.
    parts = [pd.read_csv(f, usecols=NEEDED, dtype=dtype, engine=engine)
             for f in files]
    df = parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)
    lo, be, hi = (df[c].to_numpy() for c in ("low", "best", "high"))
    df = pd.DataFrame({
        "side_a": df["side_a"], "side_b": df["side_b"],
        "period": df["date_start"].str.slice(0, 4),
        "low": np.minimum(np.minimum(lo, be), hi), "best": be,
        "high": np.maximum(np.maximum(lo, be), hi)})
    g = df.groupby(["side_a", "side_b", "period"], sort=False).agg(
        incidents=("low", "size"), low=("low", "sum"), best=("best", "sum"),
        high=("high", "sum")).reset_index()
    g["actor"] = [actor_label(a, b) for a, b in
                  zip(g["side_a"].tolist(), g["side_b"].tolist())]
    out = g.groupby(["actor", "period"], sort=False)[
        ["incidents", "low", "best", "high"]].sum().reset_index()
    out["reports"] = out["incidents"]
    return out[COLUMNS]


def pandas_write(res, out):
    res.to_csv(out, index=False)
    return len(res)


def polars_job(files):
    import polars as pl
    schema = {"side_a": pl.String, "side_b": pl.String,
              "date_start": pl.String, "low": pl.Int64, "best": pl.Int64,
              "high": pl.Int64}
    frames = [pl.scan_csv(f, schema_overrides=schema,
                          infer_schema_length=0).select(NEEDED)
              for f in files]
    lf = frames[0] if len(frames) == 1 else pl.concat(frames)
    g = (lf.group_by("side_a", "side_b",
                     pl.col("date_start").str.slice(0, 4).alias("period"))
         .agg(pl.len().alias("incidents"),
              pl.min_horizontal("low", "best", "high").sum().alias("low"),
              pl.col("best").sum(),
              pl.max_horizontal("low", "best", "high").sum().alias("high"))
         .collect())
    a, b = pl.col("side_a"), pl.col("side_b")
    actor = (pl.when(a == b).then(a)
             .when(a < b).then(pl.concat_str([a, b], separator=" + "))
             .otherwise(pl.concat_str([b, a], separator=" + ")))
    return (g.group_by(actor.alias("actor"), "period")
            .agg(pl.col("incidents").sum(), pl.col("low").sum(),
                 pl.col("best").sum(), pl.col("high").sum())
            .with_columns(pl.col("incidents").alias("reports"))
            .select(COLUMNS))


def polars_write(res, out):
    res.write_csv(out)
    return res.height


DUCKDB_TYPES = ("{'side_a': 'VARCHAR', 'side_b': 'VARCHAR', "
                "'date_start': 'VARCHAR', 'low': 'BIGINT', 'best': 'BIGINT', "
                "'high': 'BIGINT'}")

DUCKDB_JOB = """
WITH g AS (
    SELECT side_a, side_b, substr(date_start, 1, 4) AS period,
           count(*) AS incidents,
           sum(least(low, best, high)) AS low, sum(best) AS best,
           sum(greatest(low, best, high)) AS high
    FROM ({source})
    GROUP BY ALL)
SELECT CASE WHEN side_a = side_b THEN side_a
            WHEN side_a < side_b THEN side_a || ' + ' || side_b
            ELSE side_b || ' + ' || side_a END AS actor,
       period, sum(incidents) AS incidents, sum(incidents) AS reports,
       sum(low) AS low, sum(best) AS best, sum(high) AS high
FROM g
GROUP BY ALL
"""


def duckdb_job(files, con=None):
    import duckdb
    parts = []
    for f in files:
        lit = "'" + f.replace("'", "''") + "'"
        parts.append(f"SELECT {', '.join(NEEDED)} FROM read_csv({lit}, "
                     f"header = true, types = {DUCKDB_TYPES})")
    own = con is None
    con = con or duckdb.connect()
    try:
        return con.sql(DUCKDB_JOB.format(
            source=" UNION ALL ".join(parts))).fetchall()
    finally:
        if own:
            con.close()


def duckdb_write(res, out):
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(COLUMNS)
        w.writerows(res)
    return len(res)


def toll_read(files):
    import toll
    with warnings.catch_warnings():
        # the preset's repairs are listed as warnings; the CLI lists them
        # on stderr
        warnings.simplefilter("ignore")
        reports = toll.read(files[0], preset=PRESET)
        for f in files[1:]:
            reports.load(f, preset=PRESET)
    return reports


def toll_job(files):
    return toll_read(files).reconcile().summarize(by=BY.split(","))


def toll_write(res, out):
    res.to_csv(out)
    return res.nrows


JOBS = {"toll-py": ("toll", toll_job, toll_write),
        "pandas": ("pandas", pandas_job, pandas_write),
        "polars": ("polars", polars_job, polars_write),
        "duckdb": ("duckdb", duckdb_job, duckdb_write)}


def available(impl):
    """None if the implementation's library imports, else why not."""
    m = JOBS[impl][0]
    try:
        importlib.import_module(m)
    except ImportError as e:
        hint = "build toll's module (python setup.py build_ext --inplace, " \
               "or pip install .)" if m == "toll" else \
               "pip install -r bench/requirements.txt"
        return f"{e.name or m} is not installed ({hint})"
    return None


def worker(impl, out, files):
    """Child process: one implementation's job; prints one JSON line."""
    mod = importlib.import_module(JOBS[impl][0])
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _, job, write = JOBS[impl]
    t0, c0 = time.perf_counter(), time.process_time()
    res = job(files)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    rows = write(res, out)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_base_kb": base,
                      "rows": rows,
                      "version": getattr(mod, "__version__", "?")}))
    return 0


def inproc_worker(out_dir, repeats, files):
    """Child process: every available implementation on the same files in
    this one process, best of `repeats` each (imports before timing).
    Writes each result table to out_dir/inproc-IMPL.csv; prints one JSON
    line {impl: {"best": s, "median": s, "times": [...]}, or {"error":
    text} for a job that failed}."""
    need = {"toll-py": ("toll",), "toll-py+pandas": ("toll", "pandas"),
            "pandas": ("pandas",), "pandas-pyarrow": ("pandas", "pyarrow"),
            "polars": ("polars",), "duckdb": ("duckdb",)}
    impls = [i for i in INPROC
             if all(importlib.util.find_spec(m) for m in need[i])]
    for i in impls:
        for m in need[i]:
            importlib.import_module(m)
    con = None
    if "duckdb" in impls:
        import duckdb
        con = duckdb.connect()
    run = {"toll-py": lambda: toll_job(files),
           "toll-py+pandas": lambda: toll_job(files).to_pandas(),
           "pandas": lambda: pandas_job(files),
           "pandas-pyarrow": lambda: pandas_job(files, "pyarrow"),
           "polars": lambda: polars_job(files),
           "duckdb": lambda: duckdb_job(files, con)}
    write = {"toll-py": toll_write, "pandas": pandas_write,
             "pandas-pyarrow": pandas_write, "polars": polars_write,
             "duckdb": duckdb_write}
    res = {}
    for i in impls:
        times = []
        try:
            for _ in range(repeats):
                t0 = time.perf_counter()
                r = run[i]()
                times.append(time.perf_counter() - t0)
        except Exception as e:  # noqa: BLE001  (reported, not fatal)
            res[i] = {"error": f"{type(e).__name__}: "
                               f"{str(e).splitlines()[0] if str(e) else ''}"}
            continue
        if i in write:
            write[i](r, os.path.join(out_dir, f"inproc-{i}.csv"))
        res[i] = {"best": min(times), "median": statistics.median(times),
                  "times": times}
    print(json.dumps(res))
    return 0


# ---- measuring and comparing --------------------------------------------------

def load_result(path):
    """{(actor, period): (incidents, reports, low, best, high)} of a result
    CSV (toll's extra columns are ignored)."""
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = tuple(r[k] for k in KEYS)
            if key in rows:
                raise ValueError(f"{path}: duplicate group {key}")
            rows[key] = tuple(float(r[c]) for c in VALUES)
    return rows


def totals(rows):
    return tuple(sum(v[i] for v in rows.values()) for i in range(len(VALUES)))


def compare(ref, other):
    """Differences between two results (empty when they agree): groups
    missing on either side, and groups whose counts or sums differ."""
    diffs = []
    for key in sorted(set(ref) | set(other)):
        a, b = ref.get(key), other.get(key)
        if a is None or b is None:
            diffs.append(f"group {key}: only in "
                         f"{'the reference' if b is None else 'this result'}")
        elif a != b:
            diffs.append(f"group {key}: reference {dict(zip(VALUES, a))}, "
                         f"here {dict(zip(VALUES, b))}")
    ta, tb = totals(ref), totals(other)
    if ta != tb:
        diffs.append(f"totals: reference {dict(zip(VALUES, ta))}, here "
                     f"{dict(zip(VALUES, tb))}")
    return diffs


def run_impl(impl, path, cli, out):
    """One whole-process run: {"wall", "cpu", "rss_kb", "job"}."""
    if impl == "toll-cli":
        cmd = [cli, "summarize", path, "--preset", PRESET, "--by", BY,
               "--format", "csv"]
        wall, rss, _, cpu = bench_run().run_child(cmd, out)
        return {"wall": wall, "cpu": cpu, "rss_kb": rss, "job": None}
    cmd = [sys.executable, os.path.abspath(__file__), "worker", impl, out,
           path]
    wall, rss, so, cpu = bench_run().run_child(cmd)
    info = json.loads(so.strip().splitlines()[-1])
    return {"wall": wall, "cpu": cpu, "rss_kb": rss, "job": info["seconds"],
            "version": info.get("version")}


def med(runs, key):
    return statistics.median(r[key] for r in runs)


def replace_section(path, lines):
    """Write the section (lines, starting with SECTION) into the Markdown
    file: in place of the section of that name (up to the next "## "
    heading), else at the end.  Every other line is kept as it was."""
    try:
        with open(path, encoding="utf-8") as f:
            old = f.read().split("\n")
    except FileNotFoundError:
        old = []
    if old and old[-1] == "":
        old.pop()
    new = list(lines)
    while new and new[-1] == "":
        new.pop()
    try:
        start = old.index(SECTION)
    except ValueError:
        start = None
    if start is None:
        body = old + ([""] if old and old[-1] != "" else []) + new
    else:
        end = next((i for i in range(start + 1, len(old))
                    if old[i].startswith("## ")), len(old))
        after = old[end:]
        body = old[:start] + new + ([""] + after if after else [])
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(body) + "\n")


# ---- the report ---------------------------------------------------------------

def fmt_mb(kb):
    return f"{kb / 1024:.0f}"


def section(a, res):
    """The Markdown section of a run (res: what cmd_run measured)."""
    n, meas, runs = a.events, res["meas"], res["runs"]
    size_mb = os.path.getsize(res["path"]) / 1e6
    meta, tot, real_mb = res["meta"], res["totals"], res["real_mb"]
    lines = [SECTION, "",
             f"Produced by `python bench/ged.py run --events "
             f"{size_label(n)} --runs {runs}"
             f"{' --quick' if a.quick else ''}`. The input: the three UCDP "
             f"GED files of the shared data folder ({', '.join(GED_FILES)}; "
             f"{meta['pool']:,} events, {real_mb:.0f} MB) replicated by "
             f"`bench/ged.py gen` to {n:,} events with fresh ids "
             f"({meta['columns']} columns, {size_mb:.0f} MB, order "
             f"`{meta['order']}`, seed {meta['seed']}). The job:", "",
             f"    toll summarize FILE --preset {PRESET} --by {BY} "
             "--format csv", "",
             "and the same table in pandas (`read_csv(usecols=...)`, C "
             "engine, then groupby), polars (lazy `scan_csv` of the needed "
             "columns, group_by) and DuckDB (`read_csv`, GROUP BY), which "
             "read only side_a, side_b, date_start, low, best and high "
             "(bench/ged.py says how each computes toll's table).", "",
             "Machine:", ""] + res["machine"] + [""]
    lines += [
        f"### {n:,} events ({size_label(n)}, {size_mb:.0f} MB): "
        f"{res['groups']:,} result rows", "",
        f"Each implementation as a whole process (start to exit, Python "
        f"start-up and imports included), median of {runs} runs, run "
        "interleaved. CPU: user + system time of the process, all threads. "
        "MB/s: file size / wall time; per core: file size / CPU time. "
        "job s: the job inside the Python process (read to result table), "
        "without start-up and imports. peer/toll: the peer's wall time over "
        "the toll CLI's.", "",
        "| implementation | wall s | fastest s | CPU s | peak RSS MB | MB/s "
        "| MB/s per core | job s | peer/toll | agrees |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    cli_wall = med(meas["toll-cli"], "wall") if "toll-cli" in meas else None
    for impl, rs in meas.items():
        wall, cpu = med(rs, "wall"), med(rs, "cpu")
        jobs = [r["job"] for r in rs if r["job"] is not None]
        job = f"{statistics.median(jobs):.3f}" if jobs else "–"
        ratio = f"{wall / cli_wall:.2f}" if cli_wall and impl in PEERS \
            else "–"
        ok = "yes" if not res["agree"].get(impl) else "**NO**"
        lines.append(
            f"| {LABEL[impl]} | {wall:.3f} | {min(r['wall'] for r in rs):.3f} "
            f"| {cpu:.2f} | {fmt_mb(med(rs, 'rss_kb'))} | {size_mb / wall:.0f} "
            f"| {size_mb / cpu:.0f} | {job} | {ratio} | {ok} |")
    lines += ["", f"Totals (every implementation): {tot[0]:,.0f} incidents, "
              f"low {tot[2]:,.0f}, best {tot[3]:,.0f}, high {tot[4]:,.0f}.",
              ""]
    ph = res.get("phases")
    if ph:
        lines += ["Where toll's time goes (`toll_phases job FILE --preset "
                  f"{PRESET} --by {BY} --runs 1`, bench/phases.c: the same "
                  "job through the C API in one process, one run, wall "
                  "clock):", "",
                  "| threads | load s | load MB/s | reconcile s | summarize s "
                  "| render s | free s | total s | peak RSS MB |",
                  "|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
        for r in ph:
            lines.append(
                f"| {r['threads']:.0f} | {r['load_s']:.3f} | "
                f"{r['load_mb_s']:.0f} | {r['reconcile_s']:.3f} | "
                f"{r['summarize_s']:.3f} | {r['render_s']:.4f} | "
                f"{r['free_s']:.3f} | {r['total_s']:.3f} | "
                f"{r['peak_rss_mb']:.0f} |")
        lines.append("")
    inproc, inproc_agree = res.get("inproc"), res.get("inproc_agree", {})
    if inproc:
        reps = len(next(iter(inproc.values()))["times"])
        lines += [f"### In one Python process: the three real files "
                  f"({meta['pool']:,} events, {real_mb:.0f} MB)", "",
                  f"Each job on the three files in one Python process, "
                  f"libraries imported first, best of {reps}: toll "
                  f"`toll.read(f, preset=\"{PRESET}\")` (then `load` of the "
                  f"others) + `reconcile().summarize(by=[\"actor\", "
                  f"\"period:year\"])`; the peers read and group as above. "
                  "toll/peer: toll's best over the peer's (below 1: toll "
                  "is faster).", "",
                  "| implementation | best ms | median ms | toll/peer | "
                  "agrees |", "|---|--:|--:|--:|---|"]
        tb = inproc.get("toll-py", {}).get("best")
        for impl, r in inproc.items():
            if "error" in r:
                lines.append(f"| {LABEL[impl]} | failed: {r['error']} | | "
                             "| |")
                continue
            ratio = f"{tb / r['best']:.2f}" if tb and impl not in (
                "toll-py", "toll-py+pandas") else "–"
            ok = "–" if impl not in inproc_agree else \
                ("yes" if not inproc_agree[impl] else "**NO**")
            lines.append(f"| {LABEL[impl]} | {r['best'] * 1e3:.1f} | "
                         f"{r['median'] * 1e3:.1f} | {ratio} | {ok} |")
        lines.append("")
    lines += targets(meas, size_mb, inproc)
    try:
        lines += ["Load average (1/5/15 min) when the run ended: " +
                  " / ".join(f"{x:.2f}" for x in os.getloadavg()), ""]
    except OSError:
        pass
    return lines


def targets(meas, size_mb, inproc):
    rows = []

    def add(what, measured, ok):
        if measured is None:
            rows.append(f"| {what} | not measured | – |")
        else:
            rows.append(f"| {what} | {measured} | "
                        f"{'met' if ok else '**MISSED**'} |")

    cli = meas.get("toll-cli")
    per_core = size_mb / med(cli, "cpu") if cli else None
    add(f"toll CLI loads >= {LOAD_PER_CORE_MB_S} MB/s per core (file size / "
        f"CPU time)", f"{per_core:.0f} MB/s" if cli else None,
        cli is not None and per_core >= LOAD_PER_CORE_MB_S)
    for p in PEERS:
        v = None
        if cli and p in meas:
            v = med(meas[p], "wall") / med(cli, "wall")
        add(f">= {PEER_RATIO}x faster than {LABEL[p]} (whole process, wall)",
            f"{v:.2f}x" if v is not None else None,
            v is not None and v >= PEER_RATIO)
    inproc = inproc or {}
    t = inproc.get("toll-py", {}).get("best")
    p = [(inproc[i]["best"], LABEL[i]) for i in ("pandas", "pandas-pyarrow")
         if "best" in inproc.get(i, {})]
    p = min(p) if p else None
    add("In one Python process, the real files: toll faster than pandas "
        "(best of each; pandas' faster engine)",
        f"toll {t * 1e3:.1f} ms, {p[1]} {p[0] * 1e3:.1f} ms"
        if t and p else None, t is not None and p is not None and t < p[0])
    return ["### Targets", "", "| target | measured | |", "|---|---|---|"] + \
        rows + [""]


# ---- main ---------------------------------------------------------------------

def cmd_gen(a):
    if not a.force and up_to_date(a.events, a.seed, a.out, a.order):
        print(f"ged: {paths(a.events, a.out)['csv']} is up to date",
              file=sys.stderr)
        return 0
    write_ged(a.events, a.seed, a.out, a.data, a.order)
    return 0


def cmd_run(a):
    say = print
    runs = 1 if a.quick else max(1, a.runs)
    repeats = 1 if a.quick else 5
    try:
        real = ged_files(a.data)
    except FileNotFoundError as e:
        say(f"error: {e}", file=sys.stderr)
        return 2
    if not up_to_date(a.events, a.seed, a.out, a.order):
        write_ged(a.events, a.seed, a.out, a.data, a.order)
    path = paths(a.events, a.out)["csv"]
    wanted = a.impls.split(",") if a.impls else IMPLS
    unknown = set(wanted) - set(IMPLS)
    if unknown:
        say(f"error: unknown --impls {','.join(sorted(unknown))} (expected "
            f"{', '.join(IMPLS)})", file=sys.stderr)
        return 2
    cli = bench_run().find_cli(a.toll)
    skip = {}
    if not cli:
        skip["toll-cli"] = ("toll executable not found (build it, or pass "
                            "--toll / set TOLL_CLI)")
    for i in ("toll-py",) + tuple(PEERS):
        why = available(i)
        if why:
            skip[i] = why
    impls = [i for i in IMPLS if i in wanted and i not in skip]
    for i in wanted:
        if i in skip:
            say(f"SKIP {LABEL[i]}: {skip[i]}", file=sys.stderr)
    if not any(i.startswith("toll") for i in impls):
        say("error: toll itself cannot run (neither the CLI nor the Python "
            "module)", file=sys.stderr)
        return 2
    machine_lines = bench_run().machine(cli)
    failed = False
    work = tempfile.mkdtemp(prefix="toll-ged-")
    try:
        meas, results = {}, {}
        for r in range(runs):
            for impl in impls:
                out = os.path.join(work, f"{impl}.csv")
                try:
                    m = run_impl(impl, path, cli, out)
                except (RuntimeError, ValueError, IndexError) as e:
                    say(f"FAIL {LABEL[impl]}: {e}", file=sys.stderr)
                    failed = True
                    continue
                meas.setdefault(impl, []).append(m)
                if r == 0:
                    keep = os.path.join(work, f"{impl}.first.csv")
                    os.replace(out, keep)
                    results[impl] = keep
        ref_impl = next((i for i in impls if i.startswith("toll") and
                         i in results), None)
        agree, groups, tot = {}, 0, (0,) * len(VALUES)
        if ref_impl:
            ref = load_result(results[ref_impl])
            groups, tot = len(ref), totals(ref)
            for impl, rp in results.items():
                d = compare(ref, load_result(rp))
                agree[impl] = d
                if d:
                    failed = True
                    say(f"MISMATCH {LABEL[impl]} vs {LABEL[ref_impl]}: "
                        f"{len(d)} differences", file=sys.stderr)
                    for line in d[:5]:
                        say("  " + line, file=sys.stderr)
        # In one process, on the three real files.
        inproc, inproc_agree = None, {}
        if "toll-py" in impls or any(p in impls for p in PEERS):
            cmd = [sys.executable, os.path.abspath(__file__), "inproc", work,
                   str(repeats)] + real
            try:
                _, _, so, _ = bench_run().run_child(cmd)
                inproc = json.loads(so.strip().splitlines()[-1])
            except (RuntimeError, ValueError, IndexError) as e:
                say(f"FAIL in-process comparison: {e}", file=sys.stderr)
                failed = True
            for impl, r in (inproc or {}).items():
                if "error" in r:
                    say(f"{'FAIL' if impl != 'pandas-pyarrow' else 'NOTE'} "
                        f"in process {LABEL[impl]}: {r['error']}",
                        file=sys.stderr)
                    failed = failed or impl != "pandas-pyarrow"
            ref_path = os.path.join(work, "inproc-toll-py.csv")
            if os.path.exists(ref_path):
                ref = load_result(ref_path)
                for impl in inproc:
                    rp = os.path.join(work, f"inproc-{impl}.csv")
                    if not os.path.exists(rp):
                        continue
                    d = compare(ref, load_result(rp))
                    inproc_agree[impl] = d
                    if d:
                        failed = True
                        say(f"MISMATCH in process: {LABEL[impl]} vs toll "
                            f"Python: {len(d)} differences", file=sys.stderr)
                        for line in d[:5]:
                            say("  " + line, file=sys.stderr)
        # toll's phases (bench/phases.c), when toll_phases is beside the CLI
        phases = []
        exe = bench_run().find_phases(a.phases, cli)
        for threads in ((1, 2) if exe else ()):
            try:
                phases.append(bench_run().run_phases(exe, [
                    "job", path, "--preset", PRESET, "--by", BY, "--runs",
                    "1", "--threads", str(threads)]))
            except (RuntimeError, ValueError) as e:
                say(f"FAIL toll_phases: {e}", file=sys.stderr)
                failed = True
        with open(paths(a.events, a.out)["meta"], encoding="utf-8") as f:
            meta = json.load(f)
        res = {"path": path, "meta": meta, "runs": runs, "meas": meas,
               "agree": agree, "groups": groups, "totals": tot,
               "phases": phases, "inproc": inproc,
               "inproc_agree": inproc_agree, "machine": machine_lines,
               "real_mb": sum(os.path.getsize(f) for f in real) / 1e6}
        lines = section(a, res)
        say("\n".join(lines))
        for impl, d in agree.items():
            say(f"ged: {LABEL[impl]} {'agrees' if not d else 'DIFFERS'}",
                file=sys.stderr)
        for impl, d in inproc_agree.items():
            say(f"ged: in process {LABEL[impl]} "
                f"{'agrees' if not d else 'DIFFERS'}", file=sys.stderr)
        if a.results:
            replace_section(a.results, lines)
        if a.json:
            with open(a.json, "w", encoding="utf-8") as f:
                json.dump(dict(res, agree={k: not v for k, v in agree.items()},
                           inproc_agree={k: not v for k, v in
                                         inproc_agree.items()}),
                      f, indent=1)
    finally:
        import shutil
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        say("ged: FAILED (see above)", file=sys.stderr)
        return 1
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["worker"]:
        if len(argv) < 4 or argv[1] not in JOBS:
            sys.exit("usage: ged.py worker IMPL OUTPUT FILE...")
        return worker(argv[1], argv[2], argv[3:])
    if argv[:1] == ["inproc"]:
        return inproc_worker(argv[1], int(argv[2]), argv[3:])
    ap = argparse.ArgumentParser(
        description="GED-shaped benchmark: toll, pandas, polars and DuckDB "
        "on UCDP GED rows, by actor and year.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("gen", "run"):
        p = sub.add_parser(name)
        p.add_argument("--events", type=parse_count, default=DEFAULT_EVENTS,
                       help="events to write (default 1e6)")
        p.add_argument("--out", default=DEFAULT_OUT,
                       help="where the file goes (default bench/out/)")
        p.add_argument("--seed", type=int, default=DEFAULT_SEED)
        p.add_argument("--order", choices=("file", "shuffled"),
                       default="file", help="file: copies in the real "
                       "order (default); shuffled: each copy shuffled")
        p.add_argument("--data", help="the shared data folder (default "
                       "$TOLL_SHARED_DATA, else ../shared/data)")
        if name == "gen":
            p.add_argument("--force", action="store_true",
                           help="write even when up to date")
        else:
            p.add_argument("--runs", type=int, default=3,
                           help="whole-process runs each (median; default 3)")
            p.add_argument("--toll", help="the toll executable (default: "
                           "$TOLL_CLI, build-bench/toll, build/toll, PATH)")
            p.add_argument("--phases", help="the toll_phases executable "
                           "(default: beside the toll executable; built "
                           "with -DTOLL_BUILD_BENCH=ON)")
            p.add_argument("--impls", help="comma-separated subset of "
                           + ", ".join(IMPLS) + " (default: all)")
            p.add_argument("--quick", action="store_true",
                           help="one run each, in-process best of 1: "
                           "agreement and the section's form, no "
                           "meaningful times")
            p.add_argument("--results", help="write the section into this "
                           "Markdown file (e.g. bench/RESULTS.md)")
            p.add_argument("--json", help="also write the raw measurements")
    a = ap.parse_args(argv)
    return cmd_gen(a) if a.cmd == "gen" else cmd_run(a)


if __name__ == "__main__":
    sys.exit(main())
