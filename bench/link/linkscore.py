#!/usr/bin/env python3
"""Score a clustering of reports against the true incidents.

    python bench/link/linkscore.py TRUTH.csv PREDICTED.csv [--report COL --incident COL]

Both files map a report ("reports.csv:LINE", or any name ending in
":LINE") to a cluster label.  Reports are matched by their line number, so
the file part of the name may differ (toll names a report after the path it
was given).  A report of the truth that the prediction does not list is an
incident of its own.

Pairwise precision is the share of report pairs put in one predicted
incident that belong to one true incident; recall the share of pairs of
one true incident that were put together.  The pairs are counted from the
contingency table of predicted x true clusters (sums of n(n-1)/2 over its
cells and margins), never enumerated, so 10^6 reports cost O(n).

B-cubed precision is the mean over reports of the share of its predicted
cluster that belongs to its true incident; recall the mean share of its
true incident that is in its predicted cluster.

A measure whose denominator is zero (no pair predicted, or no true pair)
is 1.0: nothing was claimed, so nothing was wrong.
"""
import argparse
import collections
import csv
import json
import sys


def line_of(name):
    """The line number of a report name 'FILE:LINE' (or 'FILE:LINE#K')."""
    tail = name.rsplit(":", 1)[-1]
    return tail


def _pairs(n):
    return n * (n - 1) // 2


def _f1(p, r):
    return 0.0 if p + r == 0 else 2 * p * r / (p + r)


def score(truth, pred):
    """truth, pred: dicts report -> label.  Reports of truth missing from
    pred are singletons; reports of pred missing from truth are an error."""
    extra = [r for r in pred if r not in truth]
    if extra:
        raise ValueError(f"{len(extra)} predicted reports are not in the truth, "
                         f"e.g. {extra[0]!r}")
    cells = collections.Counter()
    for r, t in truth.items():
        p = pred.get(r)
        cells[(("p", p) if p is not None else ("s", r), t)] += 1
    psize = collections.Counter()
    tsize = collections.Counter()
    for (p, t), n in cells.items():
        psize[p] += n
        tsize[t] += n
    n = len(truth)
    tp = sum(_pairs(c) for c in cells.values())
    pp = sum(_pairs(c) for c in psize.values())
    tt = sum(_pairs(c) for c in tsize.values())
    prec = tp / pp if pp else 1.0
    rec = tp / tt if tt else 1.0
    if n:
        bp = sum(c * c / psize[p] for (p, t), c in cells.items()) / n
        br = sum(c * c / tsize[t] for (p, t), c in cells.items()) / n
    else:
        bp = br = 1.0
    return dict(reports=n, true_incidents=len(tsize),
                predicted_incidents=len(psize),
                largest_predicted=max(psize.values(), default=0),
                largest_true=max(tsize.values(), default=0),
                true_pairs=tt, predicted_pairs=pp, correct_pairs=tp,
                pair_precision=prec, pair_recall=rec, pair_f1=_f1(prec, rec),
                b3_precision=bp, b3_recall=br, b3_f1=_f1(bp, br))


def read_map(path, report_col="report", label_col="incident"):
    out = {}
    with open(path, newline="", encoding="utf-8") as f:
        rd = csv.DictReader(f)
        for col in (report_col, label_col):
            if col not in (rd.fieldnames or []):
                raise ValueError(f"{path}: no column {col!r} "
                                 f"(columns: {', '.join(rd.fieldnames or [])})")
        for row in rd:
            out[line_of(row[report_col])] = row[label_col]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("truth")
    ap.add_argument("predicted")
    ap.add_argument("--report", default="report", help="report column of PREDICTED")
    ap.add_argument("--incident", default="incident", help="label column of PREDICTED")
    a = ap.parse_args(argv)
    s = score(read_map(a.truth), read_map(a.predicted, a.report, a.incident))
    json.dump(s, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
