"""Settings: one field per setting, each with an environment twin `DENKDAG_<NAME>`."""

from __future__ import annotations

import socket
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from denkdag.defaults import DEFAULT_DATABASE


class Settings(BaseSettings):
    """Everything an operator can set; the CLI's flags override these."""

    model_config = SettingsConfigDict(env_prefix="DENKDAG_", extra="ignore")

    database_url: str = Field(DEFAULT_DATABASE, description="SQLite file or PostgreSQL URL.")
    redis_url: str | None = Field(
        None, description="Redis URL, to share live state between instances."
    )
    host: str = Field("127.0.0.1", description="Address to listen on.")
    port: int = Field(8000, description="Port to listen on.")
    public_url: str | None = Field(
        None,
        description="The address phones use (https://vote.example.org); "
        "derived from host and port when unset.",
    )
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure (set when served over HTTPS)."
    )
    tally_interval: float = Field(
        0.25, description="Seconds between coalesced tally updates per session."
    )
    max_body_bytes: int = Field(64_000, description="Largest request body accepted.")
    freeze_startup_objects: bool = Field(
        False,
        description="Once started, keep the objects made at startup out of the garbage "
        "collector's full passes (gc.freeze; `denkdag serve` sets it: a process that serves "
        "one app for its whole life).",
    )
    heartbeat_seconds: float = Field(
        15.0, description="Seconds between keep-alive comments on event streams."
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        [],
        description="Proxies (addresses or networks, comma-separated) whose X-Forwarded-For "
        "names the client; without them the connection's address is the client.",
    )
    rate_limits: bool = Field(
        True,
        description="Refuse over-limit joins, answers, code guesses, sign-ins and streams "
        "(429); false lifts every limit (for load tests).",
    )
    streams_per_address: int = Field(
        10_000,
        description="Open live streams allowed from one client address: far above a "
        "plenary behind one venue NAT (streams are limited per phone and per session too).",
    )
    streams_total: int = Field(20_000, description="Open live streams allowed in total.")
    stream_idle_seconds: float = Field(
        300.0,
        description="Seconds a live stream may stay without news before it is closed "
        "(the phone reconnects and resynchronises).",
    )
    export_workers: int | None = Field(
        None,
        description="Worker processes building reports, exports and PDFs at once "
        "(unset: half the cores); as many more may wait, beyond that 429.",
        ge=1,
    )
    export_seconds: float = Field(
        300.0,
        description="Time budget of one report, export or PDF build; a longer one is "
        "stopped and answered 503.",
        gt=0,
    )
    frame_ancestors: str = Field(
        "'none'",
        description="Who may embed Denkdag's pages in a frame (CSP frame-ancestors), "
        "e.g. \"'self' https://intranet.example.org\"; 'none' forbids it.",
    )
    time_zone: str = Field(
        "Europe/Brussels",
        description="Time zone (IANA name) the reports show times in, e.g. Europe/Paris.",
    )
    retention_days: int | None = Field(
        None,
        description="Delete answers older than this many days (daily, and with "
        "`denkdag purge`); unset keeps them.",
    )

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value!r}: use an IANA name such as Europe/Brussels"
            ) from None
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def base_url(self) -> str:
        """The address phones use: the public URL, else this machine's address.

        Listening on every interface (0.0.0.0) means phones on the venue network should
        join: show the machine's network address rather than localhost.
        """
        if self.public_url:
            return self.public_url.rstrip("/")
        host = self.host
        if host in {"0.0.0.0", "::"}:
            host = _network_address()
        elif host in {"127.0.0.1", "::1"}:
            host = "localhost"
        return f"http://{host}:{self.port}"


def _network_address() -> str:
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return "localhost"
    return "localhost" if address.startswith("127.") else address
