#!/usr/bin/env python3
"""PyTorch side of bench_rnn: the same RNNsearch (tests/ref/gen_rnn_fixture.py's module,
torch.nn.GRU + GRUCell + Linear) and the same step (forward + backward of the mean
cross-entropy, no optimizer) on random sentences; prints one JSON line.

    .venv/bin/python bench/bench_rnn_torch.py --threads 2 [--batch 32 --src-len 30 ...]"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "ref"))
import gen_rnn_fixture as g  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    for name, default in [("batch", 32), ("src-len", 30), ("tgt-len", 30), ("embed", 256), ("hidden", 256),
                          ("align", 256), ("maxout", 256), ("vocab", 8000), ("steps", 5), ("threads", 2),
                          ("encdec", 0)]:
        p.add_argument("--" + name, type=int, default=default)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    g.VS = g.VT = a.vocab
    g.E, g.H, g.A, g.M = a.embed, a.hidden, a.align, a.maxout
    model = g.RNNModel(not a.encdec, False)
    B, S, T = a.batch, a.src_len, a.tgt_len
    gen = torch.Generator().manual_seed(7)
    src = torch.randint(3, a.vocab, (B, S), generator=gen)
    tgt_out = torch.randint(3, a.vocab, (B, T), generator=gen)
    tgt_in = torch.cat([torch.full((B, 1), g.BOS), tgt_out[:, :-1]], 1)
    best = 1e30
    for s in range(a.steps + 1):
        t0 = time.perf_counter()
        model.zero_grad(set_to_none=True)
        logits, _, _ = model(src, tgt_in)
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), tgt_out.reshape(-1))
        loss.backward()
        dt = time.perf_counter() - t0
        if s > 0:
            best = min(best, dt)
    print(json.dumps({"impl": "torch " + torch.__version__, "model": "rnnencdec" if a.encdec else "rnnsearch",
                      "threads": a.threads, "B": B, "S": S, "T": T, "ms_per_step": round(1e3 * best, 1),
                      "tgt_tokens_per_s": round(B * T / best), "loss": round(loss.item(), 4)}))


if __name__ == "__main__":
    main()
