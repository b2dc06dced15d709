#!/usr/bin/env python3
"""PyTorch side of the training benchmark: a GPT-2 (transformers GPT2LMHeadModel, dropout 0,
float32) trained with AdamW on random token ids; prints one JSON line.

    .venv/bin/python bench/bench_train_torch.py --layers 4 --heads 4 --width 256 --context 256 \
        --vocab 50257 --batch 8 --steps 20 --warmup-steps 3 --threads 8
"""
import argparse
import json
import time

import torch
import transformers
from transformers import GPT2Config, GPT2LMHeadModel


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--width", type=int, default=256)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--vocab", type=int, default=50257)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20, help="timed steps")
    ap.add_argument("--warmup-steps", type=int, default=3, help="untimed steps first")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads())
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--attn-impl", default="sdpa", choices=["sdpa", "eager"])
    ap.add_argument("--autocast", default="off", choices=["off", "bf16"],
                    help="bf16: forward and loss under torch.autocast('cpu', dtype=torch.bfloat16)")
    a = ap.parse_args()
    if a.steps < 1 or a.width % a.heads:
        ap.error("need --steps >= 1 and --width divisible by --heads")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    cfg = GPT2Config(vocab_size=a.vocab, n_positions=a.context, n_embd=a.width, n_layer=a.layers,
                     n_head=a.heads, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                     tie_word_embeddings=True, bos_token_id=a.vocab - 1, eos_token_id=a.vocab - 1,
                     attn_implementation=a.attn_impl)
    model = GPT2LMHeadModel(cfg).float()
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)

    total = a.warmup_steps + a.steps
    ids = torch.randint(0, a.vocab, (total, a.batch, a.context + 1))

    def step(i):
        opt.zero_grad(set_to_none=True)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.autocast == "bf16"):
            logits = model(ids[i, :, :-1]).logits
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, a.vocab).float(), ids[i, :, 1:].reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for i in range(a.warmup_steps):
        step(i)
    t0 = time.perf_counter()
    for i in range(a.warmup_steps, total):
        loss = step(i)
    dt = time.perf_counter() - t0

    print(json.dumps({
        "impl": "torch", "bench": "train", "autocast": a.autocast,
        "tokens_per_s": a.steps * a.batch * a.context / dt,
        "ms_per_step": 1000.0 * dt / a.steps,
        "torch": torch.__version__, "transformers": transformers.__version__,
        "threads": torch.get_num_threads(), "attn_impl": model.config._attn_implementation,
        "layers": a.layers, "heads": a.heads, "width": a.width, "context": a.context,
        "vocab": a.vocab, "batch": a.batch, "steps": a.steps, "warmup_steps": a.warmup_steps,
        "params": sum(p.numel() for p in model.parameters()), "last_loss": loss,
    }))


if __name__ == "__main__":
    main()
