"""Wire schemas of a task committee's backlog and sprints: its client messages as typed commands.

As everywhere on the wire, types are checked here and ranges and rules by the domain
(`server.domain.backlog_rules`), so the group hears "the sprint's capacity is 20 points"
(`sprint.over_capacity`) rather than a wire error. Allowances for the HTML forms, which send
strings: an estimate or a capacity may come as a string of digits ("" or null: not estimated);
owners and tags as one comma-separated string; a sprint's goals as a textarea, one goal a line;
and `sprint.close` as flat form fields (`unfinished_<item_id>`, `evaluation_<goal_id>`,
`note_<goal_id>`) instead of its two objects.

The server makes the ids of new items, sprints and goals (`make_id`), and stamps the day a
sprint starts, re-opens, closes or an item moves on its board (`today`, Europe/Copenhagen): a
client sends neither. Setting a committee up, grouping a meeting into it and "move to backlog"
are HTTP forms (`server.web.committees`), never socket messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from server.domain.backlog_commands import (
    AddItem,
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
    StartSprint,
    UnplanItem,
)
from server.domain.commands import Command
from server.realtime.wire_fields import (
    ID_RE,
    MAX_INDEX,
    MAX_RAW_KEY,
    MAX_RAW_NAME,
    MAX_RAW_TITLE,
    Builder,
    Fields,
    req_form_int,
    req_id,
    req_int,
    req_text,
)

MAX_RAW_NUMBER = 2**31  # estimates, capacities: only typed here, the domain says the range
MAX_RAW_DESCRIPTION = 8000  # the domain allows 2000 after normalising
MAX_RAW_LIST = 100  # entries of a list (owners, tags, goals, a close's items and goals)
MAX_RAW_LIST_TEXT = 20_000  # a textarea of goals, or a comma-separated line of names
BACKLOG = "backlog"  # `sprint.close`: an unfinished item goes back to the backlog
UNFINISHED_PREFIX, EVALUATION_PREFIX, NOTE_PREFIX = "unfinished_", "evaluation_", "note_"
_SEPARATORS = re.compile(r"[,\n]")


# --- shapes shared by several messages ------------------------------------------------------


def _strings(f: Fields, name: str, value: Any, max_len: int) -> list[str]:
    """A JSON list of strings, each at most `max_len` characters, at most MAX_RAW_LIST."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise f.error("wire.wrong_type", name)
    if len(value) > MAX_RAW_LIST or any(len(v) > max_len for v in value):
        raise f.error("wire.too_long", name)
    return list(value)


def _names(f: Fields, name: str, *, required: bool = False) -> tuple[str, ...]:
    """Owners or tags: a JSON list of strings, or one string separated by commas (or lines), as
    a form's text field sends it. Blanks are dropped by the domain; null is none."""
    v = f.raw(name, required=required)
    if v is None:
        return ()
    if isinstance(v, str):
        if len(v) > MAX_RAW_LIST_TEXT:
            raise f.error("wire.too_long", name)
        parts = [p.strip() for p in _SEPARATORS.split(v)]
        return tuple(_strings(f, name, [p for p in parts if p], MAX_RAW_NAME))
    return tuple(_strings(f, name, v, MAX_RAW_NAME))


def _goals(f: Fields) -> tuple[str, ...]:
    """A sprint's goals: a JSON list of strings, or a textarea's text, one goal a line (blank
    lines dropped). How many, and how long, is the domain's (`sprint.goals`, `goal.*`)."""
    v = f.raw("goals")
    if isinstance(v, str):
        if len(v) > MAX_RAW_LIST_TEXT:
            raise f.error("wire.too_long", "goals")
        lines = [line.strip() for line in v.splitlines()]
        return tuple(_strings(f, "goals", [line for line in lines if line], MAX_RAW_TITLE))
    return tuple(_strings(f, "goals", v, MAX_RAW_TITLE))


def _estimate(f: Fields, *, required: bool) -> int | None:
    """A JSON integer or a form's digits; null or "": not estimated (yet)."""
    return f.form_integer(
        "estimate", low=-MAX_RAW_NUMBER, high=MAX_RAW_NUMBER, nullable=True, required=required
    )


def _description(f: Fields, *, required: bool) -> str:
    v = f.text("description", required=required, nullable=True, max_len=MAX_RAW_DESCRIPTION)
    return v or ""


# --- the committee and its backlog ----------------------------------------------------------


def _build_capacity_rule(f: Fields, b: Builder) -> Command:
    return ChangeCapacityRule(capacity_rule=req_text(f, "capacity_rule", MAX_RAW_KEY))


def _build_add_item(f: Fields, b: Builder) -> Command:
    """A new item at the bottom of the backlog. Never from a note here: "move to backlog" is the
    facilitator's HTTP form, which names the note (a client cannot forge the link)."""
    return AddItem(
        item_id=b.make_id(),
        title=req_text(f, "title", MAX_RAW_TITLE),
        description=_description(f, required=False),
        estimate=_estimate(f, required=False),
        owners=_names(f, "owners"),
        tags=_names(f, "tags"),
    )


def _build_edit_item(f: Fields, b: Builder) -> Command:
    """Every field is required (null or "" for an empty one): a client that only renames must
    not take an item's estimate, owners or tags away by leaving them out."""
    return EditItem(
        item_id=req_id(f, "item_id"),
        title=req_text(f, "title", MAX_RAW_TITLE),
        description=_description(f, required=True),
        estimate=_estimate(f, required=True),
        owners=_names(f, "owners", required=True),
        tags=_names(f, "tags", required=True),
    )


def _build_move_item(f: Fields, b: Builder) -> Command:
    """Priority order: past the end means last (the domain clamps)."""
    return MoveItem(item_id=req_id(f, "item_id"), index=req_int(f, "index", low=0, high=MAX_INDEX))


def _build_remove_item(f: Fields, b: Builder) -> Command:
    return RemoveItem(item_id=req_id(f, "item_id"))


# --- sprints --------------------------------------------------------------------------------


def _capacity(f: Fields) -> int:
    return req_form_int(f, "capacity", low=-MAX_RAW_NUMBER, high=MAX_RAW_NUMBER)


def _build_create_sprint(f: Fields, b: Builder) -> Command:
    name = req_text(f, "name", MAX_RAW_TITLE)
    goals = _goals(f)
    return CreateSprint(
        sprint_id=b.make_id(),
        name=name,
        goals=goals,
        goal_ids=tuple(b.make_id() for _ in goals),
        start=req_text(f, "start", MAX_RAW_KEY),
        end=req_text(f, "end", MAX_RAW_KEY),
        capacity=_capacity(f),
    )


def _build_edit_sprint(f: Fields, b: Builder) -> Command:
    """A new id for every goal: the domain keeps the old ids by position and takes new ones
    only for goals added at the end."""
    sprint_id = req_id(f, "sprint_id")
    name = req_text(f, "name", MAX_RAW_TITLE)
    goals = _goals(f)
    return EditSprint(
        sprint_id=sprint_id,
        name=name,
        goals=goals,
        goal_ids=tuple(b.make_id() for _ in goals),
        start=req_text(f, "start", MAX_RAW_KEY),
        end=req_text(f, "end", MAX_RAW_KEY),
        capacity=_capacity(f),
    )


def _build_plan_item(f: Fields, b: Builder) -> Command:
    return PlanItem(sprint_id=req_id(f, "sprint_id"), item_id=req_id(f, "item_id"))


def _build_unplan_item(f: Fields, b: Builder) -> Command:
    return UnplanItem(item_id=req_id(f, "item_id"))


def _build_start_sprint(f: Fields, b: Builder) -> Command:
    return StartSprint(sprint_id=req_id(f, "sprint_id"), on=b.today())


def _build_reopen_planning(f: Fields, b: Builder) -> Command:
    return ReopenPlanning(
        sprint_id=req_id(f, "sprint_id"), reason=req_text(f, "reason", MAX_RAW_TITLE), on=b.today()
    )


def _build_item_status(f: Fields, b: Builder) -> Command:
    """`index` left out: the end of the column (a keyboard's "move to Doing")."""
    item_id = req_id(f, "item_id")
    status = req_text(f, "status", MAX_RAW_KEY)
    index = f.integer("index", low=0, high=MAX_INDEX, nullable=True)
    return SetItemStatus(
        item_id=item_id, status=status, index=MAX_INDEX if index is None else index, on=b.today()
    )


# --- closing a sprint -----------------------------------------------------------------------


def _key_id(f: Fields, name: str, key: str) -> str:
    """An item's or goal's id used as a key (of an object, or in a form field's name)."""
    if not isinstance(key, str) or not ID_RE.match(key):
        raise f.error("wire.bad_id", name)
    return key


def _target(f: Fields, name: str, value: Any) -> str | None:
    """Where an unfinished item goes: "backlog", "" or null, or a sprint's id."""
    if value is None or value in ("", BACKLOG):
        return None
    if not isinstance(value, str):
        raise f.error("wire.wrong_type", name)
    return _key_id(f, name, value)


def _flat(f: Fields, prefix: str) -> list[tuple[str, str]]:
    """The form fields named `<prefix><id>`, in the order sent, each marked as read."""
    found = [(k, k[len(prefix) :]) for k in f.data if k.startswith(prefix)]
    for field, _ in found:
        f.used.add(field)
    if len(found) > MAX_RAW_LIST:
        raise f.error("wire.too_long", found[0][0])
    return found


def _unfinished(f: Fields) -> tuple[tuple[str, str | None], ...]:
    """`unfinished`: {item id: "backlog" | sprint id} or [[item id, sprint id | null]]; or the
    form's `unfinished_<item_id>` fields (not both)."""
    flat = _flat(f, UNFINISHED_PREFIX)
    if "unfinished" not in f.data:
        out: list[tuple[str, str | None]] = []
        for field, key in flat:
            out.append((_key_id(f, field, key), _target(f, field, f.data[field])))
        return tuple(out)
    if flat:
        raise f.error("wire.unknown_field", flat[0][0])
    v = f.raw("unfinished")
    if v is None:
        return ()
    pairs: list[tuple[Any, Any]]
    if isinstance(v, dict):
        pairs = list(v.items())
    elif isinstance(v, list) and all(isinstance(p, list) and len(p) == 2 for p in v):
        pairs = [(p[0], p[1]) for p in v]
    else:
        raise f.error("wire.wrong_type", "unfinished")
    if len(pairs) > MAX_RAW_LIST:
        raise f.error("wire.too_long", "unfinished")
    if not all(isinstance(t, str | None) for _, t in pairs):
        raise f.error("wire.wrong_type", "unfinished")
    return tuple(
        (_key_id(f, "unfinished", item), _target(f, "unfinished", target)) for item, target in pairs
    )


def _note(f: Fields, name: str, value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise f.error("wire.wrong_type", name)
    if len(value) > MAX_RAW_DESCRIPTION:
        raise f.error("wire.too_long", name)
    return value


def _evaluation(f: Fields, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise f.error("wire.wrong_type", name)
    if len(value) > MAX_RAW_KEY:
        raise f.error("wire.too_long", name)
    return value


def _flat_evaluations(f: Fields) -> tuple[tuple[str, str, str], ...]:
    """`evaluation_<goal_id>` (a radio) and `note_<goal_id>` (a textarea). A note without an
    evaluation (no radio chosen) goes on with none, for the domain to say every goal needs one."""
    judged: dict[str, str] = {}
    notes: dict[str, str] = {}
    for field, key in _flat(f, EVALUATION_PREFIX):
        judged[_key_id(f, field, key)] = _evaluation(f, field, f.data[field])
    for field, key in _flat(f, NOTE_PREFIX):
        notes[_key_id(f, field, key)] = _note(f, field, f.data[field])
    goals = list(dict.fromkeys([*judged, *notes]))
    return tuple((g, judged.get(g, ""), notes.get(g, "")) for g in goals)


def _evaluations(f: Fields) -> tuple[tuple[str, str, str], ...]:
    """`evaluations`: {goal id: {"evaluation", "note"?}} or [[goal id, evaluation, note]]; or
    the form's flat fields (not both)."""
    if "evaluations" not in f.data:
        return _flat_evaluations(f)
    for prefix in (EVALUATION_PREFIX, NOTE_PREFIX):
        flat = _flat(f, prefix)
        if flat:
            raise f.error("wire.unknown_field", flat[0][0])
    v = f.raw("evaluations")
    if v is None:
        return ()
    rows: list[tuple[Any, Any, Any]] = []
    if isinstance(v, dict):
        for goal, judged in v.items():
            if not isinstance(judged, dict) or not set(judged) <= {"evaluation", "note"}:
                raise f.error("wire.wrong_type", "evaluations")
            if "evaluation" not in judged:
                raise f.error("wire.missing_field", "evaluations")
            rows.append((goal, judged["evaluation"], judged.get("note")))
    elif isinstance(v, list) and all(isinstance(r, list) and len(r) == 3 for r in v):
        rows = [(r[0], r[1], r[2]) for r in v]
    else:
        raise f.error("wire.wrong_type", "evaluations")
    if len(rows) > MAX_RAW_LIST:
        raise f.error("wire.too_long", "evaluations")
    return tuple(
        (
            _key_id(f, "evaluations", goal),
            _evaluation(f, "evaluations", evaluation),
            _note(f, "evaluations", note),
        )
        for goal, evaluation, note in rows
    )


def _build_close_sprint(f: Fields, b: Builder) -> Command:
    """Which items and goals there are is the domain's to check (`sprint.unfinished`,
    `sprint.evaluations`): the wire layer only reads the shapes."""
    sprint_id = req_id(f, "sprint_id")
    return CloseSprint(
        sprint_id=sprint_id,
        unfinished_to=_unfinished(f),
        evaluations=_evaluations(f),
        on=b.today(),
    )


BACKLOG_BUILDERS: dict[str, Callable[[Fields, Builder], Command]] = {
    "committee.capacity_rule": _build_capacity_rule,
    "item.add": _build_add_item,
    "item.edit": _build_edit_item,
    "item.move": _build_move_item,
    "item.remove": _build_remove_item,
    "sprint.create": _build_create_sprint,
    "sprint.edit": _build_edit_sprint,
    "sprint.plan": _build_plan_item,
    "sprint.unplan": _build_unplan_item,
    "sprint.start": _build_start_sprint,
    "sprint.reopen": _build_reopen_planning,
    "item.status": _build_item_status,
    "sprint.close": _build_close_sprint,
}
