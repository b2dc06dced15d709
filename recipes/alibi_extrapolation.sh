#!/bin/sh
# The BLOOM paper's ALiBi claim in miniature (Press et al.'s "train short, test long"): one small
# character-level decoder trained on Jane Austen at context 128 three times — learned positions,
# rotary positions, ALiBi — then scored on held-out text with windows of 128, 256, 512 and 1024
# tokens (characters), and perplexity plotted against the evaluation length.
#
# The three models are attn's three HF-shaped families, one per position scheme, at the same depth,
# width, heads, context, data, batches, schedule and seed (`attn train --arch`):
#   learned  gpt2   (GPT2LMHeadModel): LayerNorm pre-norm blocks, GELU MLP 4 x width, biases
#   rotary   llama  (LlamaForCausalLM): RMSNorm, SwiGLU MLP of 8/3 x width (--ffn, so the MLP has
#                   GPT-2's parameter count), no biases, rotary positions (theta 10000)
#   ALiBi    bloom  (BloomForCausalLM): GPT-2's block plus a LayerNorm on the embeddings, ALiBi
# Why three families and not one block with a --positions switch: every model attn trains is a
# Hugging Face checkpoint that transformers loads back, and a GPT-2 block with rotary or ALiBi
# positions is no transformers class; the llama and bloom rows are. So besides the position scheme,
# the rotary model differs in its norm (RMS) and MLP (gated SiLU), and the ALiBi model in its
# embedding LayerNorm; all three have the same width and depth and about the same parameter count
# (printed below). The learned model cannot be scored past 128: `attn score --context` refuses it
# (exit 1, naming its learned positions), and the table shows "-" there.
#
# Scoring: `attn score --context L --stride 128` scores every held-out token once, in blocks of 128;
# each block is predicted by one window of L tokens ending at its last token, so at L = 128 the
# tokens see 1..128 characters of context (the trained range) and at L = 1024 between 897 and 1024
# (fewer only for the text's first L characters), and every L scores exactly the same tokens.
# Held-out text: the last 30,000 bytes of Persuasion (from a line start), inside the 10% of each
# novel that `attn prepare` keeps for validation and training never reads.
#
# Writes WORK/alibi_extrapolation.tsv (perplexity by evaluation length and model), .svg (attn plot)
# and .png (where rsvg-convert is installed), and prints the table and the times.
#   sh recipes/alibi_extrapolation.sh                  # about 20 minutes on 2 busy cores
#   STEPS=40 HELD_OUT=4000 sh recipes/alibi_extrapolation.sh   # a smoke test
set -eu
cd "$(dirname "$0")/.."
ATTN=${ATTN_BIN:-./attn}
WORK=${WORK:-runs/alibi_extrapolation}
STEPS=${STEPS:-800} LAYERS=${LAYERS:-4} HEADS=${HEADS:-4} WIDTH=${WIDTH:-128} CONTEXT=${CONTEXT:-128}
BATCH=${BATCH:-16} LR=${LR:-3e-3} SEED=${SEED:-1} HELD_OUT=${HELD_OUT:-30000} LENGTHS=${LENGTHS:-"128 256 512 1024"}
FFN=$((WIDTH * 8 / 3)) # SwiGLU's three matrices at GPT-2's 2 x 4 x width^2
mkdir -p "$WORK"
t_start=$(date +%s)
[ -f "$WORK/data/train.bin" ] || "$ATTN" prepare -t char -o "$WORK/data" data/austen/*.txt
tail -c "$HELD_OUT" data/austen/persuasion.txt | tail -n +2 >"$WORK/held_out.txt"
for arch in gpt2 llama bloom; do
    extra=""
    [ "$arch" = llama ] && extra="--ffn $FFN"
    t0=$(date +%s)
    # shellcheck disable=SC2086
    "$ATTN" train --data "$WORK/data" --out "$WORK/$arch" --arch "$arch" --layers "$LAYERS" --heads "$HEADS" \
        --width "$WIDTH" --context "$CONTEXT" $extra --batch "$BATCH" --steps "$STEPS" --lr "$LR" --min-lr 3e-4 \
        --warmup 50 --weight-decay 0.1 --clip 1.0 --eval-every "$STEPS" --eval-batches 20 --seed "$SEED" \
        --overwrite
    val=$(tail -n 1 "$WORK/$arch/train_log.jsonl" | sed -n 's/.*"val_loss": \([0-9.e+-]*\).*/\1/p')
    # parameters: model.safetensors' fp32 bytes after its 8-byte header length and JSON header, / 4
    st="$WORK/$arch/model.safetensors"
    params=$((($(stat -c %s "$st") - 8 - $(od -An -tu8 -N8 "$st" | tr -d ' ')) / 4))
    echo "$arch: $params parameters, $STEPS steps in $(($(date +%s) - t0)) s, validation loss $val"
done
# ppl LENGTH ARCH: the perplexity at window LENGTH; "-" for learned positions past CONTEXT, which
# attn score refuses (exit 1, naming them: the message is shown)
ppl() {
    if [ "$2" = gpt2 ] && [ "$1" -gt "$CONTEXT" ]; then
        if "$ATTN" score -m "$WORK/$2" --context "$1" "$WORK/held_out.txt" >/dev/null 2>"$WORK/err"; then
            echo "alibi_extrapolation.sh: attn score ran learned positions past $CONTEXT" >&2
            return 1
        fi
        cat "$WORK/err" >&2
        grep -q "learned" "$WORK/err" || return 1
        echo "-"
    else
        out=$("$ATTN" score -m "$WORK/$2" --context "$1" --stride "$CONTEXT" --json "$WORK/held_out.txt") || return 1
        echo "$out" | sed 's/.*"ppl": \([0-9.e+-]*\),.*/\1/'
    fi
}
t0=$(date +%s)
printf 'evaluation length\tlearned (gpt2)\trotary (llama)\tALiBi (bloom)\n' >"$WORK/alibi_extrapolation.tsv"
for len in $LENGTHS; do
    row="$len"
    for arch in gpt2 llama bloom; do
        v=$(ppl "$len" "$arch") || exit 1
        row="$row	$v"
    done
    echo "$row" >>"$WORK/alibi_extrapolation.tsv"
done
tokens=$("$ATTN" score -m "$WORK/bloom" --context "$CONTEXT" --stride "$CONTEXT" --json "$WORK/held_out.txt" |
    sed 's/.*"tokens": \([0-9]*\)}.*/\1/')
echo "scored $tokens held-out tokens at each length in $(($(date +%s) - t0)) s"
"$ATTN" plot "$WORK/alibi_extrapolation.tsv" --svg "$WORK/alibi_extrapolation.svg" \
    --title "Trained at $CONTEXT characters (Austen), scored longer: perplexity on held-out text" \
    --x-title "evaluation window (characters); every length scores the same $tokens tokens" --y-title "perplexity"
if command -v rsvg-convert >/dev/null 2>&1; then # PNG too where librsvg's converter is installed
    rsvg-convert "$WORK/alibi_extrapolation.svg" -o "$WORK/alibi_extrapolation.png"
fi
column -s "$(printf '\t')" -t <"$WORK/alibi_extrapolation.tsv" 2>/dev/null || cat "$WORK/alibi_extrapolation.tsv"
# each model's perplexity at the longest length relative to its own at the trained length
awk -F'\t' -v ctx="$CONTEXT" 'NR == 1 { for (i = 2; i <= NF; i++) name[i] = $i; next }
    $1 == ctx { for (i = 2; i <= NF; i++) base[i] = $i } { for (i = 2; i <= NF; i++) last[i] = $i; len = $1 }
    END { for (i = 2; i in name; i++) if (last[i] != "-" && base[i] != "-" && base[i] != "")
              printf "%s: %.1f%% at %s vs %s\n", name[i], 100 * (last[i] / base[i] - 1), len, ctx }' \
    "$WORK/alibi_extrapolation.tsv"
echo "total $(($(date +%s) - t_start)) s; wrote $WORK/alibi_extrapolation.tsv and .svg"
