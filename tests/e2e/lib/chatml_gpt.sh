# Sourced by end-to-end scripts (run from the repository root; not a test
# itself), after $ATTN and $tmp are set: a BPE tokenizer of 300 tokens with
# ChatML's special tokens trained on 20 kB of Persuasion ($tmp/tok), that
# text as token shards ($tmp/data) and an untrained 2-layer GPT of width 32
# and context 64 on them ($tmp/gpt0).
head -c 20000 data/austen/persuasion.txt > "$tmp/a.txt"
"$ATTN" tokenizer train --type bpe --vocab-size 300 --special-tokens '<|endoftext|>,<|im_start|>,<|im_end|>' \
    -o "$tmp/tok" "$tmp/a.txt" > /dev/null
"$ATTN" prepare -t "$tmp/tok" -o "$tmp/data" "$tmp/a.txt" > /dev/null
"$ATTN" train --data "$tmp/data" --out "$tmp/gpt0" --layers 2 --heads 2 --width 32 --context 64 --steps 0 --quiet
