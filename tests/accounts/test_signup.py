"""Sign-up by invitation: an administrator's one-time, expiring link for one role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from denkdag.security import new_token, token_hash
from denkdag.storage.accounts import AccountStore
from harness.accounts import People, link_in

pytestmark = pytest.mark.anyio


async def _invitation(people: People, role: str) -> str:
    admin = await people.signed_in("ada")
    page = await admin.post("/admin/invitations", {"role": role})
    assert page.status_code == 200, page.text
    return link_in(page.text, "/invite/")


async def test_an_invitee_chooses_name_and_password_and_gets_the_role(people: People) -> None:
    link = await _invitation(people, "organiser")
    invitee = await people.browser()
    form = await invitee.client.get(link)
    assert form.status_code == 200
    assert 'name="username"' in form.text
    created = await invitee.post(
        link, {"username": "olga", "password": "olga's secret", "repeated": "olga's secret"}
    )
    assert created.status_code == 303, created.text[-3000:]
    assert created.headers["location"] == "/sessions"
    dashboard = await invitee.client.get("/sessions")
    assert dashboard.status_code == 200 and "olga" in dashboard.text
    olga = await people.running.service.store.user_by_name("olga")
    assert olga is not None and olga.role == "organiser"
    assert olga.password_hash.startswith("$argon2id$")
    fresh = await people.browser()
    assert (await fresh.sign_in("olga", "olga's secret")).status_code == 303


async def test_an_invitation_works_once(people: People) -> None:
    link = await _invitation(people, "facilitator")
    first, second = await people.browser(), await people.browser()
    form = {"password": "long enough", "repeated": "long enough"}
    assert (await first.post(link, {"username": "fien", **form})).status_code == 303
    again = await second.post(link, {"username": "frank", **form})
    assert again.status_code == 404
    assert "expired or has been used" in again.text
    assert await people.running.service.store.user_by_name("frank") is None
    assert (await second.client.get(link)).status_code == 404


async def test_an_expired_invitation_creates_nothing(people: People) -> None:
    token = new_token()
    past = datetime.now(UTC) - timedelta(minutes=1)
    await AccountStore(people.running.service.store).add_invitation(
        token_hash(token), "facilitator", None, past
    )
    invitee = await people.browser()
    assert (await invitee.client.get(f"/invite/{token}")).status_code == 404
    refused = await invitee.post(
        f"/invite/{token}",
        {"username": "late", "password": "long enough", "repeated": "long enough"},
    )
    assert refused.status_code == 404
    assert await people.running.service.store.user_by_name("late") is None


REFUSALS = [
    ("kim", "short", "short", "at least 8 characters"),
    ("kim", "long enough", "long enouhg", "not the same"),
    ("k", "long enough", "long enough", "user name of 2 to 80"),
    ("kim <script>", "long enough", "long enough", "user name of 2 to 80"),
    ("bert", "long enough", "long enough", "taken"),
]


async def test_a_refused_sign_up_says_why_and_keeps_the_invitation(people: People) -> None:
    link = await _invitation(people, "facilitator")
    invitee = await people.browser()
    for username, password, repeated, reason in REFUSALS:
        refused = await invitee.post(
            link, {"username": username, "password": password, "repeated": repeated}
        )
        assert refused.status_code == 422, username
        assert reason in refused.text
        assert f'value="{password}"' not in refused.text
    works = await invitee.post(
        link, {"username": "kim", "password": "long enough", "repeated": "long enough"}
    )
    assert works.status_code == 303
    assert (await people.running.service.store.user_by_name("bert")).role == "facilitator"


async def test_sign_up_needs_the_csrf_token(people: People) -> None:
    link = await _invitation(people, "facilitator")
    invitee = await people.browser()
    await invitee.client.get(link)
    form = {"username": "kim", "password": "long enough", "repeated": "long enough"}
    refused = await invitee.client.post(link, data=form)
    assert refused.status_code == 403
    assert await people.running.service.store.user_by_name("kim") is None


async def test_an_unknown_invitation_token_shows_nothing(people: People) -> None:
    stranger = await people.browser()
    page = await stranger.client.get(f"/invite/{new_token()}")
    assert page.status_code == 404
    assert 'name="username"' not in page.text
