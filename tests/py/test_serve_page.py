"""attn serve's chat page in a real headless Chromium (Debian `chromium` and `chromium-driver`,
driven by PyPI `selenium`; tools/setup.sh installs all three): the page loads from the binary,
a message typed and sent with Enter streams its answer into the conversation, the finished
answer equals the API's answer to the same request (greedy, same max_tokens), and the Stop
button ends a generation half way, keeping the text streamed so far, after which the server has
freed the slot and the page sends the next message. On a reranking server the page's violation
threshold goes with the request and the verdicts (attn_safety) show as a collapsible line under
the answer, as text.

Streaming is made visible by Chromium's own network emulation (DevTools' throughput limit),
so that a small model's answer arrives over seconds rather than in one packet.

`ATTN_PAGE_SCREENSHOT=FILE` saves a screenshot of the finished conversation (the README's
docs/figures/serve_page.png comes from tools/serve_screenshot.py with SmolLM2)."""
import os
import shutil
import time

import pytest

from test_serve import Server, model, rerank_srv  # noqa: F401  (the module's trained model fixtures)

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def browser():
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail("selenium is not installed (tools/setup.sh installs it)")
    for path in (CHROMIUM, DRIVER):
        if not shutil.which(path):
            pytest.fail("%s is missing (tools/setup.sh installs Debian's chromium and chromium-driver)" % path)
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not look for drivers online
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,760"):
        opts.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=DRIVER), options=opts)


def wait(what, cond, timeout=60):
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    pytest.fail("timed out after %ds waiting for %s" % (timeout, what))


def assistant_bubbles(d):
    from selenium.webdriver.common.by import By
    return d.find_elements(By.CSS_SELECTOR, "#log .msg.assistant")


def answer_text(bubble):
    """The bubble's answer without its meta line (finish reason, token counts)."""
    return bubble.parent.execute_script(
        "return arguments[0].firstChild && arguments[0].firstChild.nodeType === 3 ? arguments[0].firstChild.data : '';",
        bubble)


def meta_of(bubble):
    from selenium.webdriver.common.by import By
    m = bubble.find_elements(By.CSS_SELECTOR, ".meta")
    return m[0].text if m else None


def send(d, text):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    box = d.find_element(By.ID, "input")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def set_field(d, name, value):
    d.execute_script("document.getElementById(arguments[0]).value = arguments[1];", name, str(value))


def test_page_streams_answers_and_stops(model):  # noqa: F811
    s = Server(model, "--slots", 2)
    d = None
    try:
        d = browser()
        d.get(s.base + "/")
        from selenium.webdriver.common.by import By
        wait("the model line", lambda: "context 256" in d.find_element(By.ID, "model").text)
        set_field(d, "temperature", 0)
        set_field(d, "max_tokens", 120)
        # about 40 SSE events a second: a 120-token answer takes seconds to arrive
        d.set_network_conditions(offline=False, latency=0, download_throughput=6000, upload_throughput=1 << 20)

        send(d, "Anne Elliot")
        bubble = wait("the answer's bubble", lambda: (assistant_bubbles(d) or [None])[0])
        seen = set()
        while meta_of(bubble) is None:
            seen.add(len(answer_text(bubble) or ""))
            time.sleep(0.02)
            assert len(seen) < 10000
        final = answer_text(bubble)
        partial = sorted(n for n in seen if 0 < n < len(final))
        assert len(partial) >= 3, "the answer did not stream: lengths seen %s of %d" % (sorted(seen), len(final))
        want = s.client().chat.completions.create(model="m", messages=[{"role": "user", "content": "Anne Elliot"}],
                                                  temperature=0, max_tokens=120).choices[0]
        assert final == want.message.content, (final, want.message.content)
        assert meta_of(bubble).startswith(want.finish_reason), meta_of(bubble)

        # a new conversation whose answer is stopped half way: the bubble keeps what arrived and
        # says "stopped"
        d.find_element(By.ID, "reset").click()
        wait("an empty conversation", lambda: not assistant_bubbles(d))
        d.set_network_conditions(offline=False, latency=0, download_throughput=1500, upload_throughput=1 << 20)
        set_field(d, "max_tokens", 180)
        send(d, "Lady Russell")
        bubble = wait("the second answer", lambda: (assistant_bubbles(d) or [None])[0])
        wait("some streamed text", lambda: len(answer_text(bubble) or "") >= 5)
        stop = d.find_element(By.ID, "stop")
        assert stop.is_enabled() and not d.find_element(By.ID, "send").is_enabled(), (bubble.text, meta_of(bubble))
        stop.click()
        wait("the stopped answer's meta line", lambda: meta_of(bubble) is not None, timeout=20)
        assert meta_of(bubble).startswith("stopped"), meta_of(bubble)
        kept = answer_text(bubble)
        full = s.client().chat.completions.create(
            model="m", temperature=0, max_tokens=180,
            messages=[{"role": "user", "content": "Lady Russell"}]).choices[0].message.content
        assert 5 <= len(kept) < len(full) and full.startswith(kept), (kept, full)
        wait("the stopped request's slot to be freed", lambda: s.metrics()["attn_requests_processing"] == 0, timeout=20)

        # the page goes on: a third message completes
        d.set_network_conditions(offline=False, latency=0, download_throughput=1 << 24, upload_throughput=1 << 24)
        set_field(d, "max_tokens", 20)
        send(d, "Kellynch")
        bubble = wait("the third answer", lambda: len(assistant_bubbles(d)) == 2 and assistant_bubbles(d)[1])
        wait("the third answer's meta line", lambda: meta_of(bubble) is not None)
        assert meta_of(bubble).startswith("length") and answer_text(bubble)
        shot = os.environ.get("ATTN_PAGE_SCREENSHOT")
        if shot:
            d.save_screenshot(shot)
    finally:
        if d is not None:
            d.quit()
        s.stop()


def test_page_shows_the_safety_verdicts(rerank_srv):  # noqa: F811
    d = None
    try:
        d = browser()
        d.get(rerank_srv.base + "/")
        from selenium.webdriver.common.by import By
        wait("the model line", lambda: "context 256" in d.find_element(By.ID, "model").text)
        set_field(d, "max_tokens", 12)
        set_field(d, "threshold", 0)  # every candidate over it: the refusal
        send(d, "Sir")
        bubble = wait("the answer's bubble", lambda: (assistant_bubbles(d) or [None])[0])
        det = wait("the safety line", lambda: bubble.find_elements(By.CSS_SELECTOR, "details.safety"))[0]
        assert answer_text(bubble) == "I'm sorry, but I can't help with that."
        assert meta_of(bubble).startswith("content_filter")
        summary = det.find_element(By.TAG_NAME, "summary")
        assert summary.text.startswith("safety: 3 candidates, all over the threshold 0.000: refused"), summary.text
        summary.click()
        items = [li.text for li in det.find_elements(By.TAG_NAME, "li")]
        assert items[0].startswith("no-anne: 0.") and items[1].startswith("no-bath: 0.") and len(items) == 5, items
    finally:
        if d is not None:
            d.quit()
