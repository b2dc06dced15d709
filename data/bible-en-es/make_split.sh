#!/bin/sh
# make_split.sh — the Spanish -> English Bible translation data, split by book.
#
#   sh data/bible-en-es/make_split.sh [KJV_RV1909_TSV] [ATTN_BIN] [OUT_DIR]
#
# Run from the repository root, after `make` (the tokenizer is trained by
# ./attn). Reads the verse-aligned KJV / Reina-Valera 1909 table (default
# kjv-rv1909.tsv beside this script: header "ref english spanish",
# then one verse per row) and writes into OUT_DIR (default: data/bible-en-es/, beside this script):
#
#   train.tsv valid.tsv test.tsv   one verse per line: spanish TAB english
#   test.es test.en test.ref       the test verses' source, reference and
#                                  verse reference ("John 3:16"), line by line
#   tokenizer.json                 byte-level BPE, 8000 tokens, shared by both
#                                  languages, trained on train.tsv's two sides
#                                  only; ids <s>=0 <pad>=1 </s>=2 <unk>=3
#
# Validation and test are whole books (listed below), every other book is
# training data; verses stay in canonical order. A verse with an empty side
# is skipped and counted; a field holding a tab or a control character, a
# row without three fields, or a file that is not valid UTF-8 stops the
# script. Everything is deterministic: the same input gives the same bytes.
set -eu

here=$(dirname "$0")
src=${1:-$here/kjv-rv1909.tsv}
attn=${2:-./attn}
out=${3:-$here}
mkdir -p "$out"
[ -r "$src" ] || { echo "make_split.sh: cannot read $src" >&2; exit 1; }
[ -x "$attn" ] || { echo "make_split.sh: $attn is not built (run make)" >&2; exit 1; }

# The whole input must be UTF-8 (iconv stops at the first invalid byte).
iconv -f UTF-8 -t UTF-8 "$src" >/dev/null || { echo "make_split.sh: $src is not valid UTF-8" >&2; exit 1; }

VALID_BOOKS='Joshua|Ecclesiastes|Micah|Zechariah|Mark|Galatians|Philippians|James'
TEST_BOOKS='Ruth|Esther|Proverbs|Amos|John|Romans|1 Peter'

tmp=$(mktemp -d "${TMPDIR:-/tmp}/make_split.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

LC_ALL=C awk -F'\t' -v valid="$VALID_BOOKS" -v test="$TEST_BOOKS" -v out="$tmp" '
BEGIN {
    nv = split(valid, v, "|"); for (i = 1; i <= nv; i++) part[v[i]] = "valid"
    nt = split(test, t, "|"); for (i = 1; i <= nt; i++) part[t[i]] = "test"
}
NR == 1 {
    if ($0 != "ref\tenglish\tspanish") { print "make_split.sh: unexpected header: " $0 > "/dev/stderr"; exit 2 }
    next
}
{
    if (NF != 3) { printf "make_split.sh: line %d has %d fields, not 3\n", NR, NF > "/dev/stderr"; exit 2 }
    if ($0 ~ /[\001-\010\012-\037\177]/) { printf "make_split.sh: line %d holds a control character\n", NR > "/dev/stderr"; exit 2 }
    book = $1
    if (!sub(/ [0-9]+:[0-9]+$/, "", book)) { printf "make_split.sh: line %d: bad reference \"%s\"\n", NR, $1 > "/dev/stderr"; exit 2 }
    en = $2; es = $3
    gsub(/^ +| +$/, "", en); gsub(/^ +| +$/, "", es)
    if (en == "" || es == "") { skipped++; next }
    p = (book in part) ? part[book] : "train"
    print es "\t" en > (out "/" p ".tsv")
    if (p == "test") { print es > (out "/test.es"); print en > (out "/test.en"); print $1 > (out "/test.ref") }
    if (p == "train") { print es > (out "/train.text"); print en > (out "/train.text.en") }
    seen[book] = 1
    n[p]++
    w = split(es, tmp_es, " "); wes[p] += w
    w = split(en, tmp_en, " "); wen[p] += w
}
END {
    for (b in part) if (!(b in seen)) { print "make_split.sh: book \"" b "\" not found" > "/dev/stderr"; exit 2 }
    printf "skipped %d verses with an empty side\n", skipped + 0
    printf "%-6s %7s %10s %10s\n", "split", "verses", "es words", "en words"
    printf "%-6s %7d %10d %10d\n", "train", n["train"], wes["train"], wen["train"]
    printf "%-6s %7d %10d %10d\n", "valid", n["valid"], wes["valid"], wen["valid"]
    printf "%-6s %7d %10d %10d\n", "test", n["test"], wes["test"], wen["test"]
}' "$src"

for f in train.tsv valid.tsv test.tsv test.es test.en test.ref; do
    cp "$tmp/$f" "$out/$f"
done

# One shared vocabulary: BPE learned from the training verses of both sides.
cat "$tmp/train.text" "$tmp/train.text.en" >"$tmp/train.both"
"$attn" tokenizer train --type bpe --vocab-size 8000 --special-tokens '<s>,<pad>,</s>,<unk>' \
    -o "$tmp/tok" "$tmp/train.both"
cp "$tmp/tok/tokenizer.json" "$out/tokenizer.json"
