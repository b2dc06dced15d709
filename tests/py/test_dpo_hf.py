"""attn train --objective dpo end to end against transformers + PyTorch: a random GPT2LMHeadModel
saved by transformers, a byte-level BPE with ChatML's tokens (trained by attn), and preference
pairs of both kinds (message lists rendered with ChatML, plain strings). The first step's loss and
gradient norm, read from OUT/train_log.jsonl, must equal those PyTorch computes from the same
rule: each row is the prompt's tokens then the completion's (encoded separately with
`tokenizers`; for message lists the prompt rendered with the generation prompt and the
completion as what the rendering with it adds), log-probabilities summed over the completion,
DPO's -log sigmoid(beta u) or IPO's (u - 1/(2 beta))^2 over per-token means, with the reference
equal to the policy at step 1 (1e-5 relative)."""
import json

import pytest
import torch
import torch.nn.functional as F
from tokenizers import Tokenizer
from transformers import GPT2Config, GPT2LMHeadModel

from conftest import CORPUS, run_attn

BETA = 0.3
PAIRS = [
    {"prompt": [{"role": "user", "content": "Name a colour."}],
     "chosen": [{"role": "assistant", "content": "Blue."}],
     "rejected": [{"role": "assistant", "content": "A colour is a property of light, and there are many."}]},
    {"prompt": "The sister walked to the", "chosen": " garden.", "rejected": " house in the rain"},
    {"prompt": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Tea or rain?"}],
     "chosen": "Tea, always.", "rejected": [{"role": "assistant", "content": "Rain — 雨."}]},
]


def chatml(messages, gen):
    s = "".join("<|im_start|>%s\n%s<|im_end|>\n" % (m["role"], m["content"]) for m in messages)
    return s + ("<|im_start|>assistant\n" if gen else "")


def texts(pair, key):
    """(prompt text, completion text) by attn's rule."""
    p, c = pair["prompt"], pair[key]
    if isinstance(p, str) and isinstance(pair["chosen"], str) and isinstance(pair["rejected"], str):
        return p, c
    p = [{"role": "user", "content": p}] if isinstance(p, str) else p
    c = [{"role": "assistant", "content": c}] if isinstance(c, str) else c
    prompt = chatml(p, True)
    full = chatml(p + c, False)
    assert full.startswith(prompt)
    return prompt, full[len(prompt):]


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    d = tmp_path_factory.mktemp("dpo_hf")
    text = d / "a.txt"
    text.write_bytes(CORPUS.read_bytes()[:20000])
    model_dir = d / "model"
    run_attn("tokenizer", "train", "--type", "bpe", "--vocab-size", "300", "--special-tokens",
             "<|endoftext|>,<|im_start|>,<|im_end|>", "-o", model_dir, text)
    torch.manual_seed(7)
    cfg = GPT2Config(vocab_size=300, n_positions=64, n_embd=32, n_layer=2, n_head=2, resid_pdrop=0.0,
                     embd_pdrop=0.0, attn_pdrop=0.0, bos_token_id=0, eos_token_id=0)
    GPT2LMHeadModel(cfg).save_pretrained(model_dir, safe_serialization=True)
    data = d / "pairs.jsonl"
    data.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAIRS), encoding="utf-8")
    return d, model_dir, data


def reference_step(model_dir, ipo):
    """PyTorch's first-step loss and gradient norm."""
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    model = GPT2LMHeadModel.from_pretrained(model_dir, dtype=torch.float32)
    model.eval()
    lps = []
    for pair in PAIRS:
        for key in ("chosen", "rejected"):
            p, c = texts(pair, key)
            pi = tok.encode(p, add_special_tokens=False).ids
            ci = tok.encode(c, add_special_tokens=False).ids
            ids = torch.tensor([pi + ci])
            logp = torch.log_softmax(model(ids).logits[0, :-1].double(), -1)
            tg = ids[0, 1:]
            lp = logp[len(pi) - 1:].gather(-1, tg[len(pi) - 1:].unsqueeze(-1)).sum()
            lps.append(lp / len(ci) if ipo else lp)
    lp = torch.stack(lps)
    ref = lp.detach()
    u = (lp[0::2] - ref[0::2]) - (lp[1::2] - ref[1::2])
    loss = ((u - 1 / (2 * BETA)) ** 2).mean() if ipo else -F.logsigmoid(BETA * u).mean()
    loss.backward()
    norm = torch.sqrt(sum((p.grad.double() ** 2).sum() for p in model.parameters() if p.grad is not None))
    return loss.item(), norm.item()


@pytest.mark.parametrize("ipo", [False, True], ids=["sigmoid", "ipo"])
def test_first_step_matches_pytorch(setup, ipo):
    d, model_dir, data = setup
    out = d / ("out_ipo" if ipo else "out_sigmoid")
    args = ["train", "--objective", "dpo", "--init", model_dir, "--data", data, "--out", out, "--steps", "1",
            "--batch", str(len(PAIRS)), "--beta", str(BETA), "--clip", "0", "--threads", "1", "--quiet"]
    run_attn(*(args + (["--ipo"] if ipo else [])))
    log = json.loads((out / "train_log.jsonl").read_text().splitlines()[0])
    want_loss, want_norm = reference_step(model_dir, ipo)
    assert log["loss"] == pytest.approx(want_loss, rel=1e-5)
    assert log["grad_norm"] == pytest.approx(want_norm, rel=1e-5)
