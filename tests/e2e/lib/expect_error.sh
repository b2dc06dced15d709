# Sourced by end-to-end scripts (run from the repository root; not a test
# itself): bad DESCRIPTION FRAGMENT COMMAND... runs COMMAND and expects exit
# status 1 with exactly one stderr line, an "error:" line holding FRAGMENT;
# otherwise it says what happened and sets fail=1. Uses $tmp/err.
bad() {
    what=$1 frag=$2; shift 2
    rc=0
    "$@" > /dev/null 2> "$tmp/err" || rc=$?
    if [ "$rc" -eq 0 ]; then echo "accepted: $what"; fail=1; return; fi
    [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "error:" "$tmp/err" && grep -q -- "$frag" "$tmp/err" ||
        { echo "want one error line with \"$frag\" and status 1 for $what (got $rc):"; cat "$tmp/err"; fail=1; }
}
