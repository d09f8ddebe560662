"""The application factory: settings in, a FastAPI app out.

The lifespan opens the service (`app/runtime.open_denkdag`: the store, migrated, and the
broadcaster) and closes it again, so tests and `denkdag serve` build the same app.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from denkdag import __version__
from denkdag.app.runtime import open_denkdag
from denkdag.config import Settings
from denkdag.web import (
    accounts,
    api,
    editor,
    errors,
    event_report,
    events,
    events_api,
    faults,
    imports,
    invitations,
    media,
    pages,
    profiles,
    question_pages,
    questions,
    quiz,
    report,
    retention,
    rounds,
)
from denkdag.web.fast_paths import FastPaths
from denkdag.web.middleware import BodyLimit, SecurityHeaders
from denkdag.web.ratelimit import Guard, Limits
from denkdag.web.room_slides import RoomSlides
from denkdag.web.stream import StreamOpener

DESCRIPTION = """Denkdag's JSON API: join a session, answer, and (as its facilitator) drive it
and read its results. Errors are JSON: `{"detail": "a sentence a person can act on"}`."""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_denkdag(settings, serving=True) as service:
            app.state.service = service
            purging = retention.start(service, settings.retention_days)
            if settings.freeze_startup_objects:
                # Every full collection would walk the ~190,000 objects of the imported
                # framework, templates and app; they live as long as the process. Rendering
                # a phone's slide for a whole room at once cost about a quarter less with it.
                gc.collect()
                gc.freeze()
            try:
                yield
            finally:
                await retention.stop(purging)

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
    limits = Limits.from_settings(settings)
    app.state.limits = limits
    errors.install(app)
    assert limits.refusals is not None
    faults.install(app, limits.refusals)
    app.include_router(api.router)
    app.include_router(questions.router)
    app.include_router(rounds.router)
    app.include_router(rounds.pages_router)
    app.include_router(profiles.router)
    app.include_router(profiles.pages)
    app.include_router(quiz.router)
    app.include_router(quiz.pages)
    app.include_router(pages.router)
    app.include_router(question_pages.router)
    app.include_router(report.router)
    app.include_router(invitations.router)
    app.include_router(accounts.router)
    app.include_router(editor.router)
    app.include_router(imports.router)
    app.include_router(media.router)
    app.include_router(events_api.router)
    app.include_router(events.router)
    app.include_router(event_report.router)
    static = resources.files("denkdag.web") / "static"
    app.mount("/static", StaticFiles(directory=str(static)), name="static")
    pages.install(app)
    # Innermost first. The hot paths sit inside the guard, the body limit and the
    # security headers, so every limit and header applies to them: StreamOpener is the one
    # place event streams open (web/stream.py), FastPaths answers ordinary joins and votes
    # without the router (web/fast_paths.py; the bench showed the routes alone miss the
    # ingest and plenary targets),
    # RoomSlides the room's part of a new slide that every phone fetches at once
    # (web/room_slides.py).
    # SecurityHeaders, the outermost, records the server's own `send` in the scope
    # (middleware.RAW_SEND): a stream's frames, which no middleware looks at, go there.
    app.add_middleware(StreamOpener)
    app.add_middleware(FastPaths)
    app.add_middleware(RoomSlides)
    app.add_middleware(Guard, limits=limits)
    uploads = (*events.UPLOAD_PATHS, *editor.UPLOADS)  # paths taking files: own limits
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, uploads=uploads)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    return app
