"""The dilemma deck as htmx partials for one viewer, on a page load and live.

A batch with a dilemma event re-renders `#dilemma` from the state after it, except a choice:
in shared renderings (`live.audience`: an anonymous member of the role) it moves only the count
(`#dilemma-count`), so nobody's own "Your choice" is wiped; the chooser gets the whole section
in their personal rendering. Showing, revealing or hiding a card re-renders the section, so
everyone who chose on the shown card is named in `personal`. Deck changes are the facilitator's.
"""

from __future__ import annotations

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.dilemma_view import DilemmaView
from server.render.templating import render

_DECK = {ev.DILEMMA_CARD_ADDED, ev.DILEMMA_CARD_EDITED, ev.DILEMMA_CARD_REMOVED}
_SCREENS = {ev.DILEMMA_SHOWN, ev.DILEMMA_REVEALED, ev.DILEMMA_HIDDEN}
_PARTICIPANTS = {
    ev.PARTICIPANT_JOINED,
    ev.PARTICIPANT_RENAMED,
    ev.PARTICIPANT_KICKED,
    ev.PARTICIPANT_ERASED,
}
_ANNOUNCED = {ev.DILEMMA_SHOWN: "shown", ev.DILEMMA_REVEALED: "revealed"}


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def section_html(state: WorkshopState, viewer: Viewer) -> str:
    html = render("partials/dilemma.html", viewer.locale, dv=DilemmaView(state, viewer))
    return _partial("#dilemma", "outerMorph", html)


def _choosers(events: list[StoredEvent]) -> set[str]:
    return {e.data["chooser_id"] for e in events if e.type == ev.DILEMMA_CHOSEN}


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    types = {e.type for e in events}
    dv = DilemmaView(state, viewer)
    whole = bool(types & _SCREENS) or (dv.facilitator and bool(types & _DECK))
    if dv.participant and viewer.actor_id and viewer.actor_id in _choosers(events):
        whole = True
    parts: list[str] = []
    card = dv.card()
    if whole:
        parts.append(section_html(state, viewer))
        if dv.participant and card is not None and not card.revealed:
            # A morph keeps a just-pressed button's old aria-pressed: replace the two buttons
            # (focus returns to the same button by its id, static/app.js `restoreFocus`).
            html = render("partials/dilemma_choices.html", viewer.locale, dv=dv, card=card)
            parts.append(_partial("#dilemma-choices", "outerHTML", html))
    elif card is not None and types & ({ev.DILEMMA_CHOSEN} | _PARTICIPANTS):
        html = render("partials/dilemma_count.html", viewer.locale, dv=dv, card=card)
        parts.append(_partial("#dilemma-count", "outerMorph", html))
    for e in events:
        kind = _ANNOUNCED.get(e.type)
        if kind is None or card is None or card.id != e.data.get("card_id"):
            continue
        if kind == "revealed" and not card.revealed:
            continue
        text = render("partials/dilemma_announce.html", viewer.locale, kind=kind)
        parts.append(_partial("#dilemma-status", "textContent", text))
    return "".join(parts)


def personal(events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
    """Participants whose own rendering of this batch differs from their role's: every chooser
    in it (their section says "Your choice"), and, when the section is re-rendered for a card
    shown, revealed or hidden, everyone who chose on the cards it names or on the shown card."""
    out = _choosers(events)
    cards = {e.data.get("card_id") for e in events if e.type in _SCREENS}
    if cards:
        cards.add(state.shown_card_id)
        out.update(who for card_id, who in state.dilemma_choices if card_id in cards)
    return frozenset(out)
