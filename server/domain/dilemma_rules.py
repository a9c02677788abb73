"""The rules for the dilemma deck: commands in, events out, or a DomainError whose code is a
message-catalogue key. Pure: a new card's id comes in the command."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddCard,
    ChooseSide,
    EditCard,
    HideCards,
    NextCard,
    RemoveCard,
    RevealCard,
    ShowCard,
)
from server.domain.dilemmas import MAX_CARD_LENGTH, MAX_CARDS, Card, is_side, next_card
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.question_rules import voter_for
from server.domain.text import clean_text
from server.domain.workshop import WorkshopState


def _card(state: WorkshopState, card_id: str, actor: Actor) -> Card:
    """The deck is the facilitator's: to everyone else only a card that has been shown exists."""
    card = state.dilemma_cards.get(card_id)
    if card is None or (card.status == "waiting" and actor.role != "facilitator"):
        raise DomainError("dilemma.unknown")
    return card


def _text(text: str) -> str:
    return clean_text(text, field="dilemma", max_length=MAX_CARD_LENGTH, multiline=True)


def _not_shown(state: WorkshopState, card: Card) -> None:
    if state.shown_card_id == card.id:
        raise DomainError("dilemma.on_screen")


def add_card(state: WorkshopState, actor: Actor, c: AddCard) -> list[Event]:
    facilitator_only(actor)
    if c.card_id in state.dilemma_cards:
        raise DomainError("dilemma.exists")
    if len(state.dilemma_cards) >= MAX_CARDS:
        raise DomainError("dilemma.too_many", max=MAX_CARDS)
    text = _text(c.text)
    position = max((k.position for k in state.dilemma_cards.values()), default=-1) + 1
    return [
        Event(ev.DILEMMA_CARD_ADDED, {"card_id": c.card_id, "text": text, "position": position})
    ]


def edit_card(state: WorkshopState, actor: Actor, c: EditCard) -> list[Event]:
    facilitator_only(actor)
    card = _card(state, c.card_id, actor)
    _not_shown(state, card)
    if card.status != "waiting":
        raise DomainError("dilemma.already_used")
    return [Event(ev.DILEMMA_CARD_EDITED, {"card_id": card.id, "text": _text(c.text)})]


def remove_card(state: WorkshopState, actor: Actor, c: RemoveCard) -> list[Event]:
    facilitator_only(actor)
    card = _card(state, c.card_id, actor)
    _not_shown(state, card)
    return [Event(ev.DILEMMA_CARD_REMOVED, {"card_id": card.id})]


def _show(state: WorkshopState, card: Card) -> list[Event]:
    if state.shown_card_id == card.id:
        raise DomainError("dilemma.already_shown")
    return [Event(ev.DILEMMA_SHOWN, {"card_id": card.id, "previous_id": state.shown_card_id})]


def show_card(state: WorkshopState, actor: Actor, c: ShowCard) -> list[Event]:
    facilitator_only(actor)
    return _show(state, _card(state, c.card_id, actor))


def show_next_card(state: WorkshopState, actor: Actor, c: NextCard) -> list[Event]:
    facilitator_only(actor)
    card = next_card(state)
    if card is None:
        raise DomainError("dilemma.no_next")
    return _show(state, card)


def hide_cards(state: WorkshopState, actor: Actor, c: HideCards) -> list[Event]:
    facilitator_only(actor)
    if state.shown_card_id is None:
        raise DomainError("dilemma.nothing_shown")
    return [Event(ev.DILEMMA_HIDDEN, {"card_id": state.shown_card_id})]


def choose_side(state: WorkshopState, actor: Actor, c: ChooseSide) -> list[Event]:
    card = _card(state, c.card_id, actor)
    chooser = voter_for(state, actor, c.on_behalf_of)
    if card.revealed:
        raise DomainError("dilemma.closed")
    if state.shown_card_id != card.id:
        raise DomainError("dilemma.not_shown")
    if not is_side(c.side):
        raise DomainError("dilemma.bad_side")
    return [
        Event(
            ev.DILEMMA_CHOSEN,
            {
                "card_id": card.id,
                "chooser_id": chooser.id,
                "side": c.side,
                "group": chooser.group,
                "by_facilitator": actor.role == "facilitator",
            },
        )
    ]


def reveal_card(state: WorkshopState, actor: Actor, c: RevealCard) -> list[Event]:
    facilitator_only(actor)
    card = _card(state, c.card_id, actor)
    if card.revealed:
        raise DomainError("dilemma.already_revealed")
    if state.shown_card_id != card.id:
        raise DomainError("dilemma.not_shown")
    return [Event(ev.DILEMMA_REVEALED, {"card_id": card.id})]
