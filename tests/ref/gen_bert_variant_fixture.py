#!/usr/bin/env python3
"""Writes the fixture of attn's BERT variant (model_type attn_bert) used by tests/unit/test_bert.c.

    .venv/bin/python tests/ref/gen_bert_variant_fixture.py      (or: make fixtures)

transformers has no such model, so the reference is the plain PyTorch module below: BERT
(BertForMaskedLM's names under "bert.", learned positions, token types, the embeddings' LayerNorm,
exact GELU, a key padding mask) changed as Cramming (Geiping & Goldstein 2022) changes it:
  pre-LN blocks      x = x + attn(LN1(x)); x = x + mlp(LN2(x)), the block's LayerNorms under
                     BERT's names (attention.output.LayerNorm before attention, output.LayerNorm
                     before the MLP), and bert.encoder.final_layer_norm after the last block
  no linear biases   q, k, v, the attention output, both MLP layers, the MLM head's dense layer
                     and the decoder (tied to the word embeddings) have no bias; LayerNorms keep theirs
  GEGLU              intermediate.dense (intermediate_size rows) is gate | up, the MLP's hidden
                     state gelu(gate) * up (exact GELU), output.dense takes intermediate_size / 2

tests/ref/attn_bert_tiny/ holds config.json (as attn writes it), model.safetensors and
fixture.safetensors with gen_bert_fixture.py's tensors: input_ids, attention_mask,
token_type_ids, labels, hidden, mlm_logits, loss (token types 0, the mask from the pad id:
what attn's model_loss sees) and grad.<name> for every parameter.
"""
import json
import math
import os
import shutil
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_bert_fixture import B, C, T, V, batch, save_canonical  # noqa: E402

SEED = 8642
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "attn_bert_tiny")
H, L, F_INNER, P, TV, EPS = 4, 2, 48, 20, 2, 1e-12
D = C // H


def make_params(gen):
    def rnd(*shape):
        return 0.2 * torch.randn(shape, generator=gen, dtype=torch.float32)

    def norm(*shape):
        return 1.0 + 0.1 * torch.randn(shape, generator=gen, dtype=torch.float32)

    e = "bert.embeddings."
    p = {e + "word_embeddings.weight": rnd(V, C), e + "position_embeddings.weight": rnd(P, C),
         e + "token_type_embeddings.weight": rnd(TV, C), e + "LayerNorm.weight": norm(C),
         e + "LayerNorm.bias": 0.1 * rnd(C)}
    for i in range(L):
        h = "bert.encoder.layer.%d." % i
        for n in ("query", "key", "value"):
            p[h + "attention.self.%s.weight" % n] = rnd(C, C)
        p[h + "attention.output.dense.weight"] = rnd(C, C)
        p[h + "attention.output.LayerNorm.weight"], p[h + "attention.output.LayerNorm.bias"] = norm(C), 0.1 * rnd(C)
        p[h + "intermediate.dense.weight"] = rnd(F_INNER, C)
        p[h + "output.dense.weight"] = rnd(C, F_INNER // 2)
        p[h + "output.LayerNorm.weight"], p[h + "output.LayerNorm.bias"] = norm(C), 0.1 * rnd(C)
    p["bert.encoder.final_layer_norm.weight"], p["bert.encoder.final_layer_norm.bias"] = norm(C), 0.1 * rnd(C)
    p["cls.predictions.transform.dense.weight"] = rnd(C, C)
    p["cls.predictions.transform.LayerNorm.weight"] = norm(C)
    p["cls.predictions.transform.LayerNorm.bias"] = 0.1 * rnd(C)
    for t in p.values():
        t.requires_grad_(True)
    return p


def forward(p, ids, mask, types):
    """(hidden (B, T, C), MLM logits (B, T, V))."""
    b, t = ids.shape
    e = "bert.embeddings."
    x = p[e + "word_embeddings.weight"][ids] + p[e + "position_embeddings.weight"][torch.arange(t)][None]
    x = x + p[e + "token_type_embeddings.weight"][types]
    x = F.layer_norm(x, (C,), p[e + "LayerNorm.weight"], p[e + "LayerNorm.bias"], EPS)
    bias = torch.zeros(b, 1, 1, t).masked_fill(mask[:, None, None, :] == 0, float("-inf"))
    for i in range(L):
        h = "bert.encoder.layer.%d." % i
        a = F.layer_norm(x, (C,), p[h + "attention.output.LayerNorm.weight"], p[h + "attention.output.LayerNorm.bias"], EPS)
        q, k, v = (a @ p[h + "attention.self.%s.weight" % n].T for n in ("query", "key", "value"))
        q, k, v = (z.view(b, t, H, D).transpose(1, 2) for z in (q, k, v))
        s = q @ k.transpose(-1, -2) / math.sqrt(D) + bias
        y = (s.softmax(-1) @ v).transpose(1, 2).reshape(b, t, C)
        x = x + y @ p[h + "attention.output.dense.weight"].T
        a = F.layer_norm(x, (C,), p[h + "output.LayerNorm.weight"], p[h + "output.LayerNorm.bias"], EPS)
        gate, up = (a @ p[h + "intermediate.dense.weight"].T).split(F_INNER // 2, dim=-1)
        x = x + (F.gelu(gate) * up) @ p[h + "output.dense.weight"].T
    x = F.layer_norm(x, (C,), p["bert.encoder.final_layer_norm.weight"], p["bert.encoder.final_layer_norm.bias"], EPS)
    u = F.gelu(x @ p["cls.predictions.transform.dense.weight"].T)
    u = F.layer_norm(u, (C,), p["cls.predictions.transform.LayerNorm.weight"], p["cls.predictions.transform.LayerNorm.bias"], EPS)
    return x, u @ p[e + "word_embeddings.weight"].T


def config():
    """config.json as attn writes it for --pre-ln --no-bias --activation geglu."""
    return {
        "architectures": ["AttnBertForMaskedLM"], "model_type": "attn_bert", "pre_layer_norm": True,
        "linear_bias": False, "vocab_size": V, "hidden_size": C, "num_hidden_layers": L, "num_attention_heads": H,
        "intermediate_size": F_INNER, "hidden_act": "geglu", "hidden_dropout_prob": 0.0,
        "attention_probs_dropout_prob": 0, "max_position_embeddings": P, "type_vocab_size": TV,
        "initializer_range": 0.02, "layer_norm_eps": EPS, "pad_token_id": 0, "position_embedding_type": "absolute",
        "is_decoder": False, "tie_word_embeddings": True, "torch_dtype": "float32",
    }


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    p = make_params(gen)
    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    os.makedirs(OUT_DIR)
    with open(os.path.join(OUT_DIR, "config.json"), "w") as f:
        json.dump(config(), f, indent=2)
        f.write("\n")
    meta = {"torch": torch.__version__, "seed": str(SEED), "generator": "tests/ref/gen_bert_variant_fixture.py"}
    save_canonical({k: t.detach().contiguous() for k, t in p.items()}, os.path.join(OUT_DIR, "model.safetensors"), meta)
    ids, mask, types, labels = batch(gen, 0)
    out = {"input_ids": ids.int(), "attention_mask": mask.int(), "token_type_ids": types.int(),
           "labels": torch.where(labels < 0, -1, labels).int()}
    with torch.no_grad():
        hidden, logits = forward(p, ids, mask, types)
    out["hidden"], out["mlm_logits"] = hidden.contiguous(), logits.contiguous()
    _, logits = forward(p, ids, mask, torch.zeros_like(types))
    loss = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    out["loss"] = loss.detach().float().reshape(1)
    for name, t in p.items():
        out["grad." + name] = t.grad.detach().float().contiguous()
    save_canonical(out, os.path.join(OUT_DIR, "fixture.safetensors"), meta)
    print("wrote %s (loss %.6f)" % (OUT_DIR, loss.item()), file=sys.stderr)


if __name__ == "__main__":
    main()
