#!/bin/sh
# attn train --objective reward end to end: a one-label head on a tiny GPT
# (a BPE tokenizer with ChatML's tokens) learns which completion of a pair
# is preferred (chosen: 4 words of one half of a small vocabulary, rejected:
# of the other; message lists and plain strings) to >= 0.8 held-out
# pairwise accuracy; OUT is a GPT2ForSequenceClassification with one
# label, and `attn reward` scores the held-out pairs as the run's last
# evaluation did; a stopped run resumed matches the uninterrupted one bit for bit; a
# BERT-family encoder trains too; bad inputs get one error line, status 1.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/e2e/lib/chatml_gpt.sh # $tmp/tok, $tmp/data, $tmp/gpt0
gen() { # gen N SEED FILE
    awk -v n="$1" -v seed="$2" 'BEGIN {
        split("the a house garden letter sister brother tea rain walked morning evening", w, " ")
        x = seed
        for (i = 0; i < n; i++) {
            q = ""; c = ""; r = ""
            for (j = 0; j < 4; j++) {
                x = (x * 1103515245 + 12345) % 2147483648
                q = q (j ? " " : "") w[int(x / 65536) % 12 + 1]
                x = (x * 1103515245 + 12345) % 2147483648
                c = c (j ? " " : "") w[int(x / 65536) % 6 + 1]
                x = (x * 1103515245 + 12345) % 2147483648
                r = r (j ? " " : "") w[int(x / 65536) % 6 + 7]
            }
            if (i % 2)
                printf "{\"prompt\": \"say: %s =\", \"chosen\": \" %s\", \"rejected\": \" %s\"}\n", q, c, r
            else
                printf "{\"prompt\": [{\"role\": \"user\", \"content\": \"say: %s\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"%s\"}], \"rejected\": \"%s\"}\n", q, c, r
        }
    }' > "$3"
}
gen 64 11 "$tmp/pairs.jsonl"
gen 20 99 "$tmp/val.jsonl"
rm="--objective reward --data $tmp/pairs.jsonl --val $tmp/val.jsonl --batch 8 --lr 3e-3 --warmup 2 --threads 2 --quiet"
"$ATTN" train $rm --init "$tmp/gpt0" --steps 40 --eval-every 20 --out "$tmp/rm"
acc=$(tail -n 1 "$tmp/rm/train_log.jsonl" | grep -o '"val_reward_accuracy": [0-9.]*' | cut -d' ' -f2)
awk -v a="$acc" 'BEGIN { exit !(a >= 0.8) }' || { echo "held-out pairwise accuracy $acc < 0.8"; exit 1; }
grep -q '"GPT2ForSequenceClassification"' "$tmp/rm/config.json" || { echo "OUT is not a sequence classifier"; exit 1; }
grep -q '"LABEL_0"' "$tmp/rm/config.json" || { echo "OUT's head has not one label"; exit 1; }
# attn reward scores the validation pairs as the run's last evaluation did
"$ATTN" reward -m "$tmp/rm" --pairs "$tmp/val.jsonl" > "$tmp/scores" 2> "$tmp/summary"
[ "$(wc -l < "$tmp/scores")" -eq 20 ] || { echo "want 20 lines of rewards"; exit 1; }
k=$(awk -F'\t' '$1 > $2 { k++ } END { print k + 0 }' "$tmp/scores")
awk -v k="$k" -v a="$acc" 'BEGIN { exit !(k / 20 == a + 0 || (k / 20 - a < 1e-6 && a - k / 20 < 1e-6)) }' ||
    { echo "attn reward: $k of 20 pairs above, the run's evaluation said $acc"; exit 1; }
grep -q "in $k of 20 pairs" "$tmp/summary" || { cat "$tmp/summary"; exit 1; }
printf '{"messages": [{"role": "user", "content": "say: tea"}, {"role": "assistant", "content": "the garden"}]}\n' > "$tmp/conv.jsonl"
"$ATTN" reward -m "$tmp/rm" "$tmp/conv.jsonl" > "$tmp/one"
grep -Eq '^-?[0-9]+\.[0-9]{6}$' "$tmp/one" || { echo "attn reward printed:"; cat "$tmp/one"; exit 1; }

# stopped and resumed: the same log and weights, byte for byte
rs="$rm --init $tmp/gpt0 --steps 6 --eval-every 3 --accum 2 --batch 4 --dropout 0.1"
"$ATTN" train $rs --out "$tmp/full"
"$ATTN" train $rs --out "$tmp/part" --stop-at 2
"$ATTN" train $rs --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed reward-model log differs"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed reward-model weights differ"; exit 1; }

# an encoder
"$ATTN" prepare -t tests/data/minilm -o "$tmp/bdata" "$tmp/a.txt" > /dev/null
"$ATTN" train --objective mlm --data "$tmp/bdata" --out "$tmp/bert0" --layers 2 --heads 2 --width 32 --context 64 --steps 0 --quiet
"$ATTN" train $rm --init "$tmp/bert0" --steps 2 --out "$tmp/bert_rm"
grep -q 'ForSequenceClassification' "$tmp/bert_rm/config.json" || { echo "the encoder's OUT is not a sequence classifier"; exit 1; }

fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
bad "attn reward on a model without one label" "not a reward model" "$ATTN" reward -m "$tmp/gpt0" "$tmp/conv.jsonl"
bad "no --init" "--init" "$ATTN" train --objective reward --data "$tmp/pairs.jsonl" --steps 1 --quiet --out "$tmp/bad1"
{ head -n 2 "$tmp/pairs.jsonl"; echo '{"prompt": "p", "chosen": 1, "rejected": "r"}'; } > "$tmp/bad.jsonl"
bad "a chosen that is no string" "bad.jsonl: line 3: \"chosen\" is neither" "$ATTN" train --objective reward \
    --init "$tmp/gpt0" --data "$tmp/bad.jsonl" --steps 1 --quiet --out "$tmp/bad2"
"$ATTN" train --data "$tmp/data" --out "$tmp/opt0" --arch opt --layers 1 --heads 2 --width 32 --context 64 --steps 0 --quiet
bad "a model without a classifier" "reward" "$ATTN" train --objective reward --init "$tmp/opt0" --data "$tmp/pairs.jsonl" \
    --steps 1 --quiet --out "$tmp/bad3"
[ "$fail" -eq 0 ] || exit 1
echo ok
