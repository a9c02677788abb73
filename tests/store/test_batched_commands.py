"""Commands that queue for their workshop's turn are written together in one transaction: each
is still decided on the state the ones before it made, answered on its own, stored once, and
a failure of one is not its neighbours'. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain.commands import Actor, AddNote, CastVote, Command, EditNote
from server.domain.events import StoredEvent
from server.service import Service
from server.store import log, projections
from tests.store.twin import FAC, new_workshop

BURST = 60


def _count_commits(service: Service) -> list[int]:
    commits: list[int] = []
    event.listen(service.db.engine.sync_engine, "commit", lambda _conn: commits.append(1))
    return commits


async def _stored(service: Service, workshop_id: str) -> tuple[list[StoredEvent], Any]:
    async with service.db.read() as conn:
        events = await log.read_since(conn, workshop_id, 0)
        state = await projections.load_state(conn, workshop_id)
    return events, state


async def test_a_burst_is_written_in_few_transactions_and_each_command_gets_its_own_answer(
    service: Service,
) -> None:
    wid = await new_workshop(service, "Travlt", ("Borger",))
    fac = Actor("facilitator", FAC.id)
    commits = _count_commits(service)
    # The same id twice (a tablet resending before its answer came), and one refused command
    # (an edit of a note nobody added) in the middle of the burst.
    sends: list[tuple[str, Command]] = [
        (f"c{i}", AddNote(f"n{i}", f"Idé {i}")) for i in range(BURST)
    ]
    sends.insert(10, ("c3", AddNote("n3", "Idé 3")))
    sends.insert(20, ("bad", EditNote("nobody", 1, text="x")))
    answers = await asyncio.gather(*(service.execute(wid, fac, cid, c) for cid, c in sends))

    assert len(commits) < len(sends) / 4, len(commits)  # batched: a transaction per turn
    by_id = {cid: a for (cid, _), a in zip(sends, answers, strict=True)}
    assert by_id["bad"].error_code == "note.unknown"
    assert [a.seq for (cid, _), a in zip(sends, answers, strict=True) if cid == "c3"] == [
        by_id["c3"].seq
    ] * 2
    events, state = await _stored(service, wid)
    added = [e for e in events if e.type == "note.added"]
    # Each note once, at the seq its answer named, in the order the commands were sent.
    assert [e.command_id for e in added] == [f"c{i}" for i in range(BURST)]
    assert all(by_id[str(e.command_id)].seq == e.seq for e in added)
    assert [e.seq for e in events] == list(range(1, events[-1].seq + 1))
    assert sorted(state.notes) == sorted(f"n{i}" for i in range(BURST))
    # A retry after the burst gets the first answers, refusal included, and changes nothing.
    again = await service.execute(wid, fac, "bad", EditNote("nobody", 1, text="x"))
    assert again.replayed and again.error_code == "note.unknown"
    assert (await service.execute(wid, fac, "c7", AddNote("n7", "Idé 7"))).seq == by_id["c7"].seq
    assert (await _stored(service, wid))[0] == events


async def test_a_command_that_fails_to_store_fails_alone(
    service: Service, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fault in one command's storing (here: its projection) rolls back its batch; the others
    are then written one by one, and only that one is answered with the fault."""
    wid = await new_workshop(service, "Travlt", ("Borger",))
    fac = Actor("facilitator", FAC.id)
    project = projections.project

    async def faulty(conn: AsyncConnection, e: StoredEvent, now: Any) -> None:
        if e.type == "note.added" and e.data.get("text") == "Fejl":
            raise RuntimeError("projection fault")
        await project(conn, e, now)

    monkeypatch.setattr(projections, "project", faulty)
    texts = [f"Idé {i}" for i in range(20)]
    texts[7] = "Fejl"
    answers = await asyncio.gather(
        *(service.execute(wid, fac, f"c{i}", AddNote(f"n{i}", t)) for i, t in enumerate(texts)),
        return_exceptions=True,
    )
    failed = [i for i, a in enumerate(answers) if isinstance(a, BaseException)]
    assert failed == [7]
    events, state = await _stored(service, wid)
    assert sorted(state.notes) == sorted(f"n{i}" for i in range(20) if i != 7)
    assert [e.seq for e in events] == list(range(1, events[-1].seq + 1))


async def test_votes_cast_together_are_counted_once_each(service: Service) -> None:
    """One vote per person holds inside a batch: the second vote of the same person in the
    same burst replaces the first, as it would one after the other."""
    from server.domain.commands import CreateQuestion, JoinWorkshop, OpenQuestion

    wid = await new_workshop(service, "Travlt", ("Borger",))
    fac = Actor("facilitator", FAC.id)
    people = [Actor("participant", f"p{i:02d}") for i in range(30)]
    for p in people:
        assert (await service.execute(wid, p, f"j-{p.id}", JoinWorkshop(p.id, None, "Borger"))).ok
    assert (await service.execute(wid, fac, "q", CreateQuestion("q1", "Hvor godt?"))).ok
    assert (await service.execute(wid, fac, "o", OpenQuestion("q1"))).ok
    sends = [(p, f"v1-{p.id}", 3) for p in people] + [(p, f"v2-{p.id}", 9) for p in people[:10]]
    answers = await asyncio.gather(
        *(service.execute(wid, p, cid, CastVote("q1", v)) for p, cid, v in sends)
    )
    assert all(a.ok for a in answers), [a.error_code for a in answers if not a.ok]
    _, state = await _stored(service, wid)
    votes = state.votes_on("q1")
    assert len(votes) == 30
    assert sorted(v.value for v in votes) == [3] * 20 + [9] * 10
