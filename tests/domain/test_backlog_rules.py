"""The committee's rules, through `decide` and `apply` (tests.domain.kit.Session): who may do
what, every refusal code, the capacity and closed-log rules, closing a sprint, the 100-day
test group, "move to backlog" on a meeting's note, and replaying the log."""

from __future__ import annotations

import pytest

from server.domain import events as ev
from server.domain.backlog import (
    HUNDRED_DAYS,
    MAX_CAPACITY,
    MAX_ESTIMATE,
    MAX_GOALS,
    MAX_ITEMS,
    MAX_MEETINGS,
    MAX_OWNERS,
    MAX_SPRINTS,
    MAX_TAGS,
    TEST_GROUP_MAX,
    Goal,
    Meeting,
    Party,
    Source,
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
    SendNoteToBacklog,
    SetItemStatus,
    SetUpCommittee,
    StartSprint,
    UnplanItem,
)
from server.domain.commands import (
    Actor,
    AddNote,
    AddRoomParticipant,
    Command,
    JoinWorkshop,
    KickParticipant,
)
from server.domain.errors import DomainError
from server.domain.workshop import replay
from tests.domain.backlog_kit import committee, committee_in, item, judged, sprint, two_sprints
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session

ON = "2026-11-02"


def planned() -> Session:
    """Items a 3, b 5 (both in sprint s1, capacity 10), c 2 and u (no estimate) in the backlog."""
    s = committee()
    for item_id, estimate in (("a", 3), ("b", 5), ("c", 2), ("u", None)):
        item(s, item_id, estimate)
    sprint(s, "s1", capacity=10)
    s.do(P1, PlanItem("s1", "a"))
    s.do(P2, PlanItem("s1", "b"))
    return s


def running() -> Session:
    s = planned()
    s.do(FAC, StartSprint("s1", ON))
    return s


def backlog_ids(s: Session) -> list[str]:
    assert s.state.committee is not None
    return [i.id for i in s.state.committee.backlog()]


def column_ids(s: Session, sprint_id: str, status: str) -> list[str]:
    assert s.state.committee is not None
    return [i.id for i in s.state.committee.column(sprint_id, status)]  # type: ignore[arg-type]


# --- who may -------------------------------------------------------------------------------

FACILITATOR_ONLY: list[Command] = [
    ChangeCapacityRule("warn"),
    AddMeeting("w9", "Møde", "2026-11-20"),
    RemoveItem("c"),
    CreateSprint("s9", "Sprint", ("Mål",), ("g9",), ON, ON, 5),
    EditSprint("s1", "Sprint", ("Mål",), ("g9",), ON, ON, 10),
    StartSprint("s1", ON),
    ReopenPlanning("s1", "Fordi", ON),
    CloseSprint("s1", (), (), ON),
]
MEMBERS: list[Command] = [
    AddItem("n9", "Ny opgave"),
    EditItem("c", "Opgave c", "", 2, (), ()),
    MoveItem("c", 0),
    PlanItem("s1", "c"),
    UnplanItem("a"),
]


@pytest.mark.parametrize("command", FACILITATOR_ONLY, ids=lambda c: type(c).__name__)
def test_the_facilitator_sets_up_and_runs_the_sprints(command: Command) -> None:
    s = planned()
    assert s.refused(P1, command) == "permission.facilitators_only"
    assert s.refused(SCREEN, command) == "permission.read_only"


@pytest.mark.parametrize("command", MEMBERS, ids=lambda c: type(c).__name__)
def test_members_write_order_and_plan_the_backlog(command: Command) -> None:
    s = planned()
    assert s.refused(SCREEN, command) == "permission.read_only"
    assert s.refused(Actor("participant", "stranger"), command) == "participant.unknown"
    s.do(FAC, KickParticipant(P1.id))
    assert s.refused(P1, command) == "participant.kicked"
    s.do(P2, command)


def test_the_sprint_board_is_the_members_too() -> None:
    s = running()
    command = SetItemStatus("a", "doing", 0, ON)
    assert s.refused(SCREEN, command) == "permission.read_only"
    assert s.refused(Actor("participant", "stranger"), command) == "participant.unknown"
    s.do(P3, command)
    s.do(FAC, SetItemStatus("a", "done", 0, ON))


@pytest.mark.parametrize(
    "command",
    [*FACILITATOR_ONLY, *MEMBERS, SetItemStatus("a", "done", 0, ON)],
    ids=lambda c: type(c).__name__,
)
def test_a_workshop_that_is_no_committee_has_no_backlog(command: Command) -> None:
    assert Session().refused(FAC, command) == "committee.none"


# --- the committee -------------------------------------------------------------------------


def test_a_committee_is_set_up_once_with_its_parties() -> None:
    s = committee()
    c = s.state.committee
    assert c is not None
    assert (c.name, c.unit, c.capacity_rule, c.political_seats, c.test_group) == (
        "Opgaveudvalg om Ungepolitik",
        "points",
        "refuse",
        5,
        False,
    )
    assert c.parties[:2] == (Party("C", 13), Party("A", 2))
    again = SetUpCommittee("Igen", "points", "refuse", (), 0)
    assert s.refused(FAC, again) == "committee.exists"
    assert s.refused(P1, again) == "permission.facilitators_only"


@pytest.mark.parametrize(
    ("parties", "seats", "code"),
    [
        ((), 3, "committee.parties"),
        ((("C", 13), ("C", 2)), 3, "committee.party_twice"),
        ((("C", 13), ("A", -1)), 3, "committee.party_seats"),
        ((("C", 13), ("A", 2)), 0, "committee.seats"),
        ((("C", 1), ("A", 1)), 3, "committee.seats"),
        ((("", 13),), 3, "party.empty"),
        ((("Det Konservative Folkeparti", 13),), 3, "party.too_long"),
    ],
)
def test_the_parties_are_checked_as_dhondt_checks_them(
    parties: tuple[tuple[str, int], ...], seats: int, code: str
) -> None:
    s = Session()
    assert s.refused(FAC, SetUpCommittee("Udvalg", "points", "refuse", parties, seats)) == code


def test_the_committee_needs_a_name_a_unit_and_a_capacity_rule() -> None:
    s = Session()
    assert s.refused(FAC, SetUpCommittee(" ", "points", "refuse", (), 0)) == "title.empty"
    assert s.refused(FAC, SetUpCommittee("U", "days", "refuse", (), 0)) == "committee.unit"
    bad_rule = SetUpCommittee("U", "hours", "maybe", (), 0)
    assert s.refused(FAC, bad_rule) == "committee.capacity_rule"
    s.do(FAC, SetUpCommittee(" Udvalg ", "hours", "warn", ((" C ", 13), ("A", 2)), 1))
    assert s.state.committee is not None
    assert s.state.committee.name == "Udvalg" and s.state.committee.parties[0] == Party("C", 13)


def test_a_tie_for_the_last_seat_is_accepted_for_drawing_lots() -> None:
    s = Session()
    s.do(FAC, SetUpCommittee("Udvalg", "points", "refuse", (("A", 2), ("B", 2)), 1))
    assert s.state.committee is not None and s.state.committee.political_seats == 1


def test_the_capacity_rule_may_change() -> None:
    s = committee()
    assert s.refused(FAC, ChangeCapacityRule("never")) == "committee.capacity_rule"
    s.do(FAC, ChangeCapacityRule("warn"))
    assert s.state.committee is not None and s.state.committee.capacity_rule == "warn"


def test_meetings_are_other_workshops_each_once() -> None:
    s = committee()
    s.do(FAC, AddMeeting("w2", " Møde 1 ", "2026-11-20"))
    assert s.state.committee is not None
    assert s.state.committee.meetings == (Meeting("w2", "Møde 1", "2026-11-20"),)
    assert s.refused(FAC, AddMeeting("w2", "Igen", "2026-11-20")) == "committee.meeting_exists"
    assert s.refused(FAC, AddMeeting("c1", "Mig selv", "2026-11-20")) == "committee.meeting_self"
    assert s.refused(FAC, AddMeeting("w3", "Møde", "20-11-2026")) == "date.invalid"
    for i in range(3, MAX_MEETINGS + 2):
        s.do(FAC, AddMeeting(f"w{i}", f"Møde {i}", "2026-11-20"))
    last = AddMeeting("w99", "For mange", "2026-11-20")
    assert s.refused(FAC, last) == "committee.too_many_meetings"


# --- the backlog ---------------------------------------------------------------------------


def test_items_go_to_the_bottom_cleaned() -> None:
    s = committee()
    s.do(
        P1,
        AddItem(
            "i1",
            " Ungeråd ",
            description=" Et råd \n for unge ",
            estimate=0,
            owners=("Ida", " ", "Bo", "Ida"),
            tags=("Unge", "unge", " ", "UNGE", "Skole"),
        ),
    )
    item(s, "i2", None, P2)
    c = s.state.committee
    assert c is not None
    i1 = c.items["i1"]
    assert (i1.title, i1.description, i1.estimate, i1.owners, i1.tags) == (
        "Ungeråd",
        "Et råd \n for unge",
        0,
        ("Ida", "Bo"),
        ("Unge", "Skole"),
    )
    assert (i1.position, c.items["i2"].position) == (0, 1)
    assert (i1.sprint_id, i1.status, i1.source) == (None, "todo", None)


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (AddItem("a", "Igen"), "backlog.exists"),
        (AddItem("n", " "), "title.empty"),
        (AddItem("n", "x" * 121), "title.too_long"),
        (AddItem("n", "T", description="x" * 2001), "description.too_long"),
        (AddItem("n", "T", description="a\x00b"), "description.control_characters"),
        (AddItem("n", "T", estimate=-1), "backlog.estimate"),
        (AddItem("n", "T", estimate=MAX_ESTIMATE + 1), "backlog.estimate"),
        (AddItem("n", "T", estimate=True), "backlog.estimate"),
        (AddItem("n", "T", owners=tuple(f"o{i}" for i in range(MAX_OWNERS + 1))), None),
        (AddItem("n", "T", owners=("x" * 61,)), "name.too_long"),
        (AddItem("n", "T", tags=tuple(f"t{i}" for i in range(MAX_TAGS + 1))), None),
        (AddItem("n", "T", tags=("x" * 31,)), "tag.too_long"),
        (AddItem("n", "T", tags=("a\nb",)), "tag.control_characters"),
        (AddItem("n", "T", source_workshop_id="w2"), "backlog.source"),
        (AddItem("n", "T", source_note_id="n1"), "backlog.source"),
    ],
)
def test_an_item_is_checked(command: AddItem, code: str | None) -> None:
    s = planned()
    if code is None:
        code = "backlog.too_many_owners" if command.owners else "backlog.too_many_tags"
    assert s.refused(P1, command) == code


def test_there_is_a_limit_to_items() -> None:
    s = committee()
    for i in range(MAX_ITEMS):
        item(s, f"i{i}", 1)
    assert s.refused(P1, AddItem("last", "For meget")) == "backlog.too_many"


def test_an_item_from_a_note_is_the_facilitators_and_once_per_note() -> None:
    s = committee()
    from_note = AddItem("n1", "Cykelstier", source_workshop_id="w2", source_note_id="note1")
    assert s.refused(P1, from_note) == "permission.facilitators_only"
    s.do(FAC, from_note)
    assert s.state.committee is not None
    assert s.state.committee.items["n1"].source == Source("w2", "note1")
    again = AddItem("n2", "Igen", source_workshop_id="w2", source_note_id="note1")
    assert s.refused(FAC, again) == "backlog.already_from_note"
    s.do(FAC, AddItem("n3", "Anden note", source_workshop_id="w2", source_note_id="note2"))
    s.do(FAC, AddItem("n4", "Andet møde", source_workshop_id="w3", source_note_id="note1"))


def test_an_items_words_change_any_time_its_estimate_only_while_planning() -> None:
    s = running()
    assert s.refused(P1, EditItem("nope", "T", "", 1, (), ())) == "backlog.unknown"
    assert s.refused(P1, EditItem("a", "T", "", 4, (), ())) == "sprint.log_closed"
    assert s.refused(P1, EditItem("a", "T", "", None, (), ())) == "sprint.log_closed"
    s.do(P1, EditItem("a", " Ny titel ", "Beskrivelse", 3, ("Ida",), ("unge",)))
    a = committee_in(s).items["a"]
    assert (a.title, a.description, a.estimate, a.owners, a.tags) == (
        "Ny titel",
        "Beskrivelse",
        3,
        ("Ida",),
        ("unge",),
    )
    s.do(P1, EditItem("c", "Opgave c", "", None, (), ()))  # in the backlog: any estimate
    s.do(FAC, ReopenPlanning("s1", "Ny viden", ON))
    assert s.refused(P1, EditItem("a", "T", "", None, (), ())) == "backlog.not_estimated"
    s.do(P1, EditItem("a", "T", "", 4, (), ()))
    assert committee_in(s).items["a"].estimate == 4


def test_the_backlog_is_reordered_as_a_whole_with_the_index_clamped() -> None:
    s = planned()
    item(s, "d", 1)
    assert backlog_ids(s) == ["c", "u", "d"]
    events = s.do(P2, MoveItem("d", 0))
    assert events[0].data == {"order": ["d", "c", "u"]}
    s.do(P1, MoveItem("d", 99))
    assert backlog_ids(s) == ["c", "u", "d"]
    s.do(P1, MoveItem("c", -5))
    s.do(P1, MoveItem("u", 1))
    assert backlog_ids(s) == ["c", "u", "d"]
    assert [i.position for i in committee_in(s).backlog()] == [0, 1, 2]
    assert s.refused(P1, MoveItem("a", 0)) == "backlog.in_sprint"
    assert s.refused(P1, MoveItem("nope", 0)) == "backlog.unknown"


def test_an_item_is_removed_from_the_backlog_or_a_sprint_being_planned_only() -> None:
    s = planned()
    s.do(FAC, RemoveItem("c"))
    s.do(FAC, RemoveItem("a"))  # planning: out of the sprint too
    c = s.state.committee
    assert c is not None and set(c.items) == {"b", "u"} and c.planned_total("s1") == 5
    assert s.refused(FAC, RemoveItem("a")) == "backlog.unknown"
    s.do(FAC, StartSprint("s1", ON))
    assert s.refused(FAC, RemoveItem("b")) == "sprint.log_closed"


# --- sprints -------------------------------------------------------------------------------


def test_a_sprint_is_created_with_goals_dates_and_capacity() -> None:
    s = committee()
    s.do(FAC, CreateSprint("s1", " Sprint 1 ", (" Høring ", "Forslag"), ("g1", "g2"), ON, ON, 1))
    sp = committee_in(s).sprints["s1"]
    assert (sp.name, sp.goals, sp.start, sp.end, sp.capacity, sp.position, sp.status) == (
        "Sprint 1",
        (Goal("g1", "Høring"), Goal("g2", "Forslag")),
        ON,
        ON,
        1,
        0,
        "planning",
    )
    sprint(s, "s2")
    assert committee_in(s).sprints["s2"].position == 1


ELEVEN_IDS = tuple(f"g{i}" for i in range(MAX_GOALS + 1))


@pytest.mark.parametrize(
    ("command", "code"),
    [
        (CreateSprint("s1", "Igen", ("M",), ("g",), ON, ON, 5), "sprint.exists"),
        (CreateSprint("n", "", ("M",), ("g",), ON, ON, 5), "title.empty"),
        (CreateSprint("n", "x" * 81, ("M",), ("g",), ON, ON, 5), "title.too_long"),
        (CreateSprint("n", "S", (), (), ON, ON, 5), "sprint.goals"),
        (CreateSprint("n", "S", ("M",) * (MAX_GOALS + 1), ELEVEN_IDS, ON, ON, 5), "sprint.goals"),
        (CreateSprint("n", "S", ("M", "N"), ("g",), ON, ON, 5), "sprint.goals"),
        (CreateSprint("n", "S", ("M", "N"), ("g", "g"), ON, ON, 5), "sprint.goals"),
        (CreateSprint("n", "S", (" ",), ("g",), ON, ON, 5), "goal.empty"),
        (CreateSprint("n", "S", ("x" * 301,), ("g",), ON, ON, 5), "goal.too_long"),
        (CreateSprint("n", "S", ("M",), ("g",), "2026-11-03", ON, 5), "sprint.dates"),
        (CreateSprint("n", "S", ("M",), ("g",), "2026-02-30", ON, 5), "sprint.dates"),
        (CreateSprint("n", "S", ("M",), ("g",), ON, "i morgen", 5), "sprint.dates"),
        (CreateSprint("n", "S", ("M",), ("g",), ON, ON, 0), "sprint.capacity"),
        (CreateSprint("n", "S", ("M",), ("g",), ON, ON, MAX_CAPACITY + 1), "sprint.capacity"),
    ],
)
def test_a_sprint_is_checked(command: CreateSprint, code: str) -> None:
    assert planned().refused(FAC, command) == code


def test_there_is_a_limit_to_sprints() -> None:
    s = committee()
    for i in range(MAX_SPRINTS):
        sprint(s, f"s{i}")
    assert s.refused(FAC, CreateSprint("x", "S", ("M",), ("g",), ON, ON, 5)) == "sprint.too_many"


def test_a_sprint_is_edited_while_planning_and_its_goals_keep_their_ids() -> None:
    s = planned()
    edit = EditSprint("s1", "Sprint A", ("Ny 1", "Ny 2", "Ny 3"), ("x1", "x2", "x3"), ON, ON, 8)
    s.do(FAC, edit)
    sp = committee_in(s).sprints["s1"]
    assert [g.id for g in sp.goals] == ["s1-g0", "s1-g1", "x3"]
    assert [g.text for g in sp.goals] == ["Ny 1", "Ny 2", "Ny 3"]
    assert (sp.name, sp.end, sp.capacity) == ("Sprint A", ON, 8)
    s.do(FAC, EditSprint("s1", "Sprint A", ("Kun en",), ("y1",), ON, ON, 8))
    assert [g.id for g in committee_in(s).sprints["s1"].goals] == ["s1-g0"]
    low = EditSprint("s1", "Sprint A", ("M",), ("g",), ON, ON, 7)
    assert s.refused(FAC, low) == "sprint.over_capacity"
    assert s.refused(FAC, EditSprint("s1", "S", ("M",), (), ON, ON, 9)) == "sprint.goals"
    assert s.refused(FAC, EditSprint("nope", "S", ("M",), ("g",), ON, ON, 9)) == "sprint.unknown"
    s.do(FAC, ChangeCapacityRule("warn"))
    s.do(FAC, low)  # warned, not refused
    s.do(FAC, StartSprint("s1", ON))
    assert s.refused(FAC, low) == "sprint.log_closed"


def test_over_capacity_is_refused_with_the_figures_or_accepted_with_a_warning() -> None:
    s = planned()  # 8 of 10 planned
    item(s, "big", 3)
    with pytest.raises(DomainError) as e:
        s.do(P1, PlanItem("s1", "big"))
    assert (e.value.code, e.value.params) == ("sprint.over_capacity", {"total": 11, "capacity": 10})
    events = s.do(P1, PlanItem("s1", "c"))
    assert events[0].data == {
        "sprint_id": "s1",
        "item_id": "c",
        "total": 10,
        "capacity": 10,
        "over": False,
        "board_position": 2,
    }
    s.do(FAC, ChangeCapacityRule("warn"))
    events = s.do(P1, PlanItem("s1", "big"))
    assert (events[0].data["total"], events[0].data["over"]) == (13, True)


def test_planning_needs_an_estimated_backlog_item_and_a_sprint_being_planned() -> None:
    s = planned()
    assert s.refused(P1, PlanItem("nope", "c")) == "sprint.unknown"
    assert s.refused(P1, PlanItem("s1", "nope")) == "backlog.unknown"
    assert s.refused(P1, PlanItem("s1", "a")) == "backlog.in_sprint"
    assert s.refused(P1, PlanItem("s1", "u")) == "backlog.not_estimated"
    sprint(s, "s2")
    assert s.refused(P1, PlanItem("s2", "a")) == "backlog.in_sprint"
    s.do(FAC, StartSprint("s1", ON))
    assert s.refused(P1, PlanItem("s1", "c")) == "sprint.log_closed"  # THE closed-log rule
    assert s.refused(P1, UnplanItem("a")) == "sprint.log_closed"
    assert s.refused(P1, UnplanItem("c")) == "backlog.not_planned"
    s.do(FAC, CloseSprint("s1", (("a", None), ("b", "s2")), judged(s, "s1"), ON))
    assert s.refused(P1, PlanItem("s1", "c")) == "sprint.closed"


def test_an_unplanned_item_goes_to_the_bottom_of_the_backlog() -> None:
    s = planned()
    s.do(P2, UnplanItem("a"))
    assert backlog_ids(s) == ["c", "u", "a"]
    a = committee_in(s).items["a"]
    assert (a.sprint_id, a.status) == (None, "todo")
    assert committee_in(s).planned_total("s1") == 5


def test_a_sprint_starts_with_items_one_at_a_time() -> None:
    s = planned()
    sprint(s, "s2")
    assert s.refused(FAC, StartSprint("s2", ON)) == "sprint.empty"
    assert s.refused(FAC, StartSprint("nope", ON)) == "sprint.unknown"
    assert s.refused(FAC, StartSprint("s1", "2.11.2026")) == "date.invalid"
    events = s.do(FAC, StartSprint("s1", ON))
    assert events[0].data == {"sprint_id": "s1", "on": ON, "planned": ["a", "b"], "total": 8}
    sp = committee_in(s).sprints["s1"]
    assert (sp.status, sp.started_on, sp.history) == ("running", ON, ((ON, 8),))
    assert s.refused(FAC, StartSprint("s1", ON)) == "sprint.started"
    s.do(P1, PlanItem("s2", "c"))
    assert s.refused(FAC, StartSprint("s2", ON)) == "sprint.another_running"


def test_reopened_planning_is_recorded_and_the_first_start_kept() -> None:
    s = running()
    assert s.refused(FAC, ReopenPlanning("s1", " ", ON)) == "reason.empty"
    assert s.refused(FAC, ReopenPlanning("s1", "x" * 301, ON)) == "reason.too_long"
    events = s.do(FAC, ReopenPlanning("s1", " Byrådet ændrede opgaven ", "2026-11-04"))
    assert events[0].data == {
        "sprint_id": "s1",
        "reason": "Byrådet ændrede opgaven",
        "on": "2026-11-04",
    }
    assert s.refused(FAC, ReopenPlanning("s1", "Igen", ON)) == "sprint.not_running"
    s.do(P1, PlanItem("s1", "c"))
    s.do(FAC, StartSprint("s1", "2026-11-05"))
    sp = committee_in(s).sprints["s1"]
    assert (sp.status, sp.started_on, sp.reopened) == ("running", ON, 1)
    assert sp.reopenings == (("2026-11-04", "Byrådet ændrede opgaven"),)
    assert sp.history == ((ON, 8), ("2026-11-05", 10))


def test_items_move_on_the_sprint_board_in_columns() -> None:
    s = running()
    item(s, "x", 1)
    assert s.refused(P1, SetItemStatus("x", "doing", 0, ON)) == "sprint.not_running"
    assert s.refused(P1, SetItemStatus("nope", "doing", 0, ON)) == "backlog.unknown"
    assert s.refused(P1, SetItemStatus("a", "blocked", 0, ON)) == "backlog.status"
    assert s.refused(P1, SetItemStatus("a", "done", 0, "i dag")) == "date.invalid"
    assert column_ids(s, "s1", "todo") == ["a", "b"]
    events = s.do(P1, SetItemStatus("b", "todo", 0, ON))  # within the column
    assert events[0].data == {
        "sprint_id": "s1",
        "item_id": "b",
        "status": "todo",
        "order": ["b", "a"],
        "on": ON,
    }
    s.do(P2, SetItemStatus("a", "doing", -3, ON))
    s.do(P2, SetItemStatus("b", "doing", 0, ON))
    assert column_ids(s, "s1", "doing") == ["b", "a"] and column_ids(s, "s1", "todo") == []
    s.do(P1, SetItemStatus("a", "done", 7, "2026-11-03"))
    assert committee_in(s).remaining("s1") == 5
    assert committee_in(s).sprints["s1"].history == ((ON, 8), ("2026-11-03", 5))


def test_closing_sends_every_unfinished_item_somewhere_and_evaluates_every_goal() -> None:
    s = running()
    sprint(s, "s2")
    sprint(s, "s3")
    s.do(P1, SetItemStatus("a", "done", 0, ON))
    goals = judged(s, "s1")
    assert s.refused(FAC, CloseSprint("s2", (), goals, ON)) == "sprint.not_running"
    assert s.refused(FAC, CloseSprint("nope", (), goals, ON)) == "sprint.unknown"
    for moves in ((), (("b", None), ("b", None)), (("a", None), ("b", None)), (("c", None),)):
        assert s.refused(FAC, CloseSprint("s1", moves, goals, ON)) == "sprint.unfinished"
    for target in ("s1", "nope"):
        bad = CloseSprint("s1", (("b", target),), goals, ON)
        assert s.refused(FAC, bad) == "sprint.next_unknown"
    for evaluations, code in (
        (goals[:1], "sprint.evaluations"),
        ((*goals, goals[0]), "sprint.evaluations"),
        ((goals[0], (goals[0][0], "met", "")), "sprint.evaluations"),
        (((goals[0][0], "maybe", ""), goals[1]), "sprint.evaluations"),
        (((goals[0][0], "met", "x" * 501), goals[1]), "note.too_long"),
        (((goals[0][0], "met", "a\x00"), goals[1]), "note.control_characters"),
    ):
        assert s.refused(FAC, CloseSprint("s1", (("b", "s2"),), evaluations, ON)) == code
    s.do(P1, PlanItem("s3", "c"))
    events = s.do(FAC, CloseSprint("s1", (("b", "s3"),), tuple(reversed(goals)), "2026-11-06"))
    d = events[0].data
    assert d["unfinished_to"] == [["b", "s3"]]
    assert d["evaluations"] == [["s1-g0", "met", "Godt arbejde"], ["s1-g1", "met", ""]]
    c = s.state.committee
    assert c is not None
    s1 = c.sprints["s1"]
    assert (s1.status, s1.closed_on) == ("closed", "2026-11-06")
    assert s1.goals[0] == Goal("s1-g0", "Høring af unge", "met", "Godt arbejde")
    assert (c.items["a"].sprint_id, c.items["a"].status) == ("s1", "done")
    assert (c.items["b"].sprint_id, c.items["b"].status) == ("s3", "todo")
    assert column_ids(s, "s3", "todo") == ["c", "b"]
    assert s.refused(FAC, CloseSprint("s1", (), goals, ON)) == "sprint.not_running"
    assert s.refused(FAC, ReopenPlanning("s1", "Igen", ON)) == "sprint.not_running"
    assert s.refused(FAC, StartSprint("s1", ON)) == "sprint.closed"
    assert s.refused(FAC, EditSprint("s1", "S", ("M",), ("g",), ON, ON, 9)) == "sprint.closed"
    assert s.refused(FAC, RemoveItem("a")) == "sprint.log_closed"
    assert s.refused(P1, EditItem("a", "T", "", 1, (), ())) == "sprint.log_closed"
    s.do(P1, EditItem("a", "Ny titel", "", 3, (), ()))


def test_unfinished_items_back_to_the_backlog_go_to_its_bottom_in_planned_order() -> None:
    s = running()
    s.do(P1, MoveItem("u", 0))
    s.do(FAC, CloseSprint("s1", (("b", None), ("a", None)), judged(s, "s1"), ON))
    assert backlog_ids(s) == ["u", "c", "a", "b"]


# --- the 100-day test group ----------------------------------------------------------------


def test_a_test_group_has_one_sprint_of_a_hundred_days() -> None:
    s = committee(test_group=True)
    assert s.state.committee is not None and s.state.committee.test_group
    short = CreateSprint("s1", "100 dage", ("Mål",), ("g",), "2026-11-02", "2027-02-08", 50)
    assert s.refused(FAC, short) == "sprint.hundred_days"
    s.do(FAC, CreateSprint("s1", "100 dage", ("Mål",), ("g",), "2026-11-02", "2027-02-09", 50))
    sp = committee_in(s).sprints["s1"]
    assert sp.end == "2027-02-09" and HUNDRED_DAYS == 100
    again = CreateSprint("s2", "Igen", ("Mål",), ("g",), "2027-03-01", "2027-06-08", 50)
    assert s.refused(FAC, again) == "sprint.test_group_one"
    edit = EditSprint("s1", "100 dage", ("Mål",), ("g",), "2026-11-03", "2027-02-09", 50)
    assert s.refused(FAC, edit) == "sprint.hundred_days"


def test_a_test_group_takes_at_most_four_members() -> None:
    s = committee(test_group=True)  # p1, p2 and p3 joined before
    p4, p5 = Actor("participant", "p4"), Actor("participant", "p5")
    s.do(p4, JoinWorkshop(p4.id, "Dorte", "Borger"))
    code = s.refused(p5, JoinWorkshop(p5.id, "Erik", "Borger"))
    assert code == "committee.test_group_full" and TEST_GROUP_MAX == 4
    in_room = AddRoomParticipant("p6", "Frida", "Borger")
    assert s.refused(FAC, in_room) == "committee.test_group_full"  # not by the side door either
    s.do(FAC, KickParticipant(P3.id))  # removed members do not count
    s.do(p5, JoinWorkshop(p5.id, "Erik", "Borger"))


def test_an_ordinary_committee_takes_any_number_of_members() -> None:
    s = committee()
    for i in range(4, 10):
        p = Actor("participant", f"p{i}")
        s.do(p, JoinWorkshop(p.id, None, "Borger"))


# --- move to backlog, on the meeting's stream ----------------------------------------------


def test_a_note_is_sent_to_the_backlog_once_by_the_facilitator() -> None:
    s = Session("w2")
    s.do(P1, AddNote("n1", "Cykelstier ved skolen"))
    command = SendNoteToBacklog("n1", "c1", "i1")
    assert s.refused(P1, command) == "permission.facilitators_only"
    assert s.refused(FAC, SendNoteToBacklog("nope", "c1", "i1")) == "note.unknown"
    events = s.do(FAC, command)
    assert events[0].type == ev.NOTE_SENT_TO_BACKLOG
    assert events[0].data == {
        "note_id": "n1",
        "board_id": "b1",
        "committee_id": "c1",
        "item_id": "i1",
    }
    assert s.state.notes["n1"].backlog == ("c1", "i1")
    assert s.refused(FAC, SendNoteToBacklog("n1", "c1", "i2")) == "note.in_backlog"


# --- replay --------------------------------------------------------------------------------


def test_the_scenario_uses_every_committee_event_type() -> None:
    s = two_sprints()
    s.do(FAC, AddMeeting("w2", "Møde", "2026-11-20"))
    s.do(P1, MoveItem("c", 0))
    s.do(FAC, RemoveItem("c"))
    sprint(s, "s3")
    s.do(FAC, EditSprint("s3", "Sprint 3", ("Mål",), ("g",), ON, ON, 9))
    types = {t for t in ev.EVENT_TYPES if t.startswith(("committee.", "backlog.", "sprint."))}
    assert types <= {e.type for e in s.log}


def test_replaying_the_log_gives_the_state_at_every_step() -> None:
    s = two_sprints()
    assert replay(s.log) == s.state
    for i in range(1, len(s.log) + 1):
        assert replay(s.log[:i]) == s.states[i - 1], s.log[i - 1]
