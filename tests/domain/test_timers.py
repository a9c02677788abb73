"""Countdown timers: starting (one runs at a time), stopping, what a timer may close at zero,
the limits, and replay. The domain reads no clock: the start moment comes in the command."""

from __future__ import annotations

import dataclasses

import pytest

from server.domain import events as ev
from server.domain.commands import (
    Actor,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    OpenQuestion,
    StartTimer,
    StopTimer,
)
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.timers import (
    MAX_SECONDS,
    MAX_TIMER_LABEL_LENGTH,
    MAX_TIMERS,
    MIN_SECONDS,
    Timer,
    is_timer_seconds,
)
from server.domain.workshop import apply, fold, replay
from tests.domain.kit import FAC, P1, P2, SCREEN, Session
from tests.domain.question_kit import TEXT, opened

T0 = 1_790_000_000_000  # a server wall clock reading, ms since the Unix epoch
TIMEKEEPER = Actor("facilitator", "timer")


def start(
    timer_id: str = "t1",
    seconds: int = 120,
    label: str | None = None,
    close_question_id: str | None = None,
    now_ms: int = T0,
) -> StartTimer:
    return StartTimer(timer_id, seconds, label, close_question_id, now_ms)


def types(events: list[Event]) -> list[str]:
    return [e.type for e in events]


# --- starting -------------------------------------------------------------------------------


def test_a_timer_ends_seconds_after_the_moment_the_edge_put_in() -> None:
    s = Session()
    events = s.do(FAC, start("t1", 120, "Tænk selv"))
    assert types(events) == [ev.TIMER_STARTED]
    assert events[0].data == {
        "timer_id": "t1",
        "label": "Tænk selv",
        "seconds": 120,
        "started_at_ms": T0,
        "ends_at_ms": T0 + 120_000,
        "close_question_id": None,
    }
    timer = Timer("t1", "Tænk selv", 120, T0, T0 + 120_000, None, seq=s.seq)
    assert s.state.timers == {"t1": timer}
    assert s.state.current_timer() == timer


def test_the_same_command_gives_the_same_events_whatever_the_time_now() -> None:
    """No clock inside: deciding twice (now, or in a replayed test tomorrow) is the same."""
    s = Session()
    assert decide(s.state, FAC, start(now_ms=5)) == decide(s.state, FAC, start(now_ms=5))
    later = decide(s.state, FAC, start(now_ms=T0 + 1))
    assert later[0].data["ends_at_ms"] == T0 + 1 + 120_000


def test_no_timer_at_first() -> None:
    s = Session()
    assert s.state.timers == {}
    assert s.state.current_timer() is None


def test_starting_a_timer_stops_the_one_running() -> None:
    s = Session()
    s.do(FAC, start("t1", 120, "Tænk selv"))
    events = s.do(FAC, start("t2", 120, "Forklar", now_ms=T0 + 120_500))
    assert types(events) == [ev.TIMER_STOPPED, ev.TIMER_STARTED]
    assert events[0].data == {"timer_id": "t1"}
    assert s.state.timers["t1"].stopped
    current = s.state.current_timer()
    assert current is not None and current.id == "t2" and not current.stopped


def test_after_a_stop_a_new_timer_stops_nothing() -> None:
    s = Session()
    s.do(FAC, start("t1"))
    s.do(FAC, StopTimer("t1"))
    assert s.state.current_timer() is None
    assert types(s.do(FAC, start("t2"))) == [ev.TIMER_STARTED]


def test_the_current_timer_is_the_last_started_in_the_log_not_by_the_clock() -> None:
    """Two processes' clocks may disagree: the later command wins even with an earlier time."""
    s = Session()
    s.do(FAC, start("t1", now_ms=T0))
    s.do(FAC, start("t2", now_ms=T0 - 3_000))  # another process, a clock 3 s behind
    current = s.state.current_timer()
    assert current is not None and current.id == "t2"
    # Even a state with two not stopped (not reachable by commands) picks the later seq.
    both = {k: dataclasses.replace(t, stopped=False) for k, t in s.state.timers.items()}
    state = dataclasses.replace(s.state, timers=both)
    chosen = state.current_timer()
    assert chosen is not None and chosen.id == "t2"


def test_a_timer_that_reached_zero_is_still_current_until_stopped_or_replaced() -> None:
    """The domain does not know the time: the screens show 0:00 from `ends_at_ms`."""
    s = Session()
    s.do(FAC, start("t1", 5))
    current = s.state.current_timer()
    assert current is not None and current.id == "t1"
    s.do(FAC, StopTimer("t1"))  # stopping after zero takes it off the screens
    assert s.state.current_timer() is None


@pytest.mark.parametrize("seconds", [MIN_SECONDS, 6, 120, MAX_SECONDS])
def test_five_seconds_to_an_hour(seconds: int) -> None:
    s = Session()
    s.do(FAC, start(seconds=seconds))
    assert s.state.timers["t1"].ends_at_ms == T0 + seconds * 1000


@pytest.mark.parametrize(
    "seconds", [0, 4, -5, MAX_SECONDS + 1, 10**9, True, False, 5.0, 120.5, "120", None]
)
def test_other_lengths_are_refused_with_the_limits(seconds: object) -> None:
    s = Session()
    with pytest.raises(DomainError) as e:
        decide(s.state, FAC, start(seconds=seconds))  # type: ignore[arg-type]
    assert e.value.code == "timer.bad_seconds"
    assert e.value.params == {"min": 5, "max": 3600}
    assert not is_timer_seconds(seconds)


def test_the_label_is_one_trimmed_line_of_at_most_60_characters() -> None:
    s = Session()
    s.do(FAC, start("t1", label="  Tænk selv \n"))
    assert s.state.timers["t1"].label == "Tænk selv"
    s.do(FAC, start("t2", label="x" * MAX_TIMER_LABEL_LENGTH))
    assert s.refused(FAC, start("t3", label="x" * 61)) == "timer_label.too_long"
    assert s.refused(FAC, start("t3", label="Tænk\nselv")) == "timer_label.control_characters"
    assert s.refused(FAC, start("t3", label="Tænk\x00")) == "timer_label.control_characters"


@pytest.mark.parametrize("label", [None, "", "   ", "\n"])
def test_no_label_or_a_blank_one_means_no_label(label: str | None) -> None:
    s = Session()
    s.do(FAC, start(label=label))
    assert s.state.timers["t1"].label is None


def test_the_label_is_normalised_to_nfc() -> None:
    s = Session()
    s.do(FAC, start(label="Tænk selv, så forklar"))
    s.do(FAC, start("t2", label="Fo\u0308rst"))  # o + combining diaeresis
    assert s.state.timers["t2"].label == "F\u00f6rst"


@pytest.mark.parametrize("actor", [P1, SCREEN], ids=["participant", "screen"])
def test_only_the_facilitator_starts_and_stops(actor: Actor) -> None:
    s = Session()
    assert s.refused(actor, start()) == (
        "permission.read_only" if actor.role == "screen" else "permission.facilitators_only"
    )
    s.do(FAC, start())
    assert s.refused(actor, StopTimer("t1")) == (
        "permission.read_only" if actor.role == "screen" else "permission.facilitators_only"
    )


def test_a_timer_id_is_used_once() -> None:
    s = Session()
    s.do(FAC, start("t1"))
    s.do(FAC, StopTimer("t1"))
    assert s.refused(FAC, start("t1")) == "timer.exists"


def test_at_most_500_timers_per_workshop() -> None:
    s = Session()
    for i in range(MAX_TIMERS):
        s.do(FAC, start(f"t{i}", now_ms=T0 + i))
    with pytest.raises(DomainError) as e:
        decide(s.state, FAC, start("one-more"))
    assert (e.value.code, e.value.params) == ("timer.too_many", {"max": 500})
    assert sum(not t.stopped for t in s.state.timers.values()) == 1


# --- closing a question at zero --------------------------------------------------------------


def test_a_timer_may_name_an_open_question_to_close_at_zero() -> None:
    s = opened("q1")
    events = s.do(FAC, start(close_question_id="q1"))
    assert events[-1].data["close_question_id"] == "q1"
    current = s.state.current_timer()
    assert current is not None and current.close_question_id == "q1"


def test_the_question_must_exist_and_be_open() -> None:
    s = Session()
    assert s.refused(FAC, start(close_question_id="nope")) == "question.unknown"
    s.do(FAC, CreateQuestion("q1", TEXT))
    assert s.refused(FAC, start(close_question_id="q1")) == "question.not_open"  # a draft
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, CloseQuestion("q1"))
    assert s.refused(FAC, start(close_question_id="q1")) == "question.not_open"
    s.do(FAC, OpenQuestion("q1"))  # re-opened
    s.do(FAC, start(close_question_id="q1"))


def test_the_checks_come_in_order_permission_length_label_question() -> None:
    s = Session()
    bad = start(seconds=1, label="x" * 61, close_question_id="nope")
    assert s.refused(P1, bad) == "permission.facilitators_only"
    assert s.refused(FAC, bad) == "timer.bad_seconds"
    assert s.refused(FAC, dataclasses.replace(bad, seconds=60)) == "timer_label.too_long"
    assert s.refused(FAC, start(close_question_id="nope")) == "question.unknown"


def test_the_timekeeper_closes_as_the_facilitator_role_and_a_second_close_is_refused() -> None:
    """At zero the timekeeper sends an ordinary CloseQuestion as the facilitator role; after a
    close by hand the rule refuses it, and nothing changes."""
    s = opened("q1")
    s.do(FAC, start(seconds=5, close_question_id="q1"))
    s.do(P1, CastVote("q1", 7))
    assert types(s.do(TIMEKEEPER, CloseQuestion("q1"))) == [ev.QUESTION_CLOSED]
    assert s.refused(TIMEKEEPER, CloseQuestion("q1")) == "question.not_open"
    assert s.refused(P2, CastVote("q1", 3)) == "vote.closed"


# --- stopping --------------------------------------------------------------------------------


def test_stopping_a_timer() -> None:
    s = Session()
    s.do(FAC, start("t1"))
    assert s.do(FAC, StopTimer("t1")) == [Event(ev.TIMER_STOPPED, {"timer_id": "t1"})]
    assert s.state.timers["t1"].stopped
    assert s.refused(FAC, StopTimer("t1")) == "timer.not_running"
    assert s.refused(FAC, StopTimer("nope")) == "timer.unknown"


def test_a_timer_replaced_by_the_next_is_not_running() -> None:
    s = Session()
    s.do(FAC, start("t1"))
    s.do(FAC, start("t2"))
    assert s.refused(FAC, StopTimer("t1")) == "timer.not_running"
    s.do(FAC, StopTimer("t2"))


# --- apply and replay ------------------------------------------------------------------------


def test_apply_still_refuses_an_unknown_event_type() -> None:
    s = Session()
    with pytest.raises(ValueError, match="unknown event type"):
        apply(s.state, Event("timer.paused", {"timer_id": "t1"}), s.seq + 1)


def timer_session() -> Session:
    s = opened("q1")
    s.do(FAC, start("t1", 120, "Tænk selv", now_ms=T0))
    s.do(FAC, start("t2", 120, "Forklar", "q1", now_ms=T0 + 121_000))
    s.do(P1, CastVote("q1", 4))
    s.do(TIMEKEEPER, CloseQuestion("q1"))
    s.do(FAC, StopTimer("t2"))
    s.do(FAC, OpenQuestion("q1"))
    s.do(FAC, start("t3", 5, None, "q1", now_ms=T0 + 400_000))
    s.do(FAC, StopTimer("t3"))
    s.do(FAC, start("t4", 3600, "Frokost", now_ms=T0 + 500_000))
    return s


def test_the_timer_session_uses_both_timer_events() -> None:
    s = timer_session()
    assert {ev.TIMER_STARTED, ev.TIMER_STOPPED} <= {e.type for e in s.log}
    assert [e.seq for e in s.log] == list(range(1, len(s.log) + 1))


def test_replaying_the_log_gives_the_state_at_every_step() -> None:
    s = timer_session()
    assert replay(s.log) == s.state
    for i in range(1, len(s.log) + 1):
        assert replay(s.log[:i]) == s.states[i - 1], s.log[i - 1]
    for i in range(1, len(s.log)):
        assert fold(s.states[i - 1], s.log[i:]) == s.state


def test_what_the_timer_session_leaves_behind() -> None:
    s = timer_session()
    st = s.state
    assert [(t.id, t.stopped) for t in sorted(st.timers.values(), key=lambda t: t.seq)] == [
        ("t1", True),
        ("t2", True),
        ("t3", True),
        ("t4", False),
    ]
    current = st.current_timer()
    assert current is not None
    assert (current.id, current.label, current.close_question_id) == ("t4", "Frokost", None)
    assert current.ends_at_ms - current.started_at_ms == 3_600_000
    assert st.questions["q1"].status == "open"
