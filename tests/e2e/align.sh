#!/bin/sh
# attn align on a tiny random RNNsearch (the fixture model of
# tests/ref/gen_rnn_fixture.py) with a WordPiece vocab.txt beside it: the
# translation, an SVG heatmap and JSON with one attention row per target
# token, each summing to 1; attn plot draws a line plot from a TSV table;
# bad inputs get one error line and exit status 1.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
m="$tmp/model"
mkdir "$m"
cp tests/ref/rnnsearch_tiny/config.json tests/ref/rnnsearch_tiny/model.safetensors "$m/"
printf '[PAD]\n[CLS]\n[SEP]\n[UNK]\nthe\ndog\ncat\nruns\nnight\n&\nquote\nel\nnoche\nperro\ngato\ncorre\nla\n<\n.\n' > "$m/vocab.txt"
"$ATTN" align -m "$m" --src "el perro & la noche < corre ." --svg "$tmp/a.svg" --json "$tmp/a.json" --max-len 6 \
    --title 'tiny <RNNsearch> & "random"' > "$tmp/out"
[ "$(wc -l < "$tmp/out")" -eq 1 ] || { echo "want one line of translation"; exit 1; }
grep -q '<svg' "$tmp/a.svg" || { echo "no SVG written"; exit 1; }
grep -q '&amp;' "$tmp/a.svg" && grep -q '&lt;' "$tmp/a.svg" || { echo "special characters not escaped"; exit 1; }
grep -q '"attention"' "$tmp/a.json" || { echo "no attention in the JSON"; exit 1; }
if [ -x .venv/bin/python ]; then
    .venv/bin/python - "$tmp/a.json" "$tmp/a.svg" <<'PY'
import json, sys, xml.etree.ElementTree as ET
d = json.load(open(sys.argv[1]))
S, n = len(d["source_tokens"]), len(d["target_tokens"])
assert d["source_tokens"] == ["el", "perro", "&", "la", "noche", "<", "corre", "."], d["source_tokens"]
assert 1 <= n <= 6 and len(d["attention"]) == n and len(d["target_ids"]) == n
for row in d["attention"]:
    assert len(row) == S and abs(sum(row) - 1) < 1e-4 and min(row) >= 0, row
ET.parse(sys.argv[2])
PY
fi
# from a file, with the source ended by eos (one more column)
printf 'the dog runs .\n' > "$tmp/src.txt"
"$ATTN" align -m "$m" "$tmp/src.txt" --src-eos --json "$tmp/b.json" --max-len 3 > /dev/null
grep -q '"source_ids": \[4, 5, 7, 18, 2\]' "$tmp/b.json" || { echo "source ids with eos:"; cat "$tmp/b.json"; exit 1; }
printf 'len\tA\tB\n1-10\t20.5\t18\n11-20\tnan\t12.25\n' > "$tmp/t.tsv"
"$ATTN" plot "$tmp/t.tsv" --svg "$tmp/p.svg" --title 'BLEU & length' --x-title 'source length' --y-title BLEU
grep -q 'BLEU &amp; length' "$tmp/p.svg" || { echo "plot title missing"; exit 1; }
# bad inputs: one error line, exit status 1
fail=0
bad() { # bad DESCRIPTION COMMAND...
    what=$1; shift
    rc=0
    "$@" > /dev/null 2> "$tmp/err" || rc=$?
    if [ "$rc" -eq 0 ]; then echo "accepted: $what"; fail=1; return; fi
    [ "$rc" -eq 1 ] && [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "error:" "$tmp/err" ||
        { echo "want one error line and status 1 for $what (got $rc):"; cat "$tmp/err"; fail=1; }
}
bad "a directory without a model" "$ATTN" align -m "$tmp" --src "the dog"
bad "an empty source" "$ATTN" align -m "$m" --src ""
printf 'a\nb\n' > "$tmp/two.txt"
bad "two lines" "$ATTN" align -m "$m" "$tmp/two.txt"
mkdir "$tmp/trunc"
cp "$m/config.json" "$m/vocab.txt" "$tmp/trunc/"
head -c 3000 "$m/model.safetensors" > "$tmp/trunc/model.safetensors"
bad "truncated weights" "$ATTN" align -m "$tmp/trunc" --src "the dog"
printf '{"model_type": "rnnsearch", "src_vocab_size": 23}' > "$tmp/trunc/config.json"
bad "config without sizes" "$ATTN" align -m "$tmp/trunc" --src "the dog"
printf 'len\tA\n1-10\tabc\n' > "$tmp/bad.tsv"
bad "a non-number in the table" "$ATTN" plot "$tmp/bad.tsv" --svg "$tmp/x.svg"
printf 'len\tA\n1-10\t1\t2\n' > "$tmp/bad2.tsv"
bad "a row with too many fields" "$ATTN" plot "$tmp/bad2.tsv" --svg "$tmp/x.svg"
bad "a missing table" "$ATTN" plot "$tmp/none.tsv" --svg "$tmp/x.svg"
exit $fail
