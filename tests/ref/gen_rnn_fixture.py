#!/usr/bin/env python3
"""Writes the RNNsearch / RNNencdec reference fixtures used by tests/unit/test_rnn.c.

    .venv/bin/python tests/ref/gen_rnn_fixture.py

The models are written here in PyTorch from torch.nn.GRU (bidirectional encoder),
torch.nn.GRUCell (decoder) and torch.nn.Linear, as described in include/attn/rnn.h,
with small random sizes and random values in every tensor (biases included):

  tests/ref/rnnsearch_tiny/   RNNsearch, untied output
  tests/ref/rnnencdec_tiny/   RNNencdec, output tied to the target embeddings

Each directory holds config.json, model.safetensors (the module's state_dict) and
fixture.safetensors:

  src         int32 (B, S)      sources padded at the end with pad (rows of length S, 3, 1)
  tgt_in      int32 (B, T)      decoder inputs: bos, y_1 .. y_n, pad...
  tgt_out     int32 (B, T)      targets: y_1 .. y_n, eos, pad...
  logits      f32 (B, T, Vt)    teacher-forced logits
  attn        f32 (B, T, S)     attention weights (RNNsearch only)
  states      f32 (B, T, H)     decoder states s_1 .. s_T
  loss        f32 (1,)          mean cross-entropy over the non-pad targets
  grad.<name> f32               d loss / d parameter, for every parameter
  step_logprobs f32 (B, Vt)     log-softmax of the first decoding step (same as logits[:, 0])

Deterministic (seeded, one thread, float32).
"""
import json
import os
import shutil

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

SEED = 2015
HERE = os.path.dirname(os.path.abspath(__file__))
VS, VT, E, H, A, M = 23, 19, 8, 6, 7, 5
B, S, T = 3, 6, 5
PAD, BOS, EOS = 0, 1, 2


class RNNModel(nn.Module):
    def __init__(self, attention, tie):
        super().__init__()
        self.attention, self.tie = attention, tie
        m = E if tie else M
        self.src_embed = nn.Embedding(VS, E)
        self.tgt_embed = nn.Embedding(VT, E)
        self.encoder = nn.GRU(E, H, batch_first=True, bidirectional=True)
        self.init = nn.Linear(H, H)
        if attention:
            self.attn = nn.Module()
            self.attn.W = nn.Linear(H, A, bias=False)
            self.attn.U = nn.Linear(2 * H, A)
            self.attn.v = nn.Linear(A, 1, bias=False)
        self.decoder = nn.GRUCell(E + 2 * H, H)
        self.out = nn.Module()
        self.out.pre = nn.Linear(3 * H + E, 2 * m)
        if not tie:
            self.out.proj = nn.Linear(m, VT)
        else:
            self.out.proj_bias = nn.Parameter(torch.zeros(VT))
        self.m = m

    def forward(self, src, tgt_in):
        lengths = (src != PAD).sum(1)
        x = self.src_embed(src)
        packed = nn.utils.rnn.pack_padded_sequence(x, lengths.clamp(min=1), batch_first=True,
                                                   enforce_sorted=False)
        out, _ = self.encoder(packed)
        annot, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        fwd, bwd = annot[..., :H], annot[..., H:]
        s = torch.tanh(self.init(bwd[:, 0]))
        mask = torch.arange(src.shape[1])[None, :] < lengths[:, None]
        if self.attention:
            uh = self.attn.U(annot)
        else:
            last = (lengths - 1).clamp(min=0)
            c_fixed = torch.cat([fwd[torch.arange(src.shape[0]), last], bwd[:, 0]], -1)
        emb = self.tgt_embed(tgt_in)
        feats, states, weights = [], [], []
        for t in range(tgt_in.shape[1]):
            e = emb[:, t]
            if self.attention:
                scores = self.attn.v(torch.tanh(self.attn.W(s)[:, None, :] + uh)).squeeze(-1)
                a = torch.softmax(scores.masked_fill(~mask, float("-inf")), -1)
                c = (a[..., None] * annot).sum(1)
                weights.append(a)
            else:
                c = c_fixed
            s = self.decoder(torch.cat([e, c], -1), s)
            states.append(s)
            feats.append(torch.cat([s, e, c], -1))
        feat = torch.stack(feats, 1)
        pre = self.out.pre(feat)
        t_ = pre.view(*pre.shape[:-1], self.m, 2).max(-1).values
        if self.tie:
            logits = t_ @ self.tgt_embed.weight.T + self.out.proj_bias
        else:
            logits = self.out.proj(t_)
        attn = torch.stack(weights, 1) if weights else None
        return logits, torch.stack(states, 1), attn

    def attn_state_dict(self):
        """The state_dict under attn's names (the tied bias is out.proj.bias)."""
        sd = {k: v.detach().clone().contiguous() for k, v in self.state_dict().items()}
        if self.tie:
            sd["out.proj.bias"] = sd.pop("out.proj_bias")
        return sd

    def attn_grads(self):
        g = {}
        for k, p in self.named_parameters():
            g["out.proj.bias" if k == "out.proj_bias" else k] = p.grad.detach().clone().contiguous()
        return g


def batch(gen):
    lens_src, lens_tgt = [S, 3, 1], [T - 1, 2, 0]
    src = torch.full((B, S), PAD, dtype=torch.int64)
    tgt_in = torch.full((B, T), PAD, dtype=torch.int64)
    tgt_out = torch.full((B, T), PAD, dtype=torch.int64)
    for b in range(B):
        src[b, :lens_src[b]] = torch.randint(3, VS, (lens_src[b],), generator=gen)
        y = torch.randint(3, VT, (lens_tgt[b],), generator=gen)
        tgt_in[b, 0] = BOS
        tgt_in[b, 1:lens_tgt[b] + 1] = y
        tgt_out[b, :lens_tgt[b]] = y
        tgt_out[b, lens_tgt[b]] = EOS
    return src, tgt_in, tgt_out


def write(name, attention, tie, gen):
    torch.manual_seed(SEED)
    model = RNNModel(attention, tie)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.5)
    src, tgt_in, tgt_out = batch(gen)
    logits, states, attn = model(src, tgt_in)
    loss = F.cross_entropy(logits.reshape(-1, VT), tgt_out.reshape(-1), ignore_index=PAD)
    loss.backward()
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    cfg = {"model_type": "rnnsearch" if attention else "rnnencdec", "src_vocab_size": VS,
           "tgt_vocab_size": VT, "embed_size": E, "hidden_size": H, "maxout_size": model.m,
           "tie_word_embeddings": tie, "pad_token_id": PAD, "decoder_start_token_id": BOS,
           "eos_token_id": EOS}
    if attention:
        cfg["align_size"] = A
    with open(os.path.join(d, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
        f.write("\n")
    save_file(model.attn_state_dict(), os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
    fx = {"src": src.to(torch.int32), "tgt_in": tgt_in.to(torch.int32), "tgt_out": tgt_out.to(torch.int32),
          "logits": logits.detach().contiguous(), "states": states.detach().contiguous(),
          "loss": loss.detach().reshape(1),
          "step_logprobs": torch.log_softmax(logits[:, 0].detach(), -1).contiguous()}
    if attn is not None:
        fx["attn"] = attn.detach().contiguous()
    for k, v in model.attn_grads().items():
        fx["grad." + k] = v
    save_file(fx, os.path.join(d, "fixture.safetensors"),
              metadata={"made_by": f"gen_rnn_fixture.py, torch {torch.__version__}, seed {SEED}"})


def main():
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(SEED)
    write("rnnsearch_tiny", True, False, gen)
    write("rnnencdec_tiny", False, True, gen)


if __name__ == "__main__":
    main()
