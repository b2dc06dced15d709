#!/bin/sh
# End-to-end: sequence-to-sequence training, translation and scoring on a
# slice of the Bible Spanish->English data, for a tiny Transformer and a
# tiny RNNsearch: `attn train` on pair shards (loss falls, validation loss
# logged, translate.json written), a run stopped and resumed gives the
# uninterrupted run's log and weights bit for bit, `attn translate` greedy,
# beam 4 and n-best (line counts, scores sorted, no special tokens), `attn
# score --pairs`; bad inputs exit 1 with one "attn <cmd>: error:" line.
ATTN_BIN=${ATTN_BIN:-./attn}
DATA=data/bible-en-es
ATTN_THREADS=1 # tiny models: one thread is fastest, and the machine is shared
export ATTN_THREADS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_translate.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "translate.sh: FAIL: $*"; exit 1; }

head -n 160 "$DATA/train.tsv" >"$tmp/train.tsv"
head -n 12 "$DATA/valid.tsv" >"$tmp/val.tsv"
"$ATTN_BIN" prepare --pairs -t "$DATA/tokenizer.json" -o "$tmp/d" --val "$tmp/val.tsv" --max-len 48 "$tmp/train.tsv" \
    >/dev/null 2>"$tmp/err" || fail "prepare --pairs exited $?: $(cat "$tmp/err")"
head -n 6 "$DATA/test.tsv" | cut -f1 >"$tmp/src.txt"
head -n 6 "$DATA/test.tsv" >"$tmp/pairs.tsv"

# expect_error CMD PATTERN ARGS...: exit 1, exactly one stderr line "attn CMD: error: ..." matching PATTERN
expect_error() {
    cmd=$1 pat=$2
    shift 2
    "$ATTN_BIN" "$cmd" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "${rc_want:-1}" ] || fail "attn $cmd $* exited $rc (wanted ${rc_want:-1}): $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "attn $cmd $*: wanted one error line, got: $(cat "$tmp/err")"
    grep -Eq "^attn $cmd: error: .*$pat" "$tmp/err" || fail "attn $cmd $*: error '$(cat "$tmp/err")' does not match '$pat'"
}

# strip_speed LOG: the log without the timing field
strip_speed() { sed 's/, "tokens_per_s": [0-9.]*//' "$1"; }

run_arch() { # ARCH EXTRA-TRAIN-OPTIONS...
    arch=$1
    shift
    common="--data $tmp/d --arch $arch --steps 8 --batch-tokens 600 --eval-every 4 --eval-batches 2 --seed 5 --quiet"
    "$ATTN_BIN" train $common "$@" --out "$tmp/$arch" --eval-bleu 4 2>"$tmp/err" || fail "$arch: train exited $?: $(cat "$tmp/err")"
    for f in config.json model.safetensors tokenizer.json trainer_state.safetensors train_log.jsonl translate.json; do
        [ -s "$tmp/$arch/$f" ] || fail "$arch: missing $f"
    done
    grep -q '"src_bos": 0, "src_eos": 2, "tgt_bos": 0, "tgt_eos": 2' "$tmp/$arch/translate.json" ||
        fail "$arch: translate.json is $(cat "$tmp/$arch/translate.json")"
    [ "$(wc -l <"$tmp/$arch/train_log.jsonl")" -eq 8 ] || fail "$arch: log has $(wc -l <"$tmp/$arch/train_log.jsonl") lines"
    grep -c '"val_loss"' "$tmp/$arch/train_log.jsonl" | grep -qx 2 || fail "$arch: validation not logged at steps 4 and 8"
    grep -c '"val_bleu"' "$tmp/$arch/train_log.jsonl" | grep -qx 2 || fail "$arch: val_bleu not logged"
    first=$(head -n 1 "$tmp/$arch/train_log.jsonl" | sed 's/.*"loss": \([0-9.e+-]*\),.*/\1/')
    last=$(tail -n 1 "$tmp/$arch/train_log.jsonl" | sed 's/.*"loss": \([0-9.e+-]*\),.*/\1/')
    awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a - 0.05) }' || fail "$arch: loss did not fall ($first -> $last)"

    # stop at 5, resume: the same log and weights as the run that never stopped
    "$ATTN_BIN" train $common "$@" --out "$tmp/$arch-r" --eval-bleu 4 --stop-at 5 2>"$tmp/err" || fail "$arch: --stop-at failed: $(cat "$tmp/err")"
    "$ATTN_BIN" train $common "$@" --out "$tmp/$arch-r" --eval-bleu 4 --resume 2>"$tmp/err" || fail "$arch: --resume failed: $(cat "$tmp/err")"
    strip_speed "$tmp/$arch/train_log.jsonl" >"$tmp/a.log"
    strip_speed "$tmp/$arch-r/train_log.jsonl" >"$tmp/b.log"
    cmp -s "$tmp/a.log" "$tmp/b.log" || fail "$arch: resumed log differs: $(diff "$tmp/a.log" "$tmp/b.log" | head -4)"
    cmp -s "$tmp/$arch/model.safetensors" "$tmp/$arch-r/model.safetensors" || fail "$arch: resumed weights differ"
    expect_error train "settings of the original run" $common "$@" --out "$tmp/$arch-r" --resume --label-smoothing 0.2
    expect_error train "no trainer_state" $common "$@" --out "$tmp/$arch-none" --resume

    # translate: greedy, beam 4, n-best 3 with scores
    m="$tmp/$arch"
    "$ATTN_BIN" translate -m "$m" --max-len 12 "$tmp/src.txt" >"$tmp/greedy" 2>"$tmp/err" || fail "$arch: translate: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/greedy")" -eq 6 ] || fail "$arch: greedy printed $(wc -l <"$tmp/greedy") lines for 6 sources"
    "$ATTN_BIN" translate -m "$m" --max-len 12 --beam 4 --batch 4 <"$tmp/src.txt" >"$tmp/beam" 2>"$tmp/err" ||
        fail "$arch: beam 4: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/beam")" -eq 6 ] || fail "$arch: beam printed $(wc -l <"$tmp/beam") lines"
    "$ATTN_BIN" translate -m "$m" --max-len 12 --beam 4 --n-best 3 --scores --batch 1 "$tmp/src.txt" >"$tmp/nbest" 2>"$tmp/err" ||
        fail "$arch: n-best: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/nbest")" -eq 18 ] || fail "$arch: n-best 3 printed $(wc -l <"$tmp/nbest") lines for 6 sources"
    awk -F'\t' '{ s = $1 + 0; if (NR % 3 != 1 && s > prev + 1e-6) bad = 1; prev = s } END { exit bad }' "$tmp/nbest" ||
        fail "$arch: n-best scores not sorted per source"
    cut -f2- "$tmp/nbest" | awk 'NR % 3 == 1' >"$tmp/best"
    cmp -s "$tmp/best" "$tmp/beam" || fail "$arch: the n-best lists' first lines differ from beam 4's output"
    grep -q '<s>\|</s>\|<pad>' "$tmp/greedy" "$tmp/beam" && fail "$arch: special tokens in the output"

    # score --pairs
    out=$("$ATTN_BIN" score -m "$m" --pairs "$tmp/pairs.tsv" --json 2>"$tmp/err") || fail "$arch: score --pairs: $(cat "$tmp/err")"
    printf '%s\n' "$out" | grep -Eq '^\{"nll": [0-9.]+, "ppl": [0-9.]+, "tokens": [1-9][0-9]*, "total_nll": [0-9.]+, "pairs": 6\}$' ||
        fail "$arch: score --pairs printed '$out'"
    "$ATTN_BIN" score -m "$m" --pairs "$tmp/pairs.tsv" --per-pair >"$tmp/pp" 2>"$tmp/err" || fail "$arch: --per-pair: $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/pp")" -eq 7 ] || fail "$arch: --per-pair printed $(wc -l <"$tmp/pp") lines"

    # bad inputs
    printf 'Hola\n\nadios\n' >"$tmp/empty.txt"
    expect_error translate "line 2: empty source" -m "$m" "$tmp/empty.txt"
    printf 'Hola\n\377\376\n' >"$tmp/utf8.txt"
    expect_error translate "utf8.txt: line 2: invalid UTF-8 at byte offset 5 \\(0xff\\)" -m "$m" "$tmp/utf8.txt"
    rc_want=2 # bad usage
    expect_error translate "--n-best 3 is more than --beam 2" -m "$m" --beam 2 --n-best 3 "$tmp/src.txt"
    rc_want=1
    expect_error translate "" -m "$tmp/nonexistent" "$tmp/src.txt"
    printf 'uno\tone\ndos two\n' >"$tmp/notab.tsv"
    expect_error score "notab.tsv:2: no tab" -m "$m" --pairs "$tmp/notab.tsv"
    printf 'uno\tone\ndos\t \n' >"$tmp/emptyside.tsv"
    expect_error score "line 2: empty target" -m "$m" --pairs "$tmp/emptyside.tsv"
    printf '\tone\n' >"$tmp/emptysrc.tsv"
    expect_error score "line 1: empty source" -m "$m" --pairs "$tmp/emptysrc.tsv"
}

run_arch transformer --layers 1 --heads 2 --width 32 --ffn 64 --context 64 --label-smoothing 0.1 --schedule inverse-sqrt --warmup 4 --lr 2
# a source longer than the Transformer's 64 positions
awk 'BEGIN { for (i = 0; i < 80; i++) printf "palabra%d ", i; print "" }' >"$tmp/long.txt"
expect_error translate "positions" -m "$tmp/transformer" "$tmp/long.txt"
expect_error translate "positions" -m "$tmp/transformer" --max-len 100 "$tmp/src.txt"
run_arch rnnsearch --width 32 --hidden 32 --lr 1e-2 --warmup 1

# pair data is needed for --arch; a model that is not a translation model cannot translate
printf 'some plain text for a language model\n' >"$tmp/plain.txt"
expect_error train "pair data" --data "$tmp/nodata" --out "$tmp/x" --arch rnnsearch
# a width that the heads do not divide: said in the options' terms (width, heads), not config names
for arch in transformer bart; do
    expect_error train "a new model's width \(30\) must be a positive multiple of its number of attention heads \(4\)$" \
        --data "$tmp/d" --out "$tmp/w-$arch" --arch $arch --width 30 --heads 4 --steps 1
done
exit 0
