#!/bin/sh
# Bahdanau et al.'s Figure 3 in miniature: an RNNsearch trained on the
# Spanish -> English Bible verses of data/bible-en-es for TRAIN_MINUTES of
# wall time (RESUME_MINUTES > 0 continues a trained model for that long),
# then `attn align` on a test verse (John 2:19, "Respondió Jesús, y
# díjoles: ..." -> "Jesus answered and said unto them, ...": the verb moves
# after its subject) writes the attention weights as an SVG heatmap and as
# JSON. After training it also translates the test split greedily and
# prints its BLEU.
#   sh recipes/rnnsearch_align.sh                   # 12 minutes of training on 2 cores
#   THREADS=1 TRAIN_MINUTES=14 sh recipes/rnnsearch_align.sh &&
#   THREADS=1 RESUME_MINUTES=20 OUT=docs/figures sh recipes/rnnsearch_align.sh   # the committed figure
#   SENTENCE="..." sh recipes/rnnsearch_align.sh    # another sentence (the trained model is reused)
#   TRAIN_MINUTES=0.3 TEST_LINES=20 sh recipes/rnnsearch_align.sh   # a smoke test
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
TRAIN_MINUTES=${TRAIN_MINUTES:-12} EMBED=${EMBED:-128} HIDDEN=${HIDDEN:-256} BATCH_TOKENS=${BATCH_TOKENS:-1024}
LR=${LR:-2e-3} WARMUP=${WARMUP:-100} RESUME_MINUTES=${RESUME_MINUTES:-0} THREADS=${THREADS:-0} TEST_LINES=${TEST_LINES:-0} SEED=${SEED:-1}
SENTENCE=${SENTENCE:-"Respondió Jesús, y díjoles: Destruid este templo, y en tres días lo levantaré."}
WORK=${WORK:-runs/rnnsearch_align}
OUT=${OUT:-$WORK}
DATA=data/bible-en-es
mkdir -p "$WORK" "$OUT"
[ -f "$WORK/data/train.pairs" ] || "$ATTN" prepare --pairs --wrap eos -t "$DATA/tokenizer.json" -o "$WORK/data" \
    --val "$DATA/valid.tsv" "$DATA/train.tsv" >/dev/null
train() { # MINUTES [--resume]
    t0=$(date +%s)
    "$ATTN" train --data "$WORK/data" --out "$WORK/model" --arch rnnsearch --width "$EMBED" --hidden "$HIDDEN" \
        --batch-tokens "$BATCH_TOKENS" --lr "$LR" --warmup "$WARMUP" --min-lr "$LR" --steps 1000000 \
        --time-limit "$1" --eval-every 500 --eval-batches 10 --seed "$SEED" --threads "$THREADS" ${2:-}
    steps=$(tail -n 1 "$WORK/model/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
    val=$(tail -n 1 "$WORK/model/train_log.jsonl" | sed -n 's/.*"val_loss": \([0-9.e+-]*\).*/\1/p')
    echo "trained $steps steps in $(($(date +%s) - t0)) s; validation loss $val"
}
if [ ! -f "$WORK/model/model.safetensors" ] || [ "$RESUME_MINUTES" != 0 ]; then
    if [ ! -f "$WORK/model/model.safetensors" ]; then train "$TRAIN_MINUTES"; else train "$RESUME_MINUTES" --resume; fi
    take() { if [ "$TEST_LINES" -gt 0 ]; then head -n "$TEST_LINES" "$1"; else cat "$1"; fi; }
    take "$DATA/test.es" >"$WORK/test.es"
    take "$DATA/test.en" >"$WORK/test.en"
    "$ATTN" translate -m "$WORK/model" --batch 32 --threads "$THREADS" "$WORK/test.es" >"$WORK/test.out"
    echo "test BLEU (greedy): $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/test.out")"
fi
"$ATTN" align -m "$WORK/model" --src-eos --src "$SENTENCE" --svg "$OUT/rnnsearch_alignment.svg" \
    --json "$OUT/rnnsearch_alignment.json" --title "RNNsearch attention, Spanish -> English (Bible test verse)" \
    --threads "$THREADS"
if command -v rsvg-convert >/dev/null 2>&1; then # PNG too where librsvg's converter is installed
    rsvg-convert "$OUT/rnnsearch_alignment.svg" -o "$OUT/rnnsearch_alignment.png"
fi
echo "wrote $OUT/rnnsearch_alignment.svg and $OUT/rnnsearch_alignment.json"
