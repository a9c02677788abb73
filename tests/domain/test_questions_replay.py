"""Replaying the log is the state, for questions and votes too: a session of three questions
through every question event type, checked at every step."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.commands import (
    AddRoomParticipant,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    EditQuestion,
    KickParticipant,
    OpenQuestion,
    RevealQuestion,
    UpdateParticipant,
)
from server.domain.questions import results
from server.domain.workshop import WorkshopState, fold, replay
from tests.domain.kit import FAC, P1, P2, P3, Session
from tests.domain.question_kit import TEXT


def voting_session() -> tuple[Session, list[WorkshopState]]:
    s = Session()
    step = s.do

    step(FAC, CreateQuestion("q1", TEXT, ask_comment=True, min_group=2))
    step(FAC, CreateQuestion("q2", "Kladde", low_label="Nej"))
    step(FAC, EditQuestion("q2", "Hvor tryg er du ved planen?", high_label="Meget", min_group=1))
    step(FAC, CreateQuestion("q3", "Bliver aldrig åbnet", anonymous=False))
    step(FAC, AddRoomParticipant("r1", "Karl", "Politiker"))
    step(FAC, AddRoomParticipant("r2", None, "Borger"))

    step(FAC, OpenQuestion("q1"))
    step(P1, CastVote("q1", 7, comment="Mere om cykler"))
    step(P2, CastVote("q1", 3))
    step(P3, CastVote("q1", 10, comment="   "))
    step(FAC, CastVote("q1", 5, on_behalf_of="r1"))
    step(P1, CastVote("q1", 8, comment="Mere om cykler og gang"))  # changed
    step(FAC, CloseQuestion("q1"))
    step(FAC, OpenQuestion("q1"))  # reopened: someone was late
    step(FAC, CastVote("q1", 6, on_behalf_of="r2"))
    step(P1, UpdateParticipant("Ida", "Politiker"))  # her q1 vote stays Borger
    step(FAC, RevealQuestion("q1"))  # closed, then revealed

    step(FAC, OpenQuestion("q2"))
    step(P1, CastVote("q2", 0))  # now as Politiker
    step(P2, CastVote("q2", 10))
    step(FAC, KickParticipant(P3.id))
    step(FAC, CloseQuestion("q2"))
    step(FAC, RevealQuestion("q2"))
    step(FAC, OpenQuestion("q2"))  # opened again after the reveal
    step(P2, CastVote("q2", 9))
    step(FAC, RevealQuestion("q2"))
    return s, s.states


def test_the_scenario_uses_every_question_event_type() -> None:
    s, states = voting_session()
    question_types = {t for t in ev.EVENT_TYPES if t.startswith(("question.", "vote."))}
    assert question_types <= {e.type for e in s.log}
    assert [e.seq for e in s.log] == list(range(1, len(s.log) + 1))
    assert len(states) == len(s.log)


def test_replaying_the_whole_log_gives_the_state_built_step_by_step() -> None:
    s, _ = voting_session()
    assert replay(s.log) == s.state


def test_replaying_every_prefix_gives_the_state_at_that_point() -> None:
    s, states = voting_session()
    for i in range(1, len(s.log) + 1):
        assert replay(s.log[:i]) == states[i - 1], s.log[i - 1]


def test_folding_the_rest_onto_any_snapshot_gives_the_same_state() -> None:
    s, states = voting_session()
    for i in range(1, len(s.log)):
        assert fold(states[i - 1], s.log[i:]) == s.state


def test_what_the_session_leaves_behind() -> None:
    s, _ = voting_session()
    st = s.state
    assert [(q.id, q.status) for q in st.questions_in_order()] == [
        ("q1", "revealed"),
        ("q2", "revealed"),
        ("q3", "draft"),
    ]
    q2 = st.questions["q2"]
    assert (q2.text, q2.low_label, q2.high_label, q2.min_group) == (
        "Hvor tryg er du ved planen?",
        "I lav grad",  # the edit replaced the whole wording: no low label given
        "Meget",
        1,
    )
    assert [(v.voter_id, v.value, v.group, v.by_facilitator) for v in st.votes_on("q1")] == [
        (P2.id, 3, "Politiker", False),
        (P3.id, 10, "Borger", False),
        ("r1", 5, "Politiker", True),
        (P1.id, 8, "Borger", False),
        ("r2", 6, "Borger", True),
    ]
    r1 = results(st.questions["q1"], st.votes_on("q1"), st.groups)
    assert [(g.group, g.n, g.figures is not None) for g in r1.groups] == [
        ("Politiker", 2, True),
        ("Borger", 3, True),
    ]
    assert r1.total.n == 5
    assert r1.comments == ("Mere om cykler og gang",)
    r2 = results(st.questions["q2"], st.votes_on("q2"), st.groups)
    assert [(g.group, g.n) for g in r2.groups] == [("Politiker", 2), ("Borger", 0)]
    assert r2.total.histogram[9] == 1 and r2.total.histogram[0] == 1
    assert s.refused(P2, CastVote("q2", 1)) == "vote.closed"
