#!/usr/bin/env bash
# Install what toll needs on a fresh Debian machine: the C libraries and
# tools from Debian's packages, and the Python packages for tests and
# notebooks from PyPI.  Safe to run again: it installs only what is missing.
#   scripts/install-deps.sh          C and Python dependencies
#   scripts/install-deps.sh --c-only only the Debian packages
set -euo pipefail

APT_PKGS=(build-essential pkg-config cmake libcjson-dev libgsl-dev libcsv-dev zlib1g-dev
          libutf8proc-dev
          check valgrind clang libclang-rt-14-dev)

missing=()
for p in "${APT_PKGS[@]}"; do
  # cmake may come from pip instead of Debian; accept any cmake on PATH.
  if [ "$p" = cmake ] && command -v cmake >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ "${1:-}" = "--c-only" ]; then exit 0; fi

PY=${PYTHON:-python3}
if ! "$PY" -c "import pytest, pandas, matplotlib, nbclient, ipykernel, nbformat, numpy, statsmodels, dask.dataframe, pyarrow, polars, duckdb, openpyxl, tqdm" >/dev/null 2>&1; then
  echo "install-deps: pip install -r requirements-dev.txt"
  "$PY" -m pip install -q -r "$(dirname "$0")/../requirements-dev.txt"
fi
