"""Every dilemma deck command through `Service.execute`, on SQLite and PostgreSQL: after each
commit the stored state equals the state before plus the events, a refused command leaves it as
it was, and the replayed log equals it at the end. The database itself keeps one choice per
(card, chooser) and refuses a side other than "over" or "under".
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from server.domain.commands import (
    Actor,
    AddCard,
    AddRoomParticipant,
    ChooseSide,
    EditCard,
    HideCards,
    NextCard,
    RemoveCard,
    RevealCard,
    ShowCard,
)
from server.domain.dilemmas import Counts, split
from server.service import Service
from server.store.tables import dilemma_cards, dilemma_choices
from tests.store.twin import FAC, P1, P2, P3, Twin, new_twin

SCREEN = Actor("screen", "screen1")


async def choice_rows(service: Service, workshop_id: str) -> list[tuple[Any, ...]]:
    async with service.db.read() as conn:
        c = dilemma_choices.c
        q = sa.select(c.card_id, c.chooser_id, c.side).where(c.workshop_id == workshop_id)
        return sorted(tuple(r) for r in await conn.execute(q))


async def dilemmas_and_a_reveal(service: Service, p1: Actor, p2: Actor, p3: Actor) -> Twin:
    """A deck built, edited and pruned, cards shown one after another, choices changed, a
    choice for someone in the room, a reveal, and the deck hidden. Ids start with the first
    participant's, so several workshops can share one database."""
    twin = await new_twin(service, (p1, p2, p3))
    a, b, c, d = (f"{p1.id}{x}" for x in "abcd")
    await twin.refused(p1, AddCard(a, "historie"), "permission.facilitators_only")
    await twin.refused(FAC, AddCard(a, "  "), "dilemma.empty")
    for card_id in (a, b, c, d):
        await twin.do(FAC, AddCard(card_id, f"Historie {card_id}\nOver eller under?"))
    await twin.do(FAC, EditCard(b, "Ny historie"))
    await twin.do(FAC, RemoveCard(d))
    await twin.refused(FAC, HideCards(), "dilemma.nothing_shown")
    await twin.refused(p1, ChooseSide(a, "over"), "dilemma.unknown")

    await twin.do(FAC, NextCard())  # a
    await twin.refused(FAC, EditCard(a, "x"), "dilemma.on_screen")
    await twin.refused(SCREEN, ChooseSide(a, "over"), "permission.read_only")
    await twin.refused(p1, ChooseSide(a, "sideways"), "dilemma.bad_side")
    await twin.do(p1, ChooseSide(a, "over"))
    await twin.do(p2, ChooseSide(a, "under"))
    await twin.do(p1, ChooseSide(a, "under"))  # changed: the row is replaced
    room = f"{p1.id}room"
    await twin.do(FAC, AddRoomParticipant(room, "Karl", "Borger"))
    await twin.do(FAC, ChooseSide(a, "over", room))
    await twin.do(FAC, RevealCard(a))
    await twin.refused(p3, ChooseSide(a, "over"), "dilemma.closed")
    state = await twin.state()
    assert split(a, state.dilemma_choices, state.groups).total == Counts(1, 2)

    await twin.do(FAC, ShowCard(c))  # a is done
    await twin.do(p3, ChooseSide(c, "over"))
    await twin.refused(FAC, NextCard(), "dilemma.no_next")
    await twin.do(FAC, ShowCard(b))
    await twin.do(p2, ChooseSide(b, "over"))
    await twin.do(FAC, HideCards())
    await twin.refused(p2, ChooseSide(b, "under"), "dilemma.not_shown")
    await twin.do(FAC, RemoveCard(c))  # its choice goes with it
    state = await twin.assert_replay_equals_stored()
    assert state.shown_card_id is None and set(state.dilemma_cards) == {a, b}
    assert await choice_rows(service, twin.workshop_id) == sorted(
        [(a, p1.id, "under"), (a, p2.id, "under"), (a, room, "over"), (b, p2.id, "over")]
    )
    return twin


async def test_every_dilemma_command_keeps_the_tables_the_twin_of_the_domain(
    service: Service,
) -> None:
    await dilemmas_and_a_reveal(service, P1, P2, P3)


async def test_a_stored_shown_card_loads_as_the_shown_card(service: Service) -> None:
    twin = await new_twin(service)
    await twin.do(FAC, AddCard("k1", "en"))
    await twin.do(FAC, AddCard("k2", "to"))
    await twin.do(FAC, ShowCard("k2"))
    await twin.do(FAC, ShowCard("k1"))
    state = await twin.assert_replay_equals_stored()
    assert state.shown_card_id == "k1"
    assert {k: c.status for k, c in state.dilemma_cards.items()} == {"k1": "open", "k2": "open"}


async def test_the_database_keeps_one_choice_per_card_and_chooser_and_only_two_sides(
    service: Service,
) -> None:
    """Written past the domain, straight into the tables: the schema holds the line too."""
    twin = await new_twin(service)
    await twin.do(FAC, AddCard("k1", "historie"))

    async def insert(table: sa.Table, row: dict[str, Any]) -> None:
        async with service.db.write() as conn:
            await conn.execute(sa.insert(table).values(**row))

    choice = {
        "workshop_id": twin.workshop_id,
        "card_id": "k1",
        "group_name": "Borger",
        "by_facilitator": False,
        "seq": 99,
    }
    for i, side in enumerate(("OVER", "", "mid", "Under")):
        with pytest.raises(sa.exc.IntegrityError):
            await insert(dilemma_choices, {**choice, "chooser_id": f"v{i}", "side": side})
    await insert(dilemma_choices, {**choice, "chooser_id": "ok", "side": "over"})
    with pytest.raises(sa.exc.IntegrityError):
        await insert(dilemma_choices, {**choice, "chooser_id": "ok", "side": "under"})
    with pytest.raises(sa.exc.IntegrityError):
        await insert(
            dilemma_choices, {**choice, "card_id": "nope", "chooser_id": "x", "side": "over"}
        )
    card = {"workshop_id": twin.workshop_id, "text": "t", "position": 5, "shown": False}
    with pytest.raises(sa.exc.IntegrityError):
        await insert(dilemma_cards, {**card, "id": "k9", "status": "done"})
    assert await choice_rows(service, twin.workshop_id) == [("k1", "ok", "over")]
