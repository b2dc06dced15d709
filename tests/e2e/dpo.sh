#!/bin/sh
# attn train --objective dpo end to end on a tiny GPT (a BPE tokenizer with
# ChatML's tokens), SFT'd for a few steps on a copy task, then DPO on pairs
# whose chosen answer takes its words from one half of a small vocabulary
# and the rejected one from the other (message lists and plain strings): the first step's loss is log 2 (the
# policy is its reference); the implicit-reward accuracy on held-out pairs
# reaches 0.8 in 40 steps; the reference's log-probabilities are cached
# beside the data and reused (the file is not rewritten), and another file
# is made for other data or another --init model, a damaged one rewritten;
# a stopped run resumed matches the uninterrupted one bit for bit (IPO too);
# bad inputs get one error line and status 1.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/e2e/lib/chatml_gpt.sh # $tmp/tok, $tmp/data, $tmp/gpt0
# gen N SEED MODE FILE: the user asks to repeat 4 words; MODE sft writes
# conversations that do, pairs preference pairs (chosen: 4 words of the
# first 6, rejected: 4 of the last 6)
gen() {
    awk -v n="$1" -v seed="$2" -v mode="$3" 'BEGIN {
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
            if (mode == "sft")
                printf "{\"messages\": [{\"role\": \"user\", \"content\": \"repeat: %s\"}, {\"role\": \"assistant\", \"content\": \"%s\"}]}\n", q, q
            else if (i % 2)
                printf "{\"prompt\": \"repeat: %s =\", \"chosen\": \" %s\", \"rejected\": \" %s\"}\n", q, c, r
            else
                printf "{\"prompt\": [{\"role\": \"user\", \"content\": \"repeat: %s\"}], \"chosen\": [{\"role\": \"assistant\", \"content\": \"%s\"}], \"rejected\": [{\"role\": \"assistant\", \"content\": \"%s\"}]}\n", q, c, r
        }
    }' > "$4"
}
gen 60 7 sft "$tmp/conv.jsonl"
gen 64 11 pairs "$tmp/pairs.jsonl"
gen 20 99 pairs "$tmp/val.jsonl"
"$ATTN" train --objective sft --init "$tmp/gpt0" --data "$tmp/conv.jsonl" --out "$tmp/sft" --steps 10 --batch 8 --lr 3e-3 \
    --threads 2 --quiet
dpo="--objective dpo --init $tmp/sft --data $tmp/pairs.jsonl --val $tmp/val.jsonl --batch 8 --lr 3e-3 --warmup 2 --threads 2 --quiet"
"$ATTN" train $dpo --steps 40 --eval-every 20 --out "$tmp/dpo"
first=$(head -n 1 "$tmp/dpo/train_log.jsonl" | grep -o '"loss": [0-9.]*' | cut -d' ' -f2)
awk -v l="$first" 'BEGIN { exit !(l > 0.6931 && l < 0.6932) }' || { echo "the first DPO loss is $first, not log 2"; exit 1; }
acc=$(tail -n 1 "$tmp/dpo/train_log.jsonl" | grep -o '"val_reward_accuracy": [0-9.]*' | cut -d' ' -f2)
awk -v a="$acc" 'BEGIN { exit !(a >= 0.8) }' || { echo "held-out implicit-reward accuracy $acc < 0.8"; exit 1; }
grep -q '"reward_margin"' "$tmp/dpo/train_log.jsonl" || { echo "no reward margin logged"; exit 1; }

# the reference cache: one file per data file, reused, not rewritten
[ "$(ls "$tmp"/pairs.jsonl.ref-*.bin | wc -l)" -eq 1 ] || { echo "want one reference cache for the pairs"; exit 1; }
[ "$(ls "$tmp"/val.jsonl.ref-*.bin | wc -l)" -eq 1 ] || { echo "want one reference cache for the validation pairs"; exit 1; }
cache=$(ls "$tmp"/pairs.jsonl.ref-*.bin)
before=$(stat -c '%i %y' "$cache")
"$ATTN" train $dpo --steps 2 --out "$tmp/again"
[ "$(stat -c '%i %y' "$cache")" = "$before" ] || { echo "the reference cache was rewritten, not reused"; exit 1; }
[ "$(ls "$tmp"/pairs.jsonl.ref-*.bin | wc -l)" -eq 1 ] || { echo "a second cache for the same model and data"; exit 1; }
# other data, another model: another key
head -n 40 "$tmp/pairs.jsonl" > "$tmp/p2" && cp "$tmp/p2" "$tmp/pairs.jsonl"
"$ATTN" train $dpo --steps 1 --out "$tmp/otherdata"
[ "$(ls "$tmp"/pairs.jsonl.ref-*.bin | wc -l)" -eq 2 ] || { echo "changed data did not make a new reference cache"; exit 1; }
"$ATTN" train $dpo --steps 1 --init "$tmp/gpt0" --out "$tmp/othermodel"
[ "$(ls "$tmp"/pairs.jsonl.ref-*.bin | wc -l)" -eq 3 ] || { echo "another model did not make a new reference cache"; exit 1; }
# a damaged cache is computed again
for f in "$tmp"/pairs.jsonl.ref-*.bin; do head -c 40 "$f" > "$tmp/cut" && cp "$tmp/cut" "$f"; done
"$ATTN" train $dpo --steps 1 --out "$tmp/damaged"
cmp "$tmp/otherdata/model.safetensors" "$tmp/damaged/model.safetensors" || { echo "a recomputed cache changed the run"; exit 1; }

# stopped and resumed: the same log and weights, byte for byte
for loss in "" --ipo; do
    rs="$dpo --steps 6 --eval-every 3 --accum 2 --batch 4 $loss"
    rm -rf "$tmp/full" "$tmp/part"
    "$ATTN" train $rs --out "$tmp/full"
    "$ATTN" train $rs --out "$tmp/part" --stop-at 2
    "$ATTN" train $rs --out "$tmp/part" --resume
    strip() { sed 's/, "tokens_per_s": [0-9.]*//' "$1"; }
    strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
    strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
    diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed DPO ($loss) log differs"; exit 1; }
    cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed DPO ($loss) weights differ"; exit 1; }
done

# bad inputs: one error line, exit status 1
fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
bad "no --init" "--init" "$ATTN" train --objective dpo --data "$tmp/pairs.jsonl" --steps 1 --quiet --out "$tmp/bad1"
bad "--resume without --init" "--init" "$ATTN" train --objective dpo --data "$tmp/pairs.jsonl" --steps 9 --quiet \
    --out "$tmp/part" --resume
{ head -n 2 "$tmp/pairs.jsonl"; echo '{"prompt": "p", "chosen": "c"}'; } > "$tmp/bad.jsonl"
bad "a pair without rejected" "bad.jsonl: line 3: no \"rejected\"" "$ATTN" train --objective dpo --init "$tmp/sft" \
    --data "$tmp/bad.jsonl" --steps 1 --quiet --out "$tmp/bad2"
echo '{"prompt": "", "chosen": "a", "rejected": "b"}' > "$tmp/empty.jsonl"
bad "an empty prompt" "empty.jsonl: line 1: the prompt encodes to no tokens" "$ATTN" train --objective dpo --init "$tmp/sft" \
    --data "$tmp/empty.jsonl" --steps 1 --quiet --out "$tmp/bad3"
[ "$fail" -eq 0 ] || exit 1
echo ok
