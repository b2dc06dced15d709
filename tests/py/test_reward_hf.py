"""attn train --objective reward against transformers + PyTorch: a random one-label
GPT2ForSequenceClassification saved by transformers (its head kept by attn), a byte-level BPE
with ChatML's tokens, and the preference pairs of test_dpo_hf.py (message lists rendered with
ChatML, plain strings joined). The first step's Bradley-Terry loss -log sigmoid(r_chosen -
r_rejected) and gradient norm, read from OUT/train_log.jsonl, must equal PyTorch's (1e-5
relative), and OUT must load in transformers as the same kind of model."""
import json

import pytest
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer
from transformers import GPT2Config, GPT2ForSequenceClassification

from conftest import CORPUS, run_attn
from test_dpo_hf import PAIRS, chatml


def full_text(pair, key):
    p, c = pair["prompt"], pair[key]
    if isinstance(p, str) and isinstance(pair["chosen"], str) and isinstance(pair["rejected"], str):
        return p + c
    p = [{"role": "user", "content": p}] if isinstance(p, str) else p
    c = [{"role": "assistant", "content": c}] if isinstance(c, str) else c
    return chatml(p + c, False)


def test_first_step_matches_pytorch(tmp_path):
    text = tmp_path / "a.txt"
    text.write_bytes(CORPUS.read_bytes()[:20000])
    model_dir = tmp_path / "model"
    run_attn("tokenizer", "train", "--type", "bpe", "--vocab-size", "300", "--special-tokens",
             "<|endoftext|>,<|im_start|>,<|im_end|>", "-o", model_dir, text)
    torch.manual_seed(11)
    cfg = GPT2Config(vocab_size=300, n_positions=64, n_embd=32, n_layer=2, n_head=2, resid_pdrop=0.0, embd_pdrop=0.0,
                     attn_pdrop=0.0, bos_token_id=0, eos_token_id=0, pad_token_id=0, num_labels=1)
    GPT2ForSequenceClassification(cfg).save_pretrained(model_dir, safe_serialization=True)
    data = tmp_path / "pairs.jsonl"
    data.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAIRS), encoding="utf-8")
    out = tmp_path / "out"
    run_attn("train", "--objective", "reward", "--init", model_dir, "--data", data, "--out", out, "--steps", "1",
             "--batch", str(len(PAIRS)), "--clip", "0", "--threads", "1", "--quiet")
    log = json.loads((out / "train_log.jsonl").read_text().splitlines()[0])

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    model = GPT2ForSequenceClassification.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()
    r = []
    for pair in PAIRS:
        for key in ("chosen", "rejected"):
            ids = torch.tensor([tok.encode(full_text(pair, key)).ids])
            r.append(model(ids).logits[0, 0].double())
    r = torch.stack(r)
    loss = -F.logsigmoid(r[0::2] - r[1::2]).mean()
    loss.backward()
    norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters() if p.grad is not None))
    assert log["loss"] == pytest.approx(loss.item(), rel=1e-5)
    assert log["grad_norm"] == pytest.approx(norm.item(), rel=1e-5)
    trained = GPT2ForSequenceClassification.from_pretrained(out)
    assert trained.config.num_labels == 1
