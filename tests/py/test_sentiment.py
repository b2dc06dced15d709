"""attn's sentiment lexicon score (src/eval/sentiment.c, `attn reward --lexicon`) against
vaderSentiment 3.3.2's SentimentIntensityAnalyzer on real sentences: the lines of Persuasion
and Pride and Prejudice, and the same lines in capitals, with "not", with "but" and with '!'
and '?' added. attn applies VADER's rules that need only its lexicon (negation, "no",
"least", capitals, "but", punctuation emphasis), so the lines that use one of VADER's other
rules (a booster or dampener word, an idiom, "kind of", an emoji, and VADER's "but" rule on
repeated valences, where its list lookup picks the first equal value) are set apart; on the
rest the compound scores must agree to VADER's rounding (4 decimals)."""
import json
import os
import random
import subprocess

import pytest

from vaderSentiment.vaderSentiment import BOOSTER_DICT, SPECIAL_CASES, SentimentIntensityAnalyzer  # noqa: E402

ATTN = os.environ.get("ATTN_BIN", "./attn")
LEXICON = "data/sentiment/vader_lexicon.tsv"


def lines():
    out = []
    for book in ("persuasion", "prideprejudice"):
        with open("data/austen/%s.txt" % book, encoding="utf-8") as f:
            out += [line.strip() for line in f if len(line.split()) >= 4]
    return out


def variants(text, rng):
    words = text.split()
    k = rng.randrange(len(words))
    yield text
    yield text.upper() if rng.random() < 0.3 else " ".join(w.upper() if i == k else w for i, w in enumerate(words))
    yield " ".join(words[:k] + ["not"] + words[k:])
    yield " ".join(words[:k] + ["but"] + words[k:])
    yield text + "!" * rng.randrange(1, 6)
    yield text + "?" * rng.randrange(2, 6)
    yield " ".join(words[:k] + ["no"] + words[k:])
    yield " ".join(words[:k] + ["least"] + words[k:])


def outside_subset(text, analyzer):
    """True when VADER would use a rule attn leaves out on this text."""
    low = text.lower()
    words = [w.strip("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~").lower() for w in text.split()]
    if any(w in BOOSTER_DICT for w in words) or any(" " in b and b in low for b in BOOSTER_DICT):
        return True
    if any(k in low for k in SPECIAL_CASES) or "kind of" in low:
        return True
    if any(ord(c) > 127 for c in text):
        return True
    if "but" in words:  # VADER's list.index() rescales the first of equal valences twice
        vals = [analyzer.lexicon[w] for w in words if w in analyzer.lexicon]
        if len(vals) != len(set(vals)):
            return True
    return False


def test_lexicon_matches_vader(tmp_path):
    analyzer = SentimentIntensityAnalyzer()
    rng = random.Random(7)
    texts = []
    for line in lines():
        texts += [t for t in variants(line, rng) if not outside_subset(t, analyzer)]
    texts = texts[:6000]
    assert len(texts) >= 5000
    path = tmp_path / "texts.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps({"messages": [{"role": "assistant", "content": t}]}) + "\n")
    out = subprocess.run([ATTN, "reward", "--lexicon", LEXICON, str(path)], capture_output=True, text=True, check=True)
    got = [float(x) for x in out.stdout.split()]
    assert len(got) == len(texts)
    want = [analyzer.polarity_scores(t)["compound"] for t in texts]
    bad = [(t, g, w) for t, g, w in zip(texts, got, want) if abs(round(g, 4) - w) > 1e-4 + 1e-9]
    assert not bad, "%d of %d differ, e.g. %r" % (len(bad), len(texts), bad[:3])
    nonzero = sum(1 for w in want if w != 0)
    assert nonzero > len(texts) // 2  # the test compares real scores, not zeros
    assert any(w < 0 for w in want) and any(w > 0 for w in want)


@pytest.mark.parametrize("content, message", [
    ("happy\t2.7\nsad\n", "line 2: not \"WORD<TAB>VALENCE\""),
    ("happy\tlots\n", "line 1: the valence \"lots\" is not a finite number"),
    ("happy\tnan\n", "is not a finite number"),
    ("\n\n", "no words"),
    (b"ha\xffppy\t2.7\n", "UTF-8"),
])
def test_bad_lexicon(tmp_path, content, message):
    lex = tmp_path / "lex.tsv"
    lex.write_bytes(content if isinstance(content, bytes) else content.encode())
    conv = tmp_path / "c.jsonl"
    conv.write_text('{"messages": [{"role": "user", "content": "happy"}]}\n')
    out = subprocess.run([ATTN, "reward", "--lexicon", str(lex), str(conv)], capture_output=True, text=True)
    assert out.returncode != 0
    assert message in out.stderr, out.stderr
    assert "Traceback" not in out.stderr and out.stdout == ""
