#!/bin/sh
# Bahdanau et al.'s Figure 2 in miniature: RNNsearch (attention) and
# RNNencdec (one fixed vector) trained with the same budget (TRAIN_MINUTES
# of wall time each, same sizes, batches and schedule) on Spanish -> English
# Bible verses, then BLEU by source length: the test verses are split into
# thirds by their number of source words, each third scored with `attn
# bleu` for both models. Writes WORK/length_bleu.csv, WORK/length_bleu.tsv
# and WORK/length_bleu.svg (attn plot) and prints the table.
#   sh recipes/rnnsearch_length.sh                        # 13 minutes per model
#   TRAIN_MINUTES=0.5 TEST_LINES=60 sh recipes/rnnsearch_length.sh   # a smoke test
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
TRAIN_MINUTES=${TRAIN_MINUTES:-13} EMBED=${EMBED:-128} HIDDEN=${HIDDEN:-256} BATCH_TOKENS=${BATCH_TOKENS:-2048}
LR=${LR:-1e-3} WARMUP=${WARMUP:-100} THREADS=${THREADS:-0} TEST_LINES=${TEST_LINES:-0} BEAM=${BEAM:-1} SEED=${SEED:-1}
WORK=${WORK:-build/rnnsearch_length}
DATA=data/bible-en-es
mkdir -p "$WORK"
[ -f "$WORK/data/train.pairs" ] || "$ATTN" prepare --pairs --wrap eos -t "$DATA/tokenizer.json" -o "$WORK/data" \
    --val "$DATA/valid.tsv" "$DATA/train.tsv" >/dev/null
take() { if [ "$TEST_LINES" -gt 0 ]; then head -n "$TEST_LINES" "$1"; else cat "$1"; fi; }
take "$DATA/test.es" >"$WORK/test.es"
take "$DATA/test.en" >"$WORK/test.en"
for arch in rnnsearch rnnencdec; do
    rm -rf "$WORK/$arch"
    t0=$(date +%s)
    "$ATTN" train --data "$WORK/data" --out "$WORK/$arch" --arch "$arch" --width "$EMBED" --hidden "$HIDDEN" \
        --batch-tokens "$BATCH_TOKENS" --lr "$LR" --warmup "$WARMUP" --min-lr "$LR" --steps 1000000 \
        --time-limit "$TRAIN_MINUTES" --eval-every 500 --eval-batches 10 --seed "$SEED" --threads "$THREADS" --quiet
    t1=$(date +%s)
    steps=$(tail -n 1 "$WORK/$arch/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
    val=$(tail -n 1 "$WORK/$arch/train_log.jsonl" | sed -n 's/.*"val_loss": \([0-9.e+-]*\).*/\1/p')
    "$ATTN" translate -m "$WORK/$arch" --beam "$BEAM" --batch 32 --threads "$THREADS" "$WORK/test.es" >"$WORK/$arch.en"
    echo "$arch: $steps steps in $((t1 - t0)) s, validation loss $val; test translated in $(($(date +%s) - t1)) s"
done
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
"$ATTN" plot "$WORK/length_bleu.tsv" --svg "$WORK/length_bleu.svg" --title "BLEU by source length (Spanish -> English)" \
    --x-title "source sentence length (words), thirds of the test set" --y-title "BLEU"
echo "overall: RNNsearch $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/rnnsearch.en")"
echo "overall: RNNencdec $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/rnnencdec.en")"
column -s, -t <"$WORK/length_bleu.csv" 2>/dev/null || cat "$WORK/length_bleu.csv"
echo "wrote $WORK/length_bleu.csv and $WORK/length_bleu.svg"
