"""The shipped Spanish -> English data (data/bible-en-es) and `attn prepare --pairs` against
Hugging Face `tokenizers`: the split is whole books with no overlap and clean lines, the script
rebuilds the shipped files byte for byte, the shared BPE vocabulary equals what HF's BpeTrainer
learns from the same training text with the same special tokens, and the pair shards hold HF's
ids wrapped as documented (<s> ids </s> on both sides)."""
import json
import os
import struct
import subprocess
from pathlib import Path

import pytest

ATTN = os.environ.get("ATTN_BIN", "./attn")
DATA = Path("data/bible-en-es")
SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
SOURCE = DATA / "kjv-rv1909.tsv"


def read_split(name):
    with open(DATA / name, encoding="utf-8") as f:   # strict UTF-8: raises on a bad byte
        return [line.rstrip("\n").split("\t") for line in f]


def test_split_is_clean_and_by_book():
    splits = {k: read_split(k + ".tsv") for k in ("train", "valid", "test")}
    for name, rows in splits.items():
        assert rows, name
        for i, r in enumerate(rows):
            assert len(r) == 2 and r[0].strip() and r[1].strip(), (name, i + 1, r)
            assert not any(ord(c) < 32 for c in r[0] + r[1]), (name, i + 1)
    assert [len(splits[k]) for k in ("train", "valid", "test")] == [26094, 2235, 2730]
    refs = (DATA / "test.ref").read_text(encoding="utf-8").split("\n")[:-1]
    es = (DATA / "test.es").read_text(encoding="utf-8").split("\n")[:-1]
    en = (DATA / "test.en").read_text(encoding="utf-8").split("\n")[:-1]
    assert [list(p) for p in zip(es, en)] == splits["test"] and len(refs) == len(es)
    test_books = {r.rsplit(" ", 1)[0] for r in refs}
    assert test_books == {"Ruth", "Esther", "Proverbs", "Amos", "John", "Romans", "1 Peter"}
    # no verse of a test book is in train or valid (the Spanish side is unique enough to tell)
    train_es = {r[0] for r in splits["train"]} | {r[0] for r in splits["valid"]}
    assert sum(s in train_es for s in es) < 5


def test_make_split_rebuilds_the_shipped_files(tmp_path):
    subprocess.run(["sh", str(DATA / "make_split.sh"), str(SOURCE), ATTN, str(tmp_path)], check=True,
                   capture_output=True)
    for name in ("train.tsv", "valid.tsv", "test.tsv", "test.es", "test.en", "test.ref", "tokenizer.json"):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_shared_vocabulary_equals_hf_bpe_trainer(tmp_path):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    rows = read_split("train.tsv")
    corpus = tmp_path / "both.txt"
    corpus.write_text("".join(r[0] + "\n" for r in rows) + "".join(r[1] + "\n" for r in rows), encoding="utf-8")
    ref = Tokenizer(models.BPE())
    ref.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    ref.decoder = decoders.ByteLevel()
    ref.train([str(corpus)], trainers.BpeTrainer(vocab_size=8000, min_frequency=2, special_tokens=SPECIALS,
                                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                                  show_progress=False))
    want = json.loads(ref.to_str())["model"]
    ours = json.loads((DATA / "tokenizer.json").read_text(encoding="utf-8"))
    norm = lambda ms: [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in ms]
    assert ours["model"]["vocab"] == want["vocab"]
    assert norm(ours["model"]["merges"]) == norm(want["merges"])
    assert [(t["id"], t["content"], t["special"]) for t in ours["added_tokens"]] == \
        [(i, s, True) for i, s in enumerate(SPECIALS)]


def read_pairs(path):
    b = Path(path).read_bytes()
    assert b[:8] == b"ATTNPAR1"
    version, bpt, n, ns, nt, vocab = struct.unpack_from("<IIQQQI", b, 8)
    pad, start, sb, se, tb, te, reserved = struct.unpack_from("<iiiiiiI", b, 44)
    assert version == 1 and bpt == 2 and reserved == 0
    assert len(b) == 72 + 8 * n + bpt * (ns + nt)
    lens = struct.unpack_from("<%dI" % (2 * n), b, 72)
    src = struct.unpack_from("<%dH" % ns, b, 72 + 8 * n)
    tgt = struct.unpack_from("<%dH" % nt, b, 72 + 8 * n + 2 * ns)
    out, i, j = [], 0, 0
    for k in range(n):
        out.append((list(src[i:i + lens[2 * k]]), list(tgt[j:j + lens[2 * k + 1]])))
        i += lens[2 * k]
        j += lens[2 * k + 1]
    return dict(vocab=vocab, pad=pad, start=start, src_bos=sb, src_eos=se, tgt_bos=tb, tgt_eos=te), out


def test_prepare_pairs_holds_hf_ids_wrapped(tmp_path):
    from tokenizers import Tokenizer
    hf = Tokenizer.from_file(str(DATA / "tokenizer.json"))
    out = tmp_path / "data"
    subprocess.run([ATTN, "prepare", "--pairs", "-t", str(DATA), "-o", str(out), "--val", str(DATA / "valid.tsv"),
                    "--test", str(DATA / "test.tsv"), str(DATA / "train.tsv")], check=True, capture_output=True)
    meta = json.loads((out / "meta.json").read_text())
    assert meta["splits"]["train"]["pairs"] == 26094 and meta["wrap"] == "bart"
    for split, name in (("test", "test.tsv"), ("val", "valid.tsv")):
        head, pairs = read_pairs(out / (split + ".pairs"))
        assert head == dict(vocab=8000, pad=1, start=2, src_bos=0, src_eos=2, tgt_bos=0, tgt_eos=2)
        rows = read_split(name)
        assert len(pairs) == len(rows)
        es = hf.encode_batch([r[0] for r in rows], add_special_tokens=False)
        en = hf.encode_batch([r[1] for r in rows], add_special_tokens=False)
        for k, (s, t) in enumerate(pairs):
            assert s == [0] + es[k].ids + [2], (split, k)
            assert t == [0] + en[k].ids + [2], (split, k)
        assert meta["splits"][split]["max_src_len"] == max(len(s) for s, _ in pairs)
