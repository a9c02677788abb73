"""Every dot voting command through `Service.execute`, on SQLite and PostgreSQL: after each
commit the stored state equals the state before plus the events, a refused command leaves it as
it was, and the replayed log equals it at the end. Deleting and merging notes moves or drops
their dot rows as `apply` does; the database itself refuses a count or a round outside the
limits.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.commands import (
    Actor,
    AddNote,
    CarryTopNotes,
    DeleteNote,
    EndDots,
    HideNote,
    MergeNotes,
    PlaceDot,
    RemoveDot,
    StartDots,
)
from server.domain.dots import ranking
from server.service import Service
from server.store.tables import dot_rounds, dots
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

SCREEN = Actor("screen", "screen1")


async def dot_rows(service: Service, workshop_id: str) -> list[tuple[Any, ...]]:
    async with service.db.read() as conn:
        q = sa.select(dots.c.note_id, dots.c.voter_id, dots.c.placed)
        rows = await conn.execute(q.where(dots.c.workshop_id == workshop_id))
        return sorted(tuple(r) for r in rows)


async def dots_and_a_semifinal(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """Refusals, a live round with the limits reached, deleted and merged notes, the end, a
    carry to a new board, and a fresh hidden round. Ids start with the first participant's,
    so several workshops can share one database."""
    twin = await new_twin(service, (p1, p2, p3))
    main = (await twin.state()).main_board.id
    a, b, c, d, e, f = (f"{p1.id}{x}" for x in "abcdef")
    for note_id, actor in ((a, p1), (b, p2), (c, p3), (d, p1), (e, FAC), (f, p2)):
        await twin.do(actor, AddNote(note_id, f"idé {note_id}", color="green"))

    # Refusals first: nothing is stored.
    await twin.refused(p1, StartDots(main, 3, 2, False), "permission.facilitators_only")
    await twin.refused(FAC, StartDots(main, 21, 2, False), "dots.bad_dots_per_person")
    await twin.refused(FAC, StartDots(main, 3, 4, False), "dots.bad_per_note")
    await twin.refused(p1, PlaceDot(a), "dots.not_running")
    await twin.refused(FAC, EndDots(main), "dots.not_running")

    await twin.do(FAC, StartDots(main, 3, 2, False))
    await twin.refused(FAC, StartDots(main, 3, 2, False), "dots.already_running")
    await twin.refused(FAC, PlaceDot(a), "permission.participants_only")
    await twin.refused(SCREEN, PlaceDot(a), "permission.read_only")
    for actor, note_id in ((p1, a), (p1, a), (p1, b), (p2, b), (p2, c), (p3, d), (p3, f)):
        await twin.do(actor, PlaceDot(note_id))
    await twin.refused(p1, PlaceDot(c), "dots.none_left")
    await twin.refused(p2, RemoveDot(a), "dots.none_here")
    await twin.do(p2, PlaceDot(b))
    await twin.refused(p2, PlaceDot(b), "dots.none_left")
    await twin.do(p2, RemoveDot(b))
    await twin.do(p2, PlaceDot(c))
    await twin.refused(p2, PlaceDot(c), "dots.none_left")
    await twin.do(p2, RemoveDot(c))
    await twin.do(p2, RemoveDot(c))
    await twin.do(p2, PlaceDot(b))
    await twin.refused(p2, PlaceDot(b), "dots.note_full")

    # A deleted note's dots go; a merged note's move onto the kept one, capped per note.
    await twin.do(p1, DeleteNote(d))
    await twin.do(FAC, MergeNotes(a, b))  # p1: 2 + 1 capped at 2
    state = await twin.state()
    assert state.dots == {(b, p1.id): 2, (b, p2.id): 2, (f, p3.id): 1}
    await twin.do(p1, PlaceDot(c))  # the dot the cap gave back
    await twin.do(FAC, HideNote(f, True))
    await twin.do(FAC, EndDots(main))
    await twin.refused(p3, PlaceDot(c), "dots.not_running")

    # Carry the top 3: b 4, c 1, then e (no dots, so not carried); f is hidden.
    state = await twin.state()
    assert [(n.id, k) for n, k in ranking(state, main)] == [(b, 4), (c, 1), (e, 0)]
    semi = f"{p1.id}semi"
    ids = tuple(f"{semi}n{i}" for i in range(3))
    await twin.do(FAC, CarryTopNotes(main, 3, semi, "Semifinale", f"{semi}c", "Noter", ids))
    state = await twin.state()
    assert [(n.linked_note_id, n.author_id) for n in state.notes_on(semi)] == [
        (b, p2.id),
        (c, p3.id),
    ]

    # A fresh hidden round clears the board's dots, the other board keeps none anyway.
    await twin.do(FAC, StartDots(main, 1, 1, True))
    await twin.do(p3, PlaceDot(e))
    state = await twin.assert_replay_equals_stored()
    assert state.dots == {(e, p3.id): 1}
    assert await dot_rows(service, twin.workshop_id) == [(e, p3.id, 1)]
    return twin


async def test_every_dot_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    await dots_and_a_semifinal(service, P1, P2, P3)


async def test_the_database_refuses_counts_and_rounds_outside_the_limits(
    service: Service,
) -> None:
    """Written past the domain, straight into the tables: the schema holds the line too."""
    twin = await new_twin(service)
    await twin.do(P1, AddNote("n1", "hej"))
    state = await twin.state()
    main = state.main_board.id

    async def insert(table: sa.Table, row: dict[str, Any]) -> None:
        async with service.db.write() as conn:
            await conn.execute(sa.insert(table).values(**row))

    base = {"workshop_id": twin.workshop_id, "board_id": main, "hidden": False, "seq": 9}
    for n, m in ((0, 1), (21, 1), (3, 0), (3, 4)):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(dot_rounds, {**base, "dots_per_person": n, "per_note": m, "running": True})
    dot = {"workshop_id": twin.workshop_id, "board_id": main, "note_id": "n1"}
    for i, placed in enumerate((0, -1, 21)):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(dots, {**dot, "voter_id": f"v{i}", "placed": placed})
    with pytest.raises(sa.exc.IntegrityError):
        await insert(dots, {**dot, "note_id": "nope", "voter_id": "v9", "placed": 1})
    await insert(dots, {**dot, "voter_id": "ok", "placed": 20})
    assert await dot_rows(service, twin.workshop_id) == [("n1", "ok", 20)]
