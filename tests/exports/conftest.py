"""The `built` fixture: a running app whose session has the known answers of
`harness.exports`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.web.app import create_app
from harness.exports import DECK, Built, answer_all


@pytest.fixture
async def built(settings: Settings) -> AsyncIterator[Built]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service: Denkdag = app.state.service
        owner = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(DECK), owner.id)
        tokens = await answer_all(service, session, owner)
        session = await service.sessions.get(session.code)
        yield Built(app, service, session, owner, settings, tokens)
