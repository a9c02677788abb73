"""The rules for task committees, their backlog and sprints: commands in, events out, or a
DomainError whose code is a message-catalogue key. Pure: ids and dates come in the commands.

Who: the facilitator sets the committee up and runs its sprints (create, edit, start, re-open,
close) and removes items; every member (a participant not removed) and the facilitator write
and order the backlog, plan items into a sprint and move them on its board; the room screen
only shows. The closed log is the heart of it: once a sprint starts no item comes in or goes
out, and its estimates are fixed, until the facilitator re-opens planning, which is recorded
with its reason. All of it is decided under the committee stream's lock, so two clients on two
processes planning at once get the capacity rule applied to one after the other.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from server.domain import dhondt
from server.domain import events as ev
from server.domain.backlog import (
    CAPACITY_RULES,
    EVALUATIONS,
    HUNDRED_DAYS,
    ITEM_STATUSES,
    MAX_CAPACITY,
    MAX_DESCRIPTION,
    MAX_ESTIMATE,
    MAX_GOAL,
    MAX_GOALS,
    MAX_ITEM_TITLE,
    MAX_ITEMS,
    MAX_MEETINGS,
    MAX_NAME,
    MAX_OWNERS,
    MAX_SPRINTS,
    MAX_TAG,
    MAX_TAGS,
    TEST_GROUP_MAX,
    UNITS,
    BacklogItem,
    Committee,
    Sprint,
)
from server.domain.backlog_commands import (
    AddItem,
    AddMeeting,
    ChangeCapacityRule,
    CloseSprint,
    CreateSprint,
    EditItem,
    EditSprint,
    MoveItem,
    PlanItem,
    RemoveItem,
    ReopenPlanning,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
    UnplanItem,
)
from server.domain.backlog_report import freeze
from server.domain.commands import Actor
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only
from server.domain.text import clean_text
from server.domain.workshop import MAX_TITLE_LENGTH, WorkshopState

MAX_PARTY = 20  # a party's name ("Det Konservative Folkeparti" is typed as "C")
MAX_SPRINT_NAME = 80
MAX_REASON = 300
MAX_EVALUATION_NOTE = 500

# --- who ---------------------------------------------------------------------------------


def _member(state: WorkshopState, actor: Actor) -> None:
    """The facilitator, or a participant who joined the committee and was not removed."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role == "participant":
        p = state.participants.get(actor.id)
        if p is None:
            raise DomainError("participant.unknown")
        if p.kicked:
            raise DomainError("participant.kicked")


# --- what --------------------------------------------------------------------------------


def _committee(state: WorkshopState) -> Committee:
    if state.committee is None:
        raise DomainError("committee.none")
    return state.committee


def _item(committee: Committee, item_id: str) -> BacklogItem:
    item = committee.items.get(item_id)
    if item is None:
        raise DomainError("backlog.unknown")
    return item


def _sprint(committee: Committee, sprint_id: str) -> Sprint:
    sprint = committee.sprints.get(sprint_id)
    if sprint is None:
        raise DomainError("sprint.unknown")
    return sprint


def _planning(sprint: Sprint) -> None:
    """The sprint log is open only while planning: THE closed-log rule."""
    if sprint.status == "running":
        raise DomainError("sprint.log_closed")
    if sprint.status == "closed":
        raise DomainError("sprint.closed")


def _planning_log(sprint: Sprint) -> None:
    """Items of a started or closed sprint stay: the log is closed either way."""
    if sprint.status != "planning":
        raise DomainError("sprint.log_closed")


def _bottom(committee: Committee) -> int:
    """The position after the last backlog item."""
    return max((i.position for i in committee.backlog()), default=-1) + 1


def _column_end(committee: Committee, sprint_id: str) -> int:
    """The board position after the last item in a sprint's To do column."""
    return max((i.board_position for i in committee.column(sprint_id, "todo")), default=-1) + 1


def _insert(order: list[str], item_id: str, index: int) -> list[str]:
    """`order` with `item_id` put at `index`, clamped to the list (past the end: last)."""
    out = list(order)
    out.insert(max(0, min(index, len(out))), item_id)
    return out


# --- text, numbers and dates --------------------------------------------------------------


def _title(value: str, max_length: int) -> str:
    return clean_text(value, field="title", max_length=max_length, multiline=False)


def _description(value: str) -> str:
    if not value.strip():
        return ""
    return clean_text(value, field="description", max_length=MAX_DESCRIPTION, multiline=True)


def _whole(value: object, low: int, high: int) -> bool:
    """An int (not a bool) in low..high."""
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _estimate(value: int | None) -> int | None:
    if value is not None and not _whole(value, 0, MAX_ESTIMATE):
        raise DomainError("backlog.estimate", max=MAX_ESTIMATE)
    return value


def _owners(values: Sequence[str]) -> list[str]:
    """Names as typed, blanks dropped, each once."""
    names = [
        clean_text(v, field="name", max_length=MAX_NAME, multiline=False)
        for v in values
        if v.strip()
    ]
    owners = list(dict.fromkeys(names))
    if len(owners) > MAX_OWNERS:
        raise DomainError("backlog.too_many_owners", max=MAX_OWNERS)
    return owners


def _tags(values: Sequence[str]) -> list[str]:
    """Tags as typed, blanks dropped, each once whatever its case (the first spelling stays)."""
    seen: dict[str, str] = {}
    for v in values:
        if v.strip():
            tag = clean_text(v, field="tag", max_length=MAX_TAG, multiline=False)
            seen.setdefault(tag.casefold(), tag)
    if len(seen) > MAX_TAGS:
        raise DomainError("backlog.too_many_tags", max=MAX_TAGS)
    return list(seen.values())


def _iso(value: str) -> datetime.date | None:
    v = value.strip() if isinstance(value, str) else ""
    if len(v) != 10 or not v.isascii():
        return None
    try:
        return datetime.date.fromisoformat(v)
    except ValueError:
        return None


def _on(value: str) -> str:
    """The day a command happens on, stamped by the edge."""
    day = _iso(value)
    if day is None:
        raise DomainError("date.invalid")
    return day.isoformat()


def _dates(committee: Committee, start: str, end: str) -> tuple[str, str]:
    first, last = _iso(start), _iso(end)
    if first is None or last is None or last < first:
        raise DomainError("sprint.dates")
    if committee.test_group and (last - first).days + 1 != HUNDRED_DAYS:
        raise DomainError("sprint.hundred_days", days=HUNDRED_DAYS)
    return first.isoformat(), last.isoformat()


def _goals(texts: Sequence[str], ids: Sequence[str]) -> list[list[str]]:
    """[[goal id, text]]: 1..MAX_GOALS goals, each with its own id."""
    if not 1 <= len(texts) <= MAX_GOALS or len(ids) != len(texts) or len(set(ids)) != len(ids):
        raise DomainError("sprint.goals", max=MAX_GOALS)
    return [
        [goal_id, clean_text(text, field="goal", max_length=MAX_GOAL, multiline=False)]
        for goal_id, text in zip(ids, texts, strict=True)
    ]


def _capacity(value: int) -> int:
    if not _whole(value, 1, MAX_CAPACITY):
        raise DomainError("sprint.capacity", max=MAX_CAPACITY)
    return value


def _sprint_fields(
    committee: Committee,
    c: CreateSprint | EditSprint,
    goal_ids: Sequence[str],
) -> dict[str, object]:
    start, end = _dates(committee, c.start, c.end)
    return {
        "name": _title(c.name, MAX_SPRINT_NAME),
        "goals": _goals(c.goals, goal_ids),
        "start": start,
        "end": end,
        "capacity": _capacity(c.capacity),
    }


# --- the committee -----------------------------------------------------------------------


def set_up_committee(state: WorkshopState, actor: Actor, c: SetUpCommittee) -> list[Event]:
    """Parties are optional; with parties the political seats are allocated by d'Hondt, whose
    own checks (how many parties, seats, the same party twice) apply."""
    facilitator_only(actor)
    if state.committee is not None:
        raise DomainError("committee.exists")
    name = _title(c.name, MAX_TITLE_LENGTH)
    if c.unit not in UNITS:
        raise DomainError("committee.unit")
    if c.capacity_rule not in CAPACITY_RULES:
        raise DomainError("committee.capacity_rule")
    council = [
        (clean_text(p, field="party", max_length=MAX_PARTY, multiline=False), seats)
        for p, seats in c.parties
    ]
    if council:
        dhondt.allocate(council, c.political_seats)
    elif c.political_seats != 0 or isinstance(c.political_seats, bool):
        raise DomainError("committee.parties", max=dhondt.MAX_PARTIES)
    return [
        Event(
            ev.COMMITTEE_SET_UP,
            {
                "name": name,
                "unit": c.unit,
                "capacity_rule": c.capacity_rule,
                "parties": [[p, seats] for p, seats in council],
                "political_seats": c.political_seats,
                "test_group": bool(c.test_group),
            },
        )
    ]


def change_capacity_rule(state: WorkshopState, actor: Actor, c: ChangeCapacityRule) -> list[Event]:
    facilitator_only(actor)
    _committee(state)
    if c.capacity_rule not in CAPACITY_RULES:
        raise DomainError("committee.capacity_rule")
    return [Event(ev.COMMITTEE_CAPACITY_RULE_CHANGED, {"capacity_rule": c.capacity_rule})]


def add_meeting(state: WorkshopState, actor: Actor, c: AddMeeting) -> list[Event]:
    """The edge checks the workshop is the facilitator's own and in no other committee."""
    facilitator_only(actor)
    committee = _committee(state)
    if c.workshop_id == state.id:
        raise DomainError("committee.meeting_self")
    if any(m.workshop_id == c.workshop_id for m in committee.meetings):
        raise DomainError("committee.meeting_exists")
    if len(committee.meetings) >= MAX_MEETINGS:
        raise DomainError("committee.too_many_meetings", max=MAX_MEETINGS)
    return [
        Event(
            ev.COMMITTEE_MEETING_ADDED,
            {
                "workshop_id": c.workshop_id,
                "title": _title(c.title, MAX_TITLE_LENGTH),
                "date": _on(c.date),
            },
        )
    ]


# --- the backlog -------------------------------------------------------------------------


def add_item(state: WorkshopState, actor: Actor, c: AddItem) -> list[Event]:
    """A new item goes to the bottom of the backlog. One from a board note ("move to
    backlog", sent by the facilitator's page) names the note, and a note gives one item."""
    _member(state, actor)
    committee = _committee(state)
    if c.item_id in committee.items:
        raise DomainError("backlog.exists")
    if len(committee.items) >= MAX_ITEMS:
        raise DomainError("backlog.too_many", max=MAX_ITEMS)
    title = _title(c.title, MAX_ITEM_TITLE)
    description = _description(c.description)
    estimate = _estimate(c.estimate)
    owners, tags = _owners(c.owners), _tags(c.tags)
    source_workshop_id = c.source_workshop_id or None
    source_note_id = c.source_note_id or None
    if (source_workshop_id is None) != (source_note_id is None):
        raise DomainError("backlog.source")
    if source_workshop_id is not None and source_note_id is not None:
        facilitator_only(actor)
        if committee.source_item(source_workshop_id, source_note_id) is not None:
            raise DomainError("backlog.already_from_note")
    return [
        Event(
            ev.BACKLOG_ITEM_ADDED,
            {
                "item_id": c.item_id,
                "title": title,
                "description": description,
                "estimate": estimate,
                "owners": owners,
                "tags": tags,
                "position": _bottom(committee),
                "source_workshop_id": source_workshop_id,
                "source_note_id": source_note_id,
            },
        )
    ]


def edit_item(state: WorkshopState, actor: Actor, c: EditItem) -> list[Event]:
    """Words may change any time; the estimate of an item in a started sprint may not (the
    burndown counts it), and one in a sprint being planned must stay estimated."""
    _member(state, actor)
    committee = _committee(state)
    item = _item(committee, c.item_id)
    title = _title(c.title, MAX_ITEM_TITLE)
    description = _description(c.description)
    estimate = _estimate(c.estimate)
    owners, tags = _owners(c.owners), _tags(c.tags)
    if item.sprint_id is not None:
        sprint = committee.sprints[item.sprint_id]
        if sprint.status != "planning" and estimate != item.estimate:
            raise DomainError("sprint.log_closed")
        if estimate is None:
            raise DomainError("backlog.not_estimated")
    return [
        Event(
            ev.BACKLOG_ITEM_EDITED,
            {
                "item_id": item.id,
                "title": title,
                "description": description,
                "estimate": estimate,
                "owners": owners,
                "tags": tags,
            },
        )
    ]


def move_item(state: WorkshopState, actor: Actor, c: MoveItem) -> list[Event]:
    """Priority order: the event names the backlog's whole new order, so every client and the
    database end in the same order whatever moves crossed."""
    _member(state, actor)
    committee = _committee(state)
    item = _item(committee, c.item_id)
    if item.sprint_id is not None:
        raise DomainError("backlog.in_sprint")
    rest = [i.id for i in committee.backlog() if i.id != item.id]
    return [Event(ev.BACKLOG_ITEMS_REORDERED, {"order": _insert(rest, item.id, c.index)})]


def remove_item(state: WorkshopState, actor: Actor, c: RemoveItem) -> list[Event]:
    facilitator_only(actor)
    committee = _committee(state)
    item = _item(committee, c.item_id)
    if item.sprint_id is not None:
        _planning_log(committee.sprints[item.sprint_id])
    return [Event(ev.BACKLOG_ITEM_REMOVED, {"item_id": item.id, "sprint_id": item.sprint_id})]


# --- sprints -----------------------------------------------------------------------------


def create_sprint(state: WorkshopState, actor: Actor, c: CreateSprint) -> list[Event]:
    facilitator_only(actor)
    committee = _committee(state)
    if c.sprint_id in committee.sprints:
        raise DomainError("sprint.exists")
    if committee.test_group and committee.sprints:
        raise DomainError("sprint.test_group_one")
    if len(committee.sprints) >= MAX_SPRINTS:
        raise DomainError("sprint.too_many", max=MAX_SPRINTS)
    fields = _sprint_fields(committee, c, c.goal_ids)
    position = max((s.position for s in committee.sprints.values()), default=-1) + 1
    return [Event(ev.SPRINT_CREATED, {"sprint_id": c.sprint_id, **fields, "position": position})]


def edit_sprint(state: WorkshopState, actor: Actor, c: EditSprint) -> list[Event]:
    """While planning only. Goals keep their ids by position; goals added take the new ids the
    edge sent in the same places."""
    facilitator_only(actor)
    committee = _committee(state)
    sprint = _sprint(committee, c.sprint_id)
    _planning(sprint)
    if len(c.goal_ids) != len(c.goals):
        raise DomainError("sprint.goals", max=MAX_GOALS)
    kept = [g.id for g in sprint.goals]
    ids = [kept[i] if i < len(kept) else new for i, new in enumerate(c.goal_ids)]
    fields = _sprint_fields(committee, c, ids)
    total = committee.planned_total(sprint.id)
    if committee.capacity_rule == "refuse" and total > c.capacity:
        raise DomainError("sprint.over_capacity", total=total, capacity=c.capacity)
    return [Event(ev.SPRINT_EDITED, {"sprint_id": sprint.id, **fields})]


def plan_item(state: WorkshopState, actor: Actor, c: PlanItem) -> list[Event]:
    """The planned total against capacity: over it is refused, or accepted with `over` when
    the committee chose to be warned only."""
    _member(state, actor)
    committee = _committee(state)
    sprint = _sprint(committee, c.sprint_id)
    _planning(sprint)
    item = _item(committee, c.item_id)
    if item.sprint_id is not None:
        raise DomainError("backlog.in_sprint")
    if item.estimate is None:
        raise DomainError("backlog.not_estimated")
    total = committee.planned_total(sprint.id) + item.estimate
    over = total > sprint.capacity
    if over and committee.capacity_rule == "refuse":
        raise DomainError("sprint.over_capacity", total=total, capacity=sprint.capacity)
    return [
        Event(
            ev.SPRINT_ITEM_PLANNED,
            {
                "sprint_id": sprint.id,
                "item_id": item.id,
                "total": total,
                "capacity": sprint.capacity,
                "over": over,
                "board_position": _column_end(committee, sprint.id),
            },
        )
    ]


def unplan_item(state: WorkshopState, actor: Actor, c: UnplanItem) -> list[Event]:
    """Back to the bottom of the backlog, while its sprint is still being planned."""
    _member(state, actor)
    committee = _committee(state)
    item = _item(committee, c.item_id)
    if item.sprint_id is None:
        raise DomainError("backlog.not_planned")
    _planning(committee.sprints[item.sprint_id])
    return [
        Event(
            ev.SPRINT_ITEM_UNPLANNED,
            {"sprint_id": item.sprint_id, "item_id": item.id, "position": _bottom(committee)},
        )
    ]


def start_sprint(state: WorkshopState, actor: Actor, c: StartSprint) -> list[Event]:
    """The log closes. One sprint runs at a time; a restart after re-opened planning keeps
    the first start's date."""
    facilitator_only(actor)
    committee = _committee(state)
    sprint = _sprint(committee, c.sprint_id)
    if sprint.status == "running":
        raise DomainError("sprint.started")
    if sprint.status == "closed":
        raise DomainError("sprint.closed")
    planned = committee.planned(sprint.id)
    if not planned:
        raise DomainError("sprint.empty")
    if committee.running() is not None:
        raise DomainError("sprint.another_running")
    return [
        Event(
            ev.SPRINT_STARTED,
            {
                "sprint_id": sprint.id,
                "on": _on(c.on),
                "planned": [i.id for i in planned],
                "total": committee.planned_total(sprint.id),
            },
        )
    ]


def reopen_planning(state: WorkshopState, actor: Actor, c: ReopenPlanning) -> list[Event]:
    """The only way to change a started sprint's scope, recorded with its reason."""
    facilitator_only(actor)
    committee = _committee(state)
    sprint = _sprint(committee, c.sprint_id)
    if sprint.status != "running":
        raise DomainError("sprint.not_running")
    reason = clean_text(c.reason, field="reason", max_length=MAX_REASON, multiline=False)
    return [
        Event(
            ev.SPRINT_PLANNING_REOPENED,
            {"sprint_id": sprint.id, "reason": reason, "on": _on(c.on)},
        )
    ]


def set_item_status(state: WorkshopState, actor: Actor, c: SetItemStatus) -> list[Event]:
    """Move an item on the running sprint's board; the event names the target column's whole
    new order (a move within a column too)."""
    _member(state, actor)
    committee = _committee(state)
    item = _item(committee, c.item_id)
    sprint = committee.sprints.get(item.sprint_id or "")
    if sprint is None or sprint.status != "running":
        raise DomainError("sprint.not_running")
    status = next((s for s in ITEM_STATUSES if s == c.status), None)
    if status is None:
        raise DomainError("backlog.status")
    rest = [i.id for i in committee.column(sprint.id, status) if i.id != item.id]
    return [
        Event(
            ev.SPRINT_ITEM_MOVED,
            {
                "sprint_id": sprint.id,
                "item_id": item.id,
                "status": status,
                "order": _insert(rest, item.id, c.index),
                "on": _on(c.on),
            },
        )
    ]


def _unfinished_to(
    committee: Committee, sprint: Sprint, moves: Sequence[tuple[str, str | None]]
) -> list[list[str | None]]:
    """Each unfinished item exactly once, to the backlog (None) or a sprint still planning;
    in the sprint's planned order, so their order in the backlog is the one they had."""
    unfinished = [i.id for i in committee.planned(sprint.id) if i.status != "done"]
    named = [item_id for item_id, _ in moves]
    if sorted(named) != sorted(unfinished):
        raise DomainError("sprint.unfinished")
    targets = dict(moves)
    for target in targets.values():
        if target is None:
            continue
        nxt = committee.sprints.get(target)
        if nxt is None or nxt.id == sprint.id or nxt.status != "planning":
            raise DomainError("sprint.next_unknown")
    return [[item_id, targets[item_id]] for item_id in unfinished]


def _evaluations(
    sprint: Sprint, given: Sequence[tuple[str, str, str]]
) -> list[tuple[str, str, str]]:
    """Every goal judged exactly once, in the goals' order, with a note or none."""
    goal_ids = [g.id for g in sprint.goals]
    if sorted(g for g, _, _ in given) != sorted(goal_ids):
        raise DomainError("sprint.evaluations")
    judged: dict[str, tuple[str, str]] = {}
    for goal_id, evaluation, note in given:
        if evaluation not in EVALUATIONS:
            raise DomainError("sprint.evaluations")
        cleaned = (
            clean_text(note, field="note", max_length=MAX_EVALUATION_NOTE, multiline=True)
            if note.strip()
            else ""
        )
        judged[goal_id] = (evaluation, cleaned)
    return [(g, *judged[g]) for g in goal_ids]


def close_sprint(state: WorkshopState, actor: Actor, c: CloseSprint) -> list[Event]:
    """Unfinished items go back to the backlog or on to a sprint being planned, every goal is
    evaluated, and the report is frozen into the event."""
    facilitator_only(actor)
    committee = _committee(state)
    sprint = _sprint(committee, c.sprint_id)
    if sprint.status != "running":
        raise DomainError("sprint.not_running")
    moves = _unfinished_to(committee, sprint, c.unfinished_to)
    evaluations = _evaluations(sprint, c.evaluations)
    on = _on(c.on)
    return [
        Event(
            ev.SPRINT_CLOSED,
            {
                "sprint_id": sprint.id,
                "on": on,
                "unfinished_to": moves,
                "evaluations": [list(e) for e in evaluations],
                "report": freeze(state, sprint, on, evaluations),
            },
        )
    ]


def check_room_for_member(state: WorkshopState) -> None:
    """Gentofte's 100-day test groups are 2-4 people: a fifth is turned away at the door,
    whether they join themselves or the facilitator adds them as someone in the room."""
    committee = state.committee
    if committee is not None and committee.test_group and len(state.voters()) >= TEST_GROUP_MAX:
        raise DomainError("committee.test_group_full", max=TEST_GROUP_MAX)
