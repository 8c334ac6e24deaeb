#!/bin/sh
# tests/cli/test_link_command.sh - shell test of `toll link` and of the
# probabilistic linker's options on `toll incidents` and `toll summarize`.
#
#   sh tests/cli/test_link_command.sh path/to/toll path/to/repo
#
# Runs the CLI on the small two-source inputs in tests/data/link/ (a
# monitor's and a news agency's reports of some of the same strikes) and
# checks exit statuses, the wording of errors, the columns of every output
# format, --pairs / --review, and the model and label files.  Prints "N
# passed, N failed" and exits non-zero if any check failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 TOLL_BINARY REPO_ROOT" >&2
    exit 2
fi
TOLL=$1
ROOT=$2
case $TOLL in /*) ;; *) TOLL=$(pwd)/$TOLL ;; esac
case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
DATA=$ROOT/tests/data/link
# the inputs by their names in $DATA (the current directory below), so that
# reports are "monitor.csv:2" as the labels name them
IN="monitor.csv news.csv"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/toll-cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 2' INT TERM
unset TOLL_EXAMPLE

. "$ROOT/tests/cli/lib.sh"

# expect_rows NAME FILE N: FILE (CSV with a header) has N data rows
expect_rows() {
    n=$(($(wc -l <"$2") - 1))
    if [ "$n" -eq "$3" ]; then ok "$1"
    else bad "$1" "$n rows, expected $3: $(show "$2")"; fi
}
# csv_col FILE NAME: the values of column NAME of a simple CSV (no quotes)
csv_col() {
    awk -F, -v name="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
                          { print $c }' "$1"
}
# incident_of FILE REPORT: the incident assigned to REPORT (FILE:LINE)
incident_of() {
    awk -F, -v r="$2" 'NR > 1 && $1 == r { print $4 }' "$1"
}

cd "$DATA" || exit 2

PAIRS_HEADER=report_a,report_b,id_a,id_b,source_a,source_b,date,date_weight,distance,distance_weight,place,place_weight,region,region_weight,actors,actors_weight,figures,figures_weight,source,source_weight,prior_weight,weight,match_probability,decision

# ---- help ---------------------------------------------------------------------
run "$TOLL" link --help
expect_rc "link --help exits 0" 0
expect_has "link --help shows its usage" "$TMP/out" "usage: toll link [FILE...]"
for opt in --link-window --link-upper --link-lower --link-same-source \
    --link-max-span --link-model --link-names --link-labels --seed \
    --write-model --pairs --review --format --preset; do
    expect_has "link --help explains $opt" "$TMP/out" "  $opt"
done
run "$TOLL" help link
expect_rc "help link exits 0" 0
expect_has "help link shows its usage" "$TMP/out" "usage: toll link [FILE...]"
run "$TOLL" --help
expect_has "toll --help lists link" "$TMP/out" "  link [FILE...]"
for cmd in incidents summarize; do
    run "$TOLL" $cmd --help
    for opt in "--link MODE" --link-window --link-model --link-labels; do
        expect_has "$cmd --help explains $opt" "$TMP/out" "  $opt"
    done
    expect_has "$cmd --help names the rule" "$TMP/out" "rule: link unkeyed"
done

# ---- the assignments, in every format --------------------------------------
run "$TOLL" link $IN --format csv
expect_rc "link exits 0" 0
expect_first "link csv: the assignments' columns" "$TMP/out" \
    "report,id,source,incident,match_probability,status"
expect_rows "link csv: one row per report" "$TMP/out" 12
expect_has "link csv: a report as FILE:LINE, its id and source" "$TMP/out" \
    "monitor.csv:2,m-1,Monitor,"
csv_col "$TMP/out" status | sort -u >"$TMP/status"
if grep -vxE 'linked|single|review' "$TMP/status" >/dev/null; then
    bad "link csv: status is linked, single or review" "$(show "$TMP/status")"
else ok "link csv: status is linked, single or review"; fi
cp "$TMP/out" "$TMP/fitted.csv"

run "$TOLL" link $IN --format json
expect_rc "link json exits 0" 0
if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if len(d) == 12 and "incident" in d[0] else 1)' "$TMP/out" 2>/dev/null; then
    ok "link json: 12 objects with an incident"
else bad "link json: 12 objects with an incident" "$(show "$TMP/out")"; fi

run "$TOLL" link $IN --format md
expect_rc "link md exits 0" 0
expect_has "link md: a markdown header" "$TMP/out" "| match_probability | status |"

run "$TOLL" link $IN
expect_rc "link text exits 0" 0
expect_has "link text: the report column" "$TMP/out" "monitor.csv:2"
expect_has "link text: the status column" "$TMP/out" "status"

# ---- a model used as given ----------------------------------------------------
run "$TOLL" link $IN --link-model "$DATA/model.json" --format csv
expect_rc "--link-model exits 0" 0
a=$(incident_of "$TMP/out" monitor.csv:2)
b=$(incident_of "$TMP/out" news.csv:2)
if [ -n "$a" ] && [ "$a" = "$b" ]; then ok "--link-model: the same strike is one incident"
else bad "--link-model: the same strike is one incident" "'$a' vs '$b'"; fi
a=$(incident_of "$TMP/out" monitor.csv:4)
b=$(incident_of "$TMP/out" news.csv:4)
if [ "$a" != "$b" ]; then ok "--link-model: different strikes stay apart"
else bad "--link-model: different strikes stay apart" "both '$a'"; fi
expect_has "--link-model: a linked report" "$TMP/out" ",linked"
cp "$TMP/out" "$TMP/given.csv"

run "$TOLL" link $IN --write-model "$TMP/m.json" --format csv
expect_rc "--write-model exits 0" 0
if python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); sys.exit(0 if d["toll_link_model"] == 1 and "date" in d["comparisons"] else 1)' "$TMP/m.json" 2>/dev/null; then
    ok "--write-model writes a JSON model"
else bad "--write-model writes a JSON model" "$(show "$TMP/m.json")"; fi
run "$TOLL" link $IN --link-model "$TMP/m.json" --format csv
expect_rc "the written model reads back" 0
if cmp -s "$TMP/out" "$TMP/fitted.csv"; then ok "the written model links as the fitted one"
else bad "the written model links as the fitted one" "$(show "$TMP/out")"; fi
run "$TOLL" link $IN --write-model "$TMP/no/such/dir/m.json"
expect_rc "--write-model to a bad path exits 1" 1
expect_has "naming the file" "$TMP/err" "$TMP/no/such/dir/m.json"

run "$TOLL" link $IN --link-model "$DATA/bad-model.json"
expect_rc "a bad model file exits 1" 1
expect_has "naming the file" "$TMP/err" "bad-model.json"
expect_has "and the comparison" "$TMP/err" "weather"
run "$TOLL" link $IN --link-model "$TMP/missing.json"
expect_rc "a missing model file exits 1" 1
expect_has "naming it" "$TMP/err" "missing.json"

# ---- the pairs ------------------------------------------------------------------
run "$TOLL" link $IN --link-model "$DATA/model.json" --pairs --format csv
expect_rc "--pairs exits 0" 0
expect_first "--pairs csv: levels and weights of every comparison" "$TMP/out" \
    "$PAIRS_HEADER"
csv_col "$TMP/out" decision | sort -u >"$TMP/dec"
expect_line "--pairs: a merged pair" "$TMP/dec" "merged"
cp "$TMP/out" "$TMP/pairs.csv"

run "$TOLL" link $IN --link-model "$DATA/model.json" --pairs
expect_rc "--pairs text exits 0" 0
expect_has "--pairs text: a waterfall per pair" "$TMP/out" \
    "  comparison  level            weight    total"
expect_has "--pairs text: the date line" "$TMP/out" "  date        "
expect_has "--pairs text: the prior line" "$TMP/out" "  prior       "
expect_has "--pairs text: the probability and decision" "$TMP/out" \
    "  match probability "
expect_has "--pairs text: the pair" "$TMP/out" "monitor.csv:2 ~ news.csv:2"
n=$(grep -c '^  prior ' "$TMP/out")
expect_rows_n=$(($(wc -l <"$TMP/pairs.csv") - 1))
if [ "$n" -eq "$expect_rows_n" ]; then ok "--pairs text: one waterfall per pair"
else bad "--pairs text: one waterfall per pair" "$n vs $expect_rows_n"; fi

run "$TOLL" link $IN --link-model "$DATA/model.json" --pairs --format json
expect_rc "--pairs json exits 0" 0
run "$TOLL" link $IN --link-model "$DATA/model.json" --pairs --format md
expect_rc "--pairs md exits 0" 0

run "$TOLL" link $IN --link-model "$DATA/model.json" --review --format csv \
    --link-lower 0.01 --link-upper 0.999
expect_rc "--review exits 0" 0
expect_first "--review csv: the pairs' columns" "$TMP/out" "$PAIRS_HEADER"
csv_col "$TMP/out" decision | sort -u >"$TMP/dec"
if [ ! -s "$TMP/dec" ] || [ "$(cat "$TMP/dec")" = review ]; then
    ok "--review: only review pairs"
else bad "--review: only review pairs" "$(show "$TMP/dec")"; fi
run "$TOLL" link $IN --review
expect_rc "--review text exits 0" 0

run "$TOLL" link $IN --pairs --review
expect_rc "--pairs with --review exits 2" 2
expect_has "saying so" "$TMP/err" "--pairs and --review exclude each other"

# ---- each linker option ---------------------------------------------------------
for args in "--link-window 0" "--link-window 5" "--link-upper 0.95" \
    "--link-lower 0.2" "--link-same-source allow" "--link-same-source forbid" \
    "--link-max-span 0" "--link-max-span 30" "--seed 7" \
    "--link-names $DATA/names.json" "--link-labels $DATA/labels.csv" \
    "--threads 1"; do
    run "$TOLL" link $IN $args --format csv
    expect_rc "link $args exits 0" 0
    expect_rows "link $args: one row per report" "$TMP/out" 12
done
run "$TOLL" link $IN --seed 7 --format csv
cp "$TMP/out" "$TMP/seed7a"
run "$TOLL" link $IN --seed 7 --format csv
if cmp -s "$TMP/out" "$TMP/seed7a"; then ok "the same seed gives the same result"
else bad "the same seed gives the same result"; fi

run "$TOLL" link $IN --link-window -1
expect_rc "a negative --link-window exits 2" 2
expect_has "naming it" "$TMP/err" "invalid value for --link-window: '-1'"
run "$TOLL" link $IN --link-upper high
expect_rc "a --link-upper that is no number exits 2" 2
expect_has "naming it" "$TMP/err" "invalid value for --link-upper: 'high'"
run "$TOLL" link $IN --link-upper 0.4 --link-lower 0.6
expect_rc "thresholds in the wrong order exit 2" 2
expect_has "the library's message names lower" "$TMP/err" "lower"
expect_has "and upper" "$TMP/err" "upper"
run "$TOLL" link $IN --link-upper 1.5
expect_rc "--link-upper above 1 exits 2" 2
expect_has "naming upper" "$TMP/err" "upper"
run "$TOLL" link $IN --link-same-source maybe
expect_rc "an unknown --link-same-source exits 2" 2
expect_has "naming the value and the choices" "$TMP/err" \
    "invalid value for --link-same-source: 'maybe' (forbid or allow)"
run "$TOLL" link $IN --seed x
expect_rc "a bad --seed exits 2" 2
run "$TOLL" link $IN --link-model "$DATA/model.json" --link-labels "$DATA/labels.csv"
expect_rc "--link-model with --link-labels exits 2" 2
expect_has "saying so" "$TMP/err" "--link-model and --link-labels exclude each other"
run "$TOLL" link $IN --link-days 1
expect_rc "a rule option on link exits 2" 2
expect_has "saying it does not apply" "$TMP/err" "option '--link-days' does not apply to 'link'"
run "$TOLL" link $IN --link-names "$TMP/missing.json"
expect_rc "a missing --link-names file exits 1" 1
expect_has "naming it" "$TMP/err" "missing.json"

printf 'report_a,report_b,match\nmonitor.csv:2,news.csv:99,1\n' >"$TMP/bad-labels.csv"
run "$TOLL" link $IN --link-labels "$TMP/bad-labels.csv"
expect_rc "a label naming no report exits 1" 1
expect_has "naming the file, line, column and text" "$TMP/err" \
    "bad-labels.csv:2: report_b: 'news.csv:99' is not a report"
printf 'report_a,report_b,match\n0,6,maybe\n' >"$TMP/bad-labels.csv"
run "$TOLL" link $IN --link-labels "$TMP/bad-labels.csv"
expect_rc "a bad match value exits 1" 1
expect_has "naming it" "$TMP/err" "bad-labels.csv:2: match: 'maybe' is not 1/0"
printf 'a,b,match\n0,6,1\n' >"$TMP/bad-labels.csv"
run "$TOLL" link $IN --link-labels "$TMP/bad-labels.csv"
expect_rc "labels without report_a exit 1" 1
expect_has "naming the column" "$TMP/err" "bad-labels.csv:1: no column 'report_a'"

# ---- incidents and summarize: --link auto ----------------------------------------
run "$TOLL" incidents $IN --link auto --link-model "$DATA/model.json" --format csv
expect_rc "incidents --link auto --link-model exits 0" 0
run "$TOLL" incidents $IN --format csv
cp "$TMP/out" "$TMP/unlinked.csv"
run "$TOLL" incidents $IN --link auto --link-model "$DATA/model.json" --format csv
linked_rows=$(wc -l <"$TMP/out")
if [ "$linked_rows" -lt "$(wc -l <"$TMP/unlinked.csv")" ]; then
    ok "incidents --link auto: fewer incidents than without linking"
else bad "incidents --link auto: fewer incidents than without linking" "$linked_rows rows"; fi
for cmd in incidents summarize; do
    run "$TOLL" $cmd $IN --link auto
    expect_rc "$cmd --link auto exits 0" 0
    run "$TOLL" $cmd $IN --link auto --link-window 1 --link-upper 0.95 \
        --link-lower 0.3 --link-same-source allow --link-max-span 3 \
        --link-names "$DATA/names.json" --seed 3
    expect_rc "$cmd --link auto with the linker's options exits 0" 0
    run "$TOLL" $cmd $IN --link auto --link-labels "$DATA/labels.csv"
    expect_rc "$cmd --link auto --link-labels exits 0" 0
    run "$TOLL" $cmd $IN --link-model "$DATA/model.json"
    expect_rc "$cmd --link-model without --link auto exits 2" 2
    expect_has "naming both" "$TMP/err" "--link-model needs --link auto"
    run "$TOLL" $cmd $IN --link rule --link-window 3
    expect_rc "$cmd --link rule --link-window exits 2" 2
    expect_has "naming both" "$TMP/err" "--link-window needs --link auto"
    run "$TOLL" $cmd $IN --link auto --link-upper 0.3 --link-lower 0.7
    expect_rc "$cmd: thresholds in the wrong order exit 2" 2
    expect_has "the library's message" "$TMP/err" "lower"
    run "$TOLL" $cmd $IN --link auto --link-same-source sometimes
    expect_rc "$cmd: an unknown --link-same-source exits 2" 2
    run "$TOLL" $cmd $IN --link-max-span 3
    expect_rc "$cmd --link-max-span without a linker exits 2" 2
    expect_has "saying so" "$TMP/err" "--link-max-span needs --link auto or --link rule"
    run "$TOLL" $cmd $IN --link rule --link-max-span 3
    expect_rc "$cmd --link rule --link-max-span exits 0" 0
    run "$TOLL" $cmd $IN --link auto --link-days 1
    expect_rc "$cmd --link auto --link-days exits 2" 2
    expect_has "the rule's options need --link rule" "$TMP/err" "--link rule"
    run "$TOLL" $cmd $IN --link sometimes
    expect_rc "$cmd: an unknown --link exits 2" 2
    expect_has "naming the modes" "$TMP/err" "(none, auto or rule)"
done
run "$TOLL" incidents $IN --seed 3
expect_rc "incidents --seed without --link auto exits 2" 2
expect_has "naming both" "$TMP/err" "--seed needs --link auto"
run "$TOLL" summarize $IN --seed 3
expect_rc "summarize --seed (the simulation's) needs no linker" 0

# ---- mse --from-incidents --link auto --link-thresholds ---------------------------
run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds 0.5,0.7,0.9 --format csv
expect_rc "mse --link-thresholds exits 0" 0
cp "$TMP/out" "$TMP/sens.csv"
expect_first "mse --link-thresholds: threshold first, then observed" "$TMP/sens.csv" \
    "threshold,observed,model,method,n_hat,se,lower,upper,interval,deviance,df,aic,bic,warning"
expect_rows "mse --link-thresholds: one row per threshold" "$TMP/sens.csv" 3
if [ "$(csv_col "$TMP/sens.csv" threshold | tr '\n' ' ')" = "0.5 0.7 0.9 " ]; then
    ok "mse --link-thresholds: the thresholds in the order given"
else bad "mse --link-thresholds: the thresholds in the order given" "$(show "$TMP/sens.csv")"; fi
if csv_col "$TMP/sens.csv" observed | sort -c -n 2>/dev/null; then
    ok "mse --link-thresholds: observed never falls as the threshold rises"
else bad "mse --link-thresholds: observed never falls as the threshold rises" "$(show "$TMP/sens.csv")"; fi
run "$TOLL" mse --from-incidents $IN --link auto --format csv
expect_rc "mse --from-incidents --link auto exits 0" 0
one=$(awk -F, 'NR == 2 { print $3 "," $4 }' "$TMP/out")
last=$(awk -F, 'NR == 4 { print $2 "," $5 }' "$TMP/sens.csv")
if [ -n "$one" ] && [ "$one" = "$last" ]; then
    ok "mse --link-thresholds: at 0.9 (the linker's default) as --link auto alone"
else bad "mse --link-thresholds: at 0.9 (the linker's default) as --link auto alone" "$one vs $last"; fi
run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds 0.6,0.8 --search aic --format csv
expect_rc "mse --link-thresholds --search exits 0" 0
expect_has "mse --link-thresholds --search gives the model average" "$TMP/out" "model average"
run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds 0.5 --model "Monitor*News_Agency" --format csv
expect_rc "mse --link-thresholds: a model that cannot be fitted keeps its row" 0
expect_has "mse --link-thresholds: the row says why, with no figures" "$TMP/out" \
    "0.5,7,Monitor + News_Agency + Monitor*News_Agency,loglinear,,,,,,,,,,\"model Monitor + News_Agency + Monitor*News_Agency is saturated"
for bad_t in 0 1 1.5 -0.2 abc 0.5,,0.7; do
    run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds "$bad_t"
    expect_rc "mse --link-thresholds $bad_t exits 2" 2
    expect_has "mse --link-thresholds $bad_t: named, with the rule" "$TMP/err" \
        "invalid value for --link-thresholds: '"
done
run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds 0.7,0.5,0.7
expect_rc "mse --link-thresholds repeated exits 2" 2
expect_has "mse --link-thresholds: a repeated threshold is named" "$TMP/err" "'0.7' is given twice"
run "$TOLL" mse --from-incidents $IN --link-thresholds 0.7
expect_rc "mse --link-thresholds without --link auto exits 2" 2
expect_has "mse --link-thresholds needs --link auto" "$TMP/err" "needs --from-incidents --link auto"
run "$TOLL" mse --from-incidents $IN --link auto --link-thresholds 0.7 --stratum x
expect_rc "mse --link-thresholds --stratum exits 2" 2
run "$TOLL" mse monitor.csv --link auto
expect_rc "mse --link without --from-incidents exits 2" 2
run "$TOLL" mse --from-incidents $IN --link auto --link-model "$DATA/model.json" --link-thresholds 0.5,0.9 --format csv
expect_rc "mse --link-thresholds --link-model exits 0" 0
expect_rows "mse --link-thresholds --link-model: one row per threshold" "$TMP/out" 2
run "$TOLL" mse --from-incidents $IN --link auto --link-model missing.json --link-thresholds 0.5
expect_rc "mse --link-model: a missing model file exits 1" 1
run "$TOLL" mse --from-incidents $IN --link auto --link-upper 0.8 --link-thresholds 0.5
expect_rc "mse --link-upper with --link-thresholds exits 2" 2
expect_has "mse: --link-upper and --link-thresholds named" "$TMP/err" \
    "--link-upper does not combine with --link-thresholds"
run "$TOLL" mse --from-incidents $IN --link-window 3
expect_rc "mse --link-window without --link auto exits 2" 2
expect_has "mse: the linker's options need --link auto" "$TMP/err" "--link-window needs --link auto"

printf '\n%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
