"""tools/attn_to_ct2.py: a Transformer trained by attn, converted to CTranslate2, translates the
test sentences greedily to the same lines as `attn translate`, with the same sums of log p
(CTranslate2's length-normalised hypothesis scores against attn's --scores); int8 conversion
loads and translates; a directory that is not Marian's layout is one error line. Skipped when the ctranslate2 package is missing (bench/requirements.txt)."""
import subprocess
import sys

import pytest

from conftest import REPO, run_attn

ct2 = pytest.importorskip("ctranslate2")
sys.path.insert(0, str(REPO / "tools"))
sys.path.insert(0, str(REPO / "bench"))
import attn_to_ct2  # noqa: E402

DATA = REPO / "data" / "bible-en-es"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    """A small Transformer (2 + 2 layers, width 64) trained 40 steps on 400 pairs."""
    d = tmp_path_factory.mktemp("ct2")
    (d / "train.tsv").write_text("".join((DATA / "train.tsv").read_text().splitlines(True)[:400]))
    (d / "val.tsv").write_text("".join((DATA / "valid.tsv").read_text().splitlines(True)[:12]))
    run_attn("prepare", "--pairs", "--wrap", "eos", "-t", DATA / "tokenizer.json", "-o", d / "data", "--val",
             d / "val.tsv", "--max-len", "48", d / "train.tsv")
    run_attn("train", "--data", d / "data", "--out", d / "m", "--arch", "transformer", "--layers", "2", "--heads", "4",
             "--width", "64", "--ffn", "128", "--context", "64", "--steps", "40", "--batch-tokens", "600",
             "--lr", "3e-3", "--seed", "3", "--threads", "1", "--quiet", "--eval-every", "0")
    src = d / "src.txt"
    src.write_text("".join((DATA / "test.es").read_text().splitlines(True)[:16]))
    return d


def ct2_translate(model_dir, ct2_dir, src, beam, max_len):
    """(lines, scores, token counts) from CTranslate2, sources wrapped as attn wraps them; a
    score is the hypothesis's sum of log p over its token count."""
    import tokenizers
    tok = tokenizers.Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    vocab = attn_to_ct2.vocabulary(model_dir)
    index = {s: i for i, s in enumerate(vocab)}
    sbos, seos, _, _ = attn_to_ct2.wrap(model_dir)
    batch = []
    for line in src.read_text().splitlines():
        ids = tok.encode(line, add_special_tokens=False).ids
        batch.append([vocab[i] for i in ([sbos] if sbos >= 0 else []) + ids + ([seos] if seos >= 0 else [])])
    tr = ct2.Translator(str(ct2_dir), device="cpu", intra_threads=1)
    res = tr.translate_batch(batch, beam_size=beam, max_decoding_length=max_len, min_decoding_length=0,
                             return_scores=True, max_batch_size=4)
    lines = [tok.decode([index[t] for t in r.hypotheses[0]], skip_special_tokens=True).strip() for r in res]
    return lines, [r.scores[0] for r in res], [len(r.hypotheses[0]) for r in res]


def test_converted_model_translates_like_attn(model, tmp_path):
    out = tmp_path / "ct2"
    attn_to_ct2.convert(model / "m", out)
    got, got_scores, got_len = ct2_translate(model / "m", out, model / "src.txt", 1, 30)
    text = run_attn("translate", "-m", model / "m", "--max-len", "30", "--scores", "--threads", "1", model / "src.txt")
    want = [line.split("\t", 1) for line in text.splitlines()]
    assert len(want) == len(got) == 16
    for (score, line), g, gs, n in zip(want, got, got_scores, got_len):
        assert g == line
        if n == 30:  # ran to the cap: attn's score is the same sum of log p, without an end token
            assert abs(float(score) - gs * n) <= 1e-4 * abs(float(score)), (score, gs * n)
    assert len({s for s, _ in want}) > 1  # the sources' scores differ: the source reaches the decoder


def test_int8_conversion_translates(model, tmp_path):
    out = tmp_path / "ct2-int8"
    attn_to_ct2.convert(model / "m", out, "int8")
    got, _, _ = ct2_translate(model / "m", out, model / "src.txt", 1, 30)
    assert len(got) == 16 and all(isinstance(g, str) for g in got)


def test_converter_refuses_a_bart_directory(tmp_path):
    r = subprocess.run([sys.executable, str(REPO / "tools" / "attn_to_ct2.py"), str(REPO / "tests" / "ref" / "bart_tiny"),
                        str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "attn_to_ct2.py: error:" in r.stderr
