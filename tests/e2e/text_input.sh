#!/bin/sh
# Text input, one rule everywhere: every command that reads text for a model (prepare,
# prepare --pairs, tokenize, score, embed, classify, translate, generate's prompt, the labelled
# file of train --objective classify) refuses NUL bytes (binary data) and invalid UTF-8 with
# exit 1 and one "attn CMD: error:" line naming the file, the line and the byte offset.
# Characters outside a char vocabulary become <unk> (one warning line), or, in a vocabulary
# attn wrote before <unk>, are left out (one warning line); a prompt longer than the context
# keeps its last context-length tokens. --init refuses model kinds an objective cannot train.
ATTN_BIN=${ATTN_BIN:-./attn}
ATTN_THREADS=1 # tiny models: one thread is fastest, and the machine is shared
export ATTN_THREADS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_text_input.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "text_input.sh: FAIL: $*"; exit 1; }
run() { # run ARGS...: attn ARGS must succeed (stdout to $tmp/out, stderr to $tmp/err)
    "$ATTN_BIN" "$@" >"$tmp/out" 2>"$tmp/err" || fail "attn $* exited $?: $(cat "$tmp/err")"
}
# expect_error CMD PATTERN ARGS...: exit 1, exactly one stderr line "attn CMD: error: ..." holding PATTERN
expect_error() {
    cmd=$1 pat=$2
    shift 2
    "$ATTN_BIN" "$cmd" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    [ "$rc" -eq 1 ] || fail "attn $cmd $* exited $rc (wanted 1): $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "attn $cmd $*: wanted one error line, got: $(cat "$tmp/err")"
    grep -q "^attn $cmd: error: " "$tmp/err" || fail "attn $cmd $*: not an error line: $(cat "$tmp/err")"
    grep -qF -e "$pat" "$tmp/err" || fail "attn $cmd $*: error '$(cat "$tmp/err")' lacks '$pat'"
}

# ---- models: a tiny char GPT, a tiny BERT, a GPT classifier, a tiny Transformer
head -c 20000 data/austen/persuasion.txt >"$tmp/a.txt"
run prepare -t char -o "$tmp/char" "$tmp/a.txt"
small="--layers 1 --heads 1 --width 16 --context 16 --steps 0 --quiet"
run train --data "$tmp/char" --out "$tmp/gpt" $small
run prepare -t tests/data/minilm -o "$tmp/wp" "$tmp/a.txt"
run train --objective mlm --data "$tmp/wp" --out "$tmp/bert" $small
printf 'a happy day\tpos\na sad day\tneg\nhappy again\tpos\nsad again\tneg\n' >"$tmp/labels.tsv"
run train --objective classify --init "$tmp/gpt" --data "$tmp/labels.tsv" --out "$tmp/cls" --steps 1 --batch 2 --quiet
head -n 40 data/bible-en-es/train.tsv >"$tmp/pairs.tsv"
run prepare --pairs -t data/bible-en-es/tokenizer.json -o "$tmp/pd" --max-len 40 "$tmp/pairs.tsv"
run train --data "$tmp/pd" --arch transformer --layers 1 --heads 1 --width 16 --context 48 --steps 0 --quiet --out "$tmp/mt"

# ---- the rule: "fine line\n" is 10 bytes, so the bad byte is on line 2 at offset 13 or 14
printf 'fine line\nbad\000line\n' >"$tmp/nul.txt"
printf 'fine line\nbad \377 line\n' >"$tmp/u8.txt"
NUL='nul.txt: line 2: NUL byte at byte offset 13'
U8='u8.txt: line 2: invalid UTF-8 at byte offset 14 (0xff)'
for f in nul u8; do
    [ $f = nul ] && want=$NUL || want=$U8
    expect_error prepare "$want" -t char -o "$tmp/never" "$tmp/$f.txt"
    expect_error tokenize "$want" -t "$tmp/char" "$tmp/$f.txt"
    expect_error tokenize "$want" -t "$tmp/wp" "$tmp/$f.txt"
    expect_error score "$want" -m "$tmp/gpt" "$tmp/$f.txt"
    expect_error embed "$want" -m "$tmp/bert" "$tmp/$f.txt"
    expect_error classify "$want" -m "$tmp/cls" "$tmp/$f.txt"
    expect_error translate "$want" -m "$tmp/mt" "$tmp/$f.txt"
done
[ -e "$tmp/never" ] && fail "a refused prepare created its output directory"
# stdin is named as such
"$ATTN_BIN" tokenize -t "$tmp/char" <"$tmp/nul.txt" >/dev/null 2>"$tmp/err" && fail "tokenize accepted NUL on stdin"
grep -qF 'attn tokenize: error: stdin: line 2: NUL byte at byte offset 13' "$tmp/err" || fail "stdin: $(cat "$tmp/err")"
# the labelled file of classification fine-tuning, and pair files
printf 'a happy day\tpos\nbad\000day\tneg\n' >"$tmp/lnul.tsv"
expect_error train "lnul.tsv: line 2: NUL byte at byte offset 19" --objective classify --init "$tmp/gpt" \
    --data "$tmp/lnul.tsv" --out "$tmp/never" --quiet
printf 'uno\tone\ndos\000\ttwo\n' >"$tmp/pnul.tsv"
expect_error prepare "pnul.tsv: line 2: NUL byte at byte offset 11" --pairs -t data/bible-en-es/tokenizer.json \
    -o "$tmp/never" "$tmp/pnul.tsv"
# the prompt
expect_error generate "--prompt: line 1: invalid UTF-8 at byte offset 4 (0xff)" -m "$tmp/gpt" -p "$(printf 'Anne\377')"

# ---- characters outside a char vocabulary: <unk>, said once
grep -q '"<unk>"' "$tmp/char/tokenizer.json" || fail "a new char vocabulary has no <unk>"
unk=$(sed -n 's/^[[:space:]]*"<unk>":[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/char/tokenizer.json" | head -n 1)
printf 'Anne \303\251\360\237\230\200 Elliot\n' >"$tmp/strange.txt"
run tokenize -t "$tmp/char" "$tmp/strange.txt"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^attn tokenize: warning: 2 characters not in the tokenizer's vocabulary became <unk>" "$tmp/err" ||
    fail "tokenize: wanted one warning line, got: $(cat "$tmp/err")"
[ "$(tr ' ' '\n' <"$tmp/out" | grep -cx "$unk")" -eq 2 ] || fail "tokenize: wanted <unk> ($unk) twice: $(cat "$tmp/out")"
run score -m "$tmp/gpt" "$tmp/strange.txt"
[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^attn score: warning: 2 characters" "$tmp/err" ||
    fail "score: wanted one warning line, got: $(cat "$tmp/err")"
# a prompt three times the context (16), with two unknown characters: the last 16 tokens
long="It was Anne \303\251lliot who walked to Uppercross \360\237\230\200 that morning"
run generate -m "$tmp/gpt" -p "$(printf "$long")" -n 4 --temperature 0 --print-ids
[ "$(grep -c "warning: 2 characters not in the tokenizer's vocabulary became <unk>" "$tmp/err")" -eq 1 ] ||
    fail "generate: wanted one <unk> warning: $(cat "$tmp/err")"
grep -q "exceed the model's context of 16" "$tmp/err" || fail "generate: no note on the long prompt: $(cat "$tmp/err")"
[ "$(wc -w <"$tmp/out")" -eq 4 ] || fail "generate printed $(cat "$tmp/out")"
cp "$tmp/out" "$tmp/long_ids"
# the same tokens as from the prompt's last 16 characters alone
tail16=$(printf 's \360\237\230\200 that morning')
run generate -m "$tmp/gpt" -p "$tail16" -n 4 --temperature 0 --print-ids
cmp -s "$tmp/out" "$tmp/long_ids" || fail "long prompt gave $(cat "$tmp/long_ids"), its last 16 tokens $(cat "$tmp/out")"
# a vocabulary attn wrote before <unk> (model type "Char"): unknown characters are left out
cp -r "$tmp/gpt" "$tmp/old"
printf '{"version": "1.0", "model": {"type": "Char", "vocab": {"A": 0, "n": 1, "e": 2, " ": 3}},\n "added_tokens": [{"id": 4, "content": "<|endoftext|>", "special": true}]}\n' \
    >"$tmp/old/tokenizer.json"
run generate -m "$tmp/old" -p "Anne Elliot" -n 2 --temperature 0 --print-ids
[ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q "^attn generate: warning: 6 characters not in the tokenizer's vocabulary were left out (the vocabulary has no <unk>)" "$tmp/err" ||
    fail "old vocabulary: $(cat "$tmp/err")"
run tokenize -t "$tmp/old" "$tmp/strange.txt"
[ "$(cat "$tmp/out")" = "0 1 1 2 3 3" ] || fail "old vocabulary: 'Anne é😀 Elliot' gave $(cat "$tmp/out")"

# ---- --init: a model kind the objective cannot train is refused, naming it
for m in marian_tiny bart_tiny rnnsearch_tiny; do
    cp -r "tests/ref/$m" "$tmp/$m"
    cp "$tmp/old/tokenizer.json" "$tmp/$m/"   # 5 tokens: fits every model's vocabulary
done
printf 'Anne\tpos\nAn\tneg\nAnne An\tpos\nAn An\tneg\n' >"$tmp/alabels.tsv"   # in that vocabulary
expect_error train "$tmp/marian_tiny is a Marian Transformer" --objective classify --init "$tmp/marian_tiny" \
    --data "$tmp/alabels.tsv" --out "$tmp/never" --steps 1 --quiet
expect_error train "$tmp/bart_tiny is a BART encoder-decoder" --objective classify --init "$tmp/bart_tiny" \
    --data "$tmp/alabels.tsv" --out "$tmp/never" --steps 1 --quiet
expect_error train "$tmp/rnnsearch_tiny is an RNN translation model" --objective classify --init "$tmp/rnnsearch_tiny" \
    --data "$tmp/alabels.tsv" --out "$tmp/never" --steps 1 --quiet
expect_error train "--objective classify trains a classifier on a GPT-2 model or a BERT-family encoder" \
    --objective classify --init "$tmp/marian_tiny" --data "$tmp/alabels.tsv" --out "$tmp/never" --steps 1 --quiet
printf 'An Anne' >"$tmp/tiny.txt"
run prepare -t "$tmp/old" -o "$tmp/tiny" --val-fraction 0 "$tmp/tiny.txt"
expect_error train "$tmp/rnnsearch_tiny is an RNN translation model" --data "$tmp/tiny" --init "$tmp/rnnsearch_tiny" \
    --out "$tmp/never" --steps 1 --batch 1 --context 4 --quiet
expect_error train "$tmp/marian_tiny is a Marian Transformer" --objective denoise --data "$tmp/tiny" \
    --init "$tmp/marian_tiny" --out "$tmp/never" --steps 1 --quiet
expect_error train "$tmp/gpt is a GPT-2 model" --objective denoise --data "$tmp/tiny" --init "$tmp/gpt" \
    --out "$tmp/never" --steps 1 --quiet
# the kinds each objective does train still start
run train --objective classify --init "$tmp/bert" --data "$tmp/labels.tsv" --out "$tmp/cls_bert" --steps 1 --batch 2 --quiet
echo "text_input.sh: ok"
