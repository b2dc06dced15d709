"""attn <-> transformers for BLOOM: a model attn trains (`attn train --arch bloom`, 6 heads: ALiBi
slopes of a head count that is not a power of two) loads in BloomForCausalLM with every tensor
used and gives attn's scores and greedy tokens; a BLOOM that transformers saves (4 heads) scores
and generates the same in attn."""
import torch

from conftest import (CORPUS, assert_same_greedy, assert_score_matches, int_line, load_hf, read_shard,
                      reference_greedy, reinit_random, run_attn, write_char_tokenizer)


def load_bloom(model_dir):
    from transformers import BloomForCausalLM
    return load_hf(model_dir, BloomForCausalLM)


def check_same(model_dir, model, ids, prompt, tmp_path):
    """attn score's NLL and attn generate's greedy ids equal transformers'."""
    assert_score_matches(model_dir, model, ids, tmp_path)
    gen = int_line(run_attn("generate", "-m", model_dir, "--ids", " ".join(map(str, prompt)), "-n", 10,
                            "--temperature", 0, "--print-ids", "--no-stop"))
    assert_same_greedy(gen, reference_greedy(model, prompt, 10), None, model, prompt)


def test_hf_loads_attn_bloom(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:16384])
    data, out = tmp_path / "data", tmp_path / "bloom"
    run_attn("prepare", "-t", "char", "-o", data, corpus)
    run_attn("train", "--arch", "bloom", "--data", data, "--out", out, "--layers", 2, "--heads", 6, "--width", 48,
             "--context", 32, "--batch", 4, "--steps", 20, "--seed", 1, timeout=900)
    model = load_bloom(out)
    cfg = model.config
    assert (cfg.model_type, cfg.n_layer, cfg.n_head, cfg.hidden_size, cfg.seq_length) == ("bloom", 2, 6, 48, 32)
    val, _ = read_shard(data / "val.bin")
    check_same(out, model, val[:100], [int(t) for t in val[:3]], tmp_path)


def test_attn_loads_hf_bloom(tmp_path):
    from transformers import BloomConfig, BloomForCausalLM
    cfg = BloomConfig(vocab_size=67, hidden_size=32, n_layer=2, n_head=4, layer_norm_epsilon=1e-5, hidden_dropout=0.0,
                      attention_dropout=0.0, bos_token_id=1, eos_token_id=2, seq_length=40)
    hf = BloomForCausalLM(cfg)
    reinit_random(hf, seed=99)
    model_dir = tmp_path / "hf"
    hf.save_pretrained(str(model_dir), safe_serialization=True)
    write_char_tokenizer(model_dir)
    model = load_bloom(model_dir)
    gen = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 67, (90,), generator=gen).tolist()
    check_same(model_dir, model, ids, [5, 6, 7], tmp_path)
