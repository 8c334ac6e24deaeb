#!/usr/bin/env python3
"""Speed of the LCMCR sampler: 10^5 Gibbs iterations on the Kosovo lists.

    python bench/lcmcr.py [--data DIR] [--repeat 5]

One chain, K* = 10, no burn-in, 1,000 draws one every 100 iterations:
10^5 iterations on the distinct capture patterns of the 4 Kosovo lists
(4,400 documented killings; DIR/mse/kosovo_lists.csv, DIR defaulting to
$TOLL_SHARED_DATA).  Prints the best wall and CPU time of --repeat runs
(the summaries, effective sample size and R-hat included).  When R and
its LCMCR package are installed, times lcmCR on the same data with the
same settings beside it.  Run with the extension built in place
(python3 setup.py build_ext --inplace).
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))
import toll.mse  # noqa: E402

ITER = 100_000

R_SCRIPT = r"""
suppressMessages(library(LCMCR))
x <- read.csv(Sys.getenv("KOSOVO"), colClasses = c("character", "integer"))
rows <- x[rep(seq_len(nrow(x)), x$count), "pattern"]
cap <- as.data.frame(lapply(seq_len(nchar(rows[1])), function(j)
    factor(substr(rows, j, j), levels = c("0", "1"))))
names(cap) <- LETTERS[seq_len(ncol(cap))]
s <- lcmCR(cap, K = 10, seed = 1, buffer_size = 1000, thinning = 100,
           verbose = FALSE)
t <- system.time(N <- lcmCR_PostSampl(s, burnin = 0, samples = 1000,
                                      thinning = 100, output = FALSE))
cat(t[["elapsed"]], median(N), "\n")
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("TOLL_SHARED_DATA"))
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if not a.data:
        sys.exit("set TOLL_SHARED_DATA or pass --data DIR")
    path = os.path.join(a.data, "mse", "kosovo_lists.csv")
    d = toll.mse.read(path)
    best_wall = best_cpu = float("inf")
    for i in range(a.repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        r = d.lcmcr(kstar=10, burnin=0, samples=1000, thin=100, chains=1,
                    seed=i + 1)
        best_wall = min(best_wall, time.perf_counter() - w0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    print(f"toll LCMCR, {ITER:,} iterations, K*=10, 1 chain: "
          f"{best_wall:.3f} s wall, {best_cpu:.3f} s CPU (best of "
          f"{a.repeat}); last median {r.median:,.0f}")
    rscript = shutil.which("Rscript")
    if not rscript:
        print("R LCMCR: Rscript is not installed")
        return
    ok = subprocess.run([rscript, "-e", "library(LCMCR)"],
                        capture_output=True).returncode == 0
    if not ok:
        print("R LCMCR: the LCMCR package is not installed")
        return
    out = subprocess.run([rscript, "-e", R_SCRIPT], capture_output=True,
                         text=True, env={**os.environ, "KOSOVO": path})
    if out.returncode != 0:
        print("R LCMCR failed:", out.stderr.strip()[-300:])
        return
    secs, med = out.stdout.split()
    print(f"R LCMCR, {ITER:,} iterations, K=10: {float(secs):.3f} s "
          f"elapsed; median {float(med):,.0f}")


if __name__ == "__main__":
    main()
