"""Every string of the Big List of Naughty Strings (tests/data/naughty-strings, MIT) in
every place the API and the forms take text — join codes, slide ids, answers, invitation
codes, sign-in names, headers — gets a 2xx or a 4xx with a sentence, never a 5xx."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from urllib.parse import quote

import pytest

from denkdag.web.ratelimit import Limiter, Rate

pytestmark = pytest.mark.anyio
CORPUS = Path(__file__).parent.parent / "data" / "naughty-strings" / "blns.json"
FULL = os.environ.get("DENKDAG_FULL") == "1"


def naughty() -> list[str]:
    strings: list[str] = json.loads(CORPUS.read_text(encoding="utf-8"))
    return strings if FULL else strings[::8]


async def test_hostile_strings_never_cause_a_server_error(running) -> None:
    # Most of these requests name unknown codes: lift the code-guess limit for the fuzzing.
    running.app.state.limits.lookups = Limiter(Rate(math.inf, 0.0))
    token = await running.join()
    await running.control("goto", "s4")
    client = running.client
    tried = 0
    for text in naughty():
        part = quote(text, safe="")
        requests = [
            client.get(f"/api/v1/sessions/{part}"),
            client.put(
                f"/api/v1/sessions/{running.code}/slides/{part}/response",
                json={"value": text},
                headers={"Authorization": f"Bearer {token}"},
            ),
            client.put(
                f"/api/v1/sessions/{running.code}/slides/s4/response",
                json={"value": [text]},
                headers={"Authorization": f"Bearer {token}"},
            ),
            client.post(f"/api/v1/sessions/{running.code}/participants", json={"invitation": text}),
            client.post(
                f"/api/v1/sessions/{running.code}/control",
                json={"action": "goto", "slide": text[:40]},
                headers=running.facilitator(),
            ),
            client.post("/login", data={"username": text, "password": text, "csrf_token": text}),
            client.get(f"/?code={part}&lang={part}"),
        ]
        for pending in requests:
            response = await pending
            tried += 1
            assert response.status_code < 500, (text, response.request.url, response.text)
        # Text in headers: raw bytes on the wire (no line breaks or NUL: httpx refuses).
        raw = text.encode("utf-8", "surrogatepass")
        if not any(byte in raw for byte in b"\r\n\x00"):
            response = await client.get(
                f"/api/v1/sessions/{running.code}",
                headers={b"Authorization": b"Bearer " + raw, b"Last-Event-ID": raw},
            )
            tried += 1
            assert response.status_code < 500
    results = await running.results()
    assert results["s4"]["respondents"] <= 1  # only our one participant ever answered
    folder = os.environ.get("DENKDAG_SCORECARD_DIR")
    if folder:
        Path(folder, "hostile_inputs.json").write_text(
            json.dumps({"strings": len(naughty()), "requests": tried, "server_errors": 0}),
            encoding="utf-8",
        )
