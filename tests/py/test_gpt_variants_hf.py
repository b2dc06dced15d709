"""attn's GPT-2 variants (attn train --rotary/--qk-norm/--activation relu2/--untied-head/--zero-init-proj)
but --zero-init-proj are not what transformers' GPT2LMHeadModel computes, so transformers must not take
them for GPT-2: attn saves them as model_type attn_gpt2, which AutoConfig and AutoModelForCausalLM refuse
as unknown, while the same run without them (or with --zero-init-proj only) stays a gpt2 directory that
GPT2LMHeadModel loads."""
import json

import pytest

from conftest import CORPUS, run_attn


def train(tmp_path, name, *options):
    corpus = tmp_path / "corpus.txt"
    if not corpus.exists():
        corpus.write_bytes(CORPUS.read_bytes()[:8192])
        run_attn("prepare", "-t", "char", "-o", tmp_path / "data", corpus)
    out = tmp_path / name
    run_attn("train", "--data", tmp_path / "data", "--out", out, "--layers", 1, "--heads", 2, "--width", 16,
             "--context", 16, "--batch", 2, "--steps", 2, "--quiet", *options)
    return out


@pytest.mark.parametrize("options", [("--rotary",), ("--qk-norm",), ("--activation", "relu2"), ("--untied-head",)])
def test_transformers_refuses_a_variant(tmp_path, options):
    from transformers import AutoConfig, AutoModelForCausalLM
    out = train(tmp_path, "variant", *options)
    assert json.loads((out / "config.json").read_text())["model_type"] == "attn_gpt2"
    with pytest.raises((ValueError, KeyError)):
        AutoConfig.from_pretrained(out)
    with pytest.raises((ValueError, KeyError)):
        AutoModelForCausalLM.from_pretrained(out)


@pytest.mark.parametrize("options", [(), ("--zero-init-proj",)])
def test_the_plain_run_stays_gpt2(tmp_path, options):
    """zero-initialised projections change the initialisation only: the model is still GPT-2."""
    from transformers import GPT2LMHeadModel
    out = train(tmp_path, "plain", *options)
    config = json.loads((out / "config.json").read_text())
    assert config["model_type"] == "gpt2" and config.get("zero_init_proj", False) == bool(options)
    model = GPT2LMHeadModel.from_pretrained(out)
    assert model.config.n_layer == 1
