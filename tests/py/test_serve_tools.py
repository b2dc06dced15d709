"""`attn serve` with OpenAI's tools protocol, through the official `openai` client: a request with
`tools` whose answer is a call comes back as `tool_calls` (finish_reason "tool_calls", content
null); the client runs the tool and sends the assistant message and a `tool` message back, and
the model answers from the result. The model is a tiny GPT taught the calls by SFT in about a
second (tests/e2e/lib/tool_gpt.sh). Also: without `tools` the same text is plain content, bad
`tools` are 400s, and a stream with tools gives the answer without streaming: content deltas up
to a call, then the calls as tool_calls deltas."""
import json
import os
import subprocess

import openai
import pytest

from conftest import REPO, attn_bin, run_attn
from test_serve import Server

CALC = {"type": "function", "function": {"name": "calculator", "description": "arithmetic",
                                         "parameters": {"type": "object",
                                                        "properties": {"expression": {"type": "string"}}}}}


@pytest.fixture(scope="module")
def tool_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("tools")
    subprocess.run(["sh", "-c", ". tests/e2e/lib/tool_gpt.sh"], cwd=REPO, check=True,
                   env={**os.environ, "ATTN": str(attn_bin()), "tmp": str(d)})
    return d


@pytest.fixture(scope="module")
def srv(tool_dir):
    s = Server(tool_dir / "tool", "--slots", 1)
    yield s
    s.stop()


@pytest.fixture(scope="module")
def rerank_srv(tool_dir):
    """The tool model reranking 2 candidates with a rule classifier trained from it in a few
    steps (its verdicts are not what these tests read)."""
    d = tool_dir
    (d / "rules.txt").write_text("no-calc: Never use the calculator.\n")
    rows = [{"text": "Never use the calculator.", "text_pair": q, "label": lab}
            for q, lab in (("what is 12*34", "violates"), ("hello", "ok"))] * 4
    (d / "cls.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    run_attn("train", "--objective", "classify", "--init", d / "tool", "--data", d / "cls.jsonl", "--out", d / "cls",
             "--steps", 4, "--batch", 4, "--threads", 1, "--quiet")
    s = Server(d / "tool", "--slots", 2, "--rerank", 2, "--rule-model", d / "cls", "--rules", d / "rules.txt")
    yield s
    s.stop()


def test_tools_round_trip(srv):
    c = srv.client()
    msgs = [{"role": "user", "content": "what is 12*34"}]
    r = c.chat.completions.create(model="m", messages=msgs, tools=[CALC], temperature=0, max_tokens=60)
    ch = r.choices[0]
    assert ch.finish_reason == "tool_calls"
    assert ch.message.content is None
    assert len(ch.message.tool_calls) == 1
    call = ch.message.tool_calls[0]
    assert call.type == "function" and call.function.name == "calculator"
    assert call.function.arguments == '{"expression":"12*34"}'
    assert call.id.startswith("call_")
    msgs.append(ch.message.model_dump(exclude_none=True))
    msgs.append({"role": "tool", "tool_call_id": call.id, "content": "408"})
    r = c.chat.completions.create(model="m", messages=msgs, tools=[CALC], temperature=0, max_tokens=20)
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.content == "It is 408."
    assert not r.choices[0].message.tool_calls


def test_without_tools_the_call_is_text(srv):
    r = srv.client().chat.completions.create(model="m", messages=[{"role": "user", "content": "what is 12*34"}],
                                             temperature=0, max_tokens=60)
    assert r.choices[0].finish_reason == "stop"
    assert r.choices[0].message.content.startswith("<tool_call>")
    r = srv.client().chat.completions.create(model="m", messages=[{"role": "user", "content": "hello"}],
                                             tools=[CALC], temperature=0, max_tokens=20)
    assert r.choices[0].finish_reason == "stop" and r.choices[0].message.content == "Hi."


def test_bad_tools_are_400(srv):
    c = srv.client()
    for tools in ([{"type": "function"}], [{"type": "code", "function": {"name": "x"}}], "calculator"):
        with pytest.raises(openai.BadRequestError) as e:
            c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], tools=tools)
        assert e.value.body["param"] == "tools"


def stream_message(client, **kw):
    """A streamed answer put together as the openai client's users do: content deltas joined,
    tool_calls deltas merged by index; also each chunk's delta content and the finish."""
    content, calls, finish, pieces = None, {}, None, []
    for chunk in client.chat.completions.create(model="m", stream=True, temperature=0, **kw):
        for ch in chunk.choices:
            d = ch.delta
            if d.content:
                content = (content or "") + d.content
                pieces.append(d.content)
            for tc in d.tool_calls or []:
                e = calls.setdefault(tc.index, {"id": None, "name": "", "arguments": ""})
                e["id"] = tc.id or e["id"]
                e["name"] += tc.function.name or ""
                e["arguments"] += tc.function.arguments or ""
            finish = ch.finish_reason or finish
    return content, [calls[i] for i in sorted(calls)], finish, pieces


def test_streaming_with_tools_equals_the_answer_without(srv):
    c = srv.client()
    for text, max_tokens in (("what is 12*34", 60), ("hello", 20)):
        msgs = [{"role": "user", "content": text}]
        whole = c.chat.completions.create(model="m", messages=msgs, tools=[CALC], temperature=0,
                                          max_tokens=max_tokens).choices[0]
        content, calls, finish, pieces = stream_message(c, messages=msgs, tools=[CALC], max_tokens=max_tokens)
        assert finish == whole.finish_reason
        assert content == whole.message.content
        want = [{"name": t.function.name, "arguments": t.function.arguments} for t in whole.message.tool_calls or []]
        assert [{"name": e["name"], "arguments": e["arguments"]} for e in calls] == want
        assert all(e["id"] and e["id"].startswith("call_") for e in calls)
        assert len({e["id"] for e in calls}) == len(calls)
        # nothing of a call's text leaks into the content deltas
        assert not any("<" in p for p in pieces)
        if text != "hello":
            assert finish == "tool_calls" and content is None and len(calls) == 1
    assert finish == "stop" and content == "Hi."


def test_tools_with_reranking(rerank_srv):
    """Each turn is the best of the candidates, calls and all: a call comes back as tool_calls with
    the verdicts beside it (also streamed), the conversation with the call and its result is
    scored and answered, and a refused turn carries no call."""
    c = rerank_srv.client()
    msgs = [{"role": "user", "content": "what is 12*34"}]
    keep_all = {"attn_rerank": {"violation_threshold": 1}}
    r = c.chat.completions.create(model="m", messages=msgs, tools=[CALC], temperature=0, max_tokens=60,
                                  extra_body=keep_all)
    ch, safety = r.choices[0], r.model_extra["attn_safety"]
    assert safety["candidates"] == 2 and safety["chosen"] == 0 and [x["id"] for x in safety["rules"]] == ["no-calc"]
    assert ch.finish_reason == "tool_calls" and ch.message.content is None
    assert [(t.function.name, t.function.arguments) for t in ch.message.tool_calls] == [
        ("calculator", '{"expression":"12*34"}')]
    content, calls, finish, pieces = stream_message(c, messages=msgs, tools=[CALC], max_tokens=60,
                                                    extra_body=keep_all)
    assert (content, finish) == (None, "tool_calls") and not any("<" in p for p in pieces)
    assert [(e["name"], e["arguments"]) for e in calls] == [("calculator", '{"expression":"12*34"}')]
    assert all(e["id"] and e["id"].startswith("call_") for e in calls)
    msgs.append(ch.message.model_dump(exclude_none=True))  # content null: the scorers see the call
    msgs.append({"role": "tool", "tool_call_id": ch.message.tool_calls[0].id, "content": "408"})
    r = c.chat.completions.create(model="m", messages=msgs, tools=[CALC], temperature=0, max_tokens=20,
                                  extra_body=keep_all)
    assert r.choices[0].finish_reason == "stop" and r.choices[0].message.content == "It is 408."
    assert r.model_extra["attn_safety"]["chosen"] == 0
    # every candidate over the threshold: the refusal, without the candidates' calls
    refuse = {"attn_rerank": {"violation_threshold": 0}}
    r = c.chat.completions.create(model="m", messages=msgs[:1], tools=[CALC], temperature=0, max_tokens=60,
                                  extra_body=refuse)
    ch = r.choices[0]
    assert ch.finish_reason == "content_filter" and not ch.message.tool_calls
    assert ch.message.content == "I'm sorry, but I can't help with that."
    content, calls, finish, _ = stream_message(c, messages=msgs[:1], tools=[CALC], max_tokens=60, extra_body=refuse)
    assert (content, calls, finish) == ("I'm sorry, but I can't help with that.", [], "content_filter")
