#!/bin/sh
# End-to-end: a translation model whose weights are all huge but finite
# (every float 0x7f7f7f7f, about 3.4e38, as a corrupt or hostile checkpoint
# may hold) loads, then overflows. `attn score --pairs` printed "nll -nan",
# `attn translate` (greedy and beam) printed empty lines or "-1000000000"
# scores and `attn align` a translation of <s> tokens, all with exit 0. Each
# now exits 1 with one "attn <cmd>: error:" line naming where the first
# non-finite values appear, and prints nothing on stdout. For a tiny
# Transformer, BART, RNNsearch and RNNencdec, each trained for one step;
# the same models with their trained weights still work.
ATTN_BIN=${ATTN_BIN:-./attn}
DATA=data/bible-en-es
ATTN_THREADS=1
export ATTN_THREADS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_nonfinite.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "nonfinite_seq2seq.sh: FAIL: $*"; exit 1; }

head -n 40 "$DATA/train.tsv" >"$tmp/train.tsv"
head -n 3 "$DATA/test.tsv" >"$tmp/pairs.tsv"
cut -f1 "$tmp/pairs.tsv" >"$tmp/src.txt"
"$ATTN_BIN" prepare --pairs -t "$DATA/tokenizer.json" -o "$tmp/d" --max-len 48 "$tmp/train.tsv" >/dev/null 2>"$tmp/err" ||
    fail "prepare --pairs exited $?: $(cat "$tmp/err")"

# plant DIR: every float of DIR/model.safetensors becomes 0x7f7f7f7f (the
# 8-byte header length and the JSON header are kept)
plant() {
    f=$1/model.safetensors
    n=$(od -An -tu8 -N8 "$f" | tr -d ' ')
    off=$((8 + n))
    size=$(wc -c <"$f")
    head -c "$off" "$f" >"$f.new" || fail "plant: head"
    head -c "$((size - off))" /dev/zero | tr '\0' '\177' >>"$f.new" || fail "plant: fill"
    [ "$(wc -c <"$f.new")" -eq "$size" ] || fail "plant: size changed"
    mv "$f.new" "$f"
}

# expect_nonfinite CMD ARGS...: exit 1, nothing on stdout, one stderr line
# "attn CMD: error: non-finite values ... first appear ... weights may be corrupt"
expect_nonfinite() {
    cmd=$1
    shift
    "$ATTN_BIN" "$cmd" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 1 ] || fail "attn $cmd $* exited $rc (wanted 1): stdout '$(head -c 200 "$tmp/out")' stderr '$(cat "$tmp/err")'"
    [ -s "$tmp/out" ] && fail "attn $cmd $*: printed '$(head -c 200 "$tmp/out")' before failing"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "attn $cmd $*: wanted one error line, got: $(cat "$tmp/err")"
    grep -Eq "^attn $cmd: error: non-finite values \(NaN or infinity\) first appear in .*; the weights may be corrupt$" "$tmp/err" ||
        fail "attn $cmd $*: error '$(cat "$tmp/err")' does not name where non-finite values appear"
}

for arch in transformer bart rnnsearch rnnencdec; do
    case $arch in
    transformer | bart) size="--layers 1 --heads 2 --width 16 --ffn 32 --context 64" ;;
    *) size="--width 16 --hidden 16" ;;
    esac
    # shellcheck disable=SC2086
    "$ATTN_BIN" train --data "$tmp/d" --arch "$arch" $size --steps 1 --batch-tokens 200 --seed 3 --quiet --out "$tmp/$arch" \
        2>"$tmp/err" || fail "$arch: train exited $?: $(cat "$tmp/err")"
    m=$tmp/$arch
    # the trained weights: every command works
    "$ATTN_BIN" score -m "$m" --pairs "$tmp/pairs.tsv" >"$tmp/out" 2>"$tmp/err" || fail "$arch: score: $(cat "$tmp/err")"
    grep -q nan "$tmp/out" && fail "$arch: score printed $(cat "$tmp/out")"
    "$ATTN_BIN" translate -m "$m" --max-len 6 --beam 3 --scores "$tmp/src.txt" >"$tmp/out" 2>"$tmp/err" ||
        fail "$arch: translate: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "$arch: translate printed $(wc -l <"$tmp/out") lines for 3 sources"

    cp -r "$m" "$m-huge"
    plant "$m-huge"
    expect_nonfinite score -m "$m-huge" --pairs "$tmp/pairs.tsv"
    expect_nonfinite score -m "$m-huge" --pairs "$tmp/pairs.tsv" --json
    expect_nonfinite translate -m "$m-huge" --max-len 6 "$tmp/src.txt"
    expect_nonfinite translate -m "$m-huge" --max-len 6 --beam 3 --n-best 2 --scores "$tmp/src.txt"
    case $arch in
    rnn*) expect_nonfinite align -m "$m-huge" --src "Y Dios dijo" --json "$tmp/a.json" ;;
    esac
done
exit 0
