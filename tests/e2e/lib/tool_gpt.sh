# Sourced by end-to-end scripts and tests/py/test_serve_tools.py (run from the
# repository root; not a test itself), after $ATTN and $tmp are set: a tiny
# GPT taught by SFT ($tmp/tool; 120 steps: at 60 one seed in six missed an answer) to answer "what is 12*34" with a calculator
# call in attn's tool-call format and, once the tool message holds the
# result, with "It is 408."; "find tea" with a retrieve call and, given
# the passage of $tmp/docs/a.txt, with "Found it."; and "hello" with "Hi."
# (no call). Its template
# ($tmp/tool/chat_template.jinja) is ChatML without system messages, so the
# tool list attn puts there costs no context.
printf '%s' "{% for m in messages %}{% if m.role != 'system' %}<|im_start|>{{ m.role }}
{{ m.content }}<|im_end|>
{% endif %}{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant
{% endif %}" > "$tmp/tool.jinja"
call='<tool_call>\n{\"name\":\"calculator\",\"arguments\":{\"expression\":\"12*34\"}}\n</tool_call>'
one='{"messages": [{"role": "user", "content": "what is 12*34"}, {"role": "assistant", "content": "'"$call"'"}, {"role": "tool", "content": "408"}, {"role": "assistant", "content": "It is 408."}]}'
mkdir -p "$tmp/docs"
printf 'tea at noon\n' > "$tmp/docs/a.txt"
rcall='<tool_call>\n{\"name\":\"retrieve\",\"arguments\":{\"query\":\"tea\"}}\n</tool_call>'
three='{"messages": [{"role": "user", "content": "find tea"}, {"role": "assistant", "content": "'"$rcall"'"}, {"role": "tool", "content": "['"$tmp"'/docs/a.txt:1] tea at noon"}, {"role": "assistant", "content": "Found it."}]}'
two='{"messages": [{"role": "user", "content": "hello"}, {"role": "assistant", "content": "Hi."}]}'
: > "$tmp/tool.jsonl"
for i in 1 2 3 4 5 6 7 8; do printf '%s\n%s\n%s\n' "$one" "$two" "$three" >> "$tmp/tool.jsonl"; done
"$ATTN" tokenizer train --type bpe --vocab-size 400 --special-tokens '<|endoftext|>,<|im_start|>,<|im_end|>' \
    -o "$tmp/tooltok" "$tmp/tool.jsonl" > /dev/null
"$ATTN" prepare -t "$tmp/tooltok" -o "$tmp/tooldata" "$tmp/tool.jsonl" > /dev/null
"$ATTN" train --data "$tmp/tooldata" --out "$tmp/tool0" --layers 1 --heads 2 --width 32 --context 192 --steps 0 --quiet
cp "$tmp/tool.jinja" "$tmp/tool0/chat_template.jinja"
"$ATTN" train --objective sft --init "$tmp/tool0" --data "$tmp/tool.jsonl" --steps 120 --batch 4 --lr 1e-2 --warmup 5 \
    --threads 2 --quiet --seed 1 --out "$tmp/tool"
cp "$tmp/tool.jinja" "$tmp/tool/chat_template.jinja"
