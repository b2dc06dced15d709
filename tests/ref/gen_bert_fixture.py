#!/usr/bin/env python3
"""Writes the BERT-family reference fixtures used by tests/unit/test_bert.c.

    .venv/bin/python tests/ref/gen_bert_fixture.py

Three tiny random models saved by transformers' save_pretrained (config.json +
model.safetensors with transformers' own names), each with fixture.safetensors beside it:

  tests/ref/bert_tiny/      BertForMaskedLM  ("bert." prefix, cls.predictions head, no pooler)
  tests/ref/bert_tiny_base/ BertModel        (no prefix, pooler; the same encoder weights)
  tests/ref/roberta_tiny/   RobertaForMaskedLM ("roberta." prefix, lm_head, pad_token_id 1,
                            type_vocab_size 1, positions from pad + 1)

fixture.safetensors:
  input_ids       int32 (B, T)     row 1 padded on the right with pad_token_id
  attention_mask  int32 (B, T)     1 = real token
  token_type_ids  int32 (B, T)     BERT only: 0 then 1 (a sentence pair)
  hidden          f32 (B, T, C)    last_hidden_state(input_ids, attention_mask[, token_type_ids])
  pooled          f32 (B, C)       bert_tiny_base only: pooler_output
  mlm_logits      f32 (B, T, V)    MLM models: logits of the same call
  labels          int32 (B, T)     MLM labels: original ids at ~1/3 of the real positions, -1 elsewhere
  loss            f32 (1,)         MLM cross-entropy with attention_mask = (input_ids != pad),
                                   token types all 0 (what attn's model_loss sees)
  grad.<name>     f32              d loss / d parameter (transformers' names)
Deterministic (seeded, one thread); dropout is 0.
"""
import json
import os
import shutil
import struct
import sys

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save as st_save
from transformers import BertConfig, BertForMaskedLM, BertModel, RobertaConfig, RobertaForMaskedLM

SEED = 4321
HERE = os.path.dirname(os.path.abspath(__file__))
V, B, T, C = 71, 2, 9, 32


def bert_config():
    return BertConfig(vocab_size=V, hidden_size=C, num_hidden_layers=2, num_attention_heads=4,
                      intermediate_size=48, max_position_embeddings=20, type_vocab_size=2,
                      hidden_act="gelu", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                      layer_norm_eps=1e-12, pad_token_id=0)


def roberta_config():
    return RobertaConfig(vocab_size=V, hidden_size=C, num_hidden_layers=2, num_attention_heads=4,
                         intermediate_size=48, max_position_embeddings=T + 2, type_vocab_size=1,
                         hidden_act="gelu", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                         layer_norm_eps=1e-5, pad_token_id=1, bos_token_id=0, eos_token_id=2)


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_(1.0 + 0.1 * noise if name.endswith(".weight") else 0.1 * noise)
            else:
                p.copy_(0.2 * noise)


def save_canonical(tensors, path, metadata):
    """safetensors save with the __metadata__ keys in a fixed order (byte-reproducible)."""
    blob = st_save(tensors, metadata=metadata)
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    assert len(text) <= n, "header grew"
    with open(path, "wb") as f:
        f.write(blob[:8])
        f.write(text + b" " * (n - len(text)))
        f.write(blob[8 + n:])


def batch(gen, pad):
    ids = torch.randint(3, V, (B, T), generator=gen, dtype=torch.int64)  # no pad/special ids inside
    ids[1, T - 3:] = pad
    mask = (ids != pad).long()
    types = torch.zeros(B, T, dtype=torch.int64)
    types[:, 5:] = 1
    types[1, T - 3:] = 0
    labels = torch.full((B, T), -100, dtype=torch.int64)
    pick = torch.rand((B, T), generator=gen) < 0.35
    pick[0, 1] = True
    pick &= mask.bool()
    labels[pick] = ids[pick]
    return ids, mask, types, labels


def metadata():
    return {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
            "generator": "tests/ref/gen_bert_fixture.py"}


def write_dir(name, model):
    out_dir = os.path.join(HERE, name)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    return out_dir


def mlm_fixture(name, model, gen, pad, with_types):
    model.eval()
    out_dir = write_dir(name, model)
    ids, mask, types, labels = batch(gen, pad)
    out = {"input_ids": ids.int(), "attention_mask": mask.int(), "labels": torch.where(labels < 0, -1, labels).int()}
    kw = {"token_type_ids": types} if with_types else {}
    if with_types:
        out["token_type_ids"] = types.int()
    with torch.no_grad():
        r = model(input_ids=ids, attention_mask=mask, output_hidden_states=True, **kw)
    out["hidden"] = r.hidden_states[-1].float().contiguous()
    out["mlm_logits"] = r.logits.float().contiguous()
    model.zero_grad(set_to_none=True)
    logits = model(input_ids=ids, attention_mask=mask).logits
    loss = F.cross_entropy(logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    out["loss"] = loss.detach().float().reshape(1)
    for pname, p in model.named_parameters():
        if p.grad is not None:
            out["grad." + pname] = p.grad.detach().float().contiguous()
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata())
    print("wrote %s (loss %.6f)" % (out_dir, loss.item()), file=sys.stderr)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)

    bert = BertForMaskedLM(bert_config()).float()
    reinit(bert, gen)
    mlm_fixture("bert_tiny", bert, gen, pad=0, with_types=True)

    base = BertModel(bert_config(), add_pooling_layer=True).float()
    reinit(base, gen)
    base.eval()
    out_dir = write_dir("bert_tiny_base", base)
    ids, mask, types, _ = batch(gen, 0)
    with torch.no_grad():
        r = base(input_ids=ids, attention_mask=mask, token_type_ids=types)
    out = {"input_ids": ids.int(), "attention_mask": mask.int(), "token_type_ids": types.int(),
           "hidden": r.last_hidden_state.float().contiguous(), "pooled": r.pooler_output.float().contiguous()}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata())
    print("wrote %s" % out_dir, file=sys.stderr)

    roberta = RobertaForMaskedLM(roberta_config()).float()
    reinit(roberta, gen)
    mlm_fixture("roberta_tiny", roberta, gen, pad=1, with_types=False)


if __name__ == "__main__":
    main()
