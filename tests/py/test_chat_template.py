"""attn's chat templates against PyPI jinja2 rendering them the way transformers'
apply_chat_template does: ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
extensions=[loopcontrols]), raise_exception, transformers' tojson (json.dumps, ensure_ascii off),
and the variables messages, add_generation_prompt, bos_token, eos_token, tools, documents.

Real templates (tests/ref/chat_templates: SmolLM2's ChatML from its GGUF file, Qwen2, Qwen2.5
with tools, Llama-2, Llama-3, Zephyr) over conversations with and without a system message,
multi-turn, with and without the generation prompt, must render byte for byte the same through
`attn chat-template`; so must a set of small templates covering the rest of the supported
language. The reference renderer is checked against transformers' own render_jinja_template."""
import json
import os
import subprocess
from pathlib import Path

import jinja2
import jinja2.ext
import pytest
from jinja2.sandbox import ImmutableSandboxedEnvironment

from conftest import smollm2_gguf

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "tests" / "ref" / "chat_templates"
ATTN = os.environ.get("ATTN_BIN", "./attn")
BOS, EOS = "<s>", "</s>"


def _raise(message):
    raise jinja2.exceptions.TemplateError(message)


def _tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def reference(template, messages, add_generation_prompt, tools=None, bos=BOS, eos=EOS):
    """The rendering transformers gives (jinja2 configured as apply_chat_template configures it)."""
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = _tojson
    env.globals["raise_exception"] = _raise
    return env.from_string(template).render(messages=messages, tools=tools, documents=None,
                                            add_generation_prompt=add_generation_prompt,
                                            bos_token=bos, eos_token=eos)


def attn_render(tmp_path, template_file, conversation, add_generation_prompt, extra=()):
    """(exit status, stdout bytes, stderr text) of attn chat-template."""
    msgs = tmp_path / "messages.json"
    msgs.write_text(json.dumps(conversation), encoding="utf-8")
    cmd = [ATTN, "chat-template", "--bos", BOS, "--eos", EOS]
    if template_file is not None:
        cmd += ["--template", str(template_file)]
    if not add_generation_prompt:
        cmd.append("--no-generation-prompt")
    cmd += list(extra) + [str(msgs)]
    r = subprocess.run(cmd, cwd=REPO, capture_output=True, timeout=60)
    return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")


SYSTEM = {"role": "system", "content": "You are a terse assistant. Answer in one line."}
U1 = {"role": "user", "content": "What is the capital of France?"}
A1 = {"role": "assistant", "content": "Paris."}
U2 = {"role": "user", "content": "  And of Japan — 日本? Answer with \"quotes\", 'apostrophes' and {{ braces }}.\n\n"}
A2 = {"role": "assistant", "content": "Tokyo 🗼\nsecond line\t tab "}
U3 = {"role": "user", "content": ""}

CONVERSATIONS = {
    "user": [U1],
    "system_user": [SYSTEM, U1],
    "multi_turn": [U1, A1, U2],
    "system_multi_turn": [SYSTEM, U1, A1, U2, A2, U3],
    "ends_with_assistant": [SYSTEM, U1, A1],
}

REAL = ["smollm2", "qwen2", "qwen2.5", "llama2", "llama3", "zephyr"]


@pytest.mark.parametrize("gen", [True, False], ids=["gen", "nogen"])
@pytest.mark.parametrize("conv", sorted(CONVERSATIONS))
@pytest.mark.parametrize("name", REAL)
def test_real_templates(tmp_path, name, conv, gen):
    path = TEMPLATES / (name + ".jinja")
    template = path.read_text(encoding="utf-8")
    messages = CONVERSATIONS[conv]
    want = reference(template, messages, gen).encode("utf-8")
    rc, out, err = attn_render(tmp_path, path, messages, gen)
    assert rc == 0, err
    assert out == want


def test_llama2_alternation_error(tmp_path):
    """Llama-2's template refuses two user turns in a row through raise_exception; attn says so
    with the template's own message."""
    path = TEMPLATES / "llama2.jinja"
    messages = [U1, U2]
    with pytest.raises(jinja2.exceptions.TemplateError, match="Conversation roles must alternate"):
        reference(path.read_text(encoding="utf-8"), messages, True)
    rc, out, err = attn_render(tmp_path, path, messages, True)
    assert rc == 1 and out == b""
    assert err.startswith("attn chat-template: error: ")
    assert "raise_exception: Conversation roles must alternate user/assistant/user/assistant/..." in err


TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city, now.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "e.g. Zürich"},
                                                    "days": {"type": "integer", "minimum": 1}},
                   "required": ["city"]}}}]
TOOL_TURNS = [SYSTEM, {"role": "user", "content": "Weather in Zürich?"},
              {"role": "assistant", "content": "",
               "tool_calls": [{"type": "function", "function": {"name": "get_weather",
                                                               "arguments": {"city": "Zürich", "days": 2}}}]},
              {"role": "tool", "content": "{\"temp\": 21.5, \"sky\": \"clear\"}"},
              {"role": "tool", "content": "second result"},
              {"role": "assistant", "content": "21.5 °C and clear."}]


@pytest.mark.parametrize("with_tools", [True, False], ids=["tools", "no_tools"])
def test_qwen25_tool_calls(tmp_path, with_tools):
    """Qwen2.5's template: the tools list through tojson, tool calls, runs of tool messages."""
    path = TEMPLATES / "qwen2.5.jinja"
    tools = TOOLS if with_tools else None
    want = reference(path.read_text(encoding="utf-8"), TOOL_TURNS, True, tools=tools).encode("utf-8")
    conversation = {"messages": TOOL_TURNS, "tools": TOOLS} if with_tools else TOOL_TURNS
    rc, out, err = attn_render(tmp_path, path, conversation, True)
    assert rc == 0, err
    assert out == want


def test_smollm2_template_is_the_gguf_one(tmp_path):
    """The committed SmolLM2 template is the GGUF file's tokenizer.chat_template, and
    `attn chat-template -m FILE.gguf` finds the same template and the file's special tokens."""
    import gguf
    reader = gguf.GGUFReader(str(smollm2_gguf()))
    field = reader.fields["tokenizer.chat_template"]
    from_gguf = bytes(field.parts[field.data[0]]).decode("utf-8")
    assert (TEMPLATES / "smollm2.jinja").read_text(encoding="utf-8") == from_gguf

    tokens = reader.fields["tokenizer.ggml.tokens"]
    def token(key):
        tid = int(reader.fields[key].parts[reader.fields[key].data[0]][0])
        return bytes(tokens.parts[tokens.data[tid]]).decode("utf-8")
    msgs = tmp_path / "m.json"
    msgs.write_text(json.dumps(CONVERSATIONS["multi_turn"]), encoding="utf-8")
    r = subprocess.run([ATTN, "chat-template", "-m", str(smollm2_gguf()), str(msgs)], cwd=REPO,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    want = reference(from_gguf, CONVERSATIONS["multi_turn"], True, bos=token("tokenizer.ggml.bos_token_id"),
                     eos=token("tokenizer.ggml.eos_token_id"))
    assert r.stdout == want.encode("utf-8")


def test_smollm2_short_name(tmp_path):
    """-m smollm2 (an installed model's short name) renders exactly what -m FILE.gguf renders,
    with and without the generation prompt."""
    msgs = tmp_path / "m.json"
    msgs.write_text(json.dumps(CONVERSATIONS["multi_turn"]), encoding="utf-8")
    for extra in ([], ["--no-generation-prompt"]):
        by_path = subprocess.run([ATTN, "chat-template", "-m", str(smollm2_gguf())] + extra + [str(msgs)],
                                 cwd=REPO, capture_output=True, timeout=60)
        by_name = subprocess.run([ATTN, "chat-template", "-m", "smollm2"] + extra + [str(msgs)],
                                 cwd=REPO, capture_output=True, timeout=60)
        assert by_path.returncode == 0, by_path.stderr.decode()
        assert by_name.returncode == 0, by_name.stderr.decode()
        assert b"<|im_start|>assistant" in by_path.stdout
        assert by_name.stdout == by_path.stdout


def test_unknown_short_name(tmp_path):
    """-m with a name that is neither a path nor an installed model is an error naming it."""
    msgs = tmp_path / "m.json"
    msgs.write_text(json.dumps(CONVERSATIONS["multi_turn"]), encoding="utf-8")
    r = subprocess.run([ATTN, "chat-template", "-m", "no-such-model", str(msgs)], cwd=REPO,
                       capture_output=True, timeout=60)
    assert r.returncode == 1
    assert r.stderr.decode().startswith("attn chat-template: error: no-such-model: no such model")


def test_model_directory_template(tmp_path):
    """-m DIR reads tokenizer_config.json's chat_template and its AddedToken-shaped special tokens."""
    template = (TEMPLATES / "llama2.jinja").read_text(encoding="utf-8")
    model = tmp_path / "model"
    model.mkdir()
    (model / "tokenizer_config.json").write_text(json.dumps({
        "chat_template": template, "bos_token": {"content": "<BOS>", "lstrip": False}, "eos_token": "<EOS>"}))
    msgs = tmp_path / "m.json"
    msgs.write_text(json.dumps([SYSTEM, U1, A1, U2]), encoding="utf-8")
    r = subprocess.run([ATTN, "chat-template", "-m", str(model), "--no-generation-prompt", str(msgs)], cwd=REPO,
                       capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    assert r.stdout == reference(template, [SYSTEM, U1, A1, U2], False, bos="<BOS>", eos="<EOS>").encode("utf-8")


def test_default_is_chatml(tmp_path):
    """Without a template (and for a model without one) attn uses ChatML, which is SmolLM2's
    template without its default system message."""
    chatml = ("{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + "
              "'<|im_end|>' + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
              "{% endif %}")
    for gen in (True, False):
        rc, out, err = attn_render(tmp_path, None, CONVERSATIONS["system_multi_turn"], gen)
        assert rc == 0, err
        assert out == reference(chatml, CONVERSATIONS["system_multi_turn"], gen).encode("utf-8")
    empty = tmp_path / "empty_model"
    empty.mkdir()
    (empty / "tokenizer_config.json").write_text("{}")
    rc, out2, err = attn_render(tmp_path, None, CONVERSATIONS["user"], True, extra=["-m", str(empty)])
    assert rc == 0, err
    assert out2 == reference(chatml, CONVERSATIONS["user"], True).encode("utf-8")


def test_reference_is_transformers():
    """The reference renderer above gives what transformers' own renderer gives."""
    from transformers.utils.chat_template_utils import render_jinja_template
    for name in REAL:
        template = (TEMPLATES / (name + ".jinja")).read_text(encoding="utf-8")
        for conv in CONVERSATIONS.values():
            for gen in (True, False):
                got, _ = render_jinja_template(conversations=[conv], chat_template=template,
                                               add_generation_prompt=gen, bos_token=BOS, eos_token=EOS)
                assert got[0] == reference(template, conv, gen)


# Small templates over the rest of the language: each renders the same through both.
LANGUAGE = [
    # whitespace control, trim_blocks, lstrip_blocks, comments, trailing newline
    "a  {%- if true -%}  x  {%- endif %} \n z",
    "a\n  {% if true %}\n  b\n  {% endif %}\nc\n",
    "a\n  {# note #}\nb {#- c -#}  d",
    "a\n  {%+ if true %}\nb{% endif +%}\nc",
    "  {{ 1 }}  {% if true %}  x {% endif %}  \n  y",
    "line\r\nnext\r\n  {% if 1 %}\r\nz{% endif %}\n",
    "{{- '  lead' -}}   \n\n  {{- 'trail  ' }}",
    # literals and printing
    "{{ 1.0 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 3 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 1e-5 }}",
    "{{ [1, 'a', none, true, 2.5, {'k': [1]}] }} {{ {'a': 1, 'b': 'x'} }} {{ (1, 2) }}",
    "{{ 'a\\tb\\\\c\\u00e9\\x41\\n' }}|{{ \"it's\" }}|{{ 'say \"hi\"' }}|{{ ['it\\'s'] }}",
    "{{ none }} {{ true }} {{ False }} {{ undefined_name }}|{{ 'x' ~ 1 ~ none ~ 2.0 }}",
    # variables, subscripts, attributes, slices
    "{{ messages[0].role }} {{ messages[0]['content'] }} {{ messages[-1].content }} {{ messages[9] }}|{{ messages[0].nope }}",
    "{{ messages[1:] | length }} {{ messages[::-1][0].role }} {{ 'héllo wörld'[1:4] }} {{ 'abcdef'[::2] }} {{ 'abc'[-1] }}",
    "{{ [1,2,3,4,5][1:-1] }} {{ [1,2,3][5:] }} {{ 'abc'[::-1] }} {{ [1,2,3,4][::-2] }} {{ 'xyz'[-10:2] }}",
    # operators
    "{{ 1 + 2 * 3 - 4 }} {{ 'ab' * 3 }} {{ [0] * 2 }} {{ [1] + [2] }} {{ 10 % 4 }} {{ -2 ** 2 }} {{ true + 1 }}",
    "{{ 1 < 2 < 3 }} {{ 1 == 1.0 }} {{ 'a' != 'b' }} {{ 'b' > 'a' }} {{ [1, 2] < [1, 3] }} {{ 2 >= 2 }}",
    "{{ 'ell' in 'hello' }} {{ 3 in [1, 2] }} {{ 'role' in messages[0] }} {{ 'x' not in 'abc' }} {{ not 1 in [1] }}",
    "{{ 0 or 'default' }} {{ 1 and 'both' }} {{ none or [] }} {{ not '' }} {{ 'yes' if 1 else 'no' }} {{ 'n' if 0 }}|",
    # tests
    "{{ x is defined }} {{ messages is defined }} {{ none is none }} {{ 'a' is string }} {{ {} is mapping }}"
    " {{ [] is iterable }} {{ 1 is iterable }} {{ 3 is odd }} {{ 4 is even }} {{ 1 is number }} {{ 9 is divisibleby 3 }}",
    "{{ messages[0].content is string }} {{ messages[0] is mapping }} {{ x is not defined }} {{ 1 is not none }}"
    " {{ true is boolean }} {{ 1.5 is float }} {{ 2 is integer }} {{ 'ab' is lower }} {{ 1 is sameas 1 }}",
    "{{ 2.5 is odd }} {{ 3.0 is odd }} {{ 4.0 is even }} {{ -3 is odd }} {{ (1)[::-1] }}|{{ none[1:] }}|",
    # filters
    "{{ '  pad  ' | trim }}|{{ 'xxhixx' | trim('x') }}|{{ messages | length }} {{ 'héllo' | length }} {{ {'a': 1} | count }}",
    "{{ 'Hello' | upper }} {{ 'Hello' | lower }} {{ 'hello world' | title }} {{ 'hELLO' | capitalize }}",
    "{{ x | default('dflt') }} {{ none | default('n') }} {{ '' | default('e', true) }} {{ 0 | d(5, boolean=true) }}",
    "{{ [3, 1, 2] | first }} {{ [3, 1, 2] | last }} {{ 'abc' | first }} {{ [] | first }}|{{ [1, 2] | join(', ') }} {{ 'abc' | join('-') }}",
    "{{ 'a-b-c' | replace('-', '+') }} {{ 'aaa' | replace('a', 'b', 2) }} {{ 12 | string ~ 'x' }} {{ 'ab' | list }} {{ [1, 2] | reverse | list }}",
    "{{ {'b': 1, 'a': [1, 2.5, 'é\"\\n']} | tojson }} {{ messages[0] | tojson }} {{ none | tojson }} {{ 'x' | tojson }}",
    "{{ {'b': {'c': [1, {}]}, 'a': []} | tojson(indent=2) }} {{ {'b': 1, 'a': 2} | tojson(sort_keys=true) }}",
    "{{ {'k': 'é'} | tojson(ensure_ascii=true) }} {{ [1, 2] | tojson(separators=(',', ':')) }}",
    "{% for k, v in {'x': 1, 'y': [2]} | items %}{{ k }}={{ v }};{% endfor %} {{ '3' | int + 1 }} {{ 2 | float }} {{ -3 | abs }}",
    "{{ messages | selectattr('role', 'equalto', 'user') | map(attribute='content') | join('|') }}"
    " {{ messages | rejectattr('role', 'equalto', 'system') | list | length }} {{ messages | selectattr('x', 'undefined') | list | length }}",
    "{{ [1, 2, 3, 4] | select('odd') | list }} {{ [0, 1, '', 2] | select | list }} {{ [1, 2] | reject('equalto', 1) | list }}"
    " {{ messages | map(attribute='nope', default='-') | join }} {{ messages | selectattr('content') | list | length }}",
    # methods
    "{{ '  a b  '.strip() }}|{{ 'xxaxx'.lstrip('x') }}|{{ '  c '.rstrip() }}|{{ 'abc'.startswith('ab') }} {{ 'abc'.endswith('bc') }}",
    "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'Ab'.upper() }} {{ 'Ab'.lower() }}",
    "{{ 'x-y'.replace('-', '') }} {{ ', '.join(['a', 'b']) }} {{ 'hello'.find('l') }} {{ 'banana'.count('an') }} {{ 'one two'.title() }}",
    "{% for k, v in messages[0].items() %}{{ k }}:{{ v }};{% endfor %}{{ messages[0].get('role') }} {{ messages[0].get('x', 'dflt') }}"
    " {{ messages[0].get('x') }} {{ {'a': 1}.keys() | list }} {{ {'a': 1}.values() | list }}",
    # loops
    "{% for m in messages %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }}"
    "/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.previtem is defined }} {% endfor %}",
    "{% for m in messages if m.role == 'user' %}{{ loop.index }}:{{ m.content[:5] }} {% else %}none{% endfor %}",
    "{% for x in [] %}a{% else %}empty{% endfor %}{% for c in 'héy' %}[{{ c }}]{% endfor %}{% for k in {'a': 1, 'b': 2} %}{{ k }}{% endfor %}",
    "{% for i in range(5) %}{% if i == 1 %}{% continue %}{% endif %}{% if i == 3 %}{% break %}{% endif %}{{ i }}{% endfor %}"
    "{% for i in range(2, 8, 3) %}{{ i }}{% endfor %}{% for i in range(3, 0, -1) %}{{ i }}{% endfor %}",
    "{% for a in [1, 2] %}{% for b in 'xy' %}{{ a }}{{ b }}{{ loop.index }} {% endfor %}{{ loop.index }}|{% endfor %}",
    "{% for a, b in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}{% for (a, b) in [('x', 'y')] %}{{ a ~ b }}{% endfor %}",
    # set, scoping, namespace
    "{% set x = 1 %}{% for i in [1, 2] %}{{ x }}{% set x = i * 10 %}{{ x }}{% endfor %}{{ x }}",
    "{% for i in [1, 2, 3] %}{% if loop.first %}{% set y = 5 %}{% endif %}[{{ y }}]{% endfor %}{% if true %}{% set z = 3 %}{% endif %}{{ z }}",
    "{% set ns = namespace(found=false, n=0) %}{% for m in messages %}{% if m.role == 'user' %}{% set ns.found = true %}"
    "{% set ns.n = ns.n + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.n }}",
    "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set msgs = messages[1:] %}{{ msgs | length }}{% set messages = [] %}{{ messages | length }}",
    "{% if add_generation_prompt %}gen{% elif bos_token %}{{ bos_token }}{% else %}none{% endif %} {{ eos_token }} {{ tools }} {{ documents }}",
    "{% if false %}a{% elif false %}b{% elif 1 %}c{% else %}d{% endif %}",
]


@pytest.mark.parametrize("idx", range(len(LANGUAGE)))
def test_language(tmp_path, idx):
    template = LANGUAGE[idx]
    messages = [SYSTEM, U1, A1, U2]
    path = tmp_path / "t.jinja"
    path.write_text(template, encoding="utf-8", newline="")
    for gen in (True, False):
        want = reference(template, messages, gen).encode("utf-8")
        rc, out, err = attn_render(tmp_path, path, messages, gen)
        assert rc == 0, "%s\n%s" % (template, err)
        assert out == want, template


def test_cli_errors(tmp_path):
    """Bad usage exits 2; a missing template, a template error, bad JSON and invalid UTF-8 exit 1
    with one line `attn chat-template: error: ...` naming the problem."""
    msgs = tmp_path / "m.json"
    msgs.write_text(json.dumps([U1]), encoding="utf-8")
    def run(*args, stdin=None):
        r = subprocess.run([ATTN, "chat-template", *map(str, args)], cwd=REPO, capture_output=True, input=stdin,
                           timeout=60)
        return r.returncode, r.stdout, r.stderr.decode("utf-8", "replace")
    rc, out, err = run("--template", TEMPLATES / "qwen2.jinja", "-m", tmp_path, msgs)
    assert rc == 2 and out == b"" and "give --template or -m, not both" in err
    rc, out, err = run(msgs, msgs)
    assert rc == 2 and "one MESSAGES.json file at most" in err
    rc, out, err = run("--template", tmp_path / "absent.jinja", msgs)
    assert rc == 1 and out == b"" and err.startswith("attn chat-template: error: ") and "absent.jinja" in err
    bad = tmp_path / "bad.jinja"
    bad.write_text("line one\n{% macro m() %}{% endmacro %}", encoding="utf-8")
    rc, out, err = run("--template", bad, msgs)
    assert rc == 1 and "bad.jinja: line 2, column 4: unsupported construct: the {% macro %} tag" in err
    rc, out, err = run("--template", TEMPLATES / "qwen2.jinja", stdin=b'[{"role": "user", "content": ')
    assert rc == 1 and "not valid JSON" in err
    rc, out, err = run("--template", TEMPLATES / "qwen2.jinja", stdin=b'[{"role": "user", "content": "caf\xc3"}]')
    assert rc == 1 and "invalid UTF-8" in err
    assert len(err.strip().splitlines()) == 1
