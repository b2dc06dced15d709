#!/bin/sh
# A small Transformer (Vaswani et al.'s recipe, scaled down) for Spanish ->
# English on the Bible verses of data/bible-en-es: 3 + 3 layers, width 256,
# FFN 1024, 4 heads, label smoothing 0.1, inverse-sqrt schedule with warmup,
# ~2048-token batches, bf16 matrix products (fp32 master weights), no
# dropout (a run this short is far from overfitting), trained for
# TRAIN_MINUTES of wall time
# (the schedule does not depend on the step count); then the test set is
# translated greedily and with beam 4, and both are scored with `attn bleu`
# against data/bible-en-es/test.en.
#   sh recipes/translate_bible.sh                       # 28 minutes of training
#   TRAIN_MINUTES=2 EVAL_BLEU=0 TEST_LINES=40 sh recipes/translate_bible.sh   # a smoke test
#   TEST_LINES=200 ...                                  # translate only the first 200 test verses
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
TRAIN_MINUTES=${TRAIN_MINUTES:-28} LAYERS=${LAYERS:-3} HEADS=${HEADS:-4} WIDTH=${WIDTH:-256} FFN=${FFN:-1024}
BATCH_TOKENS=${BATCH_TOKENS:-2048} WARMUP=${WARMUP:-400} LR=${LR:-0.5} DROPOUT=${DROPOUT:-0} PRECISION=${PRECISION:-bf16}
THREADS=${THREADS:-0} TEST_LINES=${TEST_LINES:-0} BEAM=${BEAM:-4} SEED=${SEED:-1} EVAL_BLEU=${EVAL_BLEU:-100}
WORK=${WORK:-runs/translate_bible}
DATA=data/bible-en-es
mkdir -p "$WORK"
[ -f "$WORK/data/train.pairs" ] || "$ATTN" prepare --pairs --wrap eos -t "$DATA/tokenizer.json" -o "$WORK/data" \
    --val "$DATA/valid.tsv" "$DATA/train.tsv" >/dev/null
rm -rf "$WORK/model"
t0=$(date +%s)
"$ATTN" train --data "$WORK/data" --out "$WORK/model" --arch transformer --layers "$LAYERS" --heads "$HEADS" \
    --width "$WIDTH" --ffn "$FFN" --context 256 --dropout "$DROPOUT" --label-smoothing 0.1 \
    --schedule inverse-sqrt --warmup "$WARMUP" --lr "$LR" --beta2 0.98 --eps 1e-9 --weight-decay 0 \
    --batch-tokens "$BATCH_TOKENS" --steps 1000000 --time-limit "$TRAIN_MINUTES" --eval-every 500 --eval-batches 10 \
    --eval-bleu "$EVAL_BLEU" --precision "$PRECISION" --seed "$SEED" --threads "$THREADS"
t1=$(date +%s)
steps=$(tail -n 1 "$WORK/model/train_log.jsonl" | sed 's/{"step": \([0-9]*\),.*/\1/')
val=$(tail -n 1 "$WORK/model/train_log.jsonl" | sed -n 's/.*"val_loss": \([0-9.e+-]*\).*/\1/p')
echo "trained $steps steps in $((t1 - t0)) s; validation loss $val"
take() { if [ "$TEST_LINES" -gt 0 ]; then head -n "$TEST_LINES" "$1"; else cat "$1"; fi; }
take "$DATA/test.es" >"$WORK/test.es"
take "$DATA/test.en" >"$WORK/test.en"
"$ATTN" translate -m "$WORK/model" --batch 32 --threads "$THREADS" "$WORK/test.es" >"$WORK/greedy.en"
t2=$(date +%s)
"$ATTN" translate -m "$WORK/model" --batch 16 --beam "$BEAM" --threads "$THREADS" "$WORK/test.es" >"$WORK/beam.en"
t3=$(date +%s)
echo "greedy ($((t2 - t1)) s): $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/greedy.en")"
echo "beam $BEAM ($((t3 - t2)) s): $("$ATTN" bleu --ref "$WORK/test.en" "$WORK/beam.en")"
