#!/bin/sh
# Bad inputs: each must fail with exit status 1 and a one-line
# "attn <cmd>: error: ..." message naming the problem (and, under the
# sanitizer build, no sanitizer report: those print more lines and fail).
set -eu
ATTN=${ATTN_BIN:-./attn}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0

# expect KEYWORD CMD...: non-zero exit, exactly one stderr line, containing KEYWORD
expect() {
    kw=$1; shift
    if "$@" >"$tmp/out" 2>"$tmp/err"; then
        echo "FAIL (exit 0, want $kw): $*"; fails=$((fails + 1)); return
    fi
    n=$(wc -l < "$tmp/err")
    if [ "$n" -ne 1 ] || ! grep -q "error: .*$kw" "$tmp/err"; then
        echo "FAIL (want one error line with '$kw'): $*"; cat "$tmp/err"; fails=$((fails + 1))
    fi
}

head -c 20000 data/austen/emma.txt > "$tmp/a.txt"
"$ATTN" prepare -t char -o "$tmp/data" "$tmp/a.txt" >/dev/null
"$ATTN" train --data "$tmp/data" --out "$tmp/m" --layers 1 --heads 2 --width 16 --context 16 --batch 2 --steps 2 --quiet
good=$tmp/m
# --resume from a directory without a trainer state (a model alone is not a checkpoint; with
# the log or lock file of a run it would be a run stopped before its first checkpoint, started over)
cp -r "$good" "$tmp/nostate" &&
    rm "$tmp/nostate/trainer_state.safetensors" "$tmp/nostate/train_log.jsonl" "$tmp/nostate/.attn-train.lock"
expect "no trainer_state" "$ATTN" train --data "$tmp/data" --out "$tmp/nostate" --layers 1 --heads 2 --width 16 --context 16 \
    --batch 2 --steps 2 --quiet --resume

# a training shard shorter than one window (plus the shifted target)
printf 'Emma Woodhouse.\n' > "$tmp/tiny.txt"
"$ATTN" prepare -t char -o "$tmp/tinydata" "$tmp/tiny.txt" >/dev/null
expect "train.bin has [0-9]* tokens; training windows of 16 need at least 18" "$ATTN" train --data "$tmp/tinydata" \
    --out "$tmp/tinym" --layers 1 --heads 2 --width 16 --context 16 --batch 2 --steps 2 --quiet

mkmodel() { rm -rf "$tmp/bad"; cp -r "$good" "$tmp/bad"; }
# python-free edits of the safetensors header: 8-byte length, then JSON
hdr_len() { od -An -tu8 -N8 "$1" | tr -d ' '; }

expect "no config.json" "$ATTN" generate -m "$tmp/nonexistent" -n 1
expect "nonexistent" "$ATTN" score -m "$good" "$tmp/nonexistent.txt"

mkmodel; : > "$tmp/bad/model.safetensors"
expect "model.safetensors" "$ATTN" generate -m "$tmp/bad" -n 1

mkmodel; head -c 500 "$good/model.safetensors" > "$tmp/bad/model.safetensors"
expect "model.safetensors" "$ATTN" generate -m "$tmp/bad" -n 1

mkmodel; sz=$(wc -c < "$good/model.safetensors"); head -c $((sz - 64)) "$good/model.safetensors" > "$tmp/bad/model.safetensors"
expect "range" "$ATTN" generate -m "$tmp/bad" -n 1

# offsets out of range / overlapping / unknown dtype: rewrite header bytes in place
mkmodel; n=$(hdr_len "$good/model.safetensors")
dd if="$good/model.safetensors" bs=1 skip=8 count="$n" 2>/dev/null > "$tmp/h.json"
sed 's/"F32"/"Q99"/' "$tmp/h.json" > "$tmp/h2.json"
{ head -c 8 "$good/model.safetensors"; cat "$tmp/h2.json"; tail -c +$((9 + n)) "$good/model.safetensors"; } > "$tmp/bad/model.safetensors"
expect "dtype" "$ATTN" generate -m "$tmp/bad" -n 1

mkmodel
# make the second tensor start where the first starts: same-length edit of its begin offset
first=$(grep -o '"data_offsets":\[[0-9]*,[0-9]*\]' "$tmp/h.json" | sed -n 2p)
b=$(echo "$first" | sed 's/.*\[\([0-9]*\),.*/\1/')
if [ "$b" -gt 0 ]; then
    nb=$(printf "%0${#b}d" 0)
    newf=$(echo "$first" | sed "s/\[$b,/[$nb,/")
    sed "s/$(echo "$first" | sed 's/\[/\\[/;s/\]/\\]/')/$(echo "$newf" | sed 's/\[/\\[/;s/\]/\\]/')/" "$tmp/h.json" > "$tmp/h3.json"
    { head -c 8 "$good/model.safetensors"; cat "$tmp/h3.json"; tail -c +$((9 + n)) "$good/model.safetensors"; } > "$tmp/bad/model.safetensors"
    expect "offsets\|overlap" "$ATTN" generate -m "$tmp/bad" -n 1
fi

mkmodel; sed 's/"n_embd":[[:space:]]*16/"n_embd": 32/' "$good/config.json" > "$tmp/bad/config.json"
expect "shape" "$ATTN" generate -m "$tmp/bad" -n 1

mkmodel; printf '{"model_type": "gpt2", "n_layer": 1,' > "$tmp/bad/config.json"
expect "JSON" "$ATTN" generate -m "$tmp/bad" -n 1

mkmodel; sed 's/"n_head":[[:space:]]*2/"n_head": 3/' "$good/config.json" > "$tmp/bad/config.json"
expect "n_head" "$ATTN" generate -m "$tmp/bad" -n 1

: > "$tmp/empty.txt"
expect "empty" "$ATTN" prepare -t char -o "$tmp/d2" "$tmp/empty.txt"
printf 'caf\351 au lait\n' > "$tmp/latin1.txt"
expect "UTF-8" "$ATTN" prepare -t char -o "$tmp/d3" "$tmp/latin1.txt"

# (a prompt longer than the context and characters outside the vocabulary are no errors:
# tests/e2e/text_input.sh)
expect "vocabulary" "$ATTN" generate -m "$good" --ids "1 2 99999" -n 1
printf '1 2 x\n' > "$tmp/ids.txt"
expect "token id" "$ATTN" score -m "$good" --ids "$tmp/ids.txt"

[ "$fails" -eq 0 ] || { echo "$fails bad-input checks failed"; exit 1; }
echo ok
