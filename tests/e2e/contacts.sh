#!/bin/sh
# attn contacts end to end on a tiny synthetic family: potts writes the same
# map and sequences for a seed; the amino-acid corpus trains a masked-LM
# encoder (the tokenizer's <cls> <sep> <mask> are its specials), also with
# --doc-windows (rows start after a <sep>; refused without one); fit and
# predict run on its attention maps (precision table, figure, top-L lines);
# bad maps, sequences and mismatched regressions are errors naming them.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "contacts.sh: FAIL: $*"; exit 1; }
"$ATTN" contacts potts -o "$tmp/fam" --length 24 --count 300 --seed 5 --burn-in 20 --thin 2 >/dev/null
"$ATTN" contacts potts -o "$tmp/fam2" --length 24 --count 300 --seed 5 --burn-in 20 --thin 2 >/dev/null
cmp "$tmp/fam/sequences.fasta" "$tmp/fam2/sequences.fasta" || fail "same seed, different sequences"
cmp "$tmp/fam/contacts.txt" "$tmp/fam2/contacts.txt" || fail "same seed, different map"
grep -q '^# synthetic' "$tmp/fam/contacts.txt" || fail "map not labelled synthetic"
grep -q '^length 24$' "$tmp/fam/contacts.txt" || fail "no length line"
[ "$(grep -c '^>synthetic_potts_seed5_' "$tmp/fam/sequences.fasta")" -eq 300 ] || fail "expected 300 records"
grep -v '>' "$tmp/fam/sequences.fasta" | head -n 280 | sed 's/^/<sep>/' > "$tmp/train.txt"
grep -v '>' "$tmp/fam/sequences.fasta" | tail -n 20 > "$tmp/held.txt"
"$ATTN" prepare -t amino -o "$tmp/data" "$tmp/train.txt" >/dev/null
"$ATTN" train --objective mlm --data "$tmp/data" --out "$tmp/m" --layers 2 --heads 2 --width 16 --context 32 --seq-len 27 \
    --batch 8 --steps 4 --eval-every 0 --eval-batches 1 --threads 2 --quiet
# --doc-windows: every row one sequence from its first residue; data without end tokens is refused
"$ATTN" train --objective mlm --doc-windows --data "$tmp/data" --out "$tmp/md" --layers 1 --heads 2 --width 16 --context 32 \
    --seq-len 26 --batch 8 --steps 2 --eval-every 0 --eval-batches 1 --threads 2 --quiet
grep -v '>' "$tmp/fam/sequences.fasta" | head -n 50 > "$tmp/nosep.txt"
"$ATTN" prepare -t amino -o "$tmp/nosep" "$tmp/nosep.txt" >/dev/null
rc=0
"$ATTN" train --objective mlm --doc-windows --data "$tmp/nosep" --out "$tmp/bad" --layers 1 --heads 2 --width 16 --context 32 \
    --seq-len 26 --batch 8 --steps 1 --quiet 2> "$tmp/err" || rc=$?
[ "$rc" -eq 1 ] && grep -q "^attn train: error: --doc-windows: the training shard has no end token" "$tmp/err" ||
    fail "doc-windows without end tokens: exit $rc: $(cat "$tmp/err")"
"$ATTN" contacts fit -m "$tmp/m" --map "$tmp/fam/contacts.txt" --format sep --train 4 -o "$tmp/reg.json" "$tmp/held.txt" > "$tmp/out"
grep -q 'fitted on 4 sequences' "$tmp/out" || fail "fit: $(cat "$tmp/out")"
grep -q '"format":[[:space:]]*"sep"' "$tmp/reg.json" || fail "regression lacks its format"
[ "$(tr -d ' \n\t' < "$tmp/reg.json" | grep -o '"weights":\[[^]]*\]' | tr ',' '\n' | wc -l)" -eq 4 ] || fail "expected 2 x 2 weights"
"$ATTN" contacts predict -m "$tmp/m" -r "$tmp/reg.json" --map "$tmp/fam/contacts.txt" --first 5 --svg "$tmp/fig.svg" \
    --long-sep 12 "$tmp/held.txt" > "$tmp/out"
grep -q '^16 sequences of 24 residues (5 to 20 of ' "$tmp/out" || fail "predict: $(cat "$tmp/out")"
awk '$1 == 6 || $1 == 12 { n++; for (i = 3; i <= 6; i++) if ($i < 0 || $i > 1) bad = 1 } END { exit !(n == 2 && !bad) }' "$tmp/out" ||
    fail "precision table: $(cat "$tmp/out")"
tail -c 7 "$tmp/fig.svg" | grep -q '</svg>' || fail "figure not complete"
grep -q 'top-24 predicted' "$tmp/fig.svg" || fail "figure lacks its legend"
# without a map: the top-L pairs of each sequence, best first
"$ATTN" contacts predict -m "$tmp/m" -r "$tmp/reg.json" --first 20 "$tmp/held.txt" > "$tmp/out"
[ "$(wc -l < "$tmp/out")" -eq 24 ] || fail "expected 24 pairs: $(cat "$tmp/out")"
awk '{ if ($1 != 20 || $3 - $2 < 6 || (NR > 1 && $4 > p)) exit 1; p = $4 }' "$tmp/out" || fail "pairs: $(cat "$tmp/out")"
# errors
expect_err() { # CODE TEXT CMD...: exit CODE and "attn contacts ...: error: ...TEXT..."
    code=$1 text=$2
    shift 2
    rc=0
    "$@" > /dev/null 2> "$tmp/err" || rc=$?
    [ "$rc" -eq "$code" ] || fail "$*: exit $rc, want $code: $(cat "$tmp/err")"
    grep -q "^attn contacts[a-z ]*: error: .*$text" "$tmp/err" || fail "$*: $(cat "$tmp/err")"
}
expect_err 1 "length must be in \[16, 4096\]" "$ATTN" contacts potts -o "$tmp/x" --length 8
printf 'length 24\n1 30\n' > "$tmp/bad.txt"
expect_err 1 "bad.txt: line 2" "$ATTN" contacts fit -m "$tmp/m" --map "$tmp/bad.txt" -o "$tmp/r.json" "$tmp/held.txt"
printf 'ACDEF\n' > "$tmp/short.txt"
expect_err 1 "sequence 1 has 5 residues, the map 24" "$ATTN" contacts fit -m "$tmp/m" --map "$tmp/fam/contacts.txt" --train 1 \
    -o "$tmp/r.json" "$tmp/short.txt"
printf 'ACD1F\n' > "$tmp/digit.txt"
expect_err 1 "line 1: '1' is not a residue letter" "$ATTN" contacts predict -m "$tmp/m" -r "$tmp/reg.json" "$tmp/digit.txt"
"$ATTN" train --objective mlm --data "$tmp/data" --out "$tmp/m1" --layers 1 --heads 2 --width 16 --context 32 --seq-len 27 \
    --batch 8 --steps 1 --eval-every 0 --eval-batches 1 --threads 2 --quiet
expect_err 1 "fitted on 2 layers x 2 heads" "$ATTN" contacts predict -m "$tmp/m1" -r "$tmp/reg.json" "$tmp/held.txt"
expect_err 2 "unknown subcommand" "$ATTN" contacts fold
echo ok
