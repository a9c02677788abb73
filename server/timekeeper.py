"""The timekeeper: closes a timer's question when the timer reaches zero.

The hub tells it the state after every batch a room delivers, and after a room loads its state
(`Hub(on_events=...)`). For the workshop's current timer, when it names a question to close and
is not stopped, the timekeeper keeps one asyncio task that sleeps until `ends_at_ms` on this
process's wall clock, checks in the database that the timer is still running, and executes
`CloseQuestion` through `Service.execute` as the facilitator role with the actor id "timer"
(the rule asks only for the role; the log then says the timer closed it) and the command id
`timer-<timer id>-close`. A stopped or replaced timer cancels its task.

Every process serving the workshop does the same at the same moment. The idempotency record,
checked under the workshop's row lock, makes the close happen once: the first process stores
`question.closed`, the others get its answer replayed. A question closed earlier by hand makes
the close a recorded rejection (`question.not_open`), which changes nothing.

Which process closes: every process whose hub has served the workshop since the timer started
(or loaded it while it ran), as long as it keeps running; a task outlives its room going idle,
and the database check stops it from closing for a timer that was stopped meanwhile. If no
process has served the workshop since the timer started (it was started over the JSON API with
nobody connected anywhere, or every process restarted), nothing closes at zero; the first
process to serve the workshop again closes it then, if that is at most `LATE_LIMIT_MS` after
zero, and otherwise leaves it open for the facilitator to close.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from server.domain import events as ev
from server.domain.commands import Actor, CloseQuestion, Command
from server.domain.events import StoredEvent
from server.domain.snapshot import Snapshot
from server.domain.timers import Timer
from server.domain.workshop import WorkshopState
from server.realtime.wire import wall_clock_ms
from server.service import Result, UnknownWorkshop

logger = logging.getLogger(__name__)

TIMER_ACTOR = Actor("facilitator", "timer")
LATE_LIMIT_MS = 5 * 60 * 1000  # later than this after zero (nobody served it): leave it open
LONGEST_SLEEP = 30.0  # seconds; the wall clock is read again at least this often
ATTEMPTS = 5
RETRY_SECONDS = 1.0
_TIMER_EVENTS = frozenset((ev.TIMER_STARTED, ev.TIMER_STOPPED))

Execute = Callable[[str, Actor, str, Command], Awaitable[Result]]
LoadSnapshot = Callable[[str], Awaitable[Snapshot | None]]


def close_command_id(timer_id: str) -> str:
    """The same on every process, so the close is one command however many make it."""
    return f"timer-{timer_id}-close"


class Timekeeper:
    def __init__(
        self,
        execute: Execute,
        snapshot: LoadSnapshot,
        *,
        clock_ms: Callable[[], int] = wall_clock_ms,
        retry_seconds: float = RETRY_SECONDS,
    ) -> None:
        self.execute = execute
        self.snapshot = snapshot
        self.clock_ms = clock_ms
        self.retry_seconds = retry_seconds
        self._tasks: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._stopped = False

    def scheduled(self, workshop_id: str) -> list[str]:
        """The ids of the timers whose question this process will close (for tests)."""
        return [t for (w, t) in self._tasks if w == workshop_id]

    def on_events(self, workshop_id: str, state: WorkshopState, events: list[StoredEvent]) -> None:
        """The hub's listener: only timer events (or a freshly loaded state) change the plan."""
        if events and not any(e.type in _TIMER_EVENTS for e in events):
            return
        if self._stopped:
            return
        timer = state.current_timer()
        wanted = timer if timer is not None and timer.close_question_id is not None else None
        for key, task in list(self._tasks.items()):
            if key[0] == workshop_id and (wanted is None or key[1] != wanted.id):
                task.cancel()
                del self._tasks[key]
        if wanted is None or (workshop_id, wanted.id) in self._tasks:
            return
        key = (workshop_id, wanted.id)
        task = asyncio.create_task(
            self._close_at_zero(workshop_id, wanted), name=f"timer-{wanted.id}"
        )
        self._tasks[key] = task
        task.add_done_callback(lambda t: self._forget(key, t))

    def _forget(self, key: tuple[str, str], task: asyncio.Task[None]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    async def stop(self) -> None:
        self._stopped = True
        tasks = list(self._tasks.values())
        self._tasks.clear()
        for t in tasks:
            t.cancel()
        for t in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t

    async def _close_at_zero(self, workshop_id: str, timer: Timer) -> None:
        assert timer.close_question_id is not None
        while True:  # sleeps in steps: the wall clock may be set while we wait
            remaining = timer.ends_at_ms - self.clock_ms()
            if remaining <= 0:
                break
            await asyncio.sleep(min(remaining / 1000, LONGEST_SLEEP))
        late = self.clock_ms() - timer.ends_at_ms
        if late > LATE_LIMIT_MS:
            logger.info("timer %s ended %d ms ago; its question stays open", timer.id, late)
            return
        command = CloseQuestion(timer.close_question_id)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                if not await self._still_running(workshop_id, timer.id):
                    return
                result = await self.execute(
                    workshop_id, TIMER_ACTOR, close_command_id(timer.id), command
                )
            except UnknownWorkshop:
                return
            except Exception as e:
                logger.warning("closing at zero failed (attempt %d): %s", attempt, e)
                await asyncio.sleep(self.retry_seconds * attempt)
                continue
            logger.info(
                "timer %s reached zero: question %s %s",
                timer.id,
                command.question_id,
                "closed" if result.ok else f"not closed ({result.error_code})",
            )
            return
        logger.error("timer %s: could not close question %s", timer.id, command.question_id)

    async def _still_running(self, workshop_id: str, timer_id: str) -> bool:
        """From the database, not the room: a stop this process did not see (its room went
        idle) must still cancel the close."""
        snap = await self.snapshot(workshop_id)
        if snap is None:
            return False
        timer = snap.state.timers.get(timer_id)
        return timer is not None and not timer.stopped
