#!/usr/bin/env python3
"""Writes the Llama-style decoder fixtures used by attn's tests.

    .venv/bin/python tests/ref/gen_llama_fixture.py      (or: make fixtures)

Three tiny models saved by transformers, each with fixture.safetensors:
  tests/ref/llama_gqa/     LlamaForCausalLM: 4 query heads over 2 key/value heads of head_dim 24
                           (hidden 64: head_dim is not hidden / heads), untied output, rope_theta 1000
  tests/ref/llama_tied/    LlamaForCausalLM: output tied to the embeddings, attention_bias and mlp_bias
  tests/ref/qwen2_tiny/    Qwen2ForCausalLM: q/k/v biases (no o bias), 2 key/value heads, untied

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
from transformers import LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_gpt2_fixture import save_canonical  # noqa: E402  byte-reproducible safetensors

SEED = 8642
HERE = os.path.dirname(os.path.abspath(__file__))
V, B, T, NEW = 67, 2, 8, 10


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
    out_dir = os.path.join(HERE, name)
    model = make().float()
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
                              eos_token_id=None, pad_token_id=0)
    out["prompt"] = prompt.to(torch.int32)
    out["greedy"] = seqs[:, 4:].to(torch.int32).contiguous()
    metadata = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
                "generator": "tests/ref/gen_llama_fixture.py"}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f)" % (out_dir, out["loss"].item()), file=sys.stderr)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)
    write("llama_gqa", llama_gqa, gen)
    write("llama_tied", llama_tied, gen)
    write("qwen2_tiny", qwen2_tiny, gen)


if __name__ == "__main__":
    main()
