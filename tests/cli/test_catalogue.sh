#!/bin/sh
# tests/cli/test_catalogue.sh - the catalogue of bad input through the CLI.
#
#   sh tests/cli/test_catalogue.sh path/to/toll path/to/repo
#
# For every row of tests/catalogue/catalogue.tsv (columns described there):
#   strict:  toll summarize good.jsonl FILE --by '' --format csv
#            (rows with a column map: FILE alone, as the map would apply
#            to good.jsonl too)
#            OK rows: exit 0 and the reports column is 2 + count;
#            error rows: exit 1, nothing on stdout, and the one error line
#            on stderr starts with FILE:LINE: and names the field, the
#            text and the message fragment;
#   lenient: the same with --lenient: the reports column is 2 + lenient,
#            one "warning: FILE:LINE: ..." line per rejected record, in
#            order, and "toll: N record(s) rejected"; "fail" rows exit 1.
# Prints "N passed, N failed"; exits non-zero if any check failed.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 TOLL_BINARY REPO_ROOT" >&2
    exit 2
fi
TOLL=$1
ROOT=$2
case $TOLL in /*) ;; *) TOLL=$(pwd)/$TOLL ;; esac
case $ROOT in /*) ;; *) ROOT=$(pwd)/$ROOT ;; esac
CAT=$ROOT/tests/catalogue
GOOD=$CAT/good.jsonl

TMP=$(mktemp -d "${TMPDIR:-/tmp}/toll-catalogue.XXXXXX") || exit 2
trap 'rm -rf "$TMP"' EXIT
trap 'exit 2' INT TERM
unset TOLL_EXAMPLE

pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$1"
    if [ -n "${2:-}" ]; then printf '     %s\n' "$2"; fi
}
show() { head -c 400 "$1" | tr '\n' '|'; }

# Expand a .in template: each @MB@ becomes 1 MiB of 'x'; @FILL-N@ becomes
# as many 'x' as put the text after it N bytes before the 1 MiB mark (where
# a file load starts its second chunk).  awk reads the template as one
# record (RS is a byte the templates do not contain), so bytes are kept
# exactly.
part() { # before|after PLACEHOLDER TEMPLATE
    LC_ALL=C awk -v ph="$2" -v which="$1" 'BEGIN { RS = "\001"; ORS = "" }
        { i = index($0, ph)
          if (which == "before") print substr($0, 1, i - 1)
          else print substr($0, i + length(ph)) }' "$3"
}
expand() { # TEMPLATE OUT
    if grep -q '@MB@' "$1"; then
        cp "$1" "$2.t"
        while grep -q '@MB@' "$2.t"; do
            {
                part before '@MB@' "$2.t"
                head -c 1048576 /dev/zero | tr '\0' x
                part after '@MB@' "$2.t"
            } >"$2.u"
            mv "$2.u" "$2.t"
        done
        mv "$2.t" "$2"
        return
    fi
    ph=$(grep -o '@FILL-[0-9]*@' "$1" | head -n 1)
    n=${ph#@FILL-}
    n=${n%@}
    fill=$((1048576 - n - $(part before "$ph" "$1" | wc -c)))
    {
        part before "$ph" "$1"
        head -c "$fill" /dev/zero | tr '\0' x
        part after "$ph" "$1"
    } >"$2"
}

# reports column (2nd) of the one data row of `summarize --format csv`
reports_of() { sed -n 2p "$1" | cut -d, -f2; }

TAB=$(printf '\t')
rows=0
while IFS=$TAB read -r name file format options status count line record \
    field text message lenient rejects; do
    case $name in '#'* | '' | name) continue ;; esac
    rows=$((rows + 1))
    case $file in
    *.in)
        path=$TMP/${file%.in}
        expand "$CAT/$file" "$path"
        ;;
    *) path=$CAT/$file ;;
    esac
    # A column map applies to every file on the command line, so rows with
    # options load their file alone (base 0) instead of after good.jsonl.
    if [ "$options" = - ]; then
        base=2
        set -- summarize "$GOOD" "$path" --by '' --format csv
    else
        base=0
        set -- summarize "$path" --by '' --format csv
    fi
    if [ "$format" != auto ]; then set -- "$@" --format-in "$format"; fi
    if [ "$options" != - ]; then
        for opt in $options; do
            case $opt in
            map=*) set -- "$@" --map "${opt#map=}" ;;
            preset=*) set -- "$@" --preset "${opt#preset=}" ;;
            *) bad "$name: unknown option $opt" ;;
            esac
        done
    fi

    # ---- strict
    "$TOLL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$status" = OK ]; then
        got=$(reports_of "$TMP/out")
        if [ "$rc" -eq 0 ] && [ "$got" = $((base + count)) ]; then ok
        else bad "$name: strict" "exit $rc, reports '$got', expected 0 and $((base + count)); stderr: $(show "$TMP/err")"; fi
    else
        msg=$(head -n 1 "$TMP/err")
        nerr=$(wc -l <"$TMP/err")
        if [ "$rc" -ne 1 ]; then bad "$name: strict exit" "exit $rc, expected 1; stderr: $(show "$TMP/err")"
        elif [ -s "$TMP/out" ]; then bad "$name: strict stdout" "output after a failed load: $(show "$TMP/out")"
        elif [ "$nerr" -ne 1 ]; then bad "$name: strict stderr" "expected one line: $(show "$TMP/err")"
        else
            # line 0: an error of the whole file, "FILE: ..."
            if [ "$line" = 0 ]; then loc="$path: "; else loc="$path:$line: "; fi
            case $msg in
            "$loc"*) ok ;;
            *) bad "$name: location" "'$msg' does not start with '$loc'" ;;
            esac
            if printf '%s\n' "$msg" | grep -F -e "$message" >/dev/null; then ok
            else bad "$name: message" "'$msg' lacks '$message'"; fi
            if [ "$field" = - ] || printf '%s\n' "$msg" | grep -F -e "'$field'" >/dev/null; then ok
            else bad "$name: field" "'$msg' does not name '$field'"; fi
            if [ "$text" = - ] || printf '%s\n' "$msg" | grep -F -e "$text" >/dev/null; then ok
            else bad "$name: text" "'$msg' lacks '$text'"; fi
        fi
    fi

    # ---- lenient
    "$TOLL" "$@" --lenient >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$lenient" = fail ]; then
        if [ "$rc" -eq 1 ] && [ ! -s "$TMP/out" ]; then ok
        else bad "$name: lenient should fail" "exit $rc; stdout: $(show "$TMP/out")"; fi
        continue
    fi
    got=$(reports_of "$TMP/out")
    if [ "$rc" -eq 0 ] && [ "$got" = $((base + lenient)) ]; then ok
    else bad "$name: lenient" "exit $rc, reports '$got', expected 0 and $((base + lenient)); stderr: $(show "$TMP/err")"; fi
    grep '^warning: ' "$TMP/err" | sed -n 's/^warning: //p' >"$TMP/warn"
    if [ "$rejects" = - ]; then
        if [ -s "$TMP/warn" ]; then bad "$name: lenient warnings" "$(show "$TMP/warn")"; else ok; fi
        continue
    fi
    i=0
    for l in $(printf '%s\n' "$rejects" | tr ',' ' '); do
        i=$((i + 1))
        w=$(sed -n "${i}p" "$TMP/warn")
        case $w in
        "$path:$l: "*) ok ;;
        *) bad "$name: reject $i" "'$w' does not start with '$path:$l: '" ;;
        esac
    done
    nw=$(wc -l <"$TMP/warn")
    if [ "$nw" -eq "$i" ] && grep -Fx "toll: $i record(s) rejected" "$TMP/err" >/dev/null; then ok
    else bad "$name: reject count" "$nw warnings, expected $i: $(show "$TMP/err")"; fi
done <"$CAT/catalogue.tsv"

# ==== tests/catalogue/mse.tsv: multiple systems estimation and option
# values (columns described in its header).  Each row: the command on FILE
# with the option KEY=VALUE as --KEY VALUE; exit 2 for EINVAL (usage),
# else 1; nothing on stdout; the fragment on stderr.
mse_rows=0
while IFS=$TAB read -r name args status message; do
    case $name in '#'* | '' | name) continue ;; esac
    mse_rows=$((mse_rows + 1))
    set -f # no globbing of model=A*A
    set -- $args
    set +f
    cmd=$1 file=$2 kv=${3:-}
    set -- "$cmd" "$CAT/$file"
    if [ "$cmd" = summarize ]; then set -- "$@" --by '' --format csv; fi
    if [ "$cmd" = lexicon ]; then set -- parse 5 --lexicon "$CAT/$file"; fi
    if [ -n "$kv" ]; then
        # \n, \r, \t in VALUE stand for LF, CR and tab
        val=$(printf '%b_' "${kv#*=}")
        set -- "$@" "--${kv%%=*}" "${val%_}"
    fi
    "$TOLL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    want=1
    if [ "$status" = EINVAL ]; then want=2; fi
    if [ "$rc" -eq "$want" ] && [ ! -s "$TMP/out" ] &&
        grep -F -- "$message" "$TMP/err" >/dev/null; then ok
    else bad "mse.tsv $name" "exit $rc (expected $want); stderr: $(show "$TMP/err")"; fi
done <"$CAT/mse.tsv"
if [ "$mse_rows" -lt 9 ]; then bad "mse.tsv rows" "only $mse_rows rows read"; fi
# ==== end of the mse.tsv block
# ==== summaries.tsv: summaries of catalogue inputs =========================
# Per row (columns described at the top of tests/catalogue/summaries.tsv):
# toll summarize FILE with the row's options as flags (by=K -> --by K,
# max_rows=N -> --max-rows N, ...) and --format csv; OK rows: exit 0 and
# the checks on the CSV; error rows: exit 1 (2 for EINVAL: a usage error)
# and the fragment on stderr.  Values are compared to the precision the
# CSV renders (2 decimals).
srows=0
while IFS=$TAB read -r name file load options status check; do
    case $name in '#'* | '' | name) continue ;; esac
    srows=$((srows + 1))
    if [ "$load" != - ]; then
        bad "$name: summaries" "load options are not supported by this runner"
        continue
    fi
    set -- summarize "$CAT/$file" --format csv --by ''
    period=
    if [ "$options" != - ]; then
        for opt in $options; do
            k=${opt%%=*}
            v=${opt#*=}
            case $k in
            period) period=$v ;;
            actors) set -- "$@" --actor "$v" ;;
            *) set -- "$@" "--$(printf '%s' "$k" | tr _ -)" "$v" ;;
            esac
        done
    fi
    if [ -n "$period" ]; then # a bare "period" key takes the unit
        n=$#
        prev=
        for a in "$@"; do
            if [ "$prev" = --by ]; then
                a=$(printf '%s' "$a" | sed "s/\(^\|,\)period\(,\|\$\)/\1period:$period\2/")
            fi
            prev=$a
            set -- "$@" "$a"
        done
        shift "$n"
    fi
    "$TOLL" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$status" != OK ]; then
        frag=${check#error:}
        want=1
        if [ "$status" = EINVAL ]; then want=2; fi
        if [ "$rc" -eq "$want" ] && [ ! -s "$TMP/out" ] && grep -F -- "$frag" "$TMP/err" >/dev/null; then ok
        else bad "$name: summary error" "exit $rc; stderr: $(show "$TMP/err")"; fi
        continue
    fi
    if [ "$rc" -ne 0 ]; then
        bad "$name: summary" "exit $rc; stderr: $(show "$TMP/err")"
        continue
    fi
    # the key columns are those before "incidents"
    nk=$(head -n 1 "$TMP/out" | tr ',' '\n' | grep -n '^incidents$' | cut -d: -f1)
    nk=$((nk - 1))
    rest=$check
    while [ -n "$rest" ]; do
        c=${rest%%;*}
        if [ "$c" = "$rest" ]; then rest=; else rest=${rest#*;}; fi
        case $c in
        invariant)
            lc=$(head -n 1 "$TMP/out" | tr ',' '\n' | grep -n '^low$' | cut -d: -f1)
            if awk -F, -v l="$lc" 'NR > 1 && !($(l) + 0 <= $(l + 1) + 0 && $(l + 1) + 0 <= $(l + 2) + 0) { bad = 1 } END { exit bad }' "$TMP/out"; then ok
            else bad "$name: invariant" "$(show "$TMP/out")"; fi
            ;;
        rows=*)
            got=$(($(wc -l <"$TMP/out") - 1))
            if [ "$got" -eq "${c#rows=}" ]; then ok
            else bad "$name: rows" "$got rows, expected ${c#rows=}"; fi
            ;;
        row:*)
            spec=${c#row:}
            keys=${spec%:*}
            cv=${spec##*:}
            cname=${cv%%=*}
            want=${cv#*=}
            ci=$(head -n 1 "$TMP/out" | tr ',' '\n' | grep -nx "$cname" | cut -d: -f1)
            if awk -F, -v nk="$nk" -v keys="$keys" -v ci="$ci" -v want="$want" '
                NR > 1 { k = $1; for (i = 2; i <= nk; i++) k = k "|" $i
                         if (k == keys) { d = $(ci) - want; if (d < 0) d = -d
                             found = d <= 0.005 + 1e-6 * (want < 0 ? -want : want) } }
                END { exit !found }' "$TMP/out"; then ok
            else bad "$name: $c" "$(show "$TMP/out")"; fi
            ;;
        warning:*)
            if grep -F -- "${c#warning:}" "$TMP/err" >/dev/null; then ok
            else bad "$name: $c" "stderr: $(show "$TMP/err")"; fi
            ;;
        *) bad "$name: unknown check '$c'" ;;
        esac
    done
done <"$CAT/summaries.tsv"
if [ "$srows" -lt 1 ]; then bad "summaries rows" "no rows read"; fi
echo "summaries: $srows rows"
# ==== end of summaries.tsv =================================================
# ---- quantities.tsv: quantity texts (begin) ----------------------------
# Each row of tests/catalogue/quantities.tsv (columns described there)
# through `toll parse --format json -- TEXT`: a reading must match
# LOW..BEST..HIGH (or unknown); an error row must exit 1 with the fragment
# and the text on stderr.
qrows=0
while IFS=$TAB read -r qname qtext qexpect; do
    case $qname in '#'*|name|'') continue ;; esac
    qrows=$((qrows + 1))
    "$TOLL" parse --format json -- "$qtext" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    case $qexpect in
    error:*)
        frag=${qexpect#error:}
        if [ "$rc" -eq 1 ] && grep -F -e "$frag" "$TMP/err" >/dev/null &&
            grep -F -e "$qtext" "$TMP/err" >/dev/null; then ok
        else bad "quantity $qname" "exit $rc; stderr: $(show "$TMP/err")"; fi
        continue ;;
    esac
    j=$(cat "$TMP/out")
    field() { printf '%s\n' "$j" | sed -n "s/.*\"$1\": \([^,}]*\).*/\1/p"; }
    if [ "$qexpect" = unknown ]; then
        got=unknown
        [ "$(field known)" = false ] || got="known: $j"
    else
        b=$(field best)
        [ "$(field has_best)" = true ] || b=-
        h=$(field high)
        [ "$h" = null ] && h=-
        got="$(field low)..$b..$h"
    fi
    if [ "$rc" -eq 0 ] && [ "$got" = "$qexpect" ]; then ok
    else bad "quantity $qname" "exit $rc, read '$got', expected '$qexpect'; stderr: $(show "$TMP/err")"; fi
done <"$CAT/quantities.tsv"
if [ "$qrows" -lt 40 ]; then bad "quantities rows" "only $qrows rows read"; fi
echo "quantities: $qrows rows"
# ---- quantities.tsv (end) ----------------------------------------------



if [ "$rows" -lt 50 ]; then bad "catalogue rows" "only $rows rows read"; fi
echo "catalogue: $rows rows; $pass passed, $fail failed"
[ "$fail" -eq 0 ]
