#!/usr/bin/env python3
"""Evaluate toll's record linkers against the truth and against splink.

    python bench/link/run.py --toll build/toll                 # writes bench/LINK.md
    python bench/link/run.py --toll build/toll --scale 0       # no 10^6 run
    python bench/link/run.py --toll build/toll --smoke         # CI: small, no splink

Generates multi-source reports of the real UCDP, Airwars and IBC incidents
(bench/link/linkgen.py; default seed, every incident), runs on the same file

- `toll link FILE --format csv` (toll's probabilistic linker; "not
  available" when the build has no `link` command),
- `toll link FILE --link-labels labels.csv`, the model fitted on every
  candidate pair labelled from the truth (what the comparisons can tell
  apart; --no-labelled skips it),
- `toll incidents FILE --link rule --explain --format csv` (the earlier
  rule; --rule-mode auto for builds that still call it `auto`),
- splink 4 with DuckDB (bench/link/linkpeers.py; skipped when splink is not
  importable by --splink-python),

scores each against the truth (bench/link/linkscore.py: pairwise and B-cubed
precision, recall and F1), times each (wall clock, CPU of the process and
its children, peak RSS from GNU time's %M or os.wait4), runs toll link on
--scale reports (copies of the incident pool that cannot match one
another) and writes the tables, with the targets met or missed, to --out.
"""
import argparse
import csv
import datetime
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import linkgen as gen  # noqa: E402
import linkpeers as peers  # noqa: E402
import linkscore as score  # noqa: E402

PEERS = os.path.join(HERE, "linkpeers.py")
TIME = "/usr/bin/time"
TARGETS = dict(pair_f1=0.85, b3_f1=0.92, scale_seconds=10.0)
SMOKE_INCIDENTS = 1500
LABELLED = "toll link, fitted on every candidate pair labelled"


def measure(cmd, stdout=None):
    """Run cmd (its output into the file stdout, or discarded); return
    (exit status, stderr, wall s, CPU s, peak RSS MB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    rss_file = None
    full = list(cmd)
    if os.path.exists(TIME):
        fd, rss_file = tempfile.mkstemp(suffix=".rss")
        os.close(fd)
        full = [TIME, "-f", "%M", "-o", rss_file] + full
    t0 = time.perf_counter()
    sink = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        p = subprocess.Popen(full, stdout=sink, stderr=subprocess.PIPE, text=True)
        _, err = p.communicate()
    finally:
        if stdout:
            sink.close()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = None
    if rss_file:
        try:
            with open(rss_file) as f:
                rss = int(f.read().strip().splitlines()[-1]) / 1024.0
        except (OSError, ValueError, IndexError):
            rss = None
        os.unlink(rss_file)
    if rss is None:
        rss = after.ru_maxrss / 1024.0
    rc = p.returncode
    return rc, err, wall, cpu, rss


def run_linker(name, cmd, out_csv, truth, to_map=None):
    """Run one linker and score it.  A toll command (to_map given) is
    timed alone, its CSV output turned into a map afterwards; splink runs
    as bench/link/linkpeers.py, which writes the map itself."""
    raw = out_csv + ".out" if to_map else None
    rc, err, wall, cpu, rss = measure(cmd, raw)
    shown = [os.path.basename(c) if i == 0 or os.path.isabs(c) else c
             for i, c in enumerate(cmd)]
    res = dict(name=name, cmd=" ".join(shown), rc=rc, wall=wall, cpu=cpu, rss=rss)
    if to_map and rc != 0 and peers.unavailable(rc, err):
        rc = peers.NOT_AVAILABLE
    if rc == peers.NOT_AVAILABLE:
        res["status"] = "not available"
        res["why"] = err.strip().splitlines()[-1] if err.strip() else ""
        return res
    if rc != 0:
        res["status"] = "failed"
        res["why"] = err.strip()[-400:]
        return res
    res["status"] = "ok"
    if to_map:
        with open(raw, encoding="utf-8") as f:
            peers.write_map(out_csv, to_map(f.read()))
        os.unlink(raw)
    res.update(score.score(truth, score.read_map(out_csv)))
    return res


def write_labels(toll, reports, truth, path):
    """Label every candidate pair toll link proposes (its --pairs output)
    from the truth, as report_a,report_b,match: the input of the labelled
    fit (--link-labels).  Returns (pairs, matches)."""
    cmd = [toll, "link", reports, "--pairs", "--format", "csv"]
    n = m = 0
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True,
                          encoding="utf-8") as p, \
            open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["report_a", "report_b", "match"])
        for row in csv.DictReader(p.stdout):
            ta = truth.get(score.line_of(row["report_a"]))
            tb = truth.get(score.line_of(row["report_b"]))
            match = int(ta is not None and ta == tb)
            w.writerow([row["report_a"], row["report_b"], match])
            n += 1
            m += match
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: exit status {p.returncode}")
    return n, m


def splink_available(python):
    p = subprocess.run([python, "-c", "import splink; print(splink.__version__)"],
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else None


def toll_version(toll):
    p = subprocess.run([toll, "--version"], capture_output=True, text=True)
    return (p.stdout or p.stderr).strip().splitlines()[0] if p.returncode == 0 else "?"


def tree_commit():
    p = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                       capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "?"


def fmt(v, nd=3):
    return "-" if v is None else f"{v:.{nd}f}"


def verdict(ok):
    return "met" if ok else "MISSED"


def markdown(a, meta, results, scale, versions):
    L = []
    L.append("# toll linking benchmark")
    L.append("")
    L.append(f"Produced on {datetime.date.today().isoformat()} by "
             f"`python bench/link/run.py{' --smoke' if a.smoke else ''} "
             f"--scale {a.scale}` on {platform.machine()} "
             f"({os.cpu_count()} cores, {platform.system()}) from the tree at "
             f"commit {versions['commit']}; toll: "
             f"`{versions['toll']}`, splink {versions['splink'] or 'not installed'}, "
             f"Python {platform.python_version()}. The section Linking of bench/README.md "
             "says how the data are made and what is measured.")
    L.append("")
    if a.note:
        L.append(a.note)
        L.append("")
    L.append("## Data")
    L.append("")
    L.append(f"Seed {meta['seed']}: the real incidents of UCDP GED Syria 2016-2019, "
             "Airwars Syria and IBC Iraq 2003-2009, each reported by a random "
             "subset of simulated sources (bench/link/linkgen.py).")
    L.append("")
    L.append("| incidents | reports | reports per incident | sources | party denials "
             "| max incidents on one governorate-day | reports without place or coordinates |")
    L.append("|---|---|---|---|---|---|---|")
    L.append(f"| {meta['incidents']:,} | {meta['reports']:,} | "
             f"{meta['reports_per_incident']:.2f} | {meta['sources']} | "
             f"{meta['denials']:,} | {meta['max_incidents_per_governorate_day']} "
             f"({meta['max_governorate_day']}) | "
             f"{100 * meta['share_no_place_no_coordinates']:.1f} % |")
    L.append("")
    L.append("## Quality and cost")
    L.append("")
    L.append("| linker | pairwise P | R | F1 | B-cubed P | R | F1 | incidents found "
             "| largest | wall s | CPU s | peak RSS MB |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if r["status"] != "ok":
            L.append(f"| {r['name']} | {r['status']} | | | | | | | | | | |")
            continue
        L.append(f"| {r['name']} | {fmt(r['pair_precision'])} | {fmt(r['pair_recall'])} "
                 f"| **{fmt(r['pair_f1'])}** | {fmt(r['b3_precision'])} "
                 f"| {fmt(r['b3_recall'])} | **{fmt(r['b3_f1'])}** "
                 f"| {r['predicted_incidents']:,} (true {r['true_incidents']:,}) "
                 f"| {r['largest_predicted']:,} (true {r['largest_true']}) "
                 f"| {fmt(r['wall'], 2)} | {fmt(r['cpu'], 2)} | {fmt(r['rss'], 0)} |")
    L.append("")
    if any(r["name"] == LABELLED for r in results):
        L.append("The row *{}* is not a way to run toll on unlabelled data: "
                 "its model is fitted (`--link-labels`) with every candidate "
                 "pair labelled from the truth, so it shows what the "
                 "comparisons can tell apart in these data at the default "
                 "thresholds, whatever the fit. Its time includes reading "
                 "the labels.".format(LABELLED))
        L.append("")
    L.append("Pairwise scores count pairs of reports, so large incidents weigh "
             "most: one false merge of two big clusters costs many pairs. "
             "B-cubed scores average over reports. `largest` is the size of "
             "the largest incident found (and of the largest true one). Wall "
             f"time is of a machine whose load average was {versions['load']} "
             "at the start; CPU is user + system time of the process and its "
             "threads.")
    L.append("")
    for r in results:
        extra = f" ({r['why']})" if r.get("why") else ""
        L.append(f"- {r['name']}: `{r['cmd']}`{extra}")
    L.append("")
    if scale:
        L.append(f"## Scale: {scale['meta']['reports']:,} reports")
        L.append("")
        L.append(f"{scale['meta']['countries']} copies of the incident pool under "
                 "distinct country names (`Syria`, `Syria 2`, ...), so no two "
                 "copies can match and each block keeps the real density.")
        L.append("")
        L.append("| linker | status | wall s | CPU s | peak RSS MB | pairwise F1 | B-cubed F1 |")
        L.append("|---|---|---|---|---|---|---|")
        for r in scale["results"]:
            ok = r["status"] == "ok"
            L.append(f"| {r['name']} | {r['status']} | {fmt(r['wall'], 2) if ok else '-'} "
                     f"| {fmt(r['cpu'], 2) if ok else '-'} | {fmt(r['rss'], 0) if ok else '-'} "
                     f"| {fmt(r.get('pair_f1'))} | {fmt(r.get('b3_f1'))} |")
        L.append("")
    L.append("## Targets (toll link)")
    L.append("")
    link = next((r for r in results if r["name"] == "toll link"), None)
    big = next((r for r in scale["results"] if r["name"] == "toll link"), None) if scale else None
    L.append("| target | value | |")
    L.append("|---|---|---|")
    if link and link["status"] == "ok":
        L.append(f"| pairwise F1 >= {TARGETS['pair_f1']} | {fmt(link['pair_f1'])} "
                 f"| {verdict(link['pair_f1'] >= TARGETS['pair_f1'])} |")
        L.append(f"| B-cubed F1 >= {TARGETS['b3_f1']} | {fmt(link['b3_f1'])} "
                 f"| {verdict(link['b3_f1'] >= TARGETS['b3_f1'])} |")
    else:
        L.append(f"| pairwise F1 >= {TARGETS['pair_f1']} | not available | MISSED |")
        L.append(f"| B-cubed F1 >= {TARGETS['b3_f1']} | not available | MISSED |")
    if big and big["status"] == "ok":
        L.append(f"| 10^6 reports <= {TARGETS['scale_seconds']:g} s | {fmt(big['wall'], 2)} s "
                 f"| {verdict(big['wall'] <= TARGETS['scale_seconds'])} |")
    else:
        L.append(f"| 10^6 reports <= {TARGETS['scale_seconds']:g} s | "
                 f"{'not run' if not scale else 'not available'} | MISSED |")
    L.append("")
    return "\n".join(L)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--toll", default=os.environ.get("TOLL_CLI") or
                    shutil.which("toll") or os.path.join(ROOT, "build", "toll"))
    ap.add_argument("--scale", type=lambda s: int(float(s)), default=1000000,
                    help="reports for the scale run of toll link (0: none)")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench", "LINK.md"))
    ap.add_argument("--work", default=os.path.join(ROOT, "bench", "out", "link"))
    ap.add_argument("--seed", type=int, default=gen.DEFAULT_SEED)
    ap.add_argument("--data", help="the shared real data folder")
    ap.add_argument("--incidents", type=int, help="only the first N incidents")
    ap.add_argument("--rule-mode", default="rule",
                    help="the --link value of the earlier rule (auto on older builds)")
    ap.add_argument("--splink-python", default=sys.executable,
                    help="the Python that has splink installed")
    ap.add_argument("--no-splink", action="store_true")
    ap.add_argument("--no-labelled", action="store_true",
                    help="no run of toll link fitted on the labelled "
                         "candidate pairs")
    ap.add_argument("--smoke", action="store_true",
                    help=f"{SMOKE_INCIDENTS} incidents, no splink, no scale run")
    ap.add_argument("--json", help="also write every measurement here")
    ap.add_argument("--note", help="a paragraph to put under the title (Markdown)")
    a = ap.parse_args(argv)
    if a.smoke:
        a.incidents = a.incidents or SMOKE_INCIDENTS
        a.no_splink = True
        a.no_labelled = True
        a.scale = 0
    if not os.path.exists(a.toll):
        ap.error(f"--toll {a.toll}: not found (build toll first)")
    toll = os.path.abspath(a.toll)

    lists = gen.load_incidents(gen.data_dir(a.data))
    reports = gen.generate(lists, a.seed, a.incidents)
    meta = gen.describe(reports)
    meta["seed"] = a.seed
    work = os.path.join(a.work, "smoke" if a.smoke else "main")
    rp, tp = gen.write(reports, work, meta)
    print(f"data: {meta['reports']} reports of {meta['incidents']} incidents; "
          f"max {meta['max_incidents_per_governorate_day']} incidents on one "
          f"governorate-day; {100 * meta['share_no_place_no_coordinates']:.1f} % "
          "without place or coordinates", file=sys.stderr)
    truth = score.read_map(tp)
    versions = dict(toll=toll_version(toll), splink=None, commit=tree_commit(),
                    load=" / ".join(f"{x:.1f}" for x in os.getloadavg()))

    results = []
    py = sys.executable
    jobs = [("toll link", peers.link_cmd(toll, rp), "link.csv", peers.link_map),
            (f"toll rule (--link {a.rule_mode})",
             peers.rule_cmd(toll, rp, a.rule_mode), "rule.csv", peers.rule_map)]
    if not a.no_splink:
        versions["splink"] = splink_available(a.splink_python)
        if versions["splink"]:
            jobs.append((f"splink {versions['splink']} (DuckDB)",
                         [a.splink_python, PEERS, "splink", rp], "splink.csv", None))
        else:
            results.append(dict(name="splink", status="not installed", cmd="",
                                why=f"pip install -r bench/requirements.txt "
                                    f"(for {a.splink_python})"))
    if not a.no_labelled:
        labels = os.path.join(work, "labels.csv")
        print("labels: every candidate pair of toll link", file=sys.stderr)
        try:
            n, m = write_labels(toll, rp, truth, labels)
            print(f"  {n} pairs, {m} matches", file=sys.stderr)
            jobs.insert(1, (LABELLED, peers.link_cmd(toll, rp) +
                            ["--link-labels", labels], "link-labelled.csv",
                            peers.link_map))
        except (RuntimeError, OSError, KeyError) as e:
            results.append(dict(name=LABELLED, status="failed", cmd="",
                                why=str(e)))
    for name, cmd, outname, to_map in jobs:
        out_csv = os.path.join(work, outname)
        if os.path.exists(out_csv):
            os.unlink(out_csv)
        if not to_map:
            cmd = cmd + [out_csv]
        print(f"run: {name}", file=sys.stderr)
        r = run_linker(name, cmd, out_csv, truth, to_map)
        results.append(r)
        print(f"  {r['status']}" + (f": pairwise F1 {r['pair_f1']:.3f}, "
                                    f"B-cubed F1 {r['b3_f1']:.3f}, {r['wall']:.1f} s"
                                    if r["status"] == "ok" else f" {r.get('why', '')}"),
              file=sys.stderr)

    scale = None
    if a.scale:
        sreports = gen.generate(lists, a.seed, None, a.scale)
        smeta = gen.describe(sreports)
        swork = os.path.join(a.work, "scale")
        srp, stp = gen.write(sreports, swork, smeta)
        del sreports
        struth = score.read_map(stp)
        scale = dict(meta=smeta, results=[])
        for name, cmd, outname, to_map in [j for j in jobs
                                           if j[0] != LABELLED][:2]:
            out_csv = os.path.join(swork, outname)
            cmd = [c if c != rp else srp for c in cmd]
            print(f"scale: {name}", file=sys.stderr)
            r = run_linker(name, cmd, out_csv, struth, to_map)
            scale["results"].append(r)
            print(f"  {r['status']}" + (f": {r['wall']:.1f} s" if r["status"] == "ok" else ""),
                  file=sys.stderr)

    md = markdown(a, meta, results, scale, versions)
    if a.out != "-":
        with open(a.out, "w") as f:
            f.write(md + "\n")
    print(md)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(dict(meta=meta, results=results, scale=scale, versions=versions),
                      f, indent=1, default=str)
    failed = [r for r in results if r["status"] == "failed"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
