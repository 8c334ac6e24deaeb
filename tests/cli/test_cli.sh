#!/bin/sh
# tests/cli/test_cli.sh - shell test of the `toll` command-line tool.
#
#   sh tests/cli/test_cli.sh path/to/toll path/to/repo
#
# Runs the CLI on the bundled example (data/seeds.jsonl) and on small files
# written to a temporary directory, and checks exit statuses, the exact
# wording of errors, and key lines of the output.  Prints "N passed, N
# failed" and exits non-zero if any check failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 TOLL_BINARY REPO_ROOT" >&2
    exit 2
fi
TOLL=$1
ROOT=$2
case $TOLL in /*) ;; *) TOLL=$(pwd)/$TOLL ;; esac
case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
SEEDS=$ROOT/data/seeds.jsonl

TMP=$(mktemp -d "${TMPDIR:-/tmp}/toll-cli.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 2' INT TERM
unset TOLL_EXAMPLE

. "$ROOT/tests/cli/lib.sh"

HEADER=actor,period,incidents,reports,low,best,high,open,denied,contested

# ---- help, version, usage errors -------------------------------------------
run "$TOLL" --help
expect_rc "--help exits 0" 0
expect_has "--help shows the usage line" "$TMP/out" "usage: toll <command> [options]"
expect_has "--help lists summarize" "$TMP/out" "summarize [FILE...]"

run "$TOLL" help
expect_rc "help exits 0" 0
expect_has "help shows the usage line" "$TMP/out" "usage: toll <command> [options]"

run "$TOLL" help summarize
expect_rc "help summarize exits 0" 0
expect_has "help summarize shows --by" "$TMP/out" "--by KEYS"

for cmd in summarize incidents parse mse; do
    run "$TOLL" $cmd --help
    expect_rc "$cmd --help exits 0" 0
    expect_has "$cmd --help shows its usage" "$TMP/out" "usage: toll $cmd"
done

run "$TOLL" --version
expect_rc "--version exits 0" 0
expect_same "--version prints the version" "$TMP/out" "toll 0.2.0"

run "$TOLL"
expect_rc "no command exits 2" 2

run "$TOLL" frobnicate
expect_rc "unknown command exits 2" 2
expect_same "unknown command is named" "$TMP/err" \
    "toll: unknown command 'frobnicate' (see 'toll --help')"

run "$TOLL" summarize --frobnicate
expect_rc "unknown option exits 2" 2
expect_same "unknown option is named" "$TMP/err" \
    "toll: unknown option '--frobnicate' (see 'toll summarize --help')"

run "$TOLL" summarize --by
expect_rc "option without its value exits 2" 2
expect_has "missing value is explained" "$TMP/err" "option '--by' needs a value"

run "$TOLL" parse --by actor 5
expect_rc "option of another command exits 2" 2
expect_same "option of another command does not apply" "$TMP/err" \
    "toll: option '--by' does not apply to 'parse' (see 'toll parse --help')"

run "$TOLL" mse --by actor
expect_rc "mse: option of another command exits 2" 2
expect_same "mse: option of another command does not apply" "$TMP/err" \
    "toll: option '--by' does not apply to 'mse' (see 'toll mse --help')"

run "$TOLL" summarize --lists A,B
expect_rc "summarize: an mse option exits 2" 2
expect_same "summarize: an mse option does not apply" "$TMP/err" \
    "toll: option '--lists' does not apply to 'summarize' (see 'toll summarize --help')"

run "$TOLL" help mse
expect_rc "help mse exits 0" 0
expect_has "help mse shows its usage" "$TMP/out" "usage: toll mse"

run "$TOLL" summarize --format xml
expect_rc "bad --format exits 2" 2

run "$TOLL" summarize --policy generous
expect_rc "bad --policy exits 2" 2
expect_has "bad --policy names the text" "$TMP/err" "generous"

run "$TOLL" summarize --about-tolerance 2
expect_rc "bad --about-tolerance exits 2" 2

run "$TOLL" summarize --by colour
expect_rc "bad --by exits 2" 2
expect_has "bad --by names the text" "$TMP/err" "colour"

# ---- summarize on the bundled example -------------------------------------
run "$TOLL" summarize --format csv
expect_rc "summarize on the bundled example exits 0" 0
expect_first "summarize csv has the header columns" "$TMP/out" "$HEADER"
expect_empty "summarize on the bundled example warns about nothing" "$TMP/err"
# Homs, 30 Sep 2015: the National Coalition's 36 against Moscow's denial (0,
# a self-report: kept aside, flags the incident as denied).
expect_line "Homs 2015: 36 killed, denial flagged" "$TMP/out" \
    "Russia,2015-09,1,2,36,36,36,0,1,0"
# Abdeen, 8 Sep 2018: 3 killed, one report.
expect_line "Abdeen 2018: 3 killed" "$TMP/out" \
    "Russia + Syria,2018-09,1,1,3,3,3,0,0,0"
cp "$TMP/out" "$TMP/default.csv"

run "$TOLL" summarize --by actor,period:month --format csv "$SEEDS"
expect_rc "summarize FILE exits 0" 0
if cmp -s "$TMP/out" "$TMP/default.csv"; then
    ok "summarize without FILE reads data/seeds.jsonl"
else
    bad "summarize without FILE reads data/seeds.jsonl" "outputs differ"
fi

run "$TOLL" summarize
expect_rc "summarize (text) exits 0" 0
expect_has "text output has an actor column" "$TMP/out" "actor"
expect_has "text output names Russia + Syria" "$TMP/out" "Russia + Syria"

run "$TOLL" summarize --format md
expect_rc "summarize --format md exits 0" 0
expect_has "markdown output is a table" "$TMP/out" "| actor"

run "$TOLL" summarize --format json
expect_rc "summarize --format json exits 0" 0
expect_has "json output has actor keys" "$TMP/out" '"actor"'

run "$TOLL" summarize --by category --category killed --format csv
expect_rc "summarize --by category exits 0" 0
expect_first "--by category header" "$TMP/out" \
    "category,incidents,reports,low,best,high,open,denied,contested"

run "$TOLL" summarize --by actor --attribution each --format csv
expect_rc "attribution each exits 0" 0
expect_has "attribution each warns rows are not additive" "$TMP/err" \
    "do not add up"

run "$TOLL" summarize --by actor --attribution split --format csv
expect_rc "attribution split exits 0" 0
expect_not "attribution split has no joint rows" "$TMP/out" "Russia + Syria"

run "$TOLL" summarize --by '' --region Syria/Homs --format csv
expect_rc "--region filter exits 0" 0
expect_line "--region Syria/Homs keeps Homs only" "$TMP/out" \
    "1,2,36,36,36,0,1,0"

TOLL_EXAMPLE=$TMP/none.jsonl run "$TOLL" summarize
expect_rc "TOLL_EXAMPLE pointing at a missing file exits 1" 1

# ---- incidents ------------------------------------------------------------
run "$TOLL" incidents --format csv
expect_rc "incidents exits 0" 0
expect_has "incidents csv header" "$TMP/out" \
    "incident,category,date_start,date_end,region,actor,grade"
expect_has "incidents lists Aleppo Sunday" "$TMP/out" \
    "aleppo-2016-09-25,killed,2016-09-25,2016-09-25"
expect_has "incidents names the report that set a bound" "$TMP/out" \
    "Local Coordination Committees"

run "$TOLL" incidents
expect_rc "incidents (text) exits 0" 0
expect_has "incidents text lists Idlib 2017" "$TMP/out" "idlib-2017-09-19..27"

# A denial by the accused actor spelled in another case ("russia" about
# "Russia") is a self-report: it stays out of the range and the grade.
run "$TOLL" incidents "$ROOT/tests/catalogue/actor_case_denial.jsonl" \
    --format csv
expect_rc "incidents with a self-report in another case exits 0" 0
expect_has "self-report in another case stays out of the range" "$TMP/out" \
    "i1,killed,2024-03-01,2024-03-01,Syria/Idlib,Russia,single,2,1,12,12,12,0,1,"

# ---- parse ----------------------------------------------------------------
run "$TOLL" parse "about 350" "at least 150" "85-92" "92" "dozens" "unknown"
expect_rc "parse exits 0" 0
expect_line "parse about" "$TMP/out" \
    "about 350 -> low 315, high 385, best 350 (rule: about)"
expect_line "parse at least" "$TMP/out" \
    "at least 150 -> low 150, high open, best 150 (rule: at least)"
expect_line "parse range" "$TMP/out" \
    "85-92 -> low 85, high 92, best 88.5 (rule: range)"
expect_line "parse exact" "$TMP/out" \
    "92 -> low 92, high 92, best 92 (rule: exact)"
expect_line "parse dozens" "$TMP/out" \
    "dozens -> low 24, high 99, best 36 (rule: lexicon: dozens)"
expect_line "parse unknown" "$TMP/out" "unknown -> unknown"

run "$TOLL" parse --about-tolerance 0.2 "about 100"
expect_line "parse --about-tolerance" "$TMP/out" \
    "about 100 -> low 80, high 120, best 100 (rule: about)"

run "$TOLL" parse --lexicon-preset acled dozens
expect_line "parse --lexicon-preset acled" "$TMP/out" \
    "dozens -> low 12, high 12, best 12 (rule: lexicon: dozens)"

printf '{"scores": {"low": 40, "high": 99, "best": 60}}\n' >"$TMP/lex.json"
run "$TOLL" parse --lexicon "$TMP/lex.json" scores
expect_line "parse --lexicon FILE" "$TMP/out" \
    "scores -> low 40, high 99, best 60 (rule: lexicon: scores)"

run "$TOLL" parse --format json "at least 150"
expect_same "parse --format json" "$TMP/out" \
    '{"text": "at least 150", "known": true, "low": 150, "high": null, "best": 150, "has_best": false, "rule": "at least"}'

run "$TOLL" parse "at leest 5"
expect_rc "unreadable text exits 1" 1
expect_same "unreadable text message" "$TMP/err" \
    'cannot read "at leest 5" as a quantity'

run "$TOLL" parse
expect_rc "parse without TEXT exits 2" 2

# ---- bad files, strict and lenient ----------------------------------------
cat >"$TMP/good.csv" <<'EOF'
incident,source,source_kind,date,region,actor,killed
a,Monitor A,monitor,2020-01-05,Syria/Idlib,Russia,10
a,Rescue B,rescue,2020-01-05,Syria/Idlib,Russia,at least 12
EOF
cat >"$TMP/bad.csv" <<'EOF'
incident,source,source_kind,date,region,actor,killed
b,Monitor A,monitor,2020-02-01,Syria/Idlib,Syria,7
b,Rescue B,rescue,2020-02-01,Syria/Idlib,Syria,at leest 5
c,Monitor A,monitor,2020-02-03,Syria/Idlib,Syria,4
EOF

cd "$TMP" || exit 2
run "$TOLL" summarize --format csv good.csv
expect_rc "summarize good.csv exits 0" 0
expect_line "good.csv: envelope of 10 and 12+" "$TMP/out" \
    "Russia,2020-01,1,2,10,11,12,1,0,0"

run "$TOLL" summarize --format csv bad.csv
expect_rc "a bad record fails the load (exit 1)" 1
expect_same "bad record: the library's message, nothing else" "$TMP/err" \
    "bad.csv:3: field 'killed': cannot read \"at leest 5\" as a quantity"
expect_empty "a failed load prints no table" "$TMP/out"

run "$TOLL" summarize --format csv good.csv bad.csv
expect_rc "strict: the second file fails the run" 1
expect_empty "strict: no table when a file fails" "$TMP/out"

run "$TOLL" summarize --format csv --lenient bad.csv
expect_rc "lenient load exits 0" 0
expect_line "lenient lists the rejected record" "$TMP/err" \
    "warning: bad.csv:3: field 'killed': cannot read \"at leest 5\" as a quantity"
expect_line "lenient counts the rejects" "$TMP/err" "toll: 1 record(s) rejected"
expect_line "lenient keeps the good records" "$TMP/out" \
    "Syria,2020-02,2,2,11,11,11,0,0,0"

run "$TOLL" summarize --format csv --lenient good.csv bad.csv
expect_rc "lenient over two files exits 0" 0
expect_line "lenient over two files counts all rejects" "$TMP/err" \
    "toll: 1 record(s) rejected"

run "$TOLL" summarize --format csv - <good.csv
expect_rc "summarize - reads standard input" 0
expect_line "stdin gives the same rows" "$TMP/out" \
    "Russia,2020-01,1,2,10,11,12,1,0,0"

run "$TOLL" summarize --format csv no-such-file.csv
expect_rc "a missing file exits 1" 1
expect_has "a missing file is named" "$TMP/err" "no-such-file.csv"

cat >"$TMP/own.csv" <<'EOF'
event,who,deaths_min,deaths_max,day,side
x,Monitor A,3,5,2021-03-01,Syria
EOF
run "$TOLL" summarize --by actor --format csv \
    --map 'incident=event,source=who,killed=deaths_min..deaths_max,date=day,actor=side' own.csv
expect_rc "--map loads own column names" 0
expect_line "--map: LOW..HIGH columns make one range" "$TMP/out" \
    "Syria,1,1,3,4,5,0,0,0"

run "$TOLL" summarize --map 'nonsense' own.csv
expect_rc "a bad --map exits 2" 2

# ---- toll mse (multiple systems estimation) --------------------------------
run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --lists A,B,C --format csv
expect_rc "mse fits the independence model" 0
expect_first "mse csv header" "$TMP/out" \
    "model,method,observed,n_hat,se,lower,upper,interval,deviance,df,aic,bic,warning"
expect_has "mse independence: Cormack 2000 N-hat 209.34, profile 203.21-216.53" "$TMP/out" \
    "A + B + C,loglinear,201,209.34,3.42,203.21,216.53,profile,75.14,3"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --lists=A,B,C --format=csv
expect_rc "mse takes --opt=value" 0
expect_has "mse --lists=A,B,C names the lists" "$TMP/out" "A + B + C,loglinear,201,"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --level 1
expect_rc "mse: --level 1 exits 2" 2
expect_same "mse: a bad --level is named" "$TMP/err" \
    "toll: field 'level': confidence level must be between 0 and 1 (exclusive), got 1"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --delimiter ab
expect_rc "mse: a long --delimiter exits 2" 2
expect_same "mse: --delimiter takes one character" "$TMP/err" \
    "toll: --delimiter takes one character, not 'ab' (see 'toll mse --help')"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --format xml
expect_rc "mse: a bad --format exits 2" 2
expect_same "mse: a bad --format is named" "$TMP/err" \
    "toll: invalid value for --format: 'xml' (csv, json, md or text) (see 'toll mse --help')"

# capture frequencies: Rcapture's closedp.0 table for its catbird data
# (t = 11; saved example output of Rcapture 1.3-1: M0 20.3 (1.4), Mh Chao
# 22.6 (3.8), Mh Gamma3.5 24.7 (6.4))
printf 'nbcap,freq\n1,6\n2,4\n3,5\n4,2\n5,0\n6,2\n' >"$TMP/catb.csv"
run "$TOLL" mse "$TMP/catb.csv" --capture-frequencies 11 --format csv
expect_rc "mse --capture-frequencies fits every model" 0
expect_has "mse --capture-frequencies: M0 as Rcapture" "$TMP/out" "M0,loglinear,19,20.34"
expect_has "mse --capture-frequencies: Mh Chao as Rcapture" "$TMP/out" "Mh Chao (LB),loglinear,19,22.56"
expect_has "mse --capture-frequencies: Mh Gamma3.5 as Rcapture" "$TMP/out" "Mh Gamma3.5,loglinear,19,24.71"
run "$TOLL" mse "$TMP/catb.csv" --capture-frequencies 11 --estimator darroch --format csv
expect_rc "mse --capture-frequencies --estimator darroch exits 0" 0
expect_has "mse --estimator darroch prints Mh Darroch" "$TMP/out" "Mh Darroch,loglinear,19,22.34"
if [ "$(wc -l <"$TMP/out")" -eq 2 ]; then ok "mse --estimator darroch prints one model"
else bad "mse --estimator darroch prints one model" "$(show "$TMP/out")"; fi
run "$TOLL" mse "$TMP/catb.csv" --capture-frequencies 5
expect_rc "mse: times beyond the occasions exit 1" 1
expect_same "mse: times beyond the occasions are named" "$TMP/err" \
    "$TMP/catb.csv:7: field 'nbcap': \"6\" is not a number of captures of 5 occasions (a whole number from 1 to 5)"
printf 'times,count\n1,6\n2,4.5\n' >"$TMP/frac.csv"
run "$TOLL" mse "$TMP/frac.csv" --capture-frequencies 4
expect_rc "mse: a fractional count exits 1" 1
expect_same "mse: a fractional count is named" "$TMP/err" \
    "$TMP/frac.csv:3: field 'count': cannot read \"4.5\" as a non-negative whole number"
run "$TOLL" mse "$TMP/catb.csv" --capture-frequencies 11 --estimator lcmcr
expect_rc "mse: a list estimator with --capture-frequencies exits 2" 2
run "$TOLL" mse "$TMP/catb.csv" --capture-frequencies 1
expect_rc "mse: --capture-frequencies 1 exits 2" 2
run "$TOLL" mse "$TMP/catb.csv" --max-captures 3
expect_rc "mse: --max-captures without --capture-frequencies exits 2" 2

run "$TOLL" mse --lists
expect_rc "mse: option without its value exits 2" 2
expect_same "mse: missing value is explained" "$TMP/err" \
    "toll: option '--lists' needs a value (see 'toll mse --help')"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --lists A,B,C --search aic --format csv
expect_rc "mse --search aic ranks models" 0
expect_has "mse --search: best model first" "$TMP/out" "A + B + C + B*C,loglinear,201,221.89"

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --lists A,B,C --model "A*B + A*C + B*C + A*B*C"
expect_rc "mse: a three-way term is a usage error" 2

run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --lists A,B,C --model "A*B + C*Q"
expect_rc "mse: an unknown list in --model is a usage error" 2

# ---- toll mse: estimates that do not exist, leave-one-list-out ---------------
printf 'pattern,count\n110,10\n101,8\n100,30\n011,6\n010,25\n001,20\n' \
    >"$TMP/zero111.csv"
run "$TOLL" mse "$TMP/zero111.csv" --model "A*B + A*C + B*C"
expect_rc "mse: a model whose estimate does not exist exits 1" 1
expect_same "mse: ... saying so, naming the model and the empty cell" "$TMP/err" \
    "toll: model A + B + C + A*B + A*C + B*C: estimate does not exist: the observed margins of the model force empty cell 111 to zero in every table that has them"
if grep -q "A + B + C + A\*B + A\*C + B\*C," "$TMP/out"; then
    bad "mse: ... and prints no estimate" "$(show "$TMP/out")"
else ok "mse: ... and prints no estimate"; fi
run "$TOLL" mse "$TMP/zero111.csv" --search aic --format csv
expect_rc "mse --search with a model that does not exist" 0
if grep -q "A\*B + A\*C + B\*C" "$TMP/out"; then
    bad "mse --search: that model is not ranked" "$(show "$TMP/out")"
else ok "mse --search: that model is not ranked"; fi
if [ "$(wc -l <"$TMP/out")" -eq 9 ]; then ok "mse --search: 7 models and their average"
else bad "mse --search: 7 models and their average" "$(show "$TMP/out")"; fi
expect_line "mse --search: the skipped model is a note on stderr" "$TMP/err" \
    "toll: note: model A + B + C + A*B + A*C + B*C skipped: estimate does not exist: the observed margins of the model force empty cell 111 to zero in every table that has them"
run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --sensitivity lists --format csv
expect_rc "mse --sensitivity lists" 0
expect_first "mse --sensitivity lists: its columns" "$TMP/out" \
    "dropped,lists,model,observed,n_hat,se,lower,upper,interval,warning"
expect_has "mse --sensitivity lists: a row per dropped list" "$TMP/out" \
    'C,"A, B",A + B,'
run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --sensitivity lists --model "A*B + B*C" --format csv
expect_rc "mse --sensitivity lists --model" 0
expect_has "mse --sensitivity lists --model: interactions of the dropped list go" "$TMP/out" \
    'A,"B, C",B + C + B*C,'
run "$TOLL" mse "$TMP/zero111.csv" --sensitivity lists --model "A*B" --format csv
expect_rc "mse --sensitivity lists: a row without estimate is no error" 0
expect_has "mse --sensitivity lists: that row says why" "$TMP/out" \
    'C,"A, B",A + B + A*B,79,,,,,,'
run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --sensitivity models
expect_rc "mse: a bad --sensitivity is a usage error" 2
expect_same "mse: a bad --sensitivity is named" "$TMP/err" \
    "toll: invalid value for --sensitivity: 'models' (lists) (see 'toll mse --help')"
run "$TOLL" mse "$ROOT/tests/data/mse/patterns.csv" --sensitivity lists --search aic
expect_rc "mse: --sensitivity with --search is a usage error" 2
printf 'pattern,count\n11,10\n10,40\n01,30\n' >"$TMP/two.csv"
run "$TOLL" mse "$TMP/two.csv" --sensitivity lists
expect_rc "mse --sensitivity lists with two lists exits 2" 2
expect_has "mse --sensitivity lists: needs 3 lists" "$TMP/err" "at least 3 lists"
run "$TOLL" mse --from-incidents "$SEEDS" --lists "Syrian Observatory for Human Rights,White Helmets,Local Coordination Committees" --sensitivity lists --format csv
expect_rc "mse --from-incidents --sensitivity lists" 0
expect_first "mse --from-incidents --sensitivity lists: the table" "$TMP/out" \
    "dropped,lists,model,observed,n_hat,se,lower,upper,interval,warning"
run "$TOLL" mse --help
expect_has "mse --help: --sensitivity" "$TMP/out" "--sensitivity lists"

# ---- summarize --interval ---------------------------------------------------
run "$TOLL" summarize --by actor --interval comonotone --format csv --totals
expect_rc "summarize --interval comonotone" 0
expect_first "interval columns follow the measures" "$TMP/out" \
    "actor,incidents,reports,low,best,high,open,denied,contested,q025,q500,q975,q_engine"
expect_has "totals leave the quantiles empty" "$TMP/out" "Total,8,14,636,679.5,724,1,2,1,,,,"

run "$TOLL" summarize --by actor --interval sometimes
expect_rc "a bad --interval is a usage error" 2

# ---- link=rule and --explain --------------------------------------------------
sed 's/"incident": "[^"]*", //' "$SEEDS" >"$TMP/nokeys.jsonl"
run "$TOLL" incidents "$TMP/nokeys.jsonl" --link rule --explain --format csv
expect_rc "incidents --link rule --explain" 0
expect_first "links table header" "$TMP/out" \
    "incident,report_a,report_b,source_a,source_b,days_apart,region,shared_actors,explanation"
expect_has "each link says why" "$TMP/out" "0 days apart, same region Syria/Aleppo, shared actor"

run "$TOLL" incidents "$TMP/nokeys.jsonl" --link-days 2
expect_rc "link tuning without --link rule is a usage error" 2

# ---- option values: one rule per class, the same for every option ---------
PAT=$ROOT/tests/data/mse/patterns.csv
run "$TOLL" summarize --by '' --threads 2x
expect_rc "a number with trailing text is a usage error" 2
expect_has "trailing text is named" "$TMP/err" "invalid value for --threads: '2x'"
run "$TOLL" summarize --by '' --threads ' 2'
expect_rc "a number with a leading blank is a usage error" 2
run "$TOLL" mse "$PAT" --level 0x1p-1
expect_rc "a hex number is a usage error" 2
run "$TOLL" summarize --by '' --open-cap inf
expect_rc "inf is not a number" 2
run "$TOLL" summarize --by '' --draws 0
expect_rc "zero draws is a usage error" 2
expect_has "with the library's rule" "$TMP/err" \
    "toll: --draws: field 'draws': draws must be a whole number from 1 to 100000000, got 0"
run "$TOLL" summarize --by '' --open-cap 0.5
expect_rc "an open cap below 1 is a usage error" 2
expect_has "with the library's rule" "$TMP/err" "open_cap must be a finite number >= 1, got 0.5"
run "$TOLL" summarize --by '' --threads -1
expect_rc "a negative count of threads is a usage error" 2
run "$TOLL" summarize --by '' --seed -5
expect_rc "a negative seed is a usage error" 2
run "$TOLL" incidents --link rule --link-days 99999999999999999999
expect_rc "an out-of-range number is a usage error" 2
run "$TOLL" summarize --threads 65
expect_rc "too many threads is a usage error" 2
run "$TOLL" summarize --category ''
expect_rc "an empty value is a usage error" 2
expect_has "an empty value is named" "$TMP/err" "option '--category' needs a value, not an empty string"
run "$TOLL" summarize --by '' --region=
expect_rc "an empty --name= value is a usage error" 2
run "$TOLL" summarize --by '' --format csv
expect_rc "--by '' (the total only) is allowed" 0
run "$TOLL" mse "$PAT" --model '' --format csv
expect_rc "--model '' (independence) is allowed" 0
run "$TOLL" mse "$PAT" --format json --format csv
expect_rc "a repeated single-valued option is allowed" 0
expect_first "the last value of a repeated option counts" "$TMP/out" \
    "model,method,observed,n_hat,se,lower,upper,interval,deviance,df,aic,bic,warning"

# ---- CSV delimiter and region rules -----------------------------------------
run "$TOLL" summarize --by '' --delimiter '"'
expect_rc "a quote delimiter is a usage error" 2
expect_has "the delimiter rule is stated" "$TMP/err" \
    "CSV delimiter '\"' is not allowed: the delimiter is tab or one printable ASCII character other than '\"'"
run "$TOLL" mse "$PAT" --delimiter "$(printf '\r')"
expect_rc "a CR delimiter is a usage error for mse" 2
expect_has "a CR delimiter is named" "$TMP/err" "CSV delimiter '\\r' is not allowed"
run "$TOLL" summarize --by '' --delimiter "$(printf '\001')"
expect_rc "a control-character delimiter is a usage error" 2
run "$TOLL" summarize --by '' --delimiter tab --format csv
expect_rc "a tab delimiter is allowed" 0
run "$TOLL" summarize --by '' --region Syria//Idlib
expect_rc "a region with an empty level is a usage error" 2
expect_has "the empty level is named" "$TMP/err" 'region "Syria//Idlib" has an empty level'
run "$TOLL" summarize --by '' --region Syria/ --format csv
expect_rc "a region ending in / is a prefix" 0

# ---- mse input ----------------------------------------------------------------
printf 'pattern,count\n10,3\n01,2\n11,4\n10,5\n' >"$TMP/dup.csv"
run "$TOLL" mse "$TMP/dup.csv"
expect_rc "a repeated pattern row is a data error" 1
expect_has "a repeated pattern names both lines" "$TMP/err" \
    'dup.csv:5: field '"'"'pattern'"'"': capture history "10" is on lines 2 and 5'
printf 'pattern,count\n10,3\n1x,2\n' >"$TMP/badpat.csv"
run "$TOLL" mse "$TMP/badpat.csv"
expect_rc "a bad pattern is a data error" 1
expect_has "a bad pattern has its own message" "$TMP/err" 'cannot read "1x" as a capture history'
expect_not "a bad pattern does not ask for --lists" "$TMP/err" "--lists"
printf 'pattern,count\n101010101,3\n' >"$TMP/nine.csv"
run "$TOLL" mse "$TMP/nine.csv"
expect_has "nine lists have their own message" "$TMP/err" "is 9 characters wide (multiple systems estimation needs 2 to 8 lists)"
expect_not "nine lists do not ask for --lists" "$TMP/err" "--lists"
run "$TOLL" mse "$PAT" --model 'A*A'
expect_rc "a model term repeating a list is a usage error" 2
expect_has "a repeated list is named" "$TMP/err" 'the term "A*A" names list A twice'
printf 'pattern,count\n10,3\n01,2\n11,1.5\n' >"$TMP/frac.csv"
run "$TOLL" mse "$TMP/frac.csv"
expect_rc "a fractional count is a data error" 1
expect_has "a fractional count is named" "$TMP/err" 'cannot read "1.5" as a non-negative whole number'
run "$TOLL" mse "$PAT" --search cic
expect_rc "a bad --search is a usage error" 2
expect_has "a bad --search is named" "$TMP/err" 'criterion "cic" is not aic or bic'

# ---- mse --estimator lcmcr ------------------------------------------------------
LC="--estimator lcmcr --burnin 100 --samples 50 --thin 2 --chains 2"
run "$TOLL" mse "$PAT" $LC --seed 5 --format csv
expect_rc "mse lcmcr runs" 0
expect_first "mse lcmcr csv header" "$TMP/out" \
    "method,observed,median,mean,lower,upper,level,ess,rhat,warning"
expect_has "mse lcmcr warns on stderr about few draws" "$TMP/err" \
    "toll: warning: "
cp "$TMP/out" "$TMP/lc1.csv"
run "$TOLL" mse "$PAT" $LC --seed 5 --threads 1 --format csv
expect_same "mse lcmcr: the same seed gives the same table whatever the threads" \
    "$TMP/out" "$(cat "$TMP/lc1.csv")"
run "$TOLL" mse "$PAT" $LC --kstar 1
expect_rc "mse lcmcr: --kstar 1 exits 2" 2
expect_same "mse lcmcr: --kstar below 2 is named" "$TMP/err" \
    "toll: --kstar: kstar must be 2 to 1000 latent classes, not 1 (see 'toll mse --help')"
run "$TOLL" mse "$PAT" $LC --chains 0
expect_rc "mse lcmcr: --chains 0 exits 2" 2
expect_same "mse lcmcr: --chains below 1 is named" "$TMP/err" \
    "toll: --chains: chains must be 1 to 64, not 0 (see 'toll mse --help')"
run "$TOLL" mse "$PAT" $LC --seed 18446744073709551616
expect_rc "mse lcmcr: a seed out of range exits 2" 2
expect_same "mse lcmcr: a seed out of range is named" "$TMP/err" \
    "toll: invalid value for --seed: '18446744073709551616' (a whole number from 0 to 18446744073709551615) (see 'toll mse --help')"
run "$TOLL" mse "$PAT" $LC --seed -1
expect_rc "mse lcmcr: a negative seed exits 2" 2
run "$TOLL" mse "$PAT" --kstar 3
expect_rc "mse: --kstar without lcmcr exits 2" 2
expect_has "mse: --kstar without lcmcr says why" "$TMP/err" "apply to --estimator lcmcr"
printf 'pattern,count\n100,30\n010,20\n110,10\n' >"$TMP/nolist.csv"
run "$TOLL" mse "$TMP/nolist.csv" $LC
expect_rc "mse lcmcr: a list recording no one is a data error" 1
expect_same "mse lcmcr: the empty list is named" "$TMP/err" \
    "toll: LCMCR: list 'C' records no one (every capture history has 0 for it)"
printf 'pattern,count\n1000000000000001,30\n' >"$TMP/sixteen.csv"
run "$TOLL" mse "$TMP/sixteen.csv" $LC
expect_rc "mse lcmcr: sixteen lists are a data error" 1
expect_has "mse lcmcr: sixteen lists are named" "$TMP/err" "is 16 characters wide"
printf 'pattern,count,stratum\n10,30,a\n01,20,a\n11,10,a\n10,40,b\n01,30,b\n11,12,b\n' >"$TMP/lcstrata.csv"
run "$TOLL" mse "$TMP/lcstrata.csv" $LC --format csv
expect_rc "mse lcmcr with strata runs" 0
expect_has "mse lcmcr: a row per stratum" "$TMP/out" "lcmcr,a,60,"
expect_has "mse lcmcr: and the total" "$TMP/out" "lcmcr,total,142,"

# ---- mse --bootstrap --------------------------------------------------------------
run "$TOLL" mse "$PAT" --search aic --bootstrap 40 --seed 3 --format csv
expect_rc "mse --bootstrap runs" 0
expect_has "mse --bootstrap: the search table" "$TMP/out" "model average,model-average,"
expect_has "mse --bootstrap: the interval table" "$TMP/out" \
    "estimate,model,method,observed,n_hat,median,lower,upper,level,replicates,failed"
expect_has "mse --bootstrap: the selection table" "$TMP/out" "model,selected,share"
cp "$TMP/out" "$TMP/boot1.csv"
run "$TOLL" mse "$PAT" --search aic --bootstrap 40 --seed 3 --threads 3 --format csv
expect_same "mse --bootstrap: the same seed gives the same tables whatever the threads" \
    "$TMP/out" "$(cat "$TMP/boot1.csv")"
run "$TOLL" mse "$PAT" --search bic --bootstrap 20 --format json
expect_rc "mse --bootstrap json runs" 0
if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert set(d)=={"models","bootstrap","selection"}; assert sum(r["selected"] for r in d["selection"])==20' "$TMP/out" \
        && ok "mse --bootstrap json is one object with models, bootstrap and selection" \
        || bad "mse --bootstrap json is one object with models, bootstrap and selection"
fi
run "$TOLL" mse "$PAT" --model "A*B" --bootstrap 20 --bootstrap-method parametric --format md
expect_rc "mse --bootstrap with --model and parametric runs" 0
expect_has "mse --bootstrap with --model refits that model" "$TMP/out" "parametric"
run "$TOLL" mse "$PAT" --search aic --bootstrap 0
expect_rc "mse: --bootstrap 0 exits 2" 2
expect_same "mse: --bootstrap 0 is named" "$TMP/err" \
    "toll: invalid value for --bootstrap: '0' (the number of resamples, a whole number from 1 to 1000000) (see 'toll mse --help')"
run "$TOLL" mse "$PAT" --search aic --bootstrap 5000000
expect_rc "mse: an absurd --bootstrap exits 2" 2
run "$TOLL" mse "$PAT" --search aic --bootstrap 10 --threads 65
expect_rc "mse: --bootstrap --threads 65 exits 2" 2
expect_has "mse: --threads 65 is named" "$TMP/err" "--threads: threads must be 0 (the CPUs online) to 64, not 65"
run "$TOLL" mse "$PAT" --search aic --bootstrap 10 --threads 0 --format csv
expect_rc "mse: --bootstrap --threads 0 (the CPUs online) exits 0" 0
run "$TOLL" mse "$PAT" --search aic --bootstrap 10 --seed 18446744073709551616
expect_rc "mse: --bootstrap with a seed out of range exits 2" 2
run "$TOLL" mse "$PAT" --search aic --bootstrap 10 --bootstrap-method jackknife
expect_rc "mse: a bad --bootstrap-method exits 2" 2
expect_has "mse: a bad --bootstrap-method is named" "$TMP/err" "'jackknife'"
run "$TOLL" mse "$PAT" --bootstrap-method parametric
expect_rc "mse: --bootstrap-method without --bootstrap exits 2" 2
run "$TOLL" mse "$PAT" --estimator chao --bootstrap 10
expect_rc "mse: --bootstrap with chao exits 2" 2
run "$TOLL" mse "$PAT" --seed 4
expect_rc "mse: --seed without lcmcr or --bootstrap exits 2" 2

# ---- warnings, the date window, file names ------------------------------------
printf 'source,deaths\nA,5\n' >"$TMP/deaths.csv"
run "$TOLL" summarize "$TMP/deaths.csv" --format csv
expect_rc "a load without any category still exits 0" 0
expect_has "the load warns on stderr" "$TMP/err" \
    "toll: warning: $TMP/deaths.csv: no report carries any casualty category"
expect_has "the warning lists the kept fields" "$TMP/err" "kept fields: 'deaths'"
expect_has "the summary warns too" "$TMP/err" \
    "toll: warning: no report carries any casualty category"

printf 'source,Killed\nA,5\n' >"$TMP/killed.csv"
run "$TOLL" summarize "$TMP/killed.csv" --format csv
expect_has "a Killed header counts as killed" "$TMP/out" "unknown,,1,1,5,5,5,0,0,0"
expect_not "and does not warn" "$TMP/err" "warning"

printf 'source,killed,date\nA,5,8306-05-01\n' >"$TMP/far.csv"
run "$TOLL" summarize "$TMP/far.csv"
expect_rc "a date outside the window fails the load" 1
expect_has "naming the field and text" "$TMP/err" \
    "far.csv:2: field 'date': date \"8306-05-01\" is outside the window"
run "$TOLL" summarize "$TMP/far.csv" --date-window 1800:9000 --format csv
expect_rc "--date-window widens it" 0
run "$TOLL" summarize "$TMP/far.csv" --date-window 1800
expect_rc "--date-window needs FROM:TO" 2
run "$TOLL" summarize "$TMP/far.csv" --date-window 2100:1800
expect_rc "--date-window FROM after TO fails the load" 1
expect_has "naming the window" "$TMP/err" "date window 2100..1800"

cp "$TMP/killed.csv" "$TMP/reports.md"
run "$TOLL" summarize "$TMP/reports.md"
expect_rc "an unknown extension fails" 1
expect_has "naming the known ones" "$TMP/err" \
    "$TMP/reports.md: unknown file extension '.md' (known: .json, .jsonl, .ndjson or .csv)"
run "$TOLL" summarize "$TMP/reports.md" --format-in csv
expect_rc "--format-in reads it" 0
run "$TOLL" summarize "$TMP"
expect_rc "a directory fails" 1
expect_has "saying so" "$TMP/err" "$TMP: is a directory"
run "$TOLL" summarize "$TMP/killed.csv" --map 'source=source,killed=a,killed=b'
expect_rc "a target repeated in --map is a usage error" 2
expect_has "naming the item" "$TMP/err" \
    "column map item \"killed=b\": the target is given twice"

cd "$ROOT" || exit 2
printf '\n%d passed, %d failed\n' "$pass" "$fail"
[ "$fail" -eq 0 ]
