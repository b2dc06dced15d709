#!/bin/sh
# recipes/chinchilla_mini.sh — Chinchilla's IsoFLOP experiment in miniature:
# GPTs of 6 sizes trained at each of 3 FLOP budgets (attn sweep, every run's
# schedule sized to end at its budget with --budget-flops) on Jane Austen's
# novels and the English Bible (KJV side of data/bible-en-es) with a
# byte-level BPE that attn trains, then attn scaling fit: the exponents a, b
# of N_opt ~ C^a and D_opt ~ C^b by the three approaches with bootstrap
# intervals, the parametric law, the tokens per parameter at the optimum,
# and the figures (IsoFLOP profiles, N_opt against C, the fitted loss
# contours) in $OUT/figures.
#
#   sh recipes/chinchilla_mini.sh                      # the full sweep
#   QUICK=1 sh recipes/chinchilla_mini.sh              # tiny budgets: the pipeline in ~1 minute
#   BUDGETS="3e11, 1e12" SEEDS="0, 1" sh recipes/chinchilla_mini.sh
#
# Run it again to continue an interrupted sweep (finished runs are kept); set
# FRESH=1 to start over. The full sweep (6 sizes x 3 budgets) takes about 25
# minutes on 2 cores; recipes/results/chinchilla_mini/ holds a run's results.
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/chinchilla_mini}
VOCAB=${VOCAB:-2048}
CONTEXT=${CONTEXT:-128}
BATCH=${BATCH:-16}
LR=${LR:-3e-3}
SEEDS=${SEEDS:-0}
BUDGETS=${BUDGETS:-1e12, 3e12, 1e13}
# layers, heads, width: from 38K to 545K parameters with a 2048-token vocabulary (embeddings
# included), around Chinchilla's optimum for these budgets (about 90K at 1e12, 290K at 1e13),
# so that each budget's IsoFLOP profile has its minimum inside the sizes
SHAPES=${SHAPES:-'{"layers": 1, "heads": 1, "width": 16}, {"layers": 1, "heads": 2, "width": 24},
  {"layers": 1, "heads": 2, "width": 32}, {"layers": 2, "heads": 2, "width": 48}, {"layers": 2, "heads": 2, "width": 64},
  {"layers": 3, "heads": 3, "width": 96}'}
EVAL_EVERY=${EVAL_EVERY:-25}
if [ "${QUICK:-0}" = 1 ]; then
    BUDGETS="3e9, 1e10, 3e10, 1e11"
    SHAPES='{"layers": 1, "heads": 1, "width": 16}, {"layers": 1, "heads": 2, "width": 32}, {"layers": 2, "heads": 2, "width": 48},
      {"layers": 2, "heads": 2, "width": 64}, {"layers": 3, "heads": 3, "width": 96}'
    CONTEXT=64
    BATCH=8
    EVAL_EVERY=10
fi
[ -x "$ATTN" ] || { echo "chinchilla_mini: build attn first (make)" >&2; exit 1; }
[ "${FRESH:-0}" = 1 ] && rm -rf "$OUT"
mkdir -p "$OUT/corpus"

if [ ! -f "$OUT/data/train.bin" ]; then
    echo "== corpus and a $VOCAB-token BPE"
    cp data/austen/*.txt "$OUT/corpus/"
    cut -f2 data/bible-en-es/train.tsv > "$OUT/corpus/bible-kjv.txt"
    "$ATTN" tokenizer train --type bpe --vocab-size "$VOCAB" -o "$OUT/bpe" "$OUT"/corpus/*.txt
    "$ATTN" prepare -t "$OUT/bpe/tokenizer.json" -o "$OUT/data" "$OUT"/corpus/*.txt
fi

cat > "$OUT/sweep.json" <<EOF
{"data": "$OUT/data", "out": "$OUT/sweep",
 "shapes": [$SHAPES],
 "budgets": [$BUDGETS], "seeds": [$SEEDS],
 "train": {"batch": $BATCH, "context": $CONTEXT, "lr": $LR, "schedule": "cosine",
           "eval_every": $EVAL_EVERY, "eval_batches": 8, "checkpoint_every": 200}}
EOF
echo "== the sweep ($OUT/sweep.json)"
"$ATTN" sweep "$OUT/sweep.json"
echo "== the fit"
"$ATTN" scaling fit "$OUT/sweep/runs.jsonl" --json "$OUT/fit.json" --svg-dir "$OUT/figures" | tee "$OUT/fit.txt"
echo "== the optimum at the largest budget under this fit"
largest=$(echo "$BUDGETS" | tr ',' '\n' | tr -d ' ' | sort -g | tail -n 1)
"$ATTN" scaling plan --flops "$largest" --fit "$OUT/fit.json" --vocab "$VOCAB" --context "$CONTEXT" --shapes 3
echo "figures: $OUT/figures/isoflop.svg nopt.svg loss_contours.svg"
