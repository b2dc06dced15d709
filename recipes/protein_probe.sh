#!/bin/sh
# recipes/protein_probe.sh — do masked-LM embeddings of proteins know the family?
#
# Six Pfam families shipped with Debian's hmmer-examples (Pkinase, fn3, globins4,
# RRM_1, Caudal_act, 2OG-FeII_Oxy_3; override the folders with HMM_TUTORIAL /
# HMM_TESTSUITE) each give hmmemit samples: N_TRAIN per family form the unlabelled
# masked-LM corpus (one sequence per line, `attn prepare -t amino`), and N_FIT + N_TEST
# more per family, never seen in pretraining, are the probe's fit and held-out sets.
# A small ESM-2 (--arch esm, rotary positions, token dropout) is trained by masked LM
# on the corpus; `attn embed` gives each held-out sequence's mean residue embedding
# (<cls> and <sep> left out); recipes/protein_probe.py fits a multinomial logistic
# regression (L2) on the fit set and reports held-out family accuracy for the MLM
# embeddings, for the same ESM untrained (0 steps: random weights), and for one-hot
# amino-acid composition (20 residue frequencies). The table goes to
# recipes/results/protein_probe.md (RESULTS to change).
#
# Note: hmmemit samples from per-family profile HMMs, whose emission probabilities
# differ in residue preferences, so composition alone is already informative.
#
#   sh recipes/protein_probe.sh                     # ~10 min on 2 cores
#   STEPS=200 sh recipes/protein_probe.sh           # a quick look
set -eu
ATTN=${ATTN:-./attn}
PY=${PY:-.venv/bin/python}
OUT=${OUT:-runs/protein_probe}
RESULTS=${RESULTS:-recipes/results/protein_probe.md}
HMM_TUTORIAL=${HMM_TUTORIAL:-/usr/share/doc/hmmer/examples/tutorial}
HMM_TESTSUITE=${HMM_TESTSUITE:-/usr/share/doc/hmmer/examples/testsuite}
N_TRAIN=${N_TRAIN:-400}
N_FIT=${N_FIT:-40}
N_TEST=${N_TEST:-40}
STEPS=${STEPS:-1500}
LR=${LR:-1e-3}
SIZE=${SIZE:---layers 3 --heads 4 --width 64 --context 128}
[ -x "$ATTN" ] || { echo "protein_probe: build attn first (make)" >&2; exit 1; }
command -v hmmemit >/dev/null || { echo "protein_probe: needs hmmemit (apt-get install hmmer hmmer-examples)" >&2; exit 1; }
start=$(date +%s)
rm -rf "$OUT"
mkdir -p "$OUT"
: > "$OUT/corpus.txt"
: > "$OUT/fit.fa"
: > "$OUT/test.fa"

echo "== sequences (hmmemit)"
seed=1
for fam in Pkinase fn3 globins4 RRM_1 Caudal_act 2OG-FeII_Oxy_3; do
    hmm="$HMM_TUTORIAL/$fam.hmm"
    [ -f "$hmm" ] || hmm="$HMM_TESTSUITE/$fam.hmm"
    if [ ! -f "$hmm" ]; then
        [ -f "$HMM_TESTSUITE/$fam.hmm.gz" ] || { echo "protein_probe: no $fam.hmm in $HMM_TUTORIAL or $HMM_TESTSUITE" >&2; exit 1; }
        gzip -dc "$HMM_TESTSUITE/$fam.hmm.gz" > "$OUT/$fam.hmm"
        hmm="$OUT/$fam.hmm"
    fi
    # one record per line: "family index<TAB>sequence"
    hmmemit -N $((N_TRAIN + N_FIT + N_TEST)) --seed $seed "$hmm" |
        awk -v f="$fam" '/^>/ { if (s != "") print f " " n "\t" s; n++; s = ""; next } { s = s $0 } END { print f " " n "\t" s }' \
        > "$OUT/$fam.tsv"
    head -n "$N_TRAIN" "$OUT/$fam.tsv" | cut -f2 >> "$OUT/corpus.txt"
    sed -n "$((N_TRAIN + 1)),$((N_TRAIN + N_FIT))p" "$OUT/$fam.tsv" | awk -F'\t' '{ print ">" $1; print $2 }' >> "$OUT/fit.fa"
    sed -n "$((N_TRAIN + N_FIT + 1)),\$p" "$OUT/$fam.tsv" | awk -F'\t' '{ print ">" $1; print $2 }' >> "$OUT/test.fa"
    seed=$((seed + 1))
done
wc -l < "$OUT/corpus.txt" | xargs printf "%s pretraining sequences\n"

echo "== masked-LM pretraining (ESM-2, $STEPS steps)"
"$ATTN" prepare -t amino -o "$OUT/data" "$OUT/corpus.txt"
"$ATTN" train --arch esm --objective mlm --data "$OUT/data" --out "$OUT/esm" $SIZE --batch 16 --steps "$STEPS" \
    --lr "$LR" --warmup 100 --dropout 0 --eval-every 250 --eval-batches 8 --seed 1
"$ATTN" train --arch esm --objective mlm --data "$OUT/data" --out "$OUT/esm0" $SIZE --steps 0 --seed 1
tail -n 1 "$OUT/esm/train_log.jsonl"

echo "== embeddings and probe"
for m in esm esm0; do
    "$ATTN" embed -m "$OUT/$m" "$OUT/fit.fa" -o "$OUT/$m.fit.npy"
    "$ATTN" embed -m "$OUT/$m" "$OUT/test.fa" -o "$OUT/$m.test.npy"
done
mkdir -p "$(dirname "$RESULTS")"
"$PY" recipes/protein_probe.py --fit-fasta "$OUT/fit.fa" --test-fasta "$OUT/test.fa" \
    --emb "ESM-2 MLM mean embedding ($STEPS steps)" "$OUT/esm.fit.npy" "$OUT/esm.test.npy" \
    --emb "ESM-2 untrained (random weights)" "$OUT/esm0.fit.npy" "$OUT/esm0.test.npy" --out "$OUT/table.md"
{
    echo "# Protein family probe (recipes/protein_probe.sh)"
    echo
    echo "ESM-2 ($SIZE) pretrained by masked LM for $STEPS steps (lr $LR) on $N_TRAIN hmmemit samples per family;"
    echo "a multinomial logistic regression (L2) fitted on $N_FIT held-out samples per family, evaluated on $N_TEST more."
    echo
    cat "$OUT/table.md"
    echo
    printf 'final training log line: '
    tail -n 1 "$OUT/esm/train_log.jsonl"
    echo
    echo "run time: $(($(date +%s) - start)) s (\`nproc\`: $(nproc))"
} > "$RESULTS"
cat "$RESULTS"
