#!/bin/sh
# End-to-end: `attn prepare -t amino` reads FASTA and Stockholm files (one
# document per sequence) with family tags; `attn tokenize` and `attn generate`
# read a tag as one token; bad sequence files and bad tags fail with exit 1
# and one error line naming the file and line; `attn protein identity`
# prints each sample's identity to its nearest training sequence.
ATTN_BIN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_protein.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
. tests/e2e/lib/expect_error.sh

printf '>a one\nMKVLA\nWW\n>b\nmkv\n>c\nACDEF\n>d\nGHIK\n' > "$tmp/Fam1.fa"
printf '# STOCKHOLM 1.0\n#=GF ID Fam2\n\ns1  MK-V.\ns2  ..LLA\n\ns1  WW\ns2  Y-\n//\n' > "$tmp/Fam2.sto"

out=$("$ATTN_BIN" prepare -t amino --family-tag-from-file --val-fraction 0.25 -o "$tmp/d" "$tmp/Fam1.fa" "$tmp/Fam2.sto" 2> "$tmp/err") ||
    { echo "prepare failed: $(cat "$tmp/err")"; exit 1; }
# Fam1: 3 train sequences (7 + 3 + 5 residues) and 1 val (4); Fam2: 2 train (5 + 4)
# train = 5 x (tag + eot) + 24 residues = 34, val = 1 + 4 + 1 = 6
printf '%s\n' "$out" | grep -q '^prepared 34 train + 6 val tokens (vocab 28)' || { echo "unexpected summary: $out"; fail=1; }
printf '%s\n' "$out" | grep -q '^6 sequences, one document each' || { echo "unexpected summary: $out"; fail=1; }
ids=$(printf '<Fam2>MKV<Fam1>' | "$ATTN_BIN" tokenize -t "$tmp/d")
[ "$ids" = "27 15 13 22 26" ] || { echo "tags tokenized as '$ids'"; fail=1; }

# a tag's id must follow the fixed vocabulary's in turn
mkdir "$tmp/gap"
sed 's/"id":	27,/"id":	29,/' "$tmp/d/tokenizer.json" > "$tmp/gap/tokenizer.json"
printf 'MK' > "$tmp/mk.txt"
bad "a tag id out of turn" 'added token "<Fam2>" has id 29' "$ATTN_BIN" tokenize -t "$tmp/gap" "$tmp/mk.txt"

# a tiny GPT on the tagged data: `generate -p '<Fam1>'` reads the tag as its token (the amino-acid
# letters alone would refuse '<')
"$ATTN_BIN" train --data "$tmp/d" --out "$tmp/m" --layers 1 --heads 1 --width 16 --context 16 --steps 1 --batch 2 \
    --seq-len 8 --eval-every 0 > /dev/null 2> "$tmp/err" || { echo "train failed: $(cat "$tmp/err")"; exit 1; }
gen=$("$ATTN_BIN" generate -m "$tmp/m" -p '<Fam1>' -n 5 --seed 1 2> "$tmp/err") ||
    { echo "generate failed: $(cat "$tmp/err")"; fail=1; }
printf '%s\n' "$gen" | grep -Eq '^<Fam1>([A-Z]|<[^>]*>)*$' || { echo "unexpected sample: $gen"; fail=1; }

# --doc-windows with a GPT (ProGen's layout): every row starts just after an <|endoftext|>, at a
# sequence's tag, and the setting is recorded; a corpus with no end token before a full window is refused
"$ATTN_BIN" train --data "$tmp/d" --out "$tmp/mw" --doc-windows --layers 1 --heads 1 --width 16 --context 16 --steps 1 \
    --batch 2 --seq-len 8 --eval-every 0 --eval-batches 1 > /dev/null 2> "$tmp/err" ||
    { echo "train --doc-windows failed: $(cat "$tmp/err")"; fail=1; }
# (the settings are JSON in the trainer state's safetensors header, quotes escaped)
head -c 8192 "$tmp/mw/trainer_state.safetensors" | tr -d '\\' | grep -aq '"doc_windows":true' ||
    { echo "--doc-windows not recorded in the trainer state"; fail=1; }
printf 'MKVLAWWGHIKLMKVLAWWGHIKLMKVLAWWGHIKLMKVL\n' > "$tmp/one.txt"
"$ATTN_BIN" prepare -t amino -o "$tmp/one" "$tmp/one.txt" > /dev/null
bad "--doc-windows without an end token before a window" "--doc-windows: the training shard has no end token followed by 9 tokens" \
    "$ATTN_BIN" train --data "$tmp/one" --out "$tmp/mx" --doc-windows --layers 1 --heads 1 --width 16 --context 16 --steps 1 \
    --batch 2 --seq-len 8 --eval-every 0

printf '>a\nMK\n>b\n>c\nMK\n' > "$tmp/empty.fa"
bad "a header without residues" "empty.fa:3: the header has no sequence" "$ATTN_BIN" prepare -t amino -o "$tmp/x" "$tmp/empty.fa"
printf '>a\nMK\nM1K\n' > "$tmp/digit.fa"
bad "an invalid residue" "digit.fa:3: '1' at column 2" "$ATTN_BIN" prepare -t amino -o "$tmp/x" "$tmp/digit.fa"
printf '# STOCKHOLM 1.0\na MKV\n' > "$tmp/open.sto"
bad "a Stockholm file without //" "open.sto:2: the alignment begun at line 1 has no '//'" "$ATTN_BIN" prepare -t amino -o "$tmp/x" "$tmp/open.sto"
bad "a tag with a space" "family tag 'P kinase'" "$ATTN_BIN" prepare -t amino --family-tag 'P kinase' -o "$tmp/x" "$tmp/Fam1.fa"
printf 'MKV\n' > "$tmp/plain.txt"
bad "a tag on plain text" "plain.txt: family tags need FASTA" "$ATTN_BIN" prepare -t amino --family-tag F -o "$tmp/x" "$tmp/plain.txt"
# attn protein identity: per-sample lines and the summary
printf '>s1\nMKVLAWW\n>s2\nGHIKL\n' > "$tmp/samples.fa"
out=$("$ATTN_BIN" protein identity "$tmp/samples.fa" "$tmp/Fam1.fa" 2> "$tmp/err") || { echo "identity failed: $(cat "$tmp/err")"; fail=1; }
printf '%s\n' "$out" | grep -q "^s1	100.0%	a$" || { echo "unexpected identity lines: $out"; fail=1; }
printf '%s\n' "$out" | grep -q "^s2	80.0%	d$" || { echo "unexpected identity lines: $out"; fail=1; }
printf '%s\n' "$out" | grep -q "^summary: 2 samples, identity to the nearest training sequence: median 90.0%, mean 90.0%" ||
    { echo "unexpected summary: $out"; fail=1; }
bad "identity of a plain text file" "plain.txt: neither FASTA" "$ATTN_BIN" protein identity "$tmp/plain.txt" "$tmp/Fam1.fa"
bad "identity against a bad file" "digit.fa:3" "$ATTN_BIN" protein identity "$tmp/samples.fa" "$tmp/digit.fa"

rc=0
"$ATTN_BIN" prepare -t amino --family-tag F --family-tag-from-file -o "$tmp/x" "$tmp/Fam1.fa" > /dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || { echo "both tag options: exit $rc, want 2"; fail=1; }
[ -e "$tmp/x" ] && { echo "a failed prepare wrote $tmp/x"; fail=1; }
exit $fail
