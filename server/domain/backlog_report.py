"""A sprint's report, frozen when the sprint closes.

The report is plain JSON built once, by `freeze`, from the state just before the close, and
carried in the `sprint.closed` event: `apply` stores it as it is and nothing changes it later,
so it says what the sprint was when it closed whatever happens to its items afterwards (an
item renamed, moved to the next sprint, removed). Pure and deterministic: the same state and
arguments give the same report, byte for byte once serialised.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from server.domain.backlog import Sprint
from server.domain.burndown import days, last_day, record
from server.domain.events import JSON

if TYPE_CHECKING:
    from server.domain.workshop import WorkshopState


def freeze(
    state: WorkshopState,
    sprint: Sprint,
    on: str,
    evaluations: Sequence[tuple[str, str, str]],
) -> JSON:
    """The report of `sprint` closing on `on`, with `evaluations` (goal id, evaluation, note)
    already checked and cleaned by the rule. Items are listed in the sprint's planned order;
    the burndown runs from the first start to the planned end or the close, if earlier."""
    committee = state.committee
    assert committee is not None and sprint.started_on is not None
    judged = {goal_id: (evaluation, note) for goal_id, evaluation, note in evaluations}
    items = committee.planned(sprint.id)
    history = record(sprint.history, on, committee.remaining(sprint.id))
    last = last_day(sprint.started_on, sprint.end, on)
    return {
        "committee": committee.name,
        "sprint_id": sprint.id,
        "name": sprint.name,
        "goals": [
            {"id": g.id, "text": g.text, "evaluation": judged[g.id][0], "note": judged[g.id][1]}
            for g in sprint.goals
        ],
        "start": sprint.start,
        "end": sprint.end,
        "started_on": sprint.started_on,
        "closed_on": on,
        "capacity": sprint.capacity,
        "unit": committee.unit,
        "reopened": sprint.reopened,
        "reopenings": [[when, reason] for when, reason in sprint.reopenings],
        "items": [
            {"id": i.id, "title": i.title, "estimate": i.estimate, "status": i.status}
            for i in items
        ],
        "planned_total": committee.planned_total(sprint.id),
        "done_total": sum(i.estimate or 0 for i in items if i.status == "done"),
        "burndown": [[day, remaining] for day, remaining in days(history, sprint.started_on, last)],
    }
