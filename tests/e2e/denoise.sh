#!/bin/sh
# End-to-end: BART denoising pretraining (`attn train --objective denoise`)
# of a tiny BART on 400 lines of Pride and Prejudice with a BPE tokenizer
# trained here with BART's special tokens: the loss and the validation loss
# fall, a run stopped and resumed gives the uninterrupted run's log and
# weights bit for bit, the result is a BartForConditionalGeneration
# directory that `attn translate` reconstructs a corrupted line with and
# that `attn train --init` fine-tunes on pairs; token masking, deletion and
# rotation train too; bad inputs exit 1 with one "attn train: error:" line.
# Under ATTN_QUICK the runs are shorter and the learning checks left out.
ATTN_BIN=${ATTN_BIN:-./attn}
ATTN_THREADS=1 # tiny models: one thread is fastest, and the machine is shared
export ATTN_THREADS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_denoise.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail() { echo "denoise.sh: FAIL: $*"; exit 1; }

# expect_error PATTERN ARGS...: attn train exits 1 with exactly one stderr line "attn train: error: ..." matching PATTERN
expect_error() {
    pat=$1
    shift
    "$ATTN_BIN" train "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "${rc_want:-1}" ] || fail "attn train $* exited $rc (wanted ${rc_want:-1}): $(cat "$tmp/err")"
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "attn train $*: wanted one error line, got: $(cat "$tmp/err")"
    grep -Eq "^attn train: error: .*$pat" "$tmp/err" || fail "attn train $*: error '$(cat "$tmp/err")' does not match '$pat'"
}
strip_speed() { sed 's/, "tokens_per_s": [0-9.]*//' "$1"; }
loss_at() { sed -n "${2}p" "$1" | sed 's/.*"loss": \([0-9.e+-]*\),.*/\1/'; }

sed -n '100,500p' data/austen/prideprejudice.txt >"$tmp/pp.txt"
"$ATTN_BIN" tokenizer train --type bpe --vocab-size 400 --special-tokens '<s>,<pad>,</s>,<unk>,<mask>' -o "$tmp/tok" "$tmp/pp.txt" \
    >/dev/null 2>"$tmp/err" || fail "tokenizer train: $(cat "$tmp/err")"
"$ATTN_BIN" prepare -t "$tmp/tok" -o "$tmp/d" "$tmp/pp.txt" >/dev/null 2>"$tmp/err" || fail "prepare: $(cat "$tmp/err")"

# under ATTN_QUICK (the sanitizer run) 40 steps, and the learning checks
# are left to the plain run
steps=150 every=50 stop=25
[ -z "${ATTN_QUICK:-}" ] || { steps=40 every=20 stop=15; }
common="--objective denoise --arch bart --data $tmp/d --layers 2 --heads 2 --width 48 --context 48 --batch 16 --steps $steps --lr 3e-3
    --warmup 5 --eval-every $every --eval-batches 4 --seed 3 --quiet"
"$ATTN_BIN" train $common --out "$tmp/m" 2>"$tmp/err" || fail "train exited $?: $(cat "$tmp/err")"
for f in config.json model.safetensors tokenizer.json trainer_state.safetensors train_log.jsonl translate.json; do
    [ -s "$tmp/m/$f" ] || fail "missing $f"
done
grep -q '"BartForConditionalGeneration"' "$tmp/m/config.json" || fail "not saved as BartForConditionalGeneration"
grep -q '"decoder_start_token_id":.*2,' "$tmp/m/config.json" || fail "decoder start is not </s> (2)"
grep -q '"src_bos": 0, "src_eos": 2, "tgt_bos": 0, "tgt_eos": 2' "$tmp/m/translate.json" ||
    fail "translate.json is $(cat "$tmp/m/translate.json")"
[ "$(wc -l <"$tmp/m/train_log.jsonl")" -eq "$steps" ] || fail "log has $(wc -l <"$tmp/m/train_log.jsonl") lines"
grep -c '"val_loss"' "$tmp/m/train_log.jsonl" | grep -qx $((steps / every)) || fail "validation not logged every $every steps"
if [ -z "${ATTN_QUICK:-}" ]; then
# the loss falls: the mean of the last 5 steps well below the first 5's; validation at 50, 100, 150, falling
awk -F'"loss": ' '{ split($2, a, ","); l[NR] = a[1] } END {
    for (i = 1; i <= 5; i++) { f += l[i]; e += l[NR - 5 + i] }
    if (e / 5 > f / 5 - 1.0) { printf "first %.3f last %.3f\n", f / 5, e / 5; exit 1 } }' "$tmp/m/train_log.jsonl" ||
    fail "loss did not fall"
v1=$(grep -o '"val_loss": [0-9.]*' "$tmp/m/train_log.jsonl" | head -n 1 | cut -d' ' -f2)
v3=$(grep -o '"val_loss": [0-9.]*' "$tmp/m/train_log.jsonl" | tail -n 1 | cut -d' ' -f2)
awk -v a="$v1" -v b="$v3" 'BEGIN { exit !(b < a - 0.3) }' || fail "validation loss did not fall: $v1 -> $v3"
fi

# validation corrupts its windows the same way every time: with lr 1e-30 the weights stay and so does val_loss
"$ATTN_BIN" train $common --steps 4 --eval-every 2 --lr 1e-30 --min-lr 1e-31 --out "$tmp/lr0" 2>"$tmp/err" || fail "lr 0: $(cat "$tmp/err")"
grep -o '"val_loss": [0-9.e+-]*' "$tmp/lr0/train_log.jsonl" | uniq | wc -l | grep -qx 1 ||
    fail "validation losses of unchanged weights differ: $(grep -o '"val_loss": [0-9.e+-]*' "$tmp/lr0/train_log.jsonl")"
grep -c '"val_loss"' "$tmp/lr0/train_log.jsonl" | grep -qx 2 || fail "lr 0: validation not logged at steps 2 and 4"

# stop early, resume: the same log and weights as the run that never stopped
"$ATTN_BIN" train $common --out "$tmp/r" --stop-at $stop 2>"$tmp/err" || fail "--stop-at: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/r/train_log.jsonl")" -eq $stop ] || fail "--stop-at $stop logged $(wc -l <"$tmp/r/train_log.jsonl") steps"
"$ATTN_BIN" train $common --out "$tmp/r" --resume 2>"$tmp/err" || fail "--resume: $(cat "$tmp/err")"
strip_speed "$tmp/m/train_log.jsonl" >"$tmp/a.log"
strip_speed "$tmp/r/train_log.jsonl" >"$tmp/b.log"
cmp -s "$tmp/a.log" "$tmp/b.log" || fail "resumed log differs: $(diff "$tmp/a.log" "$tmp/b.log" | head -4)"
cmp -s "$tmp/m/model.safetensors" "$tmp/r/model.safetensors" || fail "resumed weights differ"
# the corruption is part of the run's settings
expect_error "settings of the original run" $common --out "$tmp/r" --resume --mask-ratio 0.2
expect_error "no trainer_state" $common --out "$tmp/none" --resume
# another seed corrupts (and draws) differently
"$ATTN_BIN" train $common --steps 2 --seed 4 --out "$tmp/s4" 2>"$tmp/err" || fail "seed 4: $(cat "$tmp/err")"
[ "$(loss_at "$tmp/m/train_log.jsonl" 2)" != "$(loss_at "$tmp/s4/train_log.jsonl" 2)" ] || fail "seeds 3 and 4 gave the same step-2 loss"

# the model reconstructs with attn translate (one line out per line in, no special tokens)
printf 'It is a truth <mask> acknowledged.\nMr. Bennet was <mask> his wife.\n' >"$tmp/noisy.txt"
"$ATTN_BIN" translate -m "$tmp/m" --max-len 20 "$tmp/noisy.txt" >"$tmp/rec" 2>"$tmp/err" || fail "translate: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/rec")" -eq 2 ] || fail "translate printed $(wc -l <"$tmp/rec") lines for 2"
grep -q '<s>\|</s>\|<pad>\|<mask>' "$tmp/rec" && fail "special tokens in the reconstruction: $(cat "$tmp/rec")"
"$ATTN_BIN" translate -m "$tmp/m" --max-len 20 --beam 3 "$tmp/noisy.txt" >"$tmp/rec3" 2>"$tmp/err" || fail "beam 3: $(cat "$tmp/err")"

# fine-tuning the pretrained model on pairs (English -> English lines, wrapped as BART's)
sed -n '600,700p' data/austen/prideprejudice.txt | awk 'length($0) > 10 { print tolower($0) "\t" $0 }' >"$tmp/pairs.tsv"
"$ATTN_BIN" prepare --pairs -t "$tmp/m" -o "$tmp/pd" --max-len 40 "$tmp/pairs.tsv" >/dev/null 2>"$tmp/err" ||
    fail "prepare --pairs with the pretrained tokenizer: $(cat "$tmp/err")"
"$ATTN_BIN" train --init "$tmp/m" --data "$tmp/pd" --arch bart --out "$tmp/ft" --steps 6 --batch-tokens 400 --lr 1e-3 --warmup 1 --quiet \
    2>"$tmp/err" || fail "fine-tuning with --init: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/ft/train_log.jsonl")" -eq 6 ] || fail "fine-tuning logged $(wc -l <"$tmp/ft/train_log.jsonl") steps"
"$ATTN_BIN" translate -m "$tmp/ft" --max-len 10 "$tmp/noisy.txt" >/dev/null 2>"$tmp/err" || fail "translate after fine-tuning: $(cat "$tmp/err")"
# and denoising continues from it (--init with the objective), with token masking, deletion and rotation
"$ATTN_BIN" train $common --steps 4 --init "$tmp/m" --poisson-lambda 0 --delete-ratio 0.1 --rotate-ratio 0.5 --permute-ratio 0 \
    --out "$tmp/tm" 2>"$tmp/err" || fail "token masking: $(cat "$tmp/err")"
awk -F'"loss": ' '{ split($2, a, ","); if (!(a[1] > 0 && a[1] < 20)) exit 1 }' "$tmp/tm/train_log.jsonl" || fail "token masking losses"

# bad inputs
"$ATTN_BIN" tokenizer train --type bpe --vocab-size 300 --special-tokens '<s>,<pad>,</s>,<unk>' -o "$tmp/tok2" "$tmp/pp.txt" \
    >/dev/null 2>&1 || fail "tokenizer without <mask>"
"$ATTN_BIN" prepare -t "$tmp/tok2" -o "$tmp/d2" "$tmp/pp.txt" >/dev/null 2>&1 || fail "prepare with the tokenizer without <mask>"
expect_error "has no <mask> \\(make one with attn tokenizer train --type bpe --special-tokens '<s>,<pad>,</s>,<unk>,<mask>'" \
    --objective denoise --data "$tmp/d2" --out "$tmp/x" --steps 1
expect_error "trains BART \\(--arch bart\\), not the Transformer" --objective denoise --arch transformer --data "$tmp/d" --out "$tmp/x"
expect_error "trains BART" --objective denoise --arch rnnsearch --data "$tmp/d" --out "$tmp/x"
rc_want=2 # option values out of range: bad usage
expect_error "--mask-ratio must be a finite number in \\[0, 1\\], not '-0.1'" --objective denoise --mask-ratio -0.1 --data "$tmp/d" --out "$tmp/x"
expect_error "--mask-ratio must be a finite number in \\[0, 1\\], not '1.5'" --objective denoise --mask-ratio 1.5 --data "$tmp/d" --out "$tmp/x"
expect_error "--delete-ratio must be a finite number in" --objective denoise --delete-ratio -1 --data "$tmp/d" --out "$tmp/x"
expect_error "--poisson-lambda must be a finite number in \\[0, 100\\]" --objective denoise --poisson-lambda -3 --data "$tmp/d" --out "$tmp/x"
expect_error "--rotate-ratio must be a finite number in" --objective denoise --rotate-ratio 2 --data "$tmp/d" --out "$tmp/x"
expect_error "--permute-ratio must be a finite number in" --objective denoise --permute-ratio nan --data "$tmp/d" --out "$tmp/x"
rc_want=1
expect_error "pair shards" --objective denoise --data "$tmp/pd" --out "$tmp/x"
"$ATTN_BIN" train --data "$tmp/d" --out "$tmp/gpt" --layers 1 --heads 2 --width 16 --context 16 --batch 2 --steps 1 --quiet \
    2>"$tmp/err" || fail "a GPT on the same shards: $(cat "$tmp/err")"
expect_error "trains a BART encoder-decoder; .*gpt is a GPT-2 model" --objective denoise --data "$tmp/d" --init "$tmp/gpt" --out "$tmp/x" --steps 1
expect_error "rows of 64 tokens .* at most the model's 48 positions" $common --seq-len 64 --out "$tmp/x"
mkdir "$tmp/d3" && cp "$tmp/d/train.bin" "$tmp/d3/"
expect_error "needs the data's tokenizer.json" --objective denoise --data "$tmp/d3" --out "$tmp/x"
# a training shard shorter than one row
printf 'It is a truth.\n' >"$tmp/tiny.txt"
"$ATTN_BIN" prepare -t "$tmp/tok" -o "$tmp/tiny" "$tmp/tiny.txt" >/dev/null 2>"$tmp/err" || fail "prepare tiny: $(cat "$tmp/err")"
expect_error "train.bin has [0-9]+ tokens; denoising rows of 48 need at least 48" --objective denoise --arch bart \
    --data "$tmp/tiny" --layers 2 --heads 2 --width 48 --context 48 --out "$tmp/x"
exit 0
