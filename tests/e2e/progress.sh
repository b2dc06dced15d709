#!/bin/sh
# Progress on stderr for the commands that run long, under one rule (cli/progress.c):
# when stderr is not a terminal (a log, a pipe), a full line at most every 10 s, and
# nothing before the first interval, so a short run stays silent. The testing hook
# ATTN_PROGRESS_INTERVAL_MS=n shortens that interval (0: a report at every opportunity),
# so this checks the rule without waiting 10 s:
#   - attn train: a line after every step (without the hook: only every max_steps/20);
#   - attn score: a line after every piece of the text but the last;
#   - attn translate: a line after every batch but the last (here --batch 1);
#   - attn tokenizer train: lines for its phases (files read, then the merges);
# and without the hook the same short runs print no progress, and their output does
# not depend on it.
set -eu
ATTN=${ATTN_BIN:-./attn}
export ATTN_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "progress.sh: FAIL: $*" >&2; exit 1; }

head -c 30000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
small="--data $tmp/data --layers 1 --heads 2 --width 16 --context 16 --batch 2 --eval-every 0 --steps 40"

# ---- train: 40 steps, a line every 2 steps without the hook (step 1 and every 40/20)
"$ATTN" train $small --out "$tmp/m0" 2>"$tmp/err0"
n0=$(grep -c "^step " "$tmp/err0" || true)
[ "$n0" = 21 ] || fail "train without the hook: $n0 step lines, not 21: $(cat "$tmp/err0")"
ATTN_PROGRESS_INTERVAL_MS=0 "$ATTN" train $small --out "$tmp/m" 2>"$tmp/err"
n=$(grep -c "^step " "$tmp/err" || true)
[ "$n" = 40 ] || fail "train with ATTN_PROGRESS_INTERVAL_MS=0: $n step lines, not 40: $(cat "$tmp/err")"
grep -q "$(printf '\r')" "$tmp/err" && fail "train wrote terminal control to a file"
cmp -s "$tmp/m0/model.safetensors" "$tmp/m/model.safetensors" || fail "train: the model depends on the progress reports"

# ---- score: the 30,000-token text in pieces of whole windows
"$ATTN" score -m "$tmp/m" "$tmp/a.txt" >"$tmp/s0.out" 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "score, a short run without the hook, wrote to stderr: $(cat "$tmp/err")"
ATTN_PROGRESS_INTERVAL_MS=0 "$ATTN" score -m "$tmp/m" "$tmp/a.txt" >"$tmp/s.out" 2>"$tmp/err"
n=$(grep -c "^scored [0-9]* of 30000 tokens ([0-9]*%), ETA [0-9]* s$" "$tmp/err" || true)
[ "$n" -ge 2 ] || fail "score with ATTN_PROGRESS_INTERVAL_MS=0: $n progress lines: $(cat "$tmp/err")"
[ "$(wc -l < "$tmp/err")" = "$n" ] || fail "score: other stderr lines: $(cat "$tmp/err")"
cmp -s "$tmp/s0.out" "$tmp/s.out" || fail "score: the result depends on the progress reports"

# ---- translate: a tiny Transformer on pair shards, 6 sources one per batch
head -n 60 data/bible-en-es/train.tsv >"$tmp/train.tsv"
"$ATTN" prepare --pairs -t data/bible-en-es/tokenizer.json -o "$tmp/pd" --max-len 48 "$tmp/train.tsv" >/dev/null
"$ATTN" train --data "$tmp/pd" --layers 1 --heads 2 --width 16 --steps 1 --batch-tokens 300 --quiet --out "$tmp/tr"
head -n 6 data/bible-en-es/test.tsv | cut -f1 >"$tmp/src.txt"
"$ATTN" translate -m "$tmp/tr" --batch 1 --max-len 4 "$tmp/src.txt" >"$tmp/t0.out" 2>"$tmp/err"
[ ! -s "$tmp/err" ] || fail "translate, a short run without the hook, wrote to stderr: $(cat "$tmp/err")"
ATTN_PROGRESS_INTERVAL_MS=0 "$ATTN" translate -m "$tmp/tr" --batch 1 --max-len 4 "$tmp/src.txt" >"$tmp/t.out" 2>"$tmp/err"
for k in 1 2 3 4 5; do
    grep -q "^translated $k of 6 lines ([0-9]*%), ETA [0-9]* s$" "$tmp/err" || fail "translate: no line for $k of 6: $(cat "$tmp/err")"
done
[ "$(wc -l < "$tmp/err")" = 5 ] || fail "translate: wanted 5 progress lines (none after the last batch): $(cat "$tmp/err")"
cmp -s "$tmp/t0.out" "$tmp/t.out" || fail "translate: the output depends on the progress reports"

# ---- tokenizer train: its phases, for both kinds
for type in bpe wordpiece; do
    "$ATTN" tokenizer train --type $type --vocab-size 300 -o "$tmp/tok0-$type" "$tmp/a.txt" >/dev/null 2>"$tmp/err"
    if grep -q "^tokenizer train:" "$tmp/err"; then fail "tokenizer train ($type), short, showed progress: $(cat "$tmp/err")"; fi
    ATTN_PROGRESS_INTERVAL_MS=0 "$ATTN" tokenizer train --type $type --vocab-size 300 -o "$tmp/tok-$type" "$tmp/a.txt" \
        >/dev/null 2>"$tmp/err"
    grep -q "^tokenizer train: read 1 of 1 files, [0-9]* s$" "$tmp/err" || fail "tokenizer train ($type): no reading line: $(cat "$tmp/err")"
    grep -q "^tokenizer train: merging, vocabulary [0-9]* of 300, [0-9]* s$" "$tmp/err" ||
        fail "tokenizer train ($type): no merging line: $(cat "$tmp/err")"
    grep -q "^tokenizer train: merging, vocabulary 299 of 300" "$tmp/err" ||
        fail "tokenizer train ($type): merging not reported as it advances: $(tail -n 3 "$tmp/err")"
    cmp -s "$tmp/tok0-$type/tokenizer.json" "$tmp/tok-$type/tokenizer.json" ||
        fail "tokenizer train ($type): the vocabulary depends on the progress reports"
done
echo "progress.sh: ok"
