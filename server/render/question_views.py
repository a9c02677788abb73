"""What each viewer may know about 0-10 questions, and their JSON views (invariant 5).

The one rule: before a question is revealed, no vote value, histogram, mean or any other figure
leaves the server for anyone, except a participant's own vote shown to that participant. Counts
("12 of 17 have voted") are for everyone; who has not voted yet is for facilitators, never with
values. After the reveal everyone gets the results; who voted what only facilitators, and only
on named questions: an anonymous question never shows anyone a person's value, ever.

The HTML view (`question_view.py`) asks the same functions, so the two formats cannot disagree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from server.domain import events as ev
from server.domain.events import StoredEvent
from server.domain.questions import Figures, Question, Results, Vote, results
from server.domain.workshop import Participant, WorkshopState
from server.realtime.source import Viewer

LIFECYCLE = (ev.QUESTION_OPENED, ev.QUESTION_CLOSED, ev.QUESTION_REVEALED, ev.QUESTION_REOPENED)
WORDING = (ev.QUESTION_CREATED, ev.QUESTION_EDITED)
QUESTION_EVENTS = frozenset((*LIFECYCLE, *WORDING, ev.VOTE_CAST))


def can_see(q: Question, viewer: Viewer) -> bool:
    """A draft is the facilitator's preparation: nobody else learns that it exists."""
    return q.status != "draft" or viewer.role == "facilitator"


def visible_questions(state: WorkshopState, viewer: Viewer) -> list[Question]:
    return [q for q in state.questions_in_order() if can_see(q, viewer)]


def vote_count(state: WorkshopState, q: Question) -> tuple[int, int]:
    """(voted, eligible). Eligible: everyone who may vote, and anyone removed after voting (their
    vote still counts), so the first never exceeds the second."""
    votes = state.votes_on(q.id)
    voters = {p.id for p in state.voters()}
    return len(votes), len(voters | {v.voter_id for v in votes})


def own_vote(state: WorkshopState, q: Question, viewer: Viewer) -> Vote | None:
    """A participant's own vote, for that participant only (never in a shared rendering: those
    are made for a viewer without an id)."""
    if viewer.role != "participant" or not viewer.actor_id:
        return None
    return state.votes.get((q.id, viewer.actor_id))


def not_voted(state: WorkshopState, q: Question, viewer: Viewer) -> list[Participant]:
    """Who may vote and has not yet: facilitators only. Names, never values."""
    if viewer.role != "facilitator":
        return []
    return [p for p in state.voters() if (q.id, p.id) not in state.votes]


def shown_results(state: WorkshopState, q: Question) -> Results | None:
    """The figures, for everyone, once revealed; None before. On an anonymous question the
    comments come in alphabetical order: in the order given they would line up with the order
    people voted in, which the facilitator watches happen."""
    if not q.revealed:
        return None
    r = results(q, state.votes_on(q.id), state.groups)
    if q.anonymous:
        r = replace(r, comments=tuple(sorted(r.comments, key=lambda c: (c.casefold(), c))))
    return r


def named_votes(
    state: WorkshopState, q: Question, viewer: Viewer
) -> list[tuple[Participant | None, Vote]]:
    """Who voted what: for facilitators, on a named question, after the reveal. Never on an
    anonymous question, for nobody."""
    if viewer.role != "facilitator" or q.anonymous or not q.revealed:
        return []
    return [(state.participants.get(v.voter_id), v) for v in state.votes_on(q.id)]


def in_room(state: WorkshopState, viewer: Viewer) -> list[Participant]:
    """People in the hall without a device, whose votes a facilitator records."""
    if viewer.role != "facilitator":
        return []
    return [p for p in state.voters() if p.in_room]


# --- JSON -----------------------------------------------------------------------------------


def figures_json(f: Figures) -> dict[str, Any]:
    return {
        "n": f.n,
        "histogram": list(f.histogram),
        "mean": f.mean,
        "median": f.median,
        "stdev": f.stdev,
        "min": f.low,
        "max": f.high,
        "q1": f.q1,
        "q3": f.q3,
        "iqr": f.iqr,
    }


def results_json(r: Results) -> dict[str, Any]:
    return {
        **figures_json(r.total),
        "groups": [
            {
                "group": g.group,
                "n": g.n,
                "figures": None if g.figures is None else figures_json(g.figures),
            }
            for g in r.groups
        ],
        "comments": list(r.comments),
    }


def _mine_json(vote: Vote | None) -> dict[str, Any] | None:
    return None if vote is None else {"value": vote.value, "comment": vote.comment}


def question_json(state: WorkshopState, q: Question, viewer: Viewer) -> dict[str, Any]:
    """One question as this viewer may see it: `results` only once revealed (the key is absent
    before), `not_voted` and `by_person` only for facilitators."""
    voted, eligible = vote_count(state, q)
    out: dict[str, Any] = {
        "id": q.id,
        "text": q.text,
        "low_label": q.low_label,
        "high_label": q.high_label,
        "ask_comment": q.ask_comment,
        "anonymous": q.anonymous,
        "min_group": q.min_group,
        "status": q.status,
        "position": q.position,
        "voted": voted,
        "eligible": eligible,
        "mine": _mine_json(own_vote(state, q, viewer)),
    }
    if viewer.role == "facilitator":
        out["not_voted"] = [
            {"id": p.id, "display_name": p.display_name, "group": p.group}
            for p in not_voted(state, q, viewer)
        ]
    shown = shown_results(state, q)
    if shown is not None:
        out["results"] = results_json(shown)
        if viewer.role == "facilitator" and not q.anonymous:
            out["by_person"] = [
                {
                    "display_name": p.display_name if p is not None else None,
                    "group": v.group,
                    "value": v.value,
                    "by_facilitator": v.by_facilitator,
                }
                for p, v in named_votes(state, q, viewer)
            ]
    return out


def questions_json(state: WorkshopState, viewer: Viewer) -> list[dict[str, Any]]:
    return [question_json(state, q, viewer) for q in visible_questions(state, viewer)]


def _vote_json(e: StoredEvent, state: WorkshopState, viewer: Viewer) -> dict[str, Any] | None:
    """Everyone learns that the count moved; the voter also their own vote (`value`, `comment`);
    facilitators who voted (for the list of who is missing), never what."""
    d = e.data
    q = state.questions.get(d["question_id"])
    if q is None or not can_see(q, viewer):
        return None
    voted, eligible = vote_count(state, q)
    out: dict[str, Any] = {"question_id": q.id, "voted": voted, "eligible": eligible}
    if viewer.role == "facilitator":
        out["voter_id"] = d["voter_id"]
        out["by_facilitator"] = d["by_facilitator"]
    elif viewer.role == "participant" and viewer.actor_id and viewer.actor_id == d["voter_id"]:
        out["value"] = d["value"]
        out["comment"] = d["comment"]
    return out


def question_event_json(
    e: StoredEvent, state: WorkshopState, viewer: Viewer
) -> dict[str, Any] | None:
    """A question or vote event as this viewer may receive it, or None if it is not for them.
    The data is built afresh, never copied from a stored vote, so nothing slips through (only
    facilitators get a draft's words as stored). `state` is the state after the batch: a reveal carries results only if the question is
    still revealed then."""
    if e.type == ev.VOTE_CAST:
        data = _vote_json(e, state, viewer)
    else:
        q = state.questions.get(e.data["question_id"])
        if q is None:
            return None
        if e.type in WORDING and viewer.role != "facilitator":
            return None
        if not can_see(q, viewer):
            return None
        question = question_json(state, q, viewer)
        data = {"question_id": q.id, "question": question}
        if e.type in WORDING:  # facilitators only: the words and switches as they were set
            data = {**e.data, **data}
        else:
            data.update(voted=question["voted"], eligible=question["eligible"])
        if e.type == ev.QUESTION_REVEALED and "results" in question:
            data["results"] = question["results"]
            named = named_votes(state, q, viewer)
            if named:
                data["votes"] = [{"voter_id": v.voter_id, "value": v.value} for _, v in named]
    if data is None:
        return None
    return {"seq": e.seq, "type": e.type, "data": data}
