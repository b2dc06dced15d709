#!/usr/bin/env bash
# GPT-2 BPE encode throughput, single thread: attn vs HF tokenizers vs tiktoken on the Austen
# corpus (bench/bench_tokenizer.py has the details). Prints a table (MB/s, best of 3,
# interleaved) and the throughput ratios attn/tiktoken and attn/HF; "attn: n/a" when attn
# cannot tokenize GPT-2 BPE yet.
#   bench/bench_tokenizer.sh [--reps N] [--json FILE] [--attn PATH]
# Env: PYTHON (default .venv/bin/python), ATTN_BIN (default ./attn).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false OMP_NUM_THREADS=1
exec "$PYTHON" bench/bench_tokenizer.py "$@"
