#!/bin/sh
# PPO on the built-in arithmetic task, with and without PPO-ptx
# (docs/alignment.md). A character-level GPT (2 layers, width 64, 4 heads,
# context 32) is pretrained on 20,000 random sums "A+B=C" (A, B < 50), then
# tuned with --objective ppo --reward arith for STEPS updates, once plain
# and once with --ptx-coef PTX on its pretraining shards. Prints the greedy
# exact match on the 64 held-out prompts (the log's val_exact_match, every
# 100 steps), the next-token NLL (attn score) on 2,000 other sums for the
# pretrained model and both tuned ones, and each PPO run's seconds. The
# pretrained model's exact match comes from one PPO step at --lr 1e-30,
# which leaves every weight as it was (checked with cmp). The sums come
# from a Park-Miller generator in plain awk arithmetic, so every awk writes
# the same files. A finished model is not trained again.
#   sh recipes/ppo_arith.sh                 # OUT=runs/ppo-arith STEPS=400 PTX=1 THREADS=2
set -eu
ATTN=${ATTN_BIN:-./attn}
OUT=${OUT:-runs/ppo-arith}
STEPS=${STEPS:-400}
PTX=${PTX:-1}
THREADS=${THREADS:-2}
mkdir -p "$OUT"
sums() { # sums N SEED
    awk -v n="$1" -v seed="$2" 'function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }
        BEGIN { state = seed * 7919 + 17; for (i = 0; i < n; i++) { a = int(rnd() * 50); b = int(rnd() * 50); print a "+" b "=" a + b } }'
}
sums 20000 1 > "$OUT/sums.txt"
sums 2000 2 > "$OUT/heldout.txt"
"$ATTN" prepare -o "$OUT/data" "$OUT/sums.txt" > /dev/null
[ -f "$OUT/lm/model.safetensors" ] || "$ATTN" train --data "$OUT/data" --out "$OUT/lm" --layers 2 --width 64 --heads 4 \
    --context 32 --steps 1500 --batch 32 --lr 3e-3 --threads "$THREADS"
arith="--objective ppo --init $OUT/lm --reward arith --prompts arith --batch 64 --max-new 4 --ppo-epochs 4 --kl-coef 0.02 \
    --threads $THREADS"
[ -f "$OUT/base/model.safetensors" ] || "$ATTN" train $arith --lr 1e-30 --steps 1 --eval-every 1 --out "$OUT/base"
cmp -s "$OUT/base/model.safetensors" "$OUT/lm/model.safetensors" || { echo "the --lr 1e-30 step moved the weights"; exit 1; }
ppo="$arith --lr 3e-4 --steps $STEPS --eval-every 100"
t0=$(date +%s)
[ -f "$OUT/ppo/model.safetensors" ] || "$ATTN" train $ppo --out "$OUT/ppo"
t1=$(date +%s)
[ -f "$OUT/ptx/model.safetensors" ] || "$ATTN" train $ppo --ptx-coef "$PTX" --data "$OUT/data" --seq-len 32 --out "$OUT/ptx"
t2=$(date +%s)
nll() { "$ATTN" score -m "$1" "$OUT/heldout.txt" --json | grep -o '"nll": [0-9.]*' | cut -d' ' -f2; }
em() { grep -o '"val_exact_match": [0-9.]*' "$1/train_log.jsonl" | cut -d' ' -f2 | tr '\n' ' '; }
echo "model       heldout_nll  val_exact_match (every 100 steps)"
echo "pretrained  $(nll "$OUT/lm")   $(em "$OUT/base")"
echo "ppo         $(nll "$OUT/ppo")   $(em "$OUT/ppo")"
echo "ppo+ptx     $(nll "$OUT/ptx")   $(em "$OUT/ptx")"
echo "seconds: ppo $((t1 - t0)), ppo+ptx $((t2 - t1))"
