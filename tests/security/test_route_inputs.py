"""Every route of the routing table, API and pages, every method, fed hostile input: ids
beyond 64 bits and below 1 in numeric path parameters, the Big List of Naughty Strings
(tests/data/naughty-strings) and control characters in every other path parameter and in
every JSON and form field. Whatever arrives, the answer is a 2xx, 3xx or 4xx: never a 5xx.

The caller is the seed session's owner made administrator, signed in by cookie (with the
CSRF token) and, per example, by the owner's or a participant's API token, so requests get
past the access checks to the handlers behind them. Each route starts from a fresh app and
session (a route that deletes the session or signs out spoils only its own examples).
Path parameters are mostly the real code, slide and event, so a request reaches the check
of the one value that is hostile. A route added later is walked without a change here.

`DENKDAG_FULL=1` draws more examples per route.
"""

from __future__ import annotations

import itertools
import json
import os
import re
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import anyio
import httpx
import pytest
from anyio.from_thread import start_blocking_portal
from fastapi.routing import APIRoute
from hypothesis import HealthCheck, given
from hypothesis import settings as drawing
from hypothesis import strategies as st
from pydantic import BaseModel, TypeAdapter

from denkdag.config import Settings
from denkdag.formats.deck import parse_deck
from denkdag.seed import seed_deck_text
from denkdag.storage.accounts import AccountStore
from denkdag.web.app import create_app
from harness.events import Browser, signed_in

FULL = os.environ.get("DENKDAG_FULL") == "1"
EXAMPLES = 100 if FULL else 20
HEAVY = re.compile(r"\.(pdf|xlsx|zip)$|\{extension\}|/poster$|/report")
HEAVY_EXAMPLES = 3
"""Exports and reports take a while to build: fewer examples there."""
CORPUS = Path(__file__).parent.parent / "data" / "naughty-strings" / "blns.json"
NAUGHTY: list[str] = json.loads(CORPUS.read_text(encoding="utf-8"))
CONTROLS = ["a\u0000b", "\u007f\u001b[31m", "\u0085", "\u009b2J", "a\u001cb", "\t\n\r"]
QUOTES = ["' OR '", "' OR '1'='1", '"', "'", "\\", "%s%n", "{{7*7}}", "../../etc/passwd"]
BIG_IDS = [2**64, 2**63, 2**63 - 1, 2**31, 10**40, 0, -1, -(2**63) - 1]
SPECIAL = CONTROLS + QUOTES + [str(n) for n in BIG_IDS]
HOSTILE_TEXT = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(SPECIAL),  # twice: the strings that broke a route before come up often
    st.sampled_from(NAUGHTY),
    st.text(max_size=30),
)
HOSTILE_ID = st.one_of(st.sampled_from(BIG_IDS), st.integers())
KNOWN_TEXT = ["a\u0000b", "\u007f\u001b[31m", "x\u0085", "' OR '1'='1", "18446744073709551616"]
KNOWN_IDS = [2**64, 2**63, 0, -1]
"""Values that once gave a 500 somewhere: each is sent in every place, the rest valid."""
FORM_NAMES = [
    "action", "slide", "flag", "on", "change", "confirm", "username", "password", "text",
    "value", "kind", "count", "title", "room", "venue", "date", "role", "label", "facilitator",
    "profile", "position", "seconds", "language", "answer", "invitation", "next", "repeated",
]  # fmt: skip
"""Fields a page reads from its form by hand (`await request.form()`): sent to every form
route beside the fields it declares."""
VALID: dict[str, list[Any]] = {
    "action": ["next", "goto", "open", "close", "reset"],
    "slide": ["s1", "s4"],
    "role": ["facilitator", "organiser", "administrator", "plenary", "working"],
    "kind": ["info", "choice", "open"],
    "change": ["hide", "show", "approve"],
    "confirm": ["yes"],
}
"""Values that pass a field's first check, so the hostile values of the others are read."""


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The `running` fixture's settings, for fuzzing."""
    return Settings(
        database_url=database_url,
        tally_interval=0.05,
        heartbeat_seconds=0.1,
        stream_idle_seconds=0.3,  # a granted live stream ends by itself
        rate_limits=False,  # one address fuzzing would see little but 429s
    )


def _routes(app: Any) -> list[tuple[APIRoute, str]]:
    found: list[tuple[APIRoute, str]] = []

    def walk(routes: list[Any]) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)
            if included is not None:
                walk(list(included.routes))
            elif isinstance(route, APIRoute):
                found.extend((route, m) for m in sorted(route.methods) if m != "HEAD")

    walk(list(app.router.routes))
    return sorted(found, key=lambda pair: (pair[0].path, pair[1]))


ROUTES = [(route.path, method) for route, method in _routes(create_app(Settings()))]


EXTRA_SLIDES = "\n# Open\nkind: open\n\n# Words\nkind: wordcloud\n"
"""Slides whose answers are moderated one by one, beside the seed deck's."""


@dataclass
class World:
    """The app, a signed-in browser, and the values a request may aim at."""

    browser: Browser
    route: APIRoute
    tokens: list[str]
    real: dict[str, list[Any]]


@asynccontextmanager
async def _world(settings: Settings, path: str, method: str) -> AsyncIterator[World]:
    """A fresh app with the seed session, a participant, a question and an event."""
    app = create_app(settings)
    route = next(r for r, m in _routes(app) if (r.path, m) == (path, method))
    async with app.router.lifespan_context(app), AsyncExitStack() as stack:
        service = app.state.service
        owner = await service.store.ensure_user("facilitator")
        await AccountStore(service.store).set_role(owner.id, "administrator")
        other = await service.store.ensure_user("bert")
        deck = parse_deck(seed_deck_text() + EXTRA_SLIDES)
        session = await service.sessions.create(deck, owner.id)
        code = session.code
        await service.control.apply(code, owner, "goto", "s4")
        api = {"Authorization": f"Bearer {await service.access.create_api_token('facilitator')}"}
        participant = await service.participation.join(code)
        running = SimpleNamespace(app=app, service=service)
        browser = await signed_in(running, "facilitator", stack)
        assert (await browser.post(f"/j/{code}/join")).status_code < 400
        csrf = {"x-csrf-token": await browser.csrf()}
        event = await browser.client.post(
            "/api/v1/events", json={"title": "Denkdag"}, headers=api | csrf
        )
        assert event.status_code == 201, event.text
        question = await browser.client.post(
            f"/api/v1/sessions/{code}/questions",
            json={"text": "Why?"},
            headers={"Authorization": f"Bearer {participant}"} | csrf,
        )
        real: dict[str, list[Any]] = {
            "code": [code],
            "session_code": [code],
            "slide_id": [slide.id for slide in session.deck.slides],
            "event_code": [event.json()["code"]],
            "user_id": [owner.id, other.id],
            "question_id": [question.json()["id"]] if question.status_code == 201 else [1],
        }
        yield World(browser, route, [api["Authorization"][7:], participant], real)


@pytest.fixture
def world(settings: Settings, request: pytest.FixtureRequest) -> Iterator[tuple[World, Any]]:
    """The world of one route, served by an event loop in a thread of its own.

    The property runs synchronously and calls into that loop: Hypothesis stops an example
    that outgrows its data with a BaseException, which must not reach an event loop."""
    path, method = request.node.callspec.params["route"]
    with start_blocking_portal("asyncio") as portal:
        with portal.wrap_async_context_manager(_world(settings, path, method)) as made:
            yield made, portal


def _from_schema(schema: dict[str, Any], defs: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Values of the schema's shape whose leaves are hostile (and sometimes valid)."""
    if "$ref" in schema:
        return st.deferred(lambda: _from_schema(defs[schema["$ref"].rsplit("/", 1)[-1]], defs))
    if "enum" in schema:
        return st.one_of(st.sampled_from(schema["enum"]), HOSTILE_TEXT)
    if "anyOf" in schema:
        return st.one_of([_from_schema(option, defs) for option in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return st.dictionaries(
            st.sampled_from(sorted(properties)) if properties else HOSTILE_TEXT,
            st.one_of([_from_schema(p, defs) for p in properties.values()] or [HOSTILE_TEXT]),
            max_size=3,
        )
    if kind == "array":
        return st.lists(_from_schema(schema.get("items", {}), defs), max_size=3)
    if kind == "integer":
        return HOSTILE_ID
    if kind == "number":
        return st.one_of(HOSTILE_ID, st.floats(allow_nan=False))
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "string":
        return HOSTILE_TEXT
    return st.one_of(HOSTILE_TEXT, HOSTILE_ID, st.lists(HOSTILE_TEXT, max_size=3))


def _valid(schema: dict[str, Any], defs: dict[str, Any], name: str = "") -> Any:
    """A value that passes the schema (required fields only for objects)."""
    if "$ref" in schema:
        return _valid(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, name)
    if name in VALID:
        return VALID[name][0]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _valid(options[0], defs, name) if options else None
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties", {})
        return {key: _valid(properties[key], defs, key) for key in schema.get("required", ())}
    return {"array": [], "integer": 1, "number": 1, "boolean": True}.get(str(kind), "x")


@st.composite
def _json(draw: st.DrawFn, schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON body: valid but for one field, which is hostile (or the whole body is).
    Optional fields come or not, so each way a route reads its body is taken."""
    defs = schema.get("$defs", {})
    properties = schema.get("properties", {})
    if not properties or draw(st.integers(0, 9)) == 0:
        return {"json": draw(_from_schema(schema, defs))}
    body = _valid(schema, defs)
    for name in sorted(set(properties) - set(body)):
        if draw(st.booleans()):
            body[name] = _valid(properties[name], defs, name)
    field = draw(st.sampled_from(sorted(properties)))
    body[field] = draw(_from_schema(properties[field], defs))
    return {"json": body}


@st.composite
def _form(draw: st.DrawFn, route: APIRoute) -> dict[str, Any]:
    """A form: valid-looking but for one hostile field; any upload holds hostile bytes."""
    params = list(route.dependant.body_params)
    names = _form_names(params)
    form = {name: VALID.get(name, ["x"])[0] for name in names}
    field = draw(st.sampled_from(names))
    form[field] = draw(st.one_of(st.sampled_from(VALID.get(field, ["x"])), HOSTILE_TEXT))
    files = {
        p.alias: (draw(st.sampled_from(["deck.md", "logo.png", *NAUGHTY[:50]])), draw(st.binary()))
        for p in params
        if type(p.field_info).__name__ == "File"
    }
    return {"data": form} | ({"files": files} if files else {})


def _form_names(params: list[Any]) -> list[str]:
    """The fields a form route declares, or (when it declares none and reads its form by
    hand) the usual ones."""
    declared = {p.alias for p in params if type(p.field_info).__name__ == "Form"}
    return sorted(declared - {"csrf_token"} or FORM_NAMES)


def _valid_body(route: APIRoute, every_optional: bool = True) -> dict[str, Any]:
    """The body that passes the route's checks, as far as a schema can say; with
    `every_optional` each optional field too (a PATCH changes nothing without one)."""
    params = list(route.dependant.body_params)
    if not params or {type(p.field_info).__name__ for p in params} & {"Form", "File"}:
        form = {"data": {name: VALID.get(name, ["x"])[0] for name in _form_names(params)}}
        uploads = [p.alias for p in params if type(p.field_info).__name__ == "File"]
        return form | (
            {"files": {name: ("deck.md", b"# x\n") for name in uploads}} if uploads else {}
        )
    schema = _schema(params)
    defs = schema.get("$defs", {})
    body = _valid(schema, defs)
    if isinstance(body, dict) and every_optional:
        for name, shape in schema.get("properties", {}).items():
            body.setdefault(name, _valid(shape, defs, name))
    return {"json": body}


def _schema(params: list[Any]) -> dict[str, Any]:
    annotation = params[0].field_info.annotation
    if len(params) == 1 and isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation.model_json_schema()
    shapes = {p.alias: TypeAdapter(p.field_info.annotation).json_schema() for p in params}
    defs = {name: d for shape in shapes.values() for name, d in shape.pop("$defs", {}).items()}
    if len(params) == 1 and not params[0].field_info.embed:  # the body is the one value
        return shapes[params[0].alias] | {"$defs": defs}
    return {"type": "object", "properties": shapes, "required": list(shapes), "$defs": defs}


def _body(route: APIRoute) -> st.SearchStrategy[dict[str, Any]]:
    """The request's body as the route declares it: JSON, a form, or a multipart upload."""
    params = list(route.dependant.body_params)
    if not params or {type(p.field_info).__name__ for p in params} & {"Form", "File"}:
        return _form(route)
    return _json(_schema(params))


def _is_int(annotation: Any) -> bool:
    return annotation is int or "int" in str(annotation)


def _body_fields(route: APIRoute) -> list[str]:
    """The body's fields: a form's, or a JSON body's top-level ones."""
    params = list(route.dependant.body_params)
    if not params or {type(p.field_info).__name__ for p in params} & {"Form", "File"}:
        return _form_names(params)
    return sorted(_schema(params).get("properties", {}))


def _files(body: dict[str, Any]) -> dict[str, Any]:
    return {"files": body["files"]} if "files" in body else {}


def _path_types(dependant: Any) -> dict[str, Any]:
    """The declared type of each path parameter, also those a dependency reads."""
    found = {p.name: p.field_info.annotation for p in dependant.path_params}
    for sub in dependant.dependencies:
        found = _path_types(sub) | found
    return found


@st.composite
def requests(draw: st.DrawFn, world: World) -> tuple[str, dict[str, Any]]:
    """A request to the world's route: one path parameter or the body hostile, the rest
    aimed at what exists (the seed session, its slides, the event), so the request gets
    as far as the check of the hostile value."""
    route = world.route
    typed = _path_types(route.dependant)
    names = re.findall(r"\{(\w+)\}", route.path)
    target = draw(st.sampled_from([*names, "body"]))
    path = route.path
    for name in names:
        if name in world.real and name != target:
            value = draw(st.sampled_from(world.real[name]))
        elif _is_int(typed.get(name)):
            value = draw(st.one_of(HOSTILE_ID, HOSTILE_TEXT))
        else:
            value = draw(HOSTILE_TEXT)
        path = path.replace("{" + name + "}", _quote(str(value)))
    body = draw(_body(route)) if target == "body" else _valid_body(route)
    token = draw(st.sampled_from(world.tokens))
    return path, {"headers": {"Authorization": f"Bearer {token}"}, **body}


def _quote(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="") or "%20"


async def _send(world: World, method: str, url: str, kw: dict[str, Any]) -> httpx.Response:
    csrf = await world.browser.csrf()
    kw["headers"]["x-csrf-token"] = csrf
    if method == "GET":
        kw = {"headers": kw["headers"]}
    elif "data" in kw:
        kw["data"] = {**kw["data"], "csrf_token": csrf}
    with anyio.fail_after(30):  # a granted stream ends after its idle time
        return await world.browser.client.request(method, url, **kw)


def _grid(world: World) -> Iterator[tuple[str, dict[str, Any]]]:
    """The values that broke routes before, one at a time in each path parameter and each
    body field, everything else aimed at what exists: the walk's fixed examples. An id
    goes with every slide (an answer id means something on an open slide only)."""
    route = world.route
    typed = _path_types(route.dependant)
    names = re.findall(r"\{(\w+)\}", route.path)
    # Pages read the login cookie; the API reads the token (a facilitator's or a phone's).
    tokens = world.tokens if route.path.startswith("/api/") else world.tokens[:1]
    valid = _valid_body(route)

    def aimed(path: str, skip: str = "", every: bool = False) -> Iterator[str]:
        others = [n for n in names if n != skip and n in world.real]
        pools = [world.real[n] if every else world.real[n][:1] for n in others]
        for chosen in itertools.product(*pools):
            filled = path
            for name, value in zip(others, chosen, strict=True):
                filled = filled.replace("{" + name + "}", _quote(str(value)))
            yield re.sub(r"\{\w+\}", "x", filled)

    for target in names:
        int_typed = _is_int(typed.get(target))
        values: list[Any] = [*KNOWN_TEXT, *KNOWN_IDS] if int_typed else KNOWN_TEXT
        for value in values:
            path = route.path.replace("{" + target + "}", _quote(str(value)))
            for url in aimed(path, target, every=int_typed):
                for token in tokens:
                    yield url, {"headers": {"Authorization": f"Bearer {token}"}} | valid
    if "GET" in route.methods:
        return  # a GET sends no body
    valid = _valid_body(route, every_optional=False)  # no optional field takes another way
    where = "json" if "json" in valid else "data"
    for field in _body_fields(route):
        for value in [*KNOWN_TEXT, *KNOWN_IDS]:
            body = json.loads(json.dumps(valid[where]))
            body[field] = value if where == "json" else str(value)
            for url in aimed(route.path):
                for token in tokens:
                    headers = {"Authorization": f"Bearer {token}"}
                    yield url, {"headers": headers, where: body} | _files(valid)


def _walk(examples: int, routes: list[tuple[str, str]]) -> Any:
    """The fixed examples and the property over `routes`, `examples` drawn requests each."""

    @pytest.mark.parametrize("route", routes, ids=[f"{m} {p}" for p, m in routes])
    def walk(world: tuple[World, Any], route: tuple[str, str]) -> None:
        made, portal = world
        method = route[1]
        for url, kw in _grid(made):
            response = portal.call(_send, made, method, url, kw)
            assert response.status_code < 500, (method, url, kw, response.text[:300])

        @drawing(
            max_examples=examples,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def drawn(data: st.DataObject) -> None:
            url, kw = data.draw(requests(made))
            response = portal.call(_send, made, method, url, kw)
            assert response.status_code < 500, (method, url, kw, response.text[:300])

        drawn()

    return walk


test_no_hostile_input_gets_a_server_error = _walk(
    EXAMPLES, [route for route in ROUTES if not HEAVY.search(route[0])]
)
test_no_hostile_input_gets_a_server_error_from_an_export = _walk(
    HEAVY_EXAMPLES, [route for route in ROUTES if HEAVY.search(route[0])]
)


def test_the_walk_covers_the_whole_routing_table() -> None:
    """The walk is over every route: API and pages, every method."""
    walked = set(ROUTES)
    assert len(walked) >= 100
    assert {m for _, m in walked} >= {"GET", "POST", "PUT", "PATCH", "DELETE"}
    assert any(p.startswith("/api/v1/") for p, _ in walked)
    assert any(not p.startswith("/api/") for p, _ in walked)
