"""Whole commands against llama.cpp: `attn generate -n 128` on GPT-2's 124M shape, wall time and peak RSS.

    flock /tmp/attn-bench.lock .venv/bin/python bench/commands.py [--threads 2] [--rounds 3] [--tokens 128]
        [--workdir DIR]

needs `make attn` and the .venv of tools/setup.sh (transformers, llama-cpp-python).

The model: GPT-2's 124M shape with random weights (bench_llamacpp.py's gpt2_124m: transformers'
GPT2Config() saved with save_pretrained, GPT-2's tokenizer), and GGUF files of it in f32 and bf16
written by `attn convert`. Each round runs, interleaved, as separate processes under
/usr/bin/time (wall seconds, maximum resident set size):
- attn: `attn generate -m DIR -p PROMPT -n TOKENS -t 0 --no-stop --threads N --precision P`
  (P = fp32, bf16), and the same with -n 0 (load, tokenizer and the prompt's forward: the load time);
- llama.cpp: a `python -c` process that imports llama_cpp, loads the GGUF file of the same type
  (n_ctx = prompt + tokens, n_batch 512) and generates TOKENS greedy tokens (no stop) from the same
  prompt; and a `python -c "import llama_cpp"` process alone, its start-up, reported apart.
The medians of the rounds are printed with the ratios attn / llama.cpp (wall: below 1 is faster),
and attn's peak RSS against the bytes it must hold: the weights in the compute precision (fp32: 4
bytes a weight; bf16: 2 for every matrix, 4 for the vectors) plus the KV cache of prompt + TOKENS
positions (2 x layers x width x 4 bytes each).

Run it under the shared lock on a quiet machine: other jobs make the times meaningless."""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from bench_llamacpp import gpt2_124m  # noqa: E402

PROMPT = "The history of the city begins with"

LLAMA = """
import sys, llama_cpp, numpy as np
path, threads, n, n_ctx, prompt = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
m = llama_cpp.Llama(model_path=path, n_threads=threads, n_threads_batch=threads, n_ctx=n_ctx, n_batch=512,
                    verbose=False)
V = m.n_vocab()
def argmax():
    return int(np.argmax(np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(m.ctx, -1), shape=(V,))))
m.eval(m.tokenize(prompt.encode(), add_bos=False))
for _ in range(n):
    m.eval([argmax()])
"""


def timed(cmd):
    """(wall seconds, peak RSS bytes) of one process under /usr/bin/time."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        r = subprocess.run(["/usr/bin/time", "-o", tf.name, "-f", "%e %M"] + [str(c) for c in cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode:
            sys.exit("bench/commands.py: %s failed:\n%s" % (" ".join(map(str, cmd[:3])), r.stderr[-2000:]))
        wall, rss = tf.read().split()[-2:]
        return float(wall), int(rss) * 1024


def held_bytes(model_dir, precision, positions):
    """Weight bytes in the compute precision + the KV cache of `positions` positions."""
    cfg = json.loads((model_dir / "config.json").read_text())
    with open(model_dir / "model.safetensors", "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(n))
    total = 0
    for name, t in header.items():
        if name == "__metadata__" or name.endswith(".attn.bias") or name.endswith("masked_bias") or name == "lm_head.weight":
            continue
        numel = 1
        for d in t["shape"]:
            numel *= d
        total += numel * (2 if precision == "bf16" and len(t["shape"]) == 2 else 4)
    kv = 2 * cfg["n_layer"] * cfg["n_embd"] * 4 * positions
    return total, kv


def med(xs):
    return statistics.median(xs)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--tokens", type=int, default=128)
    p.add_argument("--workdir", default="/tmp/attn-bench-commands", help="model files (kept between runs)")
    a = p.parse_args()
    if a.threads < 1 or a.rounds < 1 or a.tokens < 1:
        p.error("--threads, --rounds and --tokens must be >= 1")
    attn = REPO / "attn"
    if not os.access(attn, os.X_OK):
        sys.exit("bench/commands.py: attn is not built (make attn)")
    work = Path(a.workdir)
    work.mkdir(parents=True, exist_ok=True)
    model = gpt2_124m(work / "gpt2-124m")
    ggufs = {}
    for t in ("f32", "bf16"):
        ggufs[t] = work / ("gpt2-124m.%s.gguf" % t)
        if not ggufs[t].exists():
            subprocess.run([attn, "convert", model, ggufs[t], "--type", t], check=True, stdout=subprocess.DEVNULL)
    py = sys.executable
    n_prompt = len(subprocess.run([attn, "tokenize", "-m", model], input=PROMPT, capture_output=True, text=True,
                                  check=True).stdout.split())
    positions = n_prompt + a.tokens
    for f in list(ggufs.values()) + [model / "model.safetensors"]:
        f.read_bytes()  # page cache warm for every side
    res = {}

    def add(key, v):
        res.setdefault(key, []).append(v)

    gen = [attn, "generate", "-m", model, "-p", PROMPT, "-t", 0, "--no-stop", "--threads", a.threads]
    for r in range(a.rounds):
        for prec, gt in (("fp32", "f32"), ("bf16", "bf16")):
            add("attn %s" % prec, timed(gen + ["-n", a.tokens, "--precision", prec]))
            add("llama %s" % prec, timed([py, "-c", LLAMA, ggufs[gt], a.threads, a.tokens, positions + 8, PROMPT]))
            add("attn %s load" % prec, timed(gen + ["-n", 0, "--precision", prec]))
        add("python import llama_cpp", timed([py, "-c", "import llama_cpp"]))
        print("round %d: " % (r + 1) + ", ".join("%s %.2f s %.0f MB" % (k, v[-1][0], v[-1][1] / 1e6)
                                                 for k, v in res.items()), flush=True)
    print()
    print("medians of %d rounds, %d threads, %d prompt + %d generated tokens" % (a.rounds, a.threads, n_prompt, a.tokens))
    print("%-26s %8s %9s" % ("", "wall s", "peak MB"))
    for k, v in res.items():
        print("%-26s %8.2f %9.0f" % (k, med([x[0] for x in v]), med([x[1] for x in v]) / 1e6))
    out = {"threads": a.threads, "rounds": a.rounds, "prompt_tokens": n_prompt, "tokens": a.tokens}
    for prec in ("fp32", "bf16"):
        aw, ar = med([x[0] for x in res["attn " + prec]]), med([x[1] for x in res["attn " + prec]])
        lw, lr = med([x[0] for x in res["llama " + prec]]), med([x[1] for x in res["llama " + prec]])
        w, kv = held_bytes(model, prec, positions)
        print("%s: wall attn / llama.cpp %.2f; peak RSS attn / llama.cpp %.2f; attn peak RSS / (weights %.0f MB "
              "+ KV %.1f MB) %.2f; load (-n 0) %.2f s"
              % (prec, aw / lw, ar / lr, w / 1e6, kv / 1e6, ar / (w + kv), med([x[0] for x in res["attn %s load" % prec]])))
        out[prec] = {"wall_ratio": round(aw / lw, 3), "rss_ratio": round(ar / lr, 3), "rss_over_held": round(ar / (w + kv), 3),
                     "attn_wall_s": aw, "llama_wall_s": lw, "attn_rss_mb": round(ar / 1e6), "llama_rss_mb": round(lr / 1e6)}
    print("(llama.cpp's times include its Python start-up and import, measured alone on the 'python import llama_cpp' line)")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
