"""Family tags of `attn prepare -t amino --family-tag-from-file` are added special tokens that
Hugging Face `tokenizers` and `transformers` load with attn's ids, matching each tag as one
token."""
from tokenizers import Tokenizer
from transformers import PreTrainedTokenizerFast

from conftest import int_line, run_attn

TEXT = "<Pkinase>MKVLAW<fn3>acdef<|endoftext|><Pkinase>GHIK"


def test_family_tags_load_in_hf_with_the_same_ids(tmp_path):
    (tmp_path / "Pkinase.fa").write_text(">a\nMKVLA\n>b\nWWC\n")
    (tmp_path / "fn3.sto").write_text("# STOCKHOLM 1.0\ns1 MK-V.\ns2 ..LLA\n//\n")
    out = tmp_path / "d"
    run_attn("prepare", "-t", "amino", "--family-tag-from-file", "-o", out, tmp_path / "Pkinase.fa", tmp_path / "fn3.sto")
    f = tmp_path / "text.txt"
    f.write_text(TEXT)
    want = int_line(run_attn("tokenize", "-t", out, f))
    assert want[0] == 26 and want.count(26) == 2 and want[7] == 27 and len(want) == 19
    path = str(out / "tokenizer.json")
    hf = Tokenizer.from_file(path)
    assert hf.encode(TEXT, add_special_tokens=False).ids == want
    assert PreTrainedTokenizerFast(tokenizer_file=path)(TEXT, add_special_tokens=False)["input_ids"] == want
    assert hf.token_to_id("<Pkinase>") == 26 and hf.token_to_id("<fn3>") == 27
    assert hf.get_vocab_size() == 28
