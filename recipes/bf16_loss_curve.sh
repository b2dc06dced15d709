#!/bin/sh
# The bf16 loss-curve check: trains the same GPT on Jane Austen (character
# vocabulary, or TOKENIZER) for STEPS steps in fp32 and in bf16 (attn train
# --precision bf16), same seed, batches and schedule, and prints the largest
# relative difference between the two training-loss curves, step by step
# (and between the validation losses). Target: within 2%.
#   sh recipes/bf16_loss_curve.sh                       # 200 steps, 4L 256w
#   LAYERS=2 WIDTH=64 CONTEXT=64 BATCH=8 sh recipes/bf16_loss_curve.sh
#   # the GPT-2 124M shape (12L 768w, GPT-2 BPE, B=4, T=256; ~25 minutes on 2 cores):
#   TOKENIZER=path/to/gpt2-tokenizer LAYERS=12 HEADS=12 WIDTH=768 BATCH=4 LR=3e-4 \
#     WORK=runs/bf16_loss_curve_124m sh recipes/bf16_loss_curve.sh
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
STEPS=${STEPS:-200} LAYERS=${LAYERS:-4} HEADS=${HEADS:-4} WIDTH=${WIDTH:-256} CONTEXT=${CONTEXT:-256}
BATCH=${BATCH:-8} LR=${LR:-1e-3} THREADS=${THREADS:-0} TOKENIZER=${TOKENIZER:-char}
WORK=${WORK:-runs/bf16_loss_curve}
mkdir -p "$WORK"
[ -f "$WORK/data/train.bin" ] || "$ATTN" prepare -t "$TOKENIZER" -o "$WORK/data" data/austen/*.txt >/dev/null
for p in fp32 bf16; do
    rm -rf "$WORK/$p"
    t0=$(date +%s)
    "$ATTN" train --data "$WORK/data" --out "$WORK/$p" --precision "$p" --layers "$LAYERS" --heads "$HEADS" \
        --width "$WIDTH" --context "$CONTEXT" --batch "$BATCH" --steps "$STEPS" --lr "$LR" --eval-every 50 \
        --eval-batches 4 --threads "$THREADS"
    echo "$p: $(($(date +%s) - t0)) s"
done
# one "step loss [val]" line per step of each log
curve() { sed -n 's/.*"step": \([0-9]*\).*"loss": \([0-9.e+-]*\).*/\1 \2/p' "$WORK/$1/train_log.jsonl"; }
val() { sed -n 's/.*"step": \([0-9]*\).*"val_loss": \([0-9.e+-]*\).*/\1 \2/p' "$WORK/$1/train_log.jsonl"; }
curve fp32 > "$WORK/fp32.curve"; curve bf16 > "$WORK/bf16.curve"
val fp32 > "$WORK/fp32.val"; val bf16 > "$WORK/bf16.val"
report() { # name file-a file-b
    paste "$2" "$3" | awk -v name="$1" -v steps="$STEPS" '
        $1 != $3 { print "step mismatch: " $0; bad = 1; exit 1 }
        { d = ($2 - $4) / $2; if (d < 0) d = -d; if (d > m) { m = d; at = $1 } n++; first = first == "" ? $2 : first; la = $2; lb = $4 }
        END { if (bad) exit 1
              if (n == 0) { print name ": no values"; exit 1 }
              printf "%s: %d points, fp32 %.4f -> %.4f, bf16 last %.4f, max relative difference %.3f%% (step %d) %s\n",
                     name, n, first, la, lb, 100 * m, at, m <= 0.02 ? "(within 2%)" : "(ABOVE 2%)" }'
}
report "train loss" "$WORK/fp32.curve" "$WORK/bf16.curve"
report "val loss" "$WORK/fp32.val" "$WORK/bf16.val"
