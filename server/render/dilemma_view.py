"""What the dilemma template asks about the state, answered for one viewer.

Every count, side and split comes from the functions the JSON views use (`views.py`): before
the reveal nobody but the chooser learns a side (a participant sees the shown card, how many
have chosen and their own side); after it the split, in counts, for everyone. The deck itself
is the facilitator's.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.dilemmas import MAX_CARD_LENGTH, Card, Counts, Split, deck, shown_card
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.views import choice_count, own_side, shown_split


def percent(part: int, whole: int) -> int:
    """A whole percentage for a bar (0 when nobody chose)."""
    return round(100 * part / whole) if whole else 0


@dataclass(frozen=True)
class DilemmaView:
    state: WorkshopState
    viewer: Viewer

    max_text = MAX_CARD_LENGTH

    @property
    def facilitator(self) -> bool:
        return self.viewer.role == "facilitator"

    @property
    def participant(self) -> bool:
        return self.viewer.role == "participant"

    @property
    def screen(self) -> bool:
        return self.viewer.role == "screen"

    def card(self) -> Card | None:
        """The card on the screens, for everyone."""
        return shown_card(self.state)

    def shown(self) -> bool:
        """Whether the section has anything for this viewer (facilitators always: the deck)."""
        return self.facilitator or self.card() is not None

    def deck(self) -> list[Card]:
        return deck(self.state) if self.facilitator else []

    def count(self, card: Card) -> tuple[int, int]:
        return choice_count(self.state, card.id)

    def mine(self, card: Card) -> str | None:
        return own_side(self.state, card.id, self.viewer)

    def split(self, card: Card) -> Split | None:
        return shown_split(self.state, card)

    def over_percent(self, counts: Counts) -> int:
        return percent(counts.over, counts.n)
