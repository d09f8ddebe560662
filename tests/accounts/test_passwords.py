"""Change password (signed in, knowing the current one) and forgot password without e-mail:
an administrator's one-time reset link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from denkdag.security import new_token, token_hash
from harness.accounts import PASSWORDS, People, link_in

pytestmark = pytest.mark.anyio


async def test_change_password_needs_the_current_one(people: People) -> None:
    bert = await people.signed_in("bert")
    page = await bert.client.get("/account")
    assert page.status_code == 200 and "bert" in page.text
    wrong = await bert.post(
        "/account/password?lang=en",
        {"current": "not it at all", "password": "new password 2", "repeated": "new password 2"},
    )
    assert wrong.status_code == 422
    assert "current password is not right" in wrong.text
    fresh = await people.browser()
    assert (await fresh.sign_in("bert", PASSWORDS["bert"])).status_code == 303


async def test_a_changed_password_ends_other_sign_ins(people: People) -> None:
    bert, bert_elsewhere = await people.signed_in("bert"), await people.signed_in("bert")
    changed = await bert.post(
        "/account/password",
        {"current": PASSWORDS["bert"], "password": "new password 2", "repeated": "new password 2"},
    )
    assert changed.status_code == 303
    assert (await bert.client.get("/account")).status_code == 200
    signed_out = await bert_elsewhere.client.get("/account")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")
    fresh = await people.browser()
    assert (await fresh.sign_in("bert", PASSWORDS["bert"])).status_code == 401
    assert (await fresh.sign_in("bert", "new password 2")).status_code == 303
    bert_user = await people.running.service.store.user_by_name("bert")
    assert bert_user.password_hash.startswith("$argon2id$")


async def test_change_password_refuses_a_short_one_and_needs_csrf(people: People) -> None:
    bert = await people.signed_in("bert")
    short = await bert.post(
        "/account/password?lang=en",
        {"current": PASSWORDS["bert"], "password": "short", "repeated": "short"},
    )
    assert short.status_code == 422 and "at least 8" in short.text
    no_csrf = await bert.client.post(
        "/account/password",
        data={"current": PASSWORDS["bert"], "password": "x" * 12, "repeated": "x" * 12},
    )
    assert no_csrf.status_code == 403
    fresh = await people.browser()
    assert (await fresh.sign_in("bert", PASSWORDS["bert"])).status_code == 303


async def test_the_login_page_says_who_helps_with_a_forgotten_password(people: People) -> None:
    browser = await people.browser()
    page = await browser.client.get("/login?lang=en")
    assert "Ask your administrator" in page.text


async def test_an_administrator_resets_a_forgotten_password_once(people: People) -> None:
    bert_before = await people.signed_in("bert")
    admin = await people.signed_in("ada")
    bert_id = await people.user_id("bert")
    page = await admin.post(f"/admin/users/{bert_id}/reset")
    assert page.status_code == 200
    link = link_in(page.text, "/reset/")
    bert = await people.browser()
    form = await bert.client.get(link)
    assert form.status_code == 200 and "bert" in form.text
    done = await bert.post(link, {"password": "brand new one", "repeated": "brand new one"})
    assert done.status_code == 303
    assert (await bert.client.get("/account")).status_code == 200
    again = await bert.post(link, {"password": "third password", "repeated": "third password"})
    assert again.status_code == 422
    assert (await bert.client.get(link)).status_code == 404
    assert (await bert_before.client.get("/account")).status_code == 303
    fresh = await people.browser()
    assert (await fresh.sign_in("bert", PASSWORDS["bert"])).status_code == 401
    assert (await fresh.sign_in("bert", "third password")).status_code == 401
    assert (await fresh.sign_in("bert", "brand new one")).status_code == 303


async def test_an_expired_reset_link_changes_nothing(people: People) -> None:
    token = new_token()
    past = datetime.now(UTC) - timedelta(seconds=1)
    bert_id = await people.user_id("bert")
    await people.running.service.store.add_token(bert_id, token_hash(token), "reset", past)
    browser = await people.browser()
    assert (await browser.client.get(f"/reset/{token}")).status_code == 404
    refused = await browser.post(
        f"/reset/{token}", {"password": "brand new one", "repeated": "brand new one"}
    )
    assert refused.status_code == 422
    assert (await browser.sign_in("bert", PASSWORDS["bert"])).status_code == 303


async def test_a_reset_token_is_no_sign_in_token(people: People) -> None:
    admin = await people.signed_in("ada")
    page = await admin.post(f"/admin/users/{await people.user_id('bert')}/reset")
    token = link_in(page.text, "/reset/").removeprefix("/reset/")
    api = await people.running.client.get(
        f"/api/v1/sessions/{people.running.code}/results",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert api.status_code == 403
    browser = await people.browser()
    browser.client.cookies.set("dd_login", token)
    assert (await browser.client.get("/sessions")).status_code == 303


async def test_a_reset_ends_api_tokens_but_a_change_keeps_them(people: People) -> None:
    """A reset is the "account in the wrong hands" path: scripts' tokens stop working."""
    service = people.running.service
    kept = await service.access.create_api_token("bert")
    bert = await people.signed_in("bert")
    changed = await bert.post(
        "/account/password",
        {"current": PASSWORDS["bert"], "password": "new password 2", "repeated": "new password 2"},
    )
    assert changed.status_code == 303
    assert await _api_works(people, kept)
    admin = await people.signed_in("ada")
    page = await admin.post(f"/admin/users/{await people.user_id('bert')}/reset")
    link = link_in(page.text, "/reset/")
    done = await (await people.browser()).post(
        link, {"password": "brand new one", "repeated": "brand new one"}
    )
    assert done.status_code == 303
    assert not await _api_works(people, kept)


async def _api_works(people: People, token: str) -> bool:
    response = await people.running.client.get(
        "/api/v1/metrics", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code in {200, 401, 403}, response.text
    return response.status_code == 200
