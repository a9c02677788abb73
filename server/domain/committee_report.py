"""What a task committee came to across all its meetings, for the report that goes back to the
council: pure, no I/O.

Three parts, as Gentofte's secretariat asks for them: the 0-10 questions the committee asked
again at later meetings (did the score move?), where the backlog's work is now, and how each
closed sprint was evaluated. Read only from the committee's stream and its meetings' states, so
the same stored data gives the same report, byte for byte, at any later time.

Figures of a question come only from `questions.results` (revealed questions only, with its
small-group guard: a group's point is shown exactly when the live results would show it).
A closed sprint is read from its frozen report alone, never from the items as they are now.
No participant's name is part of the report: meetings are counted by group, and an item's
owners are left out, so the same report can be published.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from server.domain.backlog import BacklogItem, Committee, Sprint
from server.domain.questions import Question, Results, results
from server.domain.report import GoalLine, GroupCount
from server.domain.workshop import WorkshopState

MIN_MEETINGS = 2  # a question is "repeated" once it was revealed at this many meetings


def question_key(text: str) -> str:
    """The words that make two questions the same question: case and spacing do not count."""
    return " ".join(text.split()).casefold()


# --- the parts ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingLine:
    workshop_id: str
    title: str
    date: str  # ISO, as the facilitator typed it
    groups: tuple[GroupCount, ...]  # participants counted by group, in the meeting's order
    participants: int


@dataclass(frozen=True)
class Point:
    """One meeting's figures for one line of a repeated question."""

    meeting: int  # index into `CommitteeReport.meetings`
    title: str
    date: str
    n: int
    mean: float | None  # None: nobody voted
    median: float | None


@dataclass(frozen=True)
class Series:
    """All voters (`group` None) or one group, at each meeting the question was asked."""

    group: str | None
    points: tuple[Point | None, ...]  # aligned with `RepeatedQuestion.asked`; None: no figures
    voters: tuple[int, ...]  # how many of the line voted at each meeting (0: none or not there)

    def hidden(self, i: int) -> bool:
        """Votes were cast but the small-group guard keeps the figures back."""
        return self.points[i] is None and self.voters[i] > 0


@dataclass(frozen=True)
class RepeatedQuestion:
    text: str  # as it was first asked
    low_label: str
    high_label: str
    asked: tuple[int, ...]  # the meetings (indexes into `CommitteeReport.meetings`), in order
    everyone: Series
    groups: tuple[Series, ...]  # groups with figures shown at one meeting at least
    withheld: tuple[str, ...]  # groups that voted but whose figures were never shown


@dataclass(frozen=True)
class Amount:
    items: int
    estimate: int  # the sum of the estimates, in the committee's unit
    unestimated: int  # items without an estimate (counted in `items`, not in `estimate`)


@dataclass(frozen=True)
class SprintProgress:
    sprint_id: str
    name: str
    status: str  # planning, running, closed
    start: str
    end: str
    capacity: int
    planned: int
    done: int
    items: int
    items_done: int
    frozen: bool  # read from the report frozen at the close (else: the sprint as it is now)


@dataclass(frozen=True)
class BacklogProgress:
    """Every item in exactly one of the first six places; `done_overall` sums the done ones."""

    backlog: Amount  # in no sprint
    planned: Amount  # in a sprint still being planned
    todo: Amount  # on the running sprint's board
    doing: Amount
    done: Amount
    closed: Amount  # in sprints that have closed (what they delivered)
    done_overall: Amount  # done in any sprint, running or closed
    total: Amount
    sprints: tuple[SprintProgress, ...]


@dataclass(frozen=True)
class SprintEvaluation:
    """A closed sprint as its frozen report says it was."""

    sprint_id: str
    name: str
    start: str
    end: str
    started_on: str
    closed_on: str
    capacity: int
    unit: str
    planned_total: int
    done_total: int
    items: int
    items_done: int
    goals: tuple[GoalLine, ...]
    reopened: int
    reopenings: tuple[tuple[str, str], ...]  # (ISO date, reason)


@dataclass(frozen=True)
class CommitteeReport:
    name: str
    unit: str  # points, hours
    meetings: tuple[MeetingLine, ...]  # in date order
    questions: tuple[RepeatedQuestion, ...]  # in the order they were first asked
    progress: BacklogProgress
    evaluations: tuple[SprintEvaluation, ...]  # closed sprints, in the sprints' order


# --- meetings -------------------------------------------------------------------------------


def _in_order(committee: Committee, meetings: Sequence[WorkshopState]) -> list[WorkshopState]:
    """The committee's meetings by date; meetings on the same day in the order they were
    added. States of workshops that are no meeting of the committee are left out."""
    order = {m.workshop_id: i for i, m in enumerate(committee.meetings)}
    mine = {s.id: s for s in meetings if s.id in order}
    return sorted(mine.values(), key=lambda s: (s.date, order[s.id], s.id))


def _meeting_line(state: WorkshopState) -> MeetingLine:
    people = [p for p in state.participants.values() if not p.kicked]
    known = list(state.groups) + sorted({p.group for p in people} - set(state.groups))
    return MeetingLine(
        workshop_id=state.id,
        title=state.title,
        date=state.date,
        groups=tuple(GroupCount(g, sum(1 for p in people if p.group == g)) for g in known),
        participants=len(people),
    )


# --- repeated questions ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Asked:
    meeting: int
    line: MeetingLine
    results: Results


def _asked(
    states: Sequence[WorkshopState], lines: Sequence[MeetingLine]
) -> dict[str, list[_Asked]]:
    """Each question's revealed results by meeting. A meeting that asked the same words twice
    gives its first (in the meeting's order) to the line: one point per meeting."""
    out: dict[str, list[_Asked]] = {}
    for i, (state, line) in enumerate(zip(states, lines, strict=True)):
        seen: set[str] = set()
        for q in state.questions_in_order():
            key = question_key(q.text)
            if not q.revealed or key in seen:
                continue
            seen.add(key)
            found = results(q, state.votes_on(q.id), state.groups)
            out.setdefault(key, []).append(_Asked(i, line, found))
    return out


def _point(a: _Asked, n: int, mean: float | None, median: float | None) -> Point:
    return Point(a.meeting, a.line.title, a.line.date, n, mean, median)


def _repeated(asked: list[_Asked]) -> RepeatedQuestion:
    first: Question = asked[0].results.question
    everyone = Series(
        None,
        tuple(
            _point(a, a.results.total.n, a.results.total.mean, a.results.total.median)
            for a in asked
        ),
        tuple(a.results.total.n for a in asked),
    )
    names: list[str] = []
    for a in asked:
        names += [g.group for g in a.results.groups if g.group not in names]
    shown: list[Series] = []
    withheld: list[str] = []
    for name in names:
        points: list[Point | None] = []
        voters: list[int] = []
        for a in asked:
            g = next((g for g in a.results.groups if g.group == name), None)
            voters.append(0 if g is None else g.n)
            f = None if g is None else g.figures
            points.append(None if f is None or g is None else _point(a, g.n, f.mean, f.median))
        if any(p is not None for p in points):
            shown.append(Series(name, tuple(points), tuple(voters)))
        elif any(voters):
            withheld.append(name)
    return RepeatedQuestion(
        text=first.text,
        low_label=first.low_label,
        high_label=first.high_label,
        asked=tuple(a.meeting for a in asked),
        everyone=everyone,
        groups=tuple(shown),
        withheld=tuple(withheld),
    )


def _questions(
    states: Sequence[WorkshopState], lines: Sequence[MeetingLine]
) -> tuple[RepeatedQuestion, ...]:
    by_key = _asked(states, lines)
    # Dicts keep insertion order: the order questions were first asked, meeting by meeting.
    return tuple(_repeated(a) for a in by_key.values() if len(a) >= MIN_MEETINGS)


# --- backlog progress -----------------------------------------------------------------------


def _amount(items: Sequence[BacklogItem]) -> Amount:
    return Amount(
        items=len(items),
        estimate=sum(i.estimate or 0 for i in items),
        unestimated=sum(1 for i in items if i.estimate is None),
    )


def _int(value: object) -> int:
    return value if type(value) is int else 0


def _text(data: Mapping[str, object], key: str) -> str:
    value = data.get(key)
    return "" if value is None else str(value)


def _frozen_items(report: Mapping[str, object]) -> list[Mapping[str, object]]:
    rows = report.get("items")
    return [i for i in (rows if isinstance(rows, list) else []) if isinstance(i, Mapping)]


def _sprint_progress(c: Committee, s: Sprint) -> SprintProgress:
    if s.status == "closed" and s.report is not None:
        items = _frozen_items(s.report)
        return SprintProgress(
            sprint_id=s.id,
            name=_text(s.report, "name") or s.name,
            status=s.status,
            start=_text(s.report, "start") or s.start,
            end=_text(s.report, "end") or s.end,
            capacity=_int(s.report.get("capacity")),
            planned=_int(s.report.get("planned_total")),
            done=_int(s.report.get("done_total")),
            items=len(items),
            items_done=sum(1 for i in items if i.get("status") == "done"),
            frozen=True,
        )
    planned = c.planned(s.id)
    done = [i for i in planned if i.status == "done"]
    return SprintProgress(
        sprint_id=s.id,
        name=s.name,
        status=s.status,
        start=s.start,
        end=s.end,
        capacity=s.capacity,
        planned=c.planned_total(s.id),
        done=sum(i.estimate or 0 for i in done),
        items=len(planned),
        items_done=len(done),
        frozen=False,
    )


def _progress(c: Committee) -> BacklogProgress:
    items = sorted(c.items.values(), key=lambda i: i.id)
    status = {s.id: s.status for s in c.sprints.values()}

    def where(i: BacklogItem) -> str:
        sprint = status.get(i.sprint_id or "")
        if sprint is None:
            return "backlog"
        if sprint == "planning":
            return "planned"
        if sprint == "closed":
            return "closed"
        return i.status

    def at(place: str) -> Amount:
        return _amount([i for i in items if where(i) == place])

    return BacklogProgress(
        backlog=at("backlog"),
        planned=at("planned"),
        todo=at("todo"),
        doing=at("doing"),
        done=at("done"),
        closed=at("closed"),
        done_overall=_amount(
            [i for i in items if i.status == "done" and where(i) in ("done", "closed")]
        ),
        total=_amount(items),
        sprints=tuple(_sprint_progress(c, s) for s in c.sprints_in_order()),
    )


# --- sprint evaluations ---------------------------------------------------------------------


def _evaluation(report: Mapping[str, object]) -> SprintEvaluation:
    items = _frozen_items(report)
    goals = report.get("goals")
    reopenings = report.get("reopenings")
    return SprintEvaluation(
        sprint_id=_text(report, "sprint_id"),
        name=_text(report, "name"),
        start=_text(report, "start"),
        end=_text(report, "end"),
        started_on=_text(report, "started_on"),
        closed_on=_text(report, "closed_on"),
        capacity=_int(report.get("capacity")),
        unit=_text(report, "unit") or "points",
        planned_total=_int(report.get("planned_total")),
        done_total=_int(report.get("done_total")),
        items=len(items),
        items_done=sum(1 for i in items if i.get("status") == "done"),
        goals=tuple(
            GoalLine(_text(g, "text"), _text(g, "evaluation"), _text(g, "note"))
            for g in (goals if isinstance(goals, list) else [])
            if isinstance(g, Mapping)
        ),
        reopened=_int(report.get("reopened")),
        reopenings=tuple(
            (str(r[0]), str(r[1]))
            for r in (reopenings if isinstance(reopenings, list) else [])
            if isinstance(r, list) and len(r) == 2
        ),
    )


# --- the report -----------------------------------------------------------------------------


def committee_report(
    committee_state: WorkshopState, meetings: Sequence[WorkshopState]
) -> CommitteeReport:
    """The report of the committee whose stream is `committee_state`, across `meetings` (the
    states of its meetings; any others are ignored)."""
    c = committee_state.committee
    if c is None:
        raise ValueError("committee_report: the stream is no committee")
    states = _in_order(c, meetings)
    lines = [_meeting_line(s) for s in states]
    return CommitteeReport(
        name=c.name,
        unit=c.unit,
        meetings=tuple(lines),
        questions=_questions(states, lines),
        progress=_progress(c),
        evaluations=tuple(
            _evaluation(s.report)
            for s in c.sprints_in_order()
            if s.status == "closed" and s.report is not None
        ),
    )
