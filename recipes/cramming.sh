#!/bin/sh
# recipes/cramming.sh — Cramming (Geiping & Goldstein 2022) in miniature:
# which BERT does a fixed wall-clock budget buy, with BERT's original recipe
# or with the crammed one, and what is each change worth?
#
# Every run pretrains the same encoder (4 layers, 4 heads, width 192,
# sequence length 128, batch 32, a 4000-token WordPiece vocabulary, masked
# LM with dynamic masking, AdamW at 1e-3, weight decay 0.01, no dropout) on
# the Austen corpus of recipes/bert_austen.sh for MINUTES minutes of
# training (--time-limit), then is fine-tuned alike on its task (which of
# the six novels a 48-word passage comes from; validation passages never
# seen in pretraining) and scored by validation accuracy and macro-F1.
#
#   original      post-LN blocks with biases, the MLM head on every
#                 position, and a schedule sized for HORIZON budgets (linear
#                 warmup, linear decay to 0 at HORIZON x the budget's steps:
#                 like BERT's 1M-step schedule, it is cut by the budget)
#   crammed       --pre-ln --no-bias --activation geglu --sparse-mlm, the
#                 one-cycle schedule ending at 0 exactly at the budget (its
#                 steps calibrated from a short run of the same options)
#   - schedule    crammed, with the original's long schedule
#   - pre-LN      crammed, with post-LN blocks and biases
#   - sparse      crammed, with the head on every position
# (GEGLU: the MLP's up projection, 4 x the width, is gate | up, and its
# output layer takes half of that.)
# All runs warm up over the same WARMUP_PCT percent of the budget's steps.
# A run's step count comes from its own measured step time (CAL_STEPS steps
# of the same options), so runs that step faster take more steps in the
# same minutes. The table: options, steps taken, training seconds, MLM
# validation loss (fixed windows and masks, so comparable), accuracy and
# macro-F1; OUT/cramming.csv holds the same.
#
#   sh recipes/cramming.sh                        # MINUTES=4: about 30 min on 2 cores
#   MINUTES=0.2 FINETUNE_STEPS=10 sh recipes/cramming.sh   # a smoke test
# Not done: Cramming's batch-size ramp.
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/cramming}
MINUTES=${MINUTES:-4}
HORIZON=${HORIZON:-4}
WARMUP_PCT=${WARMUP_PCT:-6}
CAL_STEPS=${CAL_STEPS:-20}
FINETUNE_STEPS=${FINETUNE_STEPS:-200}
THREADS=${THREADS:-}
B=32 T=128
[ -x "$ATTN" ] || { echo "cramming: build attn first (make)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"
task=$OUT/task
OUT=$task DATA_ONLY=1 ATTN=$ATTN sh recipes/bert_austen.sh

PRE="--objective mlm --data $task/data --layers 4 --heads 4 --width 192 --context $T --batch $B --seq-len $T
    --lr 1e-3 --weight-decay 0.01 --schedule one-cycle --min-lr 0 --eval-batches 20 ${THREADS:+--threads $THREADS}"
CRAMMED="--pre-ln --no-bias --activation geglu --sparse-mlm"

# per_step OPTIONS...: the seconds of one training step with these options
per_step() {
    # shellcheck disable=SC2086
    "$ATTN" train $PRE --steps "$CAL_STEPS" --eval-every 0 --out "$OUT/calibrate" --overwrite "$@" > /dev/null
    awk -v tok=$((B * T)) 'NR > 3 { match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16); n++ }
        END { printf "%.6f", t / n }' "$OUT/calibrate/train_log.jsonl"
}

echo "name,options,horizon,budget_steps,steps,train_s,val_loss,accuracy,macro_f1" > "$OUT/cramming.csv"
# run NAME HORIZON OPTIONS...: pretrain for the budget (the schedule HORIZON budgets long), fine-tune, one CSV row
run() {
    name=$1 horizon=$2
    shift 2
    echo "== $name: ${*:-(BERT's recipe)}, the schedule $horizon budget(s) long"
    per=$(per_step "$@")
    steps=$(awk -v m="$MINUTES" -v per="$per" 'BEGIN { s = int(0.97 * m * 60 / per); print s < 10 ? 10 : s }')
    warmup=$(awk -v s="$steps" -v p="$WARMUP_PCT" 'BEGIN { w = int(s * p / 100); print w < 1 ? 1 : w }')
    # shellcheck disable=SC2086
    "$ATTN" train $PRE --steps $((steps * horizon)) --warmup "$warmup" --time-limit "$MINUTES" --eval-every 0 \
        --out "$OUT/$name" "$@"
    log=$OUT/$name/train_log.jsonl
    done_steps=$(tail -n 1 "$log" | grep -o '"step": [0-9]*' | cut -d' ' -f2)
    secs=$(awk -v tok=$((B * T)) '{ match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16) }
        END { printf "%.1f", t }' "$log")
    val=$(grep -o '"val_loss": [0-9.]*' "$log" | tail -n 1 | cut -d' ' -f2)
    "$ATTN" train --objective classify --init "$OUT/$name" --data "$task/train.tsv" --val "$task/val.tsv" \
        --out "$OUT/ft_$name" --steps "$FINETUNE_STEPS" --batch 32 --lr 1e-3 --warmup 30 --weight-decay 0.01 \
        --dropout 0.1 --eval-every 100 ${THREADS:+--threads $THREADS}
    scores=$(tail -n 1 "$OUT/ft_$name/train_log.jsonl" | awk '{
        match($0, /"val_accuracy": [0-9.eE+-]+/); a = substr($0, RSTART + 16, RLENGTH - 16)
        match($0, /"val_macro_f1": [0-9.eE+-]+/); f = substr($0, RSTART + 16, RLENGTH - 16)
        printf "%s,%s", a, f }')
    echo "$name,$*,$horizon,$steps,$done_steps,$secs,$val,$scores" >> "$OUT/cramming.csv"
}

# shellcheck disable=SC2086
run original "$HORIZON"
run crammed 1 $CRAMMED
run no-schedule "$HORIZON" $CRAMMED
run no-pre-ln 1 --activation geglu --sparse-mlm
run no-sparse 1 --pre-ln --no-bias --activation geglu

echo
echo "Cramming in miniature: $MINUTES minutes of pretraining each, then $FINETUNE_STEPS fine-tuning steps"
printf '| run | options | schedule | steps | training s | MLM val loss | accuracy | macro-F1 |\n'
printf '|---|---|---|---:|---:|---:|---:|---:|\n'
awk -F, 'NR > 1 { printf "| %s | %s | %s | %d of %d | %.0f | %.4f | %.2f%% | %.4f |\n", $1, $2 == "" ? "-" : $2,
    $3 == 1 ? "to 0 at the budget" : "cut (" $3 " budgets long)", $5, $4 * $3, $6, $7, 100 * $8, $9 }' "$OUT/cramming.csv"
echo "cramming: one row per run in $OUT/cramming.csv" >&2
