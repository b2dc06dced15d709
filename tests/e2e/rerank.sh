#!/bin/sh
# attn chat's reranking end to end with tiny models: a GPT rule-violation
# classifier trained on (rule, exchange) pairs (JSON lines; "violates" when
# the answer mentions the rule's word, which only that rule's examples hold) learns them to >= 0.9 held-out
# accuracy; `attn chat --rerank 3` prints the verdicts under attn_safety
# (3 candidates, per-rule probabilities, a score per candidate, the chosen
# one the best kept); with weight 0 and no reward model it answers as the
# first sample of plain `attn chat` with the same seed; a threshold of 0
# drops every candidate and answers with --refusal (finish_reason
# content_filter); the same seed gives the same output; `attn serve` with
# the same options gives the same verdicts per request, streams the refusal with
# the verdicts in a last chunk and refuses a bad attn_rerank (curl); bad
# combinations and files are refused with one error line.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/e2e/lib/chatml_gpt.sh # $tmp/tok, $tmp/data, $tmp/gpt0
. tests/e2e/lib/expect_error.sh
fail=0
printf '# test rules\nno-tea: Never mention tea.\nno-rain: Never talk about rain.\n' > "$tmp/rules.txt"
gen() { # gen N SEED FILE: rule, exchange, label
    awk -v n="$1" -v seed="$2" 'BEGIN {
        split("the a house garden letter sister brother morning evening walked tea", w, " ")
        rule[0] = "Never mention tea."; word[0] = "tea"; rule[1] = "Never talk about rain."; word[1] = "rain"
        x = seed
        for (i = 0; i < n; i++) {
            a = ""; bad = 0; k = i % 2
            for (j = 0; j < 4; j++) {
                x = (x * 1103515245 + 12345) % 2147483648
                t = w[int(x / 65536) % 11 + 1]
                if (t == "tea") t = word[k] # a rule sees only its own word
                if (t == word[k]) bad = 1
                a = a (j ? " " : "") t
            }
            printf "{\"text\": \"%s\", \"text_pair\": \"User: say something\\nAssistant: %s\", \"label\": \"%s\"}\n", rule[k], a, bad ? "violates" : "ok"
        }
    }' > "$3"
}
gen 400 5 "$tmp/train.jsonl"
gen 60 77 "$tmp/val.jsonl"
"$ATTN" train --objective classify --init "$tmp/gpt0" --data "$tmp/train.jsonl" --val "$tmp/val.jsonl" --out "$tmp/cls" \
    --steps 200 --batch 16 --lr 3e-3 --warmup 10 --eval-every 200 --threads 2 --quiet
acc=$(grep -o '"val_accuracy": [0-9.]*' "$tmp/cls/train_log.jsonl" | tail -n 1 | cut -d' ' -f2)
awk -v a="$acc" 'BEGIN { exit !(a >= 0.9) }' || { echo "rule classifier: held-out accuracy $acc < 0.9"; exit 1; }

echo '[{"role": "user", "content": "say something"}]' > "$tmp/conv.json"
chat="$ATTN chat -m $tmp/gpt0 --messages $tmp/conv.json --json -n 8 -t 1 --seed 3 --threads 2"
rr="--rule-model $tmp/cls --rules $tmp/rules.txt"
# (an untrained chat model's text is far from the classifier's data: its verdicts are high, so threshold 1)
$chat --rerank 3 $rr --violation-threshold 1 > "$tmp/r1.json"
$chat --rerank 3 $rr --violation-threshold 1 > "$tmp/r2.json"
cmp -s "$tmp/r1.json" "$tmp/r2.json" || { echo "the same seed gave different reranked answers"; fail=1; }
safety_check() { # FILE: the safety object is whole and the chosen candidate is the best kept
    awk 'BEGIN { RS = "\0" } {
        if (!match($0, /"attn_safety":\{"candidates":3,"chosen":[0-9],"fallback":false,"violation_threshold":1,"violation_weight":1,"reward":null,"max_violation":[0-9.e-]+,"rules":\[\{"id":"no-tea","violation":[0-9.e-]+\},\{"id":"no-rain","violation":[0-9.e-]+\}\],"scores":\[/)) { print "attn_safety is not as expected: " $0; exit 1 }
        s = $0; sub(/.*"chosen":/, "", s); chosen = substr(s, 1, 1) + 0
        s = $0; sub(/.*"scores":\[/, "", s)
        n = 0; best = -1
        while (match(s, /"score":[-0-9.e]+,"dropped":(true|false)/)) {
            item = substr(s, RSTART, RLENGTH); s = substr(s, RSTART + RLENGTH)
            split(item, f, /[:,]/); sc = f[2] + 0; dr = f[4] == "true"
            if (!dr && (best < 0 || sc > bs)) { best = n; bs = sc }
            n++
        }
        if (n != 3 || best != chosen) { print "chosen " chosen ", the best kept of " n " scores is " best; exit 1 }
    }' "$1"
}
safety_check "$tmp/r1.json" || fail=1
# weight 0, no reward: every score is 0 and the first candidate wins, which is plain chat's answer
$chat > "$tmp/plain.json"
$chat --rerank 3 $rr --violation-weight 0 --violation-threshold 1 > "$tmp/w0.json"
plain=$(sed 's/,"usage".*//' "$tmp/plain.json")
w0=$(sed 's/,"usage".*//' "$tmp/w0.json")
[ "$plain" = "$w0" ] || { echo "weight 0: want plain chat's answer $plain, got $w0"; fail=1; }
grep -q '"chosen":0,' "$tmp/w0.json" || { echo "weight 0: not the first candidate"; fail=1; }
# threshold 0: every candidate dropped, the refusal
$chat --rerank 2 $rr --violation-threshold 0 --refusal "No, thank you." > "$tmp/refuse.json"
grep -q '^{"role":"assistant","content":"No, thank you.","finish_reason":"content_filter",' "$tmp/refuse.json" &&
    grep -q '"chosen":null,"fallback":true' "$tmp/refuse.json" || { echo "threshold 0: no refusal:"; cat "$tmp/refuse.json"; fail=1; }
# without --json: the answer on stdout, the verdict on stderr
$ATTN chat -m "$tmp/gpt0" --messages "$tmp/conv.json" -n 8 --seed 3 --threads 2 --rerank 2 $rr \
    --violation-threshold 1 > "$tmp/out" 2> "$tmp/err"
grep -q '^attn chat: safety: 2 candidates, chose [01], largest violation 0\.[0-9]* (no-' "$tmp/err" ||
    { echo "no safety line on stderr:"; cat "$tmp/err"; fail=1; }

# attn serve with the same options: a request's attn_rerank, the verdicts under attn_safety
# (the chosen candidate the best kept), the refusal streamed
# with the verdicts in a last chunk, 400 for a bad attn_rerank; SIGTERM ends it with status 0
( "$ATTN" serve -m "$tmp/gpt0" --port 0 --threads 2 --slots 3 --rerank 3 $rr > /dev/null 2> "$tmp/serve.err" &
  echo $! > "$tmp/serve.pid"; rc=0; wait $! || rc=$?; echo "exit $rc" >> "$tmp/serve.err" ) &
port=""
for i in $(seq 1 600); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$tmp/serve.err" 2> /dev/null)
    [ -n "$port" ] || grep -q '^exit' "$tmp/serve.err" 2> /dev/null && break
    sleep 0.1
done
if [ -z "$port" ]; then echo "attn serve did not start:"; cat "$tmp/serve.err"; exit 1; fi
post() { # post BODY: the response body, then the HTTP status on a line of its own
    curl -s -w '\n%{http_code}\n' -X POST "http://127.0.0.1:$port/v1/chat/completions" \
        -H 'Content-Type: application/json' -d "$1"
}
msgs='"messages": [{"role": "user", "content": "say something"}], "seed": 3, "max_tokens": 8, "temperature": 1'
post "{$msgs, \"attn_rerank\": {\"violation_threshold\": 1}}" > "$tmp/s1.out"
head -n 1 "$tmp/s1.out" > "$tmp/s1.json"
[ "$(sed -n 2p "$tmp/s1.out")" = 200 ] && safety_check "$tmp/s1.json" || { echo "serve:"; cat "$tmp/s1.out"; fail=1; }
post "{$msgs, \"stream\": true, \"attn_rerank\": {\"violation_threshold\": 0}}" > "$tmp/s0.out"
grep '^data: ' "$tmp/s0.out" | sed 's/"created":[0-9]*,//' > "$tmp/s0.data"
awk 'NR == 1 && !/"delta":\{"role":"assistant","content":"I.m sorry, but I can.t help with that\."\}/ { bad = 1 }
     NR == 2 && !/"delta":\{\},"logprobs":null,"finish_reason":"content_filter"/ { bad = 1 }
     NR == 3 && !/"choices":\[\],"attn_safety":\{"candidates":3,"chosen":null,"fallback":true,"violation_threshold":0,/ { bad = 1 }
     NR == 4 && !/^data: \[DONE\]$/ { bad = 1 }
     END { exit bad || NR != 4 }' "$tmp/s0.data" || { echo "serve: the streamed refusal:"; cat "$tmp/s0.out"; fail=1; }
post "{$msgs, \"attn_rerank\": {\"violation_threshold\": 2}}" > "$tmp/s2.out"
[ "$(sed -n 2p "$tmp/s2.out")" = 400 ] && grep -q '"param":"attn_rerank"' "$tmp/s2.out" ||
    { echo "serve: threshold 2:"; cat "$tmp/s2.out"; fail=1; }
kill "$(cat "$tmp/serve.pid")"
wait
grep -q '^exit 0$' "$tmp/serve.err" || { echo "attn serve did not exit 0:"; cat "$tmp/serve.err"; fail=1; }

# usage errors (exit 2) and bad files (exit 1)
rc=0; $chat --rule-model "$tmp/cls" > /dev/null 2> "$tmp/err" || rc=$?
[ $rc -eq 2 ] && grep -q "error: --rule-model needs --rules FILE" "$tmp/err" || { echo "--rule-model alone: $rc"; fail=1; }
rc=0; $chat --rerank 2 > /dev/null 2> "$tmp/err" || rc=$?
[ $rc -eq 2 ] && grep -q "error: --rerank needs --reward-model or --rule-model" "$tmp/err" || { echo "--rerank alone: $rc"; fail=1; }
printf 'no-tea Never mention tea.\n' > "$tmp/bad_rules.txt"
bad "a rules line without a colon" "bad_rules.txt: line 1: expected \"ID: rule text\"" \
    $chat --rule-model "$tmp/cls" --rules "$tmp/bad_rules.txt"
bad "a language model as the rule model" "is not a sequence classifier" $chat --rule-model "$tmp/gpt0" --rules "$tmp/rules.txt"
cp -r "$tmp/cls" "$tmp/cls2"
sed -i 's/"violates"/"bad"/' "$tmp/cls2/config.json"
bad "a classifier without a violates label" "has no label \"violates\"" $chat --rule-model "$tmp/cls2" --rules "$tmp/rules.txt"
bad "a two-label reward model" "is not a reward model" $chat --reward-model "$tmp/cls"
exit $fail
