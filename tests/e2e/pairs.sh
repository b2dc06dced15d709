#!/bin/sh
# End-to-end: `attn tokenizer train --special-tokens` and `attn prepare --pairs`
# on a tiny parallel file: the summary, the four output files, the pair shard's
# header and size, --max-len skips, BART and EOS wrapping; every bad input
# (no tab, two tabs, empty side, empty line, invalid UTF-8, missing file, a
# tokenizer without </s>, bad options) exits 1 with one "attn prepare: error:"
# line naming the file and line. Then `attn train --schedule inverse-sqrt`
# logs the learning rates of Vaswani et al.'s formula.
ATTN_BIN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_pairs.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "pairs.sh: FAIL: $*"; exit 1; }

printf 'el perro come pan\tthe dog eats bread\nla casa es grande\tthe house is big\nel niño lee\tthe child reads\n' >"$tmp/train.tsv"
printf 'el pan es grande\tthe bread is big\n' >"$tmp/val.tsv"
printf 'la casa\tthe house\r\nel perro lee\tthe dog reads' >"$tmp/test.tsv"   # CRLF, no final newline
cut -f1 "$tmp/train.tsv" >"$tmp/both.txt"
cut -f2 "$tmp/train.tsv" >>"$tmp/both.txt"

# ---- a seq2seq vocabulary: <s> <pad> </s> <unk> are ids 0-3
"$ATTN_BIN" tokenizer train --type bpe --vocab-size 300 --min-frequency 1 --special-tokens '<s>,<pad>,</s>,<unk>' \
    -o "$tmp/tok" "$tmp/both.txt" >/dev/null 2>"$tmp/err" || fail "tokenizer train exited $?: $(cat "$tmp/err")"
ids=$(printf '<s>x</s><pad><unk>' | "$ATTN_BIN" tokenize -t "$tmp/tok") || fail "tokenize failed"
[ "$(echo "$ids" | cut -d' ' -f1)" = 0 ] && [ "$(echo "$ids" | cut -d' ' -f3-5)" = "2 1 3" ] ||
    fail "special ids are '$ids', expected 0 x 2 1 3"

# ---- success
out=$("$ATTN_BIN" prepare --pairs -t "$tmp/tok" -o "$tmp/out" --val "$tmp/val.tsv" --test "$tmp/test.tsv" \
    "$tmp/train.tsv" 2>"$tmp/err") || fail "prepare --pairs exited $?: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "unexpected stderr: $(cat "$tmp/err")"
printf '%s\n' "$out" | grep -Eq '^train: 3 pairs \(0 over --max-len skipped\), source [0-9]+ tokens' ||
    fail "unexpected train summary: $out"
printf '%s\n' "$out" | grep -Eq '^val: 1 pairs' || fail "unexpected val summary: $out"
printf '%s\n' "$out" | grep -Eq '^test: 2 pairs' || fail "unexpected test summary: $out"
for f in train.pairs val.pairs test.pairs tokenizer.json meta.json; do
    [ -s "$tmp/out/$f" ] || fail "missing $f"
done
[ "$(head -c 8 "$tmp/out/train.pairs")" = ATTNPAR1 ] || fail "train.pairs has no ATTNPAR1 magic"
grep -q '"wrap":[[:space:]]*"bart"' "$tmp/out/meta.json" || fail "meta.json lacks wrap bart"
grep -q '"decoder_start_id":[[:space:]]*2' "$tmp/out/meta.json" || fail "meta.json lacks decoder_start_id 2"
# size = 72 + 8 n + 2 (src + tgt tokens); BART wrapping adds 2 tokens to each side
src_tok=$(printf '%s\n' "$out" | sed -n 's/^test: .* source \([0-9,]*\) tokens.*/\1/p' | tr -d ,)
tgt_tok=$(printf '%s\n' "$out" | sed -n 's/^test: .* target \([0-9,]*\) tokens.*/\1/p' | tr -d ,)
size=$(wc -c <"$tmp/out/test.pairs" | tr -d ' ')
[ "$size" = $((72 + 16 + 2 * (src_tok + tgt_tok))) ] || fail "test.pairs is $size bytes, expected $((72 + 16 + 2 * (src_tok + tgt_tok)))"
plain=$(printf 'la casa' | "$ATTN_BIN" tokenize -t "$tmp/tok" | wc -w)
plain2=$(printf 'el perro lee' | "$ATTN_BIN" tokenize -t "$tmp/tok" | wc -w)
[ "$src_tok" = $((plain + plain2 + 4)) ] || fail "test source tokens $src_tok, expected $((plain + plain2 + 4))"

# ---- EOS wrapping: one special per side
out=$("$ATTN_BIN" prepare --pairs --wrap eos -t "$tmp/tok" -o "$tmp/eos" "$tmp/test.tsv" 2>"$tmp/err") ||
    fail "prepare --wrap eos exited $?: $(cat "$tmp/err")"
n=$(printf '%s\n' "$out" | sed -n 's/^train: .* source \([0-9,]*\) tokens.*/\1/p' | tr -d ,)
[ "$n" = $((plain + plain2 + 2)) ] || fail "eos-wrapped source tokens $n, expected $((plain + plain2 + 2))"

# ---- --max-len skips and counts
out=$("$ATTN_BIN" prepare --pairs --max-len $((plain + 2)) -t "$tmp/tok" -o "$tmp/max" "$tmp/test.tsv" 2>"$tmp/err") ||
    fail "prepare --max-len exited $?: $(cat "$tmp/err")"
printf '%s\n' "$out" | grep -q '^train: 1 pairs (1 over --max-len skipped)' || fail "max-len summary: $out"

# ---- failures: exit 1, nothing on stdout, one line on stderr naming the problem
expect_error() { # expect_error NAME WANT ARGS...
    name=$1; want=$2; shift 2
    "$ATTN_BIN" prepare "$@" >"$tmp/out.txt" 2>"$tmp/err.txt"
    rc=$?
    [ "$rc" = "${rc_want:-1}" ] || fail "$name: exit status $rc, expected ${rc_want:-1} ($(cat "$tmp/err.txt"))"
    [ -s "$tmp/out.txt" ] && fail "$name: wrote to stdout"
    [ "$(wc -l <"$tmp/err.txt" | tr -d ' ')" = 1 ] || fail "$name: stderr is not one line: $(cat "$tmp/err.txt")"
    grep -q '^attn prepare: error: ' "$tmp/err.txt" || fail "$name: no 'attn prepare: error:' prefix: $(cat "$tmp/err.txt")"
    grep -qF -- "$want" "$tmp/err.txt" || fail "$name: message lacks '$want': $(cat "$tmp/err.txt")"
}
bad() { # bad NAME CONTENT WANT
    printf "$2" >"$tmp/bad.tsv"
    expect_error "$1" "$3" --pairs -t "$tmp/tok" -o "$tmp/never" "$tmp/bad.tsv"
}
bad "no tab" 'a\tb\nno tab\n' "bad.tsv:2: no tab"
bad "two tabs" 'a\tb\tc\n' "bad.tsv:1: more than one tab"
bad "empty source" 'a\tb\n\tb\n' "bad.tsv:2: empty source"
bad "empty target" 'a\tb\nc\t \n' "bad.tsv:2: empty target"
bad "empty line" 'a\tb\n\nc\td\n' "bad.tsv:2: empty line"
bad "invalid UTF-8" 'a\tb\nc\td\n\377\tx\n' "bad.tsv: line 3: invalid UTF-8 at byte offset 8 (0xff)"
[ -e "$tmp/never" ] && fail "a failed prepare created its output directory"
: >"$tmp/empty.tsv"
expect_error "empty file" "empty.tsv is empty" --pairs -t "$tmp/tok" -o "$tmp/never" "$tmp/empty.tsv"
expect_error "missing file" "nope.tsv" --pairs -t "$tmp/tok" -o "$tmp/never" "$tmp/nope.tsv"
expect_error "bad val file" "bad.tsv: line 3" --pairs -t "$tmp/tok" -o "$tmp/never" --val "$tmp/bad.tsv" "$tmp/train.tsv"
rc_want=2 # bad usage
expect_error "no tokenizer" "needs -t TOKENIZER" --pairs -o "$tmp/never" "$tmp/train.tsv"
expect_error "two inputs" "exactly one training file" --pairs -t "$tmp/tok" -o "$tmp/never" "$tmp/train.tsv" "$tmp/val.tsv"
expect_error "bad wrap" "--wrap must be bart or eos" --pairs --wrap foo -t "$tmp/tok" -o "$tmp/never" "$tmp/train.tsv"
expect_error "val without pairs" "need --pairs" --val "$tmp/val.tsv" -o "$tmp/never" "$tmp/train.tsv"
rc_want=1
expect_error "all over max-len" "longer than --max-len" --pairs --max-len 2 -t "$tmp/tok" -o "$tmp/never2" "$tmp/train.tsv"
printf 'es grande es grande es grande es grande es grande\tbig\n' >"$tmp/long.tsv"
expect_error "all val over max-len" "long.tsv: all 1 pairs are longer" --pairs --max-len $((plain + 2)) -t "$tmp/tok" \
    -o "$tmp/never2" --val "$tmp/long.tsv" "$tmp/test.tsv"
[ -e "$tmp/never2" ] && fail "a failed prepare (all pairs over --max-len) created its output directory"
"$ATTN_BIN" tokenizer train --type bpe --vocab-size 260 -o "$tmp/gpt" "$tmp/both.txt" >/dev/null 2>&1 || fail "plain tokenizer"
expect_error "no </s>" 'no "</s>" token' --pairs -t "$tmp/gpt" -o "$tmp/never" "$tmp/train.tsv"
"$ATTN_BIN" tokenizer train --type bpe --vocab-size 300 --special-tokens '<s>,<s>' -o "$tmp/dup" "$tmp/both.txt" \
    >/dev/null 2>"$tmp/err.txt" && fail "a repeated special token was accepted"
grep -q 'given twice' "$tmp/err.txt" || fail "repeated special token: $(cat "$tmp/err.txt")"

# ---- attn train --schedule inverse-sqrt: lr(n) = scale * width^-0.5 * min(n^-0.5, n * warmup^-1.5)
head -c 20000 data/austen/persuasion.txt >"$tmp/a.txt"
"$ATTN_BIN" prepare -o "$tmp/char" "$tmp/a.txt" >/dev/null 2>&1 || fail "prepare char"
"$ATTN_BIN" train --data "$tmp/char" --out "$tmp/run" --layers 1 --heads 2 --width 32 --context 16 --batch 2 \
    --steps 8 --warmup 4 --schedule inverse-sqrt --lr 2 --eval-every 0 --eval-batches 1 --threads 1 --quiet \
    2>"$tmp/err" || fail "train --schedule inverse-sqrt exited $?: $(cat "$tmp/err")"
awk -F'"lr": ' '{ split($2, a, ","); n = NR; want = 2 / sqrt(32) * (n ^ -0.5 < n * 4 ^ -1.5 ? n ^ -0.5 : n * 4 ^ -1.5)
    if (a[1] - want > 1e-6 * want || want - a[1] > 1e-6 * want) { printf "step %d: lr %s, want %.8g\n", n, a[1], want; bad = 1 } }
    END { if (NR != 8) { print "log has " NR " lines, not 8"; bad = 1 } exit bad }' "$tmp/run/train_log.jsonl" ||
    fail "inverse-sqrt learning rates differ from the formula"
# without --lr the scale is the library's default for the schedule: 1
"$ATTN_BIN" train --data "$tmp/char" --out "$tmp/run1" --layers 1 --heads 2 --width 32 --context 16 --batch 2 \
    --steps 3 --warmup 4 --schedule inverse-sqrt --eval-every 0 --eval-batches 1 --threads 1 --quiet \
    2>"$tmp/err" || fail "train --schedule inverse-sqrt without --lr exited $?: $(cat "$tmp/err")"
awk -F'"lr": ' '{ split($2, a, ","); n = NR; want = 1 / sqrt(32) * n * 4 ^ -1.5
    if (a[1] - want > 1e-6 * want || want - a[1] > 1e-6 * want) { printf "step %d: lr %s, want %.8g\n", n, a[1], want; bad = 1 } }
    END { exit bad }' "$tmp/run1/train_log.jsonl" || fail "inverse-sqrt without --lr does not use the scale 1"
"$ATTN_BIN" train --data "$tmp/char" --out "$tmp/run2" --schedule linear --steps 1 --quiet 2>/dev/null &&
    fail "an unknown --schedule was accepted"
# ---- characters outside a character vocabulary: one warning with their count, as for plain text
mkdir -p "$tmp/ctok"
cat >"$tmp/ctok/tokenizer.json" <<'EOF'
{"version": "1.0", "added_tokens": [{"id": 28, "content": "<s>", "special": true}, {"id": 29, "content": "<pad>", "special": true},
 {"id": 30, "content": "</s>", "special": true}, {"id": 31, "content": "<unk>", "special": true}], "normalizer": null,
 "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "[\\s\\S]"}, "behavior": "Isolated", "invert": false},
 "post_processor": null, "decoder": {"type": "Fuse"}, "model": {"type": "WordLevel", "vocab": {" ": 0, "a": 1, "b": 2,
 "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10, "k": 11, "l": 12, "m": 13, "n": 14, "o": 15, "p": 16,
 "q": 17, "r": 18, "s": 19, "t": 20, "u": 21, "v": 22, "w": 23, "x": 24, "y": 25, "z": 26, ".": 27, "<s>": 28,
 "<pad>": 29, "</s>": 30, "<unk>": 31}, "unk_token": "<unk>"}}
EOF
printf 'el perro come pan\tthe dog eats bread\nla casa es grande\tthe house is big\n' >"$tmp/known.tsv"
"$ATTN_BIN" prepare --pairs -t "$tmp/ctok" -o "$tmp/cpairs" "$tmp/known.tsv" >/dev/null 2>"$tmp/err" ||
    fail "prepare --pairs with a char vocabulary exited $?: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "prepare --pairs, every character known: unexpected stderr: $(cat "$tmp/err")"
printf 'El perro come pan!\tThe dog eats bread\nla casa\tthe house\n' >"$tmp/caps.tsv"   # E, !, T: 3 unknown
"$ATTN_BIN" prepare --pairs -t "$tmp/ctok" -o "$tmp/cpairs2" --val "$tmp/caps.tsv" "$tmp/caps.tsv" >/dev/null 2>"$tmp/err" ||
    fail "prepare --pairs with unknown characters exited $?: $(cat "$tmp/err")"
[ "$(cat "$tmp/err")" = "attn prepare: warning: 6 characters not in the tokenizer's vocabulary became <unk>" ] ||
    fail "prepare --pairs, unknown characters: stderr is '$(cat "$tmp/err")'"
echo "pairs.sh: ok"
