#!/usr/bin/env python3
"""Run the code blocks of README.md and docs/*.md, so that the examples a
reader copies work.

    scripts/check-docs.py --toll build/toll [FILE.md ...]

Every ```sh block runs in bash (set -e) and every ```python block runs in
Python, in a scratch directory holding the files the examples name
(reports.jsonl is the bundled example, ged.csv the UCDP sample, acled.csv,
airwars.csv and ibc.csv the preset samples, monitor.csv/news.csv the
linking fixtures, records.csv/patterns.csv the MSE fixtures; see FILES).
`toll` on the PATH is the given executable, and `python -m toll` and
`import toll` find the package as the tests do.  The python blocks of one
file run in one namespace, in order, as a reader would type them.

A block that must not run here (it installs, builds, needs Spark or a
machine's data) is preceded by the line

    <!-- docs-check: skip (REASON) -->

Prints "N blocks ran, N skipped" and exits non-zero at the first failure,
naming the file and line of the block.
"""
import argparse
import csv
import glob
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FENCE = re.compile(r"^```(\w+)\s*$")
SKIP = re.compile(r"^<!-- docs-check: skip \((.+)\) -->\s*$")

# name in the docs -> file of the repository
FILES = {
    "reports.jsonl": "data/seeds.jsonl",
    "ged.csv": "data/ucdp/ged241_myanmar_sample.csv",
    "acled.csv": "tests/data/acled_sample.csv",
    "airwars.csv": "tests/data/airwars_sample.csv",
    "ibc.csv": "tests/data/ibc_sample.csv",
    "monitor.csv": "tests/data/link/monitor.csv",
    "news.csv": "tests/data/link/news.csv",
    "labels.csv": "tests/data/link/labels.csv",
    "patterns.csv": "tests/data/mse/patterns.csv",
    "freq.csv": "tests/data/mse/hare_frequencies.csv",
}
# records.csv and deaths.csv: patterns.csv as one row per person, with a
# region (north, south) to stratify on (records_csv)

# names the python examples of a file take as given
PRELUDE = {
    "README.md": (
        "import json\n"
        "list_of_dicts = [json.loads(l) for l in open('reports.jsonl')]\n"),
    "docs/linking.md": (
        "import toll, pandas as pd\n"
        "reports = toll.read('monitor.csv')\n"
        "reports.load('news.csv')\n"
        "df = pd.read_csv('labels.csv')\n"),
    "docs/mse.md": (
        "import toll, pandas as pd\n"
        "df = pd.read_csv('records.csv')\n"
        "incidents = toll.read('reports.jsonl').reconcile()\n"),
    "docs/importers.md": "import toll\npath = 'ged.csv'\n",
}


def blocks(path):
    """(line, language, text, skip reason or None) of each fenced block."""
    out = []
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        skip = SKIP.match(lines[i - 1]) if i else None
        start, lang, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        out.append((start, lang, "\n".join(body) + "\n",
                    skip.group(1) if skip else None))
    return out


def reports_csv(src, dst):
    """The bundled example as CSV (lists joined by ';' and '/')."""
    rows = [json.loads(line) for line in open(src, encoding="utf-8")
            if line.strip()]
    keys = []
    for r in rows:
        keys += [k for k in r if k not in keys]
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, keys)
        w.writeheader()
        for r in rows:
            w.writerow({k: (";".join(v) if k == "actor" else "/".join(v))
                        if isinstance(v, list) else
                        json.dumps(v) if isinstance(v, dict) else v
                        for k, v in r.items()})


def records_csv(patterns, dst):
    """One row per person of a pattern,count file: id,region,A,B,C."""
    rows = list(csv.DictReader(open(patterns, encoding="utf-8")))
    n = 0
    with open(dst, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "region", "A", "B", "C"])
        for r in rows:
            for _ in range(int(r["count"])):
                n += 1
                w.writerow([n, "north" if n % 2 else "south",
                            *r["pattern"]])


def workspace(tmp, toll):
    for name, rel in FILES.items():
        shutil.copy(os.path.join(ROOT, rel), os.path.join(tmp, name))
    for name in ("records.csv", "deaths.csv"):
        records_csv(os.path.join(tmp, "patterns.csv"),
                    os.path.join(tmp, name))
    reports_csv(os.path.join(tmp, "reports.jsonl"),
                os.path.join(tmp, "reports.csv"))
    with open(os.path.join(tmp, "reports.csv"), "rb") as f, \
            gzip.open(os.path.join(tmp, "reports.csv.gz"), "wb") as g:
        g.write(f.read())
    with zipfile.ZipFile(os.path.join(tmp, "ged241-csv.zip"), "w",
                         zipfile.ZIP_DEFLATED) as z:
        z.write(os.path.join(tmp, "ged.csv"), "GEDEvent_v24_1.csv")
    bindir = os.path.join(tmp, ".bin")
    os.makedirs(bindir)
    os.symlink(os.path.abspath(toll), os.path.join(bindir, "toll"))
    env = dict(os.environ)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    env["MPLBACKEND"] = "Agg"
    inplace = glob.glob(os.path.join(ROOT, "python", "toll", "_core*.so"))
    if inplace and not os.environ.get("TOLL_TEST_INSTALLED"):
        env["PYTHONPATH"] = os.pathsep.join(
            [os.path.join(ROOT, "python"), env.get("PYTHONPATH", "")])
    return env


def run(cmd, tmp, env, where, text):
    p = subprocess.run(cmd, cwd=tmp, env=env, capture_output=True,
                       text=True, timeout=600)
    if p.returncode != 0:
        sys.stderr.write(f"check-docs: {where} FAILED (exit {p.returncode})"
                         f"\n{text}\n--- stdout\n{p.stdout[-2000:]}"
                         f"\n--- stderr\n{p.stderr[-3000:]}\n")
        return False
    return True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--toll", required=True, help="the toll executable")
    ap.add_argument("files", nargs="*")
    args = ap.parse_args()
    files = args.files or (["README.md"] + sorted(
        os.path.relpath(p, ROOT)
        for p in glob.glob(os.path.join(ROOT, "docs", "*.md"))))
    ran = skipped = 0
    with tempfile.TemporaryDirectory(prefix="toll-docs-") as tmp:
        env = workspace(tmp, args.toll)
        for rel in files:
            path = os.path.join(ROOT, rel)
            py = [PRELUDE.get(rel, "")]
            for line, lang, text, skip in blocks(path):
                if lang not in ("sh", "bash", "python"):
                    continue
                where = f"{rel}:{line}"
                if skip:
                    skipped += 1
                    continue
                if lang == "python":
                    # the file's blocks so far, then this one
                    py.append(f"# {where}\n{text}")
                    ok = run([sys.executable, "-c", "\n".join(py)], tmp,
                             env, where, text)
                else:
                    ok = run(["bash", "-e", "-o", "pipefail", "-c", text],
                             tmp, env, where, text)
                if not ok:
                    return 1
                ran += 1
    print(f"check-docs: {ran} blocks ran, {skipped} skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
