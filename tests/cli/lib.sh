# tests/cli/lib.sh - the checks the CLI shell tests share: sourced by
# tests/cli/test_cli.sh, test_imports.sh and test_link_command.sh after they
# set $TMP (a scratch directory).  Each check prints "ok   NAME" or
# "FAIL NAME" with the reason, and counts it in $pass or $fail.

pass=0
fail=0
ok() {
    pass=$((pass + 1))
    printf 'ok   %s\n' "$1"
}
bad() {
    fail=$((fail + 1))
    printf 'FAIL %s\n' "$1"
    if [ -n "${2:-}" ]; then printf '     %s\n' "$2"; fi
}

# run CMD...: stdout to $TMP/out, stderr to $TMP/err, exit status in $rc
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}
show() { head -c 600 "$1" | tr '\n' '|'; }

# expect_rc NAME STATUS
expect_rc() {
    if [ "$rc" -eq "$2" ]; then ok "$1"
    else bad "$1" "exit status $rc, expected $2; stderr: $(show "$TMP/err")"; fi
}
# expect_line NAME FILE LINE: FILE has exactly this line
expect_line() {
    if grep -Fx -e "$3" "$2" >/dev/null; then ok "$1"
    else bad "$1" "no line '$3' in: $(show "$2")"; fi
}
# expect_first NAME FILE LINE: the first line of FILE is LINE
expect_first() {
    first=$(head -n 1 "$2")
    if [ "$first" = "$3" ]; then ok "$1"
    else bad "$1" "first line '$first', expected '$3'"; fi
}
# expect_has NAME FILE TEXT: FILE contains TEXT
expect_has() {
    if grep -F -e "$3" "$2" >/dev/null; then ok "$1"
    else bad "$1" "'$3' not in: $(show "$2")"; fi
}
# expect_not NAME FILE TEXT: FILE does not contain TEXT
expect_not() {
    if grep -F -e "$3" "$2" >/dev/null; then bad "$1" "'$3' found in: $(show "$2")"
    else ok "$1"; fi
}
# expect_empty NAME FILE
expect_empty() {
    if [ ! -s "$2" ]; then ok "$1"
    else bad "$1" "expected no output, got: $(show "$2")"; fi
}
# expect_same NAME FILE TEXT: FILE's whole content is TEXT (plus newline)
expect_same() {
    printf '%s\n' "$3" >"$TMP/want"
    if cmp -s "$2" "$TMP/want"; then ok "$1"
    else bad "$1" "got: $(show "$2") expected: $(show "$TMP/want")"; fi
}
