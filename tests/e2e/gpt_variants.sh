#!/bin/sh
# attn train's GPT-2 variants (--rotary --qk-norm --activation relu2
# --untied-head --zero-init-proj) end to end: the run writes config.json
# model_type attn_gpt2 with each option and no learned positions; stopped
# and resumed (with Muon, which leaves lm_head to AdamW) it gives the
# uninterrupted run's losses and weights bit for bit; attn generate and
# attn score run on it; a resume with an option the model lacks, and an
# option with another --arch or on pair data, are refused naming the
# option; attn convert refuses the variant.
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "gpt_variants.sh: FAIL: $*" >&2; exit 1; }
run_status() { # COMMAND...: exit status in $rc, stderr in $tmp/err
    set +e
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    set -e
}
. tests/e2e/lib/strip_timing.sh

head -c 30000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
common="--data $tmp/data --layers 2 --heads 2 --width 16 --context 16 --batch 4 --steps 10 --eval-every 5 --eval-batches 1 --quiet"
opts="--rotary --qk-norm --activation relu2 --untied-head --zero-init-proj --optimizer muon"
"$ATTN" train $common $opts --out "$tmp/full"
for key in '"model_type":	"attn_gpt2"' '"position_embedding_type":	"rotary"' '"qk_norm":	true' \
    '"activation_function":	"relu2"' '"tie_word_embeddings":	false' '"zero_init_proj":	true'; do
    grep -qF "$key" "$tmp/full/config.json" || fail "config.json lacks $key: $(cat "$tmp/full/config.json")"
done
"$ATTN" train $common $opts --out "$tmp/part" --stop-at 5
"$ATTN" train $common $opts --out "$tmp/part" --resume
strip "$tmp/full/train_log.jsonl" > "$tmp/a.log"
strip "$tmp/part/train_log.jsonl" > "$tmp/b.log"
diff "$tmp/a.log" "$tmp/b.log" >/dev/null || fail "resumed losses differ from the uninterrupted run"
cmp -s "$tmp/full/model.safetensors" "$tmp/part/model.safetensors" || fail "resumed weights differ"

run_status "$ATTN" generate -m "$tmp/full" -p "Anne" -n 20 -t 0
[ "$rc" -eq 0 ] || fail "generate exited $rc: $(cat "$tmp/err")"
run_status "$ATTN" score -m "$tmp/full" "$tmp/a.txt"
[ "$rc" -eq 0 ] || fail "score exited $rc: $(cat "$tmp/err")"

# a plain run resumed with --rotary: the model keeps its learned positions
"$ATTN" train $common --out "$tmp/plain" --stop-at 5
grep -qF '"model_type":	"gpt2"' "$tmp/plain/config.json" || fail "a plain run is not model_type gpt2"
run_status "$ATTN" train $common --out "$tmp/plain" --resume --rotary
[ "$rc" -eq 1 ] || fail "resume with --rotary exited $rc"
grep -q "^attn train: error: --rotary: .* without it" "$tmp/err" || fail "resume with --rotary: $(cat "$tmp/err")"
run_status "$ATTN" train $common --arch llama --qk-norm --out "$tmp/llama"
[ "$rc" -eq 1 ] || fail "--arch llama --qk-norm exited $rc"
grep -q "^attn train: error: --qk-norm makes a new GPT-2" "$tmp/err" || fail "--arch llama --qk-norm: $(cat "$tmp/err")"
head -n 40 data/bible-en-es/train.tsv > "$tmp/pairs.tsv"
"$ATTN" prepare --pairs -t data/bible-en-es/tokenizer.json -o "$tmp/pairs" --max-len 48 "$tmp/pairs.tsv" >/dev/null 2>&1
run_status "$ATTN" train --data "$tmp/pairs" --out "$tmp/s2s" --layers 1 --heads 2 --width 16 --steps 2 --rotary --quiet
[ "$rc" -eq 1 ] || fail "--rotary on pair data exited $rc"
grep -q "^attn train: error: pair data trains translation models; --rotary" "$tmp/err" || fail "--rotary on pairs: $(cat "$tmp/err")"
run_status "$ATTN" convert "$tmp/full" "$tmp/m.gguf"
[ "$rc" -ne 0 ] && grep -q "GPT-2 variant" "$tmp/err" || fail "convert of a variant: exit $rc, $(cat "$tmp/err")"
[ ! -e "$tmp/m.gguf" ] || fail "convert wrote a file"
echo ok
