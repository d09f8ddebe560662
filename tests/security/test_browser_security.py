"""Browser security, checked over the app's own route table: every unsafe route refuses a
cookie-authenticated request without our CSRF token, from a foreign Origin or with
`Sec-Fetch-Site: cross-site` (403, nothing changes); no GET changes anything; cookies are
HttpOnly and SameSite (and Secure with `secure_cookies`); every page has a CSP without
inline script, frame-ancestors as configured, and HSTS over https."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from denkdag.config import Settings
from denkdag.storage.tables import metadata
from denkdag.web.app import create_app

pytestmark = pytest.mark.anyio
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
BEARER_ONLY = {
    ("POST", "/api/v1/sessions/{code}/participants"),
    ("PUT", "/api/v1/sessions/{code}/slides/{slide_id}/response"),
    ("PUT", "/api/v1/sessions/{code}/profile"),
    ("PUT", "/api/v1/sessions/{code}/nickname"),
}
"""Anonymous or bearer-token API calls: they read no cookie, so a foreign page gains nothing."""
SWAGGER = {"/api/v1/docs", "/docs/oauth2-redirect"}
"""FastAPI's own API explorer pages (inline script; our CSP blocks it, so it stays inert)."""


def route_table(app: Any) -> list[tuple[str, str]]:
    """(method, path) of every route, also inside included routers."""
    found: list[tuple[str, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(list(included.routes))
            elif getattr(route, "methods", None):
                found.extend((m, route.path) for m in route.methods if m != "HEAD")

    walk(list(app.router.routes))
    return sorted(found)


def concrete(path: str, code: str) -> str:
    filled = path.replace("{code}", code).replace("{slide_id}", "s4")
    return re.sub(r"\{[^}]+\}", "1", filled)


async def signed_in(running) -> str:
    """Sign the client in with a login cookie; return the page's CSRF token."""
    user = await running.service.store.ensure_user("facilitator")
    link = await running.service.access.create_signin_link(user)
    assert (await running.client.get(f"/signin/{link}")).status_code == 303
    page = await running.client.get(f"/c/{running.code}")
    return CSRF.search(page.text).group(1)


DERIVED = {"opinion_maps"}
"""Caches of what the votes give (the latest opinion map, kept so every instance and the
report show the same groups): reading the map may compute and keep it."""


async def snapshot(running) -> dict[str, Any]:
    """Row counts of every table, the live state and the results: what a change would touch."""
    store = running.service.store
    counts = {}
    async with store.reader.connect() as conn:
        for table in metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            counts[table.name] = (
                await conn.execute(select(func.count()).select_from(table))
            ).scalar_one()
    session = await store.session_by_code(running.code)
    assert session is not None
    return {"rows": counts, "state": session.state, "results": await running.results()}


async def test_every_unsafe_route_refuses_cross_site_and_tokenless_requests(running) -> None:
    token = await signed_in(running)
    await running.control("goto", "s4")
    table = route_table(running.app)
    unsafe = [(m, p) for m, p in table if m in UNSAFE and (m, p) not in BEARER_ONLY]
    assert ("POST", "/j/{code}/join") in unsafe and ("POST", "/login") in unsafe
    before = await snapshot(running)
    attempts = {
        "no token": {},
        "foreign origin": {"origin": "https://evil.example", "x-csrf-token": token},
        "cross-site": {"sec-fetch-site": "cross-site", "x-csrf-token": token},
    }
    for method, path in unsafe:
        url = concrete(path, running.code)
        for name, headers in attempts.items():
            form = {"csrf_token": token} if name != "no token" else {}
            form |= {"action": "next", "slide": "s4", "value": "a", "flag": "hidden"}
            form |= {"username": "facilitator", "password": "x", "confirm": "yes"}
            response = await running.client.request(method, url, data=form, headers=headers)
            assert response.status_code == 403, f"{method} {path} ({name}): {response.status_code}"
    assert await snapshot(running) == before


async def test_no_get_route_changes_anything(running) -> None:
    await signed_in(running)
    participant = await running.join()
    await running.control("goto", "s4")
    assert (await running.answer(participant, "s4", "b")).status_code == 200
    before = await snapshot(running)
    for method, path in route_table(running.app):
        if method != "GET" or path.endswith("/events") or path.startswith("/signin"):
            continue
        response = await running.client.get(concrete(path, running.code))
        assert response.status_code < 500, path
    assert await snapshot(running) == before


async def test_cookies_are_httponly_and_samesite(running) -> None:
    page = await running.client.get(f"/j/{running.code}")
    token = CSRF.search(page.text).group(1)
    joined = await running.client.post(f"/j/{running.code}/join", data={"csrf_token": token})
    cookies = page.headers.get_list("set-cookie") + joined.headers.get_list("set-cookie")
    assert cookies
    for cookie in cookies:
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=" in lowered, cookie
        assert "secure" not in lowered.split(";")[1:], cookie


async def test_secure_cookies_hsts_and_frame_ancestors_when_set(database_url: str) -> None:
    settings = Settings(
        database_url=database_url,
        secure_cookies=True,
        frame_ancestors="'self' https://intranet.example.org",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as client:
            page = await client.get("/login")
            cookie = page.headers["set-cookie"].lower()
            assert "secure" in cookie and "httponly" in cookie
            assert page.headers["strict-transport-security"].startswith("max-age=")
            csp = page.headers["content-security-policy"]
            assert "frame-ancestors 'self' https://intranet.example.org" in csp
            assert "x-frame-options" not in page.headers
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
            assert "strict-transport-security" not in (await plain.get("/login")).headers


async def test_every_page_has_a_csp_without_inline_script(running) -> None:
    await signed_in(running)
    for method, path in route_table(running.app):
        if method != "GET" or path.endswith("/events") or path.startswith("/signin"):
            continue
        response = await running.client.get(concrete(path, running.code))
        csp = response.headers["content-security-policy"]
        parts = {part.split()[0]: part for part in csp.split(";") if part.strip()}
        script = parts.get("script-src", parts["default-src"])  # the fallback for scripts
        assert "unsafe-inline" not in script and "unsafe-eval" not in script, path
        if response.headers.get("content-type", "").startswith("application/json"):
            assert parts["default-src"].split() == ["default-src", "'none'"], path
        assert "frame-ancestors 'none'" in csp and response.headers["x-frame-options"] == "DENY"
        if response.headers.get("content-type", "").startswith("text/html") and (
            path not in SWAGGER
        ):
            assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text), path
            assert not re.search(r"\son[a-z]+\s*=", response.text), path
