"""Projections of question and vote events: the rows `workshop._apply_question` would change.

A vote is one row per (question, voter), the table's primary key: a changed vote replaces the
row, with the seq of the event that changed it, exactly as `apply` replaces the `Vote`.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.questions import Status
from server.store.projection_types import Handler
from server.store.tables import questions, votes

_WORDING = ("text", "low_label", "high_label", "ask_comment", "anonymous", "min_group")


def _question(e: StoredEvent) -> sa.ColumnElement[bool]:
    return sa.and_(
        questions.c.workshop_id == e.workshop_id, questions.c.id == e.data["question_id"]
    )


async def _question_created(conn: AsyncConnection, e: StoredEvent) -> None:
    d = e.data
    await conn.execute(
        sa.insert(questions).values(
            id=d["question_id"],
            workshop_id=e.workshop_id,
            position=d["position"],
            status="draft",
            **{k: d[k] for k in _WORDING},
        )
    )


async def _question_edited(conn: AsyncConnection, e: StoredEvent) -> None:
    await conn.execute(
        sa.update(questions).where(_question(e)).values(**{k: e.data[k] for k in _WORDING})
    )


def _set_status(status: Status) -> Handler:
    async def handler(conn: AsyncConnection, e: StoredEvent) -> None:
        await conn.execute(sa.update(questions).where(_question(e)).values(status=status))

    return handler


async def _vote_cast(conn: AsyncConnection, e: StoredEvent) -> None:
    """An upsert that works the same on every database: the old row (if any) goes, the new
    one comes, in the command's transaction; the workshop's row lock keeps writers in line."""
    d = e.data
    await conn.execute(
        sa.delete(votes).where(
            votes.c.workshop_id == e.workshop_id,
            votes.c.question_id == d["question_id"],
            votes.c.voter_id == d["voter_id"],
        )
    )
    await conn.execute(
        sa.insert(votes).values(
            question_id=d["question_id"],
            voter_id=d["voter_id"],
            workshop_id=e.workshop_id,
            value=d["value"],
            comment=d["comment"],
            group_name=d["group"],
            by_facilitator=d["by_facilitator"],
            seq=e.seq,
        )
    )


HANDLERS: dict[str, Handler] = {
    ev.QUESTION_CREATED: _question_created,
    ev.QUESTION_EDITED: _question_edited,
    ev.QUESTION_OPENED: _set_status("open"),
    ev.QUESTION_REOPENED: _set_status("open"),
    ev.QUESTION_CLOSED: _set_status("closed"),
    ev.QUESTION_REVEALED: _set_status("revealed"),
    ev.VOTE_CAST: _vote_cast,
}
