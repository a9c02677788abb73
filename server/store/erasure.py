"""`participant.erased` in the tables, and in the log: the SQL twin of `workshop._erased`,
plus rewriting every earlier event of the workshop that names the participant
(`domain.erasure.scrub`), in the same transaction as the erasure itself."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.erasure import scrub
from server.domain.events import StoredEvent
from server.store.tables import comments, events, hall_calls, notes, participants, votes


async def participant_erased(conn: AsyncConnection, e: StoredEvent) -> None:
    wid, d = e.workshop_id, e.data
    pid = d["participant_id"]
    delete = d["notes"] == "delete"
    await conn.execute(
        sa.update(participants)
        .where(participants.c.workshop_id == wid, participants.c.id == pid)
        .values(display_name=None, kicked=True, erased=True)
    )
    await conn.execute(
        sa.update(notes)
        .where(notes.c.workshop_id == wid, notes.c.author_id == pid)
        .values(author_name=None)
    )
    await conn.execute(
        sa.update(comments)
        .where(comments.c.workshop_id == wid, comments.c.author_id == pid)
        .values(author_name=None)
    )
    if delete:
        await conn.execute(
            sa.update(votes)
            .where(votes.c.workshop_id == wid, votes.c.voter_id == pid)
            .values(comment=None)
        )
    await conn.execute(
        sa.update(hall_calls)
        .where(hall_calls.c.workshop_id == wid, hall_calls.c.participant_id == pid)
        .values(message="", resolved=True)
    )
    await scrub_log(conn, e, pid, delete, set(d["note_ids"]), set(d["comment_ids"]))


async def scrub_log(
    conn: AsyncConnection,
    e: StoredEvent,
    pid: str,
    delete: bool,
    note_ids: set[str],
    comment_ids: set[str],
) -> None:
    """Rewrite the earlier events that name them; read in pages so a long log stays cheap."""
    cursor = 0
    while True:
        rows = (
            await conn.execute(
                sa.select(events.c.seq, events.c.payload)
                .where(
                    events.c.workshop_id == e.workshop_id,
                    events.c.seq > cursor,
                    events.c.seq < e.seq,
                )
                .order_by(events.c.seq)
                .limit(1000)
            )
        ).all()
        if not rows:
            return
        for seq, payload in rows:
            clean = scrub(payload, pid, delete, note_ids, comment_ids)
            if clean is not None:
                await conn.execute(
                    sa.update(events)
                    .where(events.c.workshop_id == e.workshop_id, events.c.seq == seq)
                    .values(payload=clean)
                )
        cursor = rows[-1][0]
