"""Burndown and velocity, from what was stored: the charts show what happened, never a guess.

Remaining work is the sum of the estimates of a sprint's items not done. It changes when the
sprint starts (its scope), when an item moves to or from Done on the sprint board, and when
planning was re-opened and the sprint starts again (items planned or unplanned, estimates
changed meanwhile: they count from the restart's date). Each of those events carries the date
it happened on (`on`, stamped by the edge), so the chart is the remaining work at the end of
each day from the first start to the planned end (or the close, if that came first).

Two ways to the same figures: `burndown` and `velocity` walk a stored event log on their own,
and `sprint_burndown` and `committee_velocity` read what `apply` kept in the state (a sprint's
`history` and frozen reports). Tests check that they agree with each other and with figures
computed by hand.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from server.domain import events as ev
from server.domain.backlog import Committee, Sprint
from server.domain.events import StoredEvent

History = tuple[tuple[str, int], ...]


def record(history: History, on: str, remaining: int) -> History:
    """Note the remaining work at the end of `on`. A later change the same day replaces the
    day's figure; a date before the last one (a clock stepping back) counts as the last day,
    so the history's dates only ever go forward."""
    if history and on <= history[-1][0]:
        return (*history[:-1], (history[-1][0], remaining))
    return (*history, (on, remaining))


def last_day(start: str, end: str, closed_on: str | None, today: str | None = None) -> str:
    """The chart's last day: the planned end, or the close or today if earlier; never before
    the first start (a sprint started after its planned end shows its first day)."""
    last = min(d for d in (end, closed_on, today) if d is not None)
    return max(last, start)


def days(history: History, first: str, last: str) -> list[tuple[str, int]]:
    """Every date from `first` to `last`, each with the figure of its day or the day before."""
    if not history:
        return []
    out: list[tuple[str, int]] = []
    day = datetime.date.fromisoformat(first)
    stop = datetime.date.fromisoformat(last)
    i, value = 0, history[0][1]
    while day <= stop:
        iso = day.isoformat()
        while i < len(history) and history[i][0] <= iso:
            value = history[i][1]
            i += 1
        out.append((iso, value))
        day += datetime.timedelta(days=1)
    return out


def sprint_burndown(sprint: Sprint, today: str | None = None) -> list[tuple[str, int]]:
    """The burndown of a sprint from the state: [] before its first start; a closed sprint's is
    the one frozen in its report (equal by construction). `today` cuts a running sprint's chart
    so it does not run into days that have not happened."""
    if sprint.started_on is None:
        return []
    last = last_day(sprint.started_on, sprint.end, sprint.closed_on, today)
    return days(sprint.history, sprint.started_on, last)


def committee_velocity(committee: Committee) -> list[tuple[str, str, int]]:
    """(sprint id, name, done total) of each closed sprint, in the sprints' order, read from
    their frozen reports."""
    out: list[tuple[str, str, int]] = []
    for s in committee.sprints_in_order():
        if s.report is not None:
            done = s.report["done_total"]
            assert isinstance(done, int)
            out.append((s.id, s.name, done))
    return out


class _Walk:
    """The little the charts need from a committee's log: each item's estimate, sprint and
    column, and each sprint's name, end and burndown history. Kept apart from `apply` on
    purpose, so the two can check each other."""

    def __init__(self) -> None:
        self.estimate: dict[str, int | None] = {}
        self.sprint_of: dict[str, str | None] = {}
        self.status: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.ends: dict[str, str] = {}
        self.started: dict[str, str] = {}
        self.closed: dict[str, str] = {}
        self.history: dict[str, History] = {}
        self.velocity: list[tuple[str, str, int]] = []

    def total(self, sprint_id: str, done: bool) -> int:
        return sum(
            self.estimate[i] or 0
            for i, s in self.sprint_of.items()
            if s == sprint_id and (self.status[i] == "done") == done
        )

    def note(self, sprint_id: str, on: str) -> None:
        h = self.history.get(sprint_id, ())
        self.history[sprint_id] = record(h, on, self.total(sprint_id, done=False))

    def step(self, e: StoredEvent) -> None:
        d, t = e.data, e.type
        if t in (ev.BACKLOG_ITEM_ADDED, ev.BACKLOG_ITEM_EDITED):
            self.estimate[d["item_id"]] = d["estimate"]
            self.sprint_of.setdefault(d["item_id"], None)
            self.status.setdefault(d["item_id"], "todo")
        elif t == ev.BACKLOG_ITEM_REMOVED:
            for m in (self.estimate, self.sprint_of, self.status):
                m.pop(d["item_id"], None)
        elif t in (ev.SPRINT_CREATED, ev.SPRINT_EDITED):
            self.names[d["sprint_id"]] = d["name"]
            self.ends[d["sprint_id"]] = d["end"]
        elif t in (ev.SPRINT_ITEM_PLANNED, ev.SPRINT_ITEM_UNPLANNED):
            planned = t == ev.SPRINT_ITEM_PLANNED
            self.sprint_of[d["item_id"]] = d["sprint_id"] if planned else None
            self.status[d["item_id"]] = "todo"
        elif t == ev.SPRINT_STARTED:
            self.started.setdefault(d["sprint_id"], d["on"])
            self.note(d["sprint_id"], d["on"])
        elif t == ev.SPRINT_ITEM_MOVED:
            self.status[d["item_id"]] = d["status"]
            self.note(d["sprint_id"], d["on"])
        elif t == ev.SPRINT_CLOSED:
            sprint_id = d["sprint_id"]
            self.note(sprint_id, d["on"])
            self.closed[sprint_id] = d["on"]
            self.velocity.append((sprint_id, self.names[sprint_id], self.total(sprint_id, True)))
            for item_id, target in d["unfinished_to"]:
                self.sprint_of[item_id] = target
                self.status[item_id] = "todo"


def _walk(log: Sequence[StoredEvent]) -> _Walk:
    w = _Walk()
    for e in log:
        w.step(e)
    return w


def burndown(
    log: Sequence[StoredEvent], sprint_id: str, today: str | None = None
) -> list[tuple[str, int]]:
    """(date, remaining at the end of that day) for every day from the sprint's first start to
    its planned end, or its close (or `today`) if earlier; [] if it never started."""
    w = _walk(log)
    first = w.started.get(sprint_id)
    if first is None:
        return []
    last = last_day(first, w.ends[sprint_id], w.closed.get(sprint_id), today)
    return days(w.history[sprint_id], first, last)


def velocity(log: Sequence[StoredEvent]) -> list[tuple[str, str, int]]:
    """(sprint id, name, done total at close) for each closed sprint, in the order they closed."""
    return _walk(log).velocity
