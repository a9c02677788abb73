"""The dilemma deck: cards added, edited and removed while not shown, one card on the screens,
"over" or "under" (changeable while open), the reveal with the split per group (hidden below
k with complementary suppression), the next card, and replay. Pure: through `decide`/`apply`."""

from __future__ import annotations

import pytest

from server.domain import events as ev
from server.domain.commands import (
    AddCard,
    AddRoomParticipant,
    ChooseSide,
    EditCard,
    HideCards,
    JoinWorkshop,
    KickParticipant,
    NextCard,
    RemoveCard,
    RevealCard,
    ShowCard,
)
from server.domain.dilemmas import (
    MAX_CARD_LENGTH,
    Counts,
    GroupSplit,
    chosen_count,
    next_card,
    shown_card,
    split,
)
from server.domain.workshop import replay
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session

STORY = "Kommunen kan spare 2 mio. ved at lukke biblioteket om lørdagen.\nOver eller under?"


def deck(s: Session, n: int = 3) -> list[str]:
    ids = [f"c{i}" for i in range(1, n + 1)]
    for i, card_id in enumerate(ids):
        s.do(FAC, AddCard(card_id, f"{STORY} ({i})"))
    return ids


def test_the_facilitator_builds_the_deck_while_cards_are_not_shown() -> None:
    s = Session()
    assert s.refused(P1, AddCard("c1", STORY)) == "permission.facilitators_only"
    assert s.refused(FAC, AddCard("c1", " ")) == "dilemma.empty"
    assert s.refused(FAC, AddCard("c1", "x" * (MAX_CARD_LENGTH + 1))) == "dilemma.too_long"
    s.do(FAC, AddCard("c1", "x" * MAX_CARD_LENGTH))
    assert s.refused(FAC, AddCard("c1", STORY)) == "dilemma.exists"
    s.do(FAC, AddCard("c2", STORY))
    s.do(FAC, AddCard("c3", "tre"))
    assert [c.position for c in sorted(s.state.dilemma_cards.values(), key=lambda c: c.id)] == [
        0,
        1,
        2,
    ]
    s.do(FAC, EditCard("c1", "  første\r\nlinje  "))
    assert s.state.dilemma_cards["c1"].text == "første\nlinje"
    s.do(FAC, RemoveCard("c3"))
    assert set(s.state.dilemma_cards) == {"c1", "c2"}
    assert s.refused(FAC, EditCard("c3", "x")) == "dilemma.unknown"
    # A participant never sees a card before it is shown: it does not exist to them.
    assert s.refused(P1, ChooseSide("c1", "over")) == "dilemma.unknown"
    s.do(FAC, ShowCard("c1"))
    assert s.refused(FAC, EditCard("c1", "ny")) == "dilemma.on_screen"
    assert s.refused(FAC, RemoveCard("c1")) == "dilemma.on_screen"
    s.do(FAC, ShowCard("c2"))
    # Shown once, its words are fixed; it can go once it is off the screens.
    assert s.refused(FAC, EditCard("c1", "ny")) == "dilemma.already_used"
    s.do(P1, ChooseSide("c2", "over"))
    s.do(FAC, HideCards())
    s.do(FAC, RemoveCard("c2"))
    assert s.state.dilemma_choices == {} and s.state.shown_card_id is None


def test_choices_over_or_under_change_while_open_and_close_at_the_reveal() -> None:
    s = Session()
    c1, c2, _ = deck(s)
    s.do(FAC, ShowCard(c1))
    assert shown_card(s.state) is not None and s.state.dilemma_cards[c1].status == "open"
    for side in ("OVER", "", None, 1, True, ["over"], "over "):
        assert s.refused(P1, ChooseSide(c1, side)) == "dilemma.bad_side"
    assert s.refused(SCREEN, ChooseSide(c1, "over")) == "permission.read_only"
    assert s.refused(P1, ChooseSide(c2, "over")) == "dilemma.unknown"
    assert s.refused(FAC, ChooseSide(c2, "over", P1.id)) == "vote.not_in_room"
    s.do(P1, ChooseSide(c1, "over"))
    s.do(P2, ChooseSide(c1, "under"))
    s.do(P1, ChooseSide(c1, "under"))  # changed
    assert chosen_count(s.state, c1) == 2
    assert {k: v.side for k, v in s.state.dilemma_choices.items()} == {
        (c1, P1.id): "under",
        (c1, P2.id): "under",
    }
    # The facilitator records for someone in the room, never for a participant with a device.
    assert s.refused(FAC, ChooseSide(c1, "over")) == "vote.facilitator_needs_voter"
    assert s.refused(FAC, ChooseSide(c1, "over", P3.id)) == "vote.not_in_room"
    assert s.refused(P1, ChooseSide(c1, "over", P3.id)) == "permission.facilitators_only"
    s.do(FAC, AddRoomParticipant("karl", "Karl", "Politiker"))
    [e] = s.do(FAC, ChooseSide(c1, "over", "karl"))
    assert e.data == {
        "card_id": c1,
        "chooser_id": "karl",
        "side": "over",
        "group": "Politiker",
        "by_facilitator": True,
    }
    s.do(FAC, KickParticipant(P3.id))
    assert s.refused(P3, ChooseSide(c1, "over")) == "participant.kicked"

    assert s.refused(P1, RevealCard(c1)) == "permission.facilitators_only"
    assert s.refused(FAC, RevealCard(c2)) == "dilemma.not_shown"
    [e] = s.do(FAC, RevealCard(c1))
    assert e.type == ev.DILEMMA_REVEALED
    assert s.refused(FAC, RevealCard(c1)) == "dilemma.already_revealed"
    assert s.refused(P1, ChooseSide(c1, "over")) == "dilemma.closed"
    assert s.refused(FAC, ChooseSide(c1, "under", "karl")) == "dilemma.closed"


def test_next_card_goes_by_position_and_the_previous_card_is_done() -> None:
    s = Session()
    c1, c2, c3 = deck(s)
    assert s.refused(FAC, HideCards()) == "dilemma.nothing_shown"
    assert next_card(s.state) == s.state.dilemma_cards[c1]
    [e] = s.do(FAC, NextCard())
    assert e.data == {"card_id": c1, "previous_id": None}
    assert s.refused(FAC, ShowCard(c1)) == "dilemma.already_shown"
    s.do(P1, ChooseSide(c1, "over"))
    [e] = s.do(FAC, NextCard())
    assert e.data == {"card_id": c2, "previous_id": c1}
    # The card before is done: no more choices on it while it is off the screens.
    assert s.refused(P2, ChooseSide(c1, "over")) == "dilemma.not_shown"
    s.do(FAC, NextCard())
    assert s.refused(FAC, NextCard()) == "dilemma.no_next"
    s.do(FAC, HideCards())
    assert s.state.shown_card_id is None
    assert s.refused(FAC, NextCard()) == "dilemma.no_next"  # none is waiting any more
    # Shown again, an open card takes choices again, keeping the ones it had.
    s.do(FAC, ShowCard(c1))
    s.do(P2, ChooseSide(c1, "under"))
    assert chosen_count(s.state, c1) == 2
    assert s.state.dilemma_cards[c3].status == "open"


def _join(s: Session, n: int, group: str, prefix: str) -> list[str]:
    ids = [f"{prefix}{i}" for i in range(n)]
    for pid in ids:
        s.do(FAC, AddRoomParticipant(pid, None, group))
    return ids


def test_the_split_hides_small_groups_with_complementary_suppression() -> None:
    s = Session()
    (c1,) = deck(s, 1)
    s.do(FAC, ShowCard(c1))
    borgere = _join(s, 4, "Borger", "bor")
    politikere = _join(s, 2, "Politiker", "pol")
    for i, pid in enumerate(borgere):
        s.do(FAC, ChooseSide(c1, "over" if i < 3 else "under", pid))
    for pid in politikere:
        s.do(FAC, ChooseSide(c1, "under", pid))
    result = split(c1, s.state.dilemma_choices, s.state.groups)
    assert result.total == Counts(3, 3)
    # Politiker (2) is below 3; hiding only it would let total - Borger give it away.
    assert result.groups == (
        GroupSplit("Politiker", 2, None),
        GroupSplit("Borger", 4, None),
    )
    s.do(FAC, AddRoomParticipant("pol9", None, "Politiker"))
    s.do(FAC, ChooseSide(c1, "over", "pol9"))
    result = split(c1, s.state.dilemma_choices, s.state.groups)
    assert result.groups == (
        GroupSplit("Politiker", 3, Counts(1, 2)),
        GroupSplit("Borger", 4, Counts(3, 1)),
    )


def test_a_group_change_after_choosing_keeps_the_group_chosen_in() -> None:
    s = Session()
    (c1,) = deck(s, 1)
    s.do(FAC, ShowCard(c1))
    s.do(P1, ChooseSide(c1, "over"))
    assert s.state.dilemma_choices[(c1, P1.id)].group == "Borger"


@pytest.mark.parametrize("late", [True, False])
def test_replaying_the_log_gives_the_state(late: bool) -> None:
    s = Session()
    c1, c2, c3 = deck(s)
    s.do(FAC, ShowCard(c2))
    s.do(P1, ChooseSide(c2, "over"))
    s.do(P2, ChooseSide(c2, "under"))
    if late:
        s.do(P3.__class__("participant", "late"), JoinWorkshop("late", None, "Borger"))
        s.do(P3.__class__("participant", "late"), ChooseSide(c2, "over"))
    s.do(FAC, RevealCard(c2))
    s.do(FAC, NextCard())
    s.do(P1, ChooseSide(c3, "under"))
    s.do(FAC, HideCards())
    s.do(FAC, RemoveCard(c1))
    assert replay(s.log) == s.state
    for i in range(1, len(s.log)):
        assert replay(s.log[: i + 1]) == s.states[i]
