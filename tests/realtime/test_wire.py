"""Strict parsing of client messages."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

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
from server.domain.boards import TEMPLATES
from server.domain.commands import (
    AddCard,
    AddCluster,
    AddColumn,
    AddComment,
    AddNote,
    AddRoom,
    AddRoomParticipant,
    AddStation,
    AnswerQuiz,
    CallMe,
    CarryTopNotes,
    CastVote,
    ChangeBoardSettings,
    ChooseSide,
    CloseQuestion,
    Command,
    CreateBoard,
    CreateQuestion,
    DeleteComment,
    DeleteNote,
    EditCard,
    EditNote,
    EditQuestion,
    EditRoom,
    EditStation,
    EndDots,
    EraseParticipant,
    HideCards,
    HideNote,
    KickParticipant,
    MergeNotes,
    MoveColumn,
    MoveNote,
    NextCard,
    OpenQuestion,
    PlaceDot,
    PlaceStation,
    ReactToNote,
    RemoveCard,
    RemoveCluster,
    RemoveColumn,
    RemoveDot,
    RemoveRoom,
    RemoveStation,
    RenameBoard,
    RenameCluster,
    RenameColumn,
    ReorderStation,
    ResolveCall,
    RevealBoard,
    RevealCard,
    RevealQuestion,
    SetProgrammeItem,
    ShowBoard,
    ShowCard,
    Spotlight,
    StartDots,
    StartPrivateWriting,
    StartTimer,
    StationContent,
    StopTimer,
    TurnNoteAround,
    UpdateParticipant,
)
from server.realtime.wire import (
    CLIENT_MESSAGE_TYPES,
    ClientMessage,
    CommandRequest,
    Editing,
    Hello,
    Ping,
    TemplateTitles,
    Visiting,
    WireError,
    parse_client_message,
    template_titles_from,
    wall_clock_ms,
)

ids = itertools.count()


def make_id() -> str:
    return f"id{next(ids)}"


def test_valid_messages_become_typed_commands() -> None:
    m = parse_client_message('{"type":"note.add","command_id":"abcdefgh","text":"hej"}', make_id)
    assert isinstance(m, CommandRequest) and isinstance(m.command, AddNote)
    assert m.command.text == "hej" and m.command_id == "abcdefgh"
    m = parse_client_message(
        '{"type":"note.delete","command_id":"abcdefgh","note_id":"n1"}', make_id
    )
    assert isinstance(m, CommandRequest) and m.command == DeleteNote("n1")
    m = parse_client_message(
        '{"type":"participant.update","command_id":"abcdefgh","display_name":null,"group":"Borger"}',
        make_id,
    )
    assert isinstance(m, CommandRequest) and m.command == UpdateParticipant(None, "Borger")
    assert parse_client_message('{"type":"hello","since":5,"epoch":"abc"}', make_id) == Hello(
        5, "abc"
    )
    assert parse_client_message('{"type":"hello","since":null,"epoch":null}', make_id) == Hello(
        None, None
    )
    assert parse_client_message(b'{"type":"ping"}', make_id) == Ping()


def test_htmx_headers_object_is_ignored_but_must_be_an_object() -> None:
    raw = '{"type":"note.add","command_id":"abcdefgh","text":"x","headers":{"HX-Request":"true"}}'
    assert isinstance(parse_client_message(raw, make_id), CommandRequest)
    with pytest.raises(WireError) as e:
        parse_client_message(
            '{"type":"note.add","command_id":"abcdefgh","text":"x","headers":"x"}', make_id
        )
    assert e.value.code == "wire.wrong_type"


@pytest.mark.parametrize(
    ("since", "code"),
    [
        ("1.0", "wire.wrong_type"),
        ("1e1", "wire.wrong_type"),
        ("true", "wire.wrong_type"),
        ('"7"', "wire.wrong_type"),
        ('"٧"', "wire.wrong_type"),
        ("-1", "wire.out_of_range"),
        ("NaN", "wire.not_a_number"),
        ("-Infinity", "wire.not_a_number"),
        ("-0.0", "wire.wrong_type"),
    ],
)
def test_integers_are_strict(since: str, code: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(f'{{"type":"hello","since":{since}}}', make_id)
    assert e.value.code == code


def test_command_id_is_echoed_in_errors_when_readable() -> None:
    with pytest.raises(WireError) as e:
        parse_client_message('{"type":"note.add","command_id":"abcdefgh","text":5}', make_id)
    assert e.value.command_id == "abcdefgh" and e.value.field == "text"


@pytest.mark.parametrize(
    "cid", ['"short"', '"has space in it"', '"' + "x" * 65 + '"', "123456789", '"abcdefgh\\n"']
)
def test_bad_command_ids(cid: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(f'{{"type":"note.add","command_id":{cid},"text":"x"}}', make_id)
    assert e.value.code == "wire.bad_id"


# --- every client message type ----------------------------------------------------------------

Json = dict[str, Any]


def counter() -> Callable[[], str]:
    """Ids "new1", "new2", ... in the order the parser asks for them."""
    n = itertools.count(1)
    return lambda: f"new{next(n)}"


NOW_MS = 1_790_000_000_000  # the server's wall clock, as `parse` tells the parser
TODAY = "2026-11-23"  # the server's date in Copenhagen, as `parse` tells the parser


def parse(msg: Json, titles: TemplateTitles | None = None) -> ClientMessage:
    return parse_client_message(json.dumps(msg), counter(), titles, lambda: NOW_MS, lambda: TODAY)


def cmd(type_: str, **fields: Any) -> Json:
    return {"type": type_, "command_id": "cmd-0001", **fields}


# One accepted example per client message type, with what it must parse to.
ACCEPTED: list[tuple[Json, ClientMessage | Command]] = [
    ({"type": "hello", "since": 3, "epoch": "e1"}, Hello(3, "e1")),
    ({"type": "ping", "t": 1_790_000_000_123}, Ping(t=1_790_000_000_123)),
    ({"type": "note.editing", "note_id": "n1"}, Editing("n1")),
    (
        cmd("participant.update", display_name="Mette", group="Borger"),
        UpdateParticipant("Mette", "Borger"),
    ),
    (cmd("participant.kick", participant_id="p1"), KickParticipant("p1")),
    (
        cmd("participant.erase", participant_id="p1", notes="anonymise"),
        EraseParticipant("p1", "anonymise"),
    ),
    (
        cmd("board.create", title="Idébank", template="idea_bank"),
        CreateBoard(
            board_id="new1",
            title="Idébank",
            template="idea_bank",
            column_ids=("new2", "new3", "new4"),
            column_titles=("ideas", "semifinal", "final"),
        ),
    ),
    (cmd("board.rename", board_id="b1", title="Ny titel"), RenameBoard("b1", "Ny titel")),
    (cmd("board.settings", board_id="b1", locked=True), ChangeBoardSettings("b1", locked=True)),
    (cmd("board.private", board_id="b1"), StartPrivateWriting("b1")),
    (cmd("board.reveal", board_id="b1"), RevealBoard("b1")),
    (cmd("board.show", board_id="b1"), ShowBoard("b1")),
    (cmd("column.add", board_id="b1", title="Senere"), AddColumn("b1", "new1", "Senere")),
    (cmd("column.rename", column_id="c1", title="Nu"), RenameColumn("c1", "Nu")),
    (cmd("column.move", column_id="c1", index=2), MoveColumn("c1", 2)),
    (cmd("column.remove", column_id="c1", move_notes_to="c2"), RemoveColumn("c1", "c2")),
    (
        cmd("note.add", text="Bænke", board_id="b1", column_id="c1", color="blue"),
        AddNote("new1", "Bænke", board_id="b1", column_id="c1", color="blue"),
    ),
    (
        cmd("note.edit", note_id="n1", version=3, text="Ny", color="pink"),
        EditNote("n1", 3, text="Ny", color="pink"),
    ),
    (cmd("note.delete", note_id="n1"), DeleteNote("n1")),
    (cmd("note.hide", note_id="n1", hidden=False), HideNote("n1", hidden=False)),
    (
        cmd("note.move", note_id="n1", column_id="c2", index=0, cluster_id="k1"),
        MoveNote("n1", "c2", 0, cluster_id="k1"),
    ),
    (cmd("note.turn", note_id="n1", text="Positivt"), TurnNoteAround("n1", "new1", "Positivt")),
    (cmd("note.merge", note_id="n1", into_id="n2"), MergeNotes("n1", "n2")),
    (cmd("note.react", note_id="n1"), ReactToNote("n1")),
    (cmd("comment.add", note_id="n1", text="Enig"), AddComment("n1", "new1", "Enig")),
    (cmd("comment.delete", comment_id="m1"), DeleteComment("m1")),
    (cmd("cluster.add", column_id="c1", title="Trafik"), AddCluster("c1", "new1", "Trafik")),
    (cmd("cluster.rename", cluster_id="k1", title="Lys"), RenameCluster("k1", "Lys")),
    (cmd("cluster.remove", cluster_id="k1"), RemoveCluster("k1")),
    (
        cmd("participant.add", display_name="Else", group="Borger"),
        AddRoomParticipant("new1", "Else", "Borger"),
    ),
    (
        cmd(
            "question.create",
            text="I hvilken grad kan visionen bruges?",
            low_label="Slet ikke",
            high_label="Helt",
            ask_comment=True,
            anonymous=False,
            min_group=5,
        ),
        CreateQuestion(
            "new1",
            "I hvilken grad kan visionen bruges?",
            low_label="Slet ikke",
            high_label="Helt",
            ask_comment=True,
            anonymous=False,
            min_group=5,
        ),
    ),
    (
        cmd("question.edit", question_id="q1", text="Ny ordlyd", min_group=None),
        EditQuestion("q1", "Ny ordlyd"),
    ),
    (cmd("question.open", question_id="q1"), OpenQuestion("q1")),
    (cmd("question.close", question_id="q1"), CloseQuestion("q1")),
    (cmd("question.reveal", question_id="q1"), RevealQuestion("q1")),
    (
        cmd("vote.cast", question_id="q1", value=7, comment="Mere grønt", on_behalf_of="p9"),
        CastVote("q1", 7, comment="Mere grønt", on_behalf_of="p9"),
    ),
    (
        cmd("timer.start", seconds=120, label="Tænk selv", close_question_id="q1"),
        StartTimer("new1", 120, "Tænk selv", "q1", NOW_MS),
    ),
    (cmd("timer.stop", timer_id="t1"), StopTimer("t1")),
    (
        cmd("dots.start", board_id="b1", dots_per_person=5, per_note=2, hidden=True),
        StartDots("b1", 5, 2, True),
    ),
    (cmd("dot.place", note_id="n1"), PlaceDot("n1")),
    (cmd("dot.remove", note_id="n1"), RemoveDot("n1")),
    (cmd("dots.end", board_id="b1"), EndDots("b1")),
    (
        cmd("dots.carry", board_id="b1", count=3, title="Semifinale"),
        CarryTopNotes("b1", 3, "new1", "Semifinale", "new2", "notes", ("new3", "new4", "new5")),
    ),
    (
        cmd("dilemma.add", text="Over eller under?\nLinje 2"),
        AddCard("new1", "Over eller under?\nLinje 2"),
    ),
    (cmd("dilemma.edit", card_id="c1", text="Ny"), EditCard("c1", "Ny")),
    (cmd("dilemma.remove", card_id="c1"), RemoveCard("c1")),
    (cmd("dilemma.show", card_id="c1"), ShowCard("c1")),
    (cmd("dilemma.next"), NextCard()),
    (cmd("dilemma.hide"), HideCards()),
    (cmd("dilemma.choose", card_id="c1", side="over"), ChooseSide("c1", "over")),
    (
        cmd("dilemma.choose", card_id="c1", side="under", on_behalf_of="p9"),
        ChooseSide("c1", "under", on_behalf_of="p9"),
    ),
    (cmd("dilemma.reveal", card_id="c1"), RevealCard("c1")),
    (cmd("room.add", title="Pause", kind="break"), AddRoom("new1", "Pause", "break")),
    (
        cmd("room.edit", room_id="r1", title="Gruppe 1", picture_id="a1", music_id=None),
        EditRoom("r1", "Gruppe 1", "a1", None),
    ),
    (cmd("room.remove", room_id="r1"), RemoveRoom("r1")),
    (
        cmd("station.add", room_id="hall", kind="programme", title="Program", x=2500, y="7500"),
        AddStation("new1", "hall", "programme", "Program", 2500, 7500),
    ),
    (
        cmd("station.edit", station_id="s1", title="Program", items="09:30 Velkomst"),
        EditStation("s1", "Program", StationContent(items=(("09:30", "Velkomst"),))),
    ),
    (cmd("station.place", station_id="s1", x="0", y=10000), PlaceStation("s1", 0, 10000)),
    (cmd("station.reorder", station_id="s1", index=0), ReorderStation("s1", 0)),
    (cmd("station.remove", station_id="s1"), RemoveStation("s1")),
    (cmd("programme.set", station_id="s1", item="2"), SetProgrammeItem("s1", 2)),
    (cmd("hall.spotlight", station_id="s1"), Spotlight("s1")),
    (cmd("quiz.answer", station_id="s1", answers=[1, 0]), AnswerQuiz("s1", (1, 0))),
    (cmd("call.request", station_id="s1", message="Ring"), CallMe("s1", "new1", "Ring")),
    (cmd("call.resolve", call_id="k1"), ResolveCall("k1")),
    ({"type": "station.visiting", "station_id": "s1"}, Visiting("s1")),
    (cmd("committee.capacity_rule", capacity_rule="warn"), ChangeCapacityRule("warn")),
    (
        cmd("item.add", title="Ungeråd", estimate="3", owners="Ida, Bo", tags=["unge"]),
        AddItem("new1", "Ungeråd", estimate=3, owners=("Ida", "Bo"), tags=("unge",)),
    ),
    (
        cmd(
            "item.edit", item_id="i1", title="T", description=None, estimate="", owners=[], tags=""
        ),
        EditItem("i1", "T", "", None, (), ()),
    ),
    (cmd("item.move", item_id="i1", index=0), MoveItem("i1", 0)),
    (cmd("item.remove", item_id="i1"), RemoveItem("i1")),
    (
        cmd(
            "sprint.create",
            name="Sprint 1",
            goals="Høring\n\nForslag",
            start="2026-11-02",
            end="2026-11-15",
            capacity="20",
        ),
        CreateSprint(
            "new1",
            "Sprint 1",
            ("Høring", "Forslag"),
            ("new2", "new3"),
            "2026-11-02",
            "2026-11-15",
            20,
        ),
    ),
    (
        cmd(
            "sprint.edit",
            sprint_id="s1",
            name="Sprint 1",
            goals=["Høring"],
            start="2026-11-02",
            end="2026-11-15",
            capacity=25,
        ),
        EditSprint("s1", "Sprint 1", ("Høring",), ("new1",), "2026-11-02", "2026-11-15", 25),
    ),
    (cmd("sprint.plan", sprint_id="s1", item_id="i1"), PlanItem("s1", "i1")),
    (cmd("sprint.unplan", item_id="i1"), UnplanItem("i1")),
    (cmd("sprint.start", sprint_id="s1"), StartSprint("s1", TODAY)),
    (
        cmd("sprint.reopen", sprint_id="s1", reason="Nyt fra byrådet"),
        ReopenPlanning("s1", "Nyt fra byrådet", TODAY),
    ),
    (
        cmd("item.status", item_id="i1", status="doing", index=0),
        SetItemStatus("i1", "doing", 0, TODAY),
    ),
    (
        cmd(
            "sprint.close",
            sprint_id="s1",
            unfinished={"i1": "backlog", "i2": "s2"},
            evaluations={"g1": {"evaluation": "met", "note": "Godt"}},
        ),
        CloseSprint("s1", (("i1", None), ("i2", "s2")), (("g1", "met", "Godt"),), TODAY),
    ),
]


def test_every_client_message_type_has_an_accepted_example() -> None:
    covered = {msg["type"] for msg, _ in ACCEPTED}
    assert sorted(set(CLIENT_MESSAGE_TYPES) - covered) == []
    assert sorted(covered - set(CLIENT_MESSAGE_TYPES)) == []
    assert len(CLIENT_MESSAGE_TYPES) == len(set(CLIENT_MESSAGE_TYPES))


@pytest.mark.parametrize(("msg", "expected"), ACCEPTED, ids=[m["type"] for m, _ in ACCEPTED])
def test_accepted_examples_parse_to_the_right_message(
    msg: Json, expected: ClientMessage | Command
) -> None:
    parsed = parse(msg)
    if isinstance(parsed, CommandRequest):
        assert parsed.type == msg["type"] and parsed.command_id == "cmd-0001"
        assert parsed.command == expected
    else:
        assert parsed == expected
    # hx-ws adds a headers object to every form it sends: tolerated everywhere.
    assert parse({**msg, "headers": {"HX-Request": "true"}}) == parsed


def test_board_create_titles_its_columns_in_the_sender_s_language() -> None:
    asked: list[str] = []

    def translate(key: str) -> str:
        asked.append(key)
        return key.rsplit(".", 1)[1].upper()

    titles = template_titles_from(translate)
    m = parse(cmd("board.create", title="Vend det om", template="negative"), titles)
    assert isinstance(m, CommandRequest)
    assert m.command == CreateBoard(
        board_id="new1",
        title="Vend det om",
        template="negative",
        column_ids=("new2", "new3"),
        column_titles=("FAILS", "TURNED"),
    )
    assert asked == ["template.negative.fails", "template.negative.turned"]
    assert titles("no_such_template") == ()


def test_board_create_with_an_unknown_template_leaves_it_to_the_domain() -> None:
    m = parse(cmd("board.create", title="X", template="kanban"), template_titles_from(str.upper))
    assert isinstance(m, CommandRequest)
    assert m.command == CreateBoard("new1", "X", "kanban", column_ids=(), column_titles=())


def test_board_create_titles_come_from_the_message_catalogue_keys() -> None:
    """The web layer's titles: `template.<template>.<key>` looked up in the sender's locale."""
    for template, keys in TEMPLATES.items():
        seen = template_titles_from(lambda key: key)(template)
        assert seen == tuple(f"template.{template}.{k}" for k in keys)


@pytest.mark.parametrize("cluster", [{}, {"cluster_id": None}, {"cluster_id": ""}])
def test_note_move_without_a_cluster(cluster: Json) -> None:
    m = parse(cmd("note.move", note_id="n1", column_id="c1", index=100000, **cluster))
    assert isinstance(m, CommandRequest) and m.command == MoveNote("n1", "c1", 100000, None)


def test_board_settings_takes_any_subset_of_the_three_switches() -> None:
    m = parse(cmd("board.settings", board_id="b1", show_authors=False, open_moves=True))
    assert isinstance(m, CommandRequest)
    assert m.command == ChangeBoardSettings("b1", show_authors=False, open_moves=True)


def test_board_settings_without_any_setting_is_refused() -> None:
    with pytest.raises(WireError) as e:
        parse(cmd("board.settings", board_id="b1"))
    assert e.value.code == "wire.no_settings" and e.value.command_id == "cmd-0001"


def test_note_edit_may_change_only_the_text_or_only_the_colour() -> None:
    m = parse(cmd("note.edit", note_id="n1", version=1, text="Kun tekst"))
    assert isinstance(m, CommandRequest) and m.command == EditNote("n1", 1, text="Kun tekst")
    m = parse(cmd("note.edit", note_id="n1", version=2**31, color="green"))
    assert isinstance(m, CommandRequest) and m.command == EditNote("n1", 2**31, color="green")


def test_participant_add_makes_the_participant_id_and_may_leave_out_the_name() -> None:
    m = parse(cmd("participant.add", group="Politiker"))
    assert isinstance(m, CommandRequest)
    assert m.command == AddRoomParticipant("new1", None, "Politiker")
    m = parse(cmd("participant.add", display_name=None, group="Politiker"))
    assert isinstance(m, CommandRequest)
    assert m.command == AddRoomParticipant("new1", None, "Politiker")


def test_question_create_takes_the_defaults_for_what_it_leaves_out() -> None:
    m = parse(cmd("question.create", text="Hvor enig?"))
    assert isinstance(m, CommandRequest)
    assert m.command == CreateQuestion("new1", "Hvor enig?")
    c = m.command
    assert (c.low_label, c.high_label, c.ask_comment, c.anonymous, c.min_group) == (
        None,
        None,
        False,
        True,
        None,
    )
    explicit_nulls = cmd(
        "question.create", text="Hvor enig?", low_label=None, high_label=None, min_group=None
    )
    assert parse(explicit_nulls) == m


@pytest.mark.parametrize("type_", ["question.create", "question.edit"])
@pytest.mark.parametrize(("min_group", "ok"), [(1, True), (20, True), (0, False), (21, False)])
def test_min_group_is_one_to_twenty(type_: str, min_group: int, ok: bool) -> None:
    msg = cmd(type_, question_id="q1", text="x", min_group=min_group)
    if type_ == "question.create":
        del msg["question_id"]
    if ok:
        m = parse(msg)
        assert isinstance(m, CommandRequest)
        assert isinstance(m.command, CreateQuestion | EditQuestion)
        assert m.command.min_group == min_group
    else:
        with pytest.raises(WireError) as e:
            parse(msg)
        assert (e.value.code, e.value.field) == ("wire.out_of_range", "min_group")


def test_question_edit_replaces_the_wording_and_never_makes_an_id() -> None:
    m = parse(cmd("question.edit", question_id="q1", text="Ny", ask_comment=True))
    assert isinstance(m, CommandRequest)
    assert m.command == EditQuestion("q1", "Ny", ask_comment=True)


@pytest.mark.parametrize(
    "value", [0, 7, 10, 7.0, 7.5, -0.0, 1e1, 11, -1, 10**30, True, False, "7", " 7 ", "٧", ""]
)
def test_vote_value_is_passed_through_as_it_is(value: object) -> None:
    """The wire layer does not judge a vote's value: the domain gives every wrong one the same
    clear answer. Not even 7.0 or True is converted."""
    m = parse(cmd("vote.cast", question_id="q1", value=value))
    assert isinstance(m, CommandRequest) and isinstance(m.command, CastVote)
    assert type(m.command.value) is type(value) and m.command.value == value
    assert m.command == CastVote("q1", value)


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_vote_value_is_never_a_non_number(raw: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(
            f'{{"type":"vote.cast","command_id":"cmd-0001","question_id":"q1","value":{raw}}}',
            make_id,
        )
    assert e.value.code == "wire.not_a_number"


def test_vote_cast_with_a_null_comment() -> None:
    m = parse(cmd("vote.cast", question_id="q1", value=3, comment=None))
    assert isinstance(m, CommandRequest) and m.command == CastVote("q1", 3)


def test_note_add_keeps_its_old_minimal_form() -> None:
    m = parse(cmd("note.add", text="Hej"))
    assert isinstance(m, CommandRequest) and m.command == AddNote("new1", "Hej")


def test_note_editing_is_not_a_command() -> None:
    assert parse({"type": "note.editing", "note_id": None}) == Editing(None)
    # Like hello and ping, it needs no command_id and ignores one.
    assert parse({"type": "note.editing", "note_id": "n1", "command_id": "x"}) == Editing("n1")


@pytest.mark.parametrize(
    ("msg", "code", "field"),
    [
        ({"type": "note.editing"}, "wire.missing_field", "note_id"),
        ({"type": "note.editing", "note_id": 7}, "wire.wrong_type", "note_id"),
        ({"type": "note.editing", "note_id": False}, "wire.wrong_type", "note_id"),
        ({"type": "note.editing", "note_id": "n-1"}, "wire.bad_id", "note_id"),
        ({"type": "note.editing", "note_id": ""}, "wire.bad_id", "note_id"),
        ({"type": "note.editing", "note_id": "n1", "text": "x"}, "wire.unknown_field", "text"),
    ],
)
def test_note_editing_is_strict(msg: Json, code: str, field: str) -> None:
    with pytest.raises(WireError) as e:
        parse(msg)
    assert (e.value.code, e.value.field) == (code, field)


def test_messages_app_js_builds_itself_are_accepted() -> None:
    """The `command({...})` bodies and `sendEditing` of static/app.js, as it sends them."""
    for body in (
        {"type": "note.react", "note_id": "abc123"},
        {"type": "note.merge", "note_id": "abc123", "into_id": "def456"},
        {"type": "note.move", "note_id": "abc123", "column_id": "c1", "index": 2},
        {"type": "note.move", "note_id": "abc123", "column_id": "c1", "index": 100000},
        {
            "type": "note.move",
            "note_id": "abc123",
            "column_id": "c1",
            "index": 0,
            "cluster_id": "k1",
        },
    ):
        assert isinstance(parse({**body, "command_id": "a1b2c3d4e5f6a1b2c3d4e5f6"}), CommandRequest)
    assert parse({"type": "note.editing", "note_id": "abc123"}) == Editing("abc123")
    assert parse({"type": "note.editing", "note_id": None}) == Editing(None)


# --- strictness, generated from one table of each command's fields ----------------------------

ID, TEXT, TITLE, KEY, INDEX, VERSION, BOOL, GROUP_SIZE, SCALAR, SECONDS, COUNT = (
    "id",
    "text",
    "title",
    "key",
    "index",
    "version",
    "bool",
    "group_size",
    "scalar",
    "seconds",
    "count",
)
# The hall's: a whole number also as a form's digit string (the domain says the range), an id
# where null and "" both mean none, and list fields (JSON list or a textarea's text), whose
# shapes tests/realtime/test_wire_hall.py checks.
FORM_INT, FORM_ITEM, OPT_ID, LIST = "form_int", "form_item", "opt_id", "list"
MAX_LEN = {ID: 64, TEXT: 4000, TITLE: 1000, KEY: 64, OPT_ID: 64}
SAMPLE: dict[str, Any] = {
    ID: "abc123",
    TEXT: "Hej",
    TITLE: "Titel",
    KEY: "blue",
    INDEX: 3,
    VERSION: 2,
    BOOL: True,
    GROUP_SIZE: 3,
    SCALAR: 7,
    SECONDS: 120,
    COUNT: 3,
    FORM_INT: 5000,
    FORM_ITEM: 1,
    OPT_ID: "abc123",
    LIST: [],
}
# A timer's length is only typed on the wire: the domain says 5 to 3600 (`timer.bad_seconds`).
INTEGER_RANGE = {
    INDEX: (0, 100000),
    VERSION: (1, 2**31),
    GROUP_SIZE: (1, 20),
    SECONDS: (-(2**31), 2**31),
    COUNT: (-(2**31), 2**31),
}
FORM_RANGE = {FORM_INT: (-(2**31), 2**31), FORM_ITEM: (-(2**31), 2**31)}

# type -> field -> (kind, required). Fields a message may carry, as the wire layer knows them.
SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "participant.update": {"display_name": (TITLE, True), "group": (TITLE, True)},
    "participant.kick": {"participant_id": (ID, True)},
    "participant.erase": {"participant_id": (ID, True), "notes": (KEY, True)},
    "board.create": {"title": (TITLE, True), "template": (KEY, True)},
    "board.rename": {"board_id": (ID, True), "title": (TITLE, True)},
    "board.settings": {
        "board_id": (ID, True),
        "show_authors": (BOOL, False),
        "open_moves": (BOOL, False),
        "locked": (BOOL, False),
    },
    "board.private": {"board_id": (ID, True)},
    "board.reveal": {"board_id": (ID, True)},
    "board.show": {"board_id": (ID, True)},
    "column.add": {"board_id": (ID, True), "title": (TITLE, True)},
    "column.rename": {"column_id": (ID, True), "title": (TITLE, True)},
    "column.move": {"column_id": (ID, True), "index": (INDEX, True)},
    "column.remove": {"column_id": (ID, True), "move_notes_to": (ID, True)},
    "note.add": {
        "text": (TEXT, True),
        "board_id": (ID, False),
        "column_id": (ID, False),
        "color": (KEY, False),
    },
    "note.edit": {
        "note_id": (ID, True),
        "version": (VERSION, True),
        "text": (TEXT, False),
        "color": (KEY, False),
    },
    "note.delete": {"note_id": (ID, True)},
    "note.hide": {"note_id": (ID, True), "hidden": (BOOL, True)},
    "note.move": {
        "note_id": (ID, True),
        "column_id": (ID, True),
        "index": (INDEX, True),
        "cluster_id": (ID, False),
    },
    "note.turn": {"note_id": (ID, True), "text": (TEXT, True)},
    "note.merge": {"note_id": (ID, True), "into_id": (ID, True)},
    "note.react": {"note_id": (ID, True)},
    "comment.add": {"note_id": (ID, True), "text": (TEXT, True)},
    "comment.delete": {"comment_id": (ID, True)},
    "cluster.add": {"column_id": (ID, True), "title": (TITLE, True)},
    "cluster.rename": {"cluster_id": (ID, True), "title": (TITLE, True)},
    "cluster.remove": {"cluster_id": (ID, True)},
    "participant.add": {"display_name": (TITLE, False), "group": (TITLE, True)},
    "question.create": {
        "text": (TEXT, True),
        "low_label": (TITLE, False),
        "high_label": (TITLE, False),
        "ask_comment": (BOOL, False),
        "anonymous": (BOOL, False),
        "min_group": (GROUP_SIZE, False),
    },
    "question.edit": {
        "question_id": (ID, True),
        "text": (TEXT, True),
        "low_label": (TITLE, False),
        "high_label": (TITLE, False),
        "ask_comment": (BOOL, False),
        "anonymous": (BOOL, False),
        "min_group": (GROUP_SIZE, False),
    },
    "question.open": {"question_id": (ID, True)},
    "question.close": {"question_id": (ID, True)},
    "question.reveal": {"question_id": (ID, True)},
    "vote.cast": {
        "question_id": (ID, True),
        "value": (SCALAR, True),
        "comment": (TEXT, False),
        "on_behalf_of": (ID, False),
    },
    "timer.start": {
        "seconds": (SECONDS, True),
        "label": (TITLE, False),
        "close_question_id": (ID, False),
    },
    "timer.stop": {"timer_id": (ID, True)},
    "dots.start": {
        "board_id": (ID, True),
        "dots_per_person": (COUNT, True),
        "per_note": (COUNT, True),
        "hidden": (BOOL, True),
    },
    "dot.place": {"note_id": (ID, True)},
    "dot.remove": {"note_id": (ID, True)},
    "dots.end": {"board_id": (ID, True)},
    "dots.carry": {"board_id": (ID, True), "count": (COUNT, True), "title": (TITLE, True)},
    "dilemma.add": {"text": (TEXT, True)},
    "dilemma.edit": {"card_id": (ID, True), "text": (TEXT, True)},
    "dilemma.remove": {"card_id": (ID, True)},
    "dilemma.show": {"card_id": (ID, True)},
    "dilemma.next": {},
    "dilemma.hide": {},
    "dilemma.choose": {"card_id": (ID, True), "side": (KEY, True), "on_behalf_of": (ID, False)},
    "dilemma.reveal": {"card_id": (ID, True)},
    "room.add": {"title": (TITLE, True), "kind": (KEY, True)},
    "room.edit": {
        "room_id": (ID, True),
        "title": (TITLE, True),
        "picture_id": (OPT_ID, True),
        "music_id": (OPT_ID, True),
    },
    "room.remove": {"room_id": (ID, True)},
    "station.add": {
        "room_id": (ID, True),
        "kind": (KEY, True),
        "title": (TITLE, True),
        "x": (FORM_INT, True),
        "y": (FORM_INT, True),
    },
    "station.edit": {
        "station_id": (ID, True),
        "title": (TITLE, True),
        "body": (TEXT, False),
        "items": (LIST, False),
        "milestones": (LIST, False),
        "links": (LIST, False),
        "phone": (TITLE, False),
        "board_id": (OPT_ID, False),
        "target_room_id": (OPT_ID, False),
        "quiz": (LIST, False),
        "video_id": (OPT_ID, False),
        "captions_id": (OPT_ID, False),
        "image_ids": (LIST, False),
    },
    "station.place": {"station_id": (ID, True), "x": (FORM_INT, True), "y": (FORM_INT, True)},
    "station.reorder": {"station_id": (ID, True), "index": (FORM_INT, True)},
    "station.remove": {"station_id": (ID, True)},
    "programme.set": {"station_id": (ID, True), "item": (FORM_ITEM, True)},
    "hall.spotlight": {"station_id": (OPT_ID, True)},
    "quiz.answer": {"station_id": (ID, True), "answers": (LIST, True)},
    "call.request": {"station_id": (ID, True), "message": (TITLE, False)},
    "call.resolve": {"call_id": (ID, True)},
    "committee.capacity_rule": {"capacity_rule": (KEY, True)},
    "item.add": {
        "title": (TITLE, True),
        "description": (TEXT, False),
        "estimate": (FORM_ITEM, False),
        "owners": (LIST, False),
        "tags": (LIST, False),
    },
    "item.edit": {
        "item_id": (ID, True),
        "title": (TITLE, True),
        "description": (TEXT, True),
        "estimate": (FORM_ITEM, True),
        "owners": (LIST, True),
        "tags": (LIST, True),
    },
    "item.move": {"item_id": (ID, True), "index": (INDEX, True)},
    "item.remove": {"item_id": (ID, True)},
    **{
        t: {
            **({"sprint_id": (ID, True)} if t == "sprint.edit" else {}),
            "name": (TITLE, True),
            "goals": (LIST, True),
            "start": (KEY, True),
            "end": (KEY, True),
            "capacity": (FORM_INT, True),
        }
        for t in ("sprint.create", "sprint.edit")
    },
    "sprint.plan": {"sprint_id": (ID, True), "item_id": (ID, True)},
    "sprint.unplan": {"item_id": (ID, True)},
    "sprint.start": {"sprint_id": (ID, True)},
    "sprint.reopen": {"sprint_id": (ID, True), "reason": (TITLE, True)},
    "item.status": {"item_id": (ID, True), "status": (KEY, True), "index": (INDEX, False)},
    "sprint.close": {
        "sprint_id": (ID, True),
        "unfinished": (LIST, False),
        "evaluations": (LIST, False),
    },
}
WORDED = ("question.create", "question.edit")  # the two that carry a question's wording
MAX_LEN_OF = {
    ("participant.update", "display_name"): 200,
    ("participant.update", "group"): 200,
    ("participant.add", "display_name"): 200,
    ("participant.add", "group"): 200,
    **{(t, label): 200 for t in WORDED for label in ("low_label", "high_label")},
    ("timer.start", "label"): 200,
    ("station.edit", "body"): 20_000,
    ("item.add", "description"): 8000,
    ("item.edit", "description"): 8000,
}
NULLABLE = {
    ("participant.update", "display_name"),
    ("note.move", "cluster_id"),
    ("participant.add", "display_name"),
    *((t, f) for t in WORDED for f in ("low_label", "high_label", "min_group")),
    ("vote.cast", "comment"),
    ("timer.start", "label"),
    ("timer.start", "close_question_id"),
    ("station.edit", "body"),
    ("station.edit", "phone"),
    ("call.request", "message"),
    ("item.add", "description"),
    ("item.edit", "description"),
    ("item.status", "index"),
}
# A valid message needs more than its required fields for these types.
MINIMAL_EXTRA: dict[str, Json] = {"board.settings": {"locked": False}}


def minimal(type_: str) -> Json:
    fields = {f: SAMPLE[k] for f, (k, req) in SCHEMA[type_].items() if req}
    return cmd(type_, **fields, **MINIMAL_EXTRA.get(type_, {}))


def full(type_: str) -> Json:
    return cmd(type_, **{f: SAMPLE[k] for f, (k, _) in SCHEMA[type_].items()})


def _bad_values(type_: str, field: str, kind: str) -> list[tuple[Any, str]]:
    bad: list[tuple[Any, str]] = []
    if kind in (ID, TEXT, TITLE, KEY):
        limit = MAX_LEN_OF.get((type_, field), MAX_LEN[kind])
        bad += [(5, "wire.wrong_type"), (True, "wire.wrong_type"), (["x"], "wire.wrong_type")]
        bad += [({"x": 1}, "wire.wrong_type"), ("x" * (limit + 1), "wire.too_long")]
        if (type_, field) not in NULLABLE:
            bad.append((None, "wire.wrong_type"))
    if kind == ID:
        bad += [("has space", "wire.bad_id"), ("a-b", "wire.bad_id"), ("x" * 33, "wire.bad_id")]
        bad += [("ø", "wire.bad_id"), ("abc\n", "wire.bad_id")]
        if (type_, field) != ("note.move", "cluster_id"):
            bad.append(("", "wire.bad_id"))
    if kind in INTEGER_RANGE:
        low, high = INTEGER_RANGE[kind]
        bad += [("1", "wire.wrong_type"), (True, "wire.wrong_type"), (False, "wire.wrong_type")]
        bad += [(1.0, "wire.wrong_type"), (["1"], "wire.wrong_type")]
        bad += [(low - 1, "wire.out_of_range"), (high + 1, "wire.out_of_range")]
        if (type_, field) not in NULLABLE:
            bad.append((None, "wire.wrong_type"))
    if kind == BOOL:
        bad += [("true", "wire.wrong_type"), ("false", "wire.wrong_type"), (1, "wire.wrong_type")]
        bad += [(0, "wire.wrong_type"), (None, "wire.wrong_type")]
    if kind == OPT_ID:  # null and "" mean none
        bad += [(5, "wire.wrong_type"), (True, "wire.wrong_type"), (["x"], "wire.wrong_type")]
        bad += [({"x": 1}, "wire.wrong_type"), ("x" * 65, "wire.too_long")]
        bad += [("has space", "wire.bad_id"), ("a-b", "wire.bad_id"), ("x" * 33, "wire.bad_id")]
        bad += [("ø", "wire.bad_id"), ("abc\n", "wire.bad_id")]
    if kind in FORM_RANGE:  # a JSON integer or ASCII digits; FORM_ITEM: null or "" for none
        low, high = FORM_RANGE[kind]
        bad += [("x", "wire.wrong_type"), ("1.5", "wire.wrong_type"), ("٧", "wire.wrong_type")]
        bad += [(" 1", "wire.wrong_type"), ("1e3", "wire.wrong_type"), (True, "wire.wrong_type")]
        bad += [(1.0, "wire.wrong_type"), (["1"], "wire.wrong_type")]
        bad += [(low - 1, "wire.out_of_range"), (str(high + 1), "wire.out_of_range")]
        if kind == FORM_INT:
            bad += [(None, "wire.wrong_type"), ("", "wire.wrong_type")]
    if kind == LIST:
        bad += [(5, "wire.wrong_type"), (True, "wire.wrong_type"), ({"x": 1}, "wire.wrong_type")]
    if kind == SCALAR:  # any other value goes to the domain (see test_vote_values.py)
        bad += [(None, "wire.wrong_type"), ([7], "wire.wrong_type"), ([], "wire.wrong_type")]
        bad += [({"value": 7}, "wire.wrong_type"), ({}, "wire.wrong_type")]
    return bad


STRICT_CASES = [
    pytest.param(type_, field, value, code, id=f"{type_}-{field}-{value!r:.20}")
    for type_, fields in SCHEMA.items()
    for field, (kind, _) in fields.items()
    for value, code in _bad_values(type_, field, kind)
]


def test_the_schema_table_covers_every_command() -> None:
    assert sorted(SCHEMA) == sorted(
        t
        for t in CLIENT_MESSAGE_TYPES
        if "." in t and t not in ("note.editing", "station.visiting")
    )


@pytest.mark.parametrize("type_", sorted(SCHEMA))
def test_minimal_and_full_messages_are_accepted(type_: str) -> None:
    for msg in (minimal(type_), full(type_)):
        m = parse(msg)
        assert isinstance(m, CommandRequest) and m.type == type_


@pytest.mark.parametrize(("type_", "field", "value", "code"), STRICT_CASES)
def test_a_bad_value_gets_its_specific_code(type_: str, field: str, value: Any, code: str) -> None:
    with pytest.raises(WireError) as e:
        parse({**full(type_), field: value})
    assert (e.value.code, e.value.field, e.value.command_id) == (code, field, "cmd-0001")


@pytest.mark.parametrize(
    ("type_", "field"),
    [(t, f) for t, fields in SCHEMA.items() for f, (_, req) in fields.items() if req],
)
def test_a_missing_required_field_is_named(type_: str, field: str) -> None:
    msg = minimal(type_)
    del msg[field]
    with pytest.raises(WireError) as e:
        parse(msg)
    assert (e.value.code, e.value.field, e.value.command_id) == (
        "wire.missing_field",
        field,
        "cmd-0001",
    )


@pytest.mark.parametrize("type_", sorted(SCHEMA))
def test_an_unknown_field_is_refused(type_: str) -> None:
    with pytest.raises(WireError) as e:
        parse({**full(type_), "note_idx": "abc"})
    assert (e.value.code, e.value.field) == ("wire.unknown_field", "note_idx")


@pytest.mark.parametrize("type_", sorted(SCHEMA))
def test_every_command_needs_a_valid_command_id(type_: str) -> None:
    msg = full(type_)
    del msg["command_id"]
    with pytest.raises(WireError) as e:
        parse(msg)
    assert (e.value.code, e.value.field) == ("wire.missing_field", "command_id")
    with pytest.raises(WireError) as e:
        parse({**msg, "command_id": "short"})
    assert (e.value.code, e.value.field) == ("wire.bad_id", "command_id")


# --- timers and the clock ---------------------------------------------------------------------


def test_ping_alone_is_still_a_ping() -> None:
    assert parse({"type": "ping"}) == Ping() == Ping(t=None)
    assert parse({"type": "ping", "t": None}) == Ping()
    assert parse({"type": "ping", "t": 0}) == Ping(t=0)
    assert parse({"type": "ping", "t": 2**53}) == Ping(t=2**53)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("1.5", "wire.wrong_type"),
        ("1790000000000.0", "wire.wrong_type"),
        ('"1790000000000"', "wire.wrong_type"),
        ("true", "wire.wrong_type"),
        ("[1]", "wire.wrong_type"),
        ("-1", "wire.out_of_range"),
        (str(2**53 + 1), "wire.out_of_range"),
        ("NaN", "wire.not_a_number"),
    ],
)
def test_a_ping_s_client_time_is_a_json_integer(raw: str, code: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(f'{{"type":"ping","t":{raw}}}', make_id)
    assert e.value.code == code
    if code != "wire.not_a_number":
        assert e.value.field == "t"


def test_a_ping_takes_no_other_field() -> None:
    with pytest.raises(WireError) as e:
        parse({"type": "ping", "t": 1, "server_ms": 2})
    assert (e.value.code, e.value.field) == ("wire.unknown_field", "server_ms")


def test_timer_start_makes_the_id_and_reads_the_server_clock_once() -> None:
    reads: list[int] = []

    def clock() -> int:
        reads.append(NOW_MS + len(reads))
        return reads[-1]

    m = parse_client_message(json.dumps(cmd("timer.start", seconds=300)), counter(), None, clock)
    assert isinstance(m, CommandRequest)
    assert m.command == StartTimer("new1", 300, None, None, NOW_MS)
    assert reads == [NOW_MS]
    # Other messages never read it.
    parse_client_message(json.dumps(cmd("timer.stop", timer_id="t1")), counter(), None, clock)
    parse_client_message('{"type":"ping","t":5}', counter(), None, clock)
    assert reads == [NOW_MS]


def test_timer_start_without_a_clock_uses_the_wall_clock_in_ms() -> None:
    before = time.time() * 1000
    m = parse_client_message(json.dumps(cmd("timer.start", seconds=60)), make_id)
    after = time.time() * 1000
    assert isinstance(m, CommandRequest) and isinstance(m.command, StartTimer)
    assert before - 1 <= m.command.now_ms <= after + 1
    assert abs(wall_clock_ms() - time.time() * 1000) < 1000


@pytest.mark.parametrize("seconds", [0, 4, 3601, -5, 2**31, -(2**31)])
def test_timer_lengths_out_of_the_domain_s_range_go_to_the_domain(seconds: int) -> None:
    """So the facilitator hears "5 seconds to 60 minutes" (`timer.bad_seconds`)."""
    m = parse(cmd("timer.start", seconds=seconds))
    assert isinstance(m, CommandRequest) and isinstance(m.command, StartTimer)
    assert m.command.seconds == seconds


@pytest.mark.parametrize("fields", [{"label": None}, {"close_question_id": None}, {}])
def test_timer_start_label_and_question_may_be_null_or_absent(fields: Json) -> None:
    m = parse(cmd("timer.start", seconds=120, **fields))
    assert isinstance(m, CommandRequest)
    assert m.command == StartTimer("new1", 120, None, None, NOW_MS)


def test_timer_stop_takes_no_null() -> None:
    with pytest.raises(WireError) as e:
        parse(cmd("timer.stop", timer_id=None))
    assert (e.value.code, e.value.field) == ("wire.wrong_type", "timer_id")


# --- dot voting -----------------------------------------------------------------------------


def test_dots_carry_makes_the_board_column_and_one_note_id_per_note_it_may_carry() -> None:
    titles = template_titles_from(lambda key: {"template.blank.notes": "Noter"}.get(key, key))
    m = parse(cmd("dots.carry", board_id="b1", count=2, title="Semifinale"), titles)
    assert isinstance(m, CommandRequest)
    assert m.command == CarryTopNotes(
        "b1", 2, "new1", "Semifinale", "new2", "Noter", ("new3", "new4")
    )


@pytest.mark.parametrize(("count", "ids"), [(50, 50), (51, 50), (2**31, 50), (0, 0), (-5, 0)])
def test_dots_carry_never_makes_more_ids_than_the_domain_may_use(count: int, ids: int) -> None:
    """The count is only typed on the wire; the domain says 1 to 50 (`dots.bad_count`)."""
    m = parse(cmd("dots.carry", board_id="b1", count=count, title="Semi"))
    assert isinstance(m, CommandRequest) and isinstance(m.command, CarryTopNotes)
    assert m.command.count == count and len(m.command.new_note_ids) == ids


@pytest.mark.parametrize("n", [0, -1, 21, 1000])
def test_dot_counts_out_of_the_domain_s_range_go_to_the_domain(n: int) -> None:
    """So the facilitator hears "1 to 20 dots" (`dots.bad_dots_per_person`)."""
    m = parse(cmd("dots.start", board_id="b1", dots_per_person=n, per_note=n, hidden=False))
    assert isinstance(m, CommandRequest) and m.command == StartDots("b1", n, n, False)


# --- the dilemma deck -----------------------------------------------------------------------


def test_dilemma_add_makes_the_card_id() -> None:
    m = parse(cmd("dilemma.add", text="Historie"))
    assert isinstance(m, CommandRequest) and m.command == AddCard("new1", "Historie")


@pytest.mark.parametrize("side", ["OVER", "middle", "", " over"])
def test_a_dilemma_side_that_is_a_string_goes_to_the_domain(side: str) -> None:
    """So the participant hears "over or under" (`dilemma.bad_side`), not a wire error."""
    m = parse(cmd("dilemma.choose", card_id="c1", side=side))
    assert isinstance(m, CommandRequest) and m.command == ChooseSide("c1", side)


@pytest.mark.parametrize("side", [None, 1, True, ["over"], {"side": "over"}])
def test_a_dilemma_side_is_a_string(side: object) -> None:
    with pytest.raises(WireError) as e:
        parse(cmd("dilemma.choose", card_id="c1", side=side))
    assert (e.value.code, e.value.field) == ("wire.wrong_type", "side")


@pytest.mark.parametrize("type_", ["dilemma.next", "dilemma.hide"])
def test_dilemma_next_and_hide_take_no_fields(type_: str) -> None:
    with pytest.raises(WireError) as e:
        parse(cmd(type_, card_id="c1"))
    assert (e.value.code, e.value.field) == ("wire.unknown_field", "card_id")
