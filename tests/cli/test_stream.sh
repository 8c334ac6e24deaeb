#!/bin/sh
# tests/cli/test_stream.sh - `toll summarize --stream` against the default
# mode: the same exit status, stdout and stderr (error and warning lines
# naming file, line and field; rejects; repairs) for the example reports
# and for every file of the catalogue of bad input (tests/catalogue), read
# after tests/catalogue/good.jsonl, strict and lenient.
#
#   sh tests/cli/test_stream.sh path/to/toll path/to/repo
#
# Prints "N passed, N failed"; exits non-zero if any check failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 TOLL_BINARY REPO_ROOT" >&2
    exit 2
fi
TOLL=$1
ROOT=$2
CAT=$ROOT/tests/catalogue
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM
pass=0
fail=0

# same NAME ARGS...: toll summarize ARGS with and without --stream agree.
same() {
    name=$1
    shift
    "$TOLL" summarize "$@" >"$TMP/a.out" 2>"$TMP/a.err"
    ra=$?
    "$TOLL" summarize --stream "$@" >"$TMP/b.out" 2>"$TMP/b.err"
    rb=$?
    if [ $ra -eq $rb ] && cmp -s "$TMP/a.out" "$TMP/b.out" &&
        cmp -s "$TMP/a.err" "$TMP/b.err"; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        echo "FAIL: $name (exit $ra vs $rb)"
        diff "$TMP/a.out" "$TMP/b.out" | head -5
        diff "$TMP/a.err" "$TMP/b.err" | head -5
    fi
}

EX=$ROOT/data/seeds.jsonl
for by in "actor,period:month" "region:1,period:year" "category,grade" ""; do
    same "example --by '$by'" "$EX" --by "$by"
    same "example --by '$by' split prorate" "$EX" --by "$by" \
        --attribution split --span prorate
    same "example --by '$by' conservative include" "$EX" --by "$by" \
        --policy conservative --self-reports include
done
# standard input ('-'), read in chunks as a file is
"$TOLL" summarize "$EX" --by actor >"$TMP/a.out" 2>&1
"$TOLL" summarize --stream - --by actor <"$EX" >"$TMP/b.out" 2>&1
if cmp -s "$TMP/a.out" "$TMP/b.out"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL: --stream - (standard input) differs"
fi

for f in "$CAT"/*.jsonl "$CAT"/*.csv "$CAT"/*.json; do
    [ -f "$f" ] || continue
    case $f in "$CAT/good.jsonl") continue ;; esac
    same "$(basename "$f") strict" "$CAT/good.jsonl" "$f" --by '' \
        --format csv
    same "$(basename "$f") lenient" "$CAT/good.jsonl" "$f" --by '' \
        --format csv --lenient
done

# what one pass cannot do: refused, naming the option, exit 2
"$TOLL" summarize --stream "$EX" --link rule >/dev/null 2>"$TMP/err"
r=$?
if [ $r -ne 0 ] && grep -q "field 'link'" "$TMP/err"; then
    pass=$((pass + 1))
else
    fail=$((fail + 1))
    echo "FAIL: --stream --link rule is refused naming link (exit $r)"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
