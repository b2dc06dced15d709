"""attn bleu against sacreBLEU (corpus_bleu with its defaults: 13a, exp smoothing) on
real sentences: the English and Spanish columns of ../shared/data/bible-en-es as
references, hypotheses made from them by seeded edits (dropped, swapped, replaced and
repeated words, changed punctuation and case, empty lines), one and two reference sets.
Scores must agree to 1e-6 (the issue asks for 2 decimals)."""
import json
import os
import random
import subprocess

import pytest

sacrebleu = pytest.importorskip("sacrebleu", reason="sacrebleu is not installed in the venv")

ATTN = os.environ.get("ATTN_BIN", "./attn")
BIBLE = "../shared/data/bible-en-es/kjv-rv1909.tsv"


def columns(n, start):
    if not os.path.exists(BIBLE):
        pytest.skip(f"!!! SKIPPED: {BIBLE} is missing (shared data beside the repository)")
    with open(BIBLE, encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    rows = rows[start:start + n]
    return [r[1] for r in rows], [r[2] for r in rows]


def perturb(sentence, rng):
    words = sentence.split(" ")
    out = []
    for w in words:
        r = rng.random()
        if r < 0.08:
            continue
        if r < 0.14:
            out.append(rng.choice(words))
        elif r < 0.18:
            out.append(w.upper())
        elif r < 0.22:
            out.append(w + rng.choice([",", ".", "!", " -", "&amp;", "'s", "3-4"]))
        else:
            out.append(w)
        if rng.random() < 0.05:
            out.append(w)
    if len(out) > 3 and rng.random() < 0.3:
        i = rng.randrange(len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    if rng.random() < 0.02:
        return ""
    return " ".join(out)


def attn_bleu(tmp_path, hyps, refs_sets):
    hyp = tmp_path / "hyp.txt"
    hyp.write_text("\n".join(hyps) + "\n", encoding="utf-8")
    args = [ATTN, "bleu", "--json", str(hyp)]
    for k, refs in enumerate(refs_sets):
        p = tmp_path / f"ref{k}.txt"
        p.write_text("\n".join(refs) + "\n", encoding="utf-8")
        args += ["--ref", str(p)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.parametrize("col,seed", [(0, 1), (1, 2), (0, 3)])
def test_bleu_matches_sacrebleu(tmp_path, col, seed):
    en, es = columns(800, 1000 * seed)
    refs = en if col == 0 else es
    rng = random.Random(seed)
    hyps = [perturb(s, rng) for s in refs]
    got = attn_bleu(tmp_path, hyps, [refs])
    want = sacrebleu.corpus_bleu(hyps, [refs])
    assert got["score"] == pytest.approx(want.score, abs=1e-6), (got, str(want))
    assert got["hyp_len"] == want.sys_len and got["ref_len"] == want.ref_len
    for g, w in zip(got["precisions"], want.precisions):
        assert g == pytest.approx(w, abs=1e-6)


def test_bleu_two_references_and_short_hypotheses(tmp_path):
    en, _ = columns(300, 20000)
    rng = random.Random(7)
    ref2 = [perturb(s, rng) for s in en]
    hyps = [" ".join(s.split(" ")[: rng.randrange(1, 6)]) for s in en]  # brevity penalty, sparse 4-grams
    got = attn_bleu(tmp_path, hyps, [en, ref2])
    want = sacrebleu.corpus_bleu(hyps, [en, ref2])
    assert got["score"] == pytest.approx(want.score, abs=1e-6), (got, str(want))
    assert got["ref_len"] == want.ref_len


def test_bleu_tokenization_edge_cases(tmp_path):
    hyps = ["a.b,c 1.5 1,000 3-4 x-y &quot;q&quot; &lt;t&gt; <skipped> (paren) [b] {c} ~d", "Ünïcode — “quotes” 12.",
            "tabs\tand\u00a0nbsp  spaces", "only"]
    refs = ["a . b , c 1.5 1,000 3 - 4 x-y \" q \" < t > ( paren ) [ b ] { c } ~ d", "Ünïcode — “quotes” 12 .",
            "tabs and nbsp spaces", "only one"]
    got = attn_bleu(tmp_path, hyps, [refs])
    want = sacrebleu.corpus_bleu(hyps, [refs])
    assert got["score"] == pytest.approx(want.score, abs=1e-6), (got, str(want))
    assert got["hyp_len"] == want.sys_len and got["ref_len"] == want.ref_len


def test_bleu_errors(tmp_path):
    h = tmp_path / "h.txt"
    r = tmp_path / "r.txt"
    h.write_text("a\nb\n")
    r.write_text("a\n")
    p = subprocess.run([ATTN, "bleu", "--ref", str(r), str(h)], capture_output=True, text=True)
    assert p.returncode == 1 and "lines" in p.stderr and p.stderr.count("\n") == 1
    p = subprocess.run([ATTN, "bleu", "--ref", str(tmp_path / "missing.txt"), str(h)], capture_output=True, text=True)
    assert p.returncode == 1 and "missing.txt" in p.stderr
