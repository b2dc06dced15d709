#!/usr/bin/env python3
"""Single-thread GPT-2 BPE encode throughput (MB/s) on the Austen corpus (the six novels of
data/austen concatenated, ~4 MB):

  hf-whole   HF tokenizers, Tokenizer.encode of the whole text as one string
  hf-batch   HF tokenizers, encode_batch over the lines (RAYON_NUM_THREADS=1)
  tiktoken   tiktoken.Encoding built from the same encoder.json/vocab.bpe (GPT-2 pattern),
             encode_ordinary of the whole text; its ids are checked equal to HF's
  attn       `attn tokenize -t GPT2_DIR FILE > /dev/null`, wall time minus the time of the
             same command on an empty file (process start + loading the tokenizer); its ids
             are checked equal to HF's once, outside the timing. "n/a" if attn cannot
             tokenize with GPT-2 BPE yet.
  attn-batch2  attn_tokenizer_encode_batch over the lines on 2 threads (not single-thread: a
             separate row), timed inside build/bench/bench_tokenize (make build/bench/bench_tokenize;
             it checks its ids equal one encode per line); "n/a" if that program is not built.

Best of --reps (default 3) runs, the methods interleaved within each round. Prints a table
and the ratios attn/tiktoken and attn/hf-* (throughput ratios: > 1 means attn is faster);
--json FILE also writes the numbers. Usually run through bench/bench_tokenizer.sh.
"""
import os

os.environ["RAYON_NUM_THREADS"] = "1"  # before tokenizers is imported
os.environ["TOKENIZERS_PARALLELISM"] = "false"
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
AUSTEN = ["emma", "mansfieldpark", "northangerabbey", "persuasion", "prideprejudice", "sensesensibility"]
GPT2_PAT = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
EOT = "<|endoftext|>"


def bytes_to_unicode():
    """GPT-2's byte -> printable character table."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def tiktoken_encoding(gpt2_dir):
    import tiktoken
    enc = json.loads((gpt2_dir / "encoder.json").read_text(encoding="utf-8"))
    dec = {c: b for b, c in bytes_to_unicode().items()}
    ranks = {bytes(dec[c] for c in tok): i for tok, i in enc.items() if tok != EOT}
    return tiktoken.Encoding(name="gpt2-local", pat_str=GPT2_PAT, mergeable_ranks=ranks,
                             special_tokens={EOT: enc[EOT]})


def hf_tokenizer(gpt2_dir):
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers
    tok = Tokenizer(models.BPE.from_file(str(gpt2_dir / "encoder.json"), str(gpt2_dir / "vocab.bpe")))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens([AddedToken(EOT, special=True, normalized=False)])
    return tok


def timed(fn):
    t = time.perf_counter()
    r = fn()
    return time.perf_counter() - t, r


def run_attn(attn, gpt2_dir, path, capture=False):
    return subprocess.run([str(attn), "tokenize", "-t", str(gpt2_dir), str(path)],
                          stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                          stderr=subprocess.PIPE, cwd=REPO)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--attn", default=os.environ.get("ATTN_BIN", str(REPO / "attn")))
    ap.add_argument("--gpt2", type=Path, default=DATA / "gpt2-tokenizer")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args()

    missing = [p for p in [args.gpt2 / "encoder.json"] + [DATA / "austen" / (b + ".txt") for b in AUSTEN] if not p.is_file()]
    if missing:
        print("bench_tokenizer: missing %s" % ", ".join(map(str, missing)), file=sys.stderr)
        return 2
    data = b"".join((DATA / "austen" / (b + ".txt")).read_bytes() for b in AUSTEN)
    text = data.decode("utf-8")
    lines = text.splitlines(keepends=True)
    mb = len(data) / 1e6
    tmp = Path(tempfile.mkdtemp(prefix="bench_tok_"))
    corpus, empty = tmp / "austen.txt", tmp / "empty.txt"
    corpus.write_bytes(data)
    empty.write_bytes(b"")

    import tokenizers
    hf = hf_tokenizer(args.gpt2)
    want = hf.encode(text, add_special_tokens=False).ids
    notes = []
    batch_ids = [i for e in hf.encode_batch(lines, add_special_tokens=False) for i in e.ids]
    if batch_ids != want:
        notes.append("hf-batch ids differ from hf-whole (line-split pre-tokenization), %d vs %d ids"
                      % (len(batch_ids), len(want)))
    methods = {
        "hf-whole": lambda: hf.encode(text, add_special_tokens=False),
        "hf-batch": lambda: hf.encode_batch(lines, add_special_tokens=False),
    }
    try:
        import tiktoken
        tt = tiktoken_encoding(args.gpt2)
        got = tt.encode_ordinary(text)
        if got != want:
            i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]), None)
            notes.append("tiktoken ids DIFFER from HF's (%d vs %d ids, first at %s)" % (len(got), len(want), i))
        else:
            notes.append("tiktoken ids == HF ids (%d ids)" % len(want))
        methods["tiktoken"] = lambda: tt.encode_ordinary(text)
        tt_version = tiktoken.__version__
    except ImportError:
        notes.append("tiktoken not installed: pip install tiktoken")
        tt_version = None

    attn = Path(args.attn)
    attn_ok = False
    if not (attn.is_file() and os.access(attn, os.X_OK)):
        notes.append("attn: n/a (no binary at %s)" % attn)
    else:
        r = run_attn(attn, args.gpt2, corpus, capture=True)
        if r.returncode != 0:
            notes.append("attn: n/a (`attn tokenize -t %s` failed: %s)"
                         % (args.gpt2, r.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]))
        else:
            attn_ok = True
            try:
                got = [int(t) for t in r.stdout.split()]
            except ValueError:
                got = None
            notes.append("attn ids %s HF ids" % ("==" if got == want else "DIFFER from"))
            methods["attn"] = lambda: run_attn(attn, args.gpt2, corpus)
            methods["attn-empty"] = lambda: run_attn(attn, args.gpt2, empty)

    batch_mbs = None
    bench_c = REPO / "build" / "bench" / "bench_tokenize"
    if bench_c.is_file() and os.access(bench_c, os.X_OK):
        r = subprocess.run([str(bench_c), "-t", str(args.gpt2), "--threads", "2", "--reps", str(args.reps),
                            str(corpus)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO)
        out = r.stdout.decode("utf-8", "replace")
        for line in out.splitlines():
            if line.startswith("batch 2 threads"):
                batch_mbs = float(line.split()[-2])
        if r.returncode != 0 or batch_mbs is None:
            notes.append("attn-batch2: bench_tokenize failed: %s" % (out + r.stderr.decode("utf-8", "replace")).strip()[-300:])
            batch_mbs = None
    else:
        notes.append("attn-batch2: n/a (make build/bench/bench_tokenize)")

    best = {k: float("inf") for k in methods}
    for _ in range(args.reps):
        for k, fn in methods.items():
            dt, _ = timed(fn)
            best[k] = min(best[k], dt)
    secs = {k: v for k, v in best.items() if k != "attn-empty"}
    if attn_ok:
        secs["attn"] = max(best["attn"] - best["attn-empty"], 1e-9)
    mbs = {k: mb / v for k, v in secs.items()}

    print("GPT-2 BPE encode, single thread, Austen corpus %.2f MB (%d ids), best of %d"
          % (mb, len(want), args.reps))
    print("%-10s %10s %10s" % ("method", "seconds", "MB/s"))
    for k in ["hf-whole", "hf-batch", "tiktoken", "attn"]:
        if k in secs:
            print("%-10s %10.3f %10.2f" % (k, secs[k], mbs[k]))
        else:
            print("%-10s %10s %10s" % (k, "n/a", "n/a"))
    if batch_mbs is not None:
        print("%-10s %10.3f %10.2f   (2 threads)" % ("attn-batch2", mb / batch_mbs, batch_mbs))
    else:
        print("%-10s %10s %10s   (2 threads)" % ("attn-batch2", "n/a", "n/a"))
    if attn_ok:
        print("(attn: %.3fs total minus %.3fs for an empty file)" % (best["attn"], best["attn-empty"]))
    ratios = {}
    for other in ["tiktoken", "hf-whole", "hf-batch"]:
        key = "attn/" + other
        if attn_ok and other in mbs:
            ratios[key] = mbs["attn"] / mbs[other]
            print("%-16s %6.2fx" % (key, ratios[key]))
        else:
            print("%-16s %6s" % (key, "n/a"))
    for n in notes:
        print("note: " + n)
    if args.json:
        args.json.write_text(json.dumps({
            "corpus_bytes": len(data), "ids": len(want), "reps": args.reps, "seconds": secs,
            "mb_per_s": mbs, "attn_batch2_mb_per_s": batch_mbs, "ratios": ratios, "notes": notes,
            "tokenizers_version": tokenizers.__version__, "tiktoken_version": tt_version}, indent=1) + "\n")
    for p in (corpus, empty):
        p.unlink()
    tmp.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
