#!/usr/bin/env python3
"""PyTorch side of the decoding benchmark: batch-1 greedy decoding with a KV cache
(past_key_values, use_cache=True) on a random GPT-2 (transformers GPT2LMHeadModel, float32);
prints one JSON line. tokens_per_s counts the generated tokens after the first, over the
single-token steps only; the prompt's forward pass (prefill, which also yields the first new
token) is timed apart as prefill_ms.

    .venv/bin/python bench/bench_decode_torch.py --layers 4 --heads 4 --width 256 --context 256 \
        --vocab 50257 --prompt-len 16 --new-tokens 128 --threads 8
"""
import argparse
import inspect
import json
import time

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel


# transformers 5.x (by 5.24) renamed the KV cache argument and output `past_key_values`
# -> `cache` (the old name warns, to be removed in 5.40); earlier versions know only the old one.
CACHE_ARG = "cache" if "cache" in inspect.signature(GPT2LMHeadModel.forward).parameters else "past_key_values"


def cache_of(out):
    return out[CACHE_ARG] if CACHE_ARG in out else out.past_key_values


@torch.inference_mode()
def decode(model, prompt, n):
    """Greedy: returns (new ids, prefill seconds, seconds of the n-1 single-token steps)."""
    t0 = time.perf_counter()
    out = model(input_ids=prompt, use_cache=True)
    past, nxt = cache_of(out), out.logits[:, -1].argmax(-1, keepdim=True)
    t1 = time.perf_counter()
    new = [nxt]
    for _ in range(n - 1):
        out = model(input_ids=nxt, use_cache=True, **{CACHE_ARG: past})
        past, nxt = cache_of(out), out.logits[:, -1].argmax(-1, keepdim=True)
        new.append(nxt)
    t2 = time.perf_counter()
    return torch.cat(new, 1)[0].tolist(), t1 - t0, t2 - t1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--prompt-len", type=int, default=16, help="1..16")
    ap.add_argument("--new-tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--warmup", type=int, default=1, help="untimed decodes first")
    ap.add_argument("--repeats", type=int, default=3, help="timed decodes; the fastest counts")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--attn-impl", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--check", action="store_true", help="also compare ids with model.generate")
    a = ap.parse_args()
    if not 1 <= a.prompt_len <= 16:
        ap.error("--prompt-len must be in 1..16")
    if a.new_tokens < 2 or a.prompt_len + a.new_tokens > a.context:
        ap.error("need 2 <= --new-tokens and --prompt-len + --new-tokens <= --context")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cfg = GPT2Config(vocab_size=a.vocab, n_positions=a.context, n_embd=a.width, n_layer=a.layers,
                     n_head=a.heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                     tie_word_embeddings=True, bos_token_id=a.vocab - 1, eos_token_id=a.vocab - 1,
                     attn_implementation=a.attn_impl)
    model = GPT2LMHeadModel(cfg).float().eval()
    prompt = torch.randint(0, a.vocab, (1, a.prompt_len))

    for _ in range(a.warmup):
        decode(model, prompt, a.new_tokens)
    best = None
    for _ in range(max(1, a.repeats)):
        ids, t_prefill, t_steps = decode(model, prompt, a.new_tokens)
        if best is None or t_steps < best[2]:
            best = (ids, t_prefill, t_steps)
    ids, t_prefill, t_steps = best

    result = {
        "impl": "torch", "bench": "decode",
        "tokens_per_s": (a.new_tokens - 1) / t_steps,
        "ms_per_token": 1000.0 * t_steps / (a.new_tokens - 1),
        "prefill_ms": 1000.0 * t_prefill,
        "torch": torch.__version__, "transformers": transformers.__version__,
        "threads": torch.get_num_threads(), "attn_impl": model.config._attn_implementation,
        "layers": a.layers, "heads": a.heads, "width": a.width, "context": a.context,
        "vocab": a.vocab, "prompt_len": a.prompt_len, "new_tokens": a.new_tokens,
        "params": sum(p.numel() for p in model.parameters()),
    }
    if a.check:
        model.generation_config.eos_token_id = None
        with torch.inference_mode():
            ref = model.generate(prompt, attention_mask=torch.ones_like(prompt), do_sample=False,
                                 max_new_tokens=a.new_tokens, pad_token_id=0)[0, a.prompt_len:].tolist()
        result["check"] = "ok" if ref == ids else "MISMATCH"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
