"""BLOOM's tokenizer pipeline against Hugging Face `tokenizers`, computed live: the committed
tests/ref/bloom_tok/tokenizer.json (tests/ref/gen_bloom_tokenizer.py: BLOOM's exact normalizer,
Split + ByteLevel pre-tokenizer, post-processor and decoder over a small trained BPE) encodes the
Unicode stress text, a novel, and random strings built from the characters BLOOM's Split regex
treats specially exactly as `tokenizers` does, and decodes back; the copy `attn prepare` saves
loads in `tokenizers` with the same pipeline and ids."""
import random
import subprocess

from tokenizers import Tokenizer

from conftest import REPO, attn_bin, read_shard, run_attn

TOK = REPO / "tests" / "ref" / "bloom_tok" / "tokenizer.json"
# the Split regex's excluded characters, white space of several kinds, letters, digits, other
# punctuation, marks, CJK, Devanagari, Arabic and emoji
ALPHABET = list("(|).,!?…。，、।۔،") + [" ", " ", " ", "  ", "\t", "\n", "\u00a0", "\u2003", "\u3000", "\r\n"] + \
    list("abcXYZ019_-'\"/:;[]{}") + list("éü\u0301中文字हिनदीاردوعربي🙂👍🏽")


def hf_tok():
    return Tokenizer.from_file(str(TOK))


def attn_ids(path):
    out = run_attn("tokenize", "-t", TOK, path)
    return [int(t) for t in out.split()]


def check(text, tmp_path, what):
    path = tmp_path / "text.txt"
    path.write_bytes(text.encode("utf-8"))
    want = hf_tok().encode(text).ids
    got = attn_ids(path)
    if got != want:
        i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
        raise AssertionError("%s: attn gave %d ids, tokenizers %d; first difference at %d: attn %s, tokenizers %s"
                             % (what, len(got), len(want), i, got[max(0, i - 5):i + 5], want[max(0, i - 5):i + 5]))
    return want


def test_bloom_pipeline_encodes_as_tokenizers(tmp_path):
    check((REPO / "tests" / "data" / "unicode_stress.txt").read_text(encoding="utf-8"), tmp_path, "unicode stress")
    check((REPO / "data" / "austen" / "persuasion.txt").read_text(encoding="utf-8"), tmp_path, "persuasion")
    rng = random.Random(17)
    for case in range(40):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 300)))
        check(text, tmp_path, "random text %d" % case)


def test_bloom_pipeline_decodes_as_tokenizers(tmp_path):
    text = (REPO / "tests" / "data" / "unicode_stress.txt").read_text(encoding="utf-8")
    ids = check(text, tmp_path, "unicode stress")
    (tmp_path / "ids.txt").write_text(" ".join(map(str, ids)) + "\n")
    r = subprocess.run([str(attn_bin()), "tokenize", "-t", str(TOK), "--decode", str(tmp_path / "ids.txt")],
                       cwd=REPO, capture_output=True, timeout=600)
    assert r.returncode == 0, r.stderr.decode("utf-8", "replace")
    assert r.stdout.decode("utf-8") == hf_tok().decode(ids, skip_special_tokens=False) == text  # as attn keeps them


def test_prepare_saves_the_bloom_pipeline(tmp_path):
    out = tmp_path / "data"
    text = REPO / "tests" / "data" / "unicode_stress.txt"
    run_attn("prepare", "-t", TOK, "-o", out, text)
    saved = Tokenizer.from_file(str(out / "tokenizer.json"))
    assert saved.pre_tokenizer.__getstate__() == hf_tok().pre_tokenizer.__getstate__()
    want = hf_tok().encode(text.read_text(encoding="utf-8")).ids
    assert saved.encode(text.read_text(encoding="utf-8")).ids == want
    train, _ = read_shard(out / "train.bin")
    assert list(train[:500]) == want[:500]
