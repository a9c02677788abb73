"""Origin checks, CSRF tokens, rate limits and security headers."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Mapping, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def origin_allowed(
    origin: str | None, host: str | None, scheme: str, allowed: tuple[str, ...]
) -> bool:
    """Exact match against ALLOWED_ORIGINS; with none configured, only the request's own host."""
    if not origin:
        return False
    origin = origin.rstrip("/")
    if allowed:
        return origin in allowed
    if not host:
        return False
    parts = urlsplit(origin)
    expected_schemes = ("https",) if scheme in ("https", "wss") else ("http", "https")
    return parts.scheme in expected_schemes and parts.netloc.lower() == host.lower()


def csrf_token(session: MutableMapping[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session["csrf"] = token
    return token


def csrf_valid(session: Mapping[str, Any], submitted: object) -> bool:
    token = session.get("csrf")
    return (
        isinstance(token, str)
        and isinstance(submitted, str)
        and hmac.compare_digest(token, submitted)
    )


class TokenBucket:
    """`rate` per second sustained, `burst` at once."""

    def __init__(self, rate: float, burst: int, clock: Any = time.monotonic) -> None:
        self.rate = rate
        self.burst = float(burst)
        self.tokens = float(burst)
        self.clock = clock
        self.updated = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def empty(self) -> bool:
        self._refill()
        return self.tokens < 1

    def take(self) -> bool:
        self._refill()
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class KeyedLimiter:
    """Token buckets per key (an IP address), bounded in memory by evicting the oldest keys."""

    def __init__(self, per_minute: int, max_keys: int = 10000) -> None:
        self.rate = per_minute / 60.0
        self.burst = per_minute
        self.max_keys = max_keys
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def blocked(self, key: str) -> bool:
        """Whether this key has used up its budget (nothing is taken)."""
        bucket = self.buckets.get(key)
        return bucket is not None and bucket.empty()

    def charge(self, key: str) -> None:
        """Take one from this key's budget (for a failed attempt)."""
        self.allow(key)

    def allow(self, key: str) -> bool:
        bucket = self.buckets.get(key)
        if bucket is None:
            bucket = TokenBucket(self.rate, self.burst)
            self.buckets[key] = bucket
            if len(self.buckets) > self.max_keys:
                self.buckets.popitem(last=False)
        else:
            self.buckets.move_to_end(key)
        return bucket.take()


class SecurityHeaders:
    """Adds CSP and friends to every HTTP response (pure ASGI, so streaming is untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"same-origin",
                    b"x-frame-options": b"DENY",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                for k, v in extra.items():
                    if k not in names:
                        headers.append((k, v))
                if (
                    scope.get("path", "").startswith(("/f/", "/w/", "/login"))
                    and b"cache-control" not in names
                ):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
