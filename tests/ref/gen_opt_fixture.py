#!/usr/bin/env python3
"""Writes the OPT reference fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_opt_fixture.py      (or: make fixtures)

Two tiny OPTForCausalLM saved by transformers, each with fixture.safetensors:
  tests/ref/opt_tiny/        pre-norm blocks, word_embed_proj_dim = hidden_size (OPT-125m's shape)
  tests/ref/opt_tiny_proj/   post-norm blocks and project_in/out (OPT-350m's shape)

fixture.safetensors holds what decoder_fixture.py lists (logits, loss, every gradient,
the greedy continuation of a prompt).
"""
import os
import sys

import torch
from transformers import OPTConfig, OPTForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder_fixture import deterministic, write_decoder_fixture  # noqa: E402

SEED = 4321
HERE = os.path.dirname(os.path.abspath(__file__))
V = 67


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
    model = OPTForCausalLM(make_config(pre_norm, embed_dim)).float()
    reinit(model, gen)
    write_decoder_fixture(model, os.path.join(HERE, name), gen, first_id=3, pad_id=1, seed=SEED,
                          generator="tests/ref/gen_opt_fixture.py")


def main():
    gen = deterministic(SEED)
    write("opt_tiny", True, 32, gen)
    write("opt_tiny_proj", False, 16, gen)


if __name__ == "__main__":
    main()
