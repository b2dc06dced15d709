#!/bin/sh
# attn rollout end to end, on a GPT with a 300-token BPE trained 60 steps: K
# completions per prompt (plain and chat prompts), one JSON row each with
# -o and a summary whose counts and means agree with the rows; the policy
# as its own reference gives a KL of exactly 0; the same seed gives the
# same rows, completion 0 does not depend on K, another seed differs;
# --pairs-out's chosen completions all score above their rejected ones by
# the lexicon (attn reward --lexicon --pairs: 100%); a reward model's
# score in a row equals attn reward's score of the same text; attn plot
# --xy draws the summary; bad inputs get one error line, status 1 (2 for
# usage errors).
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
. tests/e2e/lib/chatml_gpt.sh # $tmp/tok, $tmp/data, $tmp/gpt0
# a little training, so that completions hold words of the lexicon
"$ATTN" train --data "$tmp/data" --out "$tmp/lm" --layers 2 --heads 2 --width 32 --context 64 --steps 60 --batch 8 --lr 1e-2 \
    --threads 2 --quiet
printf 'the\t2\nand\t-2\nof\t1.5\nto\t-1\nher\t0.5\nwas\t-0.5\nhe\t1\nshe\t-1\n' > "$tmp/lex.tsv"
{
    for i in 1 2 3 4 5 6; do printf '{"prompt": "Anne was %d"}\n' "$i"; done
    printf '{"messages": [{"role": "user", "content": "Tell me of Bath."}]}\n'
} > "$tmp/prompts.jsonl"
roll() { "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" --max-new 12 --lexicon "$tmp/lex.tsv" --threads 2 "$@"; }
num() { grep -o "\"$2\":[-0-9.e]*" "$1" | head -n 1 | cut -d: -f2; }

roll -k 3 --ref "$tmp/lm" --seed 5 -o "$tmp/a.jsonl" --pairs-out "$tmp/pairs.jsonl" > "$tmp/a.json"
[ "$(wc -l < "$tmp/a.jsonl")" -eq 21 ] || { echo "want 7 x 3 rows"; cat "$tmp/a.jsonl"; exit 1; }
[ "$(num "$tmp/a.json" completions)" = 21 ] && [ "$(num "$tmp/a.json" prompts)" = 7 ] || { cat "$tmp/a.json"; exit 1; }
[ "$(grep -c '"kl":0}' "$tmp/a.jsonl")" -eq 21 ] && [ "$(num "$tmp/a.json" kl_mean)" = 0 ] ||
    { echo "the policy as its own reference: KL 0"; cat "$tmp/a.jsonl"; exit 1; }
mean=$(awk -F'"lexicon":' '{ split($2, v, /[,}]/); s += v[1]; n++ } END { printf "%.6f", s / n }' "$tmp/a.jsonl")
awk -v a="$mean" -v b="$(num "$tmp/a.json" lexicon_mean)" 'BEGIN { exit !(a - b < 1e-6 && b - a < 1e-6) }' ||
    { echo "the summary's lexicon mean $(num "$tmp/a.json" lexicon_mean) is not the rows' $mean"; exit 1; }
grep -q '"lexicon":[1-9-]\|"lexicon":0\.' "$tmp/a.jsonl" || { echo "no completion holds a lexicon word: the test checks nothing"; exit 1; }

roll -k 3 --ref "$tmp/lm" --seed 5 -o "$tmp/b.jsonl" > /dev/null
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" || { echo "the same seed gave other completions"; exit 1; }
roll -k 1 --seed 5 -o "$tmp/k1.jsonl" > /dev/null
grep '"sample":0,' "$tmp/a.jsonl" | grep -o '"completion":.*"tokens":[0-9]*' > "$tmp/a0"
grep -o '"completion":.*"tokens":[0-9]*' "$tmp/k1.jsonl" > "$tmp/k10"
cmp -s "$tmp/a0" "$tmp/k10" || { echo "completion 0 of each prompt depends on -k"; diff "$tmp/a0" "$tmp/k10"; exit 1; }
roll -k 3 --seed 6 -o "$tmp/c.jsonl" > /dev/null
! cmp -s "$tmp/a.jsonl" "$tmp/c.jsonl" || { echo "another seed gave the same completions"; exit 1; }

# the pairs: chosen above rejected by the lexicon, every one
[ -s "$tmp/pairs.jsonl" ] || { echo "no pairs"; exit 1; }
"$ATTN" reward --lexicon "$tmp/lex.tsv" --pairs "$tmp/pairs.jsonl" > /dev/null 2> "$tmp/acc"
grep -q '(100.00%)' "$tmp/acc" || { echo "a pair's chosen completion does not score above its rejected one"; cat "$tmp/acc"; exit 1; }

# --pairs-all: every two completions that score apart, at least as many pairs; --pairs-gap: only clear ones
roll -k 3 --ref "$tmp/lm" --seed 5 --pairs-out "$tmp/all.jsonl" --pairs-all > /dev/null
[ "$(wc -l < "$tmp/all.jsonl")" -gt "$(wc -l < "$tmp/pairs.jsonl")" ] || { echo "--pairs-all made no more pairs"; exit 1; }
"$ATTN" reward --lexicon "$tmp/lex.tsv" --pairs "$tmp/all.jsonl" 2> "$tmp/acc" | awk '$1 <= $2 { exit 1 }' && grep -q '(100.00%)' "$tmp/acc" ||
    { echo "--pairs-all: a chosen completion does not score above its rejected one"; exit 1; }
roll -k 3 --ref "$tmp/lm" --seed 5 --pairs-out "$tmp/gap.jsonl" --pairs-all --pairs-gap 0.5 > /dev/null
"$ATTN" reward --lexicon "$tmp/lex.tsv" --pairs "$tmp/gap.jsonl" 2> /dev/null | awk '$1 - $2 < 0.5 { exit 1 }' ||
    { echo "--pairs-gap 0.5 let a closer pair through"; exit 1; }
[ "$(wc -l < "$tmp/gap.jsonl")" -lt "$(wc -l < "$tmp/all.jsonl")" ] || { echo "--pairs-gap left out nothing: the test checks nothing"; exit 1; }

# a reward model scores a row as attn reward scores the same text
"$ATTN" train --objective reward --init "$tmp/lm" --data "$tmp/pairs.jsonl" --batch 2 --steps 2 --threads 2 --quiet --out "$tmp/rm"
roll -k 1 --seed 5 --reward "$tmp/rm" -o "$tmp/r.jsonl" > "$tmp/r.json"
row=$(head -n 1 "$tmp/r.jsonl")
comp=$(printf '%s\n' "$row" | sed 's/.*"completion":\("\([^"\\]\|\\.\)*"\).*/\1/')
printf '{"prompt": "Anne was 1", "chosen": %s, "rejected": %s}\n' "$comp" "$comp" > "$tmp/one.jsonl"
want=$("$ATTN" reward -m "$tmp/rm" --pairs "$tmp/one.jsonl" 2> /dev/null | cut -f1)
got=$(printf '%s\n' "$row" | grep -o '"reward":[-0-9.e]*' | cut -d: -f2)
awk -v a="$want" -v b="$got" 'BEGIN { d = a - b; exit !(d < 1e-5 && d > -1e-5) }' ||
    { echo "rollout's reward $got is not attn reward's $want for the same text"; exit 1; }

# attn plot --xy of KL and lexicon means
printf 'kl\tpolicy\n%s\t%s\n1\t0.5\n' "$(num "$tmp/a.json" kl_mean)" "$(num "$tmp/a.json" lexicon_mean)" > "$tmp/f.tsv"
"$ATTN" plot --xy "$tmp/f.tsv" --svg "$tmp/f.svg"
grep -q '<svg' "$tmp/f.svg" && grep -q 'policy' "$tmp/f.svg" || { echo "no x-y figure"; exit 1; }

fail=0
. tests/e2e/lib/expect_error.sh # bad DESCRIPTION FRAGMENT COMMAND...
printf '{"prompt": "%s"}\n' "$(head -c 400 data/austen/persuasion.txt | tr -d '\n"\\')" > "$tmp/long.jsonl"
bad "a prompt past the context" "line 1" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/long.jsonl"
printf '{"prompt": 5}\n' > "$tmp/badp.jsonl"
bad "a malformed prompts line" "line 1" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/badp.jsonl"
bad "a missing prompts file" "none.jsonl" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/none.jsonl"
bad "a causal LM as --reward" "not a reward model" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" --reward "$tmp/lm"
printf 'the 2\n' > "$tmp/badlex.tsv"
bad "a malformed lexicon" "badlex.tsv: line 1" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" --lexicon "$tmp/badlex.tsv"
bad "a missing model" "none" "$ATTN" rollout -m "$tmp/none" --prompts "$tmp/prompts.jsonl"
bad "reward with a bad lexicon" "badlex.tsv" "$ATTN" reward --lexicon "$tmp/badlex.tsv" "$tmp/pairs.jsonl"
printf 'kl\tpolicy\nlow\t0.5\n' > "$tmp/word.tsv"
bad "plot --xy with a word for x" "must be a number" "$ATTN" plot --xy "$tmp/word.tsv" --svg "$tmp/x.svg"
usage() { # usage DESCRIPTION COMMAND...: status 2
    what=$1; shift
    rc=0
    "$@" > /dev/null 2> "$tmp/err" || rc=$?
    [ "$rc" -eq 2 ] || { echo "want a usage error (2) for $what, got $rc"; cat "$tmp/err"; fail=1; }
}
usage "no --prompts" "$ATTN" rollout -m "$tmp/lm"
usage "--pairs-out with one completion per prompt" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" --lexicon "$tmp/lex.tsv" --pairs-out "$tmp/p.jsonl"
usage "--pairs-out without a score" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" -k 2 --pairs-out "$tmp/p.jsonl"
usage "--pairs-all without --pairs-out" "$ATTN" rollout -m "$tmp/lm" --prompts "$tmp/prompts.jsonl" --pairs-all
usage "-m and --lexicon" "$ATTN" reward -m "$tmp/rm" --lexicon "$tmp/lex.tsv" "$tmp/pairs.jsonl"
[ ! -e "$tmp/p.jsonl" ] || { echo "a refused run wrote --pairs-out"; fail=1; }
[ "$fail" -eq 0 ] || exit 1
echo "rollout.sh: ok"
