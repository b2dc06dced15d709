"""attn <-> transformers for OPT: a model attn trains (`attn train --arch opt`) loads in
OPTForCausalLM with every tensor used and gives attn's scores and greedy tokens; an OPT that
transformers saves (post-norm blocks with project_in/out, OPT-350m's shape) scores and
generates the same in attn."""
import math

import numpy as np
import torch

from conftest import (CORPUS, assert_same_greedy, int_line, json_line, read_shard, reinit_random, run_attn,
                      write_char_tokenizer, write_ids)


def load_opt(model_dir):
    from transformers import OPTForCausalLM
    model, info = OPTForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32, attn_implementation="eager",
                                                 output_loading_info=True)
    missing = set(info["missing_keys"]) - {"lm_head.weight"}  # tied to the token embeddings
    assert not missing, "transformers found no value for %s" % sorted(missing)
    assert not info["unexpected_keys"], "transformers did not use %s" % sorted(info["unexpected_keys"])
    assert not info["mismatched_keys"], "shape mismatch: %s" % sorted(info["mismatched_keys"])
    model.eval()
    return model


@torch.no_grad()
def opt_nll(model, ids):
    """attn score's windows: chunks of max_position_embeddings tokens, each after the first predicted."""
    ctx = model.config.max_position_embeddings
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    total, count = 0.0, 0
    for start in range(0, len(ids), ctx):
        chunk = ids[start:start + ctx]
        if len(chunk) < 2:
            continue
        logp = torch.log_softmax(model(chunk[None]).logits[0].double(), dim=-1)
        total += -logp[:-1].gather(1, chunk[1:, None]).sum().item()
        count += len(chunk) - 1
    return total / count, count


@torch.no_grad()
def opt_greedy(model, prompt, n):
    ids = torch.tensor([list(prompt)], dtype=torch.long)
    out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=n,
                         eos_token_id=None, pad_token_id=0, use_cache=True)
    return out[0, ids.shape[1]:].tolist()


def check_same(model_dir, model, ids, prompt, tmp_path):
    ids_file = tmp_path / "ids.txt"
    write_ids(ids_file, ids)
    got = json_line(run_attn("score", "-m", model_dir, "--ids", ids_file, "--json"))
    want, count = opt_nll(model, ids)
    assert int(got["tokens"]) == count, (got, count)
    assert math.isclose(got["nll"], want, rel_tol=1e-4), "nll %r, transformers %r" % (got["nll"], want)
    gen = int_line(run_attn("generate", "-m", model_dir, "--ids", " ".join(map(str, prompt)), "-n", 10,
                            "--temperature", 0, "--print-ids", "--no-stop"))
    assert_same_greedy(gen, opt_greedy(model, prompt, 10), None, model, prompt)


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
