#!/usr/bin/env python3
"""Writes the encoder-decoder reference fixtures used by tests/unit/test_encdec.c.

    .venv/bin/python tests/ref/gen_bart_fixture.py

Two tiny random models saved by transformers' save_pretrained (config.json +
model.safetensors with transformers' own names), each with fixture.safetensors beside it:

  tests/ref/bart_tiny/    BartForConditionalGeneration (learned positions offset 2,
                          layernorm_embedding, GELU, scale_embedding, final_logits_bias);
                          loss without label smoothing
  tests/ref/marian_tiny/  MarianMTModel as the Transformer of Vaswani et al. (static
                          sinusoidal positions from 0, ReLU, scale_embedding, shared and
                          tied embeddings); loss with label smoothing 0.1

fixture.safetensors:
  input_ids          int32 (B, S)    sources of different lengths, right-padded with pad_token_id
  attention_mask     int32 (B, S)    1 = real token (input_ids != pad)
  decoder_input_ids  int32 (B, T)    labels shifted right after decoder_start_token_id
  labels             int32 (B, T)    targets; -1 = padding (ignored)
  enc_hidden         f32 (B, S, C)   encoder last hidden state
  dec_hidden         f32 (B, T, C)   decoder last hidden state
  logits             f32 (B, T, V)
  loss               f32 (1,)        mean token cross-entropy, label_smoothing as above
  label_smoothing    f32 (1,)
  grad.<name>        f32             d loss / d parameter (transformers' names)
  greedy             int32 (B, Lg)   generate(num_beams=1, max_length=GREEDY_MAX), pad after eos
  beam               int32 (B*2, Lb) generate(num_beams=4, length_penalty=BEAM_LP,
                                     num_return_sequences=2, early_stopping=True, max_length=BEAM_MAX)
  beam_never         int32 (B*2, Ln) the same with early_stopping="never", length_penalty 0.6,
                                     min_length 4
  gen_settings       int32 (3,)      GREEDY_MAX, BEAM_MAX, min_length of beam_never
Sequences start with decoder_start_token_id, as generate returns them.
Deterministic (seeded, one thread); dropout is 0.
"""
import os
import shutil

import torch
import torch.nn.functional as F
import transformers
from transformers import BartConfig, BartForConditionalGeneration, MarianConfig, MarianMTModel

from gen_bert_fixture import save_canonical

SEED = 2718
HERE = os.path.dirname(os.path.abspath(__file__))
V, C, B, S, T = 61, 32, 3, 9, 7
GREEDY_MAX, BEAM_MAX, MIN_LEN = 12, 11, 4
BEAM_LP = 1.7


def common(pad, eos, bos, start, act, scale):
    return dict(vocab_size=V, d_model=C, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
                decoder_attention_heads=4, encoder_ffn_dim=48, decoder_ffn_dim=40, max_position_embeddings=16,
                dropout=0.0, attention_dropout=0.0, activation_dropout=0.0, activation_function=act,
                scale_embedding=scale, pad_token_id=pad, eos_token_id=eos, bos_token_id=bos,
                decoder_start_token_id=start, forced_eos_token_id=eos)


def reinit(model, gen, eos, boost):
    """Random values in every trainable tensor, so the tests see each one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if not p.requires_grad:
                continue
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            if "layer_norm" in name or "layernorm" in name:
                p.copy_(1.0 + 0.1 * noise if name.endswith(".weight") else 0.1 * noise)
            else:
                p.copy_(0.2 * noise)
        bias = 0.3 * torch.randn((1, V), generator=gen)
        bias[0, eos] += boost  # eos competes with the other tokens, so hypotheses end at different lengths
        model.final_logits_bias.copy_(bias)


def batch(gen, pad, eos, start):
    lo = 3  # below every non-special id in both configurations (specials: 0, 1, 2 and V - 1)
    ids = torch.randint(lo, V - 1, (B, S), generator=gen, dtype=torch.int64)
    lens = [S, S - 3, 4]
    for b, n in enumerate(lens):
        ids[b, n - 1] = eos
        ids[b, n:] = pad
    mask = (ids != pad).long()
    labels = torch.randint(lo, V - 1, (B, T), generator=gen, dtype=torch.int64)
    for b, n in enumerate([T, T - 2, 3]):
        labels[b, n - 1] = eos
        labels[b, n:] = -100
    dec_in = torch.full_like(labels, pad)
    dec_in[:, 0] = start
    dec_in[:, 1:] = torch.where(labels[:, :-1] < 0, pad, labels[:, :-1])
    return ids, mask, dec_in, labels


def pad_to(seqs, n, pad):
    out = torch.full((seqs.shape[0], n), pad, dtype=torch.int32)
    out[:, :seqs.shape[1]] = seqs.int()
    return out


def fixture(name, model, gen, cfg, eps):
    model.eval()
    pad, eos, start = cfg.pad_token_id, cfg.eos_token_id, cfg.decoder_start_token_id
    out_dir = os.path.join(HERE, name)
    if os.path.isdir(out_dir):
        shutil.rmtree(out_dir)
    model.save_pretrained(out_dir, safe_serialization=True)
    ids, mask, dec_in, labels = batch(gen, pad, eos, start)
    r = model(input_ids=ids, attention_mask=mask, decoder_input_ids=dec_in, output_hidden_states=True)
    loss = F.cross_entropy(r.logits.reshape(-1, V), labels.reshape(-1), ignore_index=-100, label_smoothing=eps)
    model.zero_grad()
    loss.backward()
    out = {
        "input_ids": ids.int(), "attention_mask": mask.int(), "decoder_input_ids": dec_in.int(),
        "labels": torch.where(labels < 0, -1, labels).int(),
        "enc_hidden": r.encoder_last_hidden_state.detach().contiguous(),
        "dec_hidden": r.decoder_hidden_states[-1].detach().contiguous(),
        "logits": r.logits.detach().contiguous(),
        "loss": loss.detach().reshape(1), "label_smoothing": torch.tensor([eps], dtype=torch.float32),
    }
    seen = set()
    for pname, p in model.named_parameters():
        if p.grad is None or id(p) in seen:
            continue
        seen.add(id(p))
        out["grad." + pname] = p.grad.detach().clone().contiguous()
    with torch.no_grad():
        greedy = model.generate(input_ids=ids, attention_mask=mask, num_beams=1, do_sample=False,
                                max_length=GREEDY_MAX)
        beam = model.generate(input_ids=ids, attention_mask=mask, num_beams=4, do_sample=False,
                              length_penalty=BEAM_LP, num_return_sequences=2, early_stopping=True,
                              max_length=BEAM_MAX)
        never = model.generate(input_ids=ids, attention_mask=mask, num_beams=4, do_sample=False,
                               length_penalty=0.6, num_return_sequences=2, early_stopping="never",
                               max_length=BEAM_MAX, min_length=MIN_LEN)
    out["greedy"] = pad_to(greedy, GREEDY_MAX, pad)
    out["beam"] = pad_to(beam, BEAM_MAX, pad)
    out["beam_never"] = pad_to(never, BEAM_MAX, pad)
    out["gen_settings"] = torch.tensor([GREEDY_MAX, BEAM_MAX, MIN_LEN], dtype=torch.int32)
    meta = {"torch": torch.__version__, "transformers": transformers.__version__, "seed": str(SEED),
            "generator": "tests/ref/gen_bart_fixture.py"}
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), meta)
    print(name, "greedy", greedy.tolist())
    print(name, "beam", beam.tolist())
    print(name, "never", never.tolist())


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(SEED)
    bart_cfg = BartConfig(**common(pad=1, eos=2, bos=0, start=2, act="gelu", scale=True))
    bart = BartForConditionalGeneration(bart_cfg)
    reinit(bart, gen, 2, 2.7)
    fixture("bart_tiny", bart, gen, bart_cfg, 0.0)
    marian_cfg = MarianConfig(**common(pad=V - 1, eos=0, bos=None, start=V - 1, act="relu", scale=True),
                              share_encoder_decoder_embeddings=True)
    marian = MarianMTModel(marian_cfg)
    reinit(marian, gen, 0, 1.6)
    fixture("marian_tiny", marian, gen, marian_cfg, 0.1)


if __name__ == "__main__":
    main()
