#!/usr/bin/env python3
"""Writes the BLOOM reference fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_bloom_fixture.py      (or: make fixtures)

Two tiny BloomForCausalLM saved by transformers, each with fixture.safetensors:
  tests/ref/bloom_tiny/      6 heads of width 8 (ALiBi slopes of a head count that is not a power of two)
  tests/ref/bloom_tiny4/     4 heads of width 8 (the power-of-two slopes)

fixture.safetensors holds what decoder_fixture.py lists (logits, loss, every gradient,
the greedy continuation of a prompt).
"""
import os
import sys

import torch
from transformers import BloomConfig, BloomForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder_fixture import deterministic, write_decoder_fixture  # noqa: E402

SEED = 8765
HERE = os.path.dirname(os.path.abspath(__file__))
V = 67


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
    model = BloomForCausalLM(make_config(heads)).float()
    reinit(model, gen)
    write_decoder_fixture(model, os.path.join(HERE, name), gen, first_id=4, pad_id=3, seed=SEED,
                          generator="tests/ref/gen_bloom_fixture.py")


def main():
    gen = deterministic(SEED)
    write("bloom_tiny", 6, gen)
    write("bloom_tiny4", 4, gen)


if __name__ == "__main__":
    main()
