#!/bin/sh
# tests/cli/test_imports.sh - the CLI side of the importers: --preset,
# --where, --min-data-grade, --repair, --encoding, --date-format
# (docs/importers.md).
#
#   sh tests/cli/test_imports.sh path/to/toll path/to/repo
#
# Uses the committed fixtures (data/ucdp, tests/data) only.  Prints
# "N passed, N failed" and exits non-zero if any check failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 TOLL_BINARY REPO_ROOT" >&2
    exit 2
fi
TOLL=$1
ROOT=$2
case $TOLL in /*) ;; *) TOLL=$(pwd)/$TOLL ;; esac
case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
GED=$ROOT/data/ucdp/ged241_myanmar_sample.csv
FIX=$ROOT/tests/data

TMP=$(mktemp -d "${TMPDIR:-/tmp}/toll-imports.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 2' INT TERM

. "$ROOT/tests/cli/lib.sh"

# --- UCDP GED: dyad-years of state-based violence, repairs on stderr
run "$TOLL" summarize "$GED" --preset ucdp-ged --by dyad_dset_id,period:year \
    --where type_of_violence=1 --format csv
expect_rc "ucdp: exit 0" 0
expect_line "ucdp: header names the kept field" "$TMP/out" \
    "dyad_dset_id,period,incidents,reports,low,best,high,open,denied,contested"
expect_line "ucdp: 428/1991 equals the published row" "$TMP/out" \
    "428,1991,15,15,497,552,672,0,0,0"
expect_line "ucdp: 428/1989 widened by a repair" "$TMP/out" \
    "428,1989,26,26,538,1304,1916,0,0,0"
expect_not "ucdp: type 3 filtered out" "$TMP/out" "144,"
expect_has "ucdp: repairs listed" "$TMP/err" \
    "ged241_myanmar_sample.csv:103: field 'killed': low 0, best 3, high 0: out of order; range widened to low 0, high 3 (best 3 kept)"
expect_line "ucdp: repairs counted" "$TMP/err" \
    "toll: 4 figure(s) or region(s) repaired"

run "$TOLL" summarize "$GED" --preset ucdp-ged --by type_of_violence \
    --where type_of_violence=1 --where type_of_violence=3 \
    --where active_year=true --format csv
expect_rc "where: exit 0" 0
expect_line "where: OR within a field, AND across" "$TMP/out" \
    "3,14,14,108,132,213,0,0,0"

run "$TOLL" summarize "$GED" --preset ucdp-ged --no-repair
expect_rc "no-repair: bad data" 1
expect_has "no-repair: names the row" "$TMP/err" \
    "ged241_myanmar_sample.csv:103: field 'best': best 3 is outside [0, 0]"

run "$TOLL" summarize "$GED" --preset gdelt
expect_rc "unknown preset: usage error" 2
expect_has "unknown preset: lists the presets" "$TMP/err" "ucdp-ged"

run "$TOLL" summarize "$GED" --preset ucdp-ged --by dyad_id
expect_rc "unknown kept field: usage error" 2
expect_has "unknown kept field: lists the kept fields" "$TMP/err" \
    "nor a kept field of the reports (kept fields: relid, year"

# --- Airwars: data grades
run "$TOLL" summarize "$FIX/airwars_sample.csv" --preset airwars --by data_grade \
    --format csv
expect_rc "airwars: exit 0" 0
expect_line "airwars: strongest grade first" "$TMP/out" \
    "data_grade,incidents,reports,low,best,high,open,denied,contested"
run "$TOLL" summarize "$FIX/airwars_sample.csv" --preset airwars --by actor \
    --min-data-grade fair --attribution split --format csv
expect_line "airwars: split Fair+Confirmed" "$TMP/out" \
    "Russian Military,2,2,15,33,51,0,0,0"

# --- IBC: Latin-1, CR line ends, 20-Mar-03, lenient
run "$TOLL" incidents "$FIX/ibc_sample.csv" --preset ibc --lenient --format csv
expect_rc "ibc: exit 0" 0
expect_has "ibc: Min > Max rejected" "$TMP/err" \
    "ibc_sample.csv:4: field 'Min': low 7 is greater than high 0"
expect_has "ibc: dates read" "$TMP/out" "2003-03-20,2003-04-09"

# --- encoding and date format without a preset
printf 'source,date,killed,note\r\nS,20-Mar-03,3,caf\351\r\n' >"$TMP/l1.csv"
run "$TOLL" incidents "$TMP/l1.csv" --encoding latin-1 --date-format '%d-%b-%y' \
    --format csv
expect_rc "encoding + date format: exit 0" 0
expect_has "date format applied" "$TMP/out" "2003-03-20"

# --- compressed input: gzip and a ZIP holding one file, as the plain file
run "$TOLL" summarize "$FIX/acled_sample.csv" --preset acled --by actor --format csv
cp "$TMP/out" "$TMP/plain.csv"
run "$TOLL" summarize "$FIX/compressed/acled.csv.gz" --preset acled --by actor \
    --format csv
expect_rc "gzip: exit 0" 0
if cmp -s "$TMP/out" "$TMP/plain.csv"; then ok "gzip: same table as the plain file"
else bad "gzip: same table as the plain file" "$(show "$TMP/out")"; fi
run "$TOLL" summarize "$FIX/compressed/acled.zip" --preset acled --by actor \
    --format csv
expect_rc "zip: exit 0" 0
if cmp -s "$TMP/out" "$TMP/plain.csv"; then ok "zip: same table as the plain file"
else bad "zip: same table as the plain file" "$(show "$TMP/out")"; fi
run "$TOLL" summarize "$FIX/compressed/two.zip"
expect_rc "zip of two data files: exit 1" 1
expect_has "zip of two data files: named" "$TMP/err" \
    "the ZIP archive holds 2 data files (a.csv, b.jsonl)"
printf 'PAR1\025\004' >"$TMP/x.parquet"
run "$TOLL" summarize "$TMP/x.parquet"
expect_has "parquet: named, not misread" "$TMP/err" \
    "x.parquet: this is a Parquet file, not CSV or JSON"

# --- progress: no bar when stderr is not a terminal; --no-progress taken
run "$TOLL" summarize "$FIX/acled_sample.csv" --preset acled --no-progress
expect_rc "--no-progress: exit 0" 0
run "$TOLL" summarize "$FIX/acled_sample.csv" --preset acled
expect_not "no bar on a pipe" "$TMP/err" "toll: reading"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
