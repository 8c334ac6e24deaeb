#!/usr/bin/env python3
"""Compare `toll summarize` output of two builds, byte for byte.

    python bench/identity.py --toll NEW --ref OLD [--size 1e5] [--out DIR]

Runs both `toll` executables over the same matrix of jobs on the bench
generator's file (CSV and JSON Lines, generated with bench/gen.py when
missing): 5 by-lists x the policy / self-reports / attribution / span
options, plus the incidents listing, and compares stdout, stderr and exit
status.  Prints one line per difference and a summary; exits 1 when any
job differs.  Used to check that a restructuring changes no output (or
only where the CHANGELOG says so).
"""
import argparse
import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

BY_LISTS = ["actor,period:month", "region:1,period:year", "actor,region",
            "category,grade", ""]
OPTION_SETS = [
    [],
    ["--policy", "conservative"],
    ["--self-reports", "include"],
    ["--attribution", "split"],
    ["--attribution", "each"],
    ["--span", "prorate"],
    ["--span", "prorate", "--attribution", "split", "--by",
     "actor,period:day"],
]
FORMATS = ["csv", "json", "md", "text"]


def jobs(csv_path, jsonl_path):
    for path in (csv_path, jsonl_path):
        for by in BY_LISTS:
            for opts in OPTION_SETS:
                args = ["summarize", path, "--by", by, *opts]
                yield args
        for fmt in FORMATS:
            yield ["summarize", path, "--format", fmt, "--by",
                   "actor,period:quarter", "--min-grade", "single"]
        yield ["incidents", path, "--format", "csv"]
        yield ["summarize", path, "--by", "actor", "--interval",
               "independent", "--seed", "7"]


def run(exe, args):
    p = subprocess.run([exe, *args], capture_output=True)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--toll", required=True, help="the build to check")
    ap.add_argument("--ref", required=True, help="the reference build")
    ap.add_argument("--size", default="1e5")
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()
    csv_path = os.path.join(a.out, f"reports_{a.size}.csv")
    jsonl_path = os.path.join(a.out, f"reports_{a.size}.jsonl")
    if not (os.path.exists(csv_path) and os.path.exists(jsonl_path)):
        subprocess.check_call([sys.executable, os.path.join(HERE, "gen.py"),
                               "--sizes", a.size, "--out", a.out])
    same = differ = 0
    for args in jobs(csv_path, jsonl_path):
        r_new, r_old = run(a.toll, args), run(a.ref, args)
        if r_old[0] != 0:
            print(f"the reference fails (exit {r_old[0]}): toll "
                  f"{' '.join(args)}\n{r_old[2].decode(errors='replace')}")
            return 2
        if r_new == r_old:
            same += 1
            continue
        differ += 1
        what = [name for name, x, y in zip(("exit", "stdout", "stderr"),
                                            r_new, r_old) if x != y]
        digest = hashlib.sha1(r_new[1]).hexdigest()[:10]
        print(f"DIFFERS ({', '.join(what)}; stdout {digest}): "
              f"toll {' '.join(args)}")
    print(f"identity: {same} identical, {differ} different")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
