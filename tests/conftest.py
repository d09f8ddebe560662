"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL with
`--database postgresql`), the app with its lifespan, and an in-process HTTP client."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from denkdag.app.denkdag import Denkdag
from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.web.app import create_app
from harness import browser
from harness.servers import Live, live_session
from harness.services import need_service

POSTGRES_ADMIN = os.environ.get(
    "DENKDAG_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("DENKDAG_TEST_DATABASE", "sqlite"),
        help="Run the storage, API and CLI tests against this database.",
    )


async def _postgres_admin(statement: str) -> None:
    import asyncpg

    dsn = POSTGRES_ADMIN.replace("postgresql+asyncpg://", "postgresql://")
    connection = await asyncpg.connect(dsn, timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def postgres_database() -> Iterator[str]:
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    name = f"denkdag_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_postgres_admin(f'CREATE DATABASE "{name}"'))
    except (OSError, ImportError) as error:
        need_service(f"PostgreSQL is not reachable at {POSTGRES_ADMIN}: {error}")
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_postgres_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.config.getoption("--database") == "postgresql":
        yield from postgres_database()
    else:
        yield f"sqlite:///{tmp_path / 'denkdag.sqlite3'}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, tally_interval=0.05, heartbeat_seconds=1.0)


@dataclass
class Running:
    """A running app with a client, its service, and the seed session."""

    app: FastAPI
    client: httpx.AsyncClient
    service: Denkdag
    code: str
    facilitator_token: str

    def facilitator(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.facilitator_token}"}

    async def join(self) -> str:
        response = await self.client.post(f"/api/v1/sessions/{self.code}/participants")
        assert response.status_code == 201, response.text
        token: str = response.json()["participant_token"]
        return token

    async def control(self, action: str, slide: str | None = None) -> httpx.Response:
        body = {"action": action} | ({"slide": slide} if slide else {})
        return await self.client.post(
            f"/api/v1/sessions/{self.code}/control", json=body, headers=self.facilitator()
        )

    async def answer(self, token: str, slide: str, value: object) -> httpx.Response:
        return await self.client.put(
            f"/api/v1/sessions/{self.code}/slides/{slide}/response",
            json={"value": value},
            headers={"Authorization": f"Bearer {token}"},
        )

    async def results(self) -> dict[str, dict[str, object]]:
        response = await self.client.get(
            f"/api/v1/sessions/{self.code}/results", headers=self.facilitator()
        )
        assert response.status_code == 200, response.text
        return {slide["id"]: slide for slide in response.json()["slides"]}


@pytest.fixture
async def running(settings: Settings) -> AsyncIterator[Running]:
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        service: Denkdag = app.state.service
        user = await service.store.ensure_user("facilitator")
        session = await service.sessions.create(parse_deck(seed_deck_text()), user.id)
        token = await service.access.create_api_token("facilitator")
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield Running(app, client, service, session.code, token)


@pytest.fixture
async def live(settings: Settings) -> AsyncIterator[Live]:
    """The app on a real uvicorn server (streams arrive as sent), with the seed session."""
    async with live_session(settings) as served:
        yield served


# --- browser tests in any folder -------------------------------------------------------


@pytest.fixture(scope="module")
def helpers() -> ModuleType:
    """tests/harness/browser.py: a seed-session server and Chromium helpers."""
    return browser


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium through Playwright, for one test module."""
    with browser.launched_chromium() as launched:
        yield launched
