"""attn <-> transformers for Llama-style decoders: a model attn trains (`attn train --arch llama`)
loads in LlamaForCausalLM with every tensor used and gives attn's scores and greedy tokens; a
grouped-query Llama with an explicit head_dim, a Qwen2 and a Mistral (no sliding window) that
transformers saves score and generate the same in attn."""
import torch

from conftest import (CORPUS, assert_same_greedy, assert_score_matches, int_line, load_hf, read_shard,
                      reference_greedy, reinit_random, run_attn, write_char_tokenizer)


def check_same(model_dir, model, ids, prompt, tmp_path):
    """attn score's NLL and attn generate's greedy ids equal transformers'."""
    assert_score_matches(model_dir, model, ids, tmp_path)
    gen = int_line(run_attn("generate", "-m", model_dir, "--ids", " ".join(map(str, prompt)), "-n", 10,
                            "--temperature", 0, "--print-ids", "--no-stop"))
    assert_same_greedy(gen, reference_greedy(model, prompt, 10), None, model, prompt)


def test_hf_loads_attn_llama(tmp_path):
    from transformers import LlamaForCausalLM
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:16384])
    data, out = tmp_path / "data", tmp_path / "llama"
    run_attn("prepare", "-t", "char", "-o", data, corpus)
    run_attn("train", "--arch", "llama", "--data", data, "--out", out, "--layers", 2, "--heads", 2, "--width", 32,
             "--context", 32, "--batch", 4, "--steps", 20, "--seed", 1, timeout=900)
    model = load_hf(out, LlamaForCausalLM)
    cfg = model.config
    assert (cfg.model_type, cfg.num_hidden_layers, cfg.hidden_size, cfg.max_position_embeddings) == ("llama", 2, 32, 32)
    assert cfg.tie_word_embeddings and cfg.hidden_act == "silu"
    val, _ = read_shard(data / "val.bin")
    check_same(out, model, val[:100], [int(t) for t in val[:3]], tmp_path)


def test_attn_loads_hf_llama_gqa_qwen2_and_mistral(tmp_path):
    from transformers import (LlamaConfig, LlamaForCausalLM, MistralConfig, MistralForCausalLM, Qwen2Config,
                              Qwen2ForCausalLM)
    made = [
        (LlamaForCausalLM, LlamaConfig(vocab_size=67, hidden_size=48, intermediate_size=64, num_hidden_layers=2,
                                       num_attention_heads=6, num_key_value_heads=2, head_dim=10,
                                       max_position_embeddings=40, rms_norm_eps=1e-5, tie_word_embeddings=False,
                                       rope_parameters={"rope_type": "default", "rope_theta": 500.0})),
        (Qwen2ForCausalLM, Qwen2Config(vocab_size=67, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                                       num_attention_heads=4, num_key_value_heads=1, max_position_embeddings=40,
                                       tie_word_embeddings=True, use_sliding_window=False)),
        (MistralForCausalLM, MistralConfig(vocab_size=67, hidden_size=32, intermediate_size=40, num_hidden_layers=2,
                                           num_attention_heads=4, num_key_value_heads=2, head_dim=8,
                                           max_position_embeddings=40, sliding_window=None,
                                           tie_word_embeddings=False)),
    ]
    for i, (cls, cfg) in enumerate(made):
        hf = cls(cfg)
        reinit_random(hf, seed=99 + i)
        with torch.no_grad():  # RMSNorm weights near 1, so the logits stay moderate
            for name, p in hf.named_parameters():
                if "norm" in name:
                    p.add_(1.0)
        model_dir = tmp_path / ("hf%d" % i)
        hf.save_pretrained(str(model_dir), safe_serialization=True)
        write_char_tokenizer(model_dir)
        model = load_hf(model_dir, cls)
        gen = torch.Generator().manual_seed(3 + i)
        ids = torch.randint(0, 67, (90,), generator=gen).tolist()
        check_same(model_dir, model, ids, [5, 6, 7], tmp_path)
