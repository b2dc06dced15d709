#!/bin/sh
# recipes/bert_austen.sh — BERT's claim in miniature: pretraining by masked LM
# makes a better classifier than training from scratch.
#
# Task: which of Jane Austen's six novels does a passage of 48 words come from?
# Passages are cut from the novels in data/austen/: those ending in the first 85%
# of each novel's words are the training set, those starting after 92% the
# validation set; the text before 85% is also the (unlabelled) pretraining corpus,
# so no validation passage is ever seen during pretraining.
#
# Three models of one size (4 layers, 4 heads, width 192, 128 positions, a
# 4000-token WordPiece vocabulary learnt from the pretraining corpus) are
# fine-tuned the same way (same steps, batch, learning rate, seed):
#   mlm     a BERT pretrained by masked LM (dynamic masking) and next-sentence
#           prediction (--nsp: trains the [CLS] vector the classifier reads) on the corpus
#   random  the same BERT from random initialisation (0 pretraining steps)
#   clm     a GPT (left to right, next-token) pretrained on the same corpus for
#           the same steps, classifying from its last token
# and the table of validation accuracy and macro-F1 is printed at the end.
#
#   sh recipes/bert_austen.sh                 # ~12 min on 2 cores
#   PRETRAIN_STEPS=100 FINETUNE_STEPS=60 sh recipes/bert_austen.sh   # a quick look
#   DATA_ONLY=1 sh recipes/bert_austen.sh     # only the passages, the vocabulary and the shards
set -eu
ATTN=${ATTN:-./attn}
OUT=${OUT:-runs/bert_austen}
DATA=${DATA:-data/austen}
PRETRAIN_STEPS=${PRETRAIN_STEPS:-400}
FINETUNE_STEPS=${FINETUNE_STEPS:-200}
WIDTH=${WIDTH:-192}
MLM_FLAGS=${MLM_FLAGS:---nsp}
FT_LR=${FT_LR:-1e-3}
SIZE="--layers 4 --heads 4 --width $WIDTH --context 128"
[ -x "$ATTN" ] || { echo "bert_austen: build attn first (make)" >&2; exit 1; }
rm -rf "$OUT"
mkdir -p "$OUT/corpus"
: > "$OUT/train.tsv"
: > "$OUT/val.tsv"

echo "== passages and corpus"
for f in "$DATA"/*.txt; do
    novel=$(basename "$f" .txt)
    # words of the novel, in order; then 48-word passages labelled by the novel
    tr -s ' \t\r\n' '\n\n\n\n' < "$f" | awk -v novel="$novel" -v P=48 \
        -v train="$OUT/train.tsv" -v val="$OUT/val.tsv" -v corpus="$OUT/corpus/$novel.txt" '
        NF { w[n++] = $0 }
        END {
            cut = int(0.85 * n); vstart = int(0.92 * n)
            for (i = 0; i < cut; i += 16) {         # the corpus: lines of 16 words
                line = ""
                for (j = i; j < i + 16 && j < cut; j++) line = line (j > i ? " " : "") w[j]
                print line > corpus
            }
            for (s = 0; s + P <= n; s += P) {
                if (s + P > cut && s < vstart) continue
                text = ""
                for (j = s; j < s + P; j++) text = text (j > s ? " " : "") w[j]
                gsub(/\t/, " ", text)
                print text "\t" novel >> (s + P <= cut ? train : val)
            }
        }'
done
echo "train $(wc -l < "$OUT/train.tsv") passages, validation $(wc -l < "$OUT/val.tsv")"

echo "== WordPiece vocabulary and pretraining shards"
"$ATTN" tokenizer train --type wordpiece --vocab-size 4000 -o "$OUT/tokenizer" "$OUT"/corpus/*.txt
"$ATTN" prepare -t "$OUT/tokenizer" --val-fraction 0.05 -o "$OUT/data" "$OUT"/corpus/*.txt
[ -z "${DATA_ONLY:-}" ] || exit 0 # the task and the shards only (recipes/cramming.sh)

PRE="--steps $PRETRAIN_STEPS --batch 32 --seq-len 128 --lr 1e-3 --warmup 100 --eval-every 0 --eval-batches 10"
echo "== masked-LM pretraining $MLM_FLAGS ($PRETRAIN_STEPS steps)"
start=$(date +%s)
"$ATTN" train --objective mlm $MLM_FLAGS --data "$OUT/data" --out "$OUT/mlm" $SIZE $PRE
echo "   $(( $(date +%s) - start )) s; $(tail -n 1 "$OUT/mlm/train_log.jsonl")"
echo "== random initialisation (the same encoder, no pretraining)"
"$ATTN" train --objective mlm $MLM_FLAGS --data "$OUT/data" --out "$OUT/random" $SIZE --steps 0
echo "== left-to-right (GPT) pretraining ($PRETRAIN_STEPS steps)"
start=$(date +%s)
"$ATTN" train --data "$OUT/data" --out "$OUT/clm" $SIZE $PRE
echo "   $(( $(date +%s) - start )) s; $(tail -n 1 "$OUT/clm/train_log.jsonl")"

FT="--steps $FINETUNE_STEPS --batch 32 --lr $FT_LR --warmup 30 --weight-decay 0.01 --dropout 0.1 --eval-every 100"
for m in mlm random clm; do
    echo "== fine-tuning $m ($FINETUNE_STEPS steps)"
    start=$(date +%s)
    "$ATTN" train --objective classify --init "$OUT/$m" --data "$OUT/train.tsv" --val "$OUT/val.tsv" \
        --out "$OUT/ft_$m" $FT
    echo "   $(( $(date +%s) - start )) s"
done

echo
echo "novel classification (6 classes, validation passages of 48 words)"
printf '%-34s %10s %10s\n' "model" "accuracy" "macro-F1"
for m in mlm random clm; do
    case $m in
        mlm) name="BERT, masked-LM pretrained" ;;
        random) name="BERT, random initialisation" ;;
        clm) name="GPT, left-to-right pretrained" ;;
    esac
    tail -n 1 "$OUT/ft_$m/train_log.jsonl" | awk -v name="$name" '{
        match($0, /"val_accuracy": [0-9.eE+-]+/); a = substr($0, RSTART + 16, RLENGTH - 16)
        match($0, /"val_macro_f1": [0-9.eE+-]+/); f = substr($0, RSTART + 16, RLENGTH - 16)
        printf "%-34s %9.2f%% %10.4f\n", name, 100 * a, f }'
done
