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
            case $msg in
            "$path:$line: "*) ok ;;
            *) bad "$name: location" "'$msg' does not start with '$path:$line: '" ;;
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

if [ "$rows" -lt 50 ]; then bad "catalogue rows" "only $rows rows read"; fi
echo "catalogue: $rows rows; $pass passed, $fail failed"
[ "$fail" -eq 0 ]
