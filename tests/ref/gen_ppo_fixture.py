#!/usr/bin/env python3
"""Writes the PPO reference fixture: the clipped policy and value losses of tests/ref/gpt2_tiny's
model with a value head (a linear map of the final hidden states, TRL's v_head.summary) on four
prompt + completion rows, and the gradients of every parameter and of the head, computed by
PyTorch from the formulas of TRL's PPOTrainer, for tests/unit/test_ppo.c.

    .venv/bin/python tests/ref/gen_ppo_fixture.py      (or: make fixtures)

Output (deterministic), tests/ref/ppo_tiny/ppo.safetensors:
  input_ids     int32 (4, 10)  prompt then completion then padding
  targets       int32 (4, 10)  next tokens over each completion, -1 elsewhere
  old_logprobs  f32 (4, 10)    the rollout's log-probabilities: the policy's plus noise (ratios away from 1)
  advantages    f32 (4, 10)    whitened advantages (0 off the completions)
  old_values    f32 (4, 10)    the rollout's values: the head's plus noise
  returns       f32 (4, 10)
  v_head.summary.weight f32 (1, 32), v_head.summary.bias f32 (1)
  hparams       f32 (3)        cliprange, cliprange_value, vf_coef
  pg_loss, vf_loss, loss f32 (1)  masked means over the completion tokens:
                pg = max(-A r, -A clamp(r, 1 - eps, 1 + eps)), r = exp(logp - old),
                vf = 0.5 max((v - R)^2, (old_v + clamp(v - old_v, -eps_v, eps_v) - R)^2),
                loss = pg + vf_coef vf
  clipfrac      f32 (1)        mean of [clipped term > unclipped term]
  grad.<name>   f32            d loss / d parameter (HF names and layout), and of the head
"""
import os
import sys

import torch
from transformers import GPT2LMHeadModel

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_gpt2_fixture import save_canonical  # noqa: E402

MODEL = os.path.join(HERE, "gpt2_tiny")
OUT = os.path.join(HERE, "ppo_tiny")
SEED, T = 2024, 10
EPS, EPS_V, VF_COEF = 0.2, 0.2, 0.5
LENGTHS = [(3, 5), (2, 8), (6, 3), (4, 6)]  # (prompt, completion) per row


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(SEED)
    V = 67
    R = len(LENGTHS)
    ids = torch.zeros(R, T, dtype=torch.int64)
    targets = torch.full((R, T), -1, dtype=torch.int64)
    for r, (p, c) in enumerate(LENGTHS):
        row = torch.randint(0, V, (p + c,), generator=gen)
        ids[r, :p + c] = row
        for t in range(p - 1, p + c - 1):
            targets[r, t] = row[t + 1]
    mask = targets >= 0
    model = GPT2LMHeadModel.from_pretrained(MODEL, dtype=torch.float32)
    model.eval()
    d = model.config.n_embd
    head_w = (0.3 * torch.randn(1, d, generator=gen)).requires_grad_()
    head_b = (0.1 * torch.randn(1, generator=gen)).requires_grad_()
    out = model(ids, output_hidden_states=True)
    hidden = out.hidden_states[-1]  # after ln_f
    logp = torch.log_softmax(out.logits.double(), dim=-1)
    lp = logp.gather(-1, targets.clamp(min=0).unsqueeze(-1)).squeeze(-1)
    values = (hidden @ head_w.t() + head_b).squeeze(-1).double()
    old = ((lp.detach() + 0.3 * torch.randn(R, T, generator=gen, dtype=torch.float64)) * mask).float().double()
    adv = torch.randn(R, T, generator=gen, dtype=torch.float64)
    adv = (adv - adv[mask].mean()) / adv[mask].std()
    adv = (adv * mask).float().double()
    old_v = ((values.detach() + 0.3 * torch.randn(R, T, generator=gen, dtype=torch.float64)) * mask).float().double()
    ret = (torch.randn(R, T, generator=gen, dtype=torch.float64) * mask).float().double()

    def masked_mean(x):
        return (x * mask).sum() / mask.sum()

    ratio = torch.exp(lp - old)
    pg1 = -adv * ratio
    pg2 = -adv * torch.clamp(ratio, 1 - EPS, 1 + EPS)
    pg_loss = masked_mean(torch.maximum(pg1, pg2))
    vc = old_v + torch.clamp(values - old_v, -EPS_V, EPS_V)
    vf_loss = 0.5 * masked_mean(torch.maximum((values - ret) ** 2, (vc - ret) ** 2))
    loss = pg_loss + VF_COEF * vf_loss
    loss.backward()
    clipfrac = masked_mean((pg2 > pg1).double())
    res = {
        "input_ids": ids.to(torch.int32), "targets": targets.to(torch.int32),
        "old_logprobs": old.float(), "advantages": adv.float(), "old_values": old_v.float(), "returns": ret.float(),
        "v_head.summary.weight": head_w.detach().float(), "v_head.summary.bias": head_b.detach().float(),
        "hparams": torch.tensor([EPS, EPS_V, VF_COEF], dtype=torch.float32),
        "pg_loss": pg_loss.detach().float().reshape(1), "vf_loss": vf_loss.detach().float().reshape(1),
        "loss": loss.detach().float().reshape(1), "clipfrac": clipfrac.float().reshape(1),
        "grad.v_head.summary.weight": head_w.grad.float().contiguous(),
        "grad.v_head.summary.bias": head_b.grad.float().contiguous(),
    }
    for name, p in model.named_parameters():
        res["grad." + name] = p.grad.detach().float().contiguous()
    os.makedirs(OUT, exist_ok=True)
    save_canonical(res, os.path.join(OUT, "ppo.safetensors"),
                   {"generator": "tests/ref/gen_ppo_fixture.py", "torch": torch.__version__})
    print("ppo: pg %.6f vf %.6f loss %.6f clipfrac %.3f" % (pg_loss.item(), vf_loss.item(), loss.item(),
                                                           clipfrac.item()), file=sys.stderr)


if __name__ == "__main__":
    main()
