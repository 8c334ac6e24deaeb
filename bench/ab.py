#!/usr/bin/env python3
"""Time two builds of `toll` on the benchmark job, interleaved.

    python bench/ab.py --a OLD --b NEW [--sizes 1e6] [--runs 7] [--out DIR]

Runs the benchmark job (load, reconcile, killed by actor, governorate and
month: what bench/run.py times) with build A and build B alternately, on the
generator's CSV and JSON Lines files (made with bench/gen.py when missing),
and prints the median wall time of each, their ratio, and the spread.
Alternating the runs puts both builds under the same machine noise, so the
ratio is what a change of the code did.  Used before and after a
restructuring; no timing here is a test.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BY = "actor,region:1,period:month"


def job(exe, path):
    return [exe, "summarize", path, "--by", BY, "--category", "killed",
            "--format", "csv"]


def once(exe, path):
    t0 = time.perf_counter()
    p = subprocess.run(job(exe, path), stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    if p.returncode:
        sys.exit(f"ab: {exe} failed on {path}: {p.stderr.decode()}")
    return dt


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--a", required=True, help="build A (the reference)")
    ap.add_argument("--b", required=True, help="build B (the change)")
    ap.add_argument("--sizes", default="1e6")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    a = ap.parse_args()
    print(f"{'file':<24} {'A median':>9} {'B median':>9} {'B/A':>6} "
          f"{'A range':>15} {'B range':>15}")
    for size in a.sizes.split(","):
        for ext in ("csv", "jsonl"):
            path = os.path.join(a.out, f"reports_{size}.{ext}")
            if not os.path.exists(path):
                subprocess.check_call([sys.executable,
                                       os.path.join(HERE, "gen.py"),
                                       "--sizes", size, "--out", a.out])
            once(a.a, path)  # warm the page cache
            ta, tb = [], []
            for _ in range(a.runs):
                ta.append(once(a.a, path))
                tb.append(once(a.b, path))
            ma, mb = statistics.median(ta), statistics.median(tb)
            print(f"{os.path.basename(path):<24} {ma:9.3f} {mb:9.3f} "
                  f"{mb / ma:6.3f} {min(ta):7.3f}-{max(ta):<7.3f} "
                  f"{min(tb):7.3f}-{max(tb):<7.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
