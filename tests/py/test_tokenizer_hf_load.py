"""Every tokenizer.json attn writes loads in Hugging Face `tokenizers` (Tokenizer.from_file)
and `transformers` (PreTrainedTokenizerFast, AutoTokenizer) and gives the ids `attn tokenize`
gives: char and amino vocabularies from `attn prepare`, BPE and WordPiece from
`attn tokenizer train`, on a novel from data/austen and on text with characters outside the
vocabulary."""
import subprocess
from pathlib import Path

import pytest
from tokenizers import Tokenizer
from transformers import AutoTokenizer, PreTrainedTokenizerFast

from conftest import REPO, attn_bin, int_line, run_attn

NOVEL = REPO / "data" / "austen" / "emma.txt"
# characters Emma lacks (Greek, CJK, an emoji, a tab, a control character), an added token
# written literally, and ordinary words
STRANGERS = "Emma — Ζεύς 東京 😀\tcafé\x07 <|endoftext|>end.\n"
PROTEIN = "MKTAYIAKQR QISFVKSHFS\nrqleerlglievqapilsrvgdgtqdnlsgaekavqvkvkalpdaqUZOB<cls>X\n"


def novel_part():
    text = NOVEL.read_text(encoding="utf-8")
    return text[:200_000]


def attn_tokenize(tmp_path, tok_dir, text):
    f = tmp_path / "input.txt"
    f.write_bytes(text.encode("utf-8"))
    return int_line(run_attn("tokenize", "-t", tok_dir, f)) if text else []


def hf_all(tok_dir, text):
    """Ids from the three ways Hugging Face loads tokenizer.json (no special tokens added
    around the text: `attn tokenize` adds none for one sequence)."""
    path = str(Path(tok_dir) / "tokenizer.json")
    a = Tokenizer.from_file(path).encode(text, add_special_tokens=False).ids
    b = PreTrainedTokenizerFast(tokenizer_file=path)(text, add_special_tokens=False)["input_ids"]
    c = AutoTokenizer.from_pretrained(str(tok_dir))(text, add_special_tokens=False)["input_ids"]
    return a, b, c


def check_same(tmp_path, tok_dir, text):
    want = attn_tokenize(tmp_path, tok_dir, text)
    assert len(want) > 0
    for name, got in zip(("Tokenizer.from_file", "PreTrainedTokenizerFast", "AutoTokenizer"),
                         hf_all(tok_dir, text)):
        assert got == want, "%s: first difference at %d" % (
            name, next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want))))
    return want


def prepare(tmp_path, kind, text_file):
    out = tmp_path / ("prep_" + kind)
    run_attn("prepare", "-t", kind, "-o", out, text_file)
    return out


def train_tokenizer(tmp_path, kind, vocab_size):
    out = tmp_path / ("tok_" + kind)
    run_attn("tokenizer", "train", "--type", kind, "--vocab-size", vocab_size, "-o", out, NOVEL)
    return out


def test_char_tokenizer_loads_in_hf_with_the_same_ids(tmp_path):
    part = tmp_path / "part.txt"
    part.write_text(novel_part(), encoding="utf-8")
    d = prepare(tmp_path, "char", part)
    check_same(tmp_path, d, novel_part())
    ids = check_same(tmp_path, d, STRANGERS)
    unk = Tokenizer.from_file(str(d / "tokenizer.json")).token_to_id("<unk>")
    assert unk is not None and ids.count(unk) >= 9   # every character Emma lacks is one <unk>
    eot = Tokenizer.from_file(str(d / "tokenizer.json")).token_to_id("<|endoftext|>")
    assert ids.count(eot) == 1
    # decoding gives the text back where every character is known
    t = Tokenizer.from_file(str(d / "tokenizer.json"))
    assert t.decode(t.encode(novel_part()[:5000]).ids) == novel_part()[:5000]


def test_amino_tokenizer_loads_in_hf_with_the_same_ids(tmp_path):
    seq = tmp_path / "protein.txt"
    seq.write_text(PROTEIN, encoding="utf-8")
    d = prepare(tmp_path, "amino", seq)
    ids = check_same(tmp_path, d, PROTEIN)
    assert ids.count(25) == 4 + 1   # U Z O B, and X itself
    # a character that is not a letter: attn refuses it, and so does Hugging Face
    r = subprocess.run([str(attn_bin()), "tokenize", "-t", str(d)], input=b"MK1", capture_output=True, cwd=REPO)
    assert r.returncode == 1
    with pytest.raises(Exception):
        Tokenizer.from_file(str(d / "tokenizer.json")).encode("MK1")


def test_bpe_tokenizer_loads_in_hf_with_the_same_ids(tmp_path):
    d = train_tokenizer(tmp_path, "bpe", 600)
    check_same(tmp_path, d, novel_part())
    check_same(tmp_path, d, STRANGERS)


def test_wordpiece_tokenizer_loads_in_hf_with_the_same_ids(tmp_path):
    d = train_tokenizer(tmp_path, "wordpiece", 600)
    check_same(tmp_path, d, novel_part())
    ids = check_same(tmp_path, d, STRANGERS)
    assert Tokenizer.from_file(str(d / "tokenizer.json")).token_to_id("[UNK]") in ids
