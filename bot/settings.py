"""Settings from the environment and an optional `.env`, validated once at start-up."""

from __future__ import annotations

import re
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class SettingsError(Exception):
    """A setting is wrong; the message is one line naming it."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str = Field("sqlite:///qib.sqlite3", description="SQLAlchemy URL of the plan database")
    slack_bot_token: SecretStr | None = Field(None, description="xoxb- bot token")
    slack_app_token: SecretStr | None = Field(None, description="xapp- app-level token (Socket Mode)")
    slack_signing_secret: SecretStr | None = Field(None, description="signing secret (HTTP mode)")
    slack_api_url: str = Field("https://slack.com/api/", description="Web API base URL")
    slack_team_id: str | None = Field(None, description="only accept requests from this workspace")
    qib_http: bool = Field(False, description="serve HTTP even when an app token is set")
    qib_host: str = "0.0.0.0"
    qib_port: int = Field(3000, ge=1, le=65535)
    qib_http_workers: int = Field(
        1, ge=1, le=32, description="HTTP mode: worker processes sharing the port (one per core)"
    )
    qib_plan: str | None = Field(None, description="title or id of the plan to serve; default the only one")
    board_channel: str | None = Field(None, description="overrides the plan's board channel")
    timezone: str = "Europe/London"
    admins: str = Field("", description="comma-separated Slack user ids treated as plan admins")
    digest_working_days: int | None = Field(None, ge=0, le=30)
    reminder_working_days: int | None = Field(None, ge=0, le=30)
    reminder_window_days: int = Field(
        7, ge=0, le=90, description="a milestone updated this many days before its reminder is not reminded"
    )
    digest_time: str | None = Field(None, description="HH:MM local time of the digest")
    scheduler: bool = Field(True, description="run the digest/reminder tick inside `qib run`")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = Field("text", description="json: one JSON object per log line")
    max_body_bytes: int = Field(1_000_000, ge=1024)
    outbox_stale_seconds: float = Field(
        120, gt=0, description="an outbox claim older than this belongs to a process that died: taken over"
    )

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, v: str) -> str:
        if v.startswith("postgres://"):
            v = "postgresql+psycopg://" + v.removeprefix("postgres://")
        elif v.startswith("postgresql://"):
            v = "postgresql+psycopg://" + v.removeprefix("postgresql://")
        if not (v.startswith("sqlite") or v.startswith("postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return v

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f'"{v}" is not an IANA time zone such as Europe/London') from None
        return v

    @field_validator("digest_time")
    @classmethod
    def _hh_mm(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", v):
            raise ValueError(f'"{v}" is not a time like 09:00')
        return v

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value() and not v.get_secret_value().startswith("xoxb-"):
            raise ValueError("must start with xoxb-")
        return v or None

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, v: SecretStr | None) -> SecretStr | None:
        if v is not None and v.get_secret_value() and not v.get_secret_value().startswith("xapp-"):
            raise ValueError("must start with xapp-")
        return v or None

    @property
    def admin_ids(self) -> frozenset[str]:
        return frozenset(a.strip() for a in self.admins.split(",") if a.strip())

    def secret(self, name: str) -> str | None:
        value = getattr(self, name)
        return value.get_secret_value() if value is not None else None


def load_settings(**overrides: object) -> Settings:
    """Build the settings or raise SettingsError with one line: the setting and what is wrong."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        name = str(err["loc"][0]).upper() if err["loc"] else "settings"
        message = err["msg"].removeprefix("Value error, ")
        raise SettingsError(f"setting {name}: {message}") from None
