"""What the projection modules share: the shape of one event's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.events import StoredEvent

Handler = Callable[[AsyncConnection, StoredEvent], Awaitable[None]]
