"""Settings: one field per setting, each with an environment twin `DENKDAG_<NAME>`."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from denkdag.storage import DEFAULT_DATABASE


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
    heartbeat_seconds: float = Field(
        15.0, description="Seconds between keep-alive comments on event streams."
    )

    def base_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "localhost" if self.host in {"0.0.0.0", "127.0.0.1", "::"} else self.host
        return f"http://{host}:{self.port}"
