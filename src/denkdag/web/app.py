"""The application factory: settings in, a FastAPI app out.

The lifespan opens the store (migrating it) and the broadcaster, and closes them again,
so tests and `denkdag serve` build the same app.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from denkdag import __version__
from denkdag.config import Settings
from denkdag.live import make_broadcaster
from denkdag.service import Denkdag
from denkdag.storage import open_store
from denkdag.web import api, errors, pages
from denkdag.web.middleware import BodyLimit, SecurityHeaders

DESCRIPTION = """Denkdag's JSON API: join a session, answer, and (as its facilitator) drive it
and read its results. Errors are JSON: `{"detail": "a sentence a person can act on"}`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = await open_store(settings.database_url)
        service = Denkdag(store, make_broadcaster(settings.redis_url), settings.tally_interval)
        await service.start()
        app.state.service = service
        try:
            yield
        finally:
            await service.stop()
            await store.close()

    app = FastAPI(
        title="Denkdag",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    app.state.settings = settings
    errors.install(app)
    app.include_router(api.router)
    app.include_router(pages.router)
    static = resources.files("denkdag.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    pages.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    return app
