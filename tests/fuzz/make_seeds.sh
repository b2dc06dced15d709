#!/bin/sh
# Rebuilds tests/fuzz/corpus/ from the fixtures in tests/ref and tests/data
# and from small files made by attn itself (make_seeds.c, linked against
# build-fuzz/libattn.a: run `make fuzz-build` first). Run from the repository root.
set -e
C=tests/fuzz/corpus
for h in safetensors model_config tokenizer_json bpe_files vocab_txt shards pairs labeled prepare_pairs scaling_runs; do
    mkdir -p $C/fuzz_$h
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
clang -std=c11 -D_GNU_SOURCE -fsanitize=address,undefined,fuzzer-no-link -Iinclude -Isrc -o "$tmp/make_seeds" \
    tests/fuzz/make_seeds.c build-fuzz/libattn.a -lm -lcjson -lutf8proc
"$tmp/make_seeds" "$tmp"

# safetensors: the Python-written fixture and the smallest model
cp tests/data/st_python.safetensors $C/fuzz_safetensors/python.safetensors
cp tests/ref/rnnsearch_tiny/model.safetensors $C/fuzz_safetensors/rnnsearch.safetensors

# config.json of every kind, behind the byte that picks its weights
i=0
for m in gpt2_tiny bert_tiny roberta_tiny bart_tiny marian_tiny rnnsearch_tiny gpt2_cls roberta_cls; do
    { printf "\\$(printf %03o $i)"; cat tests/ref/$m/config.json; } > $C/fuzz_model_config/$m
    i=$((i + 1))
done
# generation_config.json (bit 7) beside BART's and Marian's own config.json
{ printf '\203'; cat tests/ref/bart_tiny/generation_config.json; } > $C/fuzz_model_config/bart_tiny.generation
{ printf '\204'; cat tests/ref/marian_tiny/generation_config.json; } > $C/fuzz_model_config/marian_tiny.generation

# vocab.json NUL merges.txt, from the byte-level BPE tokenizer.json above
python3 - "$C" <<'PY'
import json, sys
C = sys.argv[1]
t = json.load(open(f"{C}/fuzz_tokenizer_json/bpe.json"))
m = t["model"]
merges = [" ".join(x) if isinstance(x, list) else x for x in m["merges"]]
with open(f"{C}/fuzz_bpe_files/gpt2_style", "wb") as f:
    f.write(json.dumps(m["vocab"], ensure_ascii=False).encode())
    f.write(b"\0#version: 0.2\n" + "\n".join(merges).encode() + b"\n")
# vocab.txt: the WordPiece tokenizer's tokens in id order
t = json.load(open(f"{C}/fuzz_tokenizer_json/wordpiece.json"))
v = sorted(t["model"]["vocab"].items(), key=lambda kv: kv[1])
open(f"{C}/fuzz_vocab_txt/bert_style.txt", "w").write("".join(k + "\n" for k, _ in v))
# a slice of the MiniLM vocab.txt (specials, [unused], letters, pieces)
lines = open("tests/data/minilm/vocab.txt", encoding="utf-8").read().split("\n")
open(f"{C}/fuzz_vocab_txt/minilm_head.txt", "w").write("\n".join(lines[:110] + lines[1000:1200] + lines[7000:7050]) + "\n")
PY

# labelled files: first byte = format (0 tsv, 1 csv, 2 jsonl), second = fixed labels (odd)
printf '\000\000good film\tpos\nbad film\tneg\n' > $C/fuzz_labeled/tsv_plain
printf '\000\001sentence1\tsentence2\tlabel\na b\tc d\t1\ne f\tg h\t0\n' > $C/fuzz_labeled/tsv_header_pair
printf '\001\000text,label\n"a, ""quoted"" text",pos\r\n"multi\nline",neg\n' > $C/fuzz_labeled/csv_quoted
printf '\001\001\357\273\277x,y,0\nz,w,1\n' > $C/fuzz_labeled/csv_bom_pair
printf '\002\000{"text": "caf\303\251", "label": 3}\n\n{"text": "b", "label": 10}\n' > $C/fuzz_labeled/jsonl_int
printf '\002\001{"sentence1": "a", "sentence2": "b", "label": "pos"}\n{"text_a": "c", "text_b": "d", "label": "neg"}\n' > $C/fuzz_labeled/jsonl_pair

# parallel text: first byte = wrapping (bit 0) and max_len (bit 1)
printf '\000the cat sat\tle chat\nhello world\tbonjour le monde\r\n' > $C/fuzz_prepare_pairs/bart
printf '\001a dog\tun chien\nna\303\257ve\tna\303\257f' > $C/fuzz_prepare_pairs/eos_no_final_lf
printf '\002the cat sat on the mat\tle chat\nhi\tsalut\n' > $C/fuzz_prepare_pairs/max_len
printf '\000{"params": 1e6, "tokens": 2e7, "flops": 1.2e14, "loss": 3.5, "name": "a"}\n{"N": 2e6, "D": 1e7, "val_loss": 3.25, "curve": [[1e12, 5.0], [1.2e14, 3.25]]}\n' > $C/fuzz_scaling_runs/runs_two
printf '\000{"params": 1e6, "tokens": 1e8, "flops": 6e14, "loss": 4.0}\n{"params": 2e6, "tokens": 5e7, "flops": 6e14, "loss": 3.9}\n{"params": 4e6, "tokens": 2.5e7, "flops": 6e14, "loss": 4.1}\n{"params": 8e6, "tokens": 2.5e7, "flops": 1.2e15, "loss": 3.7}\n' > $C/fuzz_scaling_runs/runs_isoflop
printf '\001{"approach3": {"E": {"value": 1.69}, "A": {"value": 406.4}, "B": {"value": 410.7}, "alpha": {"value": 0.34}, "beta": {"value": 0.28}}}\n' > $C/fuzz_scaling_runs/fit_law
