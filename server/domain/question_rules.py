"""The rules for 0-10 questions and votes: commands in, events out, or a DomainError whose code
is a message-catalogue key. Pure: no I/O, no clock, no ids made here."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.backlog_rules import check_room_for_member
from server.domain.commands import (
    Actor,
    AddRoomParticipant,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    EditQuestion,
    OpenQuestion,
    RevealQuestion,
)
from server.domain.errors import DomainError
from server.domain.events import JSON, Event
from server.domain.permissions import facilitator_only
from server.domain.questions import (
    DEFAULT_HIGH_LABEL,
    DEFAULT_LOW_LABEL,
    DEFAULT_MIN_GROUP,
    MAX_LABEL_LENGTH,
    MAX_MIN_GROUP,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    MAX_VOTE_COMMENT_LENGTH,
    Question,
    is_vote_value,
)
from server.domain.text import clean_text
from server.domain.workshop import Participant, WorkshopState


def _question(state: WorkshopState, question_id: str, actor: Actor) -> Question:
    """A draft is the facilitator's preparation: to everyone else it does not exist yet."""
    q = state.questions.get(question_id)
    if q is None or (q.status == "draft" and actor.role != "facilitator"):
        raise DomainError("question.unknown")
    return q


def _wording(
    text: str, low: str | None, high: str | None, ask: bool, anonymous: bool, k: int | None
) -> JSON:
    if k is not None and not 1 <= k <= MAX_MIN_GROUP:
        raise DomainError("question.bad_min_group", max=MAX_MIN_GROUP)
    return {
        "text": clean_text(text, field="question", max_length=MAX_QUESTION_LENGTH, multiline=True),
        "low_label": _label(low, DEFAULT_LOW_LABEL),
        "high_label": _label(high, DEFAULT_HIGH_LABEL),
        "ask_comment": ask,
        "anonymous": anonymous,
        "min_group": DEFAULT_MIN_GROUP if k is None else k,
    }


def _label(label: str | None, default: str) -> str:
    if label is None or not label.strip():
        return default
    return clean_text(label, field="label", max_length=MAX_LABEL_LENGTH, multiline=False)


def add_room_participant(state: WorkshopState, actor: Actor, c: AddRoomParticipant) -> list[Event]:
    facilitator_only(actor)
    if c.participant_id in state.participants:
        raise DomainError("participant.already_joined")
    if c.group not in state.groups:
        raise DomainError("group.unknown")
    check_room_for_member(state)
    name = None
    if c.display_name is not None and c.display_name.strip():
        name = clean_text(c.display_name, field="name", max_length=60, multiline=False)
    return [
        Event(
            ev.PARTICIPANT_JOINED,
            {
                "participant_id": c.participant_id,
                "display_name": name,
                "group": c.group,
                "in_room": True,
            },
        )
    ]


def create_question(state: WorkshopState, actor: Actor, c: CreateQuestion) -> list[Event]:
    facilitator_only(actor)
    if c.question_id in state.questions:
        raise DomainError("question.exists")
    if len(state.questions) >= MAX_QUESTIONS:
        raise DomainError("question.too_many", max=MAX_QUESTIONS)
    data = _wording(c.text, c.low_label, c.high_label, c.ask_comment, c.anonymous, c.min_group)
    position = max((q.position for q in state.questions.values()), default=-1) + 1
    return [
        Event(ev.QUESTION_CREATED, {"question_id": c.question_id, **data, "position": position})
    ]


def edit_question(state: WorkshopState, actor: Actor, c: EditQuestion) -> list[Event]:
    facilitator_only(actor)
    q = _question(state, c.question_id, actor)
    if q.status != "draft":
        raise DomainError("question.not_draft")
    data = _wording(c.text, c.low_label, c.high_label, c.ask_comment, c.anonymous, c.min_group)
    return [Event(ev.QUESTION_EDITED, {"question_id": q.id, **data})]


def open_question(state: WorkshopState, actor: Actor, c: OpenQuestion) -> list[Event]:
    facilitator_only(actor)
    q = _question(state, c.question_id, actor)
    if q.status == "open":
        raise DomainError("question.already_open")
    kind = ev.QUESTION_OPENED if q.status == "draft" else ev.QUESTION_REOPENED
    return [Event(kind, {"question_id": q.id})]


def close_question(state: WorkshopState, actor: Actor, c: CloseQuestion) -> list[Event]:
    facilitator_only(actor)
    q = _question(state, c.question_id, actor)
    if q.status != "open":
        raise DomainError("question.not_open")
    return [Event(ev.QUESTION_CLOSED, {"question_id": q.id})]


def reveal_question(state: WorkshopState, actor: Actor, c: RevealQuestion) -> list[Event]:
    facilitator_only(actor)
    q = _question(state, c.question_id, actor)
    if q.status == "draft":
        raise DomainError("question.not_open")
    if q.status == "revealed":
        raise DomainError("question.already_revealed")
    out = [Event(ev.QUESTION_CLOSED, {"question_id": q.id})] if q.status == "open" else []
    return [*out, Event(ev.QUESTION_REVEALED, {"question_id": q.id})]


def voter_for(state: WorkshopState, actor: Actor, on_behalf_of: str | None) -> Participant:
    """Who a vote (or a dilemma choice) is for: the participant themselves, or (recorded by the
    facilitator) someone in the room without a device."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role == "facilitator":
        if on_behalf_of is None:
            raise DomainError("vote.facilitator_needs_voter")
        p = state.participants.get(on_behalf_of)
        if p is None:
            raise DomainError("participant.unknown")
        if not p.in_room:
            raise DomainError("vote.not_in_room")
    else:
        if on_behalf_of is not None:
            raise DomainError("permission.facilitators_only")
        p = state.participants.get(actor.id)
        if p is None:
            raise DomainError("participant.unknown")
    if p.kicked:
        raise DomainError("participant.kicked")
    return p


def cast_vote(state: WorkshopState, actor: Actor, c: CastVote) -> list[Event]:
    q = _question(state, c.question_id, actor)
    voter = voter_for(state, actor, c.on_behalf_of)
    if q.status == "draft":
        raise DomainError("question.not_open")
    if not q.accepts_votes:
        raise DomainError("vote.closed")
    if not is_vote_value(c.value):
        raise DomainError("vote.bad_value")
    comment = None
    if c.comment is not None and c.comment.strip():
        if not q.ask_comment:
            raise DomainError("vote.no_comment")
        comment = clean_text(
            c.comment, field="comment", max_length=MAX_VOTE_COMMENT_LENGTH, multiline=True
        )
    return [
        Event(
            ev.VOTE_CAST,
            {
                "question_id": q.id,
                "voter_id": voter.id,
                "value": c.value,
                "comment": comment,
                "group": voter.group,
                "by_facilitator": actor.role == "facilitator",
            },
        )
    ]
