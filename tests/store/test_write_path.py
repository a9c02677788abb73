"""The write path on SQLite and PostgreSQL: one transaction, gap-free seq, idempotency, replay."""

from __future__ import annotations

import asyncio

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from server.domain.commands import Actor, AddNote, Command, DeleteNote, JoinWorkshop
from server.domain.events import Event, StoredEvent
from server.domain.workshop import apply, replay
from server.service import Service, new_id
from server.store import log, projections
from server.store.tables import metadata
from tests.store.twin import new_workshop


async def join(service: Service, wid: str, pid: str, group: str = "Borger") -> None:
    r = await service.execute(
        wid, Actor("participant", pid), new_id(), JoinWorkshop(pid, pid.upper(), group)
    )
    assert r.ok


async def all_events(service: Service, wid: str) -> list[StoredEvent]:
    async with service.db.read() as conn:
        return await log.read_since(conn, wid, 0)


async def test_migrations_create_exactly_the_declared_schema(service: Service) -> None:
    async with service.db.read() as conn:
        diff = await conn.run_sync(
            lambda sync_conn: compare_metadata(MigrationContext.configure(sync_conn), metadata)
        )
    assert diff == []


async def test_state_before_plus_events_equals_state_after_commit(service: Service) -> None:
    wid = await new_workshop(service)
    await join(service, wid, "p1")
    actor = Actor("participant", "p1")
    commands: list[Command] = [
        AddNote("n1", "én"),
        AddNote("n2", "to"),
        DeleteNote("n1"),
        AddNote("n3", "tre"),
    ]
    for cmd in commands:
        async with service.db.read() as conn:
            before = await projections.load_state(conn, wid)
        assert before is not None
        r = await service.execute(wid, actor, new_id(), cmd)
        assert r.ok and r.seq is not None
        async with service.db.read() as conn:
            after = await projections.load_state(conn, wid)
            stored = await log.read_since(conn, wid, r.seq - 1)
        expected = before
        for e in stored:
            expected = apply(expected, Event(e.type, e.data), e.seq)
        assert expected == after
    events = await all_events(service, wid)
    async with service.db.read() as conn:
        current = await projections.load_state(conn, wid)
    assert replay(events) == current
    assert [n.text for n in current.notes_on(current.main_board.id)] == ["to", "tre"]


async def test_same_command_id_gives_the_same_answer_and_one_note(service: Service) -> None:
    wid = await new_workshop(service)
    await join(service, wid, "p1")
    actor = Actor("participant", "p1")
    first = await service.execute(wid, actor, "cmd-00000001", AddNote(new_id(), "hej"))
    again = await service.execute(wid, actor, "cmd-00000001", AddNote(new_id(), "hej"))
    assert first.ok and again.seq == first.seq and again.replayed
    rejected = await service.execute(wid, actor, "cmd-00000002", AddNote(new_id(), ""))
    assert rejected.error_code == "note.empty"
    # Even though the same command would now be fine, the recorded rejection is the answer.
    retried = await service.execute(wid, actor, "cmd-00000002", AddNote(new_id(), "nu med tekst"))
    assert retried.error_code == "note.empty"
    async with service.db.read() as conn:
        state = await projections.load_state(conn, wid)
    assert state is not None and [n.text for n in state.notes.values()] == ["hej"]


async def test_concurrent_commands_get_gap_free_seqs(service: Service) -> None:
    wid = await new_workshop(service)
    await join(service, wid, "p1")
    await join(service, wid, "p2", "Politiker")
    results = await asyncio.gather(
        *(
            service.execute(
                wid, Actor("participant", f"p{1 + i % 2}"), new_id(), AddNote(new_id(), f"n{i}")
            )
            for i in range(60)
        )
    )
    assert all(r.ok for r in results)
    seqs = [e.seq for e in await all_events(service, wid)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert sorted(r.seq for r in results if r.seq) == list(range(4, 64))


async def test_a_failed_transaction_leaves_no_gap_and_no_half_write(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    wid = await new_workshop(service)
    await join(service, wid, "p1")
    actor = Actor("participant", "p1")

    async def broken(*args: object) -> None:
        raise RuntimeError("disk on fire")

    with monkeypatch.context() as m:
        m.setattr(projections, "project", broken)
        with pytest.raises(RuntimeError):
            await service.execute(wid, actor, "cmd-broken-1", AddNote(new_id(), "tabt"))
    r = await service.execute(wid, actor, "cmd-broken-1", AddNote(new_id(), "gemt"))
    assert r.ok and not r.replayed
    events = await all_events(service, wid)
    assert [e.seq for e in events] == [1, 2, 3]
    async with service.db.read() as conn:
        texts = [row.text for row in await conn.execute(sa.text("SELECT text FROM notes"))]
        pos = await log.position(conn, wid)
    assert texts == ["gemt"] and pos is not None and pos.last_seq == 3


async def test_a_retried_rejection_keeps_its_message_parameters(service: Service) -> None:
    wid = await new_workshop(service)
    await join(service, wid, "p1")
    actor = Actor("participant", "p1")
    first = await service.execute(wid, actor, "cmd-long-0001", AddNote(new_id(), "x" * 501))
    again = await service.execute(wid, actor, "cmd-long-0001", AddNote(new_id(), "x" * 501))
    assert first.error_code == again.error_code == "note.too_long"
    assert first.error_params == again.error_params == {"max": 500}
    assert again.replayed
