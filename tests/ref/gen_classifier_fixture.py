#!/usr/bin/env python3
"""Writes the classifier reference fixtures used by tests/unit/test_classify.c.

    .venv/bin/python tests/ref/gen_classifier_fixture.py

Tiny random models saved by transformers' save_pretrained, each with fixture.safetensors:

  tests/ref/bert_cls/      BertForSequenceClassification (3 labels, named), pooler + classifier
  tests/ref/roberta_cls/   RobertaForSequenceClassification (3 labels): classifier.dense + out_proj on <s>
  tests/ref/bert_tok/      BertForTokenClassification (4 labels): a classifier on every token
  tests/ref/bert_pretrain/ BertForPreTraining: masked-LM head + next-sentence head
  tests/ref/gpt2_cls/      GPT2ForSequenceClassification (3 labels, pad_token_id 0): score on the
                           last real token

fixture.safetensors:
  input_ids, attention_mask, token_type_ids (BERT)   int32 (B, T); row 1 padded on the right
  logits        f32 (B, L), or (B, T, L) for the token classifier
  labels        int32 (B), or (B, T) with -1 at padding
  mlm_logits, nsp_logits, mlm_labels, nsp_labels     bert_pretrain only
  loss          f32 (1,)  cross-entropy of the logits against the labels (pretraining: MLM + NSP)
  grad.<name>   f32       d loss / d parameter (transformers' names)
Deterministic (seeded, one thread); dropout is 0.
"""
import os
import sys

import torch
import torch.nn.functional as F
from transformers import (BertForPreTraining, BertForSequenceClassification, BertForTokenClassification,
                          GPT2Config, GPT2ForSequenceClassification, RobertaForSequenceClassification)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from gen_bert_fixture import (B, T, V, batch, bert_config, metadata, reinit, roberta_config,  # noqa: E402
                              save_canonical, write_dir)

SEED = 8765
NAMES = ["negative", "neutral", "positive"]


def with_labels(cfg, n, names=None):
    cfg.num_labels = n
    if names:
        cfg.id2label = dict(enumerate(names))
        cfg.label2id = {v: k for k, v in enumerate(names)}
    return cfg


def grads(model, out):
    for pname, p in model.named_parameters():
        if p.grad is not None:
            out["grad." + pname] = p.grad.detach().float().contiguous()


def classifier_fixture(name, model, gen, pad, with_types, token_level):
    model.eval()
    out_dir = write_dir(name, model)
    ids, mask, types, _ = batch(gen, pad)
    L = model.config.num_labels
    if token_level:
        labels = torch.randint(0, L, (B, T), generator=gen)
        labels[mask == 0] = -100
    else:
        labels = torch.randint(0, L, (B,), generator=gen)
    kw = {"token_type_ids": types} if with_types else {}
    model.zero_grad(set_to_none=True)
    logits = model(input_ids=ids, attention_mask=mask, **kw).logits
    loss = F.cross_entropy(logits.reshape(-1, L), labels.reshape(-1), ignore_index=-100)
    loss.backward()
    out = {"input_ids": ids.int(), "attention_mask": mask.int(), "logits": logits.detach().float().contiguous(),
           "labels": torch.where(labels < 0, -1, labels).int(), "loss": loss.detach().float().reshape(1)}
    if with_types:
        out["token_type_ids"] = types.int()
    grads(model, out)
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata())
    print("wrote %s (loss %.6f)" % (out_dir, loss.item()), file=sys.stderr)


def pretrain_fixture(gen):
    cfg = bert_config()
    model = BertForPreTraining(cfg).float()
    reinit(model, gen)
    model.eval()
    out_dir = write_dir("bert_pretrain", model)
    ids, mask, types, mlm_labels = batch(gen, 0)
    nsp_labels = torch.tensor([0, 1])
    model.zero_grad(set_to_none=True)
    r = model(input_ids=ids, attention_mask=mask, token_type_ids=types)
    loss = F.cross_entropy(r.prediction_logits.reshape(-1, V), mlm_labels.reshape(-1), ignore_index=-100) + \
        F.cross_entropy(r.seq_relationship_logits, nsp_labels)
    loss.backward()
    out = {"input_ids": ids.int(), "attention_mask": mask.int(), "token_type_ids": types.int(),
           "mlm_logits": r.prediction_logits.detach().float().contiguous(),
           "nsp_logits": r.seq_relationship_logits.detach().float().contiguous(),
           "mlm_labels": torch.where(mlm_labels < 0, -1, mlm_labels).int(), "nsp_labels": nsp_labels.int(),
           "loss": loss.detach().float().reshape(1)}
    grads(model, out)
    save_canonical(out, os.path.join(out_dir, "fixture.safetensors"), metadata())
    print("wrote %s (loss %.6f)" % (out_dir, loss.item()), file=sys.stderr)


def gpt2_fixture(gen):
    cfg = GPT2Config(vocab_size=V, n_positions=16, n_embd=32, n_layer=2, n_head=4, n_inner=48,
                     resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, pad_token_id=0,
                     bos_token_id=2, eos_token_id=2)
    model = GPT2ForSequenceClassification(with_labels(cfg, 3, NAMES)).float()
    reinit(model, gen)
    classifier_fixture("gpt2_cls", model, gen, pad=0, with_types=False, token_level=False)


def main():
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    gen = torch.Generator().manual_seed(SEED)

    m = BertForSequenceClassification(with_labels(bert_config(), 3, NAMES)).float()
    reinit(m, gen)
    classifier_fixture("bert_cls", m, gen, pad=0, with_types=True, token_level=False)

    m = RobertaForSequenceClassification(with_labels(roberta_config(), 3)).float()
    reinit(m, gen)
    classifier_fixture("roberta_cls", m, gen, pad=1, with_types=False, token_level=False)

    m = BertForTokenClassification(with_labels(bert_config(), 4)).float()
    reinit(m, gen)
    classifier_fixture("bert_tok", m, gen, pad=0, with_types=True, token_level=True)

    pretrain_fixture(gen)
    gpt2_fixture(gen)


if __name__ == "__main__":
    main()
