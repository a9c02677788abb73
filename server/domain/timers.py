"""Countdown timers: "2:00 to think, then 2:00 to explain", the same on every device.

A timer is fixed when it starts: it ends at `ends_at_ms`, a moment on the server's wall clock
(milliseconds since the Unix epoch). Each client shows `ends_at_ms` minus the server's time,
which it estimates from its own clock and the offset `pong` tells it. The domain never reads
the clock: the edge puts the moment a timer starts (`now_ms`) into the command.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_SECONDS = 5
MAX_SECONDS = 3600  # one hour
MAX_TIMER_LABEL_LENGTH = 60
MAX_TIMERS = 500  # per workshop, stopped ones included: every start adds one


@dataclass(frozen=True)
class Timer:
    id: str
    label: str | None  # "Tænk selv", "Forklar"; None: no words, just the time
    seconds: int
    started_at_ms: int  # server wall clock, ms since the Unix epoch
    ends_at_ms: int  # started_at_ms + seconds * 1000
    close_question_id: str | None  # closed when the timer reaches zero
    seq: int  # of its `timer.started`: the log's order, whatever the processes' clocks say
    stopped: bool = False  # by the facilitator, or by starting the next timer


def is_timer_seconds(value: object) -> bool:
    """Exactly an integer from 5 to 3600: not a bool, a float or a string."""
    return type(value) is int and MIN_SECONDS <= value <= MAX_SECONDS
