"""Screenshot of attn serve's chat page in headless Chromium (docs/figures/serve_page.png).

    .venv/bin/python tools/serve_screenshot.py [-m smollm2] [-o docs/figures/serve_page.png]
        [--question TEXT]

Starts `./attn serve -m MODEL` on a free loopback port, opens the page in Debian's chromium
through selenium (tools/setup.sh installs both), asks the question with temperature 0, waits
for the streamed answer to finish and saves the window as PNG."""
import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("-m", "--model", default="smollm2")
    p.add_argument("-o", "--out", default=str(REPO / "docs" / "figures" / "serve_page.png"))
    p.add_argument("--question", default="Give me three tips for better sleep.")
    p.add_argument("--system", default="You are a helpful assistant.")
    a = p.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    srv = subprocess.Popen([str(REPO / "attn"), "serve", "-m", a.model, "--port", "0"], cwd=REPO,
                           stderr=subprocess.PIPE, text=True)
    line = srv.stderr.readline()
    m = re.search(r"listening on (http://127\.0\.0\.1:\d+/)", line)
    if not m:
        srv.kill()
        sys.exit("serve_screenshot: attn serve did not start: %s" % line)
    os.environ.setdefault("SE_OFFLINE", "true")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1100,760"):
        opts.add_argument(arg)
    d = webdriver.Chrome(service=Service(executable_path="/usr/bin/chromedriver"), options=opts)
    try:
        d.get(m.group(1))
        d.execute_script("document.getElementById('temperature').value = '0';"
                         "document.getElementById('system').value = arguments[0];", a.system)
        box = d.find_element(By.ID, "input")
        box.send_keys(a.question)
        box.send_keys(Keys.ENTER)
        t0 = time.time()
        while not d.find_elements(By.CSS_SELECTOR, "#log .msg.assistant .meta"):
            if time.time() - t0 > 300:
                sys.exit("serve_screenshot: no answer in 300 s")
            time.sleep(0.2)
        d.save_screenshot(a.out)
        print("wrote %s" % a.out)
    finally:
        d.quit()
        srv.terminate()
        srv.wait(timeout=30)


if __name__ == "__main__":
    main()
