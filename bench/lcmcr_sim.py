#!/usr/bin/env python3
"""The simulation check of the LCMCR estimator (docs/mse.md).

    python bench/lcmcr_sim.py [--sets 200] [--seed 2016] [--out DIR]

Draws `--sets` populations from known latent-class models (2 or 3
classes, 3 to 5 lists, N from 2,000 to 20,000, class weights and capture
probabilities at random), estimates N from the observed capture histories
with toll.mse.Data.lcmcr, and prints how often the 95% credible interval
covers the true N and the mean relative error of the posterior median,
overall, by number of lists and for the data sets whose lists cover over
50% of N.  With --out it writes the per-data-set results (lcmcr_sim.csv)
and a figure (lcmcr_sim.png: median / N against coverage, and the
intervals).  Needs numpy; the figure needs matplotlib.  Run it with the
extension built in place (python3 setup.py build_ext --inplace).
"""
import argparse
import csv
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import toll.mse  # noqa: E402


def population(rng):
    """A random latent-class population: (N, weights, probabilities)."""
    J = int(rng.integers(3, 6))
    C = int(rng.integers(2, 4))
    N = int(rng.integers(2000, 20001))
    w = rng.dirichlet(np.full(C, 2.0))
    p = rng.uniform(0.1, 0.7, size=(C, J))
    return N, w, p


def capture(rng, N, w, p):
    """The observed capture histories {pattern: count}."""
    J = p.shape[1]
    sizes = rng.multinomial(N, w)
    counts = {}
    for c, n in enumerate(sizes):
        x = rng.random((n, J)) < p[c]
        for row, k in zip(*np.unique(x, axis=0, return_counts=True)):
            if row.any():
                pat = "".join("1" if b else "0" for b in row)
                counts[pat] = counts.get(pat, 0) + int(k)
    return counts


def summarise(rows, label):
    n = len(rows)
    if not n:
        return
    cov = sum(r["covered"] for r in rows) / n
    err = sum(abs(r["median"] - r["N"]) / r["N"] for r in rows) / n
    bias = sum((r["median"] - r["N"]) / r["N"] for r in rows) / n
    print(f"{label:<28} {n:>4}  coverage {100 * cov:5.1f}%  "
          f"mean |median - N| / N {100 * err:5.2f}%  "
          f"mean (median - N) / N {100 * bias:+6.2f}%")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", type=int, default=200)
    ap.add_argument("--seed", type=int, default=2016)
    ap.add_argument("--burnin", type=int, default=5000)
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--thin", type=int, default=50)
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    rows = []
    t0 = time.time()
    for i in range(a.sets):
        N, w, p = population(rng)
        counts = capture(rng, N, w, p)
        d = toll.mse.Data.from_patterns(counts)
        r = d.lcmcr(burnin=a.burnin, samples=a.samples, thin=a.thin,
                    chains=a.chains, seed=i)
        lo, hi = r.interval
        rows.append({"set": i, "lists": p.shape[1], "classes": len(w),
                     "N": N, "observed": d.observed(),
                     "coverage": d.observed() / N, "median": r.median,
                     "lower": lo, "upper": hi, "covered": lo <= N <= hi,
                     "ess": r.ess, "rhat": r.rhat})
    print(f"{a.sets} data sets, {a.chains} chains x {a.samples} draws "
          f"(burn-in {a.burnin}, thinning {a.thin}), "
          f"{time.time() - t0:.0f} s")
    summarise(rows, "all")
    for J in (3, 4, 5):
        summarise([r for r in rows if r["lists"] == J], f"{J} lists")
    summarise([r for r in rows if r["coverage"] > 0.5],
              "lists cover over 50%")
    summarise([r for r in rows if r["coverage"] > 0.5 and r["lists"] > 3],
              "4-5 lists covering over 50%")
    summarise([r for r in rows if r["rhat"] <= 1.05 and r["ess"] >= 400],
              "no convergence warning")
    if a.out:
        os.makedirs(a.out, exist_ok=True)
        with open(os.path.join(a.out, "lcmcr_sim.csv"), "w",
                  newline="") as f:
            wr = csv.DictWriter(f, fieldnames=list(rows[0]))
            wr.writeheader()
            wr.writerows(rows)
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            return
        fig, ax = plt.subplots(1, 2, figsize=(11, 4))
        for J, mk in ((3, "o"), (4, "s"), (5, "^")):
            sub = [r for r in rows if r["lists"] == J]
            ax[0].scatter([r["coverage"] for r in sub],
                          [r["median"] / r["N"] for r in sub], s=12,
                          marker=mk, label=f"{J} lists")
        ax[0].axhline(1.0, color="k", lw=0.8)
        ax[0].set_xlabel("share of N observed")
        ax[0].set_ylabel("posterior median / N")
        ax[0].legend()
        order = sorted(rows, key=lambda r: r["coverage"])
        for k, r in enumerate(order):
            col = "0.5" if r["covered"] else "r"
            ax[1].plot([k, k], [r["lower"] / r["N"], r["upper"] / r["N"]],
                       color=col, lw=1)
        ax[1].axhline(1.0, color="k", lw=0.8)
        ax[1].set_xlabel("data set (by share observed)")
        ax[1].set_ylabel("95% interval / N (red: misses N)")
        fig.tight_layout()
        fig.savefig(os.path.join(a.out, "lcmcr_sim.png"), dpi=90)


if __name__ == "__main__":
    main()
