#!/usr/bin/env python3
"""Writes the DPO / IPO reference fixture: the losses of tests/ref/gpt2_tiny's model on two
preference pairs and their gradients, computed by PyTorch from the formulas (TRL's sigmoid and
ipo losses), for tests/unit/test_dpo.c.

    .venv/bin/python tests/ref/gen_dpo_fixture.py      (or: make fixtures)

Outputs (deterministic), tests/ref/dpo_tiny/{sigmoid,ipo}.safetensors, each with:
  input_ids  int32 (4, 10)   rows chosen 0, rejected 0, chosen 1, rejected 1 (prompt, completion, padding)
  targets    int32 (4, 10)   next tokens over each completion, -1 elsewhere
  ref_logps  f32 (4)         the reference's log-probabilities (fixed numbers near the policy's)
  logps      f32 (4)         the policy's: sums of log softmax(logits)[target] over the completion
  beta       f32 (1)
  loss       f32 (1)         sigmoid: mean -log sigmoid(beta u), u = (pi_c - ref_c) - (pi_r - ref_r);
                             ipo: mean (u - 1/(2 beta))^2 with every log-probability divided by
                             its completion's length
  grad.<name> f32            d loss / d parameter (HF names and layout)
"""
import os
import sys

import torch
import torch.nn.functional as F
from transformers import GPT2LMHeadModel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_gpt2_fixture import save_canonical  # noqa: E402

MODEL = os.path.join(HERE, "gpt2_tiny")
OUT = os.path.join(HERE, "dpo_tiny")
SEED, T, BETA = 4321, 10, 0.5
# (prompt, completion) lengths of the four rows
LENGTHS = [(3, 5), (3, 7), (6, 2), (6, 4)]


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(SEED)
    V = 67
    ids = torch.zeros(4, T, dtype=torch.int64)
    targets = torch.full((4, T), -1, dtype=torch.int64)
    for r, (p, c) in enumerate(LENGTHS):
        row = torch.randint(0, V, (p + c,), generator=gen)
        ids[r, :p + c - 1] = row[:-1]
        for t in range(p - 1, p + c - 1):
            targets[r, t] = row[t + 1]
    lengths = torch.tensor([float(c) for _, c in LENGTHS])
    noise = 0.5 * torch.randn(4, generator=gen)
    os.makedirs(OUT, exist_ok=True)
    for kind in ("sigmoid", "ipo"):
        model = GPT2LMHeadModel.from_pretrained(MODEL, dtype=torch.float32)
        model.eval()
        logits = model(ids).logits
        logp = torch.log_softmax(logits.double(), dim=-1)
        mask = targets >= 0
        tok = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1) * mask
        logps = tok.sum(-1)
        ref = (logps.detach() + noise.double()).float().double()
        if kind == "ipo":
            pol, rf = logps / lengths.double(), ref / lengths.double()
        else:
            pol, rf = logps, ref
        u = (pol[0::2] - rf[0::2]) - (pol[1::2] - rf[1::2])
        if kind == "ipo":
            loss = ((u - 1 / (2 * BETA)) ** 2).mean()
        else:
            loss = -F.logsigmoid(BETA * u).mean()
        loss.backward()
        out = {
            "input_ids": ids.to(torch.int32), "targets": targets.to(torch.int32),
            "ref_logps": ref.float(), "logps": logps.detach().float(),
            "beta": torch.tensor([BETA], dtype=torch.float32), "loss": loss.detach().float().reshape(1),
        }
        for name, p in model.named_parameters():
            out["grad." + name] = p.grad.detach().float().contiguous()
        save_canonical(out, os.path.join(OUT, kind + ".safetensors"),
                       {"generator": "tests/ref/gen_dpo_fixture.py", "torch": torch.__version__})
        print("%s: loss %.6f" % (kind, loss.item()), file=sys.stderr)


if __name__ == "__main__":
    main()
