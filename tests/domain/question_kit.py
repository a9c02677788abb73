"""Helpers for the 0-10 question tests, on top of `kit.Session`.

The session's groups are ("Politiker", "Borger"); p1 (Ida) and p3 are Borger, p2 (Bo) Politiker.
"""

from __future__ import annotations

from server.domain.commands import (
    Actor,
    AddRoomParticipant,
    CastVote,
    CreateQuestion,
    JoinWorkshop,
    OpenQuestion,
)
from tests.domain.kit import FAC, Session

TEXT = "I hvilken grad kan visionen fungere som endeligt forslag?"

# Someone in the hall without a device, added by the facilitator; the vote is recorded for them.
ROOM = "r1"


def draft(s: Session, question_id: str = "q1") -> None:
    s.do(FAC, CreateQuestion(question_id, TEXT))


def opened(
    question_id: str = "q1", *, ask_comment: bool = False, min_group: int | None = None
) -> Session:
    """A fresh session with one open question."""
    s = Session()
    s.do(FAC, CreateQuestion(question_id, TEXT, ask_comment=ask_comment, min_group=min_group))
    s.do(FAC, OpenQuestion(question_id))
    return s


def with_room_participant(s: Session, participant_id: str = ROOM, group: str = "Politiker") -> None:
    s.do(FAC, AddRoomParticipant(participant_id, "Karl uden telefon", group))


def member(participant_id: str) -> Actor:
    return Actor("participant", participant_id)


def join(s: Session, group: str, *participant_ids: str) -> list[Actor]:
    """More participants in one group; returns them as actors."""
    out = []
    for pid in participant_ids:
        actor = member(pid)
        s.do(actor, JoinWorkshop(pid, None, group))
        out.append(actor)
    return out


def vote(
    s: Session, actor: Actor, value: int, question_id: str = "q1", comment: str | None = None
) -> None:
    s.do(actor, CastVote(question_id, value, comment))
