"""Abuse limits: who is asking (client address), how often, and how many streams they hold.

Everything here is in-process and bounded in memory: token buckets per key in an LRU
dictionary. One instance of Denkdag enforces its own limits; behind a load balancer with
several instances the limits hold per instance (so an attacker gets at most instances ×
the budget — count that in when sizing).

## Why these numbers: guessing an 8-digit join code

A code has 8 random digits: 10⁸ codes. Every request naming a code that does not exist
(404 under `/api/v1/sessions/{code}`, `/j/{code}`, `/p/`, `/c/`, `/r/`, `/qr/`, the editor's
`/e/`, `/media/`, and for event
codes `/ev/`, `/api/v1/events/`, and the home page's `/?code=`) costs the client address
one token of the *failed lookup* bucket: `LOOKUP_BURST` tokens, refilled at
`LOOKUP_PER_HOUR` an hour. An address with an empty bucket gets 429 for every code
request, right or wrong, so a lucky guess cannot be told from a miss until it refills.

Guesses per address per hour ≤ LOOKUP_BURST + LOOKUP_PER_HOUR = 50 + 30 = 80.
From A = 50 addresses (IPv6 addresses count per /64 network): G = 4,000 guesses an hour.
With L joinable sessions, P(at least one hit) = 1 − (1 − L/10⁸)^G ≤ G·L/10⁸ = L · 4·10⁻⁵.
So P ≤ 1 % holds while L ≤ 250 sessions are joinable at once (L = 100: P ≈ 0.4 %).

A real room never comes near this: 300 phones behind one venue address of which one in
ten mistypes the code (30 misses in the first minutes) still have 20 misses to spare, and
a correct code costs nothing. What 8 digits cannot give is the 1 % bound for a server
holding thousands of joinable sessions: 10 digits would (L ≤ 25,000), or join codes that
stop working when a session ends.

## Why these numbers: a plenary behind one address

A conference's phones usually reach the server from one public address (the venue's NAT),
so nothing a whole room does may be limited per address at a room's scale. Each limit is
keyed on what identifies an abuser instead:

- **Streams per credential** (`STREAMS_PER_CREDENTIAL` = 8 for one participant token,
  facilitator token or sign-in cookie, per session): a phone needs one or two, a
  facilitator's projector, presenter view and remote a few more. Holding thousands of
  idle streams first needs thousands of voices, which the join limits bound.
- **Streams per session, by its size**: at most `STREAMS_PER_JOINED` (2) per joined
  participant plus `STREAMS_SESSION_SLACK` (50) for screens and facilitators.
- **Streams per address**: `DENKDAG_STREAMS_PER_ADDRESS` (10,000), far above a plenary of
  5,000; and `DENKDAG_STREAMS_TOTAL` for the instance.
- **Joins per session**: the facilitator's `capacity:` (deck front matter) caps a session's
  voices; invitation codes give one voice per person where that matters.
- **Joins per address, across sessions**: minting voices in many sessions is what one
  machine does and one venue does not. The first join of an address into a session
  costs one token of the *sessions* bucket (`SESSIONS_BURST` = 30 sessions at once, then
  `SESSIONS_PER_HOUR` = 60 an hour); further joins into a session the address already
  joined within `JOINED_WINDOW` (an hour) cost none. A venue running 30 parallel rooms
  passes; one address minting voices across 50 sessions is stopped at the 31st.
- **Joins per address, a backstop**: `JOIN_BURST` (10,000) at once, then
  `JOIN_PER_SECOND` (10) a second: two plenaries of 5,000 joining at once, never a room.

`DENKDAG_RATE_LIMITS=false` lifts every limit here, the stream caps included.
"""

from __future__ import annotations

import functools
import ipaddress
import logging
import math
import re
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from hashlib import sha256

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from denkdag.config import Settings
from denkdag.web.middleware import reply

log = logging.getLogger("denkdag.refused")

LOOKUP_BURST = 50
LOOKUP_PER_HOUR = 30
JOIN_BURST = 10_000
JOIN_PER_SECOND = 10.0
SESSIONS_BURST = 30
SESSIONS_PER_HOUR = 60
JOINED_WINDOW = 3600.0
STREAMS_PER_CREDENTIAL = 8
STREAMS_PER_JOINED = 2
STREAMS_SESSION_SLACK = 50
ANSWER_BURST = 30
ANSWER_PER_SECOND = 3.0
LOGIN_FREE_FAILURES = 10
LOGIN_MAX_DELAY = 900.0
MAX_KEYS = 100_000
STREAMS_PER_ADDRESS = "Too many live streams from your network. Close a tab and try again."
STREAMS_PER_PHONE = "Too many live streams for this phone or screen. Close a tab and try again."
STREAMS_PER_SESSION = (
    "This session holds as many live streams as it has participants for. Try again in a moment."
)
SESSIONS_REFUSED = "Too many different sessions joined from your network."
ANSWERS_REFUSED = "Too many answers at once."
LATER = "Try again in a moment."
STREAMS_TOTAL = "The server holds as many live streams as it can. Try again in a moment."

Clock = Callable[[], float]
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TooMany(Exception):
    """A rate limit refused the request: 429 with Retry-After."""

    def __init__(self, detail: str, retry_after: float, kind: str) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retry_after = max(1, math.ceil(min(retry_after, 3600.0)))
        self.kind = kind


class Refusals:
    """Counts of refusals by kind, each also logged, for /api/v1/metrics."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def count(self, kind: str) -> None:
        self.counts[kind] += 1
        log.warning("refused kind=%s total=%d", kind, self.counts[kind])


@dataclass(frozen=True)
class Rate:
    burst: float
    per_second: float


class Limiter:
    """Token buckets per key: `burst` at once, refilled at `per_second`; LRU-bounded."""

    def __init__(self, rate: Rate, max_keys: int = MAX_KEYS, clock: Clock = time.monotonic):
        self.rate = rate
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def _level(self, key: str, now: float) -> float:
        tokens, stamp = self._buckets.get(key, (self.rate.burst, now))
        return min(self.rate.burst, tokens + (now - stamp) * self.rate.per_second)

    def _delay(self, missing: float) -> float:
        if missing <= 0:
            return 0.0
        return math.inf if self.rate.per_second <= 0 else missing / self.rate.per_second

    def wait(self, key: str, cost: float = 1.0) -> float:
        """Seconds until `cost` tokens are there (0 if they are there now); consumes nothing."""
        return self._delay(cost - self._level(key, self.clock()))

    def charge(self, key: str, cost: float = 1.0) -> None:
        """Take `cost` tokens (the level may go below zero: misuse keeps costing)."""
        now = self.clock()
        self._store(key, self._level(key, now) - cost, now)

    def hit(self, key: str, cost: float = 1.0) -> float:
        """Take `cost` tokens if there; 0 when allowed, else the seconds to wait.

        One reading of the clock and the bucket (every vote passes here)."""
        now = self.clock()
        level = self._level(key, now)
        if level < cost:
            return self._delay(cost - level)
        self._store(key, level - cost, now)
        return 0.0

    def _store(self, key: str, level: float, now: float) -> None:
        buckets = self._buckets
        buckets[key] = (level, now)
        buckets.move_to_end(key)
        while len(buckets) > self.max_keys:
            buckets.popitem(last=False)


class Backoff:
    """Free failures, then an exponentially growing wait; forgotten after a quiet hour."""

    def __init__(
        self,
        free: int = LOGIN_FREE_FAILURES,
        max_delay: float = LOGIN_MAX_DELAY,
        clock: Clock = time.monotonic,
    ) -> None:
        self.free = free
        self.max_delay = max_delay
        self.clock = clock
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def wait(self, key: str) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count < self.free:
            return 0.0
        delay = min(self.max_delay, 2.0 ** (count - self.free + 1))
        return max(0.0, last + delay - self.clock())

    def failed(self, key: str) -> None:
        count, last = self._failures.get(key, (0, 0.0))
        now = self.clock()
        if now - last > 3600:
            count = 0
        self._failures[key] = (count + 1, now)
        self._failures.move_to_end(key)
        while len(self._failures) > MAX_KEYS:
            self._failures.popitem(last=False)

    def succeeded(self, key: str) -> None:
        self._failures.pop(key, None)


def parse_networks(entries: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry)


@functools.lru_cache(maxsize=4096)  # parsing an address on every request is not free
def _address_key(text: str) -> str | None:
    """An address as a limit key; IPv6 per /64 (one subscriber's network)."""
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def client_address(scope: Scope, trusted: tuple[Network, ...]) -> str:
    """The client's address: the ASGI peer, or X-Forwarded-For when the peer is trusted.

    X-Forwarded-For is read from the right, skipping our own trusted proxies, so a client
    cannot choose its address by sending the header itself.
    """
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    if not trusted or not _trusted(peer, trusted):
        return _address_key(peer) or peer
    forwarded: list[str] = []
    for name, value in scope.get("headers") or ():
        if name.lower() == b"x-forwarded-for":
            forwarded += [part.strip() for part in value.decode("latin-1").split(",")]
    for hop in reversed(forwarded):
        if not _trusted(hop, trusted):
            return _address_key(hop) or "invalid"
    return _address_key(peer) or peer


def _trusted(text: str, trusted: tuple[Network, ...]) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return any(address in network for network in trusted)


@dataclass
class Limits:
    """Every limit of one app instance, made from its settings."""

    trusted: tuple[Network, ...] = ()
    lookups: Limiter | None = None
    joins: Limiter | None = None
    sessions: Limiter | None = None
    answers: Limiter | None = None
    login_accounts: Backoff | None = None
    login_addresses: Backoff | None = None
    streams_per_address: float = 10_000
    streams_per_credential: float = STREAMS_PER_CREDENTIAL
    streams_per_joined: float = STREAMS_PER_JOINED
    streams_session_slack: float = STREAMS_SESSION_SLACK
    streams_total: float = 20_000
    refusals: Refusals | None = None
    clock: Clock = time.monotonic

    def __post_init__(self) -> None:
        self.lookups = self.lookups or Limiter(Rate(LOOKUP_BURST, LOOKUP_PER_HOUR / 3600))
        self.joins = self.joins or Limiter(Rate(JOIN_BURST, JOIN_PER_SECOND))
        self.sessions = self.sessions or Limiter(
            Rate(SESSIONS_BURST, SESSIONS_PER_HOUR / 3600), clock=self.clock
        )
        self.answers = self.answers or Limiter(Rate(ANSWER_BURST, ANSWER_PER_SECOND))
        self.login_accounts = self.login_accounts or Backoff()
        self.login_addresses = self.login_addresses or Backoff()
        self.refusals = self.refusals or Refusals()
        self.open_streams: Counter[str] = Counter()
        self.open_by_credential: Counter[str] = Counter()
        self.open_by_session: Counter[str] = Counter()
        self.streams_open = 0
        self._joined: OrderedDict[str, float] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        """The limits an app runs with; `rate_limits=False` lifts every one of them."""
        if not settings.rate_limits:
            unlimited = Rate(math.inf, 0.0)
            return cls(
                trusted=parse_networks(settings.trusted_proxies),
                lookups=Limiter(unlimited),
                joins=Limiter(unlimited),
                sessions=Limiter(unlimited),
                answers=Limiter(unlimited),
                login_accounts=Backoff(free=2**31),
                login_addresses=Backoff(free=2**31),
                streams_per_address=math.inf,
                streams_per_credential=math.inf,
                streams_per_joined=math.inf,
                streams_total=math.inf,
            )
        return cls(
            trusted=parse_networks(settings.trusted_proxies),
            streams_per_address=settings.streams_per_address,
            streams_total=settings.streams_total,
        )

    def check_join(self, address: str, code: str) -> None:
        """Refuse a join from `address` into session `code` over the address's budgets: a
        session it has not joined within the hour costs one of its *sessions* tokens, and
        every join one of the (far larger) backstop's."""
        assert self.sessions is not None and self.joins is not None
        key = f"{address} {code}"
        now = self.clock()
        seen = self._joined.get(key)
        if seen is None or now - seen > JOINED_WINDOW:
            wait = self.sessions.hit(address)
            if wait > 0:
                raise self.refuse("join_sessions", f"{SESSIONS_REFUSED} {LATER}", wait)
        wait = self.joins.hit(address)
        if wait > 0:
            raise self.refuse("join", f"Too many joins from your network. {LATER}", wait)
        joined = self._joined
        joined[key] = now
        joined.move_to_end(key)
        while len(joined) > MAX_KEYS:
            joined.popitem(last=False)

    def session_streams_allowed(self, code: str, joined: int) -> bool:
        """Whether session `code`'s open streams (this one included) fit its size."""
        if math.isinf(self.streams_per_joined):
            return True
        allowed = joined * self.streams_per_joined + self.streams_session_slack
        return self.open_by_session[code] <= allowed

    def refuse(self, kind: str, detail: str, retry_after: float) -> TooMany:
        assert self.refusals is not None
        self.refusals.count(kind)
        return TooMany(detail, retry_after, kind)

    def address(self, scope: Scope) -> str:
        """The client address of a request (as the Guard middleware recorded it)."""
        recorded = (scope.get("state") or {}).get("client_address")
        return str(recorded) if recorded else client_address(scope, self.trusted)

    def check_login(self, address: str, username: str) -> None:
        """Refuse a sign-in attempt while this account or address is backing off."""
        assert self.login_accounts is not None and self.login_addresses is not None
        wait = max(
            self.login_accounts.wait(username.casefold()), self.login_addresses.wait(address)
        )
        if wait > 0:
            raise self.refuse(
                "login", "Too many failed sign-ins. Wait a little and try again.", wait
            )

    def login_failed(self, address: str, username: str) -> None:
        assert self.login_accounts is not None and self.login_addresses is not None
        self.login_accounts.failed(username.casefold())
        self.login_addresses.failed(address)

    def login_succeeded(self, username: str) -> None:
        assert self.login_accounts is not None
        self.login_accounts.succeeded(username.casefold())


_CODE_ROUTE = re.compile(
    r"^/(?:api/v1/sessions|j|p|c|r|qr|e|media)/([^/]+?)"
    r"(?:\.svg|\.pdf|\.xlsx|\.csv|\.json|\.polis\.zip)?(/.*)?$"
)
_EVENT_ROUTE = re.compile(r"^/(?:ev|api/v1/events)/[^/]+")
"""Event codes (six characters) are looked up, and guessed, like join codes."""


def _looks_up_code(scope: Scope, path: str) -> bool:
    """Whether the request names a code that may not exist: a session's or an event's
    route, or the home page's code field (`/?code=`, a session's or an event's code)."""
    if _CODE_ROUTE.match(path) is not None or _EVENT_ROUTE.match(path) is not None:
        return True
    return path == "/" and b"code=" in (scope.get("query_string") or b"")


_JOIN = re.compile(r"^/(?:api/v1/sessions/([^/]+)/participants|j/([^/]+)/join)$")
_ANSWER = re.compile(
    r"^/(?:api/v1/sessions/[^/]+/slides/[^/]+/response|j/([^/]+)/answer"
    r"|(?:api/v1/sessions|j)/[^/]+/questions(?:/\d+/vote)?"
    r"|api/v1/sessions/[^/]+/slides/[^/]+/statements(?:/[^/]+/vote)?"
    r"|j/[^/]+/statements/[^/]+(?:/[^/]+/vote)?)$"
)
"""Answers, Q&A questions and upvotes, statement rounds' statements and votes: one budget
per participant token."""
_EVENTS = re.compile(r"^/api/v1/sessions/([^/]+)/events$")


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope.get("headers") or ():
        if name.lower() == wanted:
            return str(value.decode("latin-1"))
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _participant_key(scope: Scope, path: str) -> str | None:
    """A hash of the participant token (bearer or the session's cookie), if any."""
    header = _header(scope, b"authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        match = _CODE_ROUTE.match(path)
        token = (_cookie(scope, f"dd_p_{match.group(1)}") or "") if match else ""
    token = token.strip()
    return token_key(token) if token else None


def _credential_key(scope: Scope, code: str) -> str | None:
    """Who holds a stream of session `code`: the hash of its participant token, API token
    or sign-in cookie, with the code (a facilitator's screens of two sessions count apart)."""
    header = _header(scope, b"authorization") or ""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        token = _cookie(scope, f"dd_p_{code}") or _cookie(scope, "dd_login") or ""
    token = token.strip()
    return f"{code} {token_key(token)}" if token else None


def token_key(token: str) -> str:
    """A participant token as a limit key: its hash, so the limiter holds no token."""
    return sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class Guard:
    """ASGI middleware: refuse over-limit joins, answers, code guesses and streams.

    It runs before routing, so a refused request costs no database query, and it holds
    a stream's slot exactly as long as the ASGI call runs (released however it ends).
    """

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        path: str = scope.get("path", "")
        method: str = scope.get("method", "GET")
        address = client_address(scope, limits.trusted)
        scope.setdefault("state", {})["client_address"] = address
        code_route = _looks_up_code(scope, path)
        try:
            if code_route:
                self._check_lookups(address)
            if method == "POST" and (join := _JOIN.match(path)) is not None:
                limits.check_join(address, join.group(1) or join.group(2))
            if method in {"PUT", "POST"} and _ANSWER.match(path):
                key = _participant_key(scope, path)
                if key is not None:
                    self._check(limits.answers, key, "answer", ANSWERS_REFUSED)
        except TooMany as refused:
            await reply(send, 429, {"detail": refused.detail}, refused.retry_after)
            return
        if method == "GET" and (events := _EVENTS.match(path)) is not None:
            await self._stream(scope, receive, send, address, events.group(1))
            return
        if not code_route:
            await self.app(scope, receive, send)
            return

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 404:
                self.lookup_failed(address)
            await send(message)

        await self.app(scope, receive, watch)

    def lookup_failed(self, address: str) -> None:
        """Charge `address` one unknown code (a request for a code answered 404)."""
        assert self.limits.lookups is not None
        self.limits.lookups.charge(address)

    def _check_lookups(self, address: str) -> None:
        assert self.limits.lookups is not None
        wait = self.limits.lookups.wait(address)
        if wait > 0:
            raise self.limits.refuse(
                "code_guess",
                "Too many unknown join codes from your network. Check the code and wait.",
                wait,
            )

    def _check(self, limiter: Limiter | None, key: str, kind: str, detail: str) -> None:
        assert limiter is not None
        wait = limiter.hit(key)
        if wait > 0:
            raise self.limits.refuse(kind, f"{detail} Try again in a moment.", wait)

    async def _stream(
        self, scope: Scope, receive: Receive, send: Send, address: str, code: str
    ) -> None:
        """Hold a stream's slots (address, credential, session, total) while it runs;
        the session's own cap, which needs its size, is checked as it opens
        (`Limits.session_streams_allowed`, web/stream.py)."""
        limits = self.limits
        credential = _credential_key(scope, code)
        refused = None
        if limits.open_streams[address] >= limits.streams_per_address:
            refused = limits.refuse("stream_per_address", STREAMS_PER_ADDRESS, 10)
        elif (
            credential is not None
            and limits.open_by_credential[credential] >= limits.streams_per_credential
        ):
            refused = limits.refuse("stream_per_credential", STREAMS_PER_PHONE, 10)
        elif limits.streams_open >= limits.streams_total:
            refused = limits.refuse("stream_total", STREAMS_TOTAL, 10)
        if refused is not None:
            await reply(send, 429, {"detail": refused.detail}, refused.retry_after)
            return
        held = [(limits.open_streams, address), (limits.open_by_session, code)]
        if credential is not None:
            held.append((limits.open_by_credential, credential))
        for counter, key in held:
            counter[key] += 1
        limits.streams_open += 1
        try:
            await self.app(scope, receive, send)
        finally:
            limits.streams_open -= 1
            for counter, key in held:
                counter[key] -= 1
                if counter[key] <= 0:
                    del counter[key]
