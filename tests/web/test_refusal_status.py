"""Refusals raised by the use cases get their HTTP status in the web layer only, and a
sentence in the user's language: a change that lost its retries is a 409 to try again,
never an unexplained 500."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest

from denkdag.app.editor import ImageNotAccepted
from denkdag.domain.errors import N_, SessionBusy, UnknownSession
from denkdag.web import i18n
from denkdag.web.errors import status_of

pytestmark = pytest.mark.anyio


def test_a_busy_session_is_a_translated_409() -> None:
    busy = SessionBusy()
    assert status_of(busy) == 409
    token = i18n.current_language.set("nl")
    try:
        assert i18n.refusal(busy) == (
            "De sessie bleef veranderen terwijl dit werd bewaard; probeer het opnieuw."
        )
    finally:
        i18n.current_language.reset(token)


def test_a_session_gone_is_404_and_a_refused_image_422() -> None:
    assert status_of(UnknownSession(N_("This session no longer exists."))) == 404
    refused = ImageNotAccepted(N_("Choose an image file to upload."))
    assert status_of(refused) == 422
    assert not hasattr(refused, "status")


async def test_every_sign_in_redirect_quotes_where_to_come_back(running) -> None:
    """One `to_login` for every page: the path comes back quoted, whichever module sent
    the browser to sign in (the remote, a report, an account page, an event page)."""
    odd = "ab%20c"
    for path in (f"/c/{odd}", f"/r/{odd}", "/account", "/events"):
        response = await running.client.get(path)
        assert response.status_code == 303, path
        location = response.headers["location"]
        assert location == f"/login?next={quote(unquote(path))}", path
