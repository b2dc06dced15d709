#!/bin/sh
# attn chat without a terminal (standard input or --messages FILE): one
# reply, --json's fields and counts, the oldest turns dropped to fit the
# context, and bad conversations (JSON, roles, types, UTF-8, the last
# message) refused with one error line and exit 1. A char-level GPT trained
# here for one step, with a template of its own (--template). The
# interactive mode is tests/py/test_chat.py's (a pseudo-terminal).
set -u
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_chat.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
bad() { echo "chat.sh: FAIL: $*"; fails=$((fails + 1)); }

head -c 20000 data/austen/persuasion.txt >"$tmp/c.txt"
"$ATTN" prepare -t char -o "$tmp/d" "$tmp/c.txt" >/dev/null 2>&1 || { echo "prepare failed"; exit 1; }
"$ATTN" train --data "$tmp/d" --out "$tmp/m" --layers 1 --heads 2 --width 32 --context 128 --batch 1 --steps 1 \
    --quiet >/dev/null 2>&1 || { echo "train failed"; exit 1; }
printf '{%% for m in messages %%}{{ m.role }}: {{ m.content }}\n{%% endfor %%}{%% if add_generation_prompt %%}assistant:{%% endif %%}' \
    >"$tmp/t.jinja"
chat() { "$ATTN" chat -m "$tmp/m" --template "$tmp/t.jinja" "$@"; }

# a reply; --json's counts: the prompt "user: Hello\nassistant:" is 22 characters
echo '[{"role": "user", "content": "Hello"}]' | chat -n 20 -t 0 --json >"$tmp/out" 2>"$tmp/err" ||
    bad "reply: $(cat "$tmp/err")"
grep -Eq '^\{"role":"assistant","content":".*","finish_reason":"(stop|length)","usage":\{"prompt_tokens":22,"completion_tokens":[0-9]+,"total_tokens":[0-9]+\}\}$' \
    "$tmp/out" || bad "--json: $(cat "$tmp/out")"
printf '{"messages": [{"role": "user", "content": "Hello"}]}' >"$tmp/m.json"
chat -n 20 -t 0 --messages "$tmp/m.json" >"$tmp/plain" 2>"$tmp/err" || bad "--messages: $(cat "$tmp/err")"
want=$(sed 's/.*"content":"\(.*\)","finish_reason".*/\1/' "$tmp/out")
[ "$(cat "$tmp/plain")" = "$want" ] || bad "the plain reply '$(cat "$tmp/plain")' is not --json's '$want'"

# a context of 128 with 8 kept for the answer: the first turn goes, the system message stays
long=$(printf 'word %.0s' $(seq 25))
printf '[{"role": "system", "content": "Be kind."}, {"role": "user", "content": "%s"}, {"role": "assistant", "content": "%s"}, {"role": "user", "content": "last"}]' \
    "$long" "$long" >"$tmp/long.json"
chat -n 8 -v --messages "$tmp/long.json" >"$tmp/out" 2>"$tmp/err" || bad "long conversation: $(cat "$tmp/err")"
grep -q "^attn chat: note: the conversation outgrew the model's context of 128 tokens (8 kept for the answer): dropped its 2 oldest messages, kept the system message$" \
    "$tmp/err" || bad "no note on dropped turns: $(cat "$tmp/err")"
grep -q "^user: last$" "$tmp/err" && grep -q "^system: Be kind.$" "$tmp/err" && ! grep -q "^user: word" "$tmp/err" ||
    bad "the prompt after dropping: $(cat "$tmp/err")"

# refused: exit 1, nothing on stdout, one line naming the problem
refused() { # refused WHAT PATTERN: standard input is the conversation
    chat -n 4 "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 1 ] || [ -s "$tmp/out" ] || [ "$(wc -l <"$tmp/err")" -ne 1 ] ||
        ! grep -q "^attn chat: error: .*$pattern" "$tmp/err"; then
        bad "$what: exit $rc, stdout '$(cat "$tmp/out")', stderr '$(cat "$tmp/err")'"
    fi
}
what="bad JSON" pattern="standard input: not valid JSON (at byte [0-9]*)"
printf '[{"role": "user"' | refused
what="an object without messages" pattern="expected an array of messages"
printf '{"role": "user"}' | refused
what="a role" pattern='messages\[0\].role must be "system", "user" or "assistant", not "tool"'
printf '[{"role": "tool", "content": "x"}]' | refused
what="a content" pattern='messages\[1\].content must be a string'
printf '[{"role": "user", "content": "x"}, {"role": "user", "content": null}]' | refused
what="invalid UTF-8" pattern="UTF-8"
printf '[{"role": "user", "content": "caf\303"}]' | refused
what="the last message" pattern="the last message must be the user's (it is the assistant's)"
printf '[{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]' | refused
what="empty input" pattern="standard input is empty: attn chat answers a JSON array of messages there"
refused </dev/null
what="no messages" pattern="the conversation holds no messages"
printf '[]' | refused
what="too long" pattern="the last message makes a prompt of [0-9]* tokens; with 4 left for the answer"
printf '[{"role": "user", "content": "%s%s%s"}]' "$long" "$long" "$long" | refused
what="a missing file" pattern="$tmp/none.json"
refused --messages "$tmp/none.json" </dev/null

[ "$fails" -eq 0 ] || { echo "chat.sh: $fails failures"; exit 1; }
echo "chat.sh: ok"
