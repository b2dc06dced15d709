"""attn <-> transformers for OPT: a model attn trains (`attn train --arch opt`) loads in
OPTForCausalLM with every tensor used and gives attn's scores and greedy tokens; an OPT that
transformers saves (post-norm blocks with project_in/out, OPT-350m's shape) scores and
generates the same in attn."""
import torch

from conftest import (CORPUS, assert_same_greedy, assert_score_matches, int_line, load_hf, read_shard,
                      reference_greedy, reinit_random, run_attn, write_char_tokenizer)


def load_opt(model_dir):
    from transformers import OPTForCausalLM
    return load_hf(model_dir, OPTForCausalLM)


def check_same(model_dir, model, ids, prompt, tmp_path):
    """attn score's NLL and attn generate's greedy ids equal transformers'."""
    assert_score_matches(model_dir, model, ids, tmp_path)
    gen = int_line(run_attn("generate", "-m", model_dir, "--ids", " ".join(map(str, prompt)), "-n", 10,
                            "--temperature", 0, "--print-ids", "--no-stop"))
    assert_same_greedy(gen, reference_greedy(model, prompt, 10), None, model, prompt)


def test_hf_loads_attn_opt(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:16384])
    data, out = tmp_path / "data", tmp_path / "opt"
    run_attn("prepare", "-t", "char", "-o", data, corpus)
    run_attn("train", "--arch", "opt", "--data", data, "--out", out, "--layers", 2, "--heads", 2, "--width", 32,
             "--context", 32, "--batch", 4, "--steps", 20, "--seed", 1, timeout=900)
    model = load_opt(out)
    cfg = model.config
    assert (cfg.model_type, cfg.num_hidden_layers, cfg.hidden_size, cfg.max_position_embeddings) == ("opt", 2, 32, 32)
    val, _ = read_shard(data / "val.bin")
    check_same(out, model, val[:100], [int(t) for t in val[:3]], tmp_path)


def test_attn_loads_hf_opt(tmp_path):
    from transformers import OPTConfig, OPTForCausalLM
    cfg = OPTConfig(vocab_size=67, hidden_size=32, num_hidden_layers=2, ffn_dim=40, num_attention_heads=4,
                    max_position_embeddings=32, word_embed_proj_dim=16, do_layer_norm_before=False, dropout=0.0,
                    activation_function="relu", pad_token_id=1, bos_token_id=2, eos_token_id=2)
    hf = OPTForCausalLM(cfg)
    reinit_random(hf, seed=99)
    model_dir = tmp_path / "hf"
    hf.save_pretrained(str(model_dir), safe_serialization=True)
    write_char_tokenizer(model_dir)
    model = load_opt(model_dir)
    gen = torch.Generator().manual_seed(3)
    ids = torch.randint(0, 67, (80,), generator=gen).tolist()
    check_same(model_dir, model, ids, [5, 6, 7], tmp_path)
