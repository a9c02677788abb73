"""Erasing a participant (GDPR art. 17): who may, what goes, what stays, and that the log
scrubbed by `erasure.scrub` still replays to the erased state."""

from __future__ import annotations

import dataclasses
import json

import pytest

from server.domain.commands import (
    AddComment,
    AddNote,
    CallMe,
    CastVote,
    CloseQuestion,
    EraseParticipant,
    RevealQuestion,
    UpdateParticipant,
)
from server.domain.erasure import scrub
from server.domain.events import PARTICIPANT_ERASED, StoredEvent
from server.domain.questions import results
from server.domain.report import workshop_report
from server.domain.workshop import replay
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session
from tests.domain.question_kit import TEXT, join, opened, vote


def session() -> Session:
    """Ida (p1) wrote notes and comments, voted with a comment and asked for a call."""
    s = opened(ask_comment=True)
    others = join(s, "Borger", "b4", "b5")
    s.do(P1, UpdateParticipant("Ida Jensen", "Borger"))
    s.do(P1, AddNote("n1", "Ida's idé om cykler"))
    s.do(P2, AddNote("n2", "Bo's idé"))
    s.do(P1, AddComment("n2", "c1", "Ida siger enig"))
    s.do(P2, AddComment("n1", "c2", "Bo svarer Ida"))
    s.do(P1, CastVote("q1", 7, "Ida mener mere cykelsti"))
    vote(s, P2, 3)
    for actor, value in zip((P3, *others), (9, 5, 4), strict=True):
        vote(s, actor, value)
    s.do(FAC, CloseQuestion("q1"))
    s.do(FAC, RevealQuestion("q1"))
    return s


def test_only_the_facilitator_or_the_participant_themself_may_erase() -> None:
    s = session()
    assert s.refused(P2, EraseParticipant(P1.id, "delete")) == "permission.facilitators_only"
    assert s.refused(SCREEN, EraseParticipant(P1.id, "delete")) == "permission.read_only"
    assert s.refused(P1, EraseParticipant(P1.id, "anonymise")) == "erase.notes_go_with_you"
    assert s.refused(FAC, EraseParticipant(P1.id, "keep")) == "erase.notes_choice"
    assert s.refused(FAC, EraseParticipant("nobody", "delete")) == "participant.unknown"
    s.do(FAC, EraseParticipant(P1.id, "anonymise"))
    assert s.refused(FAC, EraseParticipant(P1.id, "delete")) == "participant.already_erased"
    assert s.refused(P1, AddNote("n9", "efter")) == "participant.kicked"


def test_delete_takes_their_notes_comments_and_vote_comment_and_keeps_the_figures() -> None:
    s = session()
    q = s.state.questions["q1"]
    before = results(q, s.state.votes_on("q1"), s.state.groups)
    s.do(P1, EraseParticipant(P1.id, "delete"))
    st = s.state
    assert "n1" not in st.notes and "c1" not in st.comments and "c2" not in st.comments
    assert st.participants[P1.id].display_name is None and st.participants[P1.id].erased
    after = results(q, st.votes_on("q1"), st.groups)
    assert after.total == before.total and after.groups == before.groups
    assert "Ida mener mere cykelsti" not in after.comments
    assert "Ida" not in json.dumps(dataclasses.asdict(workshop_report(st)), default=str)


def test_anonymise_keeps_their_notes_without_their_name() -> None:
    s = session()
    s.do(FAC, EraseParticipant(P1.id, "anonymise"))
    st = s.state
    assert st.notes["n1"].text == "Ida's idé om cykler" and st.notes["n1"].author_name is None
    assert st.comments["c1"].author_name is None
    assert st.votes[("q1", P1.id)].comment == "Ida mener mere cykelsti"  # no name with it
    report = workshop_report(st, names=True)
    assert report.people is not None and "Ida Jensen" not in [p.name for p in report.people]


def test_a_help_line_call_loses_its_message() -> None:
    from tests.domain.test_hall_rules import hall

    s = hall()
    s.do(P1, CallMe("help", "k1", "Ring til Ida på 12345678"))
    s.do(FAC, EraseParticipant(P1.id, "anonymise"))
    call = s.state.hall.calls["k1"]
    assert call.message == "" and call.resolved


@pytest.mark.parametrize("mode", ["delete", "anonymise"])
def test_the_scrubbed_log_names_them_nowhere_and_replays_to_the_same_state(mode: str) -> None:
    s = session()
    s.do(FAC, EraseParticipant(P1.id, mode))
    erased = next(e for e in s.log if e.type == PARTICIPANT_ERASED)
    d = erased.data
    log: list[StoredEvent] = []
    for e in s.log:
        clean = None
        if e.seq < erased.seq:
            clean = scrub(e.data, P1.id, mode == "delete", d["note_ids"], d["comment_ids"])
        log.append(e if clean is None else dataclasses.replace(e, data=clean))
    text = json.dumps([e.data for e in log], ensure_ascii=False)
    assert "Ida Jensen" not in text and '"Ida"' not in text
    if mode == "delete":
        for written in ("Ida's idé om cykler", "Ida siger enig", "Ida mener mere cykelsti"):
            assert written not in text
    assert replay(log) == s.state
    assert TEXT in text  # what others wrote stays


def test_scrub_leaves_others_payloads_alone() -> None:
    data = {"participant_id": P2.id, "display_name": "Bo", "group": "Borger"}
    assert scrub(data, P1.id, True, (), ()) is None
