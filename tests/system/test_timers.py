"""Countdown timers across two real server processes on Redis and PostgreSQL: every device gets
the same end time, the question closes once at zero (both processes keep time; the idempotency
record lets one close it), a stopped timer closes nothing, and `pong` tells a client the
server's clock. One process alone on SQLite closes at zero as well."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from tests.support import Browserless, LiveClient, ServerProcess, query, setup_workshop
from tests.system.conftest import Cluster
from tests.system.test_boards import last_event, ok, refused
from tests.system.test_voting import new_question

pytestmark = [pytest.mark.system, pytest.mark.timeout(120)]


def now_ms() -> int:
    return time.time_ns() // 1_000_000


async def room(
    cluster: Cluster,
) -> tuple[list[Browserless], LiveClient, LiveClient, LiveClient, str]:
    """The facilitator on process a, Ida on a and Bo on b, all up to date."""
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac = await LiveClient.connect(cluster.a.ws_url, wid, fac_s)
    ida_s, bo_s = Browserless(cluster.a.url), Browserless(cluster.b.url)
    assert (await ida_s.join(code, "Ida", "Borger")).status_code == 200
    assert (await bo_s.join(code, "Bo", "Politiker")).status_code == 200
    ida = await LiveClient.connect(cluster.a.ws_url, wid, ida_s)
    bo = await LiveClient.connect(cluster.b.ws_url, wid, bo_s)
    for c in (fac, ida, bo):
        await c.wait_for(lambda c: c.seq is not None)
    return [fac_s, ida_s, bo_s], fac, ida, bo, wid


async def close_all(sessions: list[Browserless], *clients: LiveClient) -> None:
    for c in clients:
        await c.close()
    for s in sessions:
        await s.aclose()


def started(client: LiveClient) -> dict[str, Any] | None:
    found: dict[str, Any] | None = last_event(client, "timer.started", lambda d: True)
    return found


def closed_events(client: LiveClient, qid: str) -> list[dict[str, Any]]:
    return [
        e
        for e in client.events
        if e["type"] == "question.closed" and e["data"]["question_id"] == qid
    ]


async def test_a_five_second_timer_closes_its_question_once_at_zero(cluster: Cluster) -> None:
    sessions, fac, ida, bo, wid = await room(cluster)
    qid = await new_question(fac, "Kan visionen bruges som endeligt forslag?")
    await ok(fac, "question.open", question_id=qid)

    before = now_ms()
    await ok(fac, "timer.start", seconds=5, label="Tænk selv", close_question_id=qid)
    after = now_ms()
    timer = await fac.wait_for(started)
    # Every device, on either process, gets the same timer, in server time.
    for c in (ida, bo):
        assert await c.wait_for(started) == timer
    assert timer["label"] == "Tænk selv" and timer["close_question_id"] == qid
    assert before - 1000 <= timer["started_at_ms"] <= after + 1000
    assert timer["ends_at_ms"] == timer["started_at_ms"] + 5000
    snap = (await sessions[2].http.get(f"/api/workshops/{wid}/snapshot")).json()
    assert snap["state"]["timer"] == {
        "id": timer["timer_id"],
        "label": "Tænk selv",
        "seconds": 5,
        "started_at_ms": timer["started_at_ms"],
        "ends_at_ms": timer["ends_at_ms"],
        "close_question_id": qid,
    }

    await ok(ida, "vote.cast", question_id=qid, value=7)  # in time
    for c in (fac, ida, bo):
        await c.wait_for(lambda c: closed_events(c, qid), timeout=15)
    closed_at = now_ms()
    assert closed_at >= timer["ends_at_ms"] - 50  # not before zero (same machine, same clock)
    assert closed_at <= timer["ends_at_ms"] + 5000
    assert await refused(bo, "vote.cast", question_id=qid, value=3) == "vote.closed"

    # Both processes kept time; the question was closed once, by the timer, as one command.
    await asyncio.sleep(1.0)  # room for a second close, if there were one
    db = cluster.env["DATABASE_URL"]
    rows = await query(
        db,
        "SELECT seq, actor_id, command_id FROM events "
        "WHERE workshop_id = :w AND type = 'question.closed'",
        w=wid,
    )
    assert [(r.actor_id, r.command_id) for r in rows] == [
        ("timer", f"timer-{timer['timer_id']}-close")
    ]
    records = await query(
        db,
        "SELECT outcome FROM commands WHERE workshop_id = :w AND command_id = :c",
        w=wid,
        c=f"timer-{timer['timer_id']}-close",
    )
    assert [r.outcome for r in records] == ["accepted"]
    for c in (fac, ida, bo):
        assert len(closed_events(c, qid)) == 1
    votes = await query(db, "SELECT value FROM votes WHERE question_id = :q", q=qid)
    assert [r.value for r in votes] == [7]
    await close_all(sessions, fac, ida, bo)


async def test_a_stopped_timer_leaves_its_question_open(cluster: Cluster) -> None:
    sessions, fac, ida, bo, wid = await room(cluster)
    qid = await new_question(fac, "Hvor tryg er du ved planen?")
    await ok(fac, "question.open", question_id=qid)
    await ok(bo, "vote.cast", question_id=qid, value=2)
    await ok(fac, "timer.start", seconds=5, close_question_id=qid)
    timer = await bo.wait_for(started)
    await ok(fac, "timer.stop", timer_id=timer["timer_id"])
    for c in (fac, ida, bo):
        await c.wait_for(
            lambda c: last_event(c, "timer.stopped", lambda d: d == {"timer_id": timer["timer_id"]})
        )
    snap = (await sessions[1].http.get(f"/api/workshops/{wid}/snapshot")).json()
    assert snap["state"]["timer"] is None
    await asyncio.sleep(max(0.0, (timer["ends_at_ms"] - now_ms()) / 1000) + 1.5)
    await ok(ida, "vote.cast", question_id=qid, value=9)  # still open after zero
    rows = await query(
        cluster.env["DATABASE_URL"],
        "SELECT count(*) AS n FROM events WHERE workshop_id = :w AND type = 'question.closed'",
        w=wid,
    )
    assert rows[0].n == 0
    assert await refused(ida, "timer.stop", timer_id=timer["timer_id"]) == (
        "permission.facilitators_only"
    )
    assert await refused(fac, "timer.stop", timer_id=timer["timer_id"]) == "timer.not_running"
    assert await refused(fac, "timer.start", seconds=4) == "timer.bad_seconds"
    await close_all(sessions, fac, ida, bo)


def pongs(client: LiveClient) -> list[dict[str, Any]]:
    return [m for m in client.received if m["type"] == "pong"]


async def test_pong_carries_the_server_clock_and_echoes_the_client_s(cluster: Cluster) -> None:
    sessions, fac, ida, bo, _ = await room(cluster)
    for client in (ida, bo):  # one on each process
        sent = now_ms()
        await client.send({"type": "ping", "t": sent})
        pong = await client.wait_for(lambda c: pongs(c)[-1:] and pongs(c)[-1])
        received = now_ms()
        assert set(pong) == {"type", "t", "server_ms"}
        assert pong["t"] == sent
        assert isinstance(pong["server_ms"], int)
        assert sent - 1000 <= pong["server_ms"] <= received + 1000
        # The plain heartbeat still works, with no client time to echo.
        await client.send({"type": "ping"})
        plain = await client.wait_for(lambda c: len(pongs(c)) == 2 and pongs(c)[-1])
        assert plain["t"] is None and abs(plain["server_ms"] - now_ms()) < 1000
    await close_all(sessions, fac, ida, bo)


async def test_one_process_alone_on_sqlite_closes_at_zero_too(single: ServerProcess) -> None:
    fac_s, wid, _ = await setup_workshop(single.url)
    fac = await LiveClient.connect(single.ws_url, wid, fac_s)
    await fac.wait_for(lambda c: c.seq is not None)
    qid = await new_question(fac, "Alene i salen?")
    await ok(fac, "question.open", question_id=qid)
    await ok(fac, "timer.start", seconds=5, close_question_id=qid)
    timer = await fac.wait_for(started)
    await fac.wait_for(lambda c: closed_events(c, qid), timeout=15)
    assert now_ms() >= timer["ends_at_ms"] - 50
    rows = await query(
        single.env["DATABASE_URL"],
        "SELECT actor_id FROM events WHERE workshop_id = :w AND type = 'question.closed'",
        w=wid,
    )
    assert [r.actor_id for r in rows] == ["timer"]
    await close_all([fac_s], fac)
