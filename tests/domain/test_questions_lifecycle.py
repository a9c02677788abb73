"""0-10 questions as the facilitator prepares and runs them: draft -> open -> closed -> revealed,
opening again, editing only drafts, and who may do what."""

from __future__ import annotations

import pytest

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    CastVote,
    CloseQuestion,
    Command,
    CreateQuestion,
    EditQuestion,
    OpenQuestion,
    RevealQuestion,
)
from server.domain.questions import (
    DEFAULT_HIGH_LABEL,
    DEFAULT_LOW_LABEL,
    DEFAULT_MIN_GROUP,
    MAX_LABEL_LENGTH,
    MAX_MIN_GROUP,
    MAX_QUESTION_LENGTH,
    MAX_QUESTIONS,
    Question,
)
from tests.domain.kit import FAC, P1, P2, SCREEN, Session
from tests.domain.question_kit import ROOM, TEXT, draft, opened, vote, with_room_participant


def types(events: list[ev.Event]) -> list[str]:
    return [e.type for e in events]


def status(s: Session, question_id: str = "q1") -> str:
    return s.state.questions[question_id].status


# --- creating: defaults and wording -----------------------------------------------------------


def test_a_new_question_is_a_draft_with_the_danish_defaults() -> None:
    s = Session()
    events = s.do(FAC, CreateQuestion("q1", TEXT))
    assert types(events) == [ev.QUESTION_CREATED]
    assert s.state.questions["q1"] == Question(
        id="q1",
        text=TEXT,
        low_label="I lav grad",
        high_label="I høj grad",
        ask_comment=False,
        anonymous=True,
        min_group=3,
        position=0,
        status="draft",
    )
    assert (DEFAULT_LOW_LABEL, DEFAULT_HIGH_LABEL, DEFAULT_MIN_GROUP) == (
        "I lav grad",
        "I høj grad",
        3,
    )
    q = s.state.questions["q1"]
    assert not q.accepts_votes
    assert not q.revealed


def test_the_facilitator_chooses_labels_comment_anonymity_and_min_group() -> None:
    s = Session()
    s.do(
        FAC,
        CreateQuestion(
            "q1",
            "  Hvor enig er du?\nSæt et tal.  ",
            low_label=" Uenig ",
            high_label="Enig",
            ask_comment=True,
            anonymous=False,
            min_group=5,
        ),
    )
    q = s.state.questions["q1"]
    assert q.text == "Hvor enig er du?\nSæt et tal."  # trimmed, line breaks kept
    assert (q.low_label, q.high_label) == ("Uenig", "Enig")
    assert (q.ask_comment, q.anonymous, q.min_group) == (True, False, 5)


def test_blank_labels_fall_back_to_the_defaults() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT, low_label="   ", high_label=""))
    q = s.state.questions["q1"]
    assert (q.low_label, q.high_label) == (DEFAULT_LOW_LABEL, DEFAULT_HIGH_LABEL)


def test_questions_take_positions_in_the_order_they_were_made() -> None:
    s = Session()
    for qid in ("qa", "qc", "qb"):
        draft(s, qid)
    assert [q.id for q in s.state.questions_in_order()] == ["qa", "qc", "qb"]
    assert [q.position for q in s.state.questions_in_order()] == [0, 1, 2]


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (CreateQuestion("q2", "   "), "question.empty"),
        (CreateQuestion("q2", "x" * (MAX_QUESTION_LENGTH + 1)), "question.too_long"),
        (CreateQuestion("q2", "Hvad\x00nu?"), "question.control_characters"),
        (CreateQuestion("q2", TEXT, low_label="x" * (MAX_LABEL_LENGTH + 1)), "label.too_long"),
        (CreateQuestion("q2", TEXT, high_label="Meget\nenig"), "label.control_characters"),
        (CreateQuestion("q2", TEXT, min_group=0), "question.bad_min_group"),
        (CreateQuestion("q2", TEXT, min_group=MAX_MIN_GROUP + 1), "question.bad_min_group"),
        (CreateQuestion("q1", "Samme id igen"), "question.exists"),
    ],
)
def test_bad_wording_is_refused(command: CreateQuestion, code: str) -> None:
    s = Session()
    draft(s, "q1")
    assert s.refused(FAC, command) == code


def test_the_limits_themselves_are_accepted() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", "x" * MAX_QUESTION_LENGTH, low_label="y" * MAX_LABEL_LENGTH))
    s.do(FAC, CreateQuestion("q2", TEXT, min_group=1))
    s.do(FAC, CreateQuestion("q3", TEXT, min_group=MAX_MIN_GROUP))
    assert [q.min_group for q in s.state.questions_in_order()] == [3, 1, MAX_MIN_GROUP]


def test_a_workshop_holds_at_most_fifty_questions() -> None:
    s = Session()
    for i in range(MAX_QUESTIONS):
        draft(s, f"q{i}")
    assert s.refused(FAC, CreateQuestion("one-more", TEXT)) == "question.too_many"


# --- editing: drafts only ---------------------------------------------------------------------


def test_a_draft_can_be_reworded_and_keeps_its_place() -> None:
    s = Session()
    draft(s, "q0")
    draft(s, "q1")
    events = s.do(
        FAC, EditQuestion("q1", "Ny tekst", low_label="Slet ikke", ask_comment=True, min_group=4)
    )
    assert types(events) == [ev.QUESTION_EDITED]
    q = s.state.questions["q1"]
    assert (q.text, q.low_label, q.high_label) == ("Ny tekst", "Slet ikke", DEFAULT_HIGH_LABEL)
    assert (q.ask_comment, q.anonymous, q.min_group) == (True, True, 4)
    assert (q.position, q.status) == (1, "draft")


def test_editing_a_draft_checks_the_wording_like_creating() -> None:
    s = Session()
    draft(s)
    assert s.refused(FAC, EditQuestion("q1", "")) == "question.empty"
    assert s.refused(FAC, EditQuestion("q1", TEXT, min_group=0)) == "question.bad_min_group"
    assert s.refused(FAC, EditQuestion("nope", TEXT)) == "question.unknown"


@pytest.mark.parametrize(
    "steps",
    [
        [OpenQuestion("q1")],
        [OpenQuestion("q1"), CloseQuestion("q1")],
        [OpenQuestion("q1"), RevealQuestion("q1")],
        [OpenQuestion("q1"), RevealQuestion("q1"), OpenQuestion("q1")],
    ],
    ids=["open", "closed", "revealed", "open-again"],
)
def test_once_opened_the_words_are_fixed(steps: list[Command]) -> None:
    s = Session()
    draft(s)
    for step in steps:
        s.do(FAC, step)
    assert s.refused(FAC, EditQuestion("q1", "Ny tekst")) == "question.not_draft"
    assert s.state.questions["q1"].text == TEXT


# --- the lifecycle ----------------------------------------------------------------------------


def test_draft_open_closed_revealed() -> None:
    s = Session()
    draft(s)
    assert types(s.do(FAC, OpenQuestion("q1"))) == [ev.QUESTION_OPENED]
    assert status(s) == "open"
    assert s.state.questions["q1"].accepts_votes
    assert types(s.do(FAC, CloseQuestion("q1"))) == [ev.QUESTION_CLOSED]
    assert status(s) == "closed"
    assert not s.state.questions["q1"].accepts_votes
    assert types(s.do(FAC, RevealQuestion("q1"))) == [ev.QUESTION_REVEALED]
    assert status(s) == "revealed"
    assert s.state.questions["q1"].revealed


def test_revealing_an_open_question_closes_it_first() -> None:
    s = opened()
    events = s.do(FAC, RevealQuestion("q1"))
    assert types(events) == [ev.QUESTION_CLOSED, ev.QUESTION_REVEALED]
    assert [e.data for e in events] == [{"question_id": "q1"}, {"question_id": "q1"}]
    assert [st.questions["q1"].status for st in s.states[-2:]] == ["closed", "revealed"]


@pytest.mark.parametrize("end", ["closed", "revealed"])
def test_a_closed_or_revealed_question_can_be_opened_again(end: str) -> None:
    s = opened()
    vote(s, P1, 4)
    s.do(FAC, CloseQuestion("q1") if end == "closed" else RevealQuestion("q1"))
    assert status(s) == end
    events = s.do(FAC, OpenQuestion("q1"))
    assert types(events) == [ev.QUESTION_REOPENED]
    q = s.state.questions["q1"]
    assert (q.status, q.accepts_votes, q.revealed) == ("open", True, False)
    assert [v.value for v in s.state.votes_on("q1")] == [4]  # earlier votes are kept
    vote(s, P1, 9)  # and may be changed again
    assert [v.value for v in s.state.votes_on("q1")] == [9]


def test_opened_again_and_then_revealed_again() -> None:
    s = opened()
    s.do(FAC, RevealQuestion("q1"))
    s.do(FAC, OpenQuestion("q1"))
    assert types(s.do(FAC, RevealQuestion("q1"))) == [ev.QUESTION_CLOSED, ev.QUESTION_REVEALED]
    assert status(s) == "revealed"


@pytest.mark.parametrize(
    ("before", "command", "code"),
    [
        ([], CloseQuestion("q1"), "question.not_open"),
        ([], RevealQuestion("q1"), "question.not_open"),
        ([OpenQuestion("q1")], OpenQuestion("q1"), "question.already_open"),
        ([OpenQuestion("q1"), CloseQuestion("q1")], CloseQuestion("q1"), "question.not_open"),
        ([OpenQuestion("q1"), RevealQuestion("q1")], CloseQuestion("q1"), "question.not_open"),
        (
            [OpenQuestion("q1"), RevealQuestion("q1")],
            RevealQuestion("q1"),
            "question.already_revealed",
        ),
        (
            [OpenQuestion("q1"), CloseQuestion("q1"), RevealQuestion("q1")],
            RevealQuestion("q1"),
            "question.already_revealed",
        ),
    ],
)
def test_wrong_transitions_are_refused(before: list[Command], command: Command, code: str) -> None:
    s = Session()
    draft(s)
    for c in before:
        s.do(FAC, c)
    assert s.refused(FAC, command) == code


@pytest.mark.parametrize(
    "command", [OpenQuestion("nope"), CloseQuestion("nope"), RevealQuestion("nope")]
)
def test_an_unknown_question_is_unknown(command: Command) -> None:
    s = Session()
    assert s.refused(FAC, command) == "question.unknown"


# --- who may manage questions -----------------------------------------------------------------


@pytest.mark.parametrize("actor", [P1, SCREEN], ids=["participant", "screen"])
@pytest.mark.parametrize(
    "command",
    [
        CreateQuestion("q9", TEXT),
        EditQuestion("q0", "Ny tekst"),
        OpenQuestion("q0"),
        OpenQuestion("q1"),
        CloseQuestion("q1"),
        RevealQuestion("q1"),
    ],
    ids=["create", "edit", "open", "open-again", "close", "reveal"],
)
def test_only_facilitators_manage_questions(actor: Actor, command: Command) -> None:
    s = opened()
    draft(s, "q0")
    assert s.refused(actor, command) == (
        "permission.read_only" if actor.role == "screen" else "permission.facilitators_only"
    )


# --- drafts are the facilitator's preparation ---------------------------------------------------


@pytest.mark.parametrize("actor", [P1, P2, SCREEN], ids=["p1", "p2", "screen"])
def test_a_draft_is_unknown_to_everyone_but_the_facilitator(actor: Actor) -> None:
    s = Session()
    draft(s)
    assert s.refused(actor, CastVote("q1", 5)) == "question.unknown"
    assert s.refused(actor, CastVote("nope", 5)) == "question.unknown"  # the same as no question


def test_nobody_can_vote_on_a_draft_not_even_for_someone_in_the_room() -> None:
    s = Session()
    draft(s)
    with_room_participant(s)
    assert s.refused(FAC, CastVote("q1", 5, on_behalf_of=ROOM)) == "question.not_open"
    assert s.state.votes == {}
