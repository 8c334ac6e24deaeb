#!/usr/bin/env python3
"""Execute every notebook in a folder with nbclient; fail on the first error.

Cells assert their key figures, so a notebook that breaks fails CI.
A notebook whose metadata lists environment variables under
"toll": {"requires_env": [...]} (04-sudan-mse.ipynb: TOLL_SHARED_DATA, the
shared datasets directory) is skipped, with a line saying why, when one of
them is unset.  A notebook that picks a matplotlib backend
(matplotlib.use) fails: its plots would not show for the reader, and the
kernel's inline backend needs no display in CI.
Usage: scripts/run-notebooks.py notebooks [--timeout 900] [--inplace]
"""
import argparse
import os
import pathlib
import sys
import time

import nbformat
from nbclient import NotebookClient

# What the variables a notebook may require stand for.
WHAT = {"TOLL_SHARED_DATA": "the shared datasets directory"}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--timeout", type=int, default=900)
    ap.add_argument("--inplace", action="store_true",
                    help="write the executed notebooks (with outputs) back")
    args = ap.parse_args()
    books = sorted(pathlib.Path(args.folder).glob("*.ipynb"))
    if not books:
        print(f"run-notebooks: no notebooks in {args.folder}", file=sys.stderr)
        return 1
    ran = skipped = 0
    for path in books:
        t0 = time.time()
        nb = nbformat.read(path, as_version=4)
        for i, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and "matplotlib.use(" in cell.source:
                print(f"run-notebooks: {path} cell {i + 1} calls "
                      "matplotlib.use(): its plots would not show",
                      file=sys.stderr)
                return 1
        unset = [v for v in nb.metadata.get("toll", {}).get("requires_env", [])
                 if not os.environ.get(v)]
        if unset:
            why = "; ".join(f"set {v} to {WHAT.get(v, 'its value')}"
                            for v in unset)
            print(f"run-notebooks: {path} skipped: {why}")
            skipped += 1
            continue
        client = NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                                resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute()
        except Exception as exc:  # nbclient raises CellExecutionError & co.
            print(f"run-notebooks: {path} FAILED\n{exc}", file=sys.stderr)
            return 1
        if args.inplace:
            nbformat.write(nb, path)
        print(f"run-notebooks: {path} ok ({time.time() - t0:.1f} s)")
        ran += 1
    print(f"{ran} passed, {skipped} skipped, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
