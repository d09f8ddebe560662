"""The presenter's breakdown toggle: `/p/CODE?by=p1` shows the current slide's results per
profile group once results are shown, with groups under five never on their own."""

from __future__ import annotations

from typing import Any

import pytest

from harness.event_profiles import WORKPLACE

pytestmark = pytest.mark.anyio


async def test_the_presenter_shows_the_slide_by_group_hiding_small_ones(
    olga: Any, phones: Any
) -> None:
    event = await olga.event(profile=[WORKPLACE])
    room = await olga.room(event["code"], "Zaal 1")
    service = olga.running.service
    user = await service.store.user_by_name("olga")
    await service.control.apply(room, user, "goto", "stelling")
    await service.control.apply(room, user, "hide", "stelling")
    votes = [("school", "agree")] * 5 + [("ocmw", "disagree")] * 2 + [("andere", "pass")] * 3
    for option, vote in votes:
        phone = phones()
        await phone.enter(room)
        await phone.post(f"/j/{room}/profile", {"p1": option})
        token = phone.client.cookies[f"dd_p_{room}"]
        voted = await phone.client.put(
            f"/api/v1/sessions/{room}/slides/stelling/response",
            json={"value": vote},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert voted.status_code == 200, voted.text
    presenter = phones()
    link = await service.access.create_signin_link(user)
    assert (await presenter.client.get(f"/signin/{link}")).status_code == 303
    page = await presenter.client.get(f"/p/{room}", params={"by": "p1"})
    assert page.status_code == 200
    assert 'aria-current="true">By: Ik werk in' in page.text
    # Results not shown yet: nor are the groups.
    assert "Shown by group once the results are shown." in page.text
    assert "breakdown-table" not in page.text
    await service.control.apply(room, user, "reveal", "stelling")
    fragment = (await presenter.client.get(f"/p/{room}/slide", params={"by": "p1"})).text
    assert 'id="breakdown"' in fragment and "breakdown-table" in fragment
    assert '<th scope="row">school</th><td class="num">5</td>' in fragment
    # OCMW (two) and "andere" (three) are never rows of their own: together they are the
    # one "other" row of five.
    assert "OCMW" not in fragment and ">andere<" not in fragment
    assert 'Other groups and not said</th><td class="num">5</td>' in fragment
    # Without ?by the presenter shows no breakdown; an unknown question neither.
    assert 'id="breakdown"' not in (await presenter.client.get(f"/p/{room}/slide")).text
    unknown = await presenter.client.get(f"/p/{room}/slide", params={"by": "p9"})
    assert 'id="breakdown"' not in unknown.text
    # The remote offers it for the current slide.
    remote = await presenter.client.get(f"/c/{room}")
    assert f'href="/p/{room}?by=p1"' in remote.text
    # A participant cannot open the presenter.
    stranger = phones()
    assert (await stranger.client.get(f"/p/{room}/slide", params={"by": "p1"})).status_code == 403
