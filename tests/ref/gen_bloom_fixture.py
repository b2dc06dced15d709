#!/usr/bin/env python3
"""Writes the BLOOM reference fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_bloom_fixture.py      (or: make fixtures)

Two tiny BloomForCausalLM saved by transformers, each with fixture.safetensors:
  tests/ref/bloom_tiny/      6 heads of width 8 (ALiBi slopes of a head count that is not a power of two)
  tests/ref/bloom_tiny4/     4 heads of width 8 (the power-of-two slopes)

  input_ids    int32 (2, 8)
  targets      int32 (2, 8)      next tokens; targets[0,3] = targets[1,7] = -100 (ignored)
  logits       f32 (2, 8, 67)    model(input_ids).logits
  loss         f32 (1,)          mean cross-entropy over non-ignored targets
  grad.<name>  f32               d loss / d param, transformers' names
  prompt       int32 (1, 4)
  greedy       int32 (1, 10)     model.generate(prompt, greedy, 10 new tokens, no end token)
"""
import os
import shutil
import sys

import torch
import torch.nn.functional as F
import transformers
from transformers import BloomConfig, BloomForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_gpt2_fixture import save_canonical  # noqa: E402  byte-reproducible safetensors

SEED = 8765
HERE = os.path.dirname(os.path.abspath(__file__))
V, B, T, NEW = 67, 2, 8, 10


def make_config(heads):
    return BloomConfig(
        vocab_size=V, hidden_size=8 * heads, n_layer=2, n_head=heads, layer_norm_epsilon=1e-5,
        hidden_dropout=0.0, attention_dropout=0.0, apply_residual_connection_post_layernorm=False,
        bos_token_id=1, eos_token_id=2, pad_token_id=3, seq_length=32, tie_word_embeddings=True,
    )


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "layernorm" in name.replace("_", "") or "ln_f" in name:
                p.copy_((1.0 + 0.1 * noise) if name.endswith(".weight") else 0.1 * noise)
            else:
                p.copy_(0.2 * noise)


def write(name, heads, gen):
    out_dir = os.path.join(HERE, name)
    model = BloomForCausalLM(make_config(heads)).float()
    reinit(model, gen)
    model.eval()
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    out = {}
    seq = torch.randint(4, V, (B, T + 1), generator=gen, dtype=torch.int64)
    input_ids, targets = seq[:, :T].contiguous(), seq[:, 1:].contiguous()
    targets[0, 3] = -100
    targets[1, 7] = -100
    model.zero_grad(set_to_none=True)
    logits = model(input_ids).logits
    loss = F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)
    loss.backward()
    out["input_ids"] = input_ids.to(torch.int32)
    out["targets"] = targets.to(torch.int32)
    out["logits"] = logits.detach().float().contiguous()
    out["loss"] = loss.detach().float().reshape(1)
    for pname, p in model.named_parameters():
        out["grad." + pname] = p.grad.detach().float().contiguous()
    prompt = torch.randint(4, V, (1, 4), generator=gen, dtype=torch.int64)
    with torch.no_grad():
        seqs = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=NEW, do_sample=False,
                              eos_token_id=None, pad_token_id=3)
    out["prompt"] = prompt.to(torch.int32)
    out["greedy"] = seqs[:, 4:].to(torch.int32).contiguous()
    metadata = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
                "generator": "tests/ref/gen_bloom_fixture.py"}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (out_dir, out["loss"].item()), file=sys.stderr)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    write("bloom_tiny", 6, gen)
    write("bloom_tiny4", 4, gen)


if __name__ == "__main__":
    main()
