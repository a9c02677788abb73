"""Projections of board and column events: the rows `workshop._apply_board` would change."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.boards import Board, Column
from server.domain.events import Event, StoredEvent
from server.domain.workshop import new_workshop
from server.store.note_projections import notes_in, renumber
from server.store.projection_types import Handler
from server.store.tables import board_columns, boards, clusters, notes, workshops


async def _insert_board(conn: AsyncConnection, workshop_id: str, board: Board) -> None:
    await conn.execute(
        sa.insert(boards).values(
            id=board.id,
            workshop_id=workshop_id,
            title=board.title,
            position=board.position,
            template=board.template,
            show_authors=board.show_authors,
            open_moves=board.open_moves,
            private=board.private,
            locked=board.locked,
            turn_column_id=board.turn_column_id,
        )
    )
    if not board.columns:
        return
    await conn.execute(
        sa.insert(board_columns),
        [
            {
                "id": c.id,
                "workshop_id": workshop_id,
                "board_id": board.id,
                "title": c.title,
                "position": i,
            }
            for i, c in enumerate(board.columns)
        ],
    )


async def _workshop_created(conn: AsyncConnection, e: StoredEvent) -> None:
    # The domain builds the first board, so old logs that name no column get the same one.
    first = new_workshop(Event(e.type, e.data)).main_board
    await _insert_board(conn, e.workshop_id, first)


async def _board_created(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    board = Board(
        id=d["board_id"],
        title=d["title"],
        template=d["template"],
        columns=tuple(Column(c["id"], c["title"]) for c in d["columns"]),
        position=d["position"],
        turn_column_id=d.get("turn_column_id"),
    )
    await _insert_board(conn, e.workshop_id, board)


async def _update_board(conn: AsyncConnection, e: StoredEvent, **values: object) -> None:
    await conn.execute(
        sa.update(boards)
        .where(boards.c.workshop_id == e.workshop_id, boards.c.id == e.data["board_id"])
        .values(**values)
    )


async def _board_renamed(conn: AsyncConnection, e: StoredEvent) -> None:
    await _update_board(conn, e, title=e.data["title"])


async def _board_settings_changed(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await _update_board(
        conn, e, show_authors=d["show_authors"], open_moves=d["open_moves"], locked=d["locked"]
    )


async def _board_private_started(conn: AsyncConnection, e: StoredEvent) -> None:
    await _update_board(conn, e, private=True)


async def _board_revealed(conn: AsyncConnection, e: StoredEvent) -> None:
    await _update_board(conn, e, private=False)


async def _board_shown(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(workshops)
        .where(workshops.c.id == e.workshop_id)
        .values(current_board_id=e.data["board_id"])
    )


async def _column_ids(conn: AsyncConnection, e: StoredEvent) -> list[str]:
    q = (
        sa.select(board_columns.c.id)
        .where(
            board_columns.c.workshop_id == e.workshop_id,
            board_columns.c.board_id == e.data["board_id"],
        )
        .order_by(board_columns.c.position)
    )
    return list((await conn.scalars(q)).all())


async def _set_column_order(conn: AsyncConnection, workshop_id: str, order: list[str]) -> None:
    """Number a board's columns 0, 1, ... in this order."""
    if not order:
        return
    await conn.execute(
        sa.update(board_columns)
        .where(
            board_columns.c.workshop_id == workshop_id,
            board_columns.c.id == sa.bindparam("target_id"),
        )
        .values(position=sa.bindparam("new_position")),
        [{"target_id": c, "new_position": i} for i, c in enumerate(order)],
    )


async def _column_added(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.insert(board_columns).values(
            id=e.data["column_id"],
            workshop_id=e.workshop_id,
            board_id=e.data["board_id"],
            title=e.data["title"],
            position=len(await _column_ids(conn, e)),
        )
    )


async def _column_renamed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(board_columns)
        .where(
            board_columns.c.workshop_id == e.workshop_id,
            board_columns.c.id == e.data["column_id"],
        )
        .values(title=e.data["title"])
    )


async def _column_moved(conn: AsyncConnection, e: StoredEvent) -> None:
    await _set_column_order(conn, e.workshop_id, e.data["order"])


async def _column_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    """Clusters move along whole; loose notes go after the target's loose notes."""
    wid, gone, target = e.workshop_id, e.data["column_id"], e.data["moved_to"]
    loose = await notes_in(conn, wid, target, None) + await notes_in(conn, wid, gone, None)
    await conn.execute(
        sa.update(clusters)
        .where(clusters.c.workshop_id == wid, clusters.c.column_id == gone)
        .values(column_id=target)
    )
    await conn.execute(
        sa.update(notes)
        .where(notes.c.workshop_id == wid, notes.c.column_id == gone)
        .values(column_id=target)
    )
    await renumber(conn, wid, loose, target, None)
    await conn.execute(
        sa.update(boards)
        .where(
            boards.c.workshop_id == wid,
            boards.c.id == e.data["board_id"],
            boards.c.turn_column_id == gone,
        )
        .values(turn_column_id=None)
    )
    await conn.execute(
        sa.delete(board_columns).where(
            board_columns.c.workshop_id == wid, board_columns.c.id == gone
        )
    )
    await _set_column_order(conn, wid, await _column_ids(conn, e))


HANDLERS: dict[str, Handler] = {
    ev.WORKSHOP_CREATED: _workshop_created,
    ev.BOARD_CREATED: _board_created,
    ev.BOARD_RENAMED: _board_renamed,
    ev.BOARD_SETTINGS_CHANGED: _board_settings_changed,
    ev.BOARD_PRIVATE_STARTED: _board_private_started,
    ev.BOARD_REVEALED: _board_revealed,
    ev.BOARD_SHOWN: _board_shown,
    ev.COLUMN_ADDED: _column_added,
    ev.COLUMN_RENAMED: _column_renamed,
    ev.COLUMN_MOVED: _column_moved,
    ev.COLUMN_REMOVED: _column_removed,
}
