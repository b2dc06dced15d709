"""Post-processors for every tokenizer kind against Hugging Face tokenizers: a byte-level
BPE with RoBERTa's RobertaProcessing (<s> A </s></s> B </s>), one with a
TemplateProcessing, and BERT's; single sequences, pairs, type ids and longest-first
truncation through `attn tokenize --pair/--types/--max-len`; attn's saved file loads in
Hugging Face with the same ids."""
import os
import subprocess

import pytest
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

ATTN = os.environ.get("ATTN_BIN", "./attn")
CORPUS = "data/austen/persuasion.txt"
PAIRS = [("It is a truth universally acknowledged.", "Sir Walter Elliot, of Kellynch Hall!"),
         ("Hello world", "How are you today, Anne?"),
         ("A much longer first segment that will need truncating, with many words in it.", "short"),
         ("x", "An even longer second segment that goes on and on and on, and will be cut.")]


def byte_level_bpe(post):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tr = trainers.BpeTrainer(vocab_size=500, special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>", "<|endoftext|>"],
                             initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train([CORPUS], tr)
    tok.post_processor = post
    return tok


def attn_ids(tmp_path, tok_path, a, b=None, max_len=0):
    fa = tmp_path / "a.txt"
    fa.write_text(a, encoding="utf-8")
    args = [ATTN, "tokenize", "-t", str(tok_path), str(fa), "--types"]
    if b is not None:
        fb = tmp_path / "b.txt"
        fb.write_text(b, encoding="utf-8")
        args += ["--pair", str(fb)]
    if max_len:
        args += ["--max-len", str(max_len)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout.split("\n")
    return [int(x) for x in out[0].split()], [int(x) for x in out[1].split()]


def check(tmp_path, tok, path):
    for a, b in PAIRS:
        for max_len in (0, 12, 9):
            tok.no_truncation() if not max_len else tok.enable_truncation(max_len, strategy="longest_first")
            want = tok.encode(a, b)
            assert attn_ids(tmp_path, path, a, b, max_len) == (want.ids, want.type_ids), (a, b, max_len)
            want = tok.encode(a)
            assert attn_ids(tmp_path, path, a, None, max_len) == (want.ids, want.type_ids), (a, max_len)
    tok.no_truncation()


@pytest.mark.parametrize("kind", ["roberta", "template"])
def test_bpe_post_processors_match_hf(tmp_path, kind):
    if kind == "roberta":
        post = processors.RobertaProcessing(("</s>", 2), ("<s>", 0))
    else:
        post = processors.TemplateProcessing(single="<s> $A </s>", pair="<s> $A </s> $B:1 </s>:1",
                                             special_tokens=[("<s>", 0), ("</s>", 2)])
    tok = byte_level_bpe(post)
    path = tmp_path / "tokenizer.json"
    tok.save(str(path))
    check(tmp_path, tok, path)
    # attn's own save (prepare copies the tokenizer; it needs <|endoftext|>) keeps the post-processor
    saved = tmp_path / "saved"
    subprocess.run([ATTN, "prepare", "-t", str(path), "-o", str(saved), CORPUS], check=True, capture_output=True)
    back = Tokenizer.from_file(str(saved / "tokenizer.json"))
    for a, b in PAIRS:
        assert back.encode(a, b).ids == tok.encode(a, b).ids
        assert back.encode(a, b).type_ids == tok.encode(a, b).type_ids


def test_bert_post_processor_matches_hf(tmp_path):
    path = "tests/data/minilm/tokenizer.json"
    tok = Tokenizer.from_file(path)
    tok.no_truncation()
    tok.no_padding()
    check(tmp_path, tok, path)
