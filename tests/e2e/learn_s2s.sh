#!/bin/sh
# End-to-end: the sequence-to-sequence trainer teaches models something that
# needs the source and attention over it. A Transformer and an RNNsearch each
# learn to reverse sequences of 3-6 Spanish number words (a task a language
# model of the targets cannot do: every order is equally likely), trained on
# 3,000 pairs with `attn train --arch ...` and checked on 100 held-out pairs
# with `attn translate` (greedy): most of them must come out exactly
# reversed. Skipped under ATTN_QUICK (the sanitizer build), where it is slow.
ATTN_BIN=${ATTN_BIN:-./attn}
if [ -n "$ATTN_QUICK" ]; then echo "learn_s2s.sh: skipped (ATTN_QUICK)"; exit 0; fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_learn.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "learn_s2s.sh: FAIL: $*"; exit 1; }

# pairs N SEED: "w1 w2 ... wk<TAB>wk ... w2 w1", k in 3..6, from a Park-Miller generator (same in every awk)
pairs() {
    awk -v n="$1" -v seed="$2" 'function rnd() { s = (s * 16807) % 2147483647; return s / 2147483647 }
    BEGIN {
        s = seed; split("uno dos tres cuatro cinco seis siete ocho nueve diez", w, " ")
        for (i = 0; i < n; i++) {
            k = 3 + int(rnd() * 4); src = ""; tgt = ""
            for (j = 0; j < k; j++) { t = w[1 + int(rnd() * 10)]; src = src (j ? " " : "") t; tgt = t (j ? " " : "") tgt }
            print src "\t" tgt
        }
    }'
}
pairs 3000 7 >"$tmp/train.tsv"
pairs 100 99991 >"$tmp/val.tsv"
cut -f1 "$tmp/val.tsv" >"$tmp/val.src"
cut -f2 "$tmp/val.tsv" >"$tmp/val.tgt"
"$ATTN_BIN" prepare --pairs --wrap eos -t data/bible-en-es/tokenizer.json -o "$tmp/d" --val "$tmp/val.tsv" "$tmp/train.tsv" \
    >/dev/null 2>"$tmp/err" || fail "prepare exited $?: $(cat "$tmp/err")"

learn() { # NAME MIN-EXACT TRAIN-OPTIONS...
    name=$1 want=$2
    shift 2
    "$ATTN_BIN" train --data "$tmp/d" --out "$tmp/$name" --eval-every 100000 --seed 3 --quiet "$@" \
        2>"$tmp/err" || fail "$name: train exited $?: $(cat "$tmp/err")"
    "$ATTN_BIN" translate -m "$tmp/$name" --batch 50 "$tmp/val.src" >"$tmp/$name.out" 2>"$tmp/err" ||
        fail "$name: translate exited $?: $(cat "$tmp/err")"
    exact=$(paste -d '|' "$tmp/val.tgt" "$tmp/$name.out" | awk -F'|' '$1 == $2 { c++ } END { print c + 0 }')
    [ "$exact" -ge "$want" ] || fail "$name: $exact of 100 held-out sequences reversed exactly (wanted >= $want); e.g. \
'$(head -n 1 "$tmp/val.src")' -> '$(head -n 1 "$tmp/$name.out")'"
    echo "learn_s2s.sh: $name reversed $exact of 100 held-out sequences"
}
learn transformer 80 --batch-tokens 512 --arch transformer --layers 2 --heads 4 --width 64 --ffn 256 --context 32 --dropout 0 \
    --label-smoothing 0.1 --schedule inverse-sqrt --warmup 100 --lr 0.15 --beta2 0.98 --steps 1000
learn rnnsearch 80 --arch rnnsearch --width 32 --hidden 128 --lr 3e-3 --warmup 50 --min-lr 3e-3 --steps 1500 --batch-tokens 256
