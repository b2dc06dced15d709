"""SFT's assistant-token masks (attn_chat_encode, called through build/libattn.so) against the same
rule computed with PyPI jinja2 (rendering as transformers' apply_chat_template does; the renderer of
test_chat_template.py) and PyPI tokenizers: the conversation up to each assistant message rendered
with the generation prompt (P) and up to and with it without (Q) are encoded; Q's tokens after P's
are the message's, provided Q's tokens begin with P's and the whole conversation's with Q's (TRL's
prompt / prompt+completion rule). Every real template of tests/ref/chat_templates over conversations
with a system message, several turns and non-ASCII text gives the same token ids and the same mask,
or, where the rule cannot find a span, an error from attn too. The tokenizer is a byte-level BPE
trained by `attn tokenizer train` with the templates' special tokens, loaded by both."""
import ctypes
import os

import pytest
from tokenizers import Tokenizer

from conftest import CORPUS, REPO, run_attn
from test_chat_template import A1, A2, BOS, EOS, REAL, SYSTEM, TEMPLATES, U1, U2, U3, reference

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", BOS, EOS, "<|begin_of_text|>", "<|start_header_id|>",
            "<|end_header_id|>", "<|eot_id|>", "<|system|>", "<|user|>", "<|assistant|>"]

CONVERSATIONS = {
    "one_turn": [U1, A1],
    "system_two_turns": [SYSTEM, U1, A1, U2, A2],
    "ends_with_user": [SYSTEM, U1, A1, U3],
}


class Message(ctypes.Structure):
    _fields_ = [("role", ctypes.c_char_p), ("content", ctypes.c_char_p)]


class Options(ctypes.Structure):
    _fields_ = [("add_generation_prompt", ctypes.c_bool), ("bos_token", ctypes.c_char_p),
                ("eos_token", ctypes.c_char_p)]


@pytest.fixture(scope="module")
def lib():
    p = REPO / os.environ.get("BUILD", "build") / "libattn.so"
    if not p.is_file():
        pytest.fail("%s not found (build it with `make`)" % p)
    lib = ctypes.CDLL(str(p))
    vp = ctypes.c_void_p
    lib.attn_tokenizer_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp)]
    lib.attn_tokenizer_free.argtypes = [vp]
    lib.attn_chat_template_parse.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(vp)]
    lib.attn_chat_template_free.argtypes = [vp]
    lib.attn_chat_encode.argtypes = [vp, vp, ctypes.POINTER(Message), ctypes.c_size_t, ctypes.POINTER(Options),
                                     ctypes.c_bool, ctypes.POINTER(ctypes.POINTER(ctypes.c_int32)),
                                     ctypes.POINTER(ctypes.POINTER(ctypes.c_uint8)), ctypes.POINTER(ctypes.c_int64)]
    lib.attn_free.argtypes = [vp]
    lib.attn_last_error.restype = ctypes.c_char_p
    return lib


@pytest.fixture(scope="module")
def tok_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("sft_tok")
    text = d / "a.txt"
    text.write_bytes(CORPUS.read_bytes()[:30000])
    run_attn("tokenizer", "train", "--type", "bpe", "--vocab-size", "400", "--special-tokens", ",".join(SPECIALS),
             "-o", d, text)
    return d


def reference_mask(template, messages, tok, all_tokens):
    """(ids, mask) by the rule, or None where a span cannot be found."""
    enc = lambda msgs, gen: tok.encode(reference(template, msgs, gen), add_special_tokens=False).ids  # noqa: E731
    full = enc(messages, False)
    mask = [1 if all_tokens else 0] * len(full)
    if all_tokens:
        return full, mask
    for i, m in enumerate(messages):
        if m["role"] != "assistant":
            continue
        p_text, q_text = reference(template, messages[:i], True), reference(template, messages[:i + 1], False)
        p, q = enc(messages[:i], True), enc(messages[:i + 1], False)
        if not q_text.startswith(p_text) or q[:len(p)] != p or full[:len(q)] != q:
            return None
        mask[len(p):len(q)] = [1] * (len(q) - len(p))
    return full, mask


def attn_mask(lib, tok_ptr, template, messages, all_tokens):
    """(ids, mask), or the error message (str)."""
    t = ctypes.c_void_p()
    src = template.encode()
    assert lib.attn_chat_template_parse(b"t", src, len(src), ctypes.byref(t)) == 0, lib.attn_last_error()
    try:
        arr = (Message * len(messages))(*[Message(m["role"].encode(), m["content"].encode()) for m in messages])
        opt = Options(False, BOS.encode(), EOS.encode())
        ids, mask, n = ctypes.POINTER(ctypes.c_int32)(), ctypes.POINTER(ctypes.c_uint8)(), ctypes.c_int64()
        st = lib.attn_chat_encode(t, tok_ptr, arr, len(messages), ctypes.byref(opt), all_tokens, ctypes.byref(ids),
                                  ctypes.byref(mask), ctypes.byref(n))
        if st != 0:
            return lib.attn_last_error().decode()
        out = list(ids[:n.value]), list(mask[:n.value])
        lib.attn_free(ids)
        lib.attn_free(mask)
        return out
    finally:
        lib.attn_chat_template_free(t)


@pytest.mark.parametrize("all_tokens", [False, True], ids=["assistant", "all"])
@pytest.mark.parametrize("conv", sorted(CONVERSATIONS))
@pytest.mark.parametrize("name", REAL)
def test_masks_match_jinja2_and_tokenizers(lib, tok_dir, name, conv, all_tokens):
    template = (TEMPLATES / (name + ".jinja")).read_text(encoding="utf-8")
    messages = CONVERSATIONS[conv]
    tok = Tokenizer.from_file(str(tok_dir / "tokenizer.json"))
    tok_ptr = ctypes.c_void_p()
    assert lib.attn_tokenizer_load(str(tok_dir).encode(), ctypes.byref(tok_ptr)) == 0, lib.attn_last_error()
    try:
        got = attn_mask(lib, tok_ptr, template, messages, all_tokens)
    finally:
        lib.attn_tokenizer_free(tok_ptr)
    want = reference_mask(template, messages, tok, all_tokens)
    if want is None:
        assert isinstance(got, str) and "(assistant)" in got, got
        return
    assert not isinstance(got, str), got
    assert got[0] == want[0], "token ids differ"
    assert got[1] == want[1], "masks differ"
    if not all_tokens:
        assert sum(want[1]) > 0
