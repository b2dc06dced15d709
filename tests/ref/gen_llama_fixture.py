#!/usr/bin/env python3
"""Writes the Llama-style decoder fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_llama_fixture.py      (or: make fixtures)

Three tiny models saved by transformers, each with fixture.safetensors:
  tests/ref/llama_gqa/     LlamaForCausalLM: 4 query heads over 2 key/value heads of head_dim 24
                           (hidden 64: head_dim is not hidden / heads), untied output, rope_theta 1000
  tests/ref/llama_tied/    LlamaForCausalLM: output tied to the embeddings, attention_bias and mlp_bias
  tests/ref/qwen2_tiny/    Qwen2ForCausalLM: q/k/v biases (no o bias), 2 key/value heads, untied

fixture.safetensors holds what decoder_fixture.py lists (logits, loss, every gradient,
the greedy continuation of a prompt).
"""
import os
import sys

import torch
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from decoder_fixture import deterministic, write_decoder_fixture  # noqa: E402

SEED = 8642
HERE = os.path.dirname(os.path.abspath(__file__))
V = 67


def llama_gqa():
    return LlamaForCausalLM(LlamaConfig(
        vocab_size=V, hidden_size=64, intermediate_size=80, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=24, max_position_embeddings=32, rms_norm_eps=1e-5,
        rope_parameters={"rope_type": "default", "rope_theta": 1000.0}, tie_word_embeddings=False,
        attention_bias=False, mlp_bias=False, bos_token_id=1, eos_token_id=2, pad_token_id=0))


def llama_tied():
    return LlamaForCausalLM(LlamaConfig(
        vocab_size=V, hidden_size=32, intermediate_size=48, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, max_position_embeddings=32, rms_norm_eps=1e-6, tie_word_embeddings=True,
        attention_bias=True, mlp_bias=True, bos_token_id=1, eos_token_id=2, pad_token_id=0))


def qwen2_tiny():
    return Qwen2ForCausalLM(Qwen2Config(
        vocab_size=V, hidden_size=32, intermediate_size=40, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, max_position_embeddings=32, rms_norm_eps=1e-6,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}, tie_word_embeddings=False,
        use_sliding_window=False, bos_token_id=1, eos_token_id=2, pad_token_id=0))


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "norm" in name:
                p.copy_(1.0 + 0.1 * noise)
            else:
                p.copy_(0.1 * noise)


def write(name, make, gen):
    model = make().float()
    reinit(model, gen)
    write_decoder_fixture(model, os.path.join(HERE, name), gen, first_id=3, pad_id=0, seed=SEED,
                          generator="tests/ref/gen_llama_fixture.py")


def main():
    gen = deterministic(SEED)
    write("llama_gqa", llama_gqa, gen)
    write("llama_tied", llama_tied, gen)
    write("qwen2_tiny", qwen2_tiny, gen)


if __name__ == "__main__":
    main()
