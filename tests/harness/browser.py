"""What every browser test needs: a real `denkdag serve` subprocess with the seed session
(as `denkdag demo` prints it) and Debian's Chromium driven by Playwright.

tests/conftest.py offers it to every test as the `helpers` fixture, and Chromium as
`chromium`.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from harness.servers import reserved_port, until_answering_sync

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1600, "height": 900}

# Every page reports CSP violations on its console, so the console listeners see them.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " " + e.blockedURI);
});
"""


@dataclass
class Server:
    """A running `denkdag serve` with the seed session, as `denkdag demo` printed it."""

    base: str
    code: str
    formatted_code: str
    presenter_url: str
    remote_url: str
    join_url: str
    api_token: str
    process: subprocess.Popen[bytes]
    log: Path
    database: str

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the JSON API as the facilitator (bearer token)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Authorization", f"Bearer {self.api_token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def results(self, slide_id: str) -> dict[str, Any]:
        document = self.api("GET", f"/api/v1/sessions/{self.code}/results")
        slide: dict[str, Any] = next(s for s in document["slides"] if s["id"] == slide_id)
        return slide

    def control(self, action: str, slide: str | None = None) -> Any:
        body: dict[str, str] = {"action": action}
        if slide:
            body["slide"] = slide
        return self.api("POST", f"/api/v1/sessions/{self.code}/control", body)


def _demo(database: str, port: int) -> dict[str, str]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "denkdag",
            "demo",
            "--no-serve",
            "--database",
            database,
            "--port",
            str(port),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, f"`denkdag demo` failed:\n{done.stdout}\n{done.stderr}"
    found: dict[str, str] = {}
    patterns = {
        "presenter": r"Presenter \(signed in\):\s*(\S+)",
        "remote": r"Remote control:\s*(\S+)",
        "join": r"Join URL:\s*(\S+)",
        "code": r"Join code:\s*([\d ]+\d)",
        "token": r"Facilitator API token:\s*(\S+)",
    }
    for key, pattern in patterns.items():
        match = re.search(pattern, done.stdout)
        assert match, f"`denkdag demo` printed no {key}:\n{done.stdout}\n{done.stderr}"
        # The server binds 127.0.0.1; use that address rather than `localhost` (::1 first).
        found[key] = match.group(1).replace("://localhost:", "://127.0.0.1:")
    return found


@contextmanager
def seed_server(tmp_path_factory: pytest.TempPathFactory, name: str) -> Iterator[Server]:
    """A module's seed-session server in a folder of its own (`name`), stopped after the
    module; skips (outside CI) without Chromium, as every browser test does."""
    chromium_or_skip()
    server = start_server(tmp_path_factory.mktemp(name))
    try:
        yield server
    finally:
        stop_server(server)


def start_server(tmp: Path) -> Server:
    port = reserved_port()
    database = f"sqlite:///{tmp / 'db.sqlite3'}"
    printed = _demo(database, port)
    log = tmp / "server.log"
    process = _serve(port, database, log)
    code = printed["code"].replace(" ", "")
    server = Server(
        base=f"http://127.0.0.1:{port}",
        code=code,
        formatted_code=printed["code"],
        presenter_url=printed["presenter"],
        remote_url=printed["remote"],
        join_url=printed["join"],
        api_token=printed["token"],
        process=process,
        log=log,
        database=database,
    )
    try:
        until_answering_sync(process, f"{server.base}/api/v1/sessions/{code}", log)
    except BaseException:
        stop_server(server)
        raise
    return server


def _serve(port: int, database: str, log: Path) -> subprocess.Popen[bytes]:
    """`denkdag serve` on `port` over `database`, its output appended to `log`."""
    env = {**os.environ}
    for name in list(env):
        if name.startswith("DENKDAG_"):
            del env[name]
    with log.open("ab") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "denkdag",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--database",
                database,
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


def resume_server(server: Server) -> None:
    """Start a stopped server again on the same port and database (a restart, as after a
    crash or a deploy), and wait until it answers."""
    assert server.process.poll() is not None, "the server is still running"
    port = int(server.base.rsplit(":", 1)[1])
    server.process = _serve(port, server.database, server.log)
    until_answering_sync(server.process, f"{server.base}/api/v1/sessions/{server.code}", server.log)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.terminate()
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def chromium_or_skip() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Chromium not found at {CHROMIUM}; install Debian's chromium"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@dataclass
class Console:
    """Console errors, uncaught exceptions and CSP violations of the pages it watches."""

    problems: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"{page.url}: {error}"))
        return page

    def _console(self, message: Any) -> None:
        if message.type in {"error", "assert"} or (
            message.type == "warning" and "Content Security Policy" in message.text
        ):
            self.problems.append(f"{message.location.get('url', '')}: {message.text}")


def new_context(browser: Any, *, phone: bool = False, **options: Any) -> Any:
    """A browser context (its own cookies) that reports CSP violations on the console.

    Its browser speaks Dutch (`nl-BE`), as the seed session's room does: the interface
    follows the browser's language before the session's."""
    options.setdefault("locale", "nl-BE")
    if phone:
        options.setdefault("viewport", PHONE)
        options.setdefault("device_scale_factor", 2)
        options.setdefault("is_mobile", True)
        options.setdefault("has_touch", True)
    else:
        options.setdefault("viewport", PROJECTOR)
    context = browser.new_context(**options)
    context.set_default_timeout(10_000)
    if options.get("java_script_enabled", True):
        context.add_init_script(REPORT_CSP)
    return context


def join_by_code(page: Any, server: Server) -> None:
    """Type the join code on the home page and submit, as a participant would."""
    page.goto(server.base + "/")
    page.fill("#code", server.formatted_code)
    page.locator(".join-form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/j/{server.code}$"))
    page.locator("#phone").wait_for()


def join_by_link(page: Any, server: Server) -> None:
    """Open the join link (what the QR code holds); the page joins by itself."""
    page.goto(server.join_url)
    page.locator("#phone").wait_for()


@contextmanager
def launched_chromium() -> Iterator[Any]:
    """Chromium for one test module. Not for the whole run: while Playwright's sync API
    is running, `asyncio.run` (the CLI, other tests) refuses to start in this thread."""
    chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def running_server(tmp: Path) -> Iterator[Server]:
    """A seed-session server for the duration of the block."""
    chromium_or_skip()
    server = start_server(tmp)
    try:
        yield server
    finally:
        stop_server(server)


def import_deck(server: Server, deck_file: Path) -> str:
    """Import `deck_file` into the server's database with the CLI (owned by the demo's
    facilitator, so the server's API token controls it); the new session's join code."""
    done = subprocess.run(
        [sys.executable, "-m", "denkdag", "import", str(deck_file), "--database", server.database],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    code = done.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"\d+", code), done.stdout
    return code


@dataclass
class DeckServer:
    """A seed-session server with one more session, imported from a deck file."""

    server: Server
    code: str

    def url(self, path: str) -> str:
        return self.server.base + path

    def signin(self, target: str) -> str:
        """The demo's sign-in link, sent on to `target` (e.g. /p/CODE)."""
        link = self.server.presenter_url.split("?", 1)[0]
        return f"{link}?next={target}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        return self.server.api(method, path, body)

    def control(self, action: str, slide: str | None = None) -> Any:
        body: dict[str, str] = {"action": action} | ({"slide": slide} if slide else {})
        return self.api("POST", f"/api/v1/sessions/{self.code}/control", body)

    def results(self, slide_id: str) -> dict[str, Any]:
        document = self.api("GET", f"/api/v1/sessions/{self.code}/results")
        found: dict[str, Any] = next(s for s in document["slides"] if s["id"] == slide_id)
        return found


@contextmanager
def server_with_deck(tmp: Path, deck_file: Path) -> Iterator[DeckServer]:
    """`running_server` with the session of `deck_file` imported, for the block."""
    with running_server(tmp) as server:
        yield DeckServer(server, import_deck(server, deck_file))
