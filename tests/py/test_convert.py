"""attn convert: Llama-style models as GGUF files, checked by reading them with PyPI gguf
(the format's reference reader) and by attn itself.
- A transformers-made Llama (grouped-query heads, head_dim 24) in f32: every tensor equals
  the checkpoint's (q and k rows in llama.cpp's interleaved rotary order), the llama.* keys
  say its shape, and attn scores the file exactly as the directory.
- The same in q8_0: each quantized tensor's bytes equal gguf.quants.quantize of those
  values (rows that are not whole blocks become F16, as llama.cpp's converter does).
- A model attn trains with GPT-2's tokenizer: the file carries the tokenizer (tokens,
  merges, types, pre-tokenizer "gpt2") and attn tokenizes the same through either.
- SmolLM2's Q4_1 file rewritten as q8_0 keeps every tokenizer key and decodes as the
  original quantized to Q8_0 in memory (the same blocks)."""

import numpy as np
import pytest
from safetensors.numpy import load_file

from conftest import REF_DIR, REPO, int_line, json_line, run_attn, smollm2_gguf

LLAMA = REF_DIR / "llama_gqa"


def reader(path):
    import gguf
    return gguf.GGUFReader(str(path))


def field(r, key):
    f = r.fields[key]
    if f.types[0].name == "STRING":
        return bytes(f.parts[f.data[0]]).decode()
    if f.types[0].name == "ARRAY":
        return [bytes(f.parts[i]).decode() if f.types[-1].name == "STRING" else f.parts[i][0] for i in f.data]
    return f.parts[f.data[0]][0]


def to_gguf_order(w, heads):
    """transformers' rotate-half rows -> llama.cpp's interleaved rows (its converter's permute)."""
    return w.reshape(heads, 2, w.shape[0] // heads // 2, *w.shape[1:]).swapaxes(1, 2).reshape(w.shape)


def expected_tensors():
    sd = load_file(str(LLAMA / "model.safetensors"))
    out = {"token_embd.weight": sd["model.embed_tokens.weight"], "output_norm.weight": sd["model.norm.weight"],
           "output.weight": sd["lm_head.weight"]}
    names = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
             "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
             "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}
    for layer in range(2):
        for hf, g in names.items():
            w = sd["model.layers.%d.%s.weight" % (layer, hf)]
            if g == "attn_q":
                w = to_gguf_order(w, 4)
            elif g == "attn_k":
                w = to_gguf_order(w, 2)
            out["blk.%d.%s.weight" % (layer, g)] = w
    return out


def score(model, ids_file, *extra):
    return json_line(run_attn("score", "-m", model, "--ids", ids_file, "--json", *extra))["nll"]


def test_llama_f32_and_q8_0(tmp_path):
    import gguf
    ids = tmp_path / "ids.txt"
    ids.write_text("3 5 7 9 11 13 2 4 6 8 10 12")
    want = expected_tensors()
    for kind in ("f32", "q8_0"):
        out = tmp_path / ("llama_%s.gguf" % kind)
        run_attn("convert", LLAMA, out, "--type", kind)
        r = reader(out)
        assert field(r, "general.architecture") == "llama"
        for key, value in (("llama.block_count", 2), ("llama.embedding_length", 64), ("llama.feed_forward_length", 80),
                           ("llama.attention.head_count", 4), ("llama.attention.head_count_kv", 2),
                           ("llama.attention.key_length", 24), ("llama.rope.dimension_count", 24)):
            assert int(field(r, key)) == value, (key, field(r, key))
        assert np.isclose(field(r, "llama.rope.freq_base"), 1000.0)
        got = {t.name: t for t in r.tensors}
        assert sorted(got) == sorted(want), sorted(set(got) ^ set(want))
        for name, w in want.items():
            t = got[name]
            assert [int(x) for x in reversed(t.shape)] == list(w.shape), (name, t.shape, w.shape)
            if kind == "f32" or w.ndim == 1:
                assert t.tensor_type == gguf.GGMLQuantizationType.F32, (name, t.tensor_type)
                assert np.array_equal(np.asarray(t.data).reshape(w.shape), w), name
            elif w.shape[1] % 32:
                assert t.tensor_type == gguf.GGMLQuantizationType.F16, (name, t.tensor_type)
                assert np.array_equal(np.asarray(t.data).reshape(w.shape), w.astype(np.float16)), name
            else:
                assert t.tensor_type == gguf.GGMLQuantizationType.Q8_0, (name, t.tensor_type)
                q = gguf.quants.quantize(w, gguf.GGMLQuantizationType.Q8_0)
                assert np.asarray(t.data).tobytes() == q.tobytes(), name
        if kind == "f32":
            assert score(out, ids) == score(LLAMA, ids)


def test_biases_and_tied_head_f32(tmp_path):
    """A Llama with attention and MLP biases and a tied head (llama_tied): the f32 file loads
    in attn and scores exactly as the directory."""
    ids = tmp_path / "ids.txt"
    ids.write_text("3 5 7 9 11 13 2 4 6 8 10 12")
    src, out = REF_DIR / "llama_tied", tmp_path / "tied.gguf"
    run_attn("convert", src, out, "--type", "f32")
    names = {t.name for t in reader(out).tensors}
    assert {"blk.0.ffn_gate.bias", "blk.0.ffn_up.bias", "blk.0.ffn_down.bias", "blk.0.attn_q.bias"} <= names
    assert "output.weight" not in names
    assert score(out, ids) == score(src, ids)


def test_tokenizer_goes_along(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes((REPO / "data" / "austen" / "persuasion.txt").read_bytes()[:20000])
    data, model, out = tmp_path / "data", tmp_path / "llama", tmp_path / "llama.gguf"
    run_attn("prepare", "-t", REPO / "data" / "gpt2-tokenizer", "-o", data, corpus)
    run_attn("train", "--arch", "llama", "--data", data, "--out", model, "--layers", 1, "--heads", 2, "--width", 64,
             "--context", 32, "--steps", 1, "--quiet")
    run_attn("convert", model, out, "--type", "q4_0")
    r = reader(out)
    assert field(r, "tokenizer.ggml.model") == "gpt2" and field(r, "tokenizer.ggml.pre") == "gpt-2"
    tokens = field(r, "tokenizer.ggml.tokens")
    assert len(tokens) == 50257 and tokens[0] == "!" and tokens[50256] == "<|endoftext|>"
    merges = field(r, "tokenizer.ggml.merges")
    assert len(merges) == 50000 and merges[0] == "\u0120 t", merges[:3]
    types = field(r, "tokenizer.ggml.token_type")
    assert types[50256] == 3 and types[0] == 1
    text = tmp_path / "s.txt"
    text.write_text("It is a truth universally acknowledged, 1234 times. \u00e9t\u00e9 \u4e2d\u6587\n")
    assert run_attn("tokenize", "-m", out, text) == run_attn("tokenize", "-m", model, text)


def test_smollm2_q4_1_to_q8_0(tmp_path):
    src = str(smollm2_gguf())
    out = tmp_path / "smollm2.q8_0.gguf"
    run_attn("convert", "smollm2", out, "--type", "q8_0")
    a, b = reader(src), reader(out)
    for key in [k for k in a.fields if k.startswith("tokenizer.")]:
        assert field(b, key) == field(a, key), key
    assert all(t.tensor_type.name in ("Q8_0", "F32") for t in b.tensors)
    prompt = ("<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n")
    got = int_line(run_attn("generate", "-m", out, "-p", prompt, "-n", 12, "-t", 0, "--print-ids", "--no-stop"))
    want = int_line(run_attn("generate", "-m", "smollm2", "-p", prompt, "-n", 12, "-t", 0, "--print-ids", "--no-stop",
                             "--precision", "q8_0"))
    assert got == want
