#!/bin/sh
# Muon against AdamW on the README demo's model (character-level Austen,
# 4 layers, width 192, context 64, batch 32): for each seed, AdamW trains
# STEPS steps (the baseline) and Muon the same steps; the table gives each
# run's final validation loss and the step and training seconds at which the
# Muon run first reached the AdamW run's final validation loss (validation
# every EVAL steps). Both use the demo's AdamW settings for what AdamW
# trains (--lr 3e-3, warmup 50, cosine to 3e-4, weight decay 0.1); Muon takes
# the blocks' matrices at --muon-lr MUON_LR.
#   sh recipes/muon.sh                      (3 seeds x 2 runs; about 5 min on 2 quiet cores)
#   SEEDS="1 2 3 4 5" STEPS=600 sh recipes/muon.sh
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/muon}
SEEDS=${SEEDS:-1 2 3}
STEPS=${STEPS:-300}
EVAL=${EVAL:-25}
MUON_LR=${MUON_LR:-0.02}
mkdir -p "$OUT"
[ -f "$OUT/data/meta.json" ] || "$ATTN" prepare -t char -o "$OUT/data" data/austen/*.txt > /dev/null
common="--data $OUT/data --layers 4 --heads 4 --width 192 --context 64 --batch 32 --steps $STEPS --lr 3e-3 --min-lr 3e-4
    --warmup 50 --weight-decay 0.1 --clip 1.0 --eval-every $EVAL --eval-batches 20 --overwrite"
# last_val LOG: the final validation loss; reach LOG TARGET: "step seconds" at
# which the validation loss first was <= TARGET (seconds: the steps' tokens /
# tokens_per_s summed, evaluations left out), or "- -"
last_val() { grep -o '"val_loss": [0-9.]*' "$1" | tail -n 1 | cut -d' ' -f2; }
reach() {
    awk -v target="$2" -v tok=$((32 * 64)) '
        { match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16) }
        /"val_loss"/ { match($0, /"val_loss": [0-9.]+/); v = substr($0, RSTART + 12, RLENGTH - 12)
                       match($0, /"step": [0-9]+/); s = substr($0, RSTART + 8, RLENGTH - 8)
                       if (v + 0 <= target + 0) { printf "%d %.1f\n", s, t; found = 1; exit } }
        END { if (!found) print "- -" }' "$1"
}
secs() { # LOG: the run's training seconds (tokens / tokens_per_s over its steps)
    awk -v tok=$((32 * 64)) '{ match($0, /"tokens_per_s": [0-9.]+/); t += tok / substr($0, RSTART + 16, RLENGTH - 16) }
        END { printf "%.1f", t }' "$1"
}
printf '| seed | AdamW final val | AdamW s | Muon final val | Muon s | Muon reaches AdamW final at step | ... after s |\n'
printf '|---|---|---|---|---|---|---|\n'
for seed in $SEEDS; do
    # shellcheck disable=SC2086
    "$ATTN" train $common --seed "$seed" --out "$OUT/adamw-$seed"
    # shellcheck disable=SC2086
    "$ATTN" train $common --seed "$seed" --out "$OUT/muon-$seed" --optimizer muon --muon-lr "$MUON_LR"
    a=$(last_val "$OUT/adamw-$seed/train_log.jsonl")
    m=$(last_val "$OUT/muon-$seed/train_log.jsonl")
    ta=$(secs "$OUT/adamw-$seed/train_log.jsonl")
    tm=$(secs "$OUT/muon-$seed/train_log.jsonl")
    r=$(reach "$OUT/muon-$seed/train_log.jsonl" "$a")
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$seed" "$a" "$ta" "$m" "$tm" "${r% *}" "${r#* }"
done
