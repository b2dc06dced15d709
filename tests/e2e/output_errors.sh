#!/bin/sh
# Output that cannot be written is an error: every command whose standard
# output goes to /dev/full (a full disk) exits 1 with one line
# "attn <cmd>: error: writing standard output: No space left on device",
# never 0 with a truncated output; `embed --out FILE` replaces FILE
# atomically (a write that fails part way, here past a file-size limit,
# leaves the old FILE whole and no temporary file behind).
set -u
ATTN=${ATTN_BIN:-./attn}
ATTN_THREADS=1 # tiny models; the machine is shared
export ATTN_THREADS
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attn_e2e_output.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
bad() { echo "output_errors.sh: FAIL: $*"; fails=$((fails + 1)); }
die() { echo "output_errors.sh: FAIL: $*"; exit 1; }
[ -w /dev/full ] || die "no /dev/full to write to"

# ---- tiny models: a character GPT, a BERT (MiniLM's WordPiece), a classifier, a Transformer
head -c 20000 data/austen/persuasion.txt >"$tmp/text.txt"
grep -v '^ *$' "$tmp/text.txt" | head -n 40 >"$tmp/lines.txt"
small="--layers 1 --heads 2 --width 16 --context 32 --quiet"
{
    "$ATTN" prepare -t char -o "$tmp/cdata" "$tmp/text.txt" >/dev/null &&
        "$ATTN" train --data "$tmp/cdata" --out "$tmp/gpt" $small --steps 0 &&
        "$ATTN" prepare -t tests/data/minilm -o "$tmp/wdata" "$tmp/text.txt" >/dev/null &&
        "$ATTN" train --objective mlm --data "$tmp/wdata" --out "$tmp/bert" $small --steps 0 &&
        awk '{ print $0 "\t" (NR % 2 ? "odd" : "even") }' "$tmp/lines.txt" >"$tmp/labels.tsv" &&
        "$ATTN" train --objective classify --init "$tmp/bert" --data "$tmp/labels.tsv" --out "$tmp/cls" --steps 1 \
            --batch 4 --eval-every 0 --quiet &&
        head -n 40 data/bible-en-es/train.tsv >"$tmp/pairs.tsv" &&
        cut -f1 "$tmp/pairs.tsv" | head -n 4 >"$tmp/src.txt" &&
        "$ATTN" prepare --pairs -t data/bible-en-es/tokenizer.json -o "$tmp/pdata" --max-len 48 "$tmp/pairs.tsv" >/dev/null &&
        "$ATTN" train --data "$tmp/pdata" --arch transformer --layers 1 --heads 2 --width 16 --steps 1 \
            --batch-tokens 400 --eval-every 0 --quiet --out "$tmp/tr"
} 2>"$tmp/err" || die "making the models: $(cat "$tmp/err")"

# full CMD ARGS...: attn CMD ARGS... >/dev/full exits 1 with the one error line
full() {
    cmd=$1
    [ "$1" = tokenizer ] && cmd="$1 $2"
    "$ATTN" "$@" >/dev/full 2>"$tmp/err" </dev/null
    rc=$?
    [ "$rc" -eq 1 ] || { bad "attn $* >/dev/full exited $rc: $(cat "$tmp/err")"; return; }
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { bad "attn $* >/dev/full: wanted one error line, got: $(cat "$tmp/err")"; return; }
    grep -q "^attn $cmd: error: writing standard output: No space left on device$" "$tmp/err" ||
        bad "attn $* >/dev/full: $(cat "$tmp/err")"
}
full generate -m "$tmp/gpt" -p "It was" -n 5 --seed 1
full generate -m "$tmp/gpt" -n 3000 --no-stop --seed 1
full generate -m tests/ref/gpt2_tiny --ids "1 2" --print-ids -n 3
full score -m "$tmp/gpt" "$tmp/text.txt"
full score -m "$tmp/gpt" --json "$tmp/text.txt"
full score -m "$tmp/tr" --pairs "$tmp/pairs.tsv"
full tokenize -t tests/data/minilm "$tmp/text.txt"
full tokenize -t tests/data/minilm "$tmp/lines.txt" --pair "$tmp/src.txt" --types
"$ATTN" tokenize -m "$tmp/gpt" "$tmp/text.txt" >"$tmp/ids.txt" || bad "tokenize to a file failed"
full tokenize -m "$tmp/gpt" --decode "$tmp/ids.txt"
full translate -m "$tmp/tr" --max-len 4 "$tmp/src.txt"
full embed -m "$tmp/bert" "$tmp/lines.txt"
full similar -m "$tmp/bert" -q "Anne" "$tmp/lines.txt"
full classify -m "$tmp/cls" "$tmp/lines.txt"
full bleu --ref "$tmp/src.txt" "$tmp/src.txt"
full prepare -t char -o "$tmp/cdata2" "$tmp/text.txt"
full tokenizer train --type wordpiece --vocab-size 200 -o "$tmp/wp" "$tmp/text.txt"
full train --help
full --help
# a closed standard output is an error too
"$ATTN" score -m "$tmp/gpt" "$tmp/text.txt" >&- 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "^attn score: error: writing standard output: " "$tmp/err" ||
    bad "score with stdout closed exited $rc: $(cat "$tmp/err")"

# ---- embed --out: atomic replacement
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --out "$tmp/e.npy" 2>"$tmp/err" || bad "embed --out: $(cat "$tmp/err")"
[ "$(head -c 6 "$tmp/e.npy" | tail -c 5)" = NUMPY ] || bad "embed --out wrote no .npy"
size=$(wc -c <"$tmp/e.npy")
[ "$size" -eq $((128 + 40 * 16 * 4)) ] || bad "e.npy is $size bytes, wanted $((128 + 40 * 16 * 4))"
cp "$tmp/e.npy" "$tmp/e.orig"
# a file-size limit of 1 KiB (ulimit -f counts 512-byte blocks) makes the write fail part way
(
    trap '' XFSZ
    ulimit -f 2
    exec "$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --normalize --out "$tmp/e.npy"
) 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] || bad "embed --out past the file-size limit exited $rc: $(cat "$tmp/err")"
grep -q "^attn embed: error: .*e.npy" "$tmp/err" || bad "embed --out past the limit: $(cat "$tmp/err")"
cmp -s "$tmp/e.npy" "$tmp/e.orig" || bad "a failed embed --out damaged the existing file"
left=$(ls "$tmp" | grep -c 'e\.npy\.')
[ "$left" -eq 0 ] || bad "a failed embed --out left a temporary file: $(ls "$tmp")"
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --out "$tmp/nodir/e.npy" 2>"$tmp/err" && bad "embed --out into a missing directory succeeded"
grep -q "^attn embed: error: .*nodir" "$tmp/err" || bad "embed --out into a missing directory: $(cat "$tmp/err")"

# ---- --out to a link, a pipe, /dev/stdout: written through, never replaced by a file
cp "$tmp/e.orig" "$tmp/target.npy"
ln -s target.npy "$tmp/link.npy"
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --normalize --out "$tmp/link.npy" 2>"$tmp/err" || bad "embed --out LINK: $(cat "$tmp/err")"
[ -L "$tmp/link.npy" ] || bad "embed --out LINK replaced the link with a file"
cmp -s "$tmp/target.npy" "$tmp/e.orig" && bad "embed --out LINK left the link's target as it was"
[ "$(ls "$tmp" | grep -c 'target\.npy\.\|link\.npy\.')" -eq 0 ] || bad "embed --out LINK left a temporary file: $(ls "$tmp")"
mkfifo "$tmp/fifo" || die "mkfifo"
timeout 60 cat "$tmp/fifo" >"$tmp/from_fifo.npy" &
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --out "$tmp/fifo" 2>"$tmp/err" || bad "embed --out FIFO: $(cat "$tmp/err")"
wait
[ -p "$tmp/fifo" ] || bad "embed --out FIFO replaced the pipe with a file"
cmp -s "$tmp/from_fifo.npy" "$tmp/e.npy" || bad "embed --out FIFO: the pipe's reader got other bytes than --out FILE"
stdout_was=$(ls -l /dev/stdout 2>/dev/null)
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --out /dev/stdout 2>"$tmp/err" | cat >"$tmp/piped.npy" || bad "embed --out /dev/stdout: $(cat "$tmp/err")"
cmp -s "$tmp/piped.npy" "$tmp/e.npy" || bad "embed --out /dev/stdout into a pipe: other bytes than --out FILE"
"$ATTN" embed -m "$tmp/bert" "$tmp/lines.txt" --out /dev/stdout >"$tmp/redirected.npy" 2>"$tmp/err" || bad "embed --out /dev/stdout: $(cat "$tmp/err")"
cmp -s "$tmp/redirected.npy" "$tmp/e.npy" || bad "embed --out /dev/stdout into a file: other bytes than --out FILE"
[ "$(ls -l /dev/stdout 2>/dev/null)" = "$stdout_was" ] || bad "embed --out /dev/stdout changed /dev/stdout: $(ls -l /dev/stdout)"

[ "$fails" -eq 0 ] || { echo "output_errors.sh: $fails failures"; exit 1; }
echo "output_errors.sh: ok"
