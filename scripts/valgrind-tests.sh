#!/usr/bin/env bash
# Run every Check suite of a (non-sanitized) build under valgrind memcheck.
# Fails on any error or leak.  Usage: scripts/valgrind-tests.sh BUILD_DIR
set -euo pipefail
build=${1:-build}
status=0
for t in "$build"/test_*; do
  [ -x "$t" ] || continue
  # test_numfmt compares its formatter with snprintf on random values:
  # fewer of them under valgrind (the sanitizer and plain runs do 300,000)
  # test_complexity times loads of several MiB: under valgrind it loads each
  # shape once at a small size, for memcheck only (TOLL_COMPLEXITY_QUICK)
  # test_stream leaves its comparisons on the real files to the plain and
  # sanitizer runs (TOLL_STREAM_QUICK)
  if ! CK_FORK=no TOLL_NUMFMT_N=3000 TOLL_COMPLEXITY_QUICK=1 TOLL_STREAM_QUICK=1 valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect "$t" >/tmp/valgrind.$$ 2>&1; then
    echo "valgrind: $(basename "$t") FAILED"; tail -40 /tmp/valgrind.$$; status=1
  else
    echo "valgrind: $(basename "$t") clean"
  fi
done
rm -f /tmp/valgrind.$$
exit $status
