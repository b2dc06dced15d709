"""attn score --context / --stride against transformers: rotary (Llama) and ALiBi (BLOOM) fixtures
scored over windows longer than their max_position_embeddings / seq_length (32), as transformers
computes them (positions past the configured count are defined for both), with every token scored
once by sliding windows; the learned positions of GPT-2 are refused past n_positions."""
import math
import subprocess

import numpy as np
import pytest
import torch

from conftest import REPO, attn_bin, json_line, load_hf, run_attn, write_ids

FIXTURES = {"llama_tied": "LlamaForCausalLM", "bloom_tiny": "BloomForCausalLM"}


@torch.no_grad()
def strided_nll(model, ids, window, stride):
    """The definition in attn_model_score_windows: targets 1..n-1 in blocks of `stride`; a block
    [b, e) is predicted by one forward over ids[max(0, e-1-window) : e-1]."""
    total, count = 0.0, 0
    for b in range(1, len(ids), stride):
        e = min(b + stride, len(ids))
        s = max(0, e - 1 - window)
        x = torch.tensor(ids[s:e - 1])[None]
        logp = torch.log_softmax(model(x).logits[0].double(), dim=-1)
        for t in range(b, e):
            total -= logp[t - 1 - s, ids[t]].item()
            count += 1
    return total / count, count


@pytest.mark.parametrize("name", sorted(FIXTURES))
@pytest.mark.parametrize("window,stride", [(96, 0), (128, 32), (64, 64), (32, 8)])
def test_long_window_matches_transformers(name, window, stride, tmp_path):
    import transformers
    model_dir = REPO / "tests" / "ref" / name
    model = load_hf(model_dir, getattr(transformers, FIXTURES[name]))
    ids = torch.randint(0, model.config.vocab_size, (300,), generator=torch.Generator().manual_seed(7)).tolist()
    ids_file = tmp_path / "ids.txt"
    write_ids(ids_file, ids)
    args = ["score", "-m", model_dir, "--ids", ids_file, "--json", "--context", window]
    if stride:
        args += ["--stride", stride]
        want, count = strided_nll(model, ids, window, stride)
        assert count == len(ids) - 1
    else:  # consecutive windows of `window` tokens, each scored but for its first token
        total, count = 0.0, 0
        with torch.no_grad():
            for s in range(0, len(ids), window):
                chunk = torch.tensor(ids[s:s + window])
                if len(chunk) < 2:
                    continue
                logp = torch.log_softmax(model(chunk[None]).logits[0].double(), dim=-1)
                total -= logp[:-1].gather(1, chunk[1:, None]).sum().item()
                count += len(chunk) - 1
        want = total / count
    got = json_line(run_attn(*args))
    assert int(got["tokens"]) == count
    assert math.isclose(got["nll"], want, rel_tol=1e-4), "%s window %d stride %d: attn %r, transformers %r" % (
        name, window, stride, got["nll"], want)


def test_same_tokens_at_every_window(tmp_path):
    """With --stride the scored token count does not depend on --context."""
    model_dir = REPO / "tests" / "ref" / "bloom_tiny"
    ids_file = tmp_path / "ids.txt"
    write_ids(ids_file, list(np.arange(500) % 60))
    counts = {int(json_line(run_attn("score", "-m", model_dir, "--ids", ids_file, "--json", "--context", w,
                                     "--stride", 16))["tokens"]) for w in (16, 32, 128, 256)}
    assert counts == {499}


def test_learned_positions_refused(tmp_path):
    ids_file = tmp_path / "ids.txt"
    write_ids(ids_file, list(range(60)))
    model_dir = REPO / "tests" / "ref" / "gpt2_tiny"
    r = subprocess.run([str(attn_bin()), "score", "-m", str(model_dir), "--ids", str(ids_file), "--context", "1000"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.startswith("attn score: error: ") and "learned" in r.stderr and "position" in r.stderr, r.stderr
