#!/bin/sh
# Protein masked LMs on attn's amino-acid tokenizer: `attn prepare -t amino`
# data trains a ProtBERT-style BERT and an ESM-2 (--arch esm) with --objective
# mlm (<cls> / <sep> / <mask> are the amino tokenizer's); data prepared with an
# ESM directory's vocab.txt continues that ESM's training; and `attn embed`
# reads FASTA, averages over the residues (the <cls> and <sep> around each
# sequence left out) and writes per-residue .npy files.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# 40 sequences of 20-40 residues from a fixed pattern (no randomness needed)
awk 'BEGIN { a = "ACDEFGHIKLMNPQRSTVWY"; for (i = 0; i < 40; i++) { s = ""; n = 20 + (i * 7) % 21;
    for (j = 0; j < n; j++) s = s substr(a, 1 + (i * 3 + j * j) % 20, 1); print s } }' > "$tmp/seqs.txt"
"$ATTN" prepare -t amino -o "$tmp/data" "$tmp/seqs.txt" >/dev/null
common="--objective mlm --data $tmp/data --layers 1 --heads 2 --width 16 --context 24 --batch 4 --steps 4 --threads 2 --quiet"
"$ATTN" train $common --out "$tmp/bert"
grep -q '"BertForMaskedLM"' "$tmp/bert/config.json" || { echo "BERT not saved as BertForMaskedLM"; exit 1; }
"$ATTN" train $common --arch esm --out "$tmp/esm"
grep -q '"EsmForMaskedLM"' "$tmp/esm/config.json" || { echo "ESM not saved as EsmForMaskedLM"; exit 1; }
grep -q '"mask_token_id":[[:space:]]*3' "$tmp/esm/config.json" || { echo "ESM's mask_token_id is not the amino <mask> (3)"; exit 1; }
if "$ATTN" train --objective clm --arch esm --data "$tmp/data" --out "$tmp/x" --steps 1 --quiet 2>"$tmp/err"; then
    echo "--arch esm with clm accepted"; exit 1
fi
grep -q "attn train: error: --arch esm trains with --objective mlm" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# ESM's own ids: data tokenized with an ESM directory's vocab.txt (documents end with <eos>)
# continues the masked-LM training of that ESM
"$ATTN" prepare -t tests/ref/esm_tiny -o "$tmp/edata" "$tmp/seqs.txt" >/dev/null
"$ATTN" train --objective mlm --init tests/ref/esm_tiny --data "$tmp/edata" --out "$tmp/eft" --steps 2 --batch 2 \
    --seq-len 16 --threads 2 --quiet
grep -q '"mask_token_id":[[:space:]]*32' "$tmp/eft/config.json" || { echo "ESM's <mask> id lost"; exit 1; }
# FASTA in, one embedding per record; per-residue files of (residues, width)
printf '>p1 first\nMKTAYIAK\nQRQISF\n\n>p2\nGSHMLE\n' > "$tmp/in.fa"
for m in bert esm; do
    "$ATTN" embed -m "$tmp/$m" "$tmp/in.fa" --per-residue "$tmp/pr_$m" > "$tmp/emb"
    [ "$(wc -l < "$tmp/emb")" -eq 2 ] || { echo "$m: embed should print 2 lines"; cat "$tmp/emb"; exit 1; }
    printf 'file\tresidues\tname\n000000.npy\t14\tp1 first\n000001.npy\t6\tp2\n' | cmp - "$tmp/pr_$m/index.tsv" ||
        { echo "$m: index.tsv"; cat "$tmp/pr_$m/index.tsv"; exit 1; }
    # .npy header: shape (14, 16)
    head -c 128 "$tmp/pr_$m/000000.npy" | grep -q "'shape': (14, 16)" || { echo "$m: per-residue shape"; exit 1; }
done
# one sequence per line gives the same embedding as its FASTA record
printf 'GSHMLE\n' | "$ATTN" embed -m "$tmp/esm" > "$tmp/line"
tail -n 1 "$tmp/emb" | cmp - "$tmp/line" || { echo "line and FASTA embeddings differ"; exit 1; }
echo "ok"
