#!/usr/bin/env python3
"""Writes the fixture of attn's GPT-2 variant (model_type attn_gpt2) used by tests/unit/test_gpt_variants.c.

    .venv/bin/python tests/ref/gen_gpt2_variant_fixture.py      (or: make fixtures)

transformers has no such model, so the reference is the plain PyTorch module below: GPT-2
(pre-LN, biases, Conv1D weights stored (in, out) under GPT2LMHeadModel's names) with every
variant that changes the forward pass on at once:
  rotary positions   rotate-half on each head's q and k, theta 10000, no transformer.wpe
                     (inv_freq and the angles in fp32, as transformers' LlamaRotaryEmbedding)
  QK-norm            torch.nn.functional.rms_norm over each head's q and k (no weight), before
                     the rotation, eps = layer_norm_epsilon
  ReLU^2             relu(x) ** 2 in the MLP
  untied head        lm_head.weight (V, C) apart from transformer.wte.weight

tests/ref/gpt2_variant_tiny/ holds config.json (as attn writes it), model.safetensors and
fixture.safetensors with what tests/ref/decoder_fixture.py lists (logits, loss, every gradient,
the greedy continuation of a prompt, here by full forwards).
"""
import json
import os
import shutil
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder_fixture import B, NEW, T, deterministic  # noqa: E402
from gen_gpt2_fixture import save_canonical  # noqa: E402

SEED = 5315
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "gpt2_variant_tiny")
V, C, H, L, N_CTX, N_INNER, EPS, THETA = 67, 32, 4, 2, 32, 48, 1e-5, 10000.0
D = C // H


def make_params(gen):
    """GPT2LMHeadModel's names and layouts (Conv1D weights (in, out)), random values in each."""
    def rnd(*shape):
        return 0.1 * torch.randn(shape, generator=gen, dtype=torch.float32)

    def norm(*shape):
        return 1.0 + 0.1 * torch.randn(shape, generator=gen, dtype=torch.float32)

    p = {"transformer.wte.weight": rnd(V, C)}
    for i in range(L):
        h = "transformer.h.%d." % i
        p[h + "ln_1.weight"], p[h + "ln_1.bias"] = norm(C), rnd(C)
        p[h + "attn.c_attn.weight"], p[h + "attn.c_attn.bias"] = rnd(C, 3 * C), rnd(3 * C)
        p[h + "attn.c_proj.weight"], p[h + "attn.c_proj.bias"] = rnd(C, C), rnd(C)
        p[h + "ln_2.weight"], p[h + "ln_2.bias"] = norm(C), rnd(C)
        p[h + "mlp.c_fc.weight"], p[h + "mlp.c_fc.bias"] = rnd(C, N_INNER), rnd(N_INNER)
        p[h + "mlp.c_proj.weight"], p[h + "mlp.c_proj.bias"] = rnd(N_INNER, C), rnd(C)
    p["transformer.ln_f.weight"], p["transformer.ln_f.bias"] = norm(C), rnd(C)
    p["lm_head.weight"] = rnd(V, C)
    for t in p.values():
        t.requires_grad_(True)
    return p


def rotate(x, pos):
    """Rotate-half rotary embedding of x (B, T, H, D) at positions pos (T)."""
    inv_freq = 1.0 / (THETA ** (torch.arange(0, D, 2, dtype=torch.int64).float() / D))
    ang = pos.float()[:, None] * inv_freq[None, :]
    emb = torch.cat((ang, ang), dim=-1)
    cos, sin = emb.cos()[None, :, None, :], emb.sin()[None, :, None, :]
    x1, x2 = x[..., : D // 2], x[..., D // 2:]
    return x * cos + torch.cat((-x2, x1), dim=-1) * sin


def forward(p, ids):
    b, t = ids.shape
    pos = torch.arange(t)
    x = p["transformer.wte.weight"][ids]
    for i in range(L):
        h = "transformer.h.%d." % i
        a = F.layer_norm(x, (C,), p[h + "ln_1.weight"], p[h + "ln_1.bias"], EPS)
        qkv = a @ p[h + "attn.c_attn.weight"] + p[h + "attn.c_attn.bias"]
        q, k, v = (z.view(b, t, H, D) for z in qkv.split(C, dim=-1))
        q, k = F.rms_norm(q, (D,), eps=EPS), F.rms_norm(k, (D,), eps=EPS)
        q, k = rotate(q, pos), rotate(k, pos)
        y = F.scaled_dot_product_attention(q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2), is_causal=True)
        y = y.transpose(1, 2).reshape(b, t, C)
        x = x + y @ p[h + "attn.c_proj.weight"] + p[h + "attn.c_proj.bias"]
        a = F.layer_norm(x, (C,), p[h + "ln_2.weight"], p[h + "ln_2.bias"], EPS)
        u = F.relu(a @ p[h + "mlp.c_fc.weight"] + p[h + "mlp.c_fc.bias"]) ** 2
        x = x + u @ p[h + "mlp.c_proj.weight"] + p[h + "mlp.c_proj.bias"]
    x = F.layer_norm(x, (C,), p["transformer.ln_f.weight"], p["transformer.ln_f.bias"], EPS)
    return x @ p["lm_head.weight"].T


def config():
    """config.json as attn writes it for these options."""
    return {
        "architectures": ["AttnGPT2LMHeadModel"], "model_type": "attn_gpt2", "vocab_size": V, "n_positions": N_CTX,
        "n_embd": C, "n_layer": L, "n_head": H, "n_inner": N_INNER, "activation_function": "relu2",
        "layer_norm_epsilon": EPS, "resid_pdrop": 0.0, "embd_pdrop": 0.0, "attn_pdrop": 0.0,
        "initializer_range": 0.02, "bos_token_id": 1, "eos_token_id": 2, "tie_word_embeddings": False,
        "position_embedding_type": "rotary", "rope_theta": THETA, "qk_norm": True, "zero_init_proj": False,
        "scale_attn_weights": True, "use_cache": True, "torch_dtype": "float32",
    }


def main():
    gen = deterministic(SEED)
    p = make_params(gen)
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    with open(os.path.join(OUT_DIR, "config.json"), "w") as f:
        json.dump(config(), f, indent=2)
        f.write("\n")
    save_canonical({k: t.detach().contiguous() for k, t in p.items()}, os.path.join(OUT_DIR, "model.safetensors"),
                   {"format": "pt"})
    first_id = 3
    seq = torch.randint(first_id, V, (B, T + 1), generator=gen, dtype=torch.int64)
    input_ids, targets = seq[:, :T].contiguous(), seq[:, 1:].contiguous()
    targets[0, 3] = -100
    targets[1, 7] = -100
    logits = forward(p, input_ids)
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    out = {"input_ids": input_ids.to(torch.int32), "targets": targets.to(torch.int32),
           "logits": logits.detach().float().contiguous(), "loss": loss.detach().float().reshape(1)}
    for name, t in p.items():
        out["grad." + name] = t.grad.detach().float().contiguous()
    prompt = torch.randint(first_id, V, (1, 4), generator=gen, dtype=torch.int64)
    seqs = prompt
    with torch.no_grad():
        for _ in range(NEW):
            nxt = forward(p, seqs)[:, -1].argmax(dim=-1, keepdim=True)
            seqs = torch.cat((seqs, nxt), dim=1)
    out["prompt"] = prompt.to(torch.int32)
    out["greedy"] = seqs[:, 4:].to(torch.int32).contiguous()
    metadata = {"torch": torch.__version__, "seed": str(SEED), "generator": "tests/ref/gen_gpt2_variant_fixture.py"}
    save_canonical(out, os.path.join(OUT_DIR, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (OUT_DIR, out["loss"].item()), file=sys.stderr)


if __name__ == "__main__":
    main()
