#!/usr/bin/env python3
"""Writes the ESM-2 reference fixture used by tests/unit/test_esm.c.

    .venv/bin/python tests/ref/gen_esm_fixture.py      (or: make fixtures)

tests/ref/esm_tiny/: a tiny random EsmForMaskedLM (ESM-2's layout: rotary positions,
token_dropout, emb_layer_norm_before false) saved by save_pretrained, with ESM's 33-token
vocab.txt, and fixture.safetensors beside it:

  input_ids       int32 (B, T)     <cls> residues <eos>, a few <mask>; row 1 padded with <pad>
  attention_mask  int32 (B, T)     1 = real token
  hidden          f32 (B, T, C)    last_hidden_state(input_ids, attention_mask)
  mlm_logits      f32 (B, T, V)    logits of the same call
  labels          int32 (B, T)     the original residue at every <mask> and a few others, -1 elsewhere
  loss            f32 (1,)         MLM cross-entropy of that call
  grad.<name>     f32              d loss / d parameter (transformers' names; 0 for the unused contact head)
Deterministic (seeded, one thread); dropout is 0.
"""
import os
import shutil
import sys

import torch
import torch.nn.functional as F
import transformers
from transformers import EsmConfig, EsmForMaskedLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_bert_fixture import save_canonical  # noqa: E402  byte-reproducible safetensors

SEED = 4321
HERE = os.path.dirname(os.path.abspath(__file__))
# ESM-2's vocabulary (facebook/esm2_*): ids 0..32
VOCAB = ["<cls>", "<pad>", "<eos>", "<unk>", "L", "A", "G", "V", "S", "E", "R", "T", "I", "D", "P", "K", "Q", "N",
         "F", "Y", "M", "H", "W", "C", "X", "B", "U", "Z", "O", ".", "-", "<null_1>", "<mask>"]
CLS, PAD, EOS, MASK = 0, 1, 2, 32
B, T = 2, 12


def config():
    return EsmConfig(vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                     intermediate_size=48, max_position_embeddings=64, hidden_dropout_prob=0.0,
                     attention_probs_dropout_prob=0.0, layer_norm_eps=1e-5, pad_token_id=PAD, mask_token_id=MASK,
                     position_embedding_type="rotary", emb_layer_norm_before=False, token_dropout=True)


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "LayerNorm" in name or "layer_norm" in name:
                p.copy_(1.0 + 0.1 * noise if name.endswith(".weight") else 0.1 * noise)
            else:
                p.copy_(0.2 * noise)


def batch(gen):
    ids = torch.randint(4, 24, (B, T), generator=gen, dtype=torch.int64)
    ids[:, 0] = CLS
    ids[0, T - 1] = EOS
    ids[1, T - 4] = EOS
    ids[1, T - 3:] = PAD
    mask = (ids != PAD).to(torch.int64)
    labels = torch.full((B, T), -100, dtype=torch.int64)
    for b, t in [(0, 2), (0, 5), (0, 7), (1, 3), (1, 6)]:   # masked
        labels[b, t] = ids[b, t]
        ids[b, t] = MASK
    for b, t in [(0, 9), (1, 1)]:                            # predicted, not masked
        labels[b, t] = ids[b, t]
    return ids, mask, labels


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    model = EsmForMaskedLM(config()).float()
    reinit(model, gen)
    model.eval()
    out_dir = os.path.join(HERE, "esm_tiny")
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    with open(os.path.join(out_dir, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    ids, mask, labels = batch(gen)
    model.zero_grad(set_to_none=True)
    res = model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
    loss = F.cross_entropy(res.logits.reshape(-1, len(VOCAB)), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    out = {"input_ids": ids.to(torch.int32), "attention_mask": mask.to(torch.int32),
           "hidden": res.hidden_states[-1].detach().contiguous(), "mlm_logits": res.logits.detach().contiguous(),
           "labels": torch.where(labels < 0, -1, labels).to(torch.int32), "loss": loss.detach().reshape(1)}
    for name, p in model.named_parameters():
        out["grad." + name] = (p.grad if p.grad is not None else torch.zeros_like(p)).detach().contiguous()
    metadata = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
                "generator": "tests/ref/gen_esm_fixture.py"}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (out_dir, loss.item()), file=sys.stderr)


if __name__ == "__main__":
    main()
