"""attn chat: the interactive conversation driven through a pseudo-terminal (history between
turns, /reset, /system, /help, Ctrl-C during an answer and at the prompt, end of input), the
non-interactive mode (--messages FILE or standard input, --json, its errors) and dropping the
oldest turns when the conversation outgrows the context — on a GPT attn trains here in about a
second (GPT-2's tokenizer, a context of 1024, the built-in ChatML template) — and SmolLM2-135M-
Instruct: its greedy reply equals `attn generate` on the same rendered prompt token for token,
and a second turn decoded after the first turn's cache equals the reply to the whole
conversation decoded from scratch."""
import json
import os
import pty
import re
import select
import signal
import subprocess
import time

import pytest

from conftest import CORPUS, REPO, attn_bin, int_line, run_attn

SMOLLM2 = "smollm2"


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("chat")
    corpus = tmp / "corpus.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:20000])
    data, out = tmp / "data", tmp / "model"
    run_attn("prepare", "-t", REPO / "data" / "gpt2-tokenizer", "-o", data, corpus)
    run_attn("train", "--data", data, "--out", out, "--layers", 1, "--heads", 2, "--width", 32,
             "--context", 1024, "--batch", 1, "--steps", 1, "--quiet")
    return out


def chat(*args, stdin=None, timeout=120):
    """`attn chat ARGS` with stdin from a string (not a terminal): (exit status, stdout, stderr)."""
    r = subprocess.run([str(attn_bin()), "chat"] + [str(a) for a in args], cwd=REPO, input=stdin,
                       capture_output=True, text=True, timeout=timeout)
    return r.returncode, r.stdout, r.stderr


def reply(model, messages, *args):
    rc, out, err = chat("-m", model, "--json", *args, stdin=json.dumps(messages))
    assert rc == 0, err
    return json.loads(out)


def chatml(messages):
    return "".join("<|im_start|>%s\n%s<|im_end|>\n" % (m["role"], m["content"]) for m in messages) \
        + "<|im_start|>assistant\n"


class Term:
    """attn chat on a pseudo-terminal (stdin, stdout and stderr all on it)."""

    def __init__(self, *args):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.chdir(REPO)
            b = str(attn_bin())
            os.execv(b, [b, "chat"] + [str(a) for a in args])
        self.out = b""
        self.pos = 0  # where the next expect starts looking

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:  # the child is gone
            return None
        if not data:
            return None
        self.out += data.replace(b"\r\n", b"\n")
        return True

    def expect(self, pattern, timeout=30):
        """Waits for the regular expression (bytes) after the last match; returns the match."""
        rx = re.compile(pattern, re.S)
        end = time.monotonic() + timeout
        while True:
            m = rx.search(self.out, self.pos)
            if m:
                self.pos = m.end()
                return m
            left = end - time.monotonic()
            if left <= 0 or self.read(left) is None and not rx.search(self.out, self.pos):
                self.kill()
                pytest.fail("no %r in attn chat's output:\n%s" % (pattern, self.out[-3000:].decode(errors="replace")))

    def send(self, text):
        os.write(self.fd, text.encode())

    def wait(self, timeout=30):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self.read(0.05)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self.read(0.05):
                    pass
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status)
        self.kill()
        pytest.fail("attn chat did not exit:\n%s" % self.out[-3000:].decode(errors="replace"))

    def kill(self):
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except OSError:
            pass


PROMPT = rb"\n> $"


def test_history_reset_system_help_and_eof(model):
    """Each turn's prompt is the whole conversation rendered as ChatML: the second holds the
    first answer (the answer non-interactive mode gives to the first message alone) and the
    first turn's cache is reused up to the first token where the rendered answer tokenizes
    differently (all of it when it tokenizes back the same); /system and /reset
    change what the next prompt holds; end of input exits 0."""
    first = reply(model, [{"role": "user", "content": "Hello there"}], "-t", 0, "-n", 6)["content"]
    t = Term("-m", model, "-t", 0, "-n", 6, "-v")
    t.expect(rb"Ctrl-D leaves\.\n> ")
    t.send("Hello there\n")
    m = t.expect(rb"turn 1: (\d+) prompt tokens, 0 of them reused.*?decoded\n")
    p1 = int(m.group(1))
    t.expect(re.escape(first.encode()) + PROMPT)
    t.send("And then?\n")
    want = chatml([{"role": "user", "content": "Hello there"}, {"role": "assistant", "content": first},
                   {"role": "user", "content": "And then?"}])
    t.expect(rb"turn 2: the prompt:\n" + re.escape(want.encode()) + rb"\n")
    m = t.expect(rb"turn 2: (\d+) prompt tokens, (\d+) of them reused")
    # the cache holds the first prompt and the answer's tokens but the last (6 tokens, no stop)
    toks = int_line(run_attn("tokenize", "-m", model, input_text(model, want)))
    assert int(m.group(1)) == len(toks)
    reused = int(m.group(2))
    assert p1 <= reused <= p1 + 5, (reused, p1)
    t.expect(PROMPT)
    t.send("/system Be brief.\n")
    t.expect(rb"the system message is set\n> ")
    t.send("/reset\n")
    t.expect(rb"the conversation is empty \(the system message stays\)\n> ")
    t.send("/help\n")
    t.expect(rb"/reset .*/quit .*\n> ")
    t.send("/nonsense\n")
    t.expect(rb"unknown command /nonsense.*\n> ")
    t.send("Hi\n")
    want = chatml([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}])
    t.expect(rb"turn 3: the prompt:\n" + re.escape(want.encode()) + rb"\n")
    t.expect(PROMPT)
    t.send("/system\n")
    t.expect(rb"no system message\n> ")
    t.send("//slash\n")
    t.expect(rb"turn 4: the prompt:\n<\|im_start\|>user\nHi<\|im_end\|>\n.*?<\|im_start\|>user\n/slash<\|im_end\|>\n")
    t.expect(PROMPT)
    t.send("\x04")  # Ctrl-D: end of input
    assert t.wait() == 0


def input_text(model, text):
    """A file holding text, for attn tokenize."""
    p = model.parent / "text.txt"
    p.write_text(text)
    return p


def test_ctrl_c_stops_an_answer_and_the_partial_answer_stays(model):
    t = Term("-m", model, "-t", 1, "-n", 1000000, "--seed", 3, "-v")
    t.expect(rb"\n> ")
    t.send("Tell me a long story\n")
    t.expect(rb"turn 1: .*?decoded\n.")  # the answer has begun
    os.kill(t.pid, signal.SIGINT)
    t.expect(rb"answer stopped \(what it said so far stays in the conversation\)\n> ")
    t.send("/help\n")  # still listening
    t.expect(rb"/system TEXT.*\n> ")
    t.send("Go on\n")
    m = t.expect(rb"turn 2: the prompt:\n(.*?)\nattn chat: turn 2: ")
    prompt = m.group(1).decode()
    head = "<|im_start|>user\nTell me a long story<|im_end|>\n<|im_start|>assistant\n"
    tail = "<|im_end|>\n<|im_start|>user\nGo on<|im_end|>\n<|im_start|>assistant\n"
    assert prompt.startswith(head) and prompt.endswith(tail), prompt
    assert len(prompt) > len(head) + len(tail)  # the part said before Ctrl-C
    t.expect(rb"decoded\n.")
    os.kill(t.pid, signal.SIGINT)
    t.expect(rb"answer stopped.*?\n> ")
    os.kill(t.pid, signal.SIGINT)  # Ctrl-C at the prompt ends the program
    assert t.wait() == 130


def test_drops_the_oldest_turns_to_fit_the_context(model):
    """A context of 1024 and -n 8: a conversation of ~1100 tokens loses its first turn (with a
    note), the system message stays; a last message longer than the context is an error."""
    long = " ".join(["word"] * 400)
    msgs = [{"role": "system", "content": "Be kind."}, {"role": "user", "content": long},
            {"role": "assistant", "content": long}, {"role": "user", "content": "short"},
            {"role": "assistant", "content": long}, {"role": "user", "content": "last"}]
    rc, out, err = chat("-m", model, "-t", 0, "-n", 8, "-v", "--json", stdin=json.dumps(msgs))
    assert rc == 0, err
    assert re.search(r"note: the conversation outgrew the model's context of 1024 tokens \(8 kept for the answer\): "
                     r"dropped its 2 oldest messages, kept the system message\n", err), err
    want = chatml([msgs[0]] + msgs[3:])
    assert "the prompt:\n" + want + "\n" in err, err
    assert json.loads(out)["usage"]["prompt_tokens"] <= 1024 - 8
    rc, out, err = chat("-m", model, "-n", 8, stdin=json.dumps([{"role": "user", "content": " ".join(["x"] * 1200)}]))
    assert rc == 1 and out == "", (rc, out)
    assert re.fullmatch(r"attn chat: error: the last message makes a prompt of \d+ tokens; with 8 left for the answer "
                        r"\(-n\) the model's context of 1024 holds at most 1016\n", err), err


def test_non_interactive_reply_and_json(model, tmp_path):
    msgs = [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi."},
            {"role": "user", "content": [{"type": "text", "text": "How "}, {"type": "text", "text": "are you?"}]}]
    f = tmp_path / "m.json"
    f.write_text(json.dumps({"messages": msgs}))
    j = json.loads(run_attn("chat", "-m", model, "--messages", f, "-t", 1, "-n", 200, "--seed", 5, "--json"))
    assert j["role"] == "assistant" and j["finish_reason"] in ("stop", "length")
    u = j["usage"]
    flat = [msgs[0], msgs[1], {"role": "user", "content": "How are you?"}]
    assert u["prompt_tokens"] == len(int_line(run_attn("tokenize", "-m", model, input_text(model, chatml(flat)))))
    assert u["total_tokens"] == u["prompt_tokens"] + u["completion_tokens"]
    assert (u["completion_tokens"] == 200) == (j["finish_reason"] == "length")
    # the plain reply is the same text (stdin, not a terminal, works like --messages)
    rc, out, err = chat("-m", model, "-t", 1, "-n", 200, "--seed", 5, stdin=json.dumps(msgs))
    assert rc == 0, err
    assert out == j["content"] + "\n"
    # a model that has not learned much says bytes of unfinished characters: never printed
    # half; each becomes U+FFFD
    out = subprocess.run([str(attn_bin()), "chat", "-m", str(model), "-t", "2", "-n", "400", "--seed", "1"],
                         cwd=REPO, input=json.dumps(msgs).encode(), capture_output=True).stdout
    out.decode("utf-8")  # strict
    # --system adds a system message
    rc, out, err = chat("-m", model, "-n", 1, "-v", "-s", "Be kind.", stdin=json.dumps(msgs[:1]))
    assert rc == 0 and chatml([{"role": "system", "content": "Be kind."}, msgs[0]]) in err, err


@pytest.mark.parametrize("text,message", [
    ("[{\"role\": \"user\", \"content\": \"hi\"", r"standard input: not valid JSON \(at byte \d+\)"),
    ("{\"role\": \"user\"}", r"expected an array of messages, or an object with one under \"messages\""),
    ("[]", r"the conversation holds no messages"),
    ("[\"hi\"]", r"messages\[0\] must be an object with a role and a content"),
    ("[{\"role\": \"robot\", \"content\": \"hi\"}]",
     r"messages\[0\]\.role must be \"system\", \"user\" or \"assistant\", not \"robot\""),
    ("[{\"content\": \"hi\"}]", r"messages\[0\]\.role must be .* \(it is missing\)"),
    ("[{\"role\": \"user\", \"content\": 3}]", r"messages\[0\]\.content must be a string"),
    ("[{\"role\": \"user\", \"content\": [{\"type\": \"image_url\"}]}]",
     r"messages\[0\]\.content\[0\] is not a \{\"type\": \"text\", \"text\": \.\.\.\} part"),
    ("[{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]",
     r"the last message must be the user's \(it is the assistant's\)"),
    ("[{\"role\": \"system\", \"content\": \"a\"}, {\"role\": \"user\", \"content\": \"hi\"}]",
     r"--system and a system message in standard input: give one of them"),
])
def test_non_interactive_errors(model, text, message):
    extra = ["-s", "b"] if "--system" in message else []
    rc, out, err = chat("-m", model, *extra, stdin=text)
    assert rc == 1 and out == "", (rc, out, err)
    assert re.fullmatch(r"attn chat: error: .*" + message + r".*\n", err), err


def test_non_interactive_invalid_utf8_and_usage(model, tmp_path):
    f = tmp_path / "bad.json"
    f.write_bytes(b'[{"role": "user", "content": "caf\xc3"}]')
    rc, out, err = chat("-m", model, "--messages", f)
    assert rc == 1 and re.fullmatch(r"attn chat: error: .*bad\.json.*UTF-8.*\n", err), err
    rc, out, err = chat("-m", model, "--messages", tmp_path / "missing.json")
    assert rc == 1 and "missing.json" in err, err
    rc, out, err = chat("--messages", f)
    assert rc == 2 and err == "attn chat: error: -m MODEL is required (see attn chat --help)\n", err
    rc, out, err = chat("-m", model, "extra")
    assert rc == 2, err


def test_smollm2_reply_equals_generate_on_the_rendered_prompt(tmp_path):
    """Greedy: the reply is `attn generate`'s continuation of the prompt attn chat-template
    renders, token for token (the same count and the same text)."""
    msgs = [{"role": "user", "content": "What is the capital of Germany?"}]
    f = tmp_path / "q.json"
    f.write_text(json.dumps(msgs))
    j = json.loads(run_attn("chat", "-m", SMOLLM2, "--messages", f, "-t", 0, "-n", 40, "--json"))
    prompt = run_attn("chat-template", "-m", SMOLLM2, f)
    ids = int_line(run_attn("generate", "-m", SMOLLM2, "-p", prompt, "-t", 0, "-n", 40, "--print-ids"))
    text = run_attn("generate", "-m", SMOLLM2, "-p", prompt, "-t", 0, "-n", 40)
    assert text.startswith(prompt) and text.endswith("\n")
    stopped = ids[-1] == 2  # <|im_end|>, SmolLM2's end of turn and eos (generate prints it)
    assert j["finish_reason"] == ("stop" if stopped else "length"), (j, ids)
    assert j["usage"]["completion_tokens"] == len(ids) - (1 if stopped else 0), (j, ids)
    assert j["content"] == text[len(prompt):-1]
    assert "Berlin" in j["content"], j


def test_smollm2_second_turn_from_the_cache_equals_a_fresh_reply():
    """fp32 weights: the cache's keys and values of the first answer were computed one token at a
    time, a fresh prompt computes them together; in fp32 both give the same greedy reply. (With
    the file's quantized weights the two kernels' roundings differ, and so may a later token.)"""
    question, again = "What is 2+2?", "And 3+3?"
    f32 = ("-t", 0, "-n", 30, "--precision", "f32")
    first = reply(SMOLLM2, [{"role": "user", "content": question}], *f32)
    t = Term("-m", SMOLLM2, "-v", *f32)
    t.expect(rb"\n> ")
    t.send(question + "\n")
    t.expect(re.escape(first["content"].encode()) + PROMPT)
    t.send(again + "\n")
    m = t.expect(rb"turn 2: (\d+) prompt tokens, (\d+) of them reused.*?decoded\n(.*?)" + PROMPT)
    # the cache held the first prompt and answer (the stop token <|im_end|> was not decoded)
    cached = first["usage"]["prompt_tokens"] + first["usage"]["completion_tokens"] - \
        (1 if first["finish_reason"] == "length" else 0)
    assert int(m.group(2)) == cached, (m.group(0), first)
    conv = [{"role": "user", "content": question}, {"role": "assistant", "content": first["content"]},
            {"role": "user", "content": again}]
    second = reply(SMOLLM2, conv, *f32)
    assert int(m.group(1)) == second["usage"]["prompt_tokens"]
    assert m.group(3).decode() == second["content"]
    t.send("/quit\n")
    assert t.wait() == 0


def test_an_end_of_turn_marker_spelled_in_pieces_ends_the_answer(tmp_path):
    """A template whose end of turn (what follows an assistant's message) is three characters
    of a char-level model's answer (sampled, seed 7): the answer stops where they begin, and the
    streamed text never showed their beginning (held back until it could not be the marker)."""
    corpus = tmp_path / "c.txt"
    corpus.write_bytes(CORPUS.read_bytes()[:20000])
    run_attn("prepare", "-t", "char", "-o", tmp_path / "d", corpus)
    run_attn("train", "--data", tmp_path / "d", "--out", tmp_path / "m", "--layers", 1, "--heads", 2, "--width", 32,
             "--context", 128, "--batch", 1, "--steps", 1, "--quiet")
    msgs = json.dumps([{"role": "user", "content": "Hello"}])

    def template(mark):
        t = tmp_path / "t.jinja"
        t.write_text("{% for m in messages %}{{ m.role }}: {{ m.content }}{% if m.role == 'assistant' %}" + mark
                     + "{% endif %}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}")
        return t

    sampled = ("-t", 1, "--seed", 7, "-n", 40)
    plain = reply(tmp_path / "m", json.loads(msgs), "--template", template(""), *sampled)["content"]
    m = re.search(r"(?<=.)[A-Za-z0-9]{3}", plain)
    assert m, plain
    mark = m.group(0)
    at = plain.find(mark)
    assert at >= 1
    t = template(mark)
    j = reply(tmp_path / "m", json.loads(msgs), "--template", t, *sampled)
    assert j["content"] == plain[:at] and j["finish_reason"] == "stop", (j, plain, mark)
    assert j["usage"]["completion_tokens"] == at + 3  # one token per character, the marker's included
    rc, out, err = chat("-m", tmp_path / "m", "--template", t, *sampled, "-v", stdin=msgs)
    assert rc == 0 and out == plain[:at] + "\n", (out, plain, mark)
    assert "end-of-turn text %s;" % mark in err, err
