"""The PyTorch side of bench/embed.sh, and its agreement check.

  bench_embed_torch.py encode --model DIR --file FILE --threads N --batch B --out E.npy
      Loads all-MiniLM-L6-v2 with sentence-transformers (CPU, torch.set_num_threads(N)),
      encodes one warm-up batch (untimed), then times encode(lines, batch_size=B,
      normalize_embeddings=True) on every line of FILE (split at newlines, unchanged) and
      prints one JSON line: {"impl": "pytorch", "sentences": n, "seconds": s, "sentences_per_s": r,
      "peak_rss_mb": m} (m: this process's peak resident set, ru_maxrss).
      The embeddings go to E.npy (float32).

  bench_embed_torch.py compare A.npy B.npy [--min-cosine C]
      Prints the smallest row-wise cosine similarity of two (n, C) arrays as JSON and exits
      with status 1 when the shapes differ or it is below C (default 0.9999)."""
import argparse
import json
import resource
import sys
import time

import numpy as np


def read_lines(path):
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def encode(args):
    import torch
    torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer
    model = SentenceTransformer(args.model, device="cpu")
    lines = read_lines(args.file)
    model.encode(lines[: args.batch], batch_size=args.batch, normalize_embeddings=True)
    t0 = time.perf_counter()
    emb = model.encode(lines, batch_size=args.batch, normalize_embeddings=True, convert_to_numpy=True)
    sec = time.perf_counter() - t0
    np.save(args.out, emb.astype(np.float32))
    print(json.dumps({"impl": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "sentences": len(lines), "seconds": round(sec, 6),
                      "sentences_per_s": round(len(lines) / sec, 2),
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))


def compare(args):
    a, b = np.load(args.a).astype(np.float64), np.load(args.b).astype(np.float64)
    if a.shape != b.shape:
        print(json.dumps({"error": "shapes differ", "a": list(a.shape), "b": list(b.shape)}))
        return 1
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    worst = int(np.argmin(cos))
    print(json.dumps({"rows": a.shape[0], "min_cosine": float(cos[worst]), "worst_row": worst}))
    return 0 if cos[worst] >= args.min_cosine else 1


def encode_parser(sub):
    """The encode subcommand and the options both sides take."""
    e = sub.add_parser("encode")
    e.add_argument("--model", required=True)
    e.add_argument("--file", required=True)
    e.add_argument("--threads", type=int, default=2)
    e.add_argument("--batch", type=int, default=32)
    e.add_argument("--out", required=True)
    return e


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    encode_parser(sub)
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    c.add_argument("--min-cosine", type=float, default=0.9999)
    args = p.parse_args()
    return encode(args) or 0 if args.cmd == "encode" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
