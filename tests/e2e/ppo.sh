#!/bin/sh
# attn train --objective ppo end to end: a tiny character-level GPT
# pretrained for a few steps on sums runs PPO on the built-in arithmetic
# task (--reward arith --prompts arith) and, with a chat template that
# renders a message as its text, against a reward model trained from it on
# a prompts file. The log has the PPO numbers on every step, all finite; a
# run stopped inside a rollout's steps and resumed matches the
# uninterrupted one bit for bit (weights, value head, log); bad settings
# and inputs get one error line, status 1; --ptx-coef logs the LM loss on
# the --data shards.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk 'BEGIN { for (i = 1; i <= 300; i++) { a = i % 50; b = (i * 7) % 50; print a "+" b "=" a + b } }' > "$tmp/sums.txt"
"$ATTN" prepare -o "$tmp/data" "$tmp/sums.txt" > /dev/null
"$ATTN" train --data "$tmp/data" --out "$tmp/lm" --layers 2 --heads 2 --width 32 --context 32 --steps 30 --batch 16 \
    --lr 3e-3 --threads 2 --quiet
g="--objective ppo --init $tmp/lm --reward arith --prompts arith --batch 4 --max-new 6 --ppo-epochs 2 --kl-target 1 \
    --kl-horizon 100 --lr 3e-3 --threads 2 --quiet --steps 6 --eval-every 6"
"$ATTN" train $g --out "$tmp/full"
log="$tmp/full/train_log.jsonl"
for k in reward_mean kl entropy kl_coef clip_frac value_loss rollout_tokens_per_s train_tokens_per_s; do
    [ "$(grep -c "\"$k\": [-0-9]" "$log")" -eq 6 ] || { echo "want a finite \"$k\" every step"; cat "$log"; exit 1; }
done
grep -q -i 'nan\|inf' "$log" && { echo "a non-finite number in the log"; cat "$log"; exit 1; }
[ "$(grep -c '"val_exact_match"' "$log")" -eq 1 ] || { echo "want one evaluation, at the end"; exit 1; }
[ -f "$tmp/full/value_head.safetensors" ] || { echo "no value_head.safetensors"; exit 1; }
# the adaptive coefficient moved after the first rollout
a=$(sed -n 1p "$log" | grep -o '"kl_coef": [0-9.e-]*'); b=$(sed -n 5p "$log" | grep -o '"kl_coef": [0-9.e-]*')
[ "$a" != "$b" ] || { echo "the adaptive KL coefficient did not move ($a)"; exit 1; }
# stopped after step 3, inside the second rollout's two steps, and resumed
"$ATTN" train $g --out "$tmp/part" --stop-at 3
"$ATTN" train $g --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$log" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed PPO log differs"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed PPO weights differ"; exit 1; }
cmp "$tmp/full/value_head.safetensors" "$tmp/part/value_head.safetensors" || { echo "resumed value head differs"; exit 1; }
# a checkpoint cut after the value head's file but before the trainer
# state: the state of step 3 beside the value head of step 4 (and the
# previous one, kept as value_head.prev.safetensors) resumes from step 3
"$ATTN" train $g --out "$tmp/cut" --stop-at 3
cp "$tmp/cut/trainer_state.safetensors" "$tmp/state3"
"$ATTN" train $g --out "$tmp/cut" --resume --stop-at 4
cp "$tmp/state3" "$tmp/cut/trainer_state.safetensors"
"$ATTN" train $g --out "$tmp/cut" --resume
cmp "$tmp/full/model.safetensors" "$tmp/cut/model.safetensors" || { echo "resumed PPO weights after a cut checkpoint differ"; exit 1; }
if "$ATTN" train $g --out "$tmp/part" --resume --steps 8 --cliprange 0.3 2> "$tmp/err"; then
    echo "a changed --cliprange was accepted"; exit 1
fi
grep -q -- "--cliprange" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# PPO-ptx: the next-token loss on the pretraining shards mixed in
"$ATTN" train $g --steps 2 --ptx-coef 0.5 --data "$tmp/data" --seq-len 16 --out "$tmp/ptx"
[ "$(grep -c '"ptx_loss": [0-9]' "$tmp/ptx/train_log.jsonl")" -eq 2 ] || { echo "want a ptx_loss every step"; exit 1; }

# a reward model (a one-label head on the same model) and a prompts file
printf '{"chat_template": "{%% for m in messages %%}{{ m.content }}{%% endfor %%}"}\n' > "$tmp/lm/tokenizer_config.json"
awk 'BEGIN { for (i = 0; i < 12; i++) printf "{\"prompt\": \"%d+%d=\", \"chosen\": \"%d\", \"rejected\": \"%d\"}\n", i, 2 * i, 3 * i, 3 * i + 1 }' \
    > "$tmp/pairs.jsonl"
"$ATTN" train --objective reward --init "$tmp/lm" --data "$tmp/pairs.jsonl" --batch 4 --steps 2 --threads 2 --quiet --out "$tmp/rm"
printf '{"prompt": "3+4="}\n{"messages": [{"role": "user", "content": "12+5="}]}\n' > "$tmp/prompts.jsonl"
printf '7\t2\n1\t-1.5\n' > "$tmp/lex.tsv" # a sentiment lexicon of digits: logged, not trained on
"$ATTN" train --objective ppo --init "$tmp/lm" --reward "$tmp/rm" --prompts "$tmp/prompts.jsonl" --batch 2 --max-new 4 \
    --ppo-epochs 1 --steps 2 --threads 2 --quiet --lexicon "$tmp/lex.tsv" --out "$tmp/rmrun"
[ "$(grep -c '"reward_mean": [-0-9]' "$tmp/rmrun/train_log.jsonl")" -eq 2 ] || { echo "want a mean reward every step"; exit 1; }
[ "$(grep -c '"lexicon_reward": [-0-9]' "$tmp/rmrun/train_log.jsonl")" -eq 2 ] || { echo "want a lexicon reward every step"; exit 1; }
! grep -q lexicon_reward "$log" || { echo "a lexicon reward without --lexicon"; exit 1; }

fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
bad "a missing lexicon" "--lexicon" "$ATTN" train --objective ppo --init "$tmp/lm" --reward "$tmp/rm" \
    --prompts "$tmp/prompts.jsonl" --lexicon "$tmp/none.tsv" --steps 1 --quiet --out "$tmp/bad9"
bad "no --prompts" "--prompts" "$ATTN" train --objective ppo --init "$tmp/lm" --reward arith --steps 1 --quiet --out "$tmp/bad1"
bad "no --reward" "--reward" "$ATTN" train --objective ppo --init "$tmp/lm" --prompts arith --steps 1 --quiet --out "$tmp/bad2"
bad "no --init" "--init" "$ATTN" train --objective ppo --reward arith --prompts arith --steps 1 --quiet --out "$tmp/bad3"
bad "arith reward on a file" "--prompts arith" "$ATTN" train --objective ppo --init "$tmp/lm" --reward arith \
    --prompts "$tmp/prompts.jsonl" --steps 1 --quiet --out "$tmp/bad4"
bad "a model without a reward head" "not a reward model" "$ATTN" train --objective ppo --init "$tmp/lm" --reward "$tmp/lm" \
    --prompts arith --steps 1 --quiet --out "$tmp/bad5"
bad "--data without --ptx-coef" "--ptx-coef" "$ATTN" train --objective ppo --init "$tmp/lm" --reward arith \
    --prompts arith --data "$tmp/data" --steps 1 --quiet --out "$tmp/bad8"
printf '{"prompt": "1+1="}\n{"prompt": 7}\n' > "$tmp/badprompts.jsonl"
bad "a bad prompts line" "line 2" "$ATTN" train --objective ppo --init "$tmp/lm" --reward "$tmp/rm" \
    --prompts "$tmp/badprompts.jsonl" --steps 1 --quiet --out "$tmp/bad6"
# a reward model over another vocabulary (a character set with letters)
printf 'the cat sat on the mat\n1+2=3\n' > "$tmp/words.txt"
"$ATTN" prepare -o "$tmp/data2" "$tmp/words.txt" > /dev/null
"$ATTN" train --data "$tmp/data2" --out "$tmp/lm2" --layers 1 --heads 2 --width 16 --context 32 --steps 1 --batch 2 \
    --seq-len 8 --threads 2 --quiet
"$ATTN" train --objective reward --init "$tmp/lm2" --data "$tmp/pairs.jsonl" --batch 4 --steps 1 --threads 2 --quiet \
    --out "$tmp/rm2"
bad "a reward model with another tokenizer" "same tokenizer" "$ATTN" train --objective ppo --init "$tmp/lm" \
    --reward "$tmp/rm2" --prompts arith --steps 1 --quiet --out "$tmp/bad7"
[ "$fail" -eq 0 ] || exit 1
echo ok
