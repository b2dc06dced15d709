"""attn saves encoders in transformers' layout: a fixture loaded by attn (through the C API in
build/libattn.so) and saved again loads in transformers with the original's outputs."""
import ctypes
import json
import os

import pytest
import torch

from conftest import REF_DIR, REPO


def libattn():
    p = REPO / os.environ.get("BUILD", "build") / "libattn.so"
    if not p.is_file():
        pytest.fail("%s not found (build it with `make`)" % p)
    lib = ctypes.CDLL(str(p))
    lib.attn_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.attn_model_save.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    lib.attn_model_free.argtypes = [ctypes.c_void_p]
    lib.attn_last_error.restype = ctypes.c_char_p
    return lib


def attn_resave(src, dst):
    lib = libattn()
    m = ctypes.c_void_p()
    assert lib.attn_model_load(str(src).encode(), ctypes.byref(m)) == 0, lib.attn_last_error()
    try:
        assert lib.attn_model_save(m, str(dst).encode()) == 0, lib.attn_last_error()
    finally:
        lib.attn_model_free(m)


@pytest.mark.parametrize("name", ["bert_tiny", "bert_tiny_base", "roberta_tiny"])
def test_hf_loads_attn_saved_encoder(tmp_path, name):
    import transformers
    src, dst = REF_DIR / name, tmp_path / name
    attn_resave(src, dst)
    arch = json.loads((dst / "config.json").read_text())["architectures"][0]
    assert arch == json.loads((src / "config.json").read_text())["architectures"][0]
    cls = getattr(transformers, arch)
    orig = cls.from_pretrained(str(src)).eval()
    ours, info = cls.from_pretrained(str(dst), output_loading_info=True)
    ours.eval()
    assert not info["missing_keys"] and not info["unexpected_keys"], info
    cfg = orig.config
    gen = torch.Generator().manual_seed(3)
    T = min(8, cfg.max_position_embeddings - (cfg.pad_token_id + 1 if cfg.model_type == "roberta" else 0))
    ids = torch.randint(3, cfg.vocab_size, (2, T), generator=gen)
    mask = torch.ones_like(ids)
    mask[1, -2:] = 0
    ids[1, -2:] = cfg.pad_token_id
    with torch.no_grad():
        a = orig(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        b = ours(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    torch.testing.assert_close(b.hidden_states[-1], a.hidden_states[-1], atol=1e-5, rtol=0)
    if hasattr(a, "logits"):
        torch.testing.assert_close(b.logits, a.logits, atol=1e-5, rtol=0)


def test_hf_loads_attn_mlm_pretrained_encoder(tmp_path):
    """`attn train --objective mlm` writes a BertForMaskedLM directory: transformers loads every
    tensor, and its mean-pooled hidden states equal `attn embed`'s."""
    import numpy as np
    from transformers import BertForMaskedLM, BertTokenizerFast
    from conftest import CORPUS, run_attn
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:30000])
    data, out = tmp_path / "data", tmp_path / "model"
    run_attn("prepare", "-t", REPO / "tests" / "data" / "minilm", "-o", data, corpus)
    run_attn("train", "--objective", "mlm", "--data", data, "--out", out, "--layers", 2, "--heads", 2,
             "--width", 32, "--context", 32, "--batch", 4, "--steps", 5, "--seed", 3, "--quiet")
    model, info = BertForMaskedLM.from_pretrained(str(out), output_loading_info=True)
    model.eval()
    assert not info["missing_keys"] and not info["unexpected_keys"] and not info["mismatched_keys"], info
    lines = ["It is a truth universally acknowledged.", "Anne walked to Uppercross with Mary."]
    (tmp_path / "s.txt").write_text("\n".join(lines) + "\n")
    got = np.array([json.loads(l) for l in run_attn("embed", "-m", out, tmp_path / "s.txt").splitlines()])
    tok = BertTokenizerFast.from_pretrained(str(REPO / "tests" / "data" / "minilm"))
    for i, line in enumerate(lines):
        ids = tok(line, return_tensors="pt", truncation=True, max_length=32)
        with torch.no_grad():
            h = model(**ids, output_hidden_states=True).hidden_states[-1][0]
        np.testing.assert_allclose(got[i], h.mean(0).numpy(), atol=1e-5, rtol=0)
