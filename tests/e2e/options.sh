#!/bin/sh
# The command line's options and messages: every numeric option is checked
# against its range before use (huge, negative and garbage values exit 2
# with one line "attn <cmd>: error: <option as typed> must be ..."), as are
# --threads and ATTN_THREADS (1 to 4 x the cores); a missing required
# option exits 2; a mistyped command gets a suggestion; reading stdin from
# a terminal says so; `prepare` on a directory and `generate` on a
# translation model say what to do; `tokenize --pair A B` encodes A first.
set -u
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_options.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
bad() { echo "options.sh: FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS PREFIX PATTERN ARGS...: attn ARGS exits STATUS with exactly
# one stderr line that starts with PREFIX and matches PATTERN (grep -E)
expect() {
    want=$1 prefix=$2 pat=$3
    shift 3
    "$ATTN" "$@" >"$tmp/out" 2>"$tmp/err" </dev/null
    rc=$?
    if [ "$rc" -ne "$want" ]; then bad "attn $* exited $rc, wanted $want: $(cat "$tmp/err")"; return; fi
    if [ "$(wc -l <"$tmp/err")" -ne 1 ]; then bad "attn $*: wanted one stderr line, got: $(cat "$tmp/err")"; return; fi
    case $(cat "$tmp/err") in "$prefix"*) ;; *) bad "attn $*: '$(cat "$tmp/err")' does not start with '$prefix'"; return ;; esac
    grep -Eq -e "$pat" "$tmp/err" || bad "attn $*: '$(cat "$tmp/err")' does not match '$pat'"
}
# usage CMD OPTION-AS-TYPED ARGS...: exit 2, "attn CMD: error: OPTION must be ..."
usage() {
    cmd=$1 opt=$2
    shift 2
    expect 2 "attn $cmd: error: $opt must be " "" "$@"
}

big=9223372036854775807
printf 'hello world\n' >"$tmp/a.txt"
printf 'good morning\n' >"$tmp/b.txt"
m=tests/ref/gpt2_tiny

# ---- numeric options: the range is checked where the option is parsed
for o in --batch --accum --width --eval-batches --layers --heads --context --steps --seq-len --warmup \
    --checkpoint-every --eval-every --stop-at --ffn --hidden --batch-tokens --eval-bleu; do
    usage train "$o" train --data "$tmp/d" --out "$tmp/o" "$o" "$big"
done
usage train --batch train --data "$tmp/d" --out "$tmp/o" --batch 0
usage train --batch train --data "$tmp/d" --out "$tmp/o" --batch=-3
usage train --layers train --data "$tmp/d" --out "$tmp/o" --layers 2x
usage train --stop-at train --data "$tmp/d" --out "$tmp/o" --stop-at -1
usage train --seed train --data "$tmp/d" --out "$tmp/o" --seed -5
for v in inf -inf nan 0 -1e-8 x; do
    usage train --eps train --data "$tmp/d" --out "$tmp/o" --eps "$v"
done
for o in --lr --min-lr --weight-decay --clip --beta1 --beta2 --dropout --label-smoothing --mask-ratio \
    --time-limit; do
    usage train "$o" train --data "$tmp/d" --out "$tmp/o" "$o" nan
    usage train "$o" train --data "$tmp/d" --out "$tmp/o" "$o" -1
done
usage train --beta2 train --data "$tmp/d" --out "$tmp/o" --beta2 1
usage train --lr train --data "$tmp/d" --out "$tmp/o" --lr 0
expect 2 "attn train: error: --lr must be a finite number in (0, " "not 'abc'$" train --lr abc
for o in --max-len --min-len --batch --beam --n-best; do
    usage translate "$o" translate -m "$m" "$o" "$big"
    usage translate "$o" translate -m "$m" "$o" -1
done
usage translate --length-penalty translate -m "$m" --length-penalty inf
usage generate -n generate -m "$m" -n -1
usage generate -n generate -m "$m" -n -5
usage generate --max-tokens generate -m "$m" --max-tokens "$big"
usage generate --top-k generate -m "$m" --top-k -1
usage generate --top-p generate -m "$m" --top-p 0
usage generate --temperature generate -m "$m" --temperature nan
usage generate --seed generate -m "$m" --seed x
usage tokenize --max-len tokenize -t tests/data/minilm --max-len -1 "$tmp/a.txt"
grep -q attn_tokenizer "$tmp/err" && bad "tokenize --max-len -1 names a C function: $(cat "$tmp/err")"
usage tokenize --max-len tokenize -t tests/data/minilm --max-len "$big" "$tmp/a.txt"
for o in --batch --max-length; do
    usage embed "$o" embed -m "$m" "$o" "$big"
    usage classify "$o" classify -m "$m" "$o" -1
    usage similar "$o" similar -m "$m" -q x "$o" "$big"
done
usage similar --top similar -m "$m" -q x --top -1
usage align --max-len align -m "$m" --src x --max-len "$big"
usage prepare --val-fraction prepare -o "$tmp/p" --val-fraction 0.9 "$tmp/a.txt"
usage prepare --max-len prepare --pairs -o "$tmp/p" --max-len -1 "$tmp/a.txt"
usage "tokenizer train" --vocab-size tokenizer train --type bpe --vocab-size -5 -o "$tmp/t" "$tmp/a.txt"
usage "tokenizer train" --min-frequency tokenizer train --type bpe --vocab-size 300 --min-frequency "$big" -o "$tmp/t" "$tmp/a.txt"
expect 2 "attn score: error: --threads needs a value" "" score -m "$m" --threads
expect 2 "attn train: error: --precision must be fp32 or bf16" "" train --precision fp16

# ---- --threads and ATTN_THREADS: 1 to 4 x the cores
for v in 100000 0 -1 abc 2.5; do
    for c in generate score translate embed classify align; do
        usage "$c" --threads "$c" -m "$m" --threads "$v"
    done
    usage train --threads train --data "$tmp/d" --out "$tmp/o" --threads "$v"
done
ids() { "$ATTN" generate -m "$m" --ids "1 2" --print-ids -n 3 --temperature 0 "$@"; }
ref=$(ids --threads 1 2>"$tmp/err") || bad "generate --threads 1 failed: $(cat "$tmp/err")"
for v in 100000 0 -4 abc 3x; do
    export ATTN_THREADS="$v"
    expect 2 "attn generate: error: ATTN_THREADS must be a thread count in 1.." "'$v'" generate -m "$m" --ids "1 2" --print-ids -n 3
    unset ATTN_THREADS
done
got=$(ATTN_THREADS=1 ids 2>"$tmp/err") || bad "ATTN_THREADS=1 failed: $(cat "$tmp/err")"
[ "$got" = "$ref" ] || bad "ATTN_THREADS=1 gave '$got', --threads 1 '$ref'"
got=$(ATTN_THREADS=abc ids --threads 1 2>"$tmp/err") || bad "--threads 1 did not override ATTN_THREADS=abc: $(cat "$tmp/err")"

# ---- missing required options and bad usage: exit 2
expect 2 "attn prepare: error: missing -o OUT_DIR" "" prepare -t char "$tmp/a.txt"
expect 2 "attn prepare: error: no input files" "" prepare -o "$tmp/p"
expect 2 "attn prepare: error: unknown option '--frob'" "" prepare --frob -o "$tmp/p" "$tmp/a.txt"
expect 2 "attn train: error: --data and --out are required" "" train --out "$tmp/o"
expect 2 "attn generate: error: -m MODEL is required" "" generate -n 3
expect 2 "attn tokenize: error: give one of -t TOKENIZER or -m MODEL" "" tokenize "$tmp/a.txt"
expect 2 "attn bleu: error: --ref REF is required" "" bleu "$tmp/a.txt"

# ---- a mistyped command
expect 2 "attn: unknown command 'trian'; did you mean 'train'?" "" trian
expect 2 "attn: unknown command 'tokenise'; did you mean 'tokenize'?" "" tokenise
expect 2 "attn: unknown command 'generat'; did you mean 'generate'?" "" generat
"$ATTN" qqqqqqqq >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] || bad "an unknown command exited $rc"
grep -q "did you mean" "$tmp/err" && bad "a suggestion for a name far from every command: $(cat "$tmp/err")"
grep -q "^attn: unknown command 'qqqqqqqq'" "$tmp/err" || bad "unknown command: $(head -n 1 "$tmp/err")"

# ---- reading standard input from a terminal says so (script(1) gives a terminal;
# its own standard input at end of file ends the text)
note="reading standard input: type the text and end it with Ctrl-D"
out=$(script -qec "$ATTN tokenize -t tests/data/minilm" /dev/null </dev/null 2>&1)
case $out in *"attn tokenize: $note"*) ;; *) bad "tokenize on a terminal: no note: $out" ;; esac
out=$(script -qec "$ATTN score -m $m --ids" /dev/null </dev/null 2>&1)
case $out in *"attn score: $note"*) ;; *) bad "score on a terminal: no note: $out" ;; esac
out=$(echo "hello world" | "$ATTN" tokenize -t tests/data/minilm 2>&1)
[ "$out" = "7592 2088" ] || bad "tokenize from a pipe: '$out' (a note where no terminal is?)"

# ---- messages that say what to do
mkdir -p "$tmp/somedir"
echo "1 2 3" >"$tmp/ids.txt"
expect 1 "attn prepare: error: $tmp/somedir: is a directory" "" prepare -t char -o "$tmp/p" "$tmp/somedir"
expect 1 "attn tokenize: error: $tmp/somedir: is a directory" "" tokenize -t tests/data/minilm "$tmp/somedir"
for s2s in tests/ref/bart_tiny tests/ref/marian_tiny tests/ref/rnnsearch_tiny; do
    expect 1 "attn generate: error: $s2s is a translation" "use attn translate -m $s2s" generate -m "$s2s" --ids "1 2" --print-ids
    grep -q "attn_" "$tmp/err" && bad "generate on $s2s names a C function: $(cat "$tmp/err")"
    expect 1 "attn score: error: $s2s is a translation" "with --pairs FILE" score -m "$s2s" --ids "$tmp/ids.txt"
done
expect 1 "attn generate: error: tests/ref/bert_tiny is an encoder" "use attn embed or attn classify" generate -m tests/ref/bert_tiny --ids "1 2" --print-ids

# ---- tokenize --pair A B: A is the first sequence ([CLS] A [SEP] B [SEP])
pair="101 7592 2088 102 2204 2851 102
0 0 0 0 1 1 1"
got=$("$ATTN" tokenize -t tests/data/minilm --pair "$tmp/a.txt" "$tmp/b.txt" --types 2>&1)
[ "$got" = "$pair" ] || bad "tokenize --pair a b: '$got', wanted '$pair'"
got=$("$ATTN" tokenize -t tests/data/minilm "$tmp/a.txt" --pair "$tmp/b.txt" --types 2>&1)
[ "$got" = "$pair" ] || bad "tokenize a --pair b: '$got', wanted '$pair'"
got=$("$ATTN" tokenize -t tests/data/minilm --types --pair "$tmp/b.txt" <"$tmp/a.txt" 2>&1)
[ "$got" = "$pair" ] || bad "tokenize --pair b < a: '$got', wanted '$pair'"
expect 2 "attn tokenize: error: one input file at most" "" tokenize -t tests/data/minilm "$tmp/a.txt" "$tmp/b.txt"

[ "$fails" -eq 0 ] || { echo "options.sh: $fails failures"; exit 1; }
echo "options.sh: ok"
