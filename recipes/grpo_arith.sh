#!/bin/sh
# GRPO on the built-in arithmetic task (docs/alignment.md): greedy exact
# match on the 64 held-out prompts before and after. The pretrained model
# is recipes/ppo_arith.sh's: a character-level GPT (2 layers, width 64,
# 4 heads, context 32) trained on 20,000 random sums "A+B=C" (A, B < 50)
# from the same Park-Miller generator, in PRE (reused when it is there,
# trained by the same command when not). --objective grpo --data arith
# then samples GROUP completions for each of BATCH prompts a step and takes
# STEPS updates at LR with a KL penalty KL to the pretrained model. Prints
# the log's val_exact_match (every 100 steps), the next-token NLL (attn
# score) on 2,000 other sums for the pretrained and the tuned model, the
# mean sampled reward of the first and last 40 steps and the run's
# seconds. The pretrained model's exact match comes from one GRPO step at
# --lr 1e-30, which leaves every weight as it was (checked with cmp). A
# finished run is not trained again.
#   sh recipes/grpo_arith.sh     # OUT=runs/grpo-arith PRE=runs/ppo-arith STEPS=400 BATCH=16 GROUP=16 LR=3e-4 KL=0.02
set -eu
ATTN=${ATTN_BIN:-./attn}
OUT=${OUT:-runs/grpo-arith}
PRE=${PRE:-runs/ppo-arith}
STEPS=${STEPS:-400}
BATCH=${BATCH:-16}
GROUP=${GROUP:-16}
LR=${LR:-3e-4}
KL=${KL:-0.02}
THREADS=${THREADS:-2}
mkdir -p "$OUT" "$PRE"
sums() { # sums N SEED
    awk -v n="$1" -v seed="$2" 'function rnd() { state = (state * 16807) % 2147483647; return state / 2147483647 }
        BEGIN { state = seed * 7919 + 17; for (i = 0; i < n; i++) { a = int(rnd() * 50); b = int(rnd() * 50); print a "+" b "=" a + b } }'
}
sums 2000 2 > "$OUT/heldout.txt"
if [ ! -f "$PRE/lm/model.safetensors" ]; then
    sums 20000 1 > "$PRE/sums.txt"
    "$ATTN" prepare -o "$PRE/data" "$PRE/sums.txt" > /dev/null
    "$ATTN" train --data "$PRE/data" --out "$PRE/lm" --layers 2 --width 64 --heads 4 \
        --context 32 --steps 1500 --batch 32 --lr 3e-3 --threads "$THREADS"
fi
g="--objective grpo --init $PRE/lm --data arith --batch $BATCH --group $GROUP --kl $KL --threads $THREADS"
[ -f "$OUT/base/model.safetensors" ] || "$ATTN" train $g --lr 1e-30 --steps 1 --eval-every 1 --out "$OUT/base"
cmp -s "$OUT/base/model.safetensors" "$PRE/lm/model.safetensors" || { echo "the --lr 1e-30 step moved the weights"; exit 1; }
run="grpo-b$BATCH-g$GROUP-lr$LR-kl$KL-s$STEPS"
t0=$(date +%s)
[ -f "$OUT/$run/model.safetensors" ] || "$ATTN" train $g --lr "$LR" --steps "$STEPS" --eval-every 100 --out "$OUT/$run"
t1=$(date +%s)
em() { grep -o '"val_exact_match": [0-9.]*' "$1/train_log.jsonl" | cut -d' ' -f2 | tr '\n' ' '; }
reward() { # mean reward_mean over the first (head) or last (tail) 40 steps
    grep -o '"reward_mean": [0-9.]*' "$OUT/$run/train_log.jsonl" | cut -d' ' -f2 | "$1" -n 40 |
        awk '{ s += $1 } END { printf "%.3f", s / NR }'
}
nll() { "$ATTN" score -m "$1" "$OUT/heldout.txt" --json | grep -o '"nll": [0-9.]*' | cut -d' ' -f2; }
echo "model       heldout_nll  val_exact_match (every 100 steps)"
echo "pretrained  $(nll "$PRE/lm")   $(em "$OUT/base")"
echo "grpo        $(nll "$OUT/$run")   $(em "$OUT/$run")"
echo "reward_mean: first 40 steps $(reward head), last 40 $(reward tail)"
echo "seconds: grpo $((t1 - t0)) ($run)"
