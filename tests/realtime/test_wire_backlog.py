"""A committee's client messages: the shapes tests/realtime/test_wire.py's generic table cannot
check (names and goals as lists or form text, estimates as digits or blank, `sprint.close` as
objects, lists or flat form fields), the ids the server makes, and the date it stamps."""

from __future__ import annotations

import datetime
import itertools
import json
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from server.domain.backlog_commands import (
    AddItem,
    CloseSprint,
    CreateSprint,
    EditItem,
    EditSprint,
    ReopenPlanning,
    SetItemStatus,
    StartSprint,
)
from server.realtime.wire import (
    CLIENT_MESSAGE_TYPES,
    CommandRequest,
    WireError,
    copenhagen_today,
    parse_client_message,
    wall_clock_ms,
)
from server.realtime.wire_backlog import BACKLOG_BUILDERS
from server.realtime.wire_fields import MAX_INDEX

Json = dict[str, Any]
TODAY = "2026-11-23"


def counter() -> Callable[[], str]:
    n = itertools.count(1)
    return lambda: f"new{next(n)}"


def parse(msg: Json, today: Callable[[], str] = lambda: TODAY) -> Any:
    return parse_client_message(json.dumps(msg), counter(), None, wall_clock_ms, today)


def command(type_: str, **fields: Any) -> Any:
    m = parse({"type": type_, "command_id": "cmd-0001", **fields})
    assert isinstance(m, CommandRequest) and m.type == type_
    return m.command


def refused(type_: str, **fields: Any) -> WireError:
    with pytest.raises(WireError) as e:
        parse({"type": type_, "command_id": "cmd-0001", **fields})
    assert e.value.command_id == "cmd-0001"
    return e.value


SPRINT = {"name": "Sprint 1", "goals": ["Høring"], "start": "2026-11-02", "end": "2026-11-15"}


# --- what the server decides: ids and the date ----------------------------------------------


def test_every_committee_message_is_a_known_client_message() -> None:
    assert set(BACKLOG_BUILDERS) <= set(CLIENT_MESSAGE_TYPES)
    # Set-up, meetings and "move to backlog" are HTTP forms, never socket messages.
    for t in ("committee.set_up", "committee.meeting", "meeting.add", "note.backlog"):
        assert t not in CLIENT_MESSAGE_TYPES


def test_the_server_makes_the_ids_of_new_items_sprints_and_goals() -> None:
    assert command("item.add", title="Ungeråd") == AddItem("new1", "Ungeråd")
    c = command("sprint.create", **{**SPRINT, "goals": ["Høring", "Forslag"]}, capacity=20)
    assert c == CreateSprint(
        "new1", "Sprint 1", ("Høring", "Forslag"), ("new2", "new3"), "2026-11-02", "2026-11-15", 20
    )
    c = command("sprint.edit", sprint_id="s1", **{**SPRINT, "goals": "A\nB\nC"}, capacity=5)
    assert c == EditSprint(
        "s1", "Sprint 1", ("A", "B", "C"), ("new1", "new2", "new3"), "2026-11-02", "2026-11-15", 5
    )


@pytest.mark.parametrize(
    ("type_", "fields", "sent"),
    [
        ("item.add", {"title": "T"}, {"item_id": "mine1"}),
        ("item.add", {"title": "T"}, {"source_workshop_id": "w1", "source_note_id": "n1"}),
        ("sprint.create", {**SPRINT, "capacity": 5}, {"sprint_id": "mine1"}),
        ("sprint.create", {**SPRINT, "capacity": 5}, {"goal_ids": ["g1"]}),
        ("sprint.start", {"sprint_id": "s1"}, {"on": "2026-01-01"}),
        ("sprint.reopen", {"sprint_id": "s1", "reason": "R"}, {"on": "2026-01-01"}),
        ("item.status", {"item_id": "i1", "status": "done"}, {"on": "2026-01-01"}),
        ("sprint.close", {"sprint_id": "s1"}, {"on": "2026-01-01"}),
    ],
)
def test_a_client_sends_neither_new_ids_nor_a_note_link_nor_the_date(
    type_: str, fields: Json, sent: Json
) -> None:
    e = refused(type_, **fields, **sent)
    assert e.code == "wire.unknown_field" and e.field in sent


def test_the_day_is_stamped_by_the_server_and_read_only_when_a_command_needs_it() -> None:
    reads: list[str] = []

    def today() -> str:
        reads.append(TODAY)
        return TODAY

    def cmd(type_: str, **fields: Any) -> Any:
        m = parse({"type": type_, "command_id": "cmd-0001", **fields}, today)
        return m.command

    assert cmd("sprint.start", sprint_id="s1") == StartSprint("s1", TODAY)
    assert cmd("sprint.reopen", sprint_id="s1", reason="Ny opgave") == ReopenPlanning(
        "s1", "Ny opgave", TODAY
    )
    assert cmd("item.status", item_id="i1", status="done", index=2) == SetItemStatus(
        "i1", "done", 2, TODAY
    )
    assert cmd("sprint.close", sprint_id="s1") == CloseSprint("s1", (), (), TODAY)
    assert len(reads) == 4
    cmd("item.add", title="T")
    cmd("sprint.plan", sprint_id="s1", item_id="i1")
    cmd("item.move", item_id="i1", index=0)
    assert len(reads) == 4


def test_today_is_the_date_in_copenhagen() -> None:
    before = datetime.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    got = datetime.date.fromisoformat(copenhagen_today())
    after = datetime.datetime.now(ZoneInfo("Europe/Copenhagen")).date()
    assert before <= got <= after
    m = parse_client_message(
        json.dumps({"type": "sprint.start", "command_id": "cmd-0001", "sprint_id": "s1"}),
        counter(),
    )
    assert isinstance(m, CommandRequest) and isinstance(m.command, StartSprint)
    assert before <= datetime.date.fromisoformat(m.command.on) <= after


# --- items --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "want"),
    [
        ("Ida, Bo", ("Ida", "Bo")),
        ("Ida,, Bo ,", ("Ida", "Bo")),
        ("Ida\nBo", ("Ida", "Bo")),
        ("", ()),
        (None, ()),
        ([], ()),
        (["Ida", " "], ("Ida", " ")),  # a list goes as it is: the domain drops blanks
    ],
)
def test_owners_and_tags_come_as_a_list_or_one_comma_separated_string(
    owners: Any, want: tuple[str, ...]
) -> None:
    c = command("item.add", title="T", owners=owners, tags=owners)
    assert (c.owners, c.tags) == (want, want)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (5, "wire.wrong_type"),
        ({"Ida": 1}, "wire.wrong_type"),
        (["Ida", 5], "wire.wrong_type"),
        ([["Ida"]], "wire.wrong_type"),
        (["x" * 201], "wire.too_long"),
        (["x"] * 101, "wire.too_long"),
        ("x" * 20_001, "wire.too_long"),
    ],
)
def test_owners_of_the_wrong_shape_are_named(value: Any, code: str) -> None:
    e = refused("item.add", title="T", owners=value)
    assert (e.code, e.field) == (code, "owners")


@pytest.mark.parametrize(
    ("estimate", "want"),
    [("3", 3), (3, 3), ("", None), (None, None), ("0", 0), (-1, -1), ("5000", 5000)],
)
def test_an_estimate_is_a_number_or_digits_and_blank_means_not_estimated(
    estimate: Any, want: int | None
) -> None:
    """The range (0 to 1000) is the domain's: `backlog.estimate` names it."""
    assert command("item.add", title="T", estimate=estimate).estimate == want


@pytest.mark.parametrize("estimate", ["3.5", "tre", " 3", 3.0, True, [3]])
def test_an_estimate_that_is_no_whole_number_is_refused(estimate: Any) -> None:
    e = refused("item.add", title="T", estimate=estimate)
    assert (e.code, e.field) == ("wire.wrong_type", "estimate")


def test_item_add_leaves_out_what_it_does_not_know_yet() -> None:
    c = command("item.add", title="Ungeråd", description=None)
    assert c == AddItem("new1", "Ungeråd", "", None, (), ())


@pytest.mark.parametrize("missing", ["title", "description", "estimate", "owners", "tags"])
def test_item_edit_needs_every_field_so_nothing_is_lost_by_leaving_it_out(missing: str) -> None:
    fields: Json = {
        "item_id": "i1",
        "title": "T",
        "description": "",
        "estimate": "",
        "owners": "",
        "tags": [],
    }
    assert command("item.edit", **fields) == EditItem("i1", "T", "", None, (), ())
    del fields[missing]
    e = refused("item.edit", **fields)
    assert (e.code, e.field) == ("wire.missing_field", missing)


def test_an_item_moves_on_the_sprint_board_to_the_end_of_a_column_without_an_index() -> None:
    assert command("item.status", item_id="i1", status="doing").index == MAX_INDEX
    assert command("item.status", item_id="i1", status="doing", index=None).index == MAX_INDEX
    e = refused("item.status", item_id="i1", status="doing", index="1")
    assert (e.code, e.field) == ("wire.wrong_type", "index")


# --- sprints ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goals", "want"),
    [
        ("Høring af unge\n\n  Forslag til byrådet  \n", ("Høring af unge", "Forslag til byrådet")),
        ("Høring\r\nForslag", ("Høring", "Forslag")),
        (["Høring", "Forslag"], ("Høring", "Forslag")),
        ("", ()),  # none: the domain's `sprint.goals`
        ([], ()),
    ],
)
def test_goals_come_as_a_list_or_one_a_line(goals: Any, want: tuple[str, ...]) -> None:
    c = command("sprint.create", **{**SPRINT, "goals": goals}, capacity="20")
    assert c.goals == want and len(c.goal_ids) == len(want)


@pytest.mark.parametrize(
    ("goals", "code"), [(None, "wire.wrong_type"), ([1], "wire.wrong_type"), (5, "wire.wrong_type")]
)
def test_goals_of_the_wrong_shape_are_named(goals: Any, code: str) -> None:
    e = refused("sprint.create", **{**SPRINT, "goals": goals}, capacity=20)
    assert (e.code, e.field) == (code, "goals")


@pytest.mark.parametrize("capacity", [0, -5, 20_000, "0"])
def test_a_capacity_out_of_the_domain_s_range_goes_to_the_domain(capacity: Any) -> None:
    """So the facilitator hears the range (`sprint.capacity`), not a wire error."""
    assert command("sprint.create", **SPRINT, capacity=capacity).capacity == int(capacity)


def test_dates_go_to_the_domain_as_they_are() -> None:
    c = command("sprint.create", **{**SPRINT, "start": "22/11/2026"}, capacity=5)
    assert c.start == "22/11/2026"  # the domain says `sprint.dates`


# --- closing a sprint -----------------------------------------------------------------------


def close(**fields: Any) -> CloseSprint:
    c = command("sprint.close", sprint_id="s1", **fields)
    assert isinstance(c, CloseSprint)
    return c


def test_a_close_as_json_objects() -> None:
    c = close(
        unfinished={"i1": "backlog", "i2": "s2", "i3": None, "i4": ""},
        evaluations={
            "g1": {"evaluation": "met", "note": "Godt"},
            "g2": {"evaluation": "not_met"},
            "g3": {"evaluation": "partly", "note": None},
        },
    )
    assert c.unfinished_to == (("i1", None), ("i2", "s2"), ("i3", None), ("i4", None))
    assert c.evaluations == (("g1", "met", "Godt"), ("g2", "not_met", ""), ("g3", "partly", ""))
    assert c.on == TODAY


def test_a_close_as_the_event_s_lists() -> None:
    c = close(unfinished=[["i1", None], ["i2", "s2"]], evaluations=[["g1", "met", "Godt"]])
    assert c.unfinished_to == (("i1", None), ("i2", "s2"))
    assert c.evaluations == (("g1", "met", "Godt"),)


def test_a_close_as_a_form_sends_it() -> None:
    c = close(
        unfinished_i1="backlog",
        unfinished_i2="s2",
        evaluation_g1="met",
        note_g1="Godt arbejde",
        evaluation_g2="partly",
        note_g2="",
        note_g3="Ingen valgt",
    )
    assert c.unfinished_to == (("i1", None), ("i2", "s2"))
    # A goal with a note but no choice goes on without one: the domain's `sprint.evaluations`.
    assert c.evaluations == (
        ("g1", "met", "Godt arbejde"),
        ("g2", "partly", ""),
        ("g3", "", "Ingen valgt"),
    )


def test_a_close_of_a_sprint_with_nothing_left_and_no_goals_judged_goes_to_the_domain() -> None:
    assert close() == CloseSprint("s1", (), (), TODAY)
    assert close(unfinished=None, evaluations=None) == CloseSprint("s1", (), (), TODAY)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        (
            {"unfinished": {"i1": "backlog"}, "unfinished_i2": "backlog"},
            "wire.unknown_field",
            "unfinished_i2",
        ),
        ({"evaluations": {}, "evaluation_g1": "met"}, "wire.unknown_field", "evaluation_g1"),
        ({"evaluations": [], "note_g1": "x"}, "wire.unknown_field", "note_g1"),
        ({"unfinished": {"i-1": "backlog"}}, "wire.bad_id", "unfinished"),
        ({"unfinished": {"i1": "s-2"}}, "wire.bad_id", "unfinished"),
        ({"unfinished": {"i1": 5}}, "wire.wrong_type", "unfinished"),
        ({"unfinished": [["i1"]]}, "wire.wrong_type", "unfinished"),
        ({"unfinished": "i1"}, "wire.wrong_type", "unfinished"),
        ({"unfinished_i-1": "backlog"}, "wire.bad_id", "unfinished_i-1"),
        ({"unfinished_i1": 5}, "wire.wrong_type", "unfinished_i1"),
        ({"evaluations": {"g1": "met"}}, "wire.wrong_type", "evaluations"),
        ({"evaluations": {"g1": {"note": "x"}}}, "wire.missing_field", "evaluations"),
        (
            {"evaluations": {"g1": {"evaluation": "met", "why": "x"}}},
            "wire.wrong_type",
            "evaluations",
        ),
        ({"evaluations": {"g1": {"evaluation": 1}}}, "wire.wrong_type", "evaluations"),
        ({"evaluations": [["g1", "met"]]}, "wire.wrong_type", "evaluations"),
        ({"evaluation_g1": True}, "wire.wrong_type", "evaluation_g1"),
        ({"note_g1": "x" * 8001}, "wire.too_long", "note_g1"),
        ({"unfinished": {f"i{n}": None for n in range(101)}}, "wire.too_long", "unfinished"),
    ],
)
def test_a_close_of_the_wrong_shape_is_named(fields: Json, code: str, field: str) -> None:
    e = refused("sprint.close", sprint_id="s1", **fields)
    assert (e.code, e.field) == (code, field)
