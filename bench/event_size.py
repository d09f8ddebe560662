"""How many bytes each phone receives: `.venv/bin/python -m bench.event_size [--phones N]`.

A session of every kind (tests/kinds/every_kind.md, results shown live), answered by N
participants (open answers of about 80 characters, three words each from a vocabulary of
some hundreds), every slide visited and so revealed. Then the facilitator moves to each
slide in turn and this prints the size of the `state` event every phone gets, and of the
`tally` event a new answer on the open-answer and word-cloud slides sends to phones and to
the projector. Runs in-process on a temporary SQLite file; no server, no network.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path
from typing import Any

from denkdag.app.denkdag import Denkdag
from denkdag.app.sessions import topic
from denkdag.formats.deck import parse_deck
from denkdag.live import Envelope, MemoryBroadcaster
from denkdag.storage import open_store

ROOT = Path(__file__).resolve().parent.parent
DECK = ROOT / "tests" / "kinds" / "every_kind.md"
ANSWERS: dict[str, Any] = {
    "choice": lambda r, i: "informeel" if i % 3 else "permanent",
    "statement": lambda r, i: ("agree", "disagree", "pass")[i % 3],
    "scale": lambda r, i: {"a": 1 + i % 5, "b": 1 + (i * 7) % 5},
    "scale10": lambda r, i: {"a": i % 11},
    "cloud": lambda r, i: [f"woord{r.randrange(400)}" for _ in range(3)],
    "open": lambda r, i: f"Antwoord {i}: " + " ".join(f"tekst{r.randrange(999)}" for _ in range(9)),
    "ranking": lambda r, i: ["kennis-delen", "samen-aankopen", "gezamenlijke-programmatie"],
}


async def measure(participants: int) -> dict[str, Any]:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="denkdag-size-") as tmp:
        store = await open_store(f"sqlite:///{tmp}/size.sqlite3")
        service = Denkdag(store, MemoryBroadcaster(), tally_interval=0.01)
        await service.start()
        try:
            user = await store.ensure_user("bench")
            deck = parse_deck(DECK.read_text(encoding="utf-8"))
            session = await service.sessions.create(deck, user.id)
            code = session.code
            tokens = [await service.participation.join(code) for _ in range(participants)]
            options = {s.id: [o.id for o in s.options] for s in deck.slides}
            for slide in deck.slides:
                await service.control.apply(code, user, "goto", slide.id)
                make = ANSWERS.get(slide.id)
                if make is None:
                    continue
                for index, token in enumerate(tokens):
                    value = make(rng, index)
                    if slide.id == "ranking":
                        value = options["ranking"]
                    elif slide.id == "choice":
                        value = options["choice"][index % 2]
                    await service.participation.respond(code, token, slide.id, value)
            await asyncio.sleep(0.1)
            hub = service.broadcaster.hub
            subscription = hub.subscribe(topic(session))
            states: dict[str, tuple[int, int]] = {}
            for slide in deck.slides:
                await service.control.apply(code, user, "goto", slide.id)
                envelope = await subscription.next(timeout=5)
                while isinstance(envelope, Envelope) and envelope.event != "state":
                    envelope = await subscription.next(timeout=5)
                assert isinstance(envelope, Envelope)
                states[slide.id] = (len(envelope.public), len(envelope.private))
            tallies: dict[str, tuple[int, int]] = {}
            for slide_id in ("open", "cloud"):
                await service.control.apply(code, user, "goto", slide_id)
                token = await service.participation.join(code)
                await service.participation.respond(
                    code, token, slide_id, ANSWERS[slide_id](rng, 0)
                )
                while True:
                    envelope = await subscription.next(timeout=5)
                    assert isinstance(envelope, Envelope), "no tally came"
                    if envelope.event == "tally" and f'"slide":"{slide_id}"' in (
                        envelope.public.decode()
                    ):
                        tallies[slide_id] = (len(envelope.public), len(envelope.private))
                        break
            return {"participants": participants, "state": states, "tally": tallies}
        finally:
            await service.stop()
            await store.close()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.event_size")
    parser.add_argument("--phones", type=int, default=300, help="participants who answer")
    args = parser.parse_args()
    result = asyncio.run(measure(args.phones))
    print(f"every-kind deck, {result['participants']} participants, every slide revealed")
    print("state event on a move to …   phones (bytes)   facilitators (bytes)")
    for slide_id, (public, private) in result["state"].items():
        print(f"  {slide_id:<27} {public:>15,} {private:>20,}")
    print("tally event after one answer")
    for slide_id, (public, private) in result["tally"].items():
        print(f"  {slide_id:<27} {public:>15,} {private:>20,}")


if __name__ == "__main__":
    main()
