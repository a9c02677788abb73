"""Voting on an open 0-10 question: one vote each, changeable while open, strict values, an
optional comment, and votes the facilitator records for people in the room without a device."""

from __future__ import annotations

import pytest

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    AddRoomParticipant,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    KickParticipant,
    OpenQuestion,
    RevealQuestion,
)
from server.domain.questions import MAX_VOTE_COMMENT_LENGTH, Vote, is_vote_value
from server.domain.workshop import Participant
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session
from tests.domain.question_kit import (
    ROOM,
    TEXT,
    member,
    opened,
    vote,
    with_room_participant,
)

# --- one vote per person, the latest counts ---------------------------------------------------


def test_a_vote_is_kept_with_the_voters_group() -> None:
    s = opened()
    events = s.do(P2, CastVote("q1", 7))
    assert [(e.type, e.data) for e in events] == [
        (
            ev.VOTE_CAST,
            {
                "question_id": "q1",
                "voter_id": P2.id,
                "value": 7,
                "comment": None,
                "group": "Politiker",
                "by_facilitator": False,
            },
        )
    ]
    assert s.state.votes[("q1", P2.id)] == Vote("q1", P2.id, 7, None, "Politiker", False, s.seq)


def test_changing_a_vote_while_open_keeps_one_vote_with_the_latest_value() -> None:
    s = opened()
    vote(s, P1, 3)
    vote(s, P2, 5)
    vote(s, P1, 8)
    vote(s, P1, 0)
    assert len(s.state.votes) == 2
    assert s.state.votes[("q1", P1.id)].value == 0
    assert s.state.votes[("q1", P1.id)].seq == s.seq  # the latest vote's place in the log
    assert [(v.voter_id, v.value) for v in s.state.votes_on("q1")] == [(P2.id, 5), (P1.id, 0)]


def test_votes_on_different_questions_are_separate() -> None:
    s = opened("q1")
    s.do(FAC, CreateQuestion("q2", "Og denne?"))
    s.do(FAC, OpenQuestion("q2"))
    vote(s, P1, 2, "q1")
    vote(s, P1, 9, "q2")
    assert set(s.state.votes) == {("q1", P1.id), ("q2", P1.id)}
    assert [v.value for v in s.state.votes_on("q1")] == [2]
    assert [v.value for v in s.state.votes_on("q2")] == [9]


@pytest.mark.parametrize("how", ["closed", "revealed", "revealed-from-closed"])
def test_no_votes_once_closed_or_revealed(how: str) -> None:
    s = opened()
    vote(s, P1, 6)
    if how == "closed":
        s.do(FAC, CloseQuestion("q1"))
    elif how == "revealed":
        s.do(FAC, RevealQuestion("q1"))
    else:
        s.do(FAC, CloseQuestion("q1"))
        s.do(FAC, RevealQuestion("q1"))
    with_room_participant(s)
    assert s.refused(P1, CastVote("q1", 9)) == "vote.closed"  # no change
    assert s.refused(P2, CastVote("q1", 9)) == "vote.closed"  # no first vote either
    assert s.refused(FAC, CastVote("q1", 9, on_behalf_of=ROOM)) == "vote.closed"
    assert [(v.voter_id, v.value) for v in s.state.votes_on("q1")] == [(P1.id, 6)]


# --- who can vote -----------------------------------------------------------------------------


def test_the_room_screen_cannot_vote() -> None:
    s = opened()
    assert s.refused(SCREEN, CastVote("q1", 5)) == "permission.read_only"
    assert s.refused(SCREEN, CastVote("q1", 5, on_behalf_of=P1.id)) == "permission.read_only"


def test_a_removed_participant_cannot_vote_but_their_earlier_vote_stays() -> None:
    s = opened()
    vote(s, P3, 4)
    s.do(FAC, KickParticipant(P3.id))
    assert s.refused(P3, CastVote("q1", 10)) == "participant.kicked"
    assert s.state.votes[("q1", P3.id)].value == 4


def test_someone_who_never_joined_cannot_vote() -> None:
    s = opened()
    assert s.refused(member("stranger"), CastVote("q1", 5)) == "participant.unknown"


@pytest.mark.parametrize("other", [P2.id, ROOM, P1.id], ids=["participant", "in-room", "self"])
def test_participants_cannot_vote_on_behalf_of_anyone(other: str) -> None:
    s = opened()
    with_room_participant(s)
    assert s.refused(P1, CastVote("q1", 5, on_behalf_of=other)) == "permission.facilitators_only"


# --- votes recorded by the facilitator for someone in the room ---------------------------------


def test_the_facilitator_adds_someone_in_the_room() -> None:
    s = Session()
    events = s.do(FAC, AddRoomParticipant(ROOM, "  Karl  ", "Politiker"))
    assert [e.type for e in events] == [ev.PARTICIPANT_JOINED]
    assert s.state.participants[ROOM] == Participant(ROOM, "Karl", "Politiker", in_room=True)
    s.do(FAC, AddRoomParticipant("r2", "  ", "Borger"))
    assert s.state.participants["r2"].display_name is None  # "anonym"
    assert [p.id for p in s.state.voters()][-2:] == [ROOM, "r2"]


@pytest.mark.parametrize(
    ("actor", "command", "code"),
    [
        (P1, AddRoomParticipant("r2", None, "Borger"), "permission.facilitators_only"),
        (SCREEN, AddRoomParticipant("r2", None, "Borger"), "permission.read_only"),
        (FAC, AddRoomParticipant(ROOM, None, "Borger"), "participant.already_joined"),
        (FAC, AddRoomParticipant(P1.id, None, "Borger"), "participant.already_joined"),
        (FAC, AddRoomParticipant("r2", None, "Rådmand"), "group.unknown"),
        (FAC, AddRoomParticipant("r2", "x" * 61, "Borger"), "name.too_long"),
    ],
)
def test_adding_someone_in_the_room_is_checked(
    actor: Actor, command: AddRoomParticipant, code: str
) -> None:
    s = Session()
    with_room_participant(s)
    assert s.refused(actor, command) == code


def test_the_facilitator_records_a_vote_for_someone_in_the_room() -> None:
    s = opened()
    with_room_participant(s, group="Politiker")
    events = s.do(FAC, CastVote("q1", 2, on_behalf_of=ROOM))
    assert events[0].data["voter_id"] == ROOM
    assert events[0].data["by_facilitator"] is True
    assert s.state.votes[("q1", ROOM)] == Vote("q1", ROOM, 2, None, "Politiker", True, s.seq)
    s.do(FAC, CastVote("q1", 3, on_behalf_of=ROOM))  # and may change it while open
    assert [(v.voter_id, v.value) for v in s.state.votes_on("q1")] == [(ROOM, 3)]
    assert ("q1", FAC.id) not in s.state.votes


def test_the_facilitator_must_say_whom_the_vote_is_for() -> None:
    s = opened()
    assert s.refused(FAC, CastVote("q1", 5)) == "vote.facilitator_needs_voter"


def test_the_facilitator_cannot_vote_for_a_participant_with_a_device() -> None:
    s = opened()
    assert s.refused(FAC, CastVote("q1", 5, on_behalf_of=P1.id)) == "vote.not_in_room"
    assert s.refused(FAC, CastVote("q1", 5, on_behalf_of="nobody")) == "participant.unknown"


def test_the_facilitator_cannot_vote_for_a_removed_room_participant() -> None:
    s = opened()
    with_room_participant(s)
    s.do(FAC, KickParticipant(ROOM))
    assert s.refused(FAC, CastVote("q1", 5, on_behalf_of=ROOM)) == "participant.kicked"


# --- comments ---------------------------------------------------------------------------------


def test_a_comment_goes_with_the_vote_when_the_question_asks_for_one() -> None:
    s = opened(ask_comment=True)
    vote(s, P1, 6, comment="  Mere om trafik\nog skoler  ")
    assert s.state.votes[("q1", P1.id)].comment == "Mere om trafik\nog skoler"


def test_no_comment_when_the_question_does_not_ask_for_one() -> None:
    s = opened(ask_comment=False)
    assert s.refused(P1, CastVote("q1", 6, comment="Hej")) == "vote.no_comment"
    with_room_participant(s)
    assert s.refused(FAC, CastVote("q1", 6, "Hej", on_behalf_of=ROOM)) == "vote.no_comment"


@pytest.mark.parametrize("ask", [True, False])
@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t "])
def test_a_blank_comment_means_none(ask: bool, blank: str | None) -> None:
    s = opened(ask_comment=ask)
    vote(s, P1, 6, comment=blank)
    assert s.state.votes[("q1", P1.id)].comment is None


def test_a_too_long_comment_is_refused() -> None:
    s = opened(ask_comment=True)
    too_long = "x" * (MAX_VOTE_COMMENT_LENGTH + 1)
    assert s.refused(P1, CastVote("q1", 6, comment=too_long)) == "comment.too_long"
    assert s.refused(P1, CastVote("q1", 6, comment="a\x07b")) == "comment.control_characters"
    vote(s, P1, 6, comment="x" * MAX_VOTE_COMMENT_LENGTH)
    assert len(s.state.votes[("q1", P1.id)].comment or "") == MAX_VOTE_COMMENT_LENGTH


def test_a_changed_vote_replaces_the_comment_too() -> None:
    s = opened(ask_comment=True)
    vote(s, P1, 6, comment="Først")
    vote(s, P1, 7, comment="Siden")
    assert s.state.votes[("q1", P1.id)].comment == "Siden"
    vote(s, P1, 8)
    assert s.state.votes[("q1", P1.id)].comment is None


# --- strict values ----------------------------------------------------------------------------

NOT_VOTES = [
    "7.0",
    7.5,
    True,
    False,
    "7",
    " 7 ",
    "٧",  # Arabic-Indic seven: int() would take it
    "１0",  # fullwidth one: int() would take it too
    10.0,
    7.0,
    0.0,
    float("nan"),
    float("inf"),
    -0.0,
    11,
    -1,
    None,
    [7],
    b"7",
    complex(7, 0),
]


@pytest.mark.parametrize("value", NOT_VOTES, ids=repr)
def test_only_a_true_int_from_0_to_10_is_a_vote_value(value: object) -> None:
    assert not is_vote_value(value)


@pytest.mark.parametrize("value", NOT_VOTES, ids=repr)
def test_casting_anything_else_is_refused_and_changes_nothing(value: object) -> None:
    s = opened()
    vote(s, P1, 4)
    assert s.refused(P1, CastVote("q1", value)) == "vote.bad_value"
    assert s.refused(P2, CastVote("q1", value)) == "vote.bad_value"
    assert [(v.voter_id, v.value) for v in s.state.votes_on("q1")] == [(P1.id, 4)]


class _IntSubclass(int):
    pass


def test_an_int_subclass_is_not_a_vote_value_either() -> None:
    assert not is_vote_value(_IntSubclass(5))
    s = opened()
    assert s.refused(P1, CastVote("q1", _IntSubclass(5))) == "vote.bad_value"


@pytest.mark.parametrize("value", range(0, 11))
def test_every_int_from_0_to_10_is_accepted(value: int) -> None:
    assert is_vote_value(value)
    s = opened()
    with_room_participant(s)
    vote(s, P1, value)
    s.do(FAC, CastVote("q1", value, on_behalf_of=ROOM))
    for voter in (P1.id, ROOM):
        stored = s.state.votes[("q1", voter)].value
        assert stored == value
        assert type(stored) is int
    assert [e.data["value"] for e in s.log[-2:]] == [value, value]


def test_the_value_is_checked_only_for_an_open_question() -> None:
    s = opened()
    s.do(FAC, CloseQuestion("q1"))
    assert s.refused(P1, CastVote("q1", 7.5)) == "vote.closed"
    s2 = Session()
    s2.do(FAC, CreateQuestion("q1", TEXT))
    assert s2.refused(P1, CastVote("q1", 7.5)) == "question.unknown"
