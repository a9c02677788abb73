"""A batch of events as htmx partials for the questions section, for one viewer.

As for boards (`board_html`), what a batch touched is re-rendered from the state after it with
the partials a page load uses. A vote moves only the count (and, for facilitators, the list of
who has not voted) in shared renderings; the voter's own card, with "Your vote: 7", is rendered
only in their personal rendering (`personal` names them). Lifecycle events re-render the card,
and a draft opening (or, for facilitators, any change to drafts or people) the whole section.

Shared renderings are made for a viewer without an id (`live.audience`), so they cannot show
anyone their own vote: whoever has a vote in a re-rendered card is named in `personal`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.board_view import BoardView
from server.render.question_view import QuestionView
from server.render.question_views import LIFECYCLE, can_see
from server.render.templating import render

_PARTICIPANTS = {
    ev.PARTICIPANT_JOINED,
    ev.PARTICIPANT_RENAMED,
    ev.PARTICIPANT_KICKED,
    ev.PARTICIPANT_ERASED,
}
_ANNOUNCED = {
    ev.QUESTION_OPENED: "opened",
    ev.QUESTION_REOPENED: "opened",
    ev.QUESTION_REVEALED: "revealed",
}
_ANNOUNCED_NOW = {"open": "opened", "revealed": "revealed"}  # still true after the batch


@dataclass
class Touched:
    """What one batch changed in the questions, in first-touched order."""

    section: bool = False  # a question appeared for everyone (a draft was opened)
    drafts: bool = False  # created or edited: facilitators only
    people: bool = False  # joined, renamed, removed: counts, and facilitators' lists
    cards: dict[str, None] = field(default_factory=dict)
    votes: dict[str, set[str]] = field(default_factory=dict)  # question id -> voter ids
    announce: dict[str, str] = field(default_factory=dict)  # question id -> "opened"/"revealed"


def touched_by(events: list[StoredEvent]) -> Touched:
    t = Touched()
    for e in events:
        d = e.data
        if e.type == ev.VOTE_CAST:
            t.votes.setdefault(d["question_id"], set()).add(d["voter_id"])
        elif e.type == ev.QUESTION_OPENED:
            t.section = True
        elif e.type in LIFECYCLE:
            t.cards[d["question_id"]] = None
        elif e.type in (ev.QUESTION_CREATED, ev.QUESTION_EDITED):
            t.drafts = True
        elif e.type in _PARTICIPANTS:
            t.people = True
        if e.type in _ANNOUNCED:
            t.announce[d["question_id"]] = _ANNOUNCED[e.type]
    return t


def _partial(target: str, swap: str, body: str) -> str:
    return f'<hx-partial hx-target="{target}" hx-swap="{swap}">{body}</hx-partial>'


def section_html(state: WorkshopState, viewer: Viewer) -> str:
    html = render("partials/questions.html", viewer.locale, view=BoardView(state, viewer))
    return _partial("#questions", "outerMorph", html)


def events_html(events: list[StoredEvent], state: WorkshopState, viewer: Viewer) -> str:
    t = touched_by(events)
    qv = QuestionView(state, viewer)
    loc = viewer.locale
    parts: list[str] = []
    if t.section or (qv.facilitator and (t.drafts or t.people)):
        parts.append(section_html(state, viewer))
    else:
        cards = dict(t.cards)
        if qv.participant and viewer.actor_id:
            cards.update({qid: None for qid, who in t.votes.items() if viewer.actor_id in who})
        counts = {qid: None for qid in t.votes if qid not in cards}
        if t.people:
            counts.update({q.id: None for q in qv.questions() if q.status != "draft"})
        for qid in cards:
            q = state.questions.get(qid)
            if q is None or not can_see(q, viewer):
                continue
            html = render("partials/question.html", loc, qv=qv, q=q)
            parts.append(_partial(f"#question-{qid}", "outerMorph", html))
        for qid in counts:
            q = state.questions.get(qid)
            if q is None or qid in cards or not can_see(q, viewer) or q.status == "draft":
                continue
            html = render("partials/question_count.html", loc, qv=qv, q=q)
            parts.append(_partial(f"#question-{qid}-count", "outerMorph", html))
            if qv.facilitator and q.status in ("open", "closed"):
                html = render("partials/question_missing.html", loc, qv=qv, q=q)
                parts.append(_partial(f"#question-{qid}-missing", "outerMorph", html))
    for qid, kind in t.announce.items():
        q = state.questions.get(qid)
        if q is None or not can_see(q, viewer) or kind != _ANNOUNCED_NOW.get(q.status):
            continue  # a later event in the batch changed it again: nothing to announce
        text = render("partials/question_announce.html", loc, kind=kind, q=q)
        parts.append(_partial("#question-status", "textContent", text))
    return "".join(parts)


def personal(events: list[StoredEvent], state: WorkshopState) -> frozenset[str]:
    """Participants whose own rendering of this batch differs from their role's: the voter of
    every vote in it (their card says "Your vote"), everyone with a vote on a question whose card
    is re-rendered, and, when the whole section is, everyone with a vote at all."""
    t = touched_by(events)
    out: set[str] = set()
    for who in t.votes.values():
        out |= who
    if t.section:
        out.update(voter for _, voter in state.votes)
    else:
        for qid in t.cards:
            out.update(v.voter_id for v in state.votes_on(qid))
    return frozenset(out)
