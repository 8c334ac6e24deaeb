#!/bin/sh
# scripts/fuzz-smoke.sh - build the libFuzzer harnesses (tests/fuzz/fuzz_*.c)
# with clang and run each for a short while (CI smoke test).
#
#   scripts/fuzz-smoke.sh [SECONDS]      default 30 seconds per harness
#
# Environment: FUZZ_BUILD (default build-fuzz), FUZZ_JOBS (harnesses run
# at once, default 2), CC (default clang), FUZZ_HARNESSES (default: all).
# Each harness starts from its committed seed corpus tests/fuzz/corpus/NAME
# (which also holds the inputs of every crash found so far) and writes new
# inputs to a scratch directory, so the committed corpus is not modified.
# A crash, leak, timeout or sanitizer report fails the run; the input is
# saved as $FUZZ_BUILD/smoke/NAME-crash-* and the log is printed.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SECS=${1:-30}
BUILD=${FUZZ_BUILD:-$ROOT/build-fuzz}
JOBS=${FUZZ_JOBS:-2}
CC=${CC:-clang}
case $CC in *clang*) ;; *) CC=clang ;; esac

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz-smoke: $CC not found (apt-get install clang libclang-rt-dev)" >&2
    exit 2
fi

CC=$CC cmake -S "$ROOT" -B "$BUILD" -DTOLL_FUZZ=ON -DTOLL_BUILD_TESTS=OFF \
    -DTOLL_BUILD_CLI=OFF -DTOLL_BUILD_SHARED=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null || exit 2
cmake --build "$BUILD" -j"$JOBS" >"$BUILD/build.log" 2>&1 || {
    tail -n 40 "$BUILD/build.log" >&2
    echo "fuzz-smoke: build failed" >&2
    exit 2
}

HARNESSES=${FUZZ_HARNESSES:-$(cd "$ROOT/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')}
OUT=$BUILD/smoke
rm -rf "$OUT"
mkdir -p "$OUT"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}

run_one() {
    h=$1
    mkdir -p "$OUT/$h.corpus"
    "$BUILD/$h" -max_total_time="$SECS" -timeout=60 -rss_limit_mb=2560 \
        -max_len=8192 -print_final_stats=1 -artifact_prefix="$OUT/$h-" \
        "$OUT/$h.corpus" "$ROOT/tests/fuzz/corpus/$h" >"$OUT/$h.log" 2>&1
    echo $? >"$OUT/$h.rc"
}

running=0
for h in $HARNESSES; do
    if [ ! -x "$BUILD/$h" ]; then
        echo "fuzz-smoke: $BUILD/$h was not built" >&2
        echo 2 >"$OUT/$h.rc"
        continue
    fi
    run_one "$h" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
        wait
        running=0
    fi
done
wait

failed=0
for h in $HARNESSES; do
    rc=$(cat "$OUT/$h.rc" 2>/dev/null || echo 2)
    stats=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$OUT/$h.log" | tail -n 1 |
        sed 's/^#\([0-9]*\).*cov: \([0-9]*\) ft: \([0-9]*\).*/execs \1 cov \2 ft \3/')
    if [ "$rc" -eq 0 ]; then
        echo "fuzz-smoke: ok   $h ($stats)"
    else
        failed=$((failed + 1))
        echo "fuzz-smoke: FAIL $h (exit $rc)"
        tail -n 60 "$OUT/$h.log"
    fi
done
[ "$failed" -eq 0 ]
