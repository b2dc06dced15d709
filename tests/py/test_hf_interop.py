"""attn <-> transformers: each loads the other's GPT-2 checkpoints and gets the same numbers."""
import json

import torch
from safetensors.torch import load_file

from conftest import (CORPUS, REF_DIR, assert_same_greedy, assert_score_matches, int_line,
                      load_hf, read_shard, reference_greedy, reinit_random, run_attn,
                      write_char_tokenizer)


def test_hf_loads_attn_checkpoint(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:16384])
    data, out = tmp_path / "data", tmp_path / "model"
    run_attn("prepare", "-t", "char", "-o", data, corpus)
    for f in ("train.bin", "val.bin", "tokenizer.json", "meta.json"):
        assert (data / f).is_file(), "prepare wrote no %s" % f
    train, _ = read_shard(data / "train.bin")
    val, val_hdr = read_shard(data / "val.bin")
    assert len(train) > 1000 and len(val) >= 20, (len(train), len(val))

    run_attn("train", "--data", data, "--out", out, "--layers", 2, "--heads", 2, "--width", 32,
             "--context", 32, "--batch", 4, "--steps", 20, "--seed", 1, timeout=900)
    for f in ("config.json", "model.safetensors", "tokenizer.json"):
        assert (out / f).is_file(), "train wrote no %s" % f

    model = load_hf(out)
    cfg = model.config
    assert (cfg.n_layer, cfg.n_head, cfg.n_embd, cfg.n_positions) == (2, 2, 32, 32), cfg
    assert cfg.vocab_size >= val_hdr["vocab_size"], (cfg.vocab_size, val_hdr)

    ids = val[:100]                          # > context: scores several chunks
    assert_score_matches(out, model, ids, tmp_path)

    prompt = [int(t) for t in val[:3]]
    got = int_line(run_attn("generate", "-m", out, "--ids", " ".join(map(str, prompt)),
                            "-n", 10, "--temperature", 0, "--print-ids"))
    assert_same_greedy(got, reference_greedy(model, prompt, 10), cfg.eos_token_id, model, prompt)


def test_attn_loads_hf_checkpoint(tmp_path):
    from transformers import GPT2Config, GPT2LMHeadModel
    torch.manual_seed(4321)
    cfg = GPT2Config(vocab_size=67, n_positions=32, n_embd=32, n_layer=2, n_head=4,
                     activation_function="gelu_new", resid_pdrop=0.0, embd_pdrop=0.0,
                     attn_pdrop=0.0, bos_token_id=66, eos_token_id=66)
    hf = GPT2LMHeadModel(cfg)
    reinit_random(hf, seed=4321)
    model_dir = tmp_path / "hf"
    hf.save_pretrained(str(model_dir), safe_serialization=True)
    write_char_tokenizer(model_dir)
    model = load_hf(model_dir)

    gen = torch.Generator().manual_seed(7)
    ids = torch.randint(0, 67, (100,), generator=gen).tolist()     # chunks of 32, 32, 32, 4
    assert_score_matches(model_dir, model, ids, tmp_path)

    prompt = [1, 2, 3]
    got = int_line(run_attn("generate", "-m", model_dir, "--ids", "1 2 3", "-n", 10,
                            "--temperature", 0, "--print-ids"))
    assert_same_greedy(got, reference_greedy(model, prompt, 10), cfg.eos_token_id, model, prompt)


def test_fixture_is_current():
    model = load_hf(REF_DIR / "gpt2_tiny")
    fx = load_file(str(REF_DIR / "gpt2_tiny" / "fixture.safetensors"))
    with torch.no_grad():
        logits = model(fx["input_ids"].long()).logits
    torch.testing.assert_close(logits, fx["logits"], atol=1e-5, rtol=0)
    loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]),
                                             fx["targets"].long().reshape(-1), ignore_index=-100)
    torch.testing.assert_close(loss.reshape(1), fx["loss"], atol=1e-5, rtol=0)
    names = {n for n, _ in model.named_parameters()}
    assert {k[len("grad."):] for k in fx if k.startswith("grad.")} == names
    assert json.loads((REF_DIR / "gpt2_tiny" / "config.json").read_text())["vocab_size"] == 67
