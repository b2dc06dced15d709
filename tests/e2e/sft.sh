#!/bin/sh
# attn train --objective sft end to end on a tiny GPT with a BPE tokenizer
# that has ChatML's tokens: the loss on assistant tokens falls (validation
# loss down by a third in 40 steps on a copy task); a run stopped and
# resumed matches the uninterrupted one bit for bit (with --packing and
# dropout); OUT gets the template in tokenizer_config.json; OPT and Llama
# models train too; a changed --train-on-prompt on --resume is refused; bad
# conversation files and a missing --init get one error line and status 1.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/e2e/lib/chatml_gpt.sh # $tmp/tok, $tmp/data, $tmp/gpt0
small="--layers 2 --heads 2 --width 32 --context 64 --steps 0 --quiet"
# conversations: the assistant repeats the user's words (some with a system
# message and a second turn); a deterministic generator
gen() { # gen N SEED FILE
    awk -v n="$1" -v seed="$2" 'BEGIN {
        split("the a house garden letter sister brother tea rain walked morning evening", w, " ")
        x = seed
        for (i = 0; i < n; i++) {
            q = ""
            for (j = 0; j < 4; j++) {
                x = (x * 1103515245 + 12345) % 2147483648
                q = q (j ? " " : "") w[int(x / 65536) % 12 + 1]
            }
            u = "{\"role\": \"user\", \"content\": \"repeat: " q "\"}"
            a = "{\"role\": \"assistant\", \"content\": \"" q "\"}"
            if (i % 3 == 0)
                printf "{\"messages\": [{\"role\": \"system\", \"content\": \"Be brief.\"}, %s, %s, {\"role\": \"user\", \"content\": \"again\"}, %s]}\n", u, a, a
            else
                printf "{\"messages\": [%s, %s]}\n", u, a
        }
    }' > "$3"
}
gen 60 7 "$tmp/train.jsonl"
gen 12 99 "$tmp/val.jsonl"
ft="--objective sft --init $tmp/gpt0 --data $tmp/train.jsonl --val $tmp/val.jsonl --batch 8 --lr 3e-3 --warmup 4 --threads 2 --quiet"
"$ATTN" train $ft --steps 40 --eval-every 20 --out "$tmp/sft"
vals=$(grep -o '"val_loss": [0-9.]*' "$tmp/sft/train_log.jsonl" | cut -d' ' -f2 | tr '\n' ' ')
first=$(grep -o '"loss": [0-9.]*' "$tmp/sft/train_log.jsonl" | head -n 1 | cut -d' ' -f2)
last=$(echo "$vals" | awk '{print $NF}')
awk -v a="$first" -v b="$last" 'BEGIN { exit !(b < a * 2 / 3) }' ||
    { echo "SFT loss did not fall by a third: first step $first, validation $vals"; exit 1; }
grep -q '"chat_template"' "$tmp/sft/tokenizer_config.json" || { echo "no chat template in OUT"; exit 1; }
grep -q im_start "$tmp/sft/tokenizer_config.json" || { echo "OUT's template is not the run's (ChatML)"; exit 1; }

# stopped and resumed: the same log and weights, byte for byte
rs="$ft --steps 8 --eval-every 4 --packing --seq-len 48 --dropout 0.1"
"$ATTN" train $rs --out "$tmp/full"
"$ATTN" train $rs --out "$tmp/part" --stop-at 3
"$ATTN" train $rs --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
[ "$(wc -l < "$tmp/a.log")" -eq 8 ] || { echo "expected 8 log lines"; exit 1; }
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed SFT losses differ from the uninterrupted run"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed SFT weights differ"; exit 1; }
if "$ATTN" train $rs --out "$tmp/part" --steps 9 --resume --train-on-prompt 2> "$tmp/err"; then
    echo "a changed --train-on-prompt was accepted on --resume"; exit 1
fi
grep -q -- "--train-on-prompt" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# the loss over every token differs from the assistant tokens' loss
"$ATTN" train $ft --steps 1 --train-on-prompt --out "$tmp/all"
a=$(head -n 1 "$tmp/sft/train_log.jsonl" | grep -o '"loss": [0-9.]*')
b=$(head -n 1 "$tmp/all/train_log.jsonl" | grep -o '"loss": [0-9.]*')
[ "$a" != "$b" ] || { echo "--train-on-prompt changed nothing ($a)"; exit 1; }

# other decoder families
for arch in opt llama; do
    "$ATTN" train --data "$tmp/data" --out "$tmp/$arch" --arch "$arch" $small
    "$ATTN" train --objective sft --init "$tmp/$arch" --data "$tmp/train.jsonl" --steps 2 --batch 4 --threads 2 --quiet \
        --out "$tmp/$arch-sft"
    [ "$(wc -l < "$tmp/$arch-sft/train_log.jsonl")" -eq 2 ] || { echo "$arch: SFT did not run 2 steps"; exit 1; }
done

# bad inputs: one error line, exit status 1
fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
n=0
bad_file() { # bad_file DESCRIPTION FRAGMENT LINE
    n=$((n + 1))
    { head -n 2 "$tmp/train.jsonl"; printf '%s\n' "$3"; } > "$tmp/bad$n.jsonl"
    bad "$1" "$tmp/bad$n.jsonl: line 3: $2" "$ATTN" train --objective sft --init "$tmp/gpt0" --data "$tmp/bad$n.jsonl" \
        --steps 1 --quiet --out "$tmp/bad$n"
}
bad_file "a line that is not JSON" "not valid JSON" '{"messages": ['
bad_file "an unknown role" '"messages"\[0\]: unknown role "bot"' '{"messages": [{"role": "bot", "content": "x"}]}'
bad_file "a content that is no string" '"messages"\[0\].content is not a string' '{"messages": [{"role": "user", "content": 3}]}'
bad_file "no messages" 'no "messages"' '{"text": "x"}'
printf '{"messages": [{"role": "user", "content": "\377"}]}\n' > "$tmp/utf8.jsonl"
bad "invalid UTF-8" "line 1: invalid UTF-8" "$ATTN" train --objective sft --init "$tmp/gpt0" --data "$tmp/utf8.jsonl" \
    --steps 1 --quiet --out "$tmp/bad_utf8"
bad "no --init" "--init" "$ATTN" train --objective sft --data "$tmp/train.jsonl" --steps 1 --quiet --out "$tmp/bad_init"
printf '{"messages": [{"role": "user", "content": "only a question"}]}\n' > "$tmp/noasst.jsonl"
bad "no assistant tokens" "no assistant tokens" "$ATTN" train --objective sft --init "$tmp/gpt0" --data "$tmp/noasst.jsonl" \
    --steps 1 --quiet --out "$tmp/bad_noasst"
[ "$fail" -eq 0 ] || exit 1
echo ok
