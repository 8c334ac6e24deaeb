#!/usr/bin/env python3
"""Benchmark toll against pandas, polars and DuckDB on the same job.

    python bench/run.py                      # sizes 1e5,1e6, 3 runs each
    python bench/run.py --sizes 1e5,1e6,1e7 --runs 3
    python bench/run.py --smoke              # 10^4 reports: agreement only

The job: load the reports, reconcile (envelope, self-reports excluded) and
total killed by actor, governorate and month:

    toll summarize FILE --by actor,region:1,period:month --category killed
    toll.read(FILE).reconcile().summarize(
        by=["actor", "region:1", "period:month"]).to_pandas()

and the same in pandas, polars and DuckDB (bench/peers.py), which read a
side file with the quantities already parsed into numbers (a concession to
them).  Missing inputs are generated first (bench/gen.py, into --out).

Every implementation runs in its own process, --runs times; the table shows
medians.  For the toll CLI the time is the process's wall time (start to
exit, output written); for the Python implementations it is the job's time
inside the process (read to result table), excluding interpreter start-up
and imports.  Peak RSS is the process's own peak (GNU time's %M, or
os.wait4's ru_maxrss when /usr/bin/time is missing), which for Python
includes the interpreter and imported libraries: the `base` column is the
RSS after the imports, before the job.

All results must agree (sorted rows; counts and low/high exactly, best
within 1e-9); the run exits 1 when they do not.  The output is Markdown
(bench/RESULTS.md holds the latest run).
"""
import argparse
import csv
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import gen  # noqa: E402
import peers  # noqa: E402

BY = "actor,region:1,period:month"
# Aggregation figures (toll_phases agg): a by-list giving ~10^4 groups on the
# 10^6 file and one giving ~10^6 groups on the 10^7 file.
AGG_BY = ("actor,region:1,period:year", "actor,region,period:day")
COLUMNS = peers.COLUMNS
KEYS = COLUMNS[:3]
EXACT = ["incidents", "reports", "low", "high"]
BEST_TOL = 1e-9

# (name, library, format).  The first toll implementation that runs is the
# reference every other result is compared with.
IMPLS = [
    ("toll-cli", "toll", "csv"), ("toll-cli", "toll", "jsonl"),
    ("toll-py", "toll", "csv"), ("toll-py", "toll", "jsonl"),
    ("pandas", "pandas", "csv"), ("polars", "polars", "csv"),
    ("duckdb", "duckdb", "csv"),
    ("pandas", "pandas", "jsonl"), ("polars", "polars", "jsonl"),
    ("duckdb", "duckdb", "jsonl"),
]
LABEL = {"toll-cli": "toll CLI", "toll-py": "toll Python", "pandas": "pandas",
         "polars": "polars", "duckdb": "DuckDB"}


# ---- finding things -----------------------------------------------------------

def find_cli(explicit=None):
    """The toll executable: --toll, $TOLL_CLI, a build directory, PATH."""
    cands = [explicit, os.environ.get("TOLL_CLI")]
    cands += [os.path.join(ROOT, d, "toll") for d in
              ("build-bench", "build", "build-release")]
    cands.append(shutil.which("toll"))
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def toll_py_problem():
    """None if `import toll` works in a child process, else why not."""
    r = subprocess.run([sys.executable, "-c", "import toll"],
                       capture_output=True, text=True)
    if r.returncode == 0:
        return None
    return "import toll failed: " + (r.stderr.strip().splitlines() or
                                     ["?"])[-1]


# ---- running ------------------------------------------------------------------

TIME = "/usr/bin/time"  # GNU time: the child's own peak RSS (%M)


def run_child(cmd, stdout_path=None):
    """Run cmd; returns (wall seconds, peak RSS KB, stdout text, CPU
    seconds: user + system of the command and its children).

    Linux keeps a process's peak RSS across execve, so a child spawned from
    this (large) process would report at least our own peak.  GNU time forks
    the command from a small process, so its %M is the command's own peak;
    without it, os.wait4's ru_maxrss is used (an upper bound)."""
    use_time = os.access(TIME, os.X_OK)
    with tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".rss") as rssf, \
            (open(stdout_path, "wb") if stdout_path
             else tempfile.TemporaryFile()) as out:
        full = [TIME, "-f", "%M", "-o", rssf.name] + cmd if use_time else cmd
        t0 = time.perf_counter()
        p = subprocess.Popen(full, stdout=out, stderr=err)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: "
                               f"{err.read().decode(errors='replace').strip()}")
        rss = ru.ru_maxrss
        if use_time:
            rssf.seek(0)
            rss = int(rssf.read().decode().split()[-1])
        so = ""
        if not stdout_path:
            out.seek(0)
            so = out.read().decode()
    return wall, rss, so, ru.ru_utime + ru.ru_stime


def run_impl(name, fmt, files, cli, result_path):
    """One run; returns {"seconds", "rss_kb", "base_kb", "wall"}."""
    if name == "toll-cli":
        cmd = [cli, "summarize", files[fmt], "--by", BY, "--category",
               "killed", "--format", "csv"]
        wall, rss, _, cpu = run_child(cmd, result_path)
        return {"seconds": wall, "rss_kb": rss, "base_kb": None,
                "wall": wall, "cpu": cpu}
    if name == "toll-py":
        cmd = [sys.executable, os.path.abspath(__file__), "--worker",
               "toll-py", fmt, files[fmt], result_path]
    else:
        cmd = [sys.executable, os.path.join(HERE, "peers.py"), name, fmt,
               files["peers_" + fmt], result_path]
    wall, rss, so, _ = run_child(cmd)
    info = json.loads(so.strip().splitlines()[-1])
    return {"seconds": info["seconds"], "rss_kb": rss,
            "base_kb": info["rss_base_kb"], "wall": wall,
            "cpu": info["cpu"], "version": info.get("version")}


def toll_py_worker(fmt, path, out):
    """Child process: the job through toll's Python API."""
    import pandas  # noqa: F401  (to_pandas needs it; imported before timing)
    import toll
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0, c0 = time.perf_counter(), time.process_time()
    df = toll.read(path).reconcile().summarize(
        by=BY.split(","), category="killed").to_pandas()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    df[COLUMNS].to_csv(out, index=False)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rss_base_kb": base,
                      "rows": len(df), "version": toll.__version__}))
    return 0


def phases_worker(path):
    """Child process: toll's job phase by phase (Python API)."""
    import pandas  # noqa: F401
    import toll
    t = [time.perf_counter()]
    reports = toll.read(path)
    t.append(time.perf_counter())
    incidents = reports.reconcile()
    t.append(time.perf_counter())
    table = incidents.summarize(by=BY.split(","), category="killed")
    t.append(time.perf_counter())
    table.to_pandas()
    t.append(time.perf_counter())
    names = ["read", "reconcile", "summarize", "to_pandas"]
    print(json.dumps({k: t[i + 1] - t[i] for i, k in enumerate(names)}))
    return 0


def to_pandas_worker(path, by, repeats):
    """Child process: time Table.to_pandas() on a table of many groups."""
    import pandas  # noqa: F401
    import toll
    table = toll.read(path).reconcile().summarize(by=by.split(","))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        df = table.to_pandas()
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    table.to_pandas(categorical=True)
    cat = time.perf_counter() - t0
    print(json.dumps({"rows": len(df), "cols": df.shape[1],
                      "median": statistics.median(times), "min": min(times),
                      "categorical": cat}))
    return 0


# ---- comparing ----------------------------------------------------------------

def load_result(path):
    """Rows of a result CSV as {key tuple: (ints..., best)}."""
    rows = {}
    with open(path, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            key = tuple(r[k] for k in KEYS)
            if key in rows:
                raise ValueError(f"{path}: duplicate group {key}")
            rows[key] = (tuple(float(r[c]) for c in EXACT),
                         float(r["best"]))
    return rows


def compare(ref, other):
    """List of differences (empty when the tables agree)."""
    diffs = []
    for key in sorted(set(ref) | set(other)):
        a, b = ref.get(key), other.get(key)
        if a is None or b is None:
            diffs.append(f"group {key}: only in "
                         f"{'the reference' if b is None else 'this result'}")
        elif a[0] != b[0] or abs(a[1] - b[1]) > BEST_TOL:
            diffs.append(f"group {key}: reference {dict(zip(EXACT, a[0]))} "
                         f"best {a[1]}, here {dict(zip(EXACT, b[0]))} best "
                         f"{b[1]}")
    return diffs


# ---- describing ---------------------------------------------------------------

def _first_line(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine(cli):
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    ram = "?"
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            kb = int(f.readline().split()[1])
            ram = f"{kb / 2**20:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    osname = platform.platform()
    try:
        with open("/etc/os-release", encoding="utf-8") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    osname = (line.split("=", 1)[1].strip().strip('"') +
                              f", kernel {platform.release()}")
    except OSError:
        pass
    compiler = "?"
    if cli:
        cache = os.path.join(os.path.dirname(cli), "CMakeCache.txt")
        cc, btype = None, ""
        try:
            with open(cache, encoding="utf-8") as f:
                for line in f:
                    if line.startswith("CMAKE_C_COMPILER:"):
                        cc = line.split("=", 1)[1].strip()
                    elif line.startswith("CMAKE_BUILD_TYPE:"):
                        btype = line.split("=", 1)[1].strip()
        except OSError:
            pass
        compiler = _first_line([cc or "cc", "--version"])
        if btype:
            compiler += f" ({btype} build)"
    vers = {}
    for mod in ("toll", "numpy", "pandas", "pyarrow", "polars", "duckdb"):
        r = subprocess.run([sys.executable, "-c",
                            f"import {mod}; print({mod}.__version__)"],
                           capture_output=True, text=True)
        vers[mod] = r.stdout.strip() if r.returncode == 0 else "not installed"
    try:
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return [f"- CPU: {cpu}, {os.cpu_count()} cores (nproc)",
            f"- Load average (1/5/15 min) when the run started: {load}",
            f"- RAM: {ram}",
            f"- OS: {osname}",
            f"- Compiler (toll CLI): {compiler}",
            f"- Python {platform.python_version()}; " +
            ", ".join(f"{k} {v}" for k, v in vers.items())]


# ---- main ---------------------------------------------------------------------

def fmt_mb(kb):
    return f"{kb / 1024:.0f}" if kb is not None else "–"


def median_of(runs, key):
    return statistics.median(r[key] for r in runs)


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Benchmark toll against pandas, polars and DuckDB.")
    ap.add_argument("--sizes", default="1e5,1e6",
                    help="report counts, comma-separated (default 1e5,1e6)")
    ap.add_argument("--runs", type=int, default=3,
                    help="runs per implementation (median shown; default 3)")
    ap.add_argument("--out", default=gen.DEFAULT_OUT,
                    help="where inputs and results go (default bench/out/)")
    ap.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    ap.add_argument("--toll", help="the toll executable (default: $TOLL_CLI, "
                    "build-bench/toll, build/toll, PATH)")
    ap.add_argument("--impls", help="comma-separated subset of toll-cli, "
                    "toll-py, pandas, polars, duckdb (default: all)")
    ap.add_argument("--formats", default="csv,jsonl",
                    help="input formats (default csv,jsonl)")
    ap.add_argument("--smoke", action="store_true",
                    help="10^4 reports, one run, check agreement, no timings")
    ap.add_argument("--to-pandas-by", default="actor,region,period:month",
                    help="keys of the table for the to_pandas() timing")
    ap.add_argument("--json", help="also write the raw measurements here")
    ap.add_argument("--phases", help="the toll_phases executable (default: "
                    "next to the toll executable)")
    ap.add_argument("--agg-by", default=";".join(AGG_BY),
                    help="by-lists (separated by ';') timed by the "
                    "aggregation kernel figures (default: %(default)s)")
    ap.add_argument("--no-kernels", action="store_true",
                    help="skip the phase / kernel figures (toll_phases)")
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        if a.worker[0] == "toll-py":
            return toll_py_worker(*a.worker[1:])
        if a.worker[0] == "phases":
            return phases_worker(a.worker[1])
        if a.worker[0] == "to-pandas":
            return to_pandas_worker(a.worker[1], a.worker[2],
                                    int(a.worker[3]))
        ap.error("bad --worker")

    sizes = [10_000] if a.smoke else \
        [gen.parse_size(s.strip()) for s in a.sizes.split(",")]
    runs = 1 if a.smoke else max(1, a.runs)
    wanted = set(a.impls.split(",")) if a.impls else None
    unknown = (wanted or set()) - {n for n, _, _ in IMPLS}
    if unknown:
        ap.error(f"unknown --impls {','.join(sorted(unknown))} (expected "
                 "toll-cli, toll-py, pandas, polars, duckdb)")
    if set(a.formats.split(",")) - {"csv", "jsonl"}:
        ap.error("--formats takes csv and/or jsonl")
    formats = a.formats.split(",")
    cli = find_cli(a.toll)
    say = print

    # Which implementations can run.
    skip = {}
    if not cli:
        skip["toll-cli"] = ("toll executable not found (build it: cmake -S . "
                            "-B build-bench -DCMAKE_BUILD_TYPE=Release && "
                            "cmake --build build-bench --target toll_cli, "
                            "or pass --toll)")
    prob = toll_py_problem()
    if prob:
        skip["toll-py"] = prob + " (pip install .)"
    for p in ("pandas", "polars", "duckdb"):
        why = peers.available(p)
        if why:
            skip[p] = why
    impls = [(n, lib, f) for n, lib, f in IMPLS
             if (wanted is None or n in wanted) and f in formats]
    for n in sorted({n for n, _, _ in impls} & set(skip)):
        say(f"SKIP {LABEL[n]}: {skip[n]}", file=sys.stderr)
    impls = [i for i in impls if i[0] not in skip]
    if not any(n.startswith("toll") for n, _, _ in impls):
        say("error: toll itself cannot run (neither the CLI nor the Python "
            "module)", file=sys.stderr)
        return 2

    work = tempfile.mkdtemp(prefix="toll-bench-")
    failed = False
    report = {"sizes": {}, "machine": None}
    lines = []
    if not a.smoke:
        lines += ["# toll benchmark", "",
                  f"Job: `toll summarize FILE --by {BY} --category killed "
                  "--format csv` (envelope, self-reports excluded) and the "
                  "same job in toll's Python API, pandas, polars and "
                  "DuckDB.", "",
                  "Machine:", ""] + machine(cli) + [""]
        lines += [
            "Times are medians of %d runs. toll CLI: process wall time "
            "(start to exit, CSV written). Python implementations: the job "
            "inside the process (read file -> result table), without "
            "interpreter start-up and imports. CPU: user + system time of "
            "the job over all threads. Peak RSS: the process's own "
            "peak (GNU time %%M); `base` = RSS after imports, before the "
            "job. MB/s = "
            "input file size / time. The peers read a side file with the "
            "quantities pre-parsed into numbers (a concession to them); "
            "toll reads the report text (\"85-92\", \"at least 40\", "
            "\"about 120\", \"dozens\"). polars and DuckDB use all %d "
            "cores, and so does pandas' pyarrow reader (the rest of pandas "
            "uses one); toll uses two to load and to reconcile (its "
            "default, --threads 0) and one for the rest." %
            (runs, os.cpu_count()), ""]
    try:
        for n in sizes:
            label = gen.size_label(n)
            if not gen.up_to_date(n, a.seed, a.out):
                gen.write_all(n, a.seed, a.out)
            files = gen.paths(n, a.out)
            sizes_mb = {k: os.path.getsize(files[k]) / 1e6
                        for k in ("csv", "jsonl", "peers_csv", "peers_jsonl")}
            meas = {}
            results = {}
            for r in range(runs):
                for name, _, fmt in impls:
                    out = os.path.join(work, f"{label}-{name}-{fmt}.csv")
                    try:
                        m = run_impl(name, fmt, files, cli, out)
                    except (RuntimeError, ValueError, IndexError) as e:
                        say(f"FAIL {LABEL[name]} ({fmt}) at {label}: {e}",
                            file=sys.stderr)
                        failed = True
                        continue
                    meas.setdefault((name, fmt), []).append(m)
                    if r == 0:
                        results[(name, fmt)] = out
            # Agreement.
            ref_key = next((k for k in results if k[0].startswith("toll")),
                           None)
            agree = {}
            if ref_key:
                ref = load_result(results[ref_key])
                for k, path in results.items():
                    d = compare(ref, load_result(path))
                    agree[k] = d
                    if d:
                        failed = True
                        say(f"MISMATCH {LABEL[k[0]]} ({k[1]}) vs "
                            f"{LABEL[ref_key[0]]} ({ref_key[1]}) at {label}: "
                            f"{len(d)} groups differ", file=sys.stderr)
                        for line in d[:5]:
                            say("  " + line, file=sys.stderr)
            groups = len(ref) if ref_key else 0
            if a.smoke:
                say(f"smoke: {n} reports, {groups} groups; reference "
                    f"{LABEL[ref_key[0]]} ({ref_key[1]})")
                for k in results:
                    status = "agrees" if not agree.get(k) else \
                        f"DIFFERS ({len(agree[k])} groups)"
                    say(f"  {LABEL[k[0]]:12} {k[1]:5}  {status}")
                continue
            report["sizes"][label] = {
                "reports": n, "groups": groups, "files_mb": sizes_mb,
                "runs": {f"{k[0]}:{k[1]}": v for k, v in meas.items()},
                "agree": {f"{k[0]}:{k[1]}": not v for k, v in agree.items()}}
            lines += size_table(label, n, groups, meas, sizes_mb, agree)
        if not a.smoke:
            tp = to_pandas_timing(sizes, a, impls)
            if tp:
                report["to_pandas"] = tp
                lines += ["## to_pandas()", "",
                          f"A table of {tp['rows']:,} rows x {tp['cols']} "
                          f"columns (`summarize(by={tp['by']!r})` on "
                          f"{tp['size']} reports): `to_pandas()` "
                          f"{tp['median'] * 1e3:.1f} ms (median of 5; best "
                          f"{tp['min'] * 1e3:.1f} ms), "
                          f"`to_pandas(categorical=True)` "
                          f"{tp['categorical'] * 1e3:.1f} ms.", ""]
            ph = phases_timing(sizes, a, impls)
            if ph:
                report["phases"] = ph
                lines += ["## Where toll's time goes", "",
                          f"toll's Python API on {ph['size']} reports, one "
                          "run per format, phase by phase (seconds):", "",
                          "| input | read | reconcile | summarize | "
                          "to_pandas |", "|---|--:|--:|--:|--:|"]
                for fmt in ("csv", "jsonl"):
                    if fmt in ph:
                        p = ph[fmt]
                        lines.append(f"| {fmt.upper()} | {p['read']:.3f} | "
                                     f"{p['reconcile']:.3f} | "
                                     f"{p['summarize']:.3f} | "
                                     f"{p['to_pandas']:.3f} |")
                lines.append("")
            if not a.no_kernels:
                kern = kernel_timing(sizes, a, cli)
                if kern:
                    report["kernels"] = kern
                    lines += kernel_lines(kern)
            lines += targets(report)
            try:
                lines += ["Load average (1/5/15 min) when the run ended: " +
                          " / ".join(f"{x:.2f}" for x in os.getloadavg()),
                          ""]
            except OSError:
                pass
            say("\n".join(lines))
            if a.json:
                with open(a.json, "w", encoding="utf-8") as f:
                    json.dump(report, f, indent=1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if failed:
        say("bench: FAILED (see above)", file=sys.stderr)
        return 1
    if a.smoke:
        say("smoke: all implementations agree")
    return 0


def size_table(label, n, groups, meas, sizes_mb, agree):
    lines = [f"## {n:,} reports ({label}): {groups:,} result rows", "",
             "| implementation | input | input MB | time s | fastest s "
             "| CPU s | peak RSS MB | base MB | MB/s | toll/peer time "
             "| toll/peer RSS | agrees |",
             "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"]
    for (name, fmt), runs in meas.items():
        key = fmt if name.startswith("toll") else "peers_" + fmt
        mb = sizes_mb[key]
        t = median_of(runs, "seconds")
        fastest = min(r["seconds"] for r in runs)
        cpu = median_of(runs, "cpu")
        rss = median_of(runs, "rss_kb")
        base = runs[0]["base_kb"]
        ref = meas.get(("toll-cli", fmt))
        ratio_t = ratio_r = "–"
        if ref and name != "toll-cli":
            rt, rr = median_of(ref, "seconds"), median_of(ref, "rss_kb")
            ratio_t = f"{rt / t:.2f}"
            ratio_r = f"{rr / rss:.2f}"
            if name == "toll-py":  # Python over the CLI
                ratio_t = f"py {t / rt - 1:+.0%} vs CLI"
                ratio_r = "–"
        inp = (f"{fmt.upper()}" if name.startswith("toll") else
               f"{fmt.upper()}, pre-parsed")
        ok = "yes" if not agree.get((name, fmt)) else "**NO**"
        lines.append(f"| {LABEL[name]} | {inp} | {mb:.0f} | {t:.3f} | "
                     f"{fastest:.3f} | {cpu:.2f} | {fmt_mb(rss)} | "
                     f"{fmt_mb(base)} | {mb / t:.0f} | {ratio_t} | "
                     f"{ratio_r} | {ok} |")
    lines += ["", "time: median; fastest: best run; CPU: user + system time "
              "of the job, all threads (median). toll/peer: the toll CLI's "
              "median time (or peak RSS) on the same format divided by the "
              "peer's; below 1 means toll is faster (smaller).", ""]
    return lines


def phases_timing(sizes, a, impls):
    if not any(n == "toll-py" for n, _, _ in impls):
        return None
    n = 1_000_000 if 1_000_000 in sizes else max(sizes)
    out = {"size": gen.size_label(n)}
    for fmt in a.formats.split(","):
        path = gen.paths(n, a.out)[fmt]
        cmd = [sys.executable, os.path.abspath(__file__), "--worker",
               "phases", path]
        _, _, so, _ = run_child(cmd)
        out[fmt] = json.loads(so.strip().splitlines()[-1])
    return out


def to_pandas_timing(sizes, a, impls):
    if not any(n == "toll-py" for n, _, _ in impls):
        return None
    n = 1_000_000 if 1_000_000 in sizes else max(sizes)
    path = gen.paths(n, a.out)["csv"]
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", "to-pandas",
           path, a.to_pandas_by, "5"]
    _, _, so, _ = run_child(cmd)
    info = json.loads(so.strip().splitlines()[-1])
    info.update(size=gen.size_label(n), by=a.to_pandas_by)
    return info


# ---- phase and kernel figures (bench/phases.c) --------------------------------

def find_phases(explicit, cli):
    """The toll_phases executable: --phases, else beside the toll CLI."""
    cands = [explicit]
    if cli:
        cands.append(os.path.join(os.path.dirname(cli), "toll_phases"))
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)
    return None


def run_phases(exe, args):
    """Run toll_phases; its "key value" lines as a dict (agg lines as a
    list under "agg")."""
    _, rss, so, _ = run_child([exe] + args)
    out = {"agg": [], "rss_kb": rss}
    for line in so.splitlines():
        if line.startswith("agg by="):
            f = line.split()
            d = {"by": f[1][3:]}
            for k, v in zip(f[2::2], f[3::2]):
                d[k] = float(v)
            out["agg"].append(d)
            continue
        k, _, v = line.partition(" ")
        try:
            out[k] = float(v)
        except ValueError:
            out[k] = v
    return out


def kernel_timing(sizes, a, cli):
    exe = find_phases(a.phases, cli)
    if not exe:
        print("SKIP kernel figures: toll_phases not found (configure CMake with "
              "-DTOLL_BUILD_BENCH=ON, or pass --phases)", file=sys.stderr)
        return None
    runs = str(max(3, a.runs))
    res = {"job": [], "agg": [], "group": None, "intervals": None}
    big = [n for n in sizes if n >= 1_000_000]
    for n in big:
        files = gen.paths(n, a.out)
        for fmt in a.formats.split(","):
            for threads in (1, 2):
                r = run_phases(exe, ["job", files[fmt], "--threads",
                                     str(threads), "--runs",
                                     "1" if n >= 10_000_000 else runs])
                r.update(size=gen.size_label(n), fmt=fmt)
                res["job"].append(r)
    by = [b for b in a.agg_by.split(";") if b]
    if 1_000_000 in sizes and by:
        r = run_phases(exe, ["agg", gen.paths(1_000_000, a.out)["csv"],
                             "--runs", "5", "--by", by[0]])
        res["agg"] += [dict(x, size="1e6") for x in r["agg"]]
    if 10_000_000 in sizes and len(by) > 1:
        r = run_phases(exe, ["agg", gen.paths(10_000_000, a.out)["csv"],
                             "--runs", "3", "--by", by[1]])
        res["agg"] += [dict(x, size="1e7") for x in r["agg"]]
    if big:
        # keys of the first 2.5 M reports: ~10^6 distinct incidents
        n = max(big)
        r = run_phases(exe, ["group", gen.paths(n, a.out)["csv"], "--limit",
                             "2.5e6", "--runs", runs])
        r.update(size=gen.size_label(n))
        res["group"] = r
    res["intervals"] = run_phases(exe, ["intervals", "--n", "1e6",
                                        "--draws", "200", "--runs", runs])
    # what fresh memory costs here (first touch against rewrite)
    res["pages"] = run_phases(exe, ["pages", "--n", "512", "--runs", "2"])
    # the parsers alone (bench/ceilings.c), on the 1e6 files when measured
    ceil = os.path.join(os.path.dirname(exe), "toll_ceilings")
    res["ceilings"] = []
    if os.access(ceil, os.X_OK):
        n = 1_000_000 if 1_000_000 in sizes else (max(big) if big else None)
        for fmt in (a.formats.split(",") if n else []):
            r = run_phases(ceil, [gen.paths(n, a.out)[fmt], "--runs", runs])
            r.update(size=gen.size_label(n), fmt=fmt)
            res["ceilings"].append(r)
    return res


def kernel_lines(k):
    lines = ["## Phases and kernels (toll_phases, C API, one process)", "",
             "`bench/phases.c` (built as `toll_phases` beside the CLI) "
             "times each phase of the job in one process, best of its "
             "runs (wall clock); `threads` is the load and reconcile "
             "option (1: one thread; 2: the input split in two parts "
             "loaded on both cores, and the incidents reconciled in two "
             "halves).", "",
             "| input | threads | load s | load MB/s | ns/report | "
             "reconcile s | summarize s | render s | total s | "
             "peak RSS MB |", "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in k["job"]:
        lines.append(
            f"| {r['size']} {r['fmt'].upper()} | {r['threads']:.0f} | "
            f"{r['load_s']:.3f} | {r['load_mb_s']:.0f} | "
            f"{r['load_ns_per_report']:.0f} | {r['reconcile_s']:.3f} | "
            f"{r['summarize_s']:.3f} | {r['render_s']:.3f} | "
            f"{r['total_s']:.3f} | {r['peak_rss_mb']:.0f} |")
    lines.append("")
    if any("first_total_s" in r for r in k["job"]):
        lines += ["The first run of each row alone: the run a CLI process "
                  "makes, every page of its memory fresh from the kernel "
                  "(the later runs reuse memory the C library kept from "
                  "the first). Minor page faults and system CPU time are "
                  "the first run's.", "",
                  "| input | threads | first load s | first reconcile s | "
                  "first total s | best total s | minor faults | "
                  "system CPU s |", "|---|--:|--:|--:|--:|--:|--:|--:|"]
        for r in k["job"]:
            if "first_total_s" not in r:
                continue
            lines.append(
                f"| {r['size']} {r['fmt'].upper()} | {r['threads']:.0f} | "
                f"{r['first_load_s']:.3f} | {r['first_reconcile_s']:.3f} | "
                f"{r['first_total_s']:.3f} | {r['total_s']:.3f} | "
                f"{r['first_minflt']:,.0f} | {r['first_sys_s']:.2f} |")
        lines.append("")
    pg = k.get("pages")
    if pg and "first_touch_gb_s" in pg:
        lines += [f"Fresh memory (`toll_phases pages`: {pg['pages_mb']:.0f} "
                  f"MB of anonymous memory written once and then again, "
                  f"after a pause of 3 s, best of {pg['runs']:.0f}): first "
                  f"touch **{pg['first_touch_gb_s']:.2f} GB/s** with 4 KiB "
                  f"pages and {pg['huge_first_touch_gb_s']:.2f} GB/s advised "
                  f"for huge pages, against {pg['rewrite_gb_s']:.1f} GB/s "
                  f"for writing the same memory again.", ""]
    if k["agg"]:
        lines += ["Aggregation (`toll_summarize` alone, killed; a record is "
                  "one incident's contribution to one group). The first "
                  "call on an incidents object builds its key-code columns "
                  "(docs/aggregation.md); later calls reuse them: "
                  "*first* is that first call, *repeated* the best of the "
                  "calls after it.", "",
                  "| reports | by | groups | records | first s | first M "
                  "records/s | repeated s | repeated M records/s | "
                  "repeated ns/record |",
                  "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
        for x in k["agg"]:
            cold_s = x.get("cold_s", x["s"])
            cold_m = x.get("cold_m_records_s", x["m_records_s"])
            lines.append(f"| {x['size']} | `{x['by']}` | {x['groups']:,.0f} "
                         f"| {x['records']:,.0f} | {cold_s:.4f} | "
                         f"{cold_m:.1f} | {x['s']:.4f} | "
                         f"{x['m_records_s']:.1f} | "
                         f"{x['ns_per_record']:.2f} |")
        lines.append("")
    g = k.get("group")
    if g:
        lines += [f"Incident grouping: the incident keys of the first "
                  f"{g['keys']:,.0f} reports of the {g['size']} CSV "
                  f"({g['distinct']:,.0f} distinct) interned in file order: "
                  f"{g['group_plain_ns_per_key']:.1f} ns per report plain, "
                  f"**{g['group_prefetch_ns_per_key']:.1f} ns** with the "
                  f"hash computed 8 keys ahead and the slot prefetched (as "
                  f"the CSV reader does).", ""]
    names = {"split": "line ends only (memchr)",
             "csvscan": "toll's CSV tokenizer (src/io/csv/csvscan.c)",
             "libcsv": "libcsv `csv_parse`, counting callbacks",
             "cjson-malloc": "cJSON parse + delete, malloc hooks",
             "cjson-arena": "cJSON parse, toll's arena hooks",
             "cjson-walk": "cJSON parse (arena) + visiting every member"}
    for c in k.get("ceilings", []):
        if c is k.get("ceilings", [])[0]:
            lines += ["Parser ceilings (`toll_ceilings`, bench/ceilings.c): "
                      "each parser alone on one core over the file already "
                      "in memory, best of its runs. A load does this and "
                      "then its own work per record.", "",
                      "| input | pass | s | MB/s | ns/record |",
                      "|---|---|--:|--:|--:|"]
        for key, label in names.items():
            if f"{key}_s" in c:
                lines.append(f"| {c['size']} {c['fmt'].upper()} | {label} | "
                             f"{c[key + '_s']:.3f} | {c[key + '_mb_s']:.0f} | "
                             f"{c[key + '_ns_record']:.0f} |")
    if k.get("ceilings"):
        lines.append("")
    iv = k.get("intervals")
    if iv:
        lines += [f"Intervals: `toll_interval_sum` over {iv['n']:,.0f} "
                  f"ranges of 2 to 41 values, {iv['draws']:.0f} simulated "
                  f"draws (taus2 through gsl_rng_get): "
                  f"**{iv['intervals_s']:.3f} s**.", ""]
    return lines


def targets(report):
    """The benchmark's targets, each met or missed, from the measurements."""
    def t(size, impl):
        runs = report["sizes"].get(size, {}).get("runs", {}).get(impl)
        return statistics.median(r["seconds"] for r in runs) if runs else None

    rows = []

    def add(what, value, ok, detail):
        if value is None:
            rows.append(f"| {what} | not measured | – |")
        else:
            rows.append(f"| {what} | {detail} | {'met' if ok else '**missed**'} |")

    for size, goal in (("1e6", 0.15), ("1e7", 1.5)):
        v = t(size, "toll-cli:csv")
        add(f"CSV end to end, {size} reports <= {goal} s", v,
            v is not None and v <= goal, f"{v:.3f} s" if v else "")
    for size in ("1e6", "1e7", "1e5"):
        cli = t(size, "toll-cli:csv")
        if cli is None:
            continue
        for peer, goal in (("pandas", 8), ("polars", 2), ("duckdb", 2)):
            p = t(size, f"{peer}:csv")
            add(f"CSV {size}: >= {goal}x faster than {LABEL[peer]}", p,
                p is not None and p / cli >= goal,
                f"{p / cli:.2f}x" if p else "")
        break
    cli, duck = t("1e6", "toll-cli:jsonl"), t("1e6", "duckdb:jsonl")
    add("JSON Lines 1e6: no slower than DuckDB read_json",
        cli if duck else None, cli is not None and duck is not None and
        cli <= duck, f"toll {cli:.3f} s, DuckDB {duck:.3f} s"
        if cli and duck else "")
    for size in ("1e6", "1e5", "1e7"):
        c, p = t(size, "toll-cli:csv"), t(size, "toll-py:csv")
        if c and p:
            add(f"Python path <= 10% over the CLI ({size}, CSV)", p,
                p <= 1.10 * c, f"{p / c - 1:+.0%}")
            break
    k = report.get("kernels") or {}

    def job(size, fmt, threads):
        for r in k.get("job", []):
            if r["size"] == size and r["fmt"] == fmt and \
                    r["threads"] == threads:
                return r
        return None
    for fmt, one, two in (("csv", 500, 900), ("jsonl", 250, 450)):
        for threads, goal in ((1, one), (2, two)):
            r = job("1e6", fmt, threads) or job("1e7", fmt, threads)
            add(f"{fmt.upper()} ingest >= {goal} MB/s "
                f"({'one core' if threads == 1 else 'both cores'})",
                r and r["load_mb_s"], r is not None and
                r["load_mb_s"] >= goal,
                f"{r['load_mb_s']:.0f} MB/s ({r['size']})" if r else "")
    for x in k.get("agg", []):
        goal = 200 if x["groups"] < 10 ** 5 else 30
        cold = x.get("cold_m_records_s", x["m_records_s"])
        add(f"Aggregation >= {goal} M records/s ({x['groups']:,.0f} groups), "
            f"first call on the incidents", cold, cold >= goal,
            f"{cold:.1f} M/s")
        add(f"Aggregation >= {goal} M records/s ({x['groups']:,.0f} groups), "
            f"repeated calls (key codes cached)", x["m_records_s"],
            x["m_records_s"] >= goal, f"{x['m_records_s']:.1f} M/s")
    g = k.get("group")
    if g:
        v = g["group_prefetch_ns_per_key"]
        add(f"Incident grouping <= 30 ns per report "
            f"({g['distinct']:,.0f} incidents)", v, v <= 30, f"{v:.1f} ns")
    r = job("1e7", "csv", 2) or job("1e7", "csv", 1)
    if r:
        add("Peak RSS at 1e7 reports (C API job) well under 24 GiB",
            r["peak_rss_mb"], r["peak_rss_mb"] < 24 * 1024 / 4,
            f"{r['peak_rss_mb']:.0f} MB")
    iv = k.get("intervals")
    if iv:
        add("Intervals: 200 draws over 1e6 incidents <= 0.3 s",
            iv["intervals_s"], iv["intervals_s"] <= 0.3,
            f"{iv['intervals_s']:.3f} s")
    tp = report.get("to_pandas")
    if tp:
        add(f"to_pandas() of a {tp['rows']:,}-row table in milliseconds",
            tp["median"], tp["median"] < 0.1, f"{tp['median'] * 1e3:.1f} ms")
    return ["## Targets", "", "| target | measured | |", "|---|---|---|"] + \
        rows + [""]


if __name__ == "__main__":
    sys.exit(main())
