#!/bin/sh
# Arithmetic with and without the calculator tool (LaMDA's toolset in
# miniature): two small GPTs of the same shape are fine-tuned (SFT, the same
# steps) on generated questions "A * B = ?" (also + and -), one to answer
# directly with the number and one to call the calculator in attn's
# tool-call format and answer from the tool's result:
#   user: 4821 * 739 = ?
#   assistant: <tool_call>\n{"name":"calculator","arguments":{"expression":"4821 * 739"}}\n</tool_call>
#   tool: 3562719
#   assistant: 3562719
# (The numbers stand where GPT-2's pre-tokenizer cuts them the same way in
# the question, the call, the result and the answer: never after a space
# that would join them, so copying one is copying its tokens.)
# Then both answer held-out questions with attn chat (greedy; the tool model
# with --tools calculator) and the exact-match accuracy is written, per
# operation, to OUT/results.md (recipes/results/calculator.md is a run).
# Both models use a ChatML template that drops system messages, so the tool
# list attn chat describes there costs no context: the tool model learned
# the format from its data. One command, 26 minutes on a shared, busy
# 2-core machine (recipes/results/calculator.md):
#   sh recipes/calculator.sh [OUT] [STEPS] [N_TEST]
set -eu
ATTN=${ATTN_BIN:-./attn}
out=${1:-runs/calculator}
steps=${2:-2000}
n_test=${3:-200}
threads=${THREADS:-2}
mkdir -p "$out"
t0=$(date +%s)

# ---- data: 6000 training questions and N_TEST held out (no pair in both) ----
awk -v n_test="$n_test" -v out="$out" 'BEGIN {
    state = 12345
    n = 0
    while (n < 6000 + n_test) {
        state = (state * 16807) % 2147483647; r = state / 2147483647
        state = (state * 16807) % 2147483647; x = state / 2147483647
        state = (state * 16807) % 2147483647; y = state / 2147483647
        if (r < 0.6) { op = "*"; a = 100 + int(x * 9900); b = 10 + int(y * 990) }
        else { op = r < 0.8 ? "+" : "-"; a = 1000 + int(x * 99000); b = 1000 + int(y * 99000) }
        q = a " " op " " b
        if (q in seen) continue
        seen[q] = 1
        v = op == "*" ? a * b : op == "+" ? a + b : a - b
        split_ = n < n_test ? "test" : "train"
        printf "%s\t%s\t%d\n", q, op, v > (out "/" split_ ".tsv")
        n++
    }
}'
awk -F '\t' '{
    u = "{\"role\": \"user\", \"content\": \"" $1 " = ?\"}"
    a = "{\"role\": \"assistant\", \"content\": \"" $3 "\"}"
    printf "{\"messages\": [%s, %s]}\n", u, a > plain
    c = "{\"role\": \"assistant\", \"content\": \"<tool_call>\\n{\\\"name\\\":\\\"calculator\\\",\\\"arguments\\\":{\\\"expression\\\":\\\"" $1 "\\\"}}\\n</tool_call>\"}"
    t = "{\"role\": \"tool\", \"content\": \"" $3 "\"}"
    printf "{\"messages\": [%s, %s, %s, %s]}\n", u, c, t, a > tool
}' plain="$out/plain.jsonl" tool="$out/tool.jsonl" "$out/train.tsv"

# ---- a tokenizer, an untrained GPT, the template ----
printf '%s' "{% for m in messages %}{% if m.role != 'system' %}<|im_start|>{{ m.role }}
{{ m.content }}<|im_end|>
{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
{% endif %}" > "$out/chat.jinja"
cat "$out/plain.jsonl" "$out/tool.jsonl" > "$out/all.txt"
"$ATTN" tokenizer train --type bpe --vocab-size 512 --special-tokens '<|endoftext|>,<|im_start|>,<|im_end|>' \
    -o "$out/tok" "$out/all.txt" > /dev/null
"$ATTN" prepare -t "$out/tok" -o "$out/shards" "$out/all.txt" > /dev/null
"$ATTN" train --data "$out/shards" --out "$out/gpt0" --layers 4 --heads 4 --width 128 --context 192 --steps 0 \
    --seed 1
cp "$out/chat.jinja" "$out/gpt0/chat_template.jinja"

# ---- SFT: the same model, steps and batch for both ----
for kind in plain tool; do
    if [ ! -f "$out/$kind/model.safetensors" ]; then
        "$ATTN" train --objective sft --init "$out/gpt0" --data "$out/$kind.jsonl" --steps "$steps" --batch 16 \
            --lr 3e-3 --warmup 50 --threads "$threads" --seed 1 --out "$out/$kind"
        cp "$out/chat.jinja" "$out/$kind/chat_template.jinja"
    fi
    echo "calculator.sh: $kind SFT: last loss $(tail -n 1 "$out/$kind/train_log.jsonl" | grep -o '"loss": [0-9.]*' | cut -d' ' -f2)"
done
t1=$(date +%s)

# ---- held-out accuracy: plain (direct answers), tool (with the calculator) ----
: > "$out/answers.tsv"
while IFS="$(printf '\t')" read -r q op want; do
    printf '[{"role": "user", "content": "%s = ?"}]' "$q" > "$out/q.json"
    p=$("$ATTN" chat -m "$out/plain" --messages "$out/q.json" -t 0 -n 24 --threads 1 2> /dev/null | head -n 1 || true)
    j=$("$ATTN" chat -m "$out/tool" --messages "$out/q.json" -t 0 -n 64 --threads 1 --tools calculator --json \
        2> /dev/null || true)
    t=$(printf '%s' "$j" | sed 's/.*"content":"\([^"]*\)".*/\1/')
    called=$(printf '%s' "$j" | sed -n 's/^{"tool_calls":\[{"name":"calculator","arguments":{"expression":"[^"]*"},"result":"\([^"]*\)"}\].*/\1/p')
    pv=$(printf '%s' "$p" | sed -n 's/^\(-\{0,1\}[0-9][0-9]*\)$/\1/p')
    tv=$(printf '%s' "$t" | sed -n 's/^\(-\{0,1\}[0-9][0-9]*\)$/\1/p')
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$q" "$op" "$want" "${pv:-?}" "${tv:-?}" "${called:-?}" >> "$out/answers.tsv"
done < "$out/test.tsv"
t2=$(date +%s)

awk -F '\t' -v steps="$steps" -v train_s=$((t1 - t0)) -v eval_s=$((t2 - t1)) '
{ n[$2]++; N++; if ($4 == $3) { p[$2]++; P++ } if ($5 == $3) { t[$2]++; T++ } if ($6 == $3) { c[$2]++; C++ } }
END {
    printf "| questions | n | plain model (direct answer) | with the calculator tool | its one call right |\n|---|---:|---:|---:|---:|\n"
    split("* + -", ops, " ")
    names["*"] = "A * B (3-4 digits x 2-3 digits)"; names["+"] = "A + B (4-5 digits)"; names["-"] = "A - B (4-5 digits)"
    for (i = 1; i <= 3; i++) { o = ops[i]
        printf "| %s | %d | %.1f%% (%d) | %.1f%% (%d) | %.1f%% (%d) |\n", names[o], n[o], 100 * p[o] / n[o], p[o],
            100 * t[o] / n[o], t[o], 100 * c[o] / n[o], c[o] }
    printf "| all | %d | %.1f%% (%d) | %.1f%% (%d) | %.1f%% (%d) |\n", N, 100 * P / N, P, 100 * T / N, T, 100 * C / N, C
    printf "\nExact match of the answer (the number alone), greedy decoding. Two GPTs of 4 layers, width 128, "
    printf "context 192, fine-tuned (SFT) from the same random initialisation for %d steps of 16 conversations on ", steps
    printf "6000 generated questions; held-out questions share no (A, op, B) with them. Data, training: %d s; ", train_s
    printf "evaluation (one attn chat per question and model): %d s. \"Its one call right\": the answer made exactly one ", eval_s
    printf "calculator call and the tool returned the right number (the call copied the question).\n"
}' "$out/answers.tsv" > "$out/results.md"
cat "$out/results.md"
