"""attn_encoder_attention_maps (include/attn/encoder.h) gives transformers' output_attentions:
the fixtures' encoders through the C API in build/libattn.so against BertModel / RobertaModel
with eager attention, one sequence with and without padded keys."""
import ctypes
import os

import numpy as np
import pytest
import torch

from conftest import REF_DIR, REPO


def libattn():
    p = REPO / os.environ.get("BUILD", "build") / "libattn.so"
    if not p.is_file():
        pytest.fail("%s not found (build it with `make`)" % p)
    lib = ctypes.CDLL(str(p))
    lib.attn_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.attn_model_free.argtypes = [ctypes.c_void_p]
    lib.attn_encoder_attention_maps.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int32),
                                                ctypes.POINTER(ctypes.c_uint8), ctypes.c_int64,
                                                ctypes.POINTER(ctypes.c_float)]
    lib.attn_last_error.restype = ctypes.c_char_p
    return lib


@pytest.mark.parametrize("name", ["bert_tiny", "roberta_tiny"])
def test_attention_maps_match_output_attentions(name):
    import transformers
    src = REF_DIR / name
    hf = transformers.AutoModel.from_pretrained(str(src), attn_implementation="eager").eval()
    cfg = hf.config
    lib = libattn()
    m = ctypes.c_void_p()
    assert lib.attn_model_load(str(src).encode(), ctypes.byref(m)) == 0, lib.attn_last_error()
    try:
        gen = torch.Generator().manual_seed(5)
        T = min(7, cfg.max_position_embeddings - (cfg.pad_token_id + 1 if cfg.model_type == "roberta" else 0))
        ids = torch.randint(3, cfg.vocab_size, (1, T), generator=gen)
        for padded in (0, 2):
            mask = torch.ones_like(ids)
            if padded:
                mask[0, -padded:] = 0
                ids[0, -padded:] = cfg.pad_token_id
            with torch.no_grad():
                want = torch.stack(hf(input_ids=ids, attention_mask=mask, output_attentions=True).attentions)
            want = want[:, 0].numpy()  # (L, H, T, T)
            out = np.zeros(want.shape, dtype=np.float32)
            ids32 = ids[0].numpy().astype(np.int32)
            mask8 = mask[0].numpy().astype(np.uint8)
            st = lib.attn_encoder_attention_maps(m, ids32.ctypes.data_as(ctypes.POINTER(ctypes.c_int32)),
                                                 mask8.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)), T,
                                                 out.ctypes.data_as(ctypes.POINTER(ctypes.c_float)))
            assert st == 0, lib.attn_last_error()
            np.testing.assert_allclose(out, want, atol=1e-5, rtol=0)
            np.testing.assert_allclose(out.sum(-1), 1, atol=1e-5)
    finally:
        lib.attn_model_free(m)
