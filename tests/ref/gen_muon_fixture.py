#!/usr/bin/env python3
"""Writes the Muon reference fixture: three steps of torch.optim.Muon on a wide and a tall
matrix from given weights and gradients, for tests/unit/test_muon.c.

    .venv/bin/python tests/ref/gen_muon_fixture.py      (or: make fixtures)

torch.optim.Muon runs its Newton-Schulz iteration in bfloat16; attn runs it in float32. The
fixture is made with torch's own step (its momentum buffer, Nesterov mix, shape scale and
decoupled weight decay) and its Newton-Schulz function, with the one bfloat16 cast inside that
function made a float32 one, so the comparison tests the algorithm rather than bf16 rounding.

Output (deterministic), tests/ref/muon_tiny/muon.safetensors, for each case c in wide (24, 40)
and tall (40, 24):
  c.w0        f32 (r, c)     the weights before the first step
  c.g{1,2,3}  f32 (r, c)     the gradient of each step
  c.w{1,2,3}  f32 (r, c)     the weights after each step
  c.m3        f32 (r, c)     the momentum buffer after the third step
  hparams     f32 (4)        lr, momentum, weight decay, Newton-Schulz eps
"""
import os
import sys
import types

import torch
import torch.optim._muon as muon_impl

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_gpt2_fixture import save_canonical  # noqa: E402

OUT = os.path.join(HERE, "muon_tiny")
SEED = 2024
LR, MOMENTUM, WD = 0.02, 0.95, 0.1
CASES = {"wide": (24, 40), "tall": (40, 24)}


def float32_newton_schulz():
    """torch's _zeropower_via_newtonschulz with its module's torch.bfloat16 read as float32."""
    proxy = types.SimpleNamespace(**{k: getattr(torch, k) for k in dir(torch) if not k.startswith("__")})
    proxy.bfloat16 = torch.float32
    fn = muon_impl._zeropower_via_newtonschulz
    g = dict(fn.__globals__)
    g["torch"] = proxy
    return types.FunctionType(fn.__code__, g, fn.__name__, fn.__defaults__, fn.__closure__)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    muon_impl._zeropower_via_newtonschulz = float32_newton_schulz()
    tensors = {}
    for name, shape in CASES.items():
        w = torch.nn.Parameter(torch.randn(shape) * 0.1)
        tensors[f"{name}.w0"] = w.detach().clone()
        opt = torch.optim.Muon([w], lr=LR, momentum=MOMENTUM, weight_decay=WD, nesterov=True)
        for s in range(1, 4):
            g = torch.randn(shape)
            w.grad = g.clone()
            opt.step()
            tensors[f"{name}.g{s}"] = g
            tensors[f"{name}.w{s}"] = w.detach().clone()
        tensors[f"{name}.m3"] = opt.state[w]["momentum_buffer"].clone()
        eps = opt.param_groups[0]["eps"]
    tensors["hparams"] = torch.tensor([LR, MOMENTUM, WD, eps], dtype=torch.float32)
    os.makedirs(OUT, exist_ok=True)
    save_canonical({k: v.contiguous() for k, v in tensors.items()}, os.path.join(OUT, "muon.safetensors"),
                   {"torch": torch.__version__})


if __name__ == "__main__":
    main()
