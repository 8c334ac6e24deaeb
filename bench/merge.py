#!/usr/bin/env python3
"""What merging two partial summaries costs (docs/scaling.md).

    python bench/merge.py [--size 1e6] [--runs 7] [--out DIR]

Splits the bench generator's CSV file (bench/gen.py; generated when
missing) by incident key into two halves, summarises each half and the
whole with toll, checks that the merge of the halves equals the whole
(every cell, the row order), and times Table.merge on the two halves'
summaries for a small and a large table.  Prints, per key list, the rows
of the two inputs and of the result, the median merge time of --runs
runs, the time per input row, and beside it the median time of one
summary of all the incidents (on an incidents object already summarised
once, as the merge's inputs are made).  Needs toll built in place
(python setup.py build_ext --inplace) or installed.
"""
import argparse
import csv
import os
import statistics
import subprocess
import sys
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))

import toll  # noqa: E402

# the bench job's keys (thousands of rows), and keys that give a table of
# hundreds of thousands of rows
BY_LISTS = ["actor,region:1,period:month", "region,period:day,actor"]


def size_label(n):
    return f"1e{len(str(int(n))) - 1}"


def generated(size, out):
    path = os.path.join(out, f"reports_{size_label(size)}.csv")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "gen.py"),
                        "--sizes", size_label(size), "--out", out],
                       check=True)
    return path


def split_by_incident(path, out):
    """Two CSV files holding the reports of disjoint sets of incidents
    (by a hash of the incident key)."""
    stem = os.path.splitext(os.path.basename(path))[0]
    names = [os.path.join(out, f"{stem}.part{k}.csv") for k in (0, 1)]
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        key = header.index("incident")
        files = [open(n, "w", newline="", encoding="utf-8") for n in names]
        writers = [csv.writer(fh, lineterminator="\n") for fh in files]
        for w in writers:
            w.writerow(header)
        for row in rows:
            writers[zlib.crc32(row[key].encode()) & 1].writerow(row)
        for fh in files:
            fh.close()
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=float, default=1e6,
                    help="reports in the generated file (default 1e6)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    path = generated(args.size, args.out)
    parts = split_by_incident(path, args.out)
    whole = toll.read(path).reconcile()
    halves = [toll.read(p).reconcile() for p in parts]
    print(f"{path}: {len(whole)} incidents; halves of {len(halves[0])} and "
          f"{len(halves[1])}")
    print(f"{'by':<30} {'rows a':>8} {'rows b':>8} {'rows a+b':>8} "
          f"{'merge s':>9} {'ns/row':>7} {'summarize s':>11}")
    for by in BY_LISTS:
        a, b = (h.summarize(by=by) for h in halves)
        want = whole.summarize(by=by)
        got = a.merge(b)
        if got.to_dict() != want.to_dict() or \
                got.to_csv(totals=True) != want.to_csv(totals=True):
            sys.exit(f"{by}: the merged table differs from the whole")
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            a.merge(b)
            times.append(time.perf_counter() - t0)
        med = statistics.median(times)
        # beside it: summarising all the incidents once (median too)
        stimes = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            whole.summarize(by=by)
            stimes.append(time.perf_counter() - t0)
        rows_in = a.nrows + b.nrows
        print(f"{by:<30} {a.nrows:>8} {b.nrows:>8} {got.nrows:>8} "
              f"{med:>9.4f} {med / rows_in * 1e9:>7.0f} "
              f"{statistics.median(stimes):>11.4f}")
    for p in parts:
        os.remove(p)


if __name__ == "__main__":
    main()
