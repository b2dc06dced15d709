#!/bin/sh
# Bahdanau et al.'s Figure 2 in miniature: RNNsearch (attention) and
# RNNencdec (one fixed vector) trained with the same budget (TRAIN_MINUTES
# of wall time each, same sizes, batches and schedule; by default side by
# side, one core each; PARALLEL=0 THREADS=2 trains one after the other on
# both cores), then BLEU by source length: the test sentences are split
# into thirds by their number of source words, each third scored with
# `attn bleu` for both models. Writes WORK/length_bleu.csv,
# WORK/length_bleu.tsv and WORK/length_bleu.svg (attn plot; and .png when
# rsvg-convert is installed) and prints the table; on the synthetic task
# also WORK/alignment.svg, RNNsearch's attention on one test sentence.
#   TASK=synthetic (the default): the reordering task of
#     recipes/reorder_task.sh (adjective after the noun in the source, before
#     it in the target; 3-60 words; 40,000 training pairs) with a 1,200-token
#     BPE learnt on it by `attn tokenizer train`.
#   TASK=bible: Spanish -> English verses of data/bible-en-es with its
#     shared 8,000-token BPE (an 8,000-word output layer and real verses:
#     far fewer updates per minute than the synthetic task).
#   sh recipes/rnnsearch_length.sh                        # 15 minutes, both models at once
#   TRAIN_MINUTES=0.5 TEST_LINES=60 sh recipes/rnnsearch_length.sh   # a smoke test
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
TASK=${TASK:-synthetic} TRAIN_MINUTES=${TRAIN_MINUTES:-15} EMBED=${EMBED:-128} HIDDEN=${HIDDEN:-256} BATCH_TOKENS=${BATCH_TOKENS:-1024}
LR=${LR:-3e-3} WARMUP=${WARMUP:-100} PARALLEL=${PARALLEL:-1} THREADS=${THREADS:-1} TEST_LINES=${TEST_LINES:-0} BEAM=${BEAM:-1} SEED=${SEED:-1}
WORK=${WORK:-runs/rnnsearch_length_$TASK}
mkdir -p "$WORK"
case $TASK in
bible)
    DATA=data/bible-en-es
    TOKENIZER=$DATA/tokenizer.json
    TITLE="BLEU by source length (Bible, Spanish -> English)" ;;
synthetic)
    DATA=$WORK/task
    TOKENIZER=$DATA/tok/tokenizer.json
    TITLE="BLEU by source length (synthetic reordering task)"
    if [ ! -f "$TOKENIZER" ]; then
        sh recipes/reorder_task.sh "$DATA" 40000 "$SEED"
        cut -f1 "$DATA/train.tsv" >"$DATA/train.txt"
        cut -f2 "$DATA/train.tsv" >>"$DATA/train.txt"
        "$ATTN" tokenizer train --type bpe --vocab-size 1200 --special-tokens '<s>,<pad>,</s>,<unk>' \
            -o "$DATA/tok" "$DATA/train.txt" >/dev/null
    fi
    cut -f1 "$DATA/test.tsv" >"$DATA/test.es"
    cut -f2 "$DATA/test.tsv" >"$DATA/test.en" ;;
*) echo "rnnsearch_length.sh: TASK must be synthetic or bible, not '$TASK'" >&2; exit 1 ;;
esac
[ -f "$WORK/data/train.pairs" ] || "$ATTN" prepare --pairs --wrap eos -t "$TOKENIZER" -o "$WORK/data" \
    --val "$DATA/valid.tsv" "$DATA/train.tsv" >/dev/null
take() { if [ "$TEST_LINES" -gt 0 ]; then head -n "$TEST_LINES" "$1"; else cat "$1"; fi; }
take "$DATA/test.es" >"$WORK/test.es"
take "$DATA/test.en" >"$WORK/test.en"
# train_one ARCH: train, then translate the test sources greedily (or with BEAM)
train_one() {
    arch=$1
    rm -rf "$WORK/$arch"
    t0=$(date +%s)
    "$ATTN" train --data "$WORK/data" --out "$WORK/$arch" --arch "$arch" --width "$EMBED" --hidden "$HIDDEN" \
        --batch-tokens "$BATCH_TOKENS" --lr "$LR" --warmup "$WARMUP" --min-lr "$LR" --steps 1000000 \
        --time-limit "$TRAIN_MINUTES" --eval-every 500 --eval-batches 10 --seed "$SEED" --threads "$THREADS"
    t1=$(date +%s)
    steps=$(tail -n 1 "$WORK/$arch/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
    val=$(tail -n 1 "$WORK/$arch/train_log.jsonl" | sed -n 's/.*"val_loss": \([0-9.e+-]*\).*/\1/p')
    "$ATTN" translate -m "$WORK/$arch" --beam "$BEAM" --batch 32 --threads "$THREADS" "$WORK/test.es" >"$WORK/$arch.en"
    echo "$arch: $steps steps in $((t1 - t0)) s, validation loss $val; test translated in $(($(date +%s) - t1)) s"
}
if [ "$PARALLEL" = 1 ]; then
    # the same budget side by side: one core each for the same wall time
    # (their progress interleaved on the terminal as it comes, each under its log's name)
    : >"$WORK/rnnsearch.log"
    : >"$WORK/rnnencdec.log"
    tail -n +1 -f "$WORK/rnnsearch.log" "$WORK/rnnencdec.log" &
    tailer=$!
    train_one rnnsearch >"$WORK/rnnsearch.log" 2>&1 &
    p1=$!
    train_one rnnencdec >"$WORK/rnnencdec.log" 2>&1 &
    p2=$!
    ok=0
    wait "$p1" || ok=1
    wait "$p2" || ok=1
    sleep 1
    kill "$tailer" 2>/dev/null || true
    [ "$ok" = 0 ] || { echo "rnnsearch_length.sh: training failed" >&2; exit 1; }
else
    train_one rnnsearch
    train_one rnnencdec
fi
# bucket of each test line (1, 2, 3): thirds by the rank of its source word count (ties in line order)
awk '{ print NR "\t" NF }' "$WORK/test.es" | sort -t "$(printf '\t')" -k2,2n -k1,1n |
    awk -v n="$(wc -l <"$WORK/test.es")" '{ b = int(3 * (NR - 1) / n) + 1; print $1 "\t" b "\t" $2 }' |
    sort -n >"$WORK/buckets.tsv"
printf 'bucket,source_words,sentences,rnnsearch_bleu,rnnencdec_bleu\n' >"$WORK/length_bleu.csv"
printf 'source words\tRNNsearch\tRNNencdec\n' >"$WORK/length_bleu.tsv"
for b in 1 2 3; do
    cut -f2 "$WORK/buckets.tsv" | paste - "$WORK/test.en" | awk -F'\t' -v b="$b" '$1 == b { print $2 }' >"$WORK/ref.$b"
    range=$(awk -F'\t' -v b="$b" '$2 == b { if (lo == "" || $3 < lo) lo = $3; if ($3 > hi) hi = $3; n++ } END { print lo "-" hi " " n }' \
        "$WORK/buckets.tsv")
    row="$b,${range% *},${range#* }"
    tsv="${range% *}"
    for arch in rnnsearch rnnencdec; do
        cut -f2 "$WORK/buckets.tsv" | paste - "$WORK/$arch.en" | awk -F'\t' -v b="$b" '$1 == b { print $2 }' >"$WORK/$arch.$b"
        score=$("$ATTN" bleu --ref "$WORK/ref.$b" "$WORK/$arch.$b" --json | sed 's/{"score": \([0-9.]*\),.*/\1/')
        row="$row,$score"
        tsv="$tsv	$score"
    done
    echo "$row" >>"$WORK/length_bleu.csv"
    echo "$tsv" >>"$WORK/length_bleu.tsv"
done
"$ATTN" plot "$WORK/length_bleu.tsv" --svg "$WORK/length_bleu.svg" --title "$TITLE" \
    --x-title "source sentence length (words), thirds of the test set" --y-title "BLEU"
echo "overall: RNNsearch $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/rnnsearch.en")"
echo "overall: RNNencdec $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/rnnencdec.en")"
column -s, -t <"$WORK/length_bleu.csv" 2>/dev/null || cat "$WORK/length_bleu.csv"
# the attention of RNNsearch on one test sentence (the synthetic task's line 47: three
# noun-adjective pairs, each swapped in the target)
if [ "$TASK" = synthetic ]; then
    "$ATTN" align -m "$WORK/rnnsearch" --src-eos --src "$(sed -n 47p "$DATA/test.tsv" | cut -f1)" \
        --svg "$WORK/alignment.svg" --json "$WORK/alignment.json" --threads "$THREADS" \
        --title "RNNsearch attention, synthetic reordering task (test sentence)" >/dev/null
fi
if command -v rsvg-convert >/dev/null 2>&1; then # PNG too where librsvg's converter is installed
    rsvg-convert "$WORK/length_bleu.svg" -o "$WORK/length_bleu.png"
    [ ! -f "$WORK/alignment.svg" ] || rsvg-convert "$WORK/alignment.svg" -o "$WORK/alignment.png"
fi
echo "wrote $WORK/length_bleu.csv and $WORK/length_bleu.svg"
