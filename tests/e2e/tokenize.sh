#!/bin/sh
# attn tokenize on hostile input: NUL bytes and invalid UTF-8 are an error naming the file,
# line and byte offset; text round-trips exactly through byte-level BPE; a 30 MB single line and a 2 MB single word
# tokenize (no hang, no crash); malformed tokenizer files are one-line errors.
set -eu
ATTN=${ATTN_BIN:-./attn}
GPT2=data/gpt2-tokenizer
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# text input is UTF-8 without NUL bytes, for every tokenizer (attn_text_check): binary data is
# one error naming the file, line and byte offset
printf 'ok\na\000b\377\376 caf\303\251 \300\257 end\n' > "$tmp/bytes.bin"
printf 'ok\n\377\376 caf\303\251 \300\257 end\n' > "$tmp/latin.bin"
for t in "$GPT2" tests/data/minilm; do
    if "$ATTN" tokenize -t "$t" "$tmp/bytes.bin" > /dev/null 2> "$tmp/err"; then echo "NUL byte accepted ($t)"; exit 1; fi
    grep -q "^attn tokenize: error: .*bytes.bin: line 2: NUL byte at byte offset 4" "$tmp/err" || { cat "$tmp/err"; exit 1; }
    if "$ATTN" tokenize -t "$t" "$tmp/latin.bin" > /dev/null 2> "$tmp/err"; then echo "invalid UTF-8 accepted ($t)"; exit 1; fi
    grep -q "^attn tokenize: error: .*latin.bin: line 2: invalid UTF-8 at byte offset 3 (0xff)" "$tmp/err" || { cat "$tmp/err"; exit 1; }
done
printf 'caf\303\251 \360\237\230\200 \t end\n' > "$tmp/text.txt"
"$ATTN" tokenize -t "$GPT2" "$tmp/text.txt" > "$tmp/ids"
"$ATTN" tokenize -t "$GPT2" --decode "$tmp/ids" > "$tmp/back.txt"
cmp "$tmp/text.txt" "$tmp/back.txt" || { echo "BPE did not round-trip UTF-8 text"; exit 1; }
awk 'BEGIN { for (i = 0; i < 1200000; i++) printf "the quick brown fox "; printf "\n" }' > "$tmp/line.txt"
"$ATTN" tokenize -t "$GPT2" "$tmp/line.txt" > "$tmp/lids"
n=$(wc -w < "$tmp/lids")
[ "$n" -ge 4800000 ] || { echo "expected at least 4800000 ids for the long line, got $n"; exit 1; }
"$ATTN" tokenize -t "$GPT2" --decode "$tmp/lids" | cmp -s - "$tmp/line.txt" || { echo "long line did not round-trip"; exit 1; }
"$ATTN" tokenize -t tests/data/minilm "$tmp/line.txt" | wc -w > /dev/null
awk 'BEGIN { srand(3); for (i = 0; i < 2000000; i++) printf "%c", 97 + int(rand() * 10) }' > "$tmp/word.txt"
"$ATTN" tokenize -t "$GPT2" "$tmp/word.txt" > "$tmp/wids"
"$ATTN" tokenize -t "$GPT2" --decode "$tmp/wids" > "$tmp/wback"
cmp "$tmp/word.txt" "$tmp/wback" || { echo "long word did not round-trip"; exit 1; }
[ "$("$ATTN" tokenize -t tests/data/minilm "$tmp/word.txt")" = "100" ] || { echo "a word over 100 chars must be [UNK] (100)"; exit 1; }
# a maximum length shorter than the special tokens: the message speaks of lengths and
# special tokens, not of the library's parameter names
printf 'a\n' > "$tmp/pa.txt"
printf 'b\n' > "$tmp/pb.txt"
if "$ATTN" tokenize -t tests/data/minilm --max-len 1 --pair "$tmp/pa.txt" "$tmp/pb.txt" > /dev/null 2> "$tmp/err"; then
    echo "--max-len 1 --pair accepted"; exit 1
fi
grep -qx "attn tokenize: error: cannot truncate to 1 token: the tokenizer adds 3 special tokens to a pair of texts, so the maximum length must be at least 3" "$tmp/err" ||
    { echo "--max-len 1 --pair:"; cat "$tmp/err"; exit 1; }
if grep -q "max_len" "$tmp/err"; then echo "the message names an internal parameter"; exit 1; fi
if "$ATTN" tokenize -t tests/data/minilm --max-len 1 "$tmp/pa.txt" > /dev/null 2> "$tmp/err"; then echo "--max-len 1 accepted"; exit 1; fi
grep -q "^attn tokenize: error: cannot truncate to 1 token: the tokenizer adds 2 special tokens to a text, so the maximum length must be at least 2$" "$tmp/err" ||
    { echo "--max-len 1:"; cat "$tmp/err"; exit 1; }
# malformed tokenizer files
fail=0
bad() {
    if "$ATTN" tokenize -t "$1" "$tmp/text.txt" > /dev/null 2> "$tmp/err"; then echo "accepted bad tokenizer $1"; fail=1; return; fi
    [ "$(wc -l < "$tmp/err")" -eq 1 ] && grep -q "error:" "$tmp/err" || { echo "want one error line for $1:"; cat "$tmp/err"; fail=1; }
}
mkdir "$tmp/t1" "$tmp/t2" "$tmp/t3"
printf '{"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}' > "$tmp/t1/tokenizer.json"
bad "$tmp/t1"
printf '{"version": "1.0", "model": {"type": "BPE", "vocab": {"a": 0, "b": 0}, "merges": []}, "pre_tokenizer": {"type": "ByteLevel"}}' > "$tmp/t2/tokenizer.json"
bad "$tmp/t2"
printf '[PAD]\n[UNK]\n[PAD]\n' > "$tmp/t3/vocab.txt"
bad "$tmp/t3"
bad "$tmp/nonexistent"
[ "$fail" -eq 0 ] || exit 1
echo ok
