#!/bin/sh
# recipes/contacts.sh — ESM's result in miniature: a logistic regression on an
# encoder's symmetrised, APC-corrected attention maps predicts residue
# contacts, better for the larger model (Rao et al. 2020; Lin et al. 2023).
#
# SYNTHETIC DATA: no real protein structure with a family alignment deep
# enough to learn from installs offline (Debian's python3-prody-tests has PDB
# files such as 1UBI but a 25-sequence MSA of another family; hmmer-examples'
# Pfam seeds have 10 to 100 sequences and no structures; dssp is a program
# only; profile-HMM samples from hmmemit have independent columns and carry
# no coevolution). So the family here is a stand-in: `attn contacts potts`
# plants a 3D-like contact map (a compact lattice walk) on a chain of 64
# residues and Gibbs-samples sequences from a Potts model whose couplings sit
# on exactly those pairs (include/attn/contacts.h).
#
#   1. 6000 sequences of one synthetic family (seed 3); the first 5000 train
#      the encoders, the last 1000 are held out.
#   2. Two BERT encoders trained by masked LM on the 5000 (each row one
#      sequence: --doc-windows), the same steps, batch and learning rate:
#      small (2 layers, 2 heads, width 32) and large (4 layers, 4 heads, width 64).
#   3. For each: the regression fitted on FIT held-out sequences' true contacts,
#      then top-L precision on EVAL other held-out sequences at |i-j| >= 6 and
#      >= 24, against the random-pair baseline (contacts / pairs).
#   4. The table in $OUT/results.md, the large model's contact map in $OUT/contacts_large.svg.
#
#   sh recipes/contacts.sh                      # 11 min on the shared 2-core machine
#   STEPS=300 EVAL=50 sh recipes/contacts.sh    # a quick look
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/contacts}
STEPS=${STEPS:-800}
FIT=${FIT:-20}
EVAL=${EVAL:-100}
SEED=${SEED:-3}
THREADS=${THREADS:-2}
[ -x "$ATTN" ] || { echo "contacts: build attn first (make)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT"

echo "== synthetic family (Potts model on a planted contact map, seed $SEED)"
"$ATTN" contacts potts -o "$OUT/family" --length 64 --count 6000 --seed "$SEED" --coupling 4 --field 0.5
grep -v '>' "$OUT/family/sequences.fasta" > "$OUT/all.txt"
head -n 5000 "$OUT/all.txt" | sed 's/^/<sep>/' > "$OUT/train.txt" # <sep> ends the sequence before: rows start after it
tail -n 1000 "$OUT/all.txt" > "$OUT/held.txt"
"$ATTN" prepare -t amino --val-fraction 0.05 -o "$OUT/data" "$OUT/train.txt"

TRAIN="--objective mlm --doc-windows --data $OUT/data --context 96 --seq-len 66 --batch 32 --steps $STEPS --lr 3e-3
       --warmup 100 --eval-every 500 --eval-batches 10 --threads $THREADS"
printf '| model | layers x heads, width | parameters | MLM val loss | min sep | contacts | random baseline | top-L | top-L/2 | top-L/5 | top-L / baseline |\n' > "$OUT/table.md"
printf '|---|---|---|---|---|---|---|---|---|---|---|\n' >> "$OUT/table.md"
for size in small large; do
    case $size in
    small) shape="--layers 2 --heads 2 --width 32" desc="2 x 2, 32" ;;
    large) shape="--layers 4 --heads 4 --width 64" desc="4 x 4, 64" ;;
    esac
    echo "== $size encoder ($desc), $STEPS steps of masked LM"
    start=$(date +%s)
    # shellcheck disable=SC2086
    "$ATTN" train $TRAIN $shape --out "$OUT/$size"
    echo "   $(( $(date +%s) - start )) s; $(grep val_loss "$OUT/$size/train_log.jsonl" | tail -n 1)"
    "$ATTN" contacts fit -m "$OUT/$size" --map "$OUT/family/contacts.txt" --train "$FIT" -o "$OUT/$size.regression.json" "$OUT/held.txt"
    "$ATTN" contacts predict -m "$OUT/$size" -r "$OUT/$size.regression.json" --map "$OUT/family/contacts.txt" \
        --first $((FIT + 1)) --count "$EVAL" --svg "$OUT/contacts_$size.svg" \
        --title "synthetic Potts family: $size encoder ($desc), held-out sequence $((FIT + 1))" "$OUT/held.txt" | tee "$OUT/$size.txt"
    params="~$(( $(wc -c < "$OUT/$size/model.safetensors") / 4000 ))k" # fp32 weights (the file's header included)
    val=$(grep -o '"val_loss": [0-9.]*' "$OUT/$size/train_log.jsonl" | tail -n 1 | cut -d' ' -f2)
    awk -v m="$size" -v d="$desc" -v p="${params:--}" -v v="$val" '$1 ~ /^[0-9]+$/ && NF == 7 {
        printf "| %s | %s | %s | %.3f | %s | %s | %.4f | %.4f | %.4f | %.4f | %.2f |\n", m, d, p, v, $1, $2, $3, $4, $5, $6, $7 }' \
        "$OUT/$size.txt" >> "$OUT/table.md"
done
{
    echo "# Contacts from attention on a synthetic Potts family (recipes/contacts.sh)"
    echo
    echo "Synthetic data (not real proteins): $(grep -c . "$OUT/all.txt") sequences of 64 residues sampled from a Potts"
    echo "model whose couplings sit on a planted 3D-like contact map (seed $SEED, coupling 4, field 0.5);"
    echo "encoders trained by masked LM for $STEPS steps on 5000 of them; the regression fitted on $FIT"
    echo "held-out sequences, precision averaged over $EVAL others. Contacts at a separation: those of the map."
    echo
    cat "$OUT/table.md"
} > "$OUT/results.md"
echo
cat "$OUT/results.md"
