#!/usr/bin/env python3
"""Writes the GPT-2 reference fixture used by attn's tests.

    .venv/bin/python tests/ref/gen_gpt2_fixture.py      (or: make fixtures)

Outputs (deterministic: running twice gives byte-identical files):
  tests/ref/gpt2_tiny/                  a tiny GPT2LMHeadModel saved by transformers
                                        (config.json, generation_config.json, model.safetensors)
  tests/ref/gpt2_tiny/fixture.safetensors
      input_ids        int32 (2, 8)
      targets          int32 (2, 8)     next tokens; targets[0,3] = targets[1,7] = -100 (ignored)
      logits           f32 (2, 8, 67)   model(input_ids).logits
      loss             f32 (1,)         mean cross-entropy over non-ignored targets
      grad.<name>      f32              d loss / d param, HF names and layout (Conv1D: (in, out))
      train_input_ids  int32 (10, 2, 8) 10 AdamW steps from the saved weights
      train_targets    int32 (10, 2, 8)
      train_losses     f32 (10,)        loss of step k, before optimizer step k
      train_lrs        f32 (10,)        learning rate of step k
      train_grad_norms f32 (10,)        total gradient L2 norm of step k, before clipping
      train_final.<name> f32            every parameter after the 10 steps
"""
import json
import math
import os
import shutil
import struct
import sys

import torch
import torch.nn.functional as F
import transformers
from safetensors.torch import save as st_save
from transformers import GPT2Config, GPT2LMHeadModel

SEED = 1234
HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "gpt2_tiny")

V, B, T = 67, 2, 8
TRAIN_STEPS, WARMUP, LR_MAX, LR_MIN = 10, 3, 1e-2, 1e-3
WEIGHT_DECAY, BETAS, EPS, CLIP = 0.1, (0.9, 0.95), 1e-8, 1.0
NO_DECAY_MATRICES = ("transformer.wte.weight", "transformer.wpe.weight")


def make_config():
    return GPT2Config(
        vocab_size=V, n_positions=16, n_embd=32, n_layer=2, n_head=4, n_inner=None,
        activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
        layer_norm_epsilon=1e-5, tie_word_embeddings=True, bos_token_id=66, eos_token_id=66,
    )


def reinit(model, gen):
    """Random values in every tensor, so the tests see each one (and any transpose)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if ".ln_" in name:
                if name.endswith(".weight"):
                    p.copy_(1.0 + 0.1 * noise)          # LayerNorm scale
                else:
                    p.copy_(0.1 * noise)                # LayerNorm offset
            else:
                p.copy_(0.1 * noise)                    # matrices, embeddings, biases


def next_token_batch(gen, *shape):
    """ids of shape (*shape, T) and their next-token targets (random last target)."""
    seq = torch.randint(0, V, (*shape, T + 1), generator=gen, dtype=torch.int64)
    return seq[..., :T].contiguous(), seq[..., 1:].contiguous()


def lm_loss(logits, targets):
    return F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1), ignore_index=-100)


def lr_at(step):
    if step < WARMUP:
        return LR_MAX * (step + 1) / WARMUP
    return LR_MIN + 0.5 * (LR_MAX - LR_MIN) * (1.0 + math.cos(math.pi * (step - WARMUP) / (TRAIN_STEPS - WARMUP)))


def save_canonical(tensors, path, metadata):
    """safetensors.torch.save_file, but byte-reproducible: safetensors writes the
    __metadata__ map in hash order (it changes from run to run), so put its keys in a
    fixed (sorted) order. Same length, so the header size and data offsets stand."""
    blob = st_save(tensors, metadata=metadata)
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    header["__metadata__"] = dict(sorted(header["__metadata__"].items()))
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    assert len(text) <= n, "header grew"
    with open(path, "wb") as f:
        f.write(blob[:8])
        f.write(text + b" " * (n - len(text)))
        f.write(blob[8 + n:])


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)

    model = GPT2LMHeadModel(make_config()).float()
    reinit(model, gen)
    model.eval()  # dropout is 0 anyway

    if os.path.isdir(OUT_DIR):
        shutil.rmtree(OUT_DIR)
    model.save_pretrained(OUT_DIR, safe_serialization=True)

    out = {}

    # ---- forward, loss, gradients ---------------------------------------------
    input_ids, targets = next_token_batch(gen, B)
    targets[0, 3] = -100
    targets[1, 7] = -100
    model.zero_grad(set_to_none=True)
    logits = model(input_ids).logits
    loss = lm_loss(logits, targets)
    loss.backward()
    out["input_ids"] = input_ids.to(torch.int32)
    out["targets"] = targets.to(torch.int32)
    out["logits"] = logits.detach().float().contiguous()
    out["loss"] = loss.detach().float().reshape(1)
    for name, p in model.named_parameters():
        out["grad." + name] = p.grad.detach().float().contiguous()

    # ---- 10 AdamW steps from the saved weights -----------------------------------
    model = GPT2LMHeadModel.from_pretrained(OUT_DIR, dtype=torch.float32)
    model.train()
    named = list(model.named_parameters())
    params = [p for _, p in named]
    decay = [p for n, p in named if p.dim() >= 2 and n not in NO_DECAY_MATRICES]
    no_decay = [p for n, p in named if not (p.dim() >= 2 and n not in NO_DECAY_MATRICES)]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": WEIGHT_DECAY}, {"params": no_decay, "weight_decay": 0.0}],
        lr=lr_at(0), betas=BETAS, eps=EPS, foreach=False, fused=False,
    )
    train_ids, train_tgt = next_token_batch(gen, TRAIN_STEPS, B)
    losses, lrs, norms = [], [], []
    for step in range(TRAIN_STEPS):
        opt.zero_grad(set_to_none=True)
        loss = lm_loss(model(train_ids[step]).logits, train_tgt[step])
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, CLIP)
        lr = lr_at(step)
        for g in opt.param_groups:
            g["lr"] = lr
        opt.step()
        losses.append(loss.item())
        lrs.append(lr)
        norms.append(float(norm))
    out["train_input_ids"] = train_ids.to(torch.int32)
    out["train_targets"] = train_tgt.to(torch.int32)
    out["train_losses"] = torch.tensor(losses, dtype=torch.float32)
    out["train_lrs"] = torch.tensor(lrs, dtype=torch.float32)
    out["train_grad_norms"] = torch.tensor(norms, dtype=torch.float32)
    for name, p in model.named_parameters():
        out["train_final." + name] = p.detach().float().contiguous()

    metadata = {
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "seed": str(SEED),
        "generator": "tests/ref/gen_gpt2_fixture.py",
    }
    save_canonical(out, os.path.join(OUT_DIR, "fixture.safetensors"), metadata)
    print("wrote %s (loss %.6f, train losses %s)" % (OUT_DIR, out["loss"].item(),
          " ".join("%.4f" % x for x in losses)), file=sys.stderr)


if __name__ == "__main__":
    main()
