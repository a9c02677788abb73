"""Every timer command through `Service.execute`, on SQLite and PostgreSQL: after each commit the
stored state equals the state before plus the events, a refused command leaves it as it was, and
the replayed log equals it at the end. The database itself also refuses a length outside 5-3600
seconds and a question to close that does not exist.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.commands import (
    Actor,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    OpenQuestion,
    StartTimer,
    StopTimer,
)
from server.service import Service
from server.store.tables import timers
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

T0 = 1_790_000_000_000
SCREEN = Actor("screen", "screen1")
TIMEKEEPER = Actor("facilitator", "timer")


def start(
    timer_id: str,
    seconds: int = 120,
    label: str | None = None,
    close_question_id: str | None = None,
    now_ms: int = T0,
) -> StartTimer:
    return StartTimer(timer_id, seconds, label, close_question_id, now_ms)


async def timer_rows(service: Service, workshop_id: str) -> list[tuple[Any, ...]]:
    async with service.db.read() as conn:
        q = sa.select(timers.c.id, timers.c.seq, timers.c.stopped, timers.c.close_question_id)
        rows = await conn.execute(q.where(timers.c.workshop_id == workshop_id))
        return sorted(tuple(r) for r in rows)


async def timers_and_a_question(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """Refusals, think-then-explain (a start stops the running timer), stops, a timer that
    closes a question at zero and the timekeeper's close. The ids start with the first
    participant's, so several workshops can share one database."""
    twin = await new_twin(service, (p1, p2, p3))
    q1, t0, t1, t2, t3, t4 = (f"{p1.id}{x}" for x in ("q1", "t0", "t1", "t2", "t3", "t4"))
    await twin.do(FAC, CreateQuestion(q1, "Kan visionen bruges?"))

    # Refusals first: nothing is stored.
    await twin.refused(p1, start(t0), "permission.facilitators_only")
    await twin.refused(SCREEN, start(t0), "permission.read_only")
    for seconds in (0, 4, 3601, -1):
        await twin.refused(FAC, start(t0, seconds), "timer.bad_seconds")
    await twin.refused(FAC, start(t0, label="x" * 61), "timer_label.too_long")
    await twin.refused(FAC, start(t0, label="a\nb"), "timer_label.control_characters")
    await twin.refused(FAC, start(t0, close_question_id="nope"), "question.unknown")
    await twin.refused(FAC, start(t0, close_question_id=q1), "question.not_open")
    await twin.refused(FAC, StopTimer(t0), "timer.unknown")

    # Think, then explain: the second start stops the first in the same command.
    await twin.do(FAC, start(t1, 120, "  Tænk selv "))
    stored = await twin.do(FAC, start(t2, 120, "Forklar", now_ms=T0 + 121_000))
    assert [e.type for e in stored] == ["timer.stopped", "timer.started"]
    await twin.refused(FAC, start(t2), "timer.exists")
    await twin.refused(FAC, StopTimer(t1), "timer.not_running")
    await twin.refused(p2, StopTimer(t2), "permission.facilitators_only")
    await twin.do(FAC, StopTimer(t2))
    await twin.refused(FAC, StopTimer(t2), "timer.not_running")
    assert (await twin.state()).current_timer() is None

    # A timer that closes a question at zero; the timekeeper's close, then one by hand refused.
    await twin.do(FAC, OpenQuestion(q1))
    await twin.do(FAC, start(t3, 5, None, q1, now_ms=T0 + 300_000))
    await twin.do(p1, CastVote(q1, 6))
    await twin.do(TIMEKEEPER, CloseQuestion(q1))
    await twin.refused(TIMEKEEPER, CloseQuestion(q1), "question.not_open")
    await twin.refused(p2, CastVote(q1, 6), "vote.closed")
    await twin.do(FAC, start(t4, 3600, "Frokost", now_ms=T0 + 400_000))

    state = await twin.assert_replay_equals_stored()
    current = state.current_timer()
    assert current is not None
    assert (current.id, current.label, current.ends_at_ms) == (t4, "Frokost", T0 + 4_000_000)
    assert state.timers[t1].label == "Tænk selv"
    assert state.timers[t3].close_question_id == q1 and state.timers[t3].stopped
    assert state.questions[q1].status == "closed"
    rows = await timer_rows(service, twin.workshop_id)
    assert [(r[0], r[2], r[3]) for r in rows] == [
        (t1, True, None),
        (t2, True, None),
        (t3, True, q1),
        (t4, False, None),
    ]
    return twin


async def test_every_timer_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    await timers_and_a_question(service, P1, P2, P3)


def _row(workshop_id: str, timer_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "id": timer_id,
        "workshop_id": workshop_id,
        "label": None,
        "seconds": 120,
        "started_at_ms": T0,
        "ends_at_ms": T0 + 120_000,
        "close_question_id": None,
        "seq": 99,
        "stopped": False,
        **changes,
    }


async def test_the_database_refuses_a_length_outside_5_to_3600_and_an_unknown_question(
    service: Service,
) -> None:
    """Written past the domain, straight into the table: the schema holds the line too."""
    twin = await new_twin(service)

    async def insert(row: dict[str, Any]) -> None:
        async with service.db.write() as conn:
            await conn.execute(sa.insert(timers).values(**row))

    await insert(_row(twin.workshop_id, "ok5", seconds=5))
    await insert(_row(twin.workshop_id, "ok3600", seconds=3600))
    for i, seconds in enumerate((4, 0, -1, 3601)):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(_row(twin.workshop_id, f"bad{i}", seconds=seconds))
    with pytest.raises(sa.exc.IntegrityError):
        await insert(_row(twin.workshop_id, "noq", close_question_id="nope"))
    assert [r[0] for r in await timer_rows(service, twin.workshop_id)] == ["ok3600", "ok5"]
