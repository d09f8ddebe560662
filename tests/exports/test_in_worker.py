"""A report's use cases run whole in a worker process (app/in_worker.py): the worker reads
the session from the database itself, so what crosses from the server is a join code and
a format, and what comes back is the file; an error there comes back as itself."""

from __future__ import annotations

import os
import pickle
from typing import Any

import pytest

from denkdag.app.denkdag import Denkdag
from denkdag.app.exports import export_session
from denkdag.app.heavy import HeavyWork
from denkdag.app.in_worker import in_worker
from denkdag.domain.errors import UnknownSession
from harness.exports import Built

pytestmark = pytest.mark.anyio


class Recording(HeavyWork):
    """Worker processes, recording how many bytes each build's arguments pickle to."""

    def __init__(self) -> None:
        super().__init__(1)
        self.sent: list[int] = []

    async def run(self, build: Any, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(len(pickle.dumps((build, args, kwargs))))
        return await super().run(build, *args, **kwargs)


async def where_and_what(svc: Denkdag, code: str) -> tuple[int, str, int]:
    """In the worker: its process, the session's title and how many answers it reads."""
    session = await svc.sessions.get(code)
    return os.getpid(), session.title, len(await svc.store.session_answers(session.id))


async def test_a_job_reads_the_servers_database_in_another_process(built: Built) -> None:
    pid, title, answers = await in_worker(built.service, where_and_what, built.session.code)
    assert pid != os.getpid()
    assert title == built.session.title
    assert answers == len(await built.service.store.session_answers(built.session.id)) > 0


async def test_an_error_in_the_worker_comes_back_as_itself(built: Built) -> None:
    with pytest.raises(UnknownSession) as raised:
        await in_worker(built.service, where_and_what, "00000000")
    assert raised.value.sentence.template  # the sentence, to be translated where shown


async def test_an_export_hands_the_worker_a_code_and_gets_the_file(built: Built) -> None:
    heavy = Recording()
    built.service.reports.heavy = heavy
    answers = await built.service.store.session_answers(built.session.id)
    whole = len(pickle.dumps((built.session, answers)))
    for fmt in ("xlsx", "csv", "json", "pdf"):
        exported = await export_session(built.service, built.session, fmt, "nl")
        assert exported.data  # the file itself came back
    assert len(heavy.sent) == 4  # one job per file, each read and built in the worker
    # The session's deck and answers never cross: a job is a few hundred bytes.
    assert max(heavy.sent) < 2_000 < whole, (heavy.sent, whole)
