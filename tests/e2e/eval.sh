#!/bin/sh
# attn eval on a tiny character GPT trained briefly on Pride and Prejudice:
# multiple-choice items whose right answer is the common letter are all
# right (acc and acc_norm 1); each choice's log-likelihood equals what attn
# score gives (NLL of context + choice minus NLL of the context); k-shot
# prompts are the other examples' context + answer + a blank line before the
# question, the same for the same seed; generation tasks report exact match;
# a malformed task line is an error naming its line.
set -eu
ATTN=${ATTN_BIN:-./attn}
case $ATTN in /*) ;; */*) ATTN=$PWD/$ATTN ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "eval.sh: $*"; exit 1; }
head -c 200000 data/austen/prideprejudice.txt > "$tmp/a.txt"
cd "$tmp"
"$ATTN" prepare -t char -o data a.txt > /dev/null
"$ATTN" train --data data --out m --layers 2 --heads 2 --width 32 --context 64 --batch 16 --steps 100 --lr 5e-3 --quiet
cat > mc.jsonl <<'JSON'
{"context": "She said that th", "choices": ["e", "q"], "answer": 0}
{"context": "It is a truth universally acknowledged, that a single man must be in want of a wif", "choices": ["z", "e"], "answer": 1}
{"context": "Mr. Darcy and Mr", "choices": [".", "x"], "answer": 0}
{"context": "and she was very happy to se", "choices": ["e", "j"], "answer": 0}
JSON
"$ATTN" eval -m m mc.jsonl --json --samples s.jsonl > out.json
grep -q '^{"task":"mc.jsonl","type":"multiple_choice","shots":0,"n":4,"acc":1,"acc_stderr":0,"acc_norm":1,"acc_norm_stderr":0}$' out.json ||
    fail "acc: $(cat out.json) $(cat s.jsonl)"
# doc 0's first choice: its log-likelihood from attn score
printf 'She said that the' > t1.txt
printf 'She said that th' > t0.txt
"$ATTN" score -m m t1.txt --json > s1
"$ATTN" score -m m t0.txt --json > s0
ll=$(head -n 1 s.jsonl | sed 's/.*"ll":\[\([^,]*\),.*/\1/')
awk -v ll="$ll" -v a="$(cat s1)" -v b="$(cat s0)" 'function f(s, k) { sub(".*\"" k "\": ", "", s); sub("[,}].*", "", s); return s + 0 }
    BEGIN { want = f(b, "nll") * f(b, "tokens") - f(a, "nll") * f(a, "tokens"); d = ll - want; if (d < 0) d = -d
            if (d > 1e-4) { print "ll " ll " vs attn score " want; exit 1 } }' || fail "log-likelihood differs from attn score"
# choices of several tokens, scored side by side after one decode of the prompt: each equals attn score too
printf '{"context": "Mr. Darcy and Mr", "choices": [". Bingley was", "s. Bennet said"], "answer": 0}\n' > multi.jsonl
"$ATTN" eval -m m multi.jsonl --samples sm.jsonl > /dev/null
for c in 1 2; do
    [ $c = 1 ] && printf 'Mr. Darcy and Mr. Bingley was' > t1.txt || printf 'Mr. Darcy and Mrs. Bennet said' > t1.txt
    printf 'Mr. Darcy and Mr' > t0.txt
    "$ATTN" score -m m t1.txt --json > s1
    "$ATTN" score -m m t0.txt --json > s0
    ll=$(sed 's/.*"ll":\[\([^]]*\)\].*/\1/' sm.jsonl | cut -d, -f$c)
    awk -v ll="$ll" -v a="$(cat s1)" -v b="$(cat s0)" 'function f(s, k) { sub(".*\"" k "\": ", "", s); sub("[,}].*", "", s); return s + 0 }
        BEGIN { want = f(b, "nll") * f(b, "tokens") - f(a, "nll") * f(a, "tokens"); d = ll - want; if (d < 0) d = -d
                if (d > 1e-4 || ll > -1) { print "choice ll " ll " vs attn score " want; exit 1 } }' ||
        fail "choice $c of several tokens: log-likelihood differs from attn score"
done
# two shots: other examples' context + answer + blank line, then the question; the same for the same seed
"$ATTN" eval -m m mc.jsonl --shots 2 --seed 7 --samples k1.jsonl > /dev/null
"$ATTN" eval -m m mc.jsonl --shots 2 --seed 7 --samples k2.jsonl > /dev/null
cmp -s k1.jsonl k2.jsonl || fail "the shots differ for one seed"
head -n 1 k1.jsonl | grep -q '"prompt":"[^"]*\\n\\n[^"]*\\n\\nShe said that th"' || fail "two-shot prompt: $(head -n 1 k1.jsonl)"
head -n 1 k1.jsonl | grep -q '"prompt":"She said' && fail "doc 0 among its own shots"
# generation: exact match of the greedy continuation up to a newline
printf '{"context": "one two one two one two one", "answer": " two"}\n{"context": "a b a b a", "answer": " b"}\n' > gen.jsonl
"$ATTN" eval -m m gen.jsonl --max-tokens 4 --samples g.jsonl > out.txt
grep -Eq '^gen.jsonl +0 +2 +(0|0\.5|1)\.[0-9]{4} ' out.txt || fail "generation: $(cat out.txt)"
[ "$(grep -c '"output":' g.jsonl)" -eq 2 ] || fail "generation samples: $(cat g.jsonl)"
printf '{"context": "a", "choices": ["b", "c"], "answer": 0}\n{"context": "a", "choices": ["b"], "answer": 0}\n' > bad.jsonl
set +e
"$ATTN" eval -m m bad.jsonl > /dev/null 2> err; rc=$?
set -e
[ $rc -eq 1 ] && grep -q '^attn eval: error: bad.jsonl:2: want' err || fail "bad task: $rc $(cat err)"
echo "eval.sh: ok"
