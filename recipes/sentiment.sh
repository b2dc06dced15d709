#!/bin/sh
# Sentiment control in miniature (the DPO paper's IMDb experiment, shrunk to
# Jane Austen; docs/alignment.md): InstructGPT's pipeline (a reward model
# learned from preference pairs, then PPO against it with a KL penalty) and
# DPO on the same pairs, judged by a true reward that neither trains on:
# VADER's sentiment lexicon score of the completion (src/eval/sentiment.c,
# data/sentiment/vader_lexicon.tsv).
#
#  1. The SFT model: a GPT (4 layers, 4 heads, width 192, context 64) with
#     a 2,048-token byte-level BPE learned from the six novels, trained on
#     them (LM_STEPS steps): in-domain text, the role of the paper's GPT-2
#     fine-tuned on IMDb. (Word pieces, not characters: a reward model of
#     characters learned the lexicon's words from the pairs too slowly.)
#  2. Prompts: the first three words of lines of the novels (at most 54 -
#     MAX_NEW characters, so that prompt and completion fit the context):
#     N_TRAIN from five of them for training, 256 held out from Persuasion.
#  3. Pairs: K completions of MAX_NEW tokens per prompt sampled from the
#     SFT model (attn rollout), every two whose lexicon scores differ by
#     0.5 or more as a pair, the higher chosen (PAIRS="" keeps only each
#     prompt's highest and lowest, the DPO paper's way; every clear pair
#     gives a small reward model more to learn from); the same for the
#     held-out prompts, and their highest-and-lowest pairs apart
#     (pairs_heldout_extremes.jsonl).
#  4. A reward model (attn train --objective reward from the SFT model) on
#     the pairs: its held-out pairwise accuracy.
#  5. PPO against the learned reward at each KL coefficient of PPO_KLS
#     (PPO_STEPS updates, 4 per rollout of 32 completions; the lexicon is
#     only logged); DPO on the pairs at each beta of DPO_BETAS (DPO_STEPS
#     steps at DPO_LR), and at each beta of DPO_FAST_BETAS at DPO_FAST_LR
#     (trained hard: far from the SFT model), its held-out implicit-reward
#     accuracy.
#  6. Every model (and the SFT model) samples EVAL_K completions of each
#     held-out prompt: the mean lexicon score (the true reward), the mean
#     learned reward and KL(policy || SFT) per completion (the mean of log
#     pi - log pi_SFT over the samples), into OUT/frontier.tsv and
#     OUT/frontier.svg (true reward against KL, one line per method).
#  7. Reward over-optimisation: the PPO run at OVEROPT_KL (a small
#     coefficient, OVEROPT_STEPS updates) logs each rollout's learned and
#     lexicon rewards and its KL; both rewards, as gains over the SFT model
#     in units of the SFT samples' standard deviation, against KL, into
#     OUT/overopt.tsv and OUT/overopt.svg.
# Each stage is skipped when its output exists (rerun into the same OUT to
# finish a run cut short), and prints its time. The whole recipe took 1,296 s
# (21.6 minutes) on a quiet 2-core EPYC (2026-12-07); docs/alignment.md has
# the results.
#   sh recipes/sentiment.sh                   # OUT=runs/sentiment THREADS=2
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/sentiment}
THREADS=${THREADS:-2}
LM_STEPS=${LM_STEPS:-1500}
N_TRAIN=${N_TRAIN:-3000}
K=${K:-4}
PAIRS=${PAIRS---pairs-all --pairs-gap 0.5}
MAX_NEW=${MAX_NEW:-24}
RM_STEPS=${RM_STEPS:-600}
RM_LR=${RM_LR:-3e-4}
PPO_KLS=${PPO_KLS:-0.02 0.05 0.2 0.5}
PPO_STEPS=${PPO_STEPS:-200}
PPO_LR=${PPO_LR:-1e-4}
DPO_BETAS=${DPO_BETAS:-0.05 0.1 0.3 1}
DPO_STEPS=${DPO_STEPS:-300}
DPO_LR=${DPO_LR:-1e-4}
DPO_FAST_BETAS=${DPO_FAST_BETAS-0.1}
DPO_FAST_LR=${DPO_FAST_LR:-1e-3}
EVAL_K=${EVAL_K:-4}
OVEROPT_KL=${OVEROPT_KL:-0.002}
OVEROPT_STEPS=${OVEROPT_STEPS:-600}
LEX=data/sentiment/vader_lexicon.tsv
T="--threads $THREADS"
mkdir -p "$OUT"
t_start=$(date +%s) t_last=$(date +%s)
took() { t=$(date +%s); echo "[$1: $((t - t_last)) s]"; t_last=$t; }

# prompts FILES... : the first three words of every line with at least eight
# words, as JSON lines; at most 54 - MAX_NEW characters (a BPE token holds one at least)
prompts() {
    awk -v max=$((54 - MAX_NEW)) 'NF >= 8 && $1 !~ /^(CHAPTER|Chapter|VOLUME)/ && length($1 " " $2 " " $3) <= max {
            p = $1 " " $2 " " $3; gsub(/\\/, "\\\\", p); gsub(/"/, "\\\"", p); printf "{\"prompt\": \"%s\"}\n", p }' "$@"
}
prompts data/austen/emma.txt data/austen/mansfieldpark.txt data/austen/northangerabbey.txt data/austen/prideprejudice.txt \
    data/austen/sensesensibility.txt | awk 'NR % 9 == 0' | head -n "$N_TRAIN" > "$OUT/prompts.jsonl"
prompts data/austen/persuasion.txt | awk 'NR % 20 == 0' | head -n 256 > "$OUT/heldout.jsonl"

# 1. the SFT model
[ -f "$OUT/tok/tokenizer.json" ] || "$ATTN" tokenizer train --type bpe --vocab-size 2048 -o "$OUT/tok" data/austen/*.txt > /dev/null
[ -f "$OUT/data/meta.json" ] || "$ATTN" prepare -t "$OUT/tok" -o "$OUT/data" data/austen/*.txt > /dev/null
[ -f "$OUT/sft/model.safetensors" ] || "$ATTN" train --data "$OUT/data" --out "$OUT/sft" --layers 4 --heads 4 --width 192 \
    --context 64 --batch 32 --steps "$LM_STEPS" --lr 3e-3 --min-lr 3e-4 --warmup 50 --weight-decay 0.1 --clip 1 \
    --eval-every 500 --seed 1 $T
took "tokenizer, data and SFT model"

# 3. preference pairs ranked by the lexicon
for s in train heldout heldout_extremes; do
    src=$OUT/prompts.jsonl seed=1 how=$PAIRS
    [ $s != train ] && src=$OUT/heldout.jsonl seed=2
    [ $s = heldout_extremes ] && how=
    [ -f "$OUT/pairs_$s.jsonl" ] || "$ATTN" rollout -m "$OUT/sft" --prompts "$src" -k "$K" --max-new "$MAX_NEW" --seed $seed \
        --lexicon "$LEX" --pairs-out "$OUT/pairs_$s.jsonl" $how $T > "$OUT/pairs_$s.summary.json"
done
echo "pairs: $(wc -l < "$OUT/pairs_train.jsonl") for training, $(wc -l < "$OUT/pairs_heldout.jsonl") held out"
took "sampled pairs"

# 4. the reward model
[ -f "$OUT/rm/model.safetensors" ] || "$ATTN" train --objective reward --init "$OUT/sft" --data "$OUT/pairs_train.jsonl" \
    --val "$OUT/pairs_heldout.jsonl" --out "$OUT/rm" --steps "$RM_STEPS" --batch 32 --lr "$RM_LR" --dropout 0.1 --warmup 20 \
    --eval-every 100 --seed 1 $T
last() { grep "\"$2\"" "$1/train_log.jsonl" | tail -n 1 | grep -o "\"$2\": [-0-9.e]*" | cut -d' ' -f2; }
echo "reward model: held-out pairwise accuracy $(last "$OUT/rm" val_reward_accuracy)," \
    "on the held-out prompts' highest-and-lowest pairs: $("$ATTN" reward -m "$OUT/rm" --pairs "$OUT/pairs_heldout_extremes.jsonl" $T 2>&1 > /dev/null | grep -o '[0-9.]*%')"
took "reward model"

# 5. PPO at each KL coefficient, DPO at each beta
ppo() { # ppo DIR KL STEPS
    [ -f "$1/model.safetensors" ] || "$ATTN" train --objective ppo --init "$OUT/sft" --reward "$OUT/rm" \
        --prompts "$OUT/prompts.jsonl" --lexicon "$LEX" --max-new "$MAX_NEW" --batch 32 --ppo-epochs 4 --kl-coef "$2" \
        --lr "$PPO_LR" --steps "$3" --warmup 0 --seed 1 --out "$1" $T
}
for kl in $PPO_KLS; do ppo "$OUT/ppo-$kl" "$kl" "$PPO_STEPS"; done
dpo() { # dpo NAME BETA LR
    [ -f "$OUT/$1/model.safetensors" ] || "$ATTN" train --objective dpo --init "$OUT/sft" --data "$OUT/pairs_train.jsonl" \
        --val "$OUT/pairs_heldout.jsonl" --beta "$2" --steps "$DPO_STEPS" --batch 32 --lr "$3" --warmup 20 \
        --eval-every 100 --seed 1 --out "$OUT/$1" $T
    echo "dpo beta $2 lr $3: held-out implicit-reward accuracy $(last "$OUT/$1" val_reward_accuracy)"
}
for beta in $DPO_BETAS; do dpo "dpo-$beta" "$beta" "$DPO_LR"; done
for beta in $DPO_FAST_BETAS; do dpo "dpo-fast-$beta" "$beta" "$DPO_FAST_LR"; done
took "PPO and DPO"

# 6. the frontier on the held-out prompts
evaluate() { # evaluate NAME DIR
    [ -f "$OUT/eval/$1.json" ] || "$ATTN" rollout -m "$2" --ref "$OUT/sft" --reward "$OUT/rm" --lexicon "$LEX" \
        --prompts "$OUT/heldout.jsonl" -k "$EVAL_K" --max-new "$MAX_NEW" --seed 3 -o "$OUT/eval/$1.jsonl" $T > "$OUT/eval/$1.json.tmp"
    [ -f "$OUT/eval/$1.json" ] || mv "$OUT/eval/$1.json.tmp" "$OUT/eval/$1.json"
}
num() { grep -o "\"$2\":[-0-9.e]*" "$1" | cut -d: -f2; }
mkdir -p "$OUT/eval"
evaluate sft "$OUT/sft"
for kl in $PPO_KLS; do evaluate "ppo-$kl" "$OUT/ppo-$kl"; done
for beta in $DPO_BETAS; do evaluate "dpo-$beta" "$OUT/dpo-$beta"; done
for beta in $DPO_FAST_BETAS; do evaluate "dpo-fast-$beta" "$OUT/dpo-fast-$beta"; done
{
    printf 'model\tkl\tkl_se\tlexicon\tlexicon_se\tlearned_reward\n'
    for m in sft $(for kl in $PPO_KLS; do echo "ppo-$kl"; done) $(for b in $DPO_BETAS; do echo "dpo-$b"; done) \
        $(for b in $DPO_FAST_BETAS; do echo "dpo-fast-$b"; done); do
        f=$OUT/eval/$m.json
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$m" "$(num "$f" kl_mean)" "$(num "$f" kl_se)" "$(num "$f" lexicon_mean)" \
            "$(num "$f" lexicon_se)" "$(num "$f" reward_mean)"
    done
} > "$OUT/frontier_table.tsv"
# the plot's table: x = KL, a column per method, each line from the SFT model
# through its runs from the strongest KL constraint to the weakest
rev() { r=; for w in "$@"; do r="$w $r"; done; echo $r; }
col() { awk -F'\t' -v m="$1" '$1 == m { printf "%s\t%s", $2, $4 }' "$OUT/frontier_table.tsv"; }
{
    printf 'kl\tPPO (learned reward)\tDPO\n'
    set -- $(col sft); printf '%s\t%s\t%s\n' "$1" "$2" "$2"
    for kl in $(rev $PPO_KLS); do set -- $(col "ppo-$kl"); printf '%s\t%s\t-\n' "$1" "$2"; done
    for b in $(rev $DPO_BETAS); do set -- $(col "dpo-$b"); printf '%s\t-\t%s\n' "$1" "$2"; done
    for b in $(rev $DPO_FAST_BETAS); do set -- $(col "dpo-fast-$b"); printf '%s\t-\t%s\n' "$1" "$2"; done
} > "$OUT/frontier.tsv"
"$ATTN" plot --xy "$OUT/frontier.tsv" --svg "$OUT/frontier.svg" --title "Sentiment control: true reward against KL (256 held-out prompts)" \
    --x-title "KL(policy || SFT) per completion (nats)" --y-title "mean lexicon score of the completions"
took "evaluation"

# 7. over-optimisation: a long PPO run at a small KL coefficient
ppo "$OUT/ppo-overopt" "$OVEROPT_KL" "$OVEROPT_STEPS"
sd() { awk -v k="\"$2\":" '{ for (i = 1; i <= NF; i++) if (index($i, k) == 1) { v = substr($i, length(k) + 1) + 0; s += v; q += v * v; n++ } }
    END { m = s / n; printf "%.6f %.6f", m, sqrt((q - n * m * m) / (n - 1)) }' FS='[,{}]' "$1"; }
set -- $(sd "$OUT/eval/sft.jsonl" reward) $(sd "$OUT/eval/sft.jsonl" lexicon)
awk -v rm="$1" -v rs="$2" -v lm="$3" -v ls="$4" -v group=5 '
    function val(k) { return match($0, "\"" k "\": [-0-9.e]+") ? substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 4) + 0 : 0 }
    BEGIN { print "kl\tlearned reward (RM)\ttrue reward (lexicon)" }
    /"reward_mean"/ && (n++ % 4 == 0) { kl += val("kl"); r += val("reward_mean"); l += val("lexicon_reward"); c++
        if (c == group) { printf "%.4f\t%.4f\t%.4f\n", kl / c, (r / c - rm) / rs, (l / c - lm) / ls; kl = r = l = c = 0 } }' \
    "$OUT/ppo-overopt/train_log.jsonl" > "$OUT/overopt.tsv"
"$ATTN" plot --xy "$OUT/overopt.tsv" --svg "$OUT/overopt.svg" \
    --title "PPO at KL coefficient $OVEROPT_KL: learned and true reward" --x-title "KL(policy || SFT) per completion (nats)" \
    --y-title "gain over SFT (SFT standard deviations)"
took "over-optimisation run"

echo
echo "held-out prompts: $(wc -l < "$OUT/heldout.jsonl") x $EVAL_K completions"
column -t -s "$(printf '\t')" "$OUT/frontier_table.tsv" 2> /dev/null || cat "$OUT/frontier_table.tsv"
echo "figures: $OUT/frontier.svg, $OUT/overopt.svg"
echo "[all stages: $(($(date +%s) - t_start)) s]"
