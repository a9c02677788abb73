"""Projections of dilemma deck events: the rows `workshop._apply_dilemma` would change.

A card is one row; the card on the screens has `shown` set (at most one per workshop). A choice
is one row per (card, chooser), the table's primary key: a changed choice replaces the row, with
the seq of the event that changed it, exactly as `apply` replaces the `Choice`. A removed card
takes its choices with it.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.store.projection_types import Handler
from server.store.tables import dilemma_cards, dilemma_choices


def _card(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(
        dilemma_cards.c.workshop_id == e.workshop_id, dilemma_cards.c.id == e.data["card_id"]
    )


async def _card_added(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(dilemma_cards).values(
            id=d["card_id"],
            workshop_id=e.workshop_id,
            text=d["text"],
            position=d["position"],
            status="waiting",
            shown=False,
        )
    )


async def _card_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.update(dilemma_cards).where(_card(e)).values(text=e.data["text"]))


async def _card_removed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.delete(dilemma_choices).where(
            dilemma_choices.c.workshop_id == e.workshop_id,
            dilemma_choices.c.card_id == e.data["card_id"],
        )
    )
    await conn.execute(sa.delete(dilemma_cards).where(_card(e)))


async def _off_screens(conn: AsyncConnection, workshop_id: str) -> None:
    await conn.execute(
        sa.update(dilemma_cards)
        .where(dilemma_cards.c.workshop_id == workshop_id, dilemma_cards.c.shown)
        .values(shown=False)
    )


async def _shown(conn: AsyncConnection, e: StoredEvent) -> None:
    await _off_screens(conn, e.workshop_id)
    await conn.execute(sa.update(dilemma_cards).where(_card(e)).values(shown=True))
    await conn.execute(
        sa.update(dilemma_cards)
        .where(_card(e), dilemma_cards.c.status == "waiting")
        .values(status="open")
    )


async def _hidden(conn: AsyncConnection, e: StoredEvent) -> None:
    await _off_screens(conn, e.workshop_id)


async def _revealed(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(sa.update(dilemma_cards).where(_card(e)).values(status="revealed"))


async def _chosen(conn: AsyncConnection, e: StoredEvent) -> None:
    """The same on every database: the old row (if any) goes, the new one comes, in the
    command's transaction; the workshop's row lock keeps writers in line."""
    d = e.data
    await conn.execute(
        sa.delete(dilemma_choices).where(
            dilemma_choices.c.workshop_id == e.workshop_id,
            dilemma_choices.c.card_id == d["card_id"],
            dilemma_choices.c.chooser_id == d["chooser_id"],
        )
    )
    await conn.execute(
        sa.insert(dilemma_choices).values(
            card_id=d["card_id"],
            chooser_id=d["chooser_id"],
            workshop_id=e.workshop_id,
            side=d["side"],
            group_name=d["group"],
            by_facilitator=d["by_facilitator"],
            seq=e.seq,
        )
    )


HANDLERS: dict[str, Handler] = {
    ev.DILEMMA_CARD_ADDED: _card_added,
    ev.DILEMMA_CARD_EDITED: _card_edited,
    ev.DILEMMA_CARD_REMOVED: _card_removed,
    ev.DILEMMA_SHOWN: _shown,
    ev.DILEMMA_HIDDEN: _hidden,
    ev.DILEMMA_REVEALED: _revealed,
    ev.DILEMMA_CHOSEN: _chosen,
}
