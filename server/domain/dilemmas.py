"""The "over or under the line?" dilemma deck: short stories the facilitator wrote, one card at
a time on everyone's screen, each participant choosing "over" or "under".

One deck per workshop. The facilitator adds, edits and removes cards while they are not on the
screens, shows one (the card shown before it is done), and reveals it: choices close and the
split shows, in total and per participant group. A group's split is hidden when fewer than
`DEFAULT_MIN_GROUP` chose in it, with the complementary suppression of the 0-10 questions
(`questions._hidden_groups`). Until the reveal nobody sees who chose what or how the room
leans, only how many have chosen; after it, only the counts: a chooser sees their own side.

A card's `status`: "waiting" (never shown; its words may still change), "open" (it has been
shown and takes choices while it is the shown card), "revealed" (choices closed, split shown).
A card taken off the screens keeps its status and its choices; shown again, an open card takes
choices again.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from server.domain.questions import DEFAULT_MIN_GROUP, _hidden_groups

if TYPE_CHECKING:
    from server.domain.workshop import WorkshopState

CardStatus = Literal["waiting", "open", "revealed"]
Side = Literal["over", "under"]
SIDES: tuple[Side, ...] = ("over", "under")
MAX_CARD_LENGTH = 600
MAX_CARDS = 100


@dataclass(frozen=True)
class Card:
    id: str
    text: str
    position: int
    status: CardStatus = "waiting"

    @property
    def revealed(self) -> bool:
        return self.status == "revealed"


@dataclass(frozen=True)
class Choice:
    card_id: str
    chooser_id: str  # the participant the choice is for
    side: Side
    group: str  # the chooser's group when they chose: the split
    by_facilitator: bool  # recorded by the facilitator for someone in the room without a device
    seq: int


# (card id, chooser id) -> the choice: one per participant per card
Choices = Mapping[tuple[str, str], Choice]


def is_side(value: object) -> bool:
    """Exactly the string "over" or "under"."""
    return type(value) is str and value in SIDES


@dataclass(frozen=True)
class Counts:
    over: int
    under: int

    @property
    def n(self) -> int:
        return self.over + self.under


@dataclass(frozen=True)
class GroupSplit:
    group: str
    n: int
    counts: Counts | None  # None: fewer than k chose in this group (or suppressed with one)


@dataclass(frozen=True)
class Split:
    card_id: str
    total: Counts
    groups: tuple[GroupSplit, ...]


def choices_on(choices: Choices, card_id: str) -> list[Choice]:
    return sorted((c for c in choices.values() if c.card_id == card_id), key=lambda c: c.seq)


def _counts(sides: list[Side]) -> Counts:
    return Counts(over=sides.count("over"), under=sides.count("under"))


def split(
    card_id: str, choices: Choices, groups: tuple[str, ...], k: int = DEFAULT_MIN_GROUP
) -> Split:
    """What a card's choices come to: everyone's, then each group's (hidden below k)."""
    mine = choices_on(choices, card_id)
    known = list(groups) + sorted({c.group for c in mine} - set(groups))
    sides = {g: [c.side for c in mine if c.group == g] for g in known}
    hidden = _hidden_groups({g: len(s) for g, s in sides.items()}, k)
    return Split(
        card_id=card_id,
        total=_counts([c.side for c in mine]),
        groups=tuple(
            GroupSplit(g, len(sides[g]), None if g in hidden else _counts(sides[g])) for g in known
        ),
    )


def deck(state: WorkshopState) -> list[Card]:
    return sorted(state.dilemma_cards.values(), key=lambda c: (c.position, c.id))


def shown_card(state: WorkshopState) -> Card | None:
    if state.shown_card_id is None:
        return None
    return state.dilemma_cards.get(state.shown_card_id)


def next_card(state: WorkshopState) -> Card | None:
    """The card after the shown one by position; with none shown, the first never shown."""
    cards = deck(state)
    current = shown_card(state)
    if current is None:
        return next((c for c in cards if c.status == "waiting"), None)
    i = cards.index(current)
    return cards[i + 1] if i + 1 < len(cards) else None


def chosen_count(state: WorkshopState, card_id: str) -> int:
    return sum(1 for c in state.dilemma_choices.values() if c.card_id == card_id)


def without_card(choices: Choices, card_id: str) -> dict[tuple[str, str], Choice]:
    return {k: v for k, v in choices.items() if k[0] != card_id}
