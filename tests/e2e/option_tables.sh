#!/bin/sh
# Every command's --help is printed from its option table, so this test
# reads each command's options from its --help and checks the parser
# against them: every numeric option (metavariable N or K: an integer; X, F
# or MIN: a number) refuses out-of-range and malformed values with exit 2
# and one line "attn <command>: error: <option as typed> must be ...", in
# both --name=VALUE and --name VALUE forms and by its short name; every
# option listed is accepted (a valid value reaches a later check, never
# "unknown option"); a flag given a value and an option missing its value
# are usage errors naming it; a name not listed is unknown.
set -u
ATTN=${ATTN_BIN:-./attn}
case $ATTN in /*) ;; */*) ATTN=$PWD/$ATTN ;; esac # the commands run in a scratch folder (some write files)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_option_tables.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
checked=0
bad() { echo "option_tables.sh: FAIL: $*"; fails=$((fails + 1)); }

# run CMD... : attn CMD... with no input, stderr in $tmp/err, status in $rc
run() {
    (cd "$tmp/cwd" && "$ATTN" "$@") >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
}
# refused CMD OPT VALUE: `attn CMD OPT=VALUE` and `attn CMD OPT VALUE` exit 2
# with one stderr line "attn CMD: error: OPT must be ..."
refused() {
    cmd=$1 opt=$2 val=$3
    forms="joined split"
    case $opt in --*) ;; *) forms=split ;; esac # -x VALUE only
    for form in $forms; do
        # shellcheck disable=SC2086 # CMD is one or two words
        if [ $form = joined ]; then run $cmd "$opt=$val"; else run $cmd "$opt" "$val"; fi
        if [ "$rc" -ne 2 ]; then bad "attn $cmd $opt $val ($form) exited $rc: $(cat "$tmp/err")"; continue; fi
        if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "attn $cmd $opt $val: not one stderr line: $(cat "$tmp/err")"; continue; fi
        case $(cat "$tmp/err") in
        "attn $cmd: error: $opt must be "*) ;;
        *) bad "attn $cmd $opt $val ($form): '$(cat "$tmp/err")'" ;;
        esac
    done
}
# accepted CMD OPT [VALUE]: the parser takes the option (any later error is not about it)
accepted() {
    cmd=$1 opt=$2
    # shellcheck disable=SC2086
    if [ $# -lt 3 ]; then
        run $cmd "$opt"
    else
        case $opt in --*) run $cmd "$opt=$3" ;; *) run $cmd "$opt" "$3" ;; esac
    fi
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || bad "attn $cmd $opt ${3:-}: exit $rc"
    if grep -q "unknown option" "$tmp/err" || grep -Eq "error: $opt (must be|needs a value|takes no value)" "$tmp/err"; then
        bad "attn $cmd $opt ${3:-} was not accepted: $(cat "$tmp/err")"
    fi
}

# Under ATTN_QUICK (the sanitizer run of make asan) each numeric option is
# refused with one malformed value instead of every one, and a choice
# option accepts its first word only: the same parser runs under the
# sanitizers, in a fraction of the processes.
int_values="-99999999999999999999 99999999999999999999 -1e300 1e300 1.5 x ''"
num_values="-1e300 1e300 nan inf x ''"
if [ -n "${ATTN_QUICK:-}" ]; then int_values="99999999999999999999"; num_values="nan"; fi

commands='prepare train generate score tokenize bleu "tokenizer train" "protein identity" embed classify reward rollout similar align plot translate chat-template chat serve sweep eval retrieve "scaling fit" "scaling plan" "contacts potts" "contacts fit" "contacts predict" "cai revise" "cai sample" "cai label" gguf convert'
# every command of `attn --help` is checked here, or is a group whose
# subcommands are, or has no option but --help (models)
"$ATTN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }' >"$tmp/listed"
[ -s "$tmp/listed" ] || bad "attn --help lists no commands"
while read -r c; do
    case " $commands models " in
    *" $c "* | *"\"$c "*) ;;
    *) bad "attn $c (in attn --help) is not checked by option_tables.sh" ;;
    esac
done <"$tmp/listed"

mkdir -p "$tmp/cwd"
eval "set -- $commands"
for cmd in "$@"; do
    # shellcheck disable=SC2086
    run $cmd --help
    [ "$rc" -eq 0 ] || { bad "attn $cmd --help exited $rc"; continue; }
    head -n 1 "$tmp/out" | grep -q "^usage: attn $cmd" || bad "attn $cmd --help: first line $(head -n 1 "$tmp/out")"
    grep -q '^  -h, --help ' "$tmp/out" || bad "attn $cmd --help lists no -h, --help"
    cp "$tmp/out" "$tmp/help"
    # one line per option: "  -s, --name META  help" or "      --name META  help"
    awk '/^  (-[A-Za-z], |    )--[a-z]/ {
            left = substr($0, 3); sub(/^ +/, "", left)
            i = index(left, "  "); if (i) left = substr(left, 1, i - 1)
            short = ""
            if (left ~ /^-[A-Za-z], /) { short = substr(left, 1, 2); left = substr(left, 5) }
            n = index(left, " ")
            name = n ? substr(left, 1, n - 1) : left; meta = n ? substr(left, n + 1) : ""
            if (name != "--help") printf "%s;%s;%s\n", name, short, meta
        }' "$tmp/help" >"$tmp/opts"
    [ -s "$tmp/opts" ] || { bad "attn $cmd --help lists no options"; continue; }
    n_numeric=0
    while IFS=";" read -r name short meta; do
        checked=$((checked + 1))
        case $meta in
        N | K)
            n_numeric=$((n_numeric + 1))
            eval "set -- $int_values"
            for v in "$@"; do refused "$cmd" "$name" "$v"; done
            [ -n "$short" ] && refused "$cmd" "$short" 99999999999999999999
            accepted "$cmd" "$name" 1
            ;;
        X | F | MIN)
            n_numeric=$((n_numeric + 1))
            eval "set -- $num_values"
            for v in "$@"; do refused "$cmd" "$name" "$v"; done
            [ -n "$short" ] && refused "$cmd" "$short" 1e300
            accepted "$cmd" "$name" 0.5
            ;;
        *"|"*)
            refused "$cmd" "$name" no-such-word
            for w in $(echo "$meta" | tr '|' ' '); do
                accepted "$cmd" "$name" "$w"
                [ -z "${ATTN_QUICK:-}" ] || break
            done
            ;;
        "")
            accepted "$cmd" "$name"
            [ -n "$short" ] && accepted "$cmd" "$short"
            # shellcheck disable=SC2086
            run $cmd "$name=1"
            [ "$rc" -eq 2 ] && grep -q "^attn $cmd: error: $name takes no value" "$tmp/err" ||
                bad "attn $cmd $name=1 exited $rc: $(cat "$tmp/err")"
            ;;
        *)
            accepted "$cmd" "$name" x
            [ -n "$short" ] && accepted "$cmd" "$short" x
            ;;
        esac
        if [ -n "$meta" ]; then # the value missing at the end of the line
            # shellcheck disable=SC2086
            run $cmd "$name"
            [ "$rc" -eq 2 ] && grep -q "^attn $cmd: error: $name needs a value" "$tmp/err" ||
                bad "attn $cmd $name (no value) exited $rc: $(cat "$tmp/err")"
        fi
    done <"$tmp/opts"
    # a name that is not in the table
    # shellcheck disable=SC2086
    run $cmd --no-such-option
    [ "$rc" -eq 2 ] && grep -q "^attn $cmd: error: unknown option '--no-such-option'" "$tmp/err" ||
        bad "attn $cmd --no-such-option exited $rc: $(cat "$tmp/err")"
    case $cmd in
    bleu | plot | chat-template | convert) ;;
    *) [ "$n_numeric" -gt 0 ] || bad "attn $cmd --help lists no numeric option" ;;
    esac
done
[ "$checked" -ge 100 ] || bad "only $checked options found in the commands' --help"

# a mistyped option gets the nearest one
run train --bach 4
[ "$rc" -eq 2 ] && grep -q "^attn train: error: unknown option '--bach'; did you mean '--batch'?" "$tmp/err" ||
    bad "train --bach: $(cat "$tmp/err")"
# --help's defaults are the values used: generate's -n (the library's sampler default)
"$ATTN" generate --help | grep -q -- "--max-tokens N .*(default 200)" || bad "generate --help: no default 200 for -n"

[ "$fails" -eq 0 ] || { echo "option_tables.sh: $fails failures ($checked options)"; exit 1; }
echo "option_tables.sh: ok ($checked options)"
