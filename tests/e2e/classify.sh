#!/bin/sh
# Classification fine-tuning end to end on a synthetic task (a text is "pos"
# when it contains the word "happy"): a tiny BERT (random init) and a tiny
# GPT both learn it to >= 90% validation accuracy; a run stopped and resumed
# matches the uninterrupted one bit for bit; `attn classify` labels the
# validation texts as the trainer's evaluation did; the saved directory is a
# BertForSequenceClassification with the label names; and bad label files,
# a tokenizer larger than the model, a too long --seq-len and a one-label
# file are refused with one error line each.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# texts of 6 words from a small vocabulary; a deterministic generator
gen() { # gen N SEED FILE
    awk -v n="$1" -v seed="$2" 'BEGIN {
        split("the a house walked garden letter morning evening sister brother tea rain", w, " ")
        x = seed
        for (i = 0; i < n; i++) {
            line = ""; pos = 0
            for (j = 0; j < 6; j++) {
                x = (x * 1103515245 + 12345) % 2147483648
                k = int(x / 65536) % 14
                word = k < 12 ? w[k + 1] : "happy"
                if (word == "happy") pos = 1
                line = line (j ? " " : "") word
            }
            print line "\t" (pos ? "pos" : "neg")
        }
    }' > "$3"
}
gen 400 7 "$tmp/train.tsv"
gen 60 99 "$tmp/val.tsv"
head -c 20000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t tests/data/minilm -o "$tmp/data" "$tmp/a.txt" >/dev/null
small="--layers 2 --heads 2 --width 32 --context 32"
"$ATTN" train --objective mlm --data "$tmp/data" --out "$tmp/bert0" $small --steps 0 --quiet
"$ATTN" train --data "$tmp/data" --out "$tmp/gpt0" $small --steps 0 --quiet
ft="--objective classify --data $tmp/train.tsv --val $tmp/val.tsv --steps 80 --batch 16 --lr 3e-3 --warmup 10 --eval-every 40 --threads 2 --quiet"
acc() { grep -o '"val_accuracy": [0-9.]*' "$1/train_log.jsonl" | tail -n 1 | cut -d' ' -f2; }
for m in bert0 gpt0; do
    "$ATTN" train $ft --init "$tmp/$m" --out "$tmp/ft_$m"
    a=$(acc "$tmp/ft_$m")
    awk -v a="$a" -v m="$m" 'BEGIN { if (!(a >= 0.9)) { print m ": validation accuracy " a " < 0.9"; exit 1 } }'
    grep -q '"val_macro_f1"' "$tmp/ft_$m/train_log.jsonl" || { echo "no macro-F1 logged"; exit 1; }
done
grep -q '"BertForSequenceClassification"' "$tmp/ft_bert0/config.json" || { echo "not a BertForSequenceClassification"; exit 1; }
grep -q '"GPT2ForSequenceClassification"' "$tmp/ft_gpt0/config.json" || { echo "not a GPT2ForSequenceClassification"; exit 1; }
grep -q '"1":[[:space:]]*"pos"' "$tmp/ft_bert0/config.json" || { echo "label names not saved"; exit 1; }
# attn classify agrees with the trainer's evaluation
cut -f1 "$tmp/val.tsv" > "$tmp/val.txt"
"$ATTN" classify -m "$tmp/ft_bert0" "$tmp/val.txt" > "$tmp/pred"
[ "$(wc -l < "$tmp/pred")" -eq 60 ] || { echo "classify should print 60 lines"; exit 1; }
a=$(acc "$tmp/ft_bert0")
cut -f2 "$tmp/val.tsv" | paste - "$tmp/pred" | awk -v a="$a" '{ n++; c += $1 == $2 } END {
    if (c != int(a * n + 0.5)) { printf "classify: %d/%d correct, the trainer logged accuracy %s\n", c, n, a; exit 1 } }'
# resume bit for bit
"$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/part" --stop-at 30
"$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/ft_bert0/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed run differs from the uninterrupted run"; exit 1; }
cmp "$tmp/ft_bert0/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed weights differ"; exit 1; }
# bad inputs: one error line, exit 1
expect_fail() { # expect_fail WORD CMD...
    word=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then echo "accepted: $*"; exit 1; fi
    [ "$(wc -l < "$tmp/err")" -eq 1 ] || { echo "want one error line for: $*"; cat "$tmp/err"; exit 1; }
    grep -q "$word" "$tmp/err" || { echo "error for '$*' does not mention '$word':"; cat "$tmp/err"; exit 1; }
}
printf 'the house\tpos\nthe rain\tmaybe\n' > "$tmp/unknown.tsv"
expect_fail maybe "$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/bad" --val "$tmp/unknown.tsv"
printf 'the house\tpos\nthe rain\n' > "$tmp/short.tsv"
expect_fail "line 2" "$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/bad" --data "$tmp/short.tsv"
printf 'the house\tpos\nthe rain\tpos\n' > "$tmp/one.tsv"
expect_fail "two labels" "$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/bad" --data "$tmp/one.tsv"
expect_fail "sequence length" "$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/bad" --seq-len 500
expect_fail "init" "$ATTN" train $ft --out "$tmp/bad"
expect_fail "no trainer_state" "$ATTN" train $ft --init "$tmp/bert0" --out "$tmp/nostate" --resume
"$ATTN" prepare -t char -o "$tmp/cdata" "$tmp/a.txt" >/dev/null
"$ATTN" train --data "$tmp/cdata" --out "$tmp/chargpt" $small --steps 0 --quiet
cp tests/data/minilm/tokenizer.json "$tmp/chargpt/tokenizer.json"
expect_fail "embeddings" "$ATTN" train $ft --init "$tmp/chargpt" --out "$tmp/bad"
expect_fail "no classifier" "$ATTN" classify -m "$tmp/bert0" "$tmp/val.txt"
echo ok
