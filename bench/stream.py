#!/usr/bin/env python3
"""The one-pass summary (`toll summarize --stream`) against the default
mode: wall time and peak RSS of the whole process (GNU time, /usr/bin/time),
and whether the tables agree byte for byte.

    python bench/stream.py --toll BUILD/toll [--sizes 1e6,1e7] [--runs 3]
                           [--out bench/out] [--big 1e8]

For each size the bench generator's CSV (bench/gen.py, made when missing)
is summarized by actor, region and month, once per run in each mode; the
medians are printed as a table.  --big N generates N reports on the fly,
in blocks of 10^7 with incidents of their own (bench/gen.py's generator),
and pipes them as CSV into `toll summarize --stream -` (the file would be
about 7.5 GB at 10^8): its wall time (generation included: the pipe runs
at the pace of the slower side) and toll's peak RSS.  With --big-from M
the input is instead the size-M CSV replicated (each copy's incident keys
prefixed, so its incidents are its own), at the pace of a file read.
"""
import argparse
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

BY = "actor,region,period:month"
BLOCK = 10_000_000


def run(cmd, stdin=None, feed=None):
    """Run cmd; returns (wall s, peak RSS MB, exit status, stdout digest).
    feed(pipe): writes stdin on a thread, when given.  The peak RSS is
    GNU time's (%M) of cmd alone: a child forked from this process would
    count this process's pages until its exec."""
    fd, rss_file = tempfile.mkstemp(suffix=".time")
    os.close(fd)
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rss_file, *cmd]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE if feed else stdin,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    h = hashlib.sha256()
    writer = None
    if feed:
        writer = threading.Thread(target=feed, args=(p.stdin,))
        writer.start()
    for block in iter(lambda: p.stdout.read(1 << 16), b""):
        h.update(block)
    rc = p.wait()
    wall = time.perf_counter() - t0
    if writer:
        writer.join()
    with open(rss_file, encoding="utf-8") as f:
        kb = [line for line in f.read().split("\n") if line.strip()][-1]
    os.unlink(rss_file)
    return wall, int(kb) / 1024.0, rc, h.hexdigest()


def feed_generated(n, seed):
    """A writer of n generated reports as CSV (blocks of BLOCK reports,
    each with incidents of its own)."""
    def feed(pipe):
        try:
            pipe.write((gen.CSV_HEADER + "\n").encode())
            t = gen._Tables()
            done = first_inc = 0
            while done < n:
                m = min(BLOCK, n - done)
                d = gen.generate(m, seed + done)
                d["inc"] = d["inc"] + first_inc
                first_inc += d["incidents"]
                cols = [c for c in d if hasattr(d[c], "shape")]
                for s in range(0, m, gen.CHUNK):
                    chunk = {c: d[c][s:s + gen.CHUNK] for c in cols}
                    pipe.write(("\n".join(gen._lines_csv(t, chunk).tolist())
                                + "\n").encode())
                done += m
        except BrokenPipeError:
            pass
        finally:
            try:
                pipe.close()
            except BrokenPipeError:
                pass
    return feed


def feed_replicated(path, copies):
    """A writer of the reports of CSV file `path`, `copies` times over,
    the incident keys of copy k prefixed with "bK-" (incidents of their
    own): a large input at the pace of a file read, not of the generator."""
    def feed(pipe):
        try:
            with open(path, "rb") as f:
                header = f.readline()
                body = f.tell()
                pipe.write(header)
                for k in range(copies):
                    f.seek(body)
                    pre = b"\nb%d-" % k
                    rest = b""
                    for block in iter(lambda: f.read(1 << 22), b""):
                        block = rest + block
                        cut = block.rfind(b"\n") + 1
                        block, rest = block[:cut], block[cut:]
                        if block:  # whole lines: prefix each
                            pipe.write(pre[1:] +
                                       block[:-1].replace(b"\n", pre) +
                                       b"\n")
                    if rest:
                        pipe.write(pre[1:] + rest)
        except BrokenPipeError:
            pass
        finally:
            try:
                pipe.close()
            except BrokenPipeError:
                pass
    return feed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--toll", required=True, help="the toll executable")
    ap.add_argument("--sizes", default="1e6,1e7")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=gen.DEFAULT_OUT)
    ap.add_argument("--big", help="reports generated on the fly (1e8)")
    ap.add_argument("--big-from", help="instead of generating --big: the "
                    "bench CSV of this size (1e7) replicated up to --big "
                    "reports, each copy with incidents of its own")
    a = ap.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| reports | mode | time s | peak RSS MB | rows agree |")
    print("|---|---|---|---|---|")
    for size in filter(None, a.sizes.split(",")):
        n = gen.parse_size(size)
        path = gen.paths(n, a.out)["csv"]
        if not gen.up_to_date(n, gen.DEFAULT_SEED, a.out) and \
                not os.path.exists(path):
            # the CSV alone, as bench/gen.py writes it (the same generator
            # and seed; up to 10^7 reports it is byte for byte its file)
            os.makedirs(a.out, exist_ok=True)
            with open(path + ".tmp", "wb") as f:
                feed_generated(n, gen.DEFAULT_SEED)(f)
            os.replace(path + ".tmp", path)
        res = {}
        for mode, extra in (("default", []), ("--stream", ["--stream"])):
            runs = [run([a.toll, "summarize", path, "--by", BY, "--format",
                         "csv", *extra]) for _ in range(a.runs)]
            if any(r[2] for r in runs):
                sys.exit(f"toll failed ({mode}, {size})")
            res[mode] = runs
        agree = res["default"][0][3] == res["--stream"][0][3]
        for mode, runs in res.items():
            print(f"| {n:,} | {mode} | "
                  f"{statistics.median(r[0] for r in runs):.2f} | "
                  f"{statistics.median(r[1] for r in runs):,.0f} | "
                  f"{'yes' if agree else 'NO'} |", flush=True)
    if a.big:
        n = gen.parse_size(a.big)
        if a.big_from:
            m = gen.parse_size(a.big_from)
            feed = feed_replicated(gen.paths(m, a.out)["csv"], n // m)
            how = f"{n // m} copies of the {m:,}, piped"
        else:
            feed = feed_generated(n, gen.DEFAULT_SEED)
            how = "generated, piped"
        wall, rss, rc, _ = run([a.toll, "summarize", "--stream", "-",
                                "--by", BY, "--format", "csv"], feed=feed)
        if rc:
            sys.exit(f"toll failed on {n:,} reports (exit {rc})")
        print(f"| {n:,} ({how}) | --stream | {wall:.1f} | {rss:,.0f} | - |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
