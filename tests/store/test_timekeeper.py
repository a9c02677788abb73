"""The timekeeper on a real database (SQLite and PostgreSQL): at zero it closes the timer's
question through `Service.execute` exactly once, however many processes keep time; a stopped
timer closes nothing, even when this process did not see the stop; a question closed by hand
makes the close a recorded rejection.

Timers here start in the past (`now_ms` a little less than their length ago), so they reach
zero a fraction of a second into the test.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
import sqlalchemy as sa

from server.domain.commands import CloseQuestion, CreateQuestion, OpenQuestion, StartTimer
from server.domain.commands import StopTimer as Stop
from server.domain.events import StoredEvent
from server.realtime.wire import wall_clock_ms
from server.service import Service
from server.store.log import find_command
from server.store.source import StoreEventSource
from server.store.tables import commands
from server.timekeeper import LATE_LIMIT_MS, TIMER_ACTOR, Timekeeper, close_command_id
from tests.store.twin import FAC, Twin, new_twin


@pytest.fixture
async def twin(service: Service) -> Twin:
    """A workshop with one open question, q1."""
    t = await new_twin(service)
    await t.do(FAC, CreateQuestion("q1", "Kan visionen bruges?"))
    await t.do(FAC, OpenQuestion("q1"))
    return t


def keeper(service: Service) -> Timekeeper:
    return Timekeeper(service.execute, StoreEventSource(service.db).snapshot, retry_seconds=0.05)


@pytest.fixture
async def keepers(service: Service) -> AsyncIterator[tuple[Timekeeper, Timekeeper]]:
    """Two processes' timekeepers on one database."""
    a, b = keeper(service), keeper(service)
    try:
        yield a, b
    finally:
        await a.stop()
        await b.stop()


def ending_in(seconds_left: float, timer_id: str = "t1", question: str | None = "q1") -> StartTimer:
    """A 5-second timer that started `5 - seconds_left` seconds ago."""
    return StartTimer(timer_id, 5, None, question, wall_clock_ms() - int((5 - seconds_left) * 1000))


async def tell(twin: Twin, k: Timekeeper, events: list[StoredEvent]) -> None:
    k.on_events(twin.workshop_id, await twin.state(), events)


async def done(twin: Twin, *ks: Timekeeper, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while any(k.scheduled(twin.workshop_id) for k in ks):
        assert time.monotonic() < deadline, "the timekeeper did not finish"
        await asyncio.sleep(0.02)


async def closes(twin: Twin) -> list[StoredEvent]:
    return [e for e in await twin.log() if e.type == "question.closed"]


async def test_two_processes_close_the_question_once_at_zero(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, b = keepers
    started = await twin.do(FAC, ending_in(1.5))
    await tell(twin, a, started)
    await tell(twin, b, started)
    assert a.scheduled(twin.workshop_id) == b.scheduled(twin.workshop_id) == ["t1"]
    # Not before zero: whenever we see it closed, zero had passed by the time we looked.
    ends_at = (await twin.state()).timers["t1"].ends_at_ms
    while wall_clock_ms() < ends_at:
        status = (await twin.state()).questions["q1"].status
        assert status == "open" or wall_clock_ms() >= ends_at, "closed before zero"
        await asyncio.sleep(0.05)
    await done(twin, a, b)
    closed = await closes(twin)
    assert len(closed) == 1
    assert (closed[0].actor_id, closed[0].command_id) == (TIMER_ACTOR.id, "timer-t1-close")
    assert closed[0].data == {"question_id": "q1"}
    assert (await twin.state()).timers["t1"].ends_at_ms <= wall_clock_ms()
    async with twin.service.db.read() as conn:
        outcome = await find_command(conn, twin.workshop_id, close_command_id("t1"))
        n = await conn.scalar(
            sa.select(sa.func.count()).where(commands.c.command_id == close_command_id("t1"))
        )
    assert outcome is not None and outcome.accepted and n == 1
    await twin.assert_replay_equals_stored()


async def test_a_stopped_timer_closes_nothing(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, _ = keepers
    await tell(twin, a, await twin.do(FAC, ending_in(0.5)))
    await tell(twin, a, await twin.do(FAC, Stop("t1")))
    assert a.scheduled(twin.workshop_id) == []
    await asyncio.sleep(0.8)
    assert await closes(twin) == []


async def test_a_stop_this_process_did_not_see_still_cancels_the_close(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    """Its room went idle, so no batch told it: the database check at zero does."""
    a, _ = keepers
    await tell(twin, a, await twin.do(FAC, ending_in(0.3)))
    await twin.do(FAC, Stop("t1"))
    await done(twin, a)
    assert await closes(twin) == []
    async with twin.service.db.read() as conn:
        assert await find_command(conn, twin.workshop_id, close_command_id("t1")) is None


async def test_the_next_timer_replaces_the_plan(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, _ = keepers
    await tell(twin, a, await twin.do(FAC, ending_in(0.3, "t1")))
    await tell(twin, a, await twin.do(FAC, StartTimer("t2", 60, "Forklar", None, wall_clock_ms())))
    assert a.scheduled(twin.workshop_id) == []  # t1 stopped; t2 closes nothing
    await asyncio.sleep(0.6)
    assert await closes(twin) == []
    await tell(twin, a, await twin.do(FAC, ending_in(0.3, "t3")))
    assert a.scheduled(twin.workshop_id) == ["t3"]
    await done(twin, a)
    assert [e.command_id for e in await closes(twin)] == ["timer-t3-close"]


async def test_a_question_closed_by_hand_makes_the_close_a_recorded_rejection(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, b = keepers
    started = await twin.do(FAC, ending_in(0.3))
    await tell(twin, a, started)
    await tell(twin, b, started)
    await twin.do(FAC, CloseQuestion("q1"))
    await done(twin, a, b)
    assert [e.actor_id for e in await closes(twin)] == [FAC.id]
    async with twin.service.db.read() as conn:
        outcome = await find_command(conn, twin.workshop_id, close_command_id("t1"))
    assert outcome is not None and outcome.error_code == "question.not_open"


async def test_a_room_loaded_while_a_timer_runs_schedules_it_and_other_batches_change_nothing(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, _ = keepers
    await twin.do(FAC, ending_in(0.4))
    await tell(twin, a, await twin.do(FAC, CreateQuestion("q2", "Noget andet?")))
    assert a.scheduled(twin.workshop_id) == []  # not a timer batch: the plan stays
    await tell(twin, a, [])  # a room created, or reloaded from a snapshot
    assert a.scheduled(twin.workshop_id) == ["t1"]
    await tell(twin, a, [])  # told again: still one task
    assert a.scheduled(twin.workshop_id) == ["t1"]
    await done(twin, a)
    assert len(await closes(twin)) == 1


async def test_a_timer_without_a_question_is_not_kept(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    a, _ = keepers
    await tell(twin, a, await twin.do(FAC, ending_in(0.2, question=None)))
    assert a.scheduled(twin.workshop_id) == []


async def test_long_after_zero_the_question_is_left_open(
    twin: Twin, keepers: tuple[Timekeeper, Timekeeper]
) -> None:
    """Nobody served the workshop at zero: a close much later would surprise the room."""
    a, _ = keepers
    long_ago = wall_clock_ms() - LATE_LIMIT_MS - 10_000
    await twin.do(FAC, StartTimer("t1", 5, None, "q1", long_ago))
    await tell(twin, a, [])
    await done(twin, a)
    assert await closes(twin) == []


async def test_stopping_the_timekeeper_cancels_what_it_waits_for(
    twin: Twin, service: Service
) -> None:
    k = keeper(service)
    await tell(twin, k, await twin.do(FAC, StartTimer("t1", 60, None, "q1", wall_clock_ms())))
    assert k.scheduled(twin.workshop_id) == ["t1"]
    await k.stop()
    assert k.scheduled(twin.workshop_id) == []
    await tell(twin, k, [])  # told after stopping: nothing new starts
    assert k.scheduled(twin.workshop_id) == []
