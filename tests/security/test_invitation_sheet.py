"""The printable sheet of personal invitation codes: made once, each code joins once."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.anyio

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


async def _sign_in(running) -> str:
    user = await running.service.store.ensure_user("facilitator")
    link = await running.service.access.create_signin_link(user)
    await running.client.get(f"/signin/{link}")
    page = await running.client.get(f"/c/{running.code}/invitations")
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


async def test_sheet_lists_codes_that_each_join_once(running) -> None:
    token = await _sign_in(running)
    sheet = await running.client.post(
        f"/c/{running.code}/invitations", data={"count": "4", "csrf_token": token}
    )
    assert sheet.status_code == 200
    assert sheet.headers["cache-control"] == "no-store"
    codes = re.findall(r'<strong class="slip-code">([^<]+)</strong>', sheet.text)
    assert len(codes) == 4 and len(set(codes)) == 4
    url = f"/api/v1/sessions/{running.code}/participants"
    assert (await running.client.post(url)).status_code in {403, 422}
    first = await running.client.post(url, json={"invitation": codes[0]})
    assert first.status_code == 201
    again = await running.client.post(url, json={"invitation": codes[0]})
    assert again.status_code in {403, 409, 422}
    assert (await running.client.post(url, json={"invitation": codes[1]})).status_code == 201


async def test_sheet_needs_the_facilitator_and_a_csrf_token(running) -> None:
    anonymous = await running.client.get(f"/c/{running.code}/invitations")
    assert anonymous.status_code == 303
    await _sign_in(running)
    refused = await running.client.post(f"/c/{running.code}/invitations", data={"count": "3"})
    assert refused.status_code == 403
    other = await running.service.access.create_api_token("someone-else")
    stranger = await running.client.get(
        f"/c/{running.code}/invitations", headers={"Authorization": f"Bearer {other}"}
    )
    assert stranger.status_code == 403
