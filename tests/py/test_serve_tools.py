"""`attn serve` with OpenAI's tools protocol, through the official `openai` client: a request with
`tools` whose answer is a call comes back as `tool_calls` (finish_reason "tool_calls", content
null); the client runs the tool and sends the assistant message and a `tool` message back, and
the model answers from the result. The model is a tiny GPT taught the calls by SFT in about a
second (tests/e2e/lib/tool_gpt.sh). Also: without `tools` the same text is plain content, bad
`tools` and streaming with tools are 400s."""
import os
import subprocess

import openai
import pytest

from conftest import REPO, attn_bin
from test_serve import Server

CALC = {"type": "function", "function": {"name": "calculator", "description": "arithmetic",
                                         "parameters": {"type": "object",
                                                        "properties": {"expression": {"type": "string"}}}}}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    d = tmp_path_factory.mktemp("tools")
    subprocess.run(["sh", "-c", ". tests/e2e/lib/tool_gpt.sh"], cwd=REPO, check=True,
                   env={**os.environ, "ATTN": str(attn_bin()), "tmp": str(d)})
    s = Server(d / "tool", "--slots", 1)
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
    with pytest.raises(openai.BadRequestError) as e:
        c.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}], tools=[CALC], stream=True)
    assert e.value.body["param"] == "stream"
