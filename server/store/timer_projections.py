"""Projections of timer events: the rows `workshop._apply_timer` would change.

One row per timer, stopped ones included, exactly as `WorkshopState.timers` keeps them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.store.projection_types import Handler
from server.store.tables import timers


async def _timer_started(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(timers).values(
            id=d["timer_id"],
            workshop_id=e.workshop_id,
            label=d["label"],
            seconds=d["seconds"],
            started_at_ms=d["started_at_ms"],
            ends_at_ms=d["ends_at_ms"],
            close_question_id=d["close_question_id"],
            seq=e.seq,
            stopped=False,
        )
    )


async def _timer_stopped(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(timers)
        .where(timers.c.workshop_id == e.workshop_id, timers.c.id == e.data["timer_id"])
        .values(stopped=True)
    )


HANDLERS: dict[str, Handler] = {
    ev.TIMER_STARTED: _timer_started,
    ev.TIMER_STOPPED: _timer_stopped,
}
