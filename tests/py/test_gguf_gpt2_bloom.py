"""GPT-2 and BLOOM as GGUF files, both ways, against files written by PyPI gguf (the format's
reference writer) in the layout llama.cpp's converter gives these families:
- gpt2: token_embd, position_embd, blk.N.{attn_norm, attn_qkv, attn_output, ffn_norm, ffn_up,
  ffn_down}.{weight,bias}, output_norm; transformers' Conv1D weights transposed to (out, in);
  the output tied to token_embd (no output.weight).
- bloom: token_embd, token_embd_norm, the same block tensors with the fused query_key_value
  rows regrouped from per-head (H, 3, D) to q | k | v, output_norm.
The test writes each reference file itself from the committed transformers fixtures
(tests/ref/gpt2_tiny, bloom_tiny): attn must read it and score exactly as the directory, and
`attn convert --type f32` must write the same keys and tensors. A copy of token_embd as
output.weight loads (older converters wrote one); a different output.weight, and key/value
heads that are not the heads, are refused by name. llama.cpp loading attn's gpt2 / bloom files
is tests/py/test_llamacpp.py::test_converted_fixtures."""
import json

import numpy as np
import pytest
from safetensors.numpy import load_file

from conftest import REF_DIR, json_line, run_attn, attn_bin

IDS = "3 5 7 9 11 13 2 4 6 8 10 12"

GPT2_BLOCK = {"ln_1": "attn_norm", "attn.c_attn": "attn_qkv", "attn.c_proj": "attn_output", "ln_2": "ffn_norm",
              "mlp.c_fc": "ffn_up", "mlp.c_proj": "ffn_down"}
BLOOM_BLOCK = {"input_layernorm": "attn_norm", "self_attention.query_key_value": "attn_qkv",
               "self_attention.dense": "attn_output", "post_attention_layernorm": "ffn_norm",
               "mlp.dense_h_to_4h": "ffn_up", "mlp.dense_4h_to_h": "ffn_down"}


def gpt2_tensors(cfg, sd):
    sd = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in sd.items()}
    out = {"token_embd.weight": sd["wte.weight"], "position_embd.weight": sd["wpe.weight"],
           "output_norm.weight": sd["ln_f.weight"], "output_norm.bias": sd["ln_f.bias"]}
    for layer in range(cfg["n_layer"]):
        for hf, g in GPT2_BLOCK.items():
            w = sd["h.%d.%s.weight" % (layer, hf)]
            out["blk.%d.%s.weight" % (layer, g)] = w if hf.startswith("ln_") else w.T  # Conv1D: (in, out)
            out["blk.%d.%s.bias" % (layer, g)] = sd["h.%d.%s.bias" % (layer, hf)]
    return out


def bloom_tensors(cfg, sd):
    sd = {k[len("transformer."):] if k.startswith("transformer.") else k: v for k, v in sd.items()}
    H, C = cfg["n_head"], cfg["hidden_size"]
    out = {"token_embd.weight": sd["word_embeddings.weight"],
           "token_embd_norm.weight": sd["word_embeddings_layernorm.weight"],
           "token_embd_norm.bias": sd["word_embeddings_layernorm.bias"],
           "output_norm.weight": sd["ln_f.weight"], "output_norm.bias": sd["ln_f.bias"]}
    for layer in range(cfg["n_layer"]):
        for hf, g in BLOOM_BLOCK.items():
            for what in ("weight", "bias"):
                t = sd["h.%d.%s.%s" % (layer, hf, what)]
                if g == "attn_qkv":  # rows (H, 3, D) -> q | k | v
                    t = t.reshape(H, 3, C // H, *t.shape[1:]).swapaxes(0, 1).reshape(t.shape)
                out["blk.%d.%s.%s" % (layer, g, what)] = t
    return out


def write_reference(path, family, extra=None, kv_heads=None):
    """The fixture as llama.cpp's converter lays it out, written by gguf.GGUFWriter."""
    import gguf
    src = REF_DIR / ("%s_tiny" % family)
    cfg = json.loads((src / "config.json").read_text())
    sd = load_file(str(src / "model.safetensors"))
    w = gguf.GGUFWriter(str(path), family)
    if family == "gpt2":
        C, L, H, ctx, tensors = cfg["n_embd"], cfg["n_layer"], cfg["n_head"], cfg["n_positions"], gpt2_tensors(cfg, sd)
    else:
        C, L, H, ctx, tensors = cfg["hidden_size"], cfg["n_layer"], cfg["n_head"], cfg["seq_length"], bloom_tensors(cfg, sd)
        w.add_head_count_kv(kv_heads or H)
    w.add_block_count(L)
    w.add_context_length(ctx)
    w.add_embedding_length(C)
    w.add_feed_forward_length(4 * C)
    w.add_head_count(H)
    w.add_layer_norm_eps(cfg["layer_norm_epsilon"])
    w.add_file_type(0)
    tensors.update(extra or {})
    for name, t in tensors.items():
        w.add_tensor(name, np.ascontiguousarray(t, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return src, tensors


def score(model, ids):
    return json_line(run_attn("score", "-m", model, "--ids", ids, "--json"))


def refused(*args):
    import subprocess
    r = subprocess.run([str(attn_bin())] + [str(a) for a in args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, (r.returncode, r.stdout, r.stderr)
    return r.stderr


@pytest.mark.parametrize("family", ["gpt2", "bloom"])
def test_reads_reference_layout_and_writes_it(tmp_path, family):
    import gguf
    ids = tmp_path / "ids.txt"
    ids.write_text(IDS)
    ref = tmp_path / "ref.gguf"
    src, want = write_reference(ref, family)
    assert score(ref, ids) == score(src, ids)

    out = tmp_path / "attn.gguf"
    run_attn("convert", src, out, "--type", "f32")
    a, b = gguf.GGUFReader(str(ref)), gguf.GGUFReader(str(out))
    got = {t.name: t for t in b.tensors}
    assert sorted(got) == sorted(want), sorted(set(got) ^ set(want))
    for name, t in want.items():
        g = got[name]
        assert g.tensor_type.name == "F32", name
        np.testing.assert_array_equal(np.asarray(g.data).reshape(t.shape), t, err_msg=name)
    for key in a.fields:
        if key.startswith(family + "."):
            assert key in b.fields, key
            assert b.fields[key].parts[-1][0] == pytest.approx(a.fields[key].parts[-1][0]), key
    assert bytes(b.fields["general.architecture"].parts[-1]).decode() == family
    assert score(out, ids) == score(src, ids)


@pytest.mark.parametrize("family", ["gpt2", "bloom"])
def test_tied_output_copy_and_refusals(tmp_path, family):
    ids = tmp_path / "ids.txt"
    ids.write_text(IDS)
    src = REF_DIR / ("%s_tiny" % family)
    _, tensors = write_reference(tmp_path / "probe.gguf", family)
    embd = tensors["token_embd.weight"]
    copy = tmp_path / "copy.gguf"
    write_reference(copy, family, {"output.weight": embd.copy()})
    assert score(copy, ids) == score(src, ids)

    other = tmp_path / "untied.gguf"
    write_reference(other, family, {"output.weight": embd * 0.5})
    err = refused("score", "-m", other, "--ids", ids)
    assert "output.weight differs from token_embd.weight" in err, err

    stray = tmp_path / "stray.gguf"
    write_reference(stray, family, {"rope_freqs.weight": np.ones(4, np.float32)})
    err = refused("score", "-m", stray, "--ids", ids)
    assert "tensor rope_freqs.weight is not part of" in err, err

    if family == "bloom":
        gqa = tmp_path / "gqa.gguf"
        write_reference(gqa, family, kv_heads=2)
        err = refused("score", "-m", gqa, "--ids", ids)
        assert "2 key/value heads for 6 heads is not supported" in err, err
