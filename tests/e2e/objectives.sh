#!/bin/sh
# The objective table's kind check (src/train/objective.c): a model the
# row does not train, given with --init, is refused in one error line
# naming the row and what the model is (the registry's description), for
# pair data as for the other rows.
ATTN_BIN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_objectives.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "objectives.sh: FAIL: $*"; exit 1; }

# expect_error PATTERN ARGS...: attn train exits 1 with one stderr line "attn train: error: ..." matching PATTERN
expect_error() {
    pat=$1
    shift
    "$ATTN_BIN" train "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "attn train $* exited $rc: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "attn train $*: wanted one error line, got: $(cat "$tmp/err")"
    grep -Eq "^attn train: error: $pat" "$tmp/err" || fail "attn train $*: error '$(cat "$tmp/err")' does not match '$pat'"
}

head -c 4000 data/austen/emma.txt >"$tmp/a.txt"
"$ATTN_BIN" prepare -t char -o "$tmp/shards" "$tmp/a.txt" >/dev/null || fail "prepare"
"$ATTN_BIN" train --data "$tmp/shards" --layers 1 --heads 2 --width 8 --context 16 --batch 2 --steps 1 --quiet \
    --out "$tmp/gpt" || fail "a GPT-2 model"
head -n 40 data/bible-en-es/train.tsv >"$tmp/train.tsv"
"$ATTN_BIN" prepare --pairs -t data/bible-en-es/tokenizer.json -o "$tmp/pairs" --max-len 48 "$tmp/train.tsv" \
    >/dev/null 2>"$tmp/err" || fail "prepare --pairs: $(cat "$tmp/err")"

expect_error "pair data trains an encoder-decoder or RNN model; $tmp/gpt is a GPT-2 model$" \
    --data "$tmp/pairs" --init "$tmp/gpt" --out "$tmp/x" --steps 1
expect_error "--objective denoise trains a BART encoder-decoder; $tmp/gpt is a GPT-2 model$" \
    --objective denoise --data "$tmp/shards" --init "$tmp/gpt" --out "$tmp/x" --steps 1
echo ok
