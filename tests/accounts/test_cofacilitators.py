"""Co-facilitators: the owner invites another account by user name; it then runs the
session by page, API and live stream like the owner, until the owner removes it."""

from __future__ import annotations

import httpx
import pytest

from denkdag.config import Settings
from denkdag.storage.accounts import AccountStore
from harness.accounts import People
from harness.servers import live_session

pytestmark = pytest.mark.anyio
TITLE = "Werksessie 1: Samenwerking"


async def _reaches(people: People, browser_of_bert, token: str) -> dict[str, int]:
    code = people.running.code
    api = {"Authorization": f"Bearer {token}"}
    return {
        "remote": (await browser_of_bert.client.get(f"/c/{code}")).status_code,
        "presenter": (await browser_of_bert.client.get(f"/p/{code}")).status_code,
        "report": (await browser_of_bert.client.get(f"/r/{code}.json")).status_code,
        "results": (
            await people.running.client.get(f"/api/v1/sessions/{code}/results", headers=api)
        ).status_code,
        "control": (
            await people.running.client.post(
                f"/api/v1/sessions/{code}/control", json={"action": "next"}, headers=api
            )
        ).status_code,
    }


async def test_access_is_granted_and_revoked_by_the_owner(people: People) -> None:
    code = people.running.code
    owner, bert = await people.signed_in("facilitator"), await people.signed_in("bert")
    bert_token = await people.running.service.access.create_api_token("bert")
    assert set((await _reaches(people, bert, bert_token)).values()) == {403}
    assert TITLE not in (await bert.client.get("/sessions")).text

    added = await owner.post(f"/sessions/{code}/facilitators", {"username": "bert"})
    assert added.status_code == 303
    owners_view = await owner.client.get("/sessions")
    assert "bert" in owners_view.text
    assert set((await _reaches(people, bert, bert_token)).values()) == {200}
    berts_view = await bert.client.get("/sessions?lang=en")
    assert TITLE in berts_view.text and "You co-facilitate this session." in berts_view.text

    bert_id = await people.user_id("bert")
    removed = await owner.post(f"/sessions/{code}/facilitators/{bert_id}/remove")
    assert removed.status_code == 303
    assert set((await _reaches(people, bert, bert_token)).values()) == {403}
    assert TITLE not in (await bert.client.get("/sessions")).text


async def test_only_the_owner_invites_and_only_known_accounts(people: People) -> None:
    code = people.running.code
    owner, bert = await people.signed_in("facilitator"), await people.signed_in("bert")
    self_invite = await bert.post(f"/sessions/{code}/facilitators", {"username": "bert"})
    assert self_invite.status_code == 403
    unknown = await owner.post(f"/sessions/{code}/facilitators?lang=en", {"username": "nobody"})
    assert unknown.status_code == 422
    assert "no account with this user name" in unknown.text
    await owner.post(f"/sessions/{code}/facilitators", {"username": "bert"})
    # A co-facilitator runs the session but does not invite others or remove the owner.
    by_bert = await bert.post(f"/sessions/{code}/facilitators", {"username": "ada"})
    assert by_bert.status_code == 403
    owner_id = await people.user_id("facilitator")
    assert (await bert.post(f"/sessions/{code}/facilitators/{owner_id}/remove")).status_code == 403
    no_csrf = await owner.client.post(f"/sessions/{code}/facilitators", data={"username": "ada"})
    assert no_csrf.status_code == 403
    session = await people.running.service.sessions.get(code)
    invited = await AccountStore(people.running.service.store).cofacilitators([session.id])
    assert [user.username for user in invited[session.id]] == ["bert"]


async def test_deleting_a_session_deletes_its_co_facilitators(people: People) -> None:
    service = people.running.service
    session = await service.sessions.get(people.running.code)
    rows = AccountStore(service.store)
    await rows.add_cofacilitator(session.id, await people.user_id("bert"))
    await service.sessions.delete(session)
    assert await rows.cofacilitators([session.id]) == {session.id: []}
    assert not await rows.is_cofacilitator(session.id, await people.user_id("bert"))


async def test_a_co_facilitator_gets_the_facilitator_stream(settings: Settings) -> None:
    """On a real server (the in-process transport buffers streams)."""
    async with live_session(settings, user="owner") as live:
        service = live.service
        session = await service.sessions.get(live.code)
        bert = await service.store.ensure_user("bert")
        token = await service.access.create_api_token("bert")
        url = f"{live.base}/api/v1/sessions/{session.code}/events"
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(timeout=10) as client:
            refused = await client.get(url, headers=headers)
            assert refused.status_code == 403
            assert TITLE not in refused.text
            await AccountStore(service.store).add_cofacilitator(session.id, bert.id)
            async with client.stream("GET", url, headers=headers) as stream:
                assert stream.status_code == 200
                assert stream.headers["content-type"].startswith("text/event-stream")
