#!/bin/sh
# attn retrieve (BM25 over a folder: FILE:LINE and score, -k, --json, the
# shipped corpora by default, bad folders and usage) and attn chat --tools:
# a tiny GPT taught the tool-call format (tests/e2e/lib/tool_gpt.sh) calls the
# calculator and gets 408 back, calls retrieve and ends its answer with the
# passage's [sources: FILE:LINE]; --json lists the calls; --tool-rounds 0
# leaves the call unrun; bad --tools / --docs are refused.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...

# ---- retrieve ----
mkdir -p "$tmp/r/sub"
printf 'The cat sat.\n\nA dog and a cat\nran home.\n' > "$tmp/r/a.txt"
printf 'Dogs bark.\n' > "$tmp/r/sub/b.md"
printf 'cat cat cat\n' > "$tmp/r/c.json"
"$ATTN" retrieve --docs "$tmp/r" cat > "$tmp/out"
# passages "the cat sat" (3 words) and "a dog and a cat ran home" (7): the shorter one first
head -n 1 "$tmp/out" | grep -Eq "^$tmp/r/a.txt:1 0\.[0-9]{4}$" || { echo "retrieve: $(cat "$tmp/out")"; fail=1; }
grep -Eq "^$tmp/r/a.txt:3 0\.[0-9]{4}$" "$tmp/out" || { echo "retrieve: no a.txt:3 in $(cat "$tmp/out")"; fail=1; }
grep -q "c.json" "$tmp/out" && { echo "retrieve read a .json file"; fail=1; }
[ "$("$ATTN" retrieve --docs "$tmp/r" -k 1 dog cat | grep -c ':[0-9]* [0-9.]*$')" -eq 1 ] || { echo "-k 1"; fail=1; }
"$ATTN" retrieve --docs "$tmp/r" --json DOGS > "$tmp/out"
grep -q "^{\"file\":\"$tmp/r/sub/b.md\",\"line\":1,\"score\":[0-9.]*,\"text\":\"Dogs bark.\"}$" "$tmp/out" ||
    { echo "--json: $(cat "$tmp/out")"; fail=1; }
[ -z "$("$ATTN" retrieve --docs "$tmp/r" zebra)" ] || { echo "no match printed something"; fail=1; }
"$ATTN" retrieve -k 1 Captain Wentworth folding letter | head -n 1 | grep -q '^data/austen/persuasion.txt:[0-9]* ' ||
    { echo "the default corpus (data/) did not find Persuasion"; fail=1; }
mkdir -p "$tmp/empty"
bad "a missing folder" "no such folder" "$ATTN" retrieve --docs "$tmp/nope" cat
bad "a folder without text files" "no .txt or .md file" "$ATTN" retrieve --docs "$tmp/empty" cat
printf 'bad \377 byte\n' > "$tmp/r/bad.txt"
bad "a file that is not UTF-8" "bad.txt: line 1: invalid UTF-8" "$ATTN" retrieve --docs "$tmp/r" cat
rm "$tmp/r/bad.txt"
rc=0; "$ATTN" retrieve --docs "$tmp/r" 2> "$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "QUERY is required" "$tmp/err" || { echo "no query: status $rc"; fail=1; }

# ---- chat --tools ----
. tests/e2e/lib/tool_gpt.sh # $tmp/tool, $tmp/docs
chat() { q=$1; shift; printf '[{"role": "user", "content": "%s"}]' "$q" | "$ATTN" chat -m "$tmp/tool" -t 0 -n 60 "$@"; }
chat "what is 12*34" --tools calculator --json > "$tmp/out" 2> "$tmp/err"
grep -q '^{"tool_calls":\[{"name":"calculator","arguments":{"expression":"12\*34"},"result":"408"}\],"sources":\[\],"role":"assistant","content":"It is 408.","finish_reason":"stop",' \
    "$tmp/out" || { echo "calculator: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
chat "find tea" --tools calculator,retrieve --docs "$tmp/docs" > "$tmp/out" 2> "$tmp/err"
[ "$(tail -n 2 "$tmp/out")" = "Found it.
[sources: $tmp/docs/a.txt:1]" ] || { echo "retrieve: $(cat "$tmp/out")"; fail=1; }
grep -q "^attn chat: tool retrieve -> \[$tmp/docs/a.txt:1\] tea at noon$" "$tmp/err" || { echo "stderr: $(cat "$tmp/err")"; fail=1; }
chat "what is 12*34" --tools calculator --tool-rounds 0 --json > "$tmp/out"
grep -q '"tool_calls":\[\],.*"content":"<tool_call>.*</tool_call>","finish_reason":"tool_calls"' "$tmp/out" ||
    { echo "--tool-rounds 0: $(cat "$tmp/out")"; fail=1; }
chat "hello" --tools calculator --json | grep -q '"tool_calls":\[\],"sources":\[\],"role":"assistant","content":"Hi.","finish_reason":"stop"' ||
    { echo "no call: not plain"; fail=1; }
# with reranking (a rule classifier from the same model; its verdicts are not what is tested):
# each turn of the loop is the best of 2 candidates, calls and all; a refused turn runs no tool
printf 'no-calc: Never use the calculator.\n' > "$tmp/rules.txt"
for i in 1 2 3 4; do
    printf '{"text": "Never use the calculator.", "text_pair": "what is 12*34", "label": "violates"}\n'
    printf '{"text": "Never use the calculator.", "text_pair": "hello", "label": "ok"}\n'
done > "$tmp/cls.jsonl"
"$ATTN" train --objective classify --init "$tmp/tool" --data "$tmp/cls.jsonl" --out "$tmp/cls" --steps 4 --batch 4 \
    --threads 2 --quiet
rr="--rerank 2 --rule-model $tmp/cls --rules $tmp/rules.txt"
chat "what is 12*34" --tools calculator $rr --violation-threshold 1 --json > "$tmp/out" 2> "$tmp/err"
grep -q '^{"tool_calls":\[{"name":"calculator","arguments":{"expression":"12\*34"},"result":"408"}\],"sources":\[\],"role":"assistant","content":"It is 408.","finish_reason":"stop",.*"attn_safety":{"candidates":2,"chosen":0,"fallback":false,' \
    "$tmp/out" || { echo "calculator, reranked: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
chat "what is 12*34" --tools calculator $rr --violation-threshold 0 --json > "$tmp/out" 2> "$tmp/err"
grep -q '^{"tool_calls":\[\],"sources":\[\],"role":"assistant","content":"I'"'"'m sorry, but I can'"'"'t help with that.","finish_reason":"content_filter",.*"attn_safety":{"candidates":2,"chosen":null,"fallback":true,' \
    "$tmp/out" || { echo "calculator, every candidate refused: $(cat "$tmp/out" "$tmp/err")"; fail=1; }
rc=0; chat hello --tools abacus 2> "$tmp/err" || rc=$?
[ "$rc" -eq 2 ] && grep -q "unknown tool 'abacus'" "$tmp/err" || { echo "--tools abacus: status $rc"; fail=1; }
bad "--docs without text" "no .txt or .md" chat hello --tools retrieve --docs "$tmp/empty"
exit $fail
