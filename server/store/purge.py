"""Retention: which workshops have had no activity for longer than the retention period, and
deleting them with everything that hangs on them (GDPR storage limitation).

A workshop's last activity is its newest event. A task committee and its meetings are one
unit: a committee goes only when it and all its meetings are stale, and a meeting of a
committee still in use stays (the committee's report reads it).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.store.tables import events, metadata, workshops


@dataclass(frozen=True)
class StaleWorkshop:
    id: str
    title: str
    date: str
    last_activity: datetime.datetime


def _aware(when: datetime.datetime) -> datetime.datetime:
    """SQLite hands back naive times; they were stored as UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=datetime.UTC)


async def stale_workshops(conn: AsyncConnection, cutoff: datetime.datetime) -> list[StaleWorkshop]:
    last = (
        sa.select(events.c.workshop_id, sa.func.max(events.c.created_at).label("last"))
        .group_by(events.c.workshop_id)
        .subquery()
    )
    rows = (
        await conn.execute(
            sa.select(
                workshops.c.id,
                workshops.c.title,
                workshops.c.date,
                workshops.c.committee_id,
                sa.func.coalesce(last.c.last, workshops.c.created_at).label("last"),
            ).outerjoin(last, last.c.workshop_id == workshops.c.id)
        )
    ).all()
    activity = {r.id: _aware(r.last) for r in rows}
    # A committee's unit: itself and its meetings; active if any of them is.
    unit_of = {r.id: r.committee_id or r.id for r in rows}
    newest: dict[str, datetime.datetime] = {}
    for wid, unit in unit_of.items():
        newest[unit] = max(newest.get(unit, activity[wid]), activity[wid])
    return sorted(
        (
            StaleWorkshop(r.id, r.title, r.date, activity[r.id])
            for r in rows
            if newest[unit_of[r.id]] < cutoff
        ),
        key=lambda w: (w.last_activity, w.id),
    )


async def delete_workshops(conn: AsyncConnection, ids: list[str]) -> None:
    """Every row of these workshops, children before parents."""
    if not ids:
        return
    for table in reversed(metadata.sorted_tables):
        if table is workshops:
            continue
        if "workshop_id" in table.c:
            await conn.execute(sa.delete(table).where(table.c.workshop_id.in_(ids)))
    await conn.execute(sa.delete(workshops).where(workshops.c.id.in_(ids)))
