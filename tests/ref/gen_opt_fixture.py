#!/usr/bin/env python3
"""Writes the OPT reference fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_opt_fixture.py      (or: make fixtures)

Two tiny OPTForCausalLM saved by transformers, each with fixture.safetensors:
  tests/ref/opt_tiny/        pre-norm blocks, word_embed_proj_dim = hidden_size (OPT-125m's shape)
  tests/ref/opt_tiny_proj/   post-norm blocks and project_in/out (OPT-350m's shape)

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
from transformers import OPTConfig, OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_gpt2_fixture import save_canonical  # noqa: E402  byte-reproducible safetensors

SEED = 4321
HERE = os.path.dirname(os.path.abspath(__file__))
V, B, T, NEW = 67, 2, 8, 10


def make_config(pre_norm, embed_dim):
    return OPTConfig(
        vocab_size=V, hidden_size=32, num_hidden_layers=2, ffn_dim=48, num_attention_heads=4,
        max_position_embeddings=16, word_embed_proj_dim=embed_dim, do_layer_norm_before=pre_norm,
        dropout=0.0, attention_dropout=0.0, activation_function="relu", pad_token_id=1, bos_token_id=2,
        eos_token_id=2, enable_bias=True, layer_norm_elementwise_affine=True, tie_word_embeddings=True,
    )


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "layer_norm" in name and name.endswith(".weight"):
                p.copy_(1.0 + 0.1 * noise)
            else:
                p.copy_(0.1 * noise)


def write(name, pre_norm, embed_dim, gen):
    out_dir = os.path.join(HERE, name)
    model = OPTForCausalLM(make_config(pre_norm, embed_dim)).float()
    reinit(model, gen)
    model.eval()
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    out = {}
    seq = torch.randint(3, V, (B, T + 1), generator=gen, dtype=torch.int64)
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
    prompt = torch.randint(3, V, (1, 4), generator=gen, dtype=torch.int64)
    with torch.no_grad():
        seqs = model.generate(prompt, attention_mask=torch.ones_like(prompt), max_new_tokens=NEW, do_sample=False,
                              eos_token_id=None, pad_token_id=1)
    out["prompt"] = prompt.to(torch.int32)
    out["greedy"] = seqs[:, 4:].to(torch.int32).contiguous()
    metadata = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
                "generator": "tests/ref/gen_opt_fixture.py"}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (out_dir, out["loss"].item()), file=sys.stderr)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    write("opt_tiny", True, 32, gen)
    write("opt_tiny_proj", False, 16, gen)


if __name__ == "__main__":
    main()
