#!/bin/sh
# End-to-end: `attn prepare` on a small corpus succeeds and writes its four
# files; a missing, an empty and a non-UTF-8 input each fail with exit status
# 1 and a single "attn prepare: error: ..." line naming the file (bad usage:
# exit status 2).
ATTN_BIN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_prepare.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "prepare.sh: FAIL: $*"; exit 1; }

printf 'It is a truth universally acknowledged,\nthat a single man in possession\nof a good fortune,\nmust be in want of a wife.\n' >"$tmp/a.txt"
printf 'Καλημέρα κόσμε\nhello again\nlast line\n' >"$tmp/b.txt"

# ---- success
out=$("$ATTN_BIN" prepare -t char -o "$tmp/out" --val-fraction 0.3 "$tmp/a.txt" "$tmp/b.txt" 2>"$tmp/err") ||
    fail "prepare exited $?: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "unexpected stderr: $(cat "$tmp/err")"
printf '%s\n' "$out" | grep -Eq '^prepared [0-9,]+ train \+ [0-9,]+ val tokens \(vocab [0-9]+\) into ' ||
    fail "unexpected summary: $out"
for f in train.bin val.bin tokenizer.json meta.json; do
    [ -s "$tmp/out/$f" ] || fail "missing $f"
done
[ "$(head -c 8 "$tmp/out/train.bin")" = ATTNTOK1 ] || fail "train.bin has no ATTNTOK1 magic"
# a.txt: 118 bytes; split point 82 -> cut after the newline at 90: "must be ... wife.\n" (27) to val.
# b.txt: 50 bytes, 42 code points; split point 35 -> cut after the newline at 39: "last line\n" (10) to val.
# train = (91 + 1) + (27 + 1) tokens, val = (27 + 1) + (10 + 1).
n_train=$(printf '%s\n' "$out" | sed -n 's/^prepared \([0-9,]*\) train.*/\1/p' | tr -d ,)
n_val=$(printf '%s\n' "$out" | sed -n 's/.* + \([0-9,]*\) val.*/\1/p' | tr -d ,)
[ "$n_train" = 120 ] || fail "n_train $n_train, expected 120"
[ "$n_val" = 39 ] || fail "n_val $n_val, expected 39"
size=$(wc -c <"$tmp/out/val.bin" | tr -d ' ')
[ "$size" = $((32 + 2 * 39)) ] || fail "val.bin is $size bytes, expected $((32 + 2 * 39))"
grep -q '"n_train":[[:space:]]*120' "$tmp/out/meta.json" || fail "meta.json lacks n_train 120"

# ---- reuse the saved tokenizer
"$ATTN_BIN" prepare --tokenizer "$tmp/out" --out="$tmp/out2" "$tmp/b.txt" >/dev/null 2>"$tmp/err" ||
    fail "prepare with a saved tokenizer exited $?: $(cat "$tmp/err")"

# ---- failures: exit 1, nothing on stdout, one line on stderr mentioning error and the file
expect_error() { # expect_error NAME FILE_IN_MESSAGE ARGS...
    name=$1; want=$2; shift 2
    "$ATTN_BIN" prepare "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    rc=$?
    [ "$rc" -eq "${rc_want:-1}" ] || fail "$name: exit status $rc, expected ${rc_want:-1}"
    [ -s "$tmp/stdout" ] && fail "$name: unexpected stdout: $(cat "$tmp/stdout")"
    lines=$(wc -l <"$tmp/stderr" | tr -d ' ')
    [ "$lines" = 1 ] || fail "$name: expected one line on stderr, got $lines: $(cat "$tmp/stderr")"
    grep -q '^attn prepare: error: ' "$tmp/stderr" || fail "$name: no 'error' line: $(cat "$tmp/stderr")"
    grep -qF -e "$want" "$tmp/stderr" || fail "$name: message does not mention '$want': $(cat "$tmp/stderr")"
}
: >"$tmp/empty.txt"
printf 'caf\351 au lait\n' >"$tmp/latin1.txt"
expect_error "missing file" "$tmp/nope.txt" -o "$tmp/bad1" "$tmp/a.txt" "$tmp/nope.txt"
expect_error "empty file" "$tmp/empty.txt" -o "$tmp/bad2" "$tmp/empty.txt"
expect_error "non-UTF-8 file" "line 1: invalid UTF-8 at byte offset 3 (0xe9)" -o "$tmp/bad3" "$tmp/latin1.txt"
expect_error "non-UTF-8 file" "$tmp/latin1.txt" -o "$tmp/bad3" "$tmp/latin1.txt"
rc_want=2 # bad usage: a bad option value, a missing -o or input, an unknown option
expect_error "bad val fraction" "--val-fraction must be a finite number in [0, 0.5], not '0.9'" -o "$tmp/bad4" --val-fraction 0.9 "$tmp/a.txt"
expect_error "no output dir" "-o" "$tmp/a.txt"
expect_error "no inputs" "no input" -o "$tmp/bad5"
expect_error "unknown option" "--frobnicate" --frobnicate -o "$tmp/bad6" "$tmp/a.txt"
rc_want=1
for d in bad1 bad2 bad3 bad4; do [ -e "$tmp/$d" ] && fail "$d was created despite the error"; done

"$ATTN_BIN" prepare --help | grep -q '^usage: attn prepare' || fail "--help prints no usage"
echo "prepare.sh: ok"
