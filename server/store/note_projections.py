"""Projections of note, +1, comment and cluster events: the rows `workshop._apply_note` changes.

Order within a container (a column's loose notes, or one cluster) is (position, seq), as in
`boards.order_key`; a move carries the target container's whole order, and the container a
note left is numbered again in its remaining order, exactly as `workshop.apply` does.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.boards import DEFAULT_COLOR
from server.domain.events import StoredEvent
from server.store.dot_projections import drop_note_dots, merge_note_dots
from server.store.projection_types import Handler
from server.store.tables import board_columns, clusters, comments, note_reactions, notes


async def notes_in(
    conn: AsyncConnection, workshop_id: str, column_id: str, cluster_id: str | None
) -> list[str]:
    """The ids in one container, in order (`WorkshopState.notes_in`)."""
    q = (
        sa.select(notes.c.id)
        .where(
            notes.c.workshop_id == workshop_id,
            notes.c.column_id == column_id,
            notes.c.cluster_id.is_(None)
            if cluster_id is None
            else notes.c.cluster_id == cluster_id,
        )
        .order_by(notes.c.position, notes.c.seq)
    )
    return list((await conn.scalars(q)).all())


async def renumber(
    conn: AsyncConnection,
    workshop_id: str,
    order: list[str],
    column_id: str,
    cluster_id: str | None,
) -> None:
    """Put the listed notes into one container in exactly this order (`workshop._renumber`)."""
    if not order:
        return
    await conn.execute(
        sa.update(notes)
        .where(notes.c.workshop_id == workshop_id, notes.c.id == sa.bindparam("note_key"))
        .values(column_id=column_id, cluster_id=cluster_id, position=sa.bindparam("new_position")),
        [{"note_key": note_id, "new_position": i} for i, note_id in enumerate(order)],
    )


def _note(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(notes.c.workshop_id == e.workshop_id, notes.c.id == e.data["note_id"])


async def _first_column(conn: AsyncConnection, workshop_id: str, board_id: str) -> str:
    q = (
        sa.select(board_columns.c.id)
        .where(board_columns.c.workshop_id == workshop_id, board_columns.c.board_id == board_id)
        .order_by(board_columns.c.position)
        .limit(1)
    )
    return str((await conn.execute(q)).scalar_one())


async def _note_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    column_id = d.get("column_id") or await _first_column(conn, e.workshop_id, d["board_id"])
    await conn.execute(
        sa.insert(notes).values(
            id=d["note_id"],
            workshop_id=e.workshop_id,
            board_id=d["board_id"],
            column_id=column_id,
            cluster_id=d.get("cluster_id"),
            author_id=d["author_id"],
            author_name=d["author_name"],
            text=d["text"],
            seq=e.seq,
            position=d.get("position", e.seq),
            color=d.get("color", DEFAULT_COLOR),
            version=1,
            hidden=False,
            by_facilitator=d.get("author_role") == "facilitator",
            linked_note_id=d.get("linked_note_id"),
            merged=[],
        )
    )


async def _note_deleted(conn: AsyncConnection, e: StoredEvent) -> None:
    wid, note_id = e.workshop_id, e.data["note_id"]
    await drop_note_dots(conn, wid, note_id)
    await conn.execute(
        sa.delete(comments).where(comments.c.workshop_id == wid, comments.c.note_id == note_id)
    )
    await conn.execute(
        sa.delete(note_reactions).where(
            note_reactions.c.workshop_id == wid, note_reactions.c.note_id == note_id
        )
    )
    await conn.execute(sa.delete(notes).where(_note(e)))


async def _note_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(notes)
        .where(_note(e))
        .values(text=d["text"], color=d["color"], version=d["version"])
    )


async def _note_hidden(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.update(notes).where(_note(e)).values(hidden=e.data["hidden"]))


async def _note_sent_to_backlog(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.update(notes)
        .where(_note(e))
        .values(backlog_committee_id=d["committee_id"], backlog_item_id=d["item_id"])
    )


async def _reactors(conn: AsyncConnection, workshop_id: str, note_id: str) -> set[str]:
    q = sa.select(note_reactions.c.actor_id).where(
        note_reactions.c.workshop_id == workshop_id, note_reactions.c.note_id == note_id
    )
    return set((await conn.scalars(q)).all())


async def _add_reactors(
    conn: AsyncConnection, workshop_id: str, note_id: str, actor_ids: set[str]
) -> None:
    """A set, as `Note.reactors` is: someone who already gave +1 is not added twice."""
    new = sorted(actor_ids - await _reactors(conn, workshop_id, note_id))
    if new:
        await conn.execute(
            sa.insert(note_reactions),
            [{"note_id": note_id, "actor_id": a, "workshop_id": workshop_id} for a in new],
        )


async def _note_reacted(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    if d["on"]:
        await _add_reactors(conn, e.workshop_id, d["note_id"], {d["reactor_id"]})
    else:
        await conn.execute(
            sa.delete(note_reactions).where(
                note_reactions.c.workshop_id == e.workshop_id,
                note_reactions.c.note_id == d["note_id"],
                note_reactions.c.actor_id == d["reactor_id"],
            )
        )


async def _note_moved(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    wid = e.workshop_id
    row = (
        await conn.execute(sa.select(notes.c.column_id, notes.c.cluster_id).where(_note(e)))
    ).one()
    old_column, old_cluster = str(row.column_id), row.cluster_id
    new_cluster = d.get("cluster_id")
    await renumber(conn, wid, d["order"], d["column_id"], new_cluster)
    if (old_column, old_cluster) != (d["column_id"], new_cluster):
        rest = await notes_in(conn, wid, old_column, old_cluster)
        await renumber(conn, wid, rest, old_column, old_cluster)


async def _note_merged(conn: AsyncConnection, e: StoredEvent) -> None:
    """The kept note takes the texts, the +1s (as a set), the comments and the dots (capped
    per voter at the round's per-note limit); the other goes."""
    d = e.data
    wid, gone, into = e.workshop_id, d["note_id"], d["into_id"]
    await merge_note_dots(conn, wid, d["board_id"], gone, into)
    await _add_reactors(conn, wid, into, await _reactors(conn, wid, gone))
    await conn.execute(
        sa.delete(note_reactions).where(
            note_reactions.c.workshop_id == wid, note_reactions.c.note_id == gone
        )
    )
    await conn.execute(
        sa.update(comments)
        .where(comments.c.workshop_id == wid, comments.c.note_id == gone)
        .values(note_id=into)
    )
    await conn.execute(
        sa.update(notes)
        .where(notes.c.workshop_id == wid, notes.c.id == into)
        .values(merged=list(d["merged"]), version=notes.c.version + 1)
    )
    await conn.execute(sa.delete(notes).where(_note(e)))


async def _comment_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(comments).values(
            id=d["comment_id"],
            workshop_id=e.workshop_id,
            note_id=d["note_id"],
            board_id=d["board_id"],
            author_id=d["author_id"],
            author_name=d["author_name"],
            text=d["text"],
            seq=e.seq,
            by_facilitator=d.get("author_role") == "facilitator",
        )
    )


async def _comment_deleted(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.delete(comments).where(
            comments.c.workshop_id == e.workshop_id, comments.c.id == e.data["comment_id"]
        )
    )


async def _cluster_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(clusters).values(
            id=d["cluster_id"],
            workshop_id=e.workshop_id,
            board_id=d["board_id"],
            column_id=d["column_id"],
            title=d["title"],
            seq=e.seq,
        )
    )


def _cluster(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(clusters.c.workshop_id == e.workshop_id, clusters.c.id == e.data["cluster_id"])


async def _cluster_renamed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.update(clusters).where(_cluster(e)).values(title=e.data["title"]))


async def _cluster_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    """Its notes stay in the column, after the column's loose notes, in their order."""
    wid, cluster_id = e.workshop_id, e.data["cluster_id"]
    column_id = str(
        (await conn.execute(sa.select(clusters.c.column_id).where(_cluster(e)))).scalar_one()
    )
    loose = await notes_in(conn, wid, column_id, None)
    inside = await notes_in(conn, wid, column_id, cluster_id)
    await renumber(conn, wid, loose + inside, column_id, None)
    await conn.execute(sa.delete(clusters).where(_cluster(e)))


HANDLERS: dict[str, Handler] = {
    ev.NOTE_ADDED: _note_added,
    ev.NOTE_DELETED: _note_deleted,
    ev.NOTE_EDITED: _note_edited,
    ev.NOTE_HIDDEN: _note_hidden,
    ev.NOTE_REACTED: _note_reacted,
    ev.NOTE_MOVED: _note_moved,
    ev.NOTE_MERGED: _note_merged,
    ev.NOTE_SENT_TO_BACKLOG: _note_sent_to_backlog,
    ev.COMMENT_ADDED: _comment_added,
    ev.COMMENT_DELETED: _comment_deleted,
    ev.CLUSTER_ADDED: _cluster_added,
    ev.CLUSTER_RENAMED: _cluster_renamed,
    ev.CLUSTER_REMOVED: _cluster_removed,
}
