#!/bin/sh
# The README demo: a character-level GPT (4 layers, 4 heads, width 192,
# context 64; 1.8M parameters) trained on Jane Austen's six novels for 800
# steps of 32 x 64 characters (about 3 minutes on 2 cores), then sampled.
# Every setting is on the command line below; override with env variables.
# The model goes to runs/austen-char (replaced on each run: --overwrite).
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN:-./attn}
DATA=${DATA:-runs/austen-char-data}
OUT=${OUT:-runs/austen-char}
STEPS=${STEPS:-800}
"$ATTN" prepare -t char -o "$DATA" data/austen/*.txt
"$ATTN" train --data "$DATA" --out "$OUT" \
    --layers 4 --heads 4 --width 192 --context 64 \
    --batch 32 --steps "$STEPS" --lr 3e-3 --min-lr 3e-4 --warmup 50 \
    --weight-decay 0.1 --clip 1.0 --eval-every 200 --eval-batches 20 --seed 1337 --overwrite
echo
echo "--- samples (temperature 0.8) ---"
"$ATTN" generate -m "$OUT" -p "It is a truth universally acknowledged" -n 400 --temperature 0.8 --seed 1
echo
"$ATTN" generate -m "$OUT" -n 400 --temperature 0.8 --seed 2
echo
"$ATTN" score -m "$OUT" data/austen/persuasion.txt
echo
echo "The model is in $OUT. Next: $ATTN generate -m $OUT -p \"Emma\" -n 200; $ATTN score -m $OUT FILE;"
echo "more steps: rerun the train command above with --resume --steps N (see README.md)."
