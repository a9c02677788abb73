"""Projections of dot voting events: the rows `workshop._apply_dots` would change.

A round is one row per board (a new start replaces it and clears the board's dots); a voter's
dots on a note are one row with their count, removed when the count reaches 0, exactly as
`WorkshopState.dots` keeps them. A deleted note's dots go with it and a merged note's move onto
the kept note, capped at the round's per-note limit (`note_projections` calls the two helpers
here, as `workshop._apply_note` does with `dots.without_note` and `dots.merged_into`).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.store.projection_types import Handler
from server.store.tables import dot_rounds, dots


def _round(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(
        dot_rounds.c.workshop_id == e.workshop_id, dot_rounds.c.board_id == e.data["board_id"]
    )


def _dot(workshop_id: str, note_id: str, voter_id: str) -> sa.ColumnElement[bool]:
    return sa.and_(
        dots.c.workshop_id == workshop_id, dots.c.note_id == note_id, dots.c.voter_id == voter_id
    )


async def _dots_started(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.delete(dots).where(dots.c.workshop_id == e.workshop_id, dots.c.board_id == d["board_id"])
    )
    await conn.execute(sa.delete(dot_rounds).where(_round(e)))
    await conn.execute(
        sa.insert(dot_rounds).values(
            board_id=d["board_id"],
            workshop_id=e.workshop_id,
            dots_per_person=d["dots_per_person"],
            per_note=d["per_note"],
            hidden=d["hidden"],
            running=True,
            seq=e.seq,
        )
    )


async def _dots_ended(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.update(dot_rounds).where(_round(e)).values(running=False))


async def _placed(conn: AsyncConnection, workshop_id: str, note_id: str, voter_id: str) -> int:
    q = sa.select(dots.c.placed).where(_dot(workshop_id, note_id, voter_id))
    return int((await conn.execute(q)).scalar_one_or_none() or 0)


async def _set_placed(
    conn: AsyncConnection, workshop_id: str, board_id: str, note_id: str, voter_id: str, n: int
) -> None:
    """The same on every database: the old row (if any) goes, the new one (if any) comes."""
    await conn.execute(sa.delete(dots).where(_dot(workshop_id, note_id, voter_id)))
    if n > 0:
        await conn.execute(
            sa.insert(dots).values(
                note_id=note_id,
                voter_id=voter_id,
                workshop_id=workshop_id,
                board_id=board_id,
                placed=n,
            )
        )


async def _dot_placed(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    n = await _placed(conn, e.workshop_id, d["note_id"], d["voter_id"])
    await _set_placed(conn, e.workshop_id, d["board_id"], d["note_id"], d["voter_id"], n + 1)


async def _dot_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    n = await _placed(conn, e.workshop_id, d["note_id"], d["voter_id"])
    await _set_placed(conn, e.workshop_id, d["board_id"], d["note_id"], d["voter_id"], n - 1)


async def drop_note_dots(conn: AsyncConnection, workshop_id: str, note_id: str) -> None:
    await conn.execute(
        sa.delete(dots).where(dots.c.workshop_id == workshop_id, dots.c.note_id == note_id)
    )


async def merge_note_dots(
    conn: AsyncConnection, workshop_id: str, board_id: str, gone: str, into: str
) -> None:
    """Each voter's dots on `gone` add to theirs on `into`, capped at the per-note limit."""
    rows = list(
        await conn.execute(
            sa.select(dots.c.voter_id, dots.c.placed).where(
                dots.c.workshop_id == workshop_id, dots.c.note_id == gone
            )
        )
    )
    if not rows:
        return
    cap = (
        await conn.execute(
            sa.select(dot_rounds.c.per_note).where(
                dot_rounds.c.workshop_id == workshop_id, dot_rounds.c.board_id == board_id
            )
        )
    ).scalar_one_or_none()
    await drop_note_dots(conn, workshop_id, gone)
    for voter_id, placed in rows:
        total = await _placed(conn, workshop_id, into, voter_id) + placed
        n = total if cap is None else min(total, cap)
        await _set_placed(conn, workshop_id, board_id, into, voter_id, n)


HANDLERS: dict[str, Handler] = {
    ev.DOTS_STARTED: _dots_started,
    ev.DOTS_ENDED: _dots_ended,
    ev.DOT_PLACED: _dot_placed,
    ev.DOT_REMOVED: _dot_removed,
}
