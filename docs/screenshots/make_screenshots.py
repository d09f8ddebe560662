"""Make docs/screenshots/presenter.png and phone.png from the seed session.

Run from the repository: `.venv/bin/python docs/screenshots/make_screenshots.py`.
It loads the seed into a throw-away SQLite database, serves it on a free port, lets a
few participants answer the choice question "Hoe wil je in de toekomst samenwerken?"
(results shown, so the bars appear), and photographs the projector (1600×900) and one
phone (390×844, device scale 2) in Debian's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CHOICE = "s4"
# Answers given through the API besides the photographed phone (which taps "a").
OTHERS = ["a", "a", "b", "c", "c", "c", "a", "c", "b", "a", "c"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def call(
    base: str, method: str, path: str, body: object = None, token: str | None = None
) -> object:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="denkdag-shots-"))
    port = free_port()
    database = f"sqlite:///{tmp / 'db.sqlite3'}"
    demo = subprocess.run(
        [sys.executable, "-m", "denkdag", "demo", "--no-serve", "--database", database,
         "--port", str(port)],
        capture_output=True, text=True, check=True,
    )

    def printed(label: str) -> str:
        match = re.search(label + r":\s*(\S+)", demo.stdout)
        assert match, demo.stdout
        return match.group(1).replace("://localhost:", "://127.0.0.1:")

    presenter_url = printed(r"Presenter \(signed in\)")
    join_url = printed("Join URL")
    token = printed("Facilitator API token")
    code = join_url.rsplit("/", 1)[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "denkdag", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--database", database],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                call(base, "GET", f"/api/v1/sessions/{code}")
                break
            except OSError:
                time.sleep(0.1)
        call(base, "POST", f"/api/v1/sessions/{code}/control", {"action": "goto", "slide": CHOICE},
             token)
        for value in OTHERS:
            joined = call(base, "POST", f"/api/v1/sessions/{code}/participants")
            assert isinstance(joined, dict)
            call(base, "PUT", f"/api/v1/sessions/{code}/slides/{CHOICE}/response",
                 {"value": value}, joined["participant_token"])

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            phone = browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True, has_touch=True)
            page = phone.new_page()
            page.goto(join_url)
            page.locator("#phone #slide[data-slide=s4]").wait_for()
            page.locator("#slide button.choice").first.tap()
            expect(page.locator("#slide button.choice.chosen")).to_have_count(1)

            projector = browser.new_context(viewport={"width": 1600, "height": 900})
            screen = projector.new_page()
            screen.goto(presenter_url)
            screen.wait_for_url(re.compile(rf"/p/{code}$"))
            total = str(len(OTHERS) + 1)
            expect(screen.locator("#answer-count")).to_have_text(total)
            expect(screen.locator("#slide .results")).to_be_visible()
            expect(page.locator("#slide .results .bar[data-key=a] .bar-count")).to_have_text("5")
            screen.wait_for_timeout(600)  # let the bars finish their transition
            screen.screenshot(path=str(HERE / "presenter.png"))
            page.wait_for_timeout(600)
            page.screenshot(path=str(HERE / "phone.png"), full_page=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"Wrote {HERE / 'presenter.png'} and {HERE / 'phone.png'}")


if __name__ == "__main__":
    main()
