"""The access rule, walked over the whole route table: facilitator B, signed in (by
login cookie, by API token), gets no 2xx on any route of facilitator A's session and no
byte of A's session in any answer: not by URL, not by API, not by live stream.

A new route is walked without a change here; only a route anyone may call on a session
(the participant's ways in) must be named in OPEN, with why. The editor (`/e/`) answers
another's session exactly as an unknown code (404 with the same sentence), so it does not
tell which codes exist; every other route refuses outright.
"""

from __future__ import annotations

import re
from typing import Any

import anyio
import httpx
import pytest

from denkdag.app.sessions import unknown_session
from harness.accounts import Browser, People

pytestmark = pytest.mark.anyio
OPEN = {
    ("GET", "/j/{code}"): "the join page a participant opens",
    ("POST", "/j/{code}/join"): "joining as an anonymous participant",
    ("GET", "/qr/{code}.svg"): "the join QR code shown on the projector",
    ("GET", "/api/v1/sessions/{code}"): "the session as participants see it",
    ("POST", "/api/v1/sessions/{code}/participants"): "joining by API",
    ("GET", "/media/{code}/{name}"): "slide images everyone in the room sees (the unguessable "
    "content digest in the address is the permission; a wrong one is a plain 404)",
}
SAMPLES: dict[str, Any] = {
    "action": "next",
    "slide": "s4",
    "flag": "hidden",
    "on": "yes",
    "change": "hide",
    "confirm": "yes",
    "username": "bert",
    "text": "taken over",
    "value": "a",
    "kind": "info",
    "count": "3",
}
FORM_TYPED: dict[Any, str] = {int: "1", bool: "true", float: "1"}
PATH_SAMPLES: dict[str, dict[str, Any]] = {"/e/{code}/info": {"text": "title: taken over"}}
"""Plausible values by field name, so a request passes validation and meets the access
check; any other field gets a value of its schema type."""


def route_table(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route, also inside included routers."""
    return sorted({(method, route.path) for route, method in _routes(app)})


def _routes(app: Any) -> list[tuple[Any, str]]:
    found: list[tuple[Any, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(list(included.routes))
            elif getattr(route, "methods", None):
                found.extend((route, m) for m in route.methods if m != "HEAD")

    walk(list(app.router.routes))
    return found


def session_routes(app: Any) -> list[tuple[Any, str]]:
    return sorted(
        ((r, m) for r, m in _routes(app) if "{code}" in r.path and (m, r.path) not in OPEN),
        key=lambda pair: (pair[0].path, pair[1]),
    )


def _sample(schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
    """A valid-looking value for a JSON schema (required fields only for objects)."""
    if "$ref" in schema:
        return _sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    if name in SAMPLES:
        return SAMPLES[name]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _sample(options[0], defs, name) if options else None
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            key: _sample(properties[key], defs, key)
            for key in schema.get("required", list(properties))
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return "x"


def request_body(route: Any, csrf: str) -> dict[str, Any]:
    """The request's body as the route declares it: a form, or a JSON document."""
    dependant = getattr(route, "dependant", None)
    params = list(dependant.body_params) if dependant else []
    form = {
        p.alias: SAMPLES.get(p.alias, FORM_TYPED.get(p.field_info.annotation, "x"))
        for p in params
        if type(p.field_info).__name__ == "Form"
    }
    if form or not params:
        # Every sample too: a route may read its form by hand (`await request.form()`).
        return {"data": {**SAMPLES, **form, "csrf_token": csrf}}
    model = params[0].field_info.annotation
    if hasattr(model, "model_json_schema"):
        schema = model.model_json_schema()
        sample = _sample(schema, schema.get("$defs", {}))
        return {"json": sample | PATH_SAMPLES.get(route.path, {})}
    return {"json": {"value": "a"}}


def concrete(path: str, code: str, slide: str) -> str:
    filled = path.replace("{code}", code).replace("{slide_id}", slide)
    return re.sub(r"\{[^}]+\}", "1", filled)


async def _secrets_of_a(people: People) -> list[str]:
    """Strings that only A's session contains: title, slide titles, join code."""
    session = await people.running.service.sessions.get(people.running.code)
    titles = [s.title for s in session.deck.slides if len(s.title) > 12]
    spaced = f"{session.code[:4]} {session.code[4:]}"
    return [session.deck.info.title, session.code, spaced, *titles]


async def _call(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    # A granted live stream would never end on the in-process transport: the guard turns
    # that into a failure instead of a hang (a refusal answers at once).
    with anyio.fail_after(20):
        return await client.request(method, url, **kw)


def _outcome(response: httpx.Response, code: str) -> str:
    """How B was turned away: "refused" (403); "to sign-in" (a page, which reads no API
    token, sends the request to /login); "to join" (a participant's page sends someone who
    has not joined to the join page)."""
    if response.status_code == 403:
        return "refused"
    location = response.headers.get("location", "")
    if response.status_code == 303 and location.startswith("/login"):
        return "to sign-in"
    if response.status_code == 303 and location == f"/j/{code}":
        return "to join"
    if response.status_code == 404 and _detail(response) == unknown_session().detail:
        return "as unknown"
    return f"{response.status_code} {location} {response.text[:200]}"


def _detail(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body.get("detail") if isinstance(body, dict) else None


EDITOR = "/e/"
"""The editor's routes: another's session is an unknown code there ("as unknown")."""


async def test_facilitator_b_reaches_nothing_of_facilitator_a(people: People) -> None:
    running = people.running
    code = running.code
    before = await running.service.sessions.get(code)
    slide = before.deck.slides[3].id
    secrets = await _secrets_of_a(people)
    bert: Browser = await people.signed_in("bert")
    api = {"Authorization": f"Bearer {await running.service.access.create_api_token('bert')}"}
    walked = session_routes(running.app)
    assert len(walked) >= 20, walked
    seen: list[tuple[str, str, str, str]] = []
    for route, method in walked:
        url = concrete(route.path, code, slide)
        csrf = await bert.csrf()
        body = {} if method == "GET" else request_body(route, csrf)
        by_cookie = await _call(bert.client, method, url, headers={"x-csrf-token": csrf}, **body)
        by_token = await _call(running.client, method, url, headers=api, **body)
        for how, response in [("cookie", by_cookie), ("token", by_token)]:
            assert not 200 <= response.status_code < 300, (method, url, how, response.text[:300])
            leaked = [secret for secret in secrets if secret in response.text]
            assert not leaked, (method, route.path, how, leaked)
            seen.append((method, route.path, how, _outcome(response, code)))
    expected = {"refused", "to sign-in", "to join"}
    unexpected = [
        s
        for s in seen
        if s[3] not in (expected | {"as unknown"} if s[1].startswith(EDITOR) else expected)
    ]
    assert not unexpected, "\n".join(map(str, unexpected))
    # Signed in by cookie, B is refused outright everywhere but on participants' pages
    # and in the editor, which answers exactly as for an unknown code.
    for method, path, how, outcome in seen:
        if how != "cookie":
            continue
        if path.startswith(EDITOR):
            assert outcome == "as unknown", (method, path, outcome)
        elif outcome != "refused":
            assert outcome == "to join" and path.startswith("/j/"), (method, path, outcome)
    turned_away = sum(outcome in {"refused", "as unknown"} for *_, outcome in seen)
    assert turned_away >= len(seen) * 3 // 4

    after = await running.service.sessions.get(code)
    assert after.state == before.state and after.deck == before.deck
    assert await running.service.store.session_by_code(code) is not None


async def test_b_is_refused_the_live_stream_by_cookie_and_by_token(people: People) -> None:
    code = people.running.code
    bert = await people.signed_in("bert")
    token = await people.running.service.access.create_api_token("bert")
    url = f"/api/v1/sessions/{code}/events"
    by_cookie = await _call(bert.client, "GET", url, headers={"accept": "text/event-stream"})
    by_token = await _call(
        people.running.client, "GET", url, headers={"Authorization": f"Bearer {token}"}
    )
    for response in (by_cookie, by_token):
        assert response.status_code == 403
        assert "event:" not in response.text and "data:" not in response.text


async def test_every_open_route_exists(people: People) -> None:
    """OPEN names real routes (a renamed one must not leave a stale exemption)."""
    table = set(route_table(people.running.app))
    assert set(OPEN) <= table, set(OPEN) - table
