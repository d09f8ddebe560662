"""Pages without JavaScript: join by form post, answer by form post, CSRF refusals."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.anyio

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_join_and_answer_with_plain_forms(running) -> None:
    client = running.client
    await running.control("goto", "s4")
    page = await client.get(f"/j/{running.code}", headers={"accept": "text/html"})
    assert page.status_code == 200
    token = CSRF.search(page.text).group(1)
    joined = await client.post(f"/j/{running.code}/join", data={"csrf_token": token})
    assert joined.status_code == 303
    phone = await client.get(f"/j/{running.code}")
    assert "Hoe wil je in de toekomst samenwerken?" in phone.text
    assert "Informele samenwerking waarbij" in phone.text
    token = CSRF.search(phone.text).group(1)
    answered = await client.post(
        f"/j/{running.code}/answer", data={"csrf_token": token, "slide": "s4", "value": "b"}
    )
    assert answered.status_code == 303
    phone = await client.get(f"/j/{running.code}")
    assert re.search(r'value="b" class="choice chosen"', phone.text)
    results = await running.results()
    assert results["s4"]["counts"] == {"a": 0, "b": 1, "c": 0}
    await running.control("close")
    refused = await client.post(
        f"/j/{running.code}/answer", data={"csrf_token": token, "slide": "s4", "value": "a"}
    )
    assert refused.status_code == 409
    assert "Stemmen is gesloten" in refused.text or "closed" in refused.text


async def test_forms_without_csrf_token_or_from_elsewhere_are_refused(running) -> None:
    client = running.client
    page = await client.get(f"/j/{running.code}")
    token = CSRF.search(page.text).group(1)
    missing = await client.post(f"/j/{running.code}/join", data={})
    assert missing.status_code == 403
    foreign = await client.post(
        f"/j/{running.code}/join",
        data={"csrf_token": token},
        headers={"origin": "https://evil.example", "sec-fetch-site": "cross-site"},
    )
    assert foreign.status_code == 403
    assert (
        await running.service.results.joined(await running.service.sessions.get(running.code))
    ) == 0


async def test_facilitator_pages_need_sign_in(running) -> None:
    for path in (f"/p/{running.code}", f"/c/{running.code}", "/sessions"):
        response = await running.client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


async def test_sign_in_link_and_presenter_page(running) -> None:
    service = running.service
    user = await service.store.ensure_user("facilitator")
    link = await service.access.create_signin_link(user)
    response = await running.client.get(f"/signin/{link}?next=/p/{running.code}")
    assert response.status_code == 303 and response.headers["location"] == f"/p/{running.code}"
    assert "httponly" in response.headers["set-cookie"].lower()
    presenter = await running.client.get(f"/p/{running.code}")
    assert presenter.status_code == 200
    assert "Werksessies" in presenter.text and running.code[:4] in presenter.text
    assert f"/qr/{running.code}.svg" in presenter.text
    qr = await running.client.get(f"/qr/{running.code}.svg")
    assert qr.headers["content-type"].startswith("image/svg")


async def test_password_sign_in(running) -> None:
    await running.service.access.set_password("facilitator", "correct horse")
    page = await running.client.get("/login")
    token = CSRF.search(page.text).group(1)
    wrong = await running.client.post(
        "/login", data={"username": "facilitator", "password": "nope", "csrf_token": token}
    )
    assert wrong.status_code == 401
    right = await running.client.post(
        "/login",
        data={
            "username": "facilitator",
            "password": "correct horse",
            "csrf_token": token,
            "next": "/sessions",
        },
    )
    assert right.status_code == 303
    dashboard = await running.client.get("/sessions")
    assert "Werksessie 1: Samenwerking" in dashboard.text
    user = await running.service.store.user_by_name("facilitator")
    assert user is not None and user.password_hash.startswith("$argon2id$")


async def test_control_by_cookie_needs_csrf_header(running) -> None:
    user = await running.service.store.ensure_user("facilitator")
    link = await running.service.access.create_signin_link(user)
    await running.client.get(f"/signin/{link}")
    page = await running.client.get(f"/c/{running.code}")
    token = CSRF.search(page.text).group(1)
    url = f"/api/v1/sessions/{running.code}/control"
    without = await running.client.post(url, json={"action": "next"})
    assert without.status_code == 403
    with_token = await running.client.post(
        url, json={"action": "next"}, headers={"x-csrf-token": token}
    )
    assert with_token.status_code == 200


async def test_deck_text_is_escaped_on_pages(running) -> None:
    from denkdag.formats.deck import parse_deck

    deck = parse_deck(
        "---\ntitle: <script>alert(1)</script>\n---\n\n# <img src=x onerror=alert(1)>\n"
        'kind: statement\n\n> <b>vet</b> & "quotes"\n'
    )
    user = await running.service.store.ensure_user("facilitator")
    session = await running.service.sessions.create(deck, user.id)
    page = await running.client.get(f"/j/{session.code}")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


async def test_language_pick(running) -> None:
    english = await running.client.get("/?lang=en")
    assert "Join a session" in english.text
    assert english.cookies.get("dd_lang") == "en"
