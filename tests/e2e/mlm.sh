#!/bin/sh
# Masked-LM pretraining of a tiny BERT-style encoder on an Austen slice with
# the MiniLM WordPiece tokenizer (documents end with [SEP]): the loss falls,
# a run stopped at step 15 and resumed matches the uninterrupted run bit for
# bit, the result is a Hugging Face BertForMaskedLM directory that
# `attn embed` runs on, and static and whole-word masking train too; so does
# Cramming's pre-LN BERT without linear biases (attn_bert) with sparse
# prediction, fine-tuned as a classifier after.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 60000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t tests/data/minilm -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--objective mlm --data $tmp/data --layers 2 --heads 2 --width 32 --context 32 --batch 4 --steps 30 --lr 3e-3 --eval-every 10 --eval-batches 2 --dropout 0.1 --threads 2 --quiet"
"$ATTN" train $common --out "$tmp/full"
grep -q '"BertForMaskedLM"' "$tmp/full/config.json" || { echo "not saved as BertForMaskedLM"; exit 1; }
# the loss falls: mean of the last 5 steps well below the first 5, and validation too
awk -F'"loss": ' '{split($2, a, ","); l[NR] = a[1]} END {
    for (i = 1; i <= 5; i++) { f += l[i]; e += l[NR - 5 + i] }
    if (NR != 30 || e / 5 > f / 5 - 0.5) { printf "loss did not fall: first %.3f last %.3f\n", f / 5, e / 5; exit 1 } }' \
    "$tmp/full/train_log.jsonl"
v1=$(grep -o '"val_loss": [0-9.]*' "$tmp/full/train_log.jsonl" | head -n 1 | cut -d' ' -f2)
v3=$(grep -o '"val_loss": [0-9.]*' "$tmp/full/train_log.jsonl" | tail -n 1 | cut -d' ' -f2)
awk -v a="$v1" -v b="$v3" 'BEGIN { if (!(b < a)) { print "val loss did not fall: " a " -> " b; exit 1 } }'
# resume bit for bit
"$ATTN" train $common --out "$tmp/part" --stop-at 15
"$ATTN" train $common --out "$tmp/part" --resume
. tests/e2e/lib/strip_timing.sh
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" || { echo "resumed losses differ from the uninterrupted run"; exit 1; }
cmp "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || { echo "resumed weights differ"; exit 1; }
# a different masking scheme is a different run: resume refuses it
if "$ATTN" train $common --out "$tmp/part" --resume --static-masking 2>"$tmp/err"; then echo "changed masking accepted"; exit 1; fi
grep -q "settings" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# embeddings from the trained encoder
printf 'It is a truth universally acknowledged.\nAnne Elliot walked to Uppercross.\n' > "$tmp/s.txt"
"$ATTN" embed -m "$tmp/full" "$tmp/s.txt" > "$tmp/emb"
[ "$(wc -l < "$tmp/emb")" -eq 2 ] || { echo "embed should print 2 lines"; cat "$tmp/emb"; exit 1; }
grep -q '^\[-\{0,1\}[0-9]' "$tmp/emb" || { echo "embed output is not JSON arrays"; exit 1; }
# static and whole-word masking (BERT) and --init from the trained encoder
"$ATTN" train $common --steps 3 --static-masking --whole-word-masking --init "$tmp/full" --out "$tmp/static"
[ -f "$tmp/static/model.safetensors" ] || { echo "static-masking run saved nothing"; exit 1; }
# next-sentence prediction (BERT): a BertForPreTraining with the NSP head; exact resume too
"$ATTN" train $common --nsp --steps 12 --out "$tmp/nsp"
grep -q '"BertForPreTraining"' "$tmp/nsp/config.json" || { echo "--nsp did not save a BertForPreTraining"; exit 1; }
"$ATTN" train $common --nsp --steps 12 --out "$tmp/nsp2" --stop-at 6
"$ATTN" train $common --nsp --steps 12 --out "$tmp/nsp2" --resume
cmp "$tmp/nsp/model.safetensors" "$tmp/nsp2/model.safetensors" || { echo "resumed NSP weights differ"; exit 1; }
if "$ATTN" train $common --nsp --steps 1 --init "$tmp/full" --out "$tmp/bad" 2>"$tmp/err"; then echo "--nsp without the head accepted"; exit 1; fi
grep -q "next-sentence head" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# an encoder is not trained with the next-token objective
if "$ATTN" train --data "$tmp/data" --init "$tmp/full" --out "$tmp/bad" --steps 1 --quiet 2>"$tmp/err"; then echo "clm on an encoder accepted"; exit 1; fi
grep -q "objective mlm" "$tmp/err" || { cat "$tmp/err"; exit 1; }
# Cramming's changes: a pre-LN BERT without linear biases, with GEGLU (model_type attn_bert) and sparse
# prediction trains, resumes bit for bit, embeds, and is fine-tuned as a classifier
cram="--pre-ln --no-bias --activation geglu --sparse-mlm --steps 12"
"$ATTN" train $common $cram --out "$tmp/cram"
grep -q '"model_type":.*"attn_bert"' "$tmp/cram/config.json" || { echo "--pre-ln --no-bias did not save an attn_bert"; exit 1; }
"$ATTN" train $common $cram --out "$tmp/cram2" --stop-at 6
"$ATTN" train $common $cram --out "$tmp/cram2" --resume
cmp "$tmp/cram/model.safetensors" "$tmp/cram2/model.safetensors" || { echo "resumed attn_bert weights differ"; exit 1; }
"$ATTN" embed -m "$tmp/cram" "$tmp/s.txt" > "$tmp/emb"
[ "$(wc -l < "$tmp/emb")" -eq 2 ] || { echo "embed on attn_bert should print 2 lines"; exit 1; }
printf 'text\tlabel\nAnne walked.\ta\nThe ball was over.\tb\nEmma smiled.\ta\nHe rode to town.\tb\n' > "$tmp/cls.tsv"
"$ATTN" train --objective classify --init "$tmp/cram" --data "$tmp/cls.tsv" --out "$tmp/cram_cls" --steps 3 --batch 2 --quiet
grep -q '"AttnBertForSequenceClassification"' "$tmp/cram_cls/config.json" || { echo "classifier of attn_bert not saved"; exit 1; }
# the architecture options make a new BERT only; sparse prediction is an MLM option
if "$ATTN" train $common --pre-ln --steps 1 --init "$tmp/full" --out "$tmp/bad" 2>"$tmp/err"; then echo "--pre-ln on a post-LN model accepted"; exit 1; fi
grep -q "pre-ln" "$tmp/err" || { cat "$tmp/err"; exit 1; }
if "$ATTN" train --data "$tmp/data" --sparse-mlm --out "$tmp/bad" --steps 1 --quiet 2>"$tmp/err"; then echo "--sparse-mlm with clm accepted"; exit 1; fi
grep -q "objective mlm" "$tmp/err" || { cat "$tmp/err"; exit 1; }
if "$ATTN" train --data "$tmp/data" --activation geglu --out "$tmp/bad" --steps 1 --quiet 2>"$tmp/err"; then echo "--activation geglu on a GPT-2 accepted"; exit 1; fi
grep -q "new BERT" "$tmp/err" || { cat "$tmp/err"; exit 1; }
echo ok
