"""What each viewer receives about 0-10 questions in JSON (invariant 5): before the reveal no
value or figure for anyone but a participant's own vote; after it the results for everyone; who
voted what only for facilitators, and never on an anonymous question."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.domain import events as ev
from server.domain.commands import (
    CastVote,
    CreateQuestion,
    EditQuestion,
    OpenQuestion,
    RevealQuestion,
)
from server.domain.events import StoredEvent
from server.domain.questions import Figures, results
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.views import event_json, state_json
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session
from tests.render.voting import (
    DRAFT_TEXT,
    FIGURE_KEYS,
    PARTICIPANTS,
    ROOM,
    TEXT,
    everyone,
    viewer,
    voting,
    walk,
)

SEEDS = range(6)


def shown(e: StoredEvent, state: WorkshopState, v: Viewer) -> list[Any]:
    """Everything a JSON viewer gets at one point: the event, and a snapshot taken then."""
    return [event_json(e, state, v), state_json(state, v)]


def question(state: WorkshopState, v: Viewer, qid: str = "q1") -> dict[str, Any]:
    found: list[dict[str, Any]] = [q for q in state_json(state, v)["questions"] if q["id"] == qid]
    assert len(found) == 1
    return found[0]


def assert_nothing_early(messages: list[Any], state: WorkshopState, v: Viewer) -> None:
    """No figure anywhere; a `value` or `comment` only as the viewer's own vote."""
    own = state.votes.get(("q1", v.actor_id)) if v.role == "participant" else None
    for message in messages:
        for path, _value in walk(message):
            key = path[-1]
            assert key not in FIGURE_KEYS, (v, path)
            if key in ("value", "comment"):
                assert own is not None, (v, path)
                # Their own vote: in `mine`, or in the vote.cast event they caused.
                assert path[-2:-1] == ("mine",) or path == ("data", key), (v, path)
        text = json.dumps(message, ensure_ascii=False)
        for pid in PARTICIPANTS:
            if pid != v.actor_id or v.role != "participant":
                assert f"hemmelig-{pid}-" not in text, (v, pid)


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_before_the_reveal_no_one_gets_a_value_or_figure_but_their_own(
    seed: int, anonymous: bool
) -> None:
    w = voting(seed, anonymous=anonymous)
    for i in w.before_reveal():
        e, state = w.s.log[i], w.s.states[i]
        for v in everyone():
            assert_nothing_early(shown(e, state, v), state, v)
            own = state.votes.get(("q1", v.actor_id))
            if v.role == "participant" and state.questions["q1"].status != "draft":
                mine = question(state, v)["mine"]
                expected = None if own is None else {"value": own.value, "comment": own.comment}
                assert mine == expected


@pytest.mark.parametrize("anonymous", [True, False])
@pytest.mark.parametrize("seed", SEEDS)
def test_after_the_reveal_everyone_gets_the_results_the_domain_computes(
    seed: int, anonymous: bool
) -> None:
    w = voting(seed, anonymous=anonymous)
    state = w.s.state
    expected = results(state.questions["q1"], state.votes_on("q1"), state.groups)
    reveal = w.s.log[w.reveal_at]
    assert reveal.type == ev.QUESTION_REVEALED
    for v in everyone():
        for got in (question(state, v)["results"], _data(reveal, state, v)["results"]):
            assert_figures(got, expected.total)
            assert [(g["group"], g["n"]) for g in got["groups"]] == [
                (g.group, g.n) for g in expected.groups
            ]
            for g_json, g in zip(got["groups"], expected.groups, strict=True):
                if g.figures is None:
                    assert g_json["figures"] is None
                else:
                    assert_figures(g_json["figures"], g.figures)
            if anonymous:  # not in the order people voted, which the facilitator watched
                assert got["comments"] == sorted(expected.comments, key=str.casefold)
            else:
                assert got["comments"] == list(expected.comments)
            assert got["comments"], "the walk always leaves some comments"


def assert_figures(got: dict[str, Any], f: Figures) -> None:
    assert got["n"] == f.n
    assert got["histogram"] == list(f.histogram)
    assert (got["mean"], got["median"], got["stdev"]) == (f.mean, f.median, f.stdev)
    assert (got["min"], got["max"], got["q1"], got["q3"]) == (f.low, f.high, f.q1, f.q3)
    assert got["iqr"] == f.iqr


def _data(e: StoredEvent, state: WorkshopState, v: Viewer) -> dict[str, Any]:
    out = event_json(e, state, v)
    assert out is not None
    data: dict[str, Any] = out["data"]
    return data


@pytest.mark.parametrize("seed", SEEDS)
def test_an_anonymous_question_never_pairs_a_person_with_a_value_for_anyone(seed: int) -> None:
    w = voting(seed, anonymous=True)
    for i in range(len(w.s.log)):
        e, state = w.s.log[i], w.s.states[i]
        for v in everyone():
            for message in shown(e, state, v):
                keys = {path[-1] for path, _ in walk(message)}
                assert "by_person" not in keys, (v, i)
                for _, value in walk(message):
                    if isinstance(value, dict) and "value" in value:
                        # Only a participant's own vote has a value, and it names nobody.
                        assert v.role == "participant", (v, value)
                        assert not {"voter_id", "display_name", "group"} & set(value), value
    fac = question(w.s.state, viewer("facilitator", FAC.id))
    assert "by_person" not in fac and "value" not in json.dumps(fac["results"])
    assert "votes" not in _data(w.s.log[w.reveal_at], w.s.state, viewer("facilitator", FAC.id))


def test_on_a_named_question_only_the_facilitator_sees_who_voted_what_after_the_reveal() -> None:
    w = voting(1, anonymous=False)
    state = w.s.state
    fac = question(state, viewer("facilitator", FAC.id))
    votes = state.votes_on("q1")
    assert fac["by_person"] == [
        {
            "display_name": state.participants[v.voter_id].display_name,
            "group": v.group,
            "value": v.value,
            "by_facilitator": v.voter_id == ROOM,
        }
        for v in votes
    ]
    reveal = w.s.log[w.reveal_at]
    assert _data(reveal, state, viewer("facilitator", FAC.id))["votes"] == [
        {"voter_id": v.voter_id, "value": v.value} for v in votes
    ]
    for v in everyone():
        if v.role != "facilitator":
            assert "by_person" not in question(state, v)
            assert "votes" not in _data(reveal, state, v)
    before = w.s.states[w.reveal_at - 1]
    assert "by_person" not in question(before, viewer("facilitator", FAC.id))


def test_a_vote_tells_others_the_count_the_voter_their_vote_and_the_facilitator_who() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT, ask_comment=True))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7, "Mere om trafikken"))
    e = s.log[-1]
    assert _data(e, s.state, viewer("participant", P2.id)) == {
        "question_id": "q1",
        "voted": 1,
        "eligible": 3,
    }
    assert _data(e, s.state, viewer("screen", SCREEN.id)) == {
        "question_id": "q1",
        "voted": 1,
        "eligible": 3,
    }
    assert _data(e, s.state, viewer("participant", P1.id)) == {
        "question_id": "q1",
        "voted": 1,
        "eligible": 3,
        "value": 7,
        "comment": "Mere om trafikken",
    }
    assert _data(e, s.state, viewer("facilitator", FAC.id)) == {
        "question_id": "q1",
        "voter_id": P1.id,
        "by_facilitator": False,
        "voted": 1,
        "eligible": 3,
    }
    fac = question(s.state, viewer("facilitator", FAC.id))
    assert [p["id"] for p in fac["not_voted"]] == [P2.id, P3.id]
    assert "not_voted" not in question(s.state, viewer("participant", P2.id))


def test_drafts_and_their_events_reach_only_facilitators() -> None:
    s = Session()
    s.do(FAC, CreateQuestion("q1", DRAFT_TEXT))
    created = s.log[-1]
    s.do(FAC, EditQuestion("q1", DRAFT_TEXT + "?", anonymous=False))
    edited = s.log[-1]
    for v in (viewer("participant", P1.id), viewer("screen", SCREEN.id)):
        assert event_json(created, s.state, v) is None
        assert event_json(edited, s.state, v) is None
        assert state_json(s.state, v)["questions"] == []
        assert DRAFT_TEXT not in json.dumps(state_json(s.state, v), ensure_ascii=False)
    fac = viewer("facilitator", FAC.id)
    data = _data(created, s.state, fac)
    assert data["question_id"] == "q1" and data["text"] == DRAFT_TEXT  # as the log has it
    assert data["question"]["status"] == "draft"
    assert _data(edited, s.state, fac)["anonymous"] is False
    s.do(FAC, OpenQuestion("q1"))
    opened = _data(s.log[-1], s.state, viewer("participant", P1.id))
    assert opened["question"]["text"] == DRAFT_TEXT + "?"
    assert opened["question"]["status"] == "open" and opened["question"]["mine"] is None
    assert (opened["voted"], opened["eligible"]) == (0, 3)
    assert "results" not in opened["question"] and "not_voted" not in opened["question"]


def test_a_reveal_carries_results_only_while_the_question_is_still_revealed() -> None:
    """A catch-up batch may hold a reveal and a re-opening: the state after it decides."""
    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7))
    s.do(FAC, RevealQuestion("q1"))
    reveal = s.log[-1]
    assert "results" in _data(reveal, s.state, viewer("participant", P2.id))
    s.do(FAC, OpenQuestion("q1"))
    for v in everyone():
        data = _data(reveal, s.state, v)
        assert "results" not in data and "results" not in data["question"]
        assert_nothing_early([data, state_json(s.state, v)], s.state, v)


def test_a_kicked_voter_still_counts_and_the_count_never_exceeds_the_eligible() -> None:
    from server.domain.commands import KickParticipant

    s = Session()
    s.do(FAC, CreateQuestion("q1", TEXT))
    s.do(FAC, OpenQuestion("q1"))
    s.do(P1, CastVote("q1", 7))
    s.do(FAC, KickParticipant(P1.id))
    q = question(s.state, viewer("participant", P2.id))
    assert (q["voted"], q["eligible"]) == (1, 3)
    fac = question(s.state, viewer("facilitator", FAC.id))
    assert [p["id"] for p in fac["not_voted"]] == [P2.id, P3.id]
