"""attn <-> transformers for ESM-2 (EsmForMaskedLM): a random ESM that transformers makes and saves
gives the same masked-LM logits in attn (rotary positions, token dropout with <mask> tokens in the
batch, a padded row), its vocab.txt tokenizes as EsmTokenizer does and `attn embed` gives its
hidden states (per residue, and their mean over the residues); an ESM that attn trains
(`attn train --arch esm --objective mlm` on amino-acid data) loads in transformers with every
tensor used and the same logits. Gradients are checked against a fixture in tests/unit/test_esm.c."""
import ctypes

import numpy as np
import torch

from conftest import REPO, run_attn
from test_bert_save import libattn

VOCAB = ["<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R", "T", "I", "D", "P", "K", "Q", "N",
         "F", "Y", "M", "H", "W", "C", "X", "B", "U", "Z", "O", ".", "-", "<null_1>", "<mask>"]


def attn_mlm_logits(model_dir, ids, mask):
    """attn_encoder_mlm_logits through the C API: ids, mask (B, T) -> logits (B, T, V)."""
    lib = libattn()
    lib.attn_encoder_mlm_logits.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_int64, ctypes.c_int64, ctypes.c_void_p]
    m = ctypes.c_void_p()
    assert lib.attn_model_load(str(model_dir).encode(), ctypes.byref(m)) == 0, lib.attn_last_error()
    try:
        B, T = ids.shape
        ids32 = np.ascontiguousarray(ids, dtype=np.int32)
        mask8 = np.ascontiguousarray(mask, dtype=np.uint8)
        out = np.zeros((B, T, 4096), dtype=np.float32)
        st = lib.attn_encoder_mlm_logits(m, ids32.ctypes.data, None, mask8.ctypes.data, B, T, out.ctypes.data)
        assert st == 0, lib.attn_last_error()
        return out
    finally:
        lib.attn_model_free(m)


def compare(model_dir, hf, ids, mask):
    V = hf.config.vocab_size
    with torch.no_grad():
        want = hf(input_ids=torch.tensor(ids), attention_mask=torch.tensor(mask)).logits.numpy()
    got = attn_mlm_logits(model_dir, ids, mask).reshape(-1)[:ids.size * V].reshape(ids.shape + (V,))
    real = mask.astype(bool)
    scale = max(1.0, float(np.abs(want[real]).max()))
    assert np.abs(got[real] - want[real]).max() <= 1e-4 * scale


def test_attn_loads_hf_esm(tmp_path):
    from transformers import EsmConfig, EsmForMaskedLM, EsmTokenizer
    cfg = EsmConfig(vocab_size=33, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=40,
                    max_position_embeddings=40, hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                    layer_norm_eps=1e-5, pad_token_id=1, mask_token_id=32, position_embedding_type="rotary",
                    emb_layer_norm_before=False, token_dropout=True)
    torch.manual_seed(5)
    hf = EsmForMaskedLM(cfg).eval()
    with torch.no_grad():
        for name, p in hf.named_parameters():
            p.copy_(1.0 + 0.1 * torch.randn_like(p) if "orm" in name and name.endswith("weight") else 0.2 * torch.randn_like(p))
    model_dir = tmp_path / "esm"
    hf.save_pretrained(str(model_dir), safe_serialization=True)
    (model_dir / "vocab.txt").write_text("\n".join(VOCAB) + "\n")
    # EsmTokenizer's ids and framing
    tok = EsmTokenizer(str(model_dir / "vocab.txt"))
    seqs = ["MKTAYIAKQRQISFVKSHFSRQ", "GSHMLE<mask>DKV", "MKT AYI\nAKQ"]
    for i, s in enumerate(seqs):
        f = tmp_path / ("s%d.txt" % i)
        f.write_text(s)
        got = [int(t) for t in run_attn("tokenize", "-t", model_dir, "--max-len", 100, f).split()]
        assert got == tok(s)["input_ids"]
    # logits: <mask> tokens (token dropout), a padded row
    gen = np.random.default_rng(7)
    B, T = 3, 14
    ids = gen.integers(4, 24, (B, T))
    ids[:, 0] = 0
    ids[:, -1] = 2
    ids[1, 3] = ids[1, 8] = ids[2, 5] = 32
    mask = np.ones((B, T), dtype=np.int64)
    ids[2, 10:] = 1
    ids[2, 9] = 2
    mask[2, 10:] = 0
    compare(model_dir, hf, ids, mask)
    # attn embed: the mean of the last hidden states over the residues (not <cls>, <eos>), and per residue
    fasta = tmp_path / "in.fa"
    fasta.write_text(">a\n%s\n>b\n%s\n" % (seqs[0][:12], seqs[0][12:]))
    run_attn("embed", "-m", model_dir, fasta, "-o", tmp_path / "e.npy", "--per-residue", tmp_path / "pr")
    emb = np.load(tmp_path / "e.npy")
    for i, s in enumerate([seqs[0][:12], seqs[0][12:]]):
        enc = tok(s, return_tensors="pt")
        with torch.no_grad():
            hid = hf(**enc, output_hidden_states=True).hidden_states[-1][0, 1:-1].numpy()
        res = np.load(tmp_path / "pr" / ("%06d.npy" % i))
        assert res.shape == hid.shape
        assert np.abs(res - hid).max() <= 1e-4 * max(1.0, float(np.abs(hid).max()))
        assert np.abs(emb[i] - hid.mean(0)).max() <= 1e-4 * max(1.0, float(np.abs(hid).max()))


def test_hf_loads_attn_esm(tmp_path):
    from transformers import EsmForMaskedLM
    seqs = tmp_path / "seqs.txt"
    rng = np.random.default_rng(3)
    letters = np.array(list("ACDEFGHIKLMNPQRSTVWY"))
    seqs.write_text("".join("".join(rng.choice(letters, rng.integers(30, 60))) + "\n" for _ in range(120)))
    data, out = tmp_path / "data", tmp_path / "esm"
    run_attn("prepare", "-t", "amino", "-o", data, seqs)
    run_attn("train", "--arch", "esm", "--objective", "mlm", "--data", data, "--out", out, "--layers", 2, "--heads", 2,
             "--width", 32, "--context", 32, "--batch", 4, "--steps", 10, "--seed", 1, timeout=600)
    hf, info = EsmForMaskedLM.from_pretrained(str(out), output_loading_info=True)
    hf.eval()
    assert not info["unexpected_keys"], info
    assert all("inv_freq" in k for k in info["missing_keys"]), info
    cfg = hf.config
    assert (cfg.model_type, cfg.position_embedding_type, cfg.token_dropout, cfg.mask_token_id, cfg.pad_token_id) == \
        ("esm", "rotary", True, 3, 0)
    # attn's amino ids: <pad> 0, <cls> 1, <sep> 2, <mask> 3, residues 5..25
    ids = np.array([[1] + list(rng.integers(5, 25, 20)) + [2], [1] + list(rng.integers(5, 25, 15)) + [2] + [0] * 5])
    ids[0, 4] = ids[1, 7] = 3
    mask = (ids != 0).astype(np.int64)
    compare(out, hf, ids, mask)
