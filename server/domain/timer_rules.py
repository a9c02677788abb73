"""The rules for countdown timers: commands in, events out, or a DomainError whose code is a
message-catalogue key. Pure: the moment a timer starts comes in the command (`now_ms`)."""

from __future__ import annotations

from server.domain import events as ev
from server.domain.commands import Actor, StartTimer, StopTimer
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.text import clean_text
from server.domain.timers import (
    MAX_SECONDS,
    MAX_TIMER_LABEL_LENGTH,
    MAX_TIMERS,
    MIN_SECONDS,
    is_timer_seconds,
)
from server.domain.workshop import WorkshopState


def _label(label: str | None) -> str | None:
    if label is None or not label.strip():
        return None
    return clean_text(
        label, field="timer_label", max_length=MAX_TIMER_LABEL_LENGTH, multiline=False
    )


def _question_to_close(state: WorkshopState, question_id: str | None) -> str | None:
    """Only an open question can be closed at zero. The facilitator sees drafts, so a draft is
    not unknown here: it is not open."""
    if question_id is None:
        return None
    q = state.questions.get(question_id)
    if q is None:
        raise DomainError("question.unknown")
    if q.status != "open":
        raise DomainError("question.not_open")
    return q.id


def start_timer(state: WorkshopState, actor: Actor, c: StartTimer) -> list[Event]:
    """A new countdown; the one running (if any) stops first, in the same command."""
    facilitator_only(actor)
    if c.timer_id in state.timers:
        raise DomainError("timer.exists")
    if len(state.timers) >= MAX_TIMERS:
        raise DomainError("timer.too_many", max=MAX_TIMERS)
    if not is_timer_seconds(c.seconds):
        raise DomainError("timer.bad_seconds", min=MIN_SECONDS, max=MAX_SECONDS)
    label = _label(c.label)
    question_id = _question_to_close(state, c.close_question_id)
    running = state.current_timer()
    out = [Event(ev.TIMER_STOPPED, {"timer_id": running.id})] if running is not None else []
    started = {
        "timer_id": c.timer_id,
        "label": label,
        "seconds": c.seconds,
        "started_at_ms": c.now_ms,
        "ends_at_ms": c.now_ms + c.seconds * 1000,
        "close_question_id": question_id,
    }
    return [*out, Event(ev.TIMER_STARTED, started)]


def stop_timer(state: WorkshopState, actor: Actor, c: StopTimer) -> list[Event]:
    """Stop a countdown before zero (its question then stays open). A timer that has reached
    zero may be stopped too: that takes it off the screens."""
    facilitator_only(actor)
    timer = state.timers.get(c.timer_id)
    if timer is None:
        raise DomainError("timer.unknown")
    if timer.stopped:
        raise DomainError("timer.not_running")
    return [Event(ev.TIMER_STOPPED, {"timer_id": timer.id})]
