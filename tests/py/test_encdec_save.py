"""attn saves encoder-decoders in transformers' layout (through the C API in build/libattn.so): a
BART / Marian fixture loaded by attn and saved again loads in transformers with no missing or
unexpected keys, the original's logits and the same beam-search output; a fresh model made by
attn_encdec_new loads too, and attn's pair scores and beam search equal transformers' on it."""
import ctypes
import json

import pytest
import torch

from conftest import REF_DIR
from test_bert_save import attn_resave, libattn


@pytest.mark.parametrize("name", ["bart_tiny", "marian_tiny"])
def test_hf_loads_attn_saved_encdec(tmp_path, name):
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
    gen = torch.Generator().manual_seed(5)
    ids = torch.randint(3, cfg.vocab_size - 1, (2, 6), generator=gen)
    ids[1, -2:] = cfg.pad_token_id
    mask = (ids != cfg.pad_token_id).long()
    dec = torch.randint(3, cfg.vocab_size - 1, (2, 5), generator=gen)
    dec[:, 0] = cfg.decoder_start_token_id
    with torch.no_grad():
        a = orig(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)
        b = ours(input_ids=ids, attention_mask=mask, decoder_input_ids=dec)
        torch.testing.assert_close(b.logits, a.logits, atol=1e-5, rtol=0)
        kw = dict(input_ids=ids, attention_mask=mask, num_beams=3, max_length=8, length_penalty=1.3)
        assert torch.equal(orig.generate(**kw), ours.generate(**kw))


class EncdecConfig(ctypes.Structure):
    """attn_encdec_config (include/attn/seq2seq.h)."""
    _fields_ = [("arch", ctypes.c_int), ("vocab_size", ctypes.c_int64), ("d_model", ctypes.c_int64),
                ("max_positions", ctypes.c_int64), ("encoder_layers", ctypes.c_int64),
                ("encoder_heads", ctypes.c_int64), ("encoder_ffn", ctypes.c_int64),
                ("decoder_layers", ctypes.c_int64), ("decoder_heads", ctypes.c_int64),
                ("decoder_ffn", ctypes.c_int64), ("dropout", ctypes.c_float),
                ("activation_dropout", ctypes.c_float), ("activation", ctypes.c_int),
                ("scale_embedding", ctypes.c_bool), ("pad_token_id", ctypes.c_int32),
                ("bos_token_id", ctypes.c_int32), ("eos_token_id", ctypes.c_int32),
                ("decoder_start_token_id", ctypes.c_int32), ("forced_bos_token_id", ctypes.c_int32),
                ("forced_eos_token_id", ctypes.c_int32)]


class Seq2seqParams(ctypes.Structure):
    """attn_seq2seq_params (include/attn/seq2seq.h)."""
    _fields_ = [("num_beams", ctypes.c_int64), ("num_return_sequences", ctypes.c_int64),
                ("length_penalty", ctypes.c_float), ("early_stopping", ctypes.c_int),
                ("max_length", ctypes.c_int64), ("min_length", ctypes.c_int64),
                ("decoder_start_token_id", ctypes.c_int32), ("eos_token_id", ctypes.c_int32),
                ("pad_token_id", ctypes.c_int32), ("forced_bos_token_id", ctypes.c_int32),
                ("forced_eos_token_id", ctypes.c_int32)]


def ints(values):
    return (ctypes.c_int32 * len(values))(*values)


@pytest.mark.parametrize("arch", [0, 1])  # ATTN_ENCDEC_BART, ATTN_ENCDEC_MARIAN
def test_fresh_attn_encdec_matches_transformers(tmp_path, arch):
    """A model made by attn_encdec_new (dropout 0.1 in its config) and saved: transformers loads it,
    and attn's per-pair NLL (attn_seq2seq_score) and beam search equal transformers' on it."""
    import transformers
    lib = libattn()
    lib.attn_encdec_default_config.restype = EncdecConfig
    lib.attn_encdec_default_config.argtypes = [ctypes.c_int]
    lib.attn_encdec_new.argtypes = [ctypes.POINTER(EncdecConfig), ctypes.c_uint64, ctypes.POINTER(ctypes.c_void_p)]
    lib.attn_seq2seq_default_params.restype = Seq2seqParams
    lib.attn_seq2seq_default_params.argtypes = [ctypes.c_void_p]
    lib.attn_seq2seq_score.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p,
                                       ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p]
    lib.attn_seq2seq_generate.argtypes = [ctypes.c_void_p, ctypes.POINTER(Seq2seqParams), ctypes.c_void_p,
                                          ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p, ctypes.c_void_p,
                                          ctypes.c_void_p]
    cfg = lib.attn_encdec_default_config(arch)
    cfg.vocab_size, cfg.d_model, cfg.max_positions = 50, 16, 20
    cfg.encoder_layers, cfg.decoder_layers, cfg.encoder_heads, cfg.decoder_heads = 2, 1, 2, 4
    cfg.encoder_ffn, cfg.decoder_ffn = 24, 20
    if arch == 1:
        cfg.pad_token_id = cfg.decoder_start_token_id = 49
    m = ctypes.c_void_p()
    assert lib.attn_encdec_new(ctypes.byref(cfg), 11, ctypes.byref(m)) == 0, lib.attn_last_error()
    try:
        assert lib.attn_model_save(m, str(tmp_path).encode()) == 0, lib.attn_last_error()
        pad, start = cfg.pad_token_id, cfg.decoder_start_token_id
        src = [[5, 9, 13, 7, cfg.eos_token_id], [8, 21, cfg.eos_token_id, pad, pad]]
        tgt = [[11, 12, 40, cfg.eos_token_id], [30, cfg.eos_token_id, -1, -1]]
        flat_src = ints([t for r in src for t in r])
        nll = (ctypes.c_double * 2)()
        n = (ctypes.c_int64 * 2)()
        assert lib.attn_seq2seq_score(m, flat_src, 5, ints([t for r in tgt for t in r]), 4, 2, nll, n) == 0, \
            lib.attn_last_error()
        p = lib.attn_seq2seq_default_params(m)
        p.num_beams, p.num_return_sequences, p.max_length, p.length_penalty = 3, 1, 9, 0.8
        out = (ctypes.c_int32 * (2 * 8))()
        out_len = (ctypes.c_int64 * 2)()
        assert lib.attn_seq2seq_generate(m, ctypes.byref(p), flat_src, 2, 5, out, out_len, None) == 0, \
            lib.attn_last_error()
    finally:
        lib.attn_model_free(m)
    cls = transformers.MarianMTModel if arch == 1 else transformers.BartForConditionalGeneration
    ours, info = cls.from_pretrained(str(tmp_path), output_loading_info=True)
    ours.eval()
    assert not info["missing_keys"] and not info["unexpected_keys"], info
    assert abs(ours.config.dropout - 0.1) < 1e-7
    ids = torch.tensor(src)
    mask = (ids != pad).long()
    labels = torch.tensor(tgt)
    dec = torch.full_like(labels, pad)
    dec[:, 0] = start
    dec[:, 1:] = torch.where(labels[:, :-1] < 0, pad, labels[:, :-1])
    with torch.no_grad():
        logits = ours(input_ids=ids, attention_mask=mask, decoder_input_ids=dec).logits
        lp = torch.log_softmax(logits, -1)
        for b in range(2):
            want = -sum(lp[b, t, labels[b, t]].item() for t in range(4) if labels[b, t] >= 0)
            assert n[b] == int((labels[b] >= 0).sum())
            assert abs(nll[b] - want) <= 1e-4 * max(1.0, abs(want)), (b, nll[b], want)
        gen = ours.generate(input_ids=ids, attention_mask=mask, num_beams=3, max_length=9, length_penalty=0.8)
    for b in range(2):
        got = list(out[b * 8: b * 8 + out_len[b]])
        want = [t for t in gen[b, 1:].tolist()]
        want = want[:want.index(cfg.eos_token_id) + 1] if cfg.eos_token_id in want else want
        assert got == want, (b, got, gen[b].tolist())
