"""Settings, read from the environment once into a frozen object.

Every variable is listed in `SETTINGS` with its default and meaning; the README's configuration
table is checked against this list by a test, so a new setting cannot go undocumented.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEV_SECRET = "dev-secret-not-for-production"


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SAMSKAB_ENV",
        "development",
        "`development` or `production`; production refuses the default secret.",
    ),
    Setting(
        "DATABASE_URL",
        "sqlite+aiosqlite:///./data/samskab.db",
        "SQLAlchemy async URL: SQLite file or `postgresql+asyncpg://...`.",
    ),
    Setting(
        "REDIS_URL",
        "",
        "`redis://host:port/db` to fan out across processes; empty: in-process broker.",
    ),
    Setting(
        "SECRET_KEY",
        DEV_SECRET,
        "Signs session cookies and device tokens. Required outside development.",
    ),
    Setting(
        "ALLOWED_ORIGINS",
        "",
        "Comma-separated exact origins allowed for WebSockets and JSON POSTs; empty: the request's own host only.",
    ),
    Setting("SECURE_COOKIES", "false", "`true` behind https: cookies get the Secure flag."),
    Setting("SESSION_MAX_AGE", "43200", "Session lifetime in seconds (at most 12 h)."),
    Setting("DEFAULT_LOCALE", "da", "UI language when the user has not chosen one (`da` or `en`)."),
    Setting(
        "WS_MAX_MESSAGE_BYTES",
        "65536",
        "Largest WebSocket frame accepted; larger frames close the socket (1009).",
    ),
    Setting("WS_RATE_PER_SECOND", "20", "Commands per second one connection may send (sustained)."),
    Setting("WS_RATE_BURST", "40", "Commands one connection may send in a burst."),
    Setting(
        "WS_SEND_QUEUE", "256", "Messages queued for one socket before it is evicted to resync."
    ),
    Setting(
        "REPLAY_LIMIT",
        "1000",
        "Largest gap replayed event by event on reconnect; larger gaps get a snapshot.",
    ),
    Setting(
        "HUB_CHECK_SECONDS",
        "2.0",
        "How often each process checks the log for events whose publish was lost.",
    ),
    Setting("JOIN_RATE_PER_MINUTE", "300", "Wrong join codes per minute from one IP address."),
    Setting(
        "RETENTION_DAYS",
        "730",
        "`python -m server purge` deletes workshops with no activity for this many days.",
    ),
    Setting(
        "FACILITATOR_PASSWORD",
        "",
        "Password for `python -m server facilitator create` when not prompted.",
    ),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


class SettingsError(ValueError):
    """A setting has a value the server refuses to start with."""


@dataclass(frozen=True)
class Settings:
    env: str
    database_url: str
    redis_url: str
    secret_key: str
    allowed_origins: tuple[str, ...]
    secure_cookies: bool
    session_max_age: int
    default_locale: str
    ws_max_message_bytes: int
    ws_rate_per_second: float
    ws_rate_burst: int
    ws_send_queue: int
    replay_limit: int
    hub_check_seconds: float
    join_rate_per_minute: int
    retention_days: int = 730

    @property
    def broker_url(self) -> str:
        return self.redis_url or "memory://"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str:
            return env.get(name, _DEFAULTS[name]).strip() or _DEFAULTS[name]

        def get_int(name: str, low: int, high: int) -> int:
            raw = get(name)
            if not raw.isascii() or not raw.isdigit():
                raise SettingsError(f"{name} must be a whole number, got {raw!r}")
            value = int(raw)
            if not low <= value <= high:
                raise SettingsError(f"{name} must be between {low} and {high}, got {value}")
            return value

        def get_float(name: str, low: float, high: float) -> float:
            try:
                value = float(get(name))
            except ValueError:
                raise SettingsError(f"{name} must be a number") from None
            if not low <= value <= high:
                raise SettingsError(f"{name} must be between {low} and {high}")
            return value

        def get_bool(name: str) -> bool:
            raw = get(name).lower()
            if raw not in ("true", "false", "1", "0", "yes", "no"):
                raise SettingsError(f"{name} must be true or false, got {raw!r}")
            return raw in ("true", "1", "yes")

        mode = get("SAMSKAB_ENV")
        if mode not in ("development", "production"):
            raise SettingsError("SAMSKAB_ENV must be development or production")
        secret = get("SECRET_KEY")
        if mode != "development" and (secret == DEV_SECRET or len(secret) < 32):
            raise SettingsError(
                "SECRET_KEY must be set to 32+ random characters outside development"
            )
        locale = get("DEFAULT_LOCALE")
        if locale not in ("da", "en"):
            raise SettingsError("DEFAULT_LOCALE must be da or en")
        origins = tuple(
            o.strip().rstrip("/") for o in get("ALLOWED_ORIGINS").split(",") if o.strip()
        )
        redis_url = env.get("REDIS_URL", "").strip()
        if redis_url and not redis_url.startswith(("redis://", "rediss://", "memory://")):
            raise SettingsError("REDIS_URL must start with redis:// or rediss://")
        return cls(
            env=mode,
            database_url=get("DATABASE_URL"),
            redis_url="" if redis_url == "memory://" else redis_url,
            secret_key=secret,
            allowed_origins=origins,
            secure_cookies=get_bool("SECURE_COOKIES"),
            session_max_age=get_int("SESSION_MAX_AGE", 60, 43200),
            default_locale=locale,
            ws_max_message_bytes=get_int("WS_MAX_MESSAGE_BYTES", 1024, 1048576),
            ws_rate_per_second=get_float("WS_RATE_PER_SECOND", 0.1, 10000),
            ws_rate_burst=get_int("WS_RATE_BURST", 1, 100000),
            ws_send_queue=get_int("WS_SEND_QUEUE", 4, 100000),
            replay_limit=get_int("REPLAY_LIMIT", 1, 1000000),
            hub_check_seconds=get_float("HUB_CHECK_SECONDS", 0.05, 3600),
            join_rate_per_minute=get_int("JOIN_RATE_PER_MINUTE", 1, 1000000),
            retention_days=get_int("RETENTION_DAYS", 1, 36500),
        )
