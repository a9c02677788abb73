"""The hall's client messages: the shapes tests/realtime/test_wire.py's generic table cannot
check (list fields as JSON or textarea text, form numbers, quiz answers from radios, presence
at a station), and that no client can add an asset."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest

from server.domain.commands import (
    AddRoom,
    AddStation,
    AnswerQuiz,
    CallMe,
    EditRoom,
    EditStation,
    SetProgrammeItem,
    Spotlight,
    StationContent,
)
from server.i18n import message
from server.realtime.wire import (
    CLIENT_MESSAGE_TYPES,
    COMMAND_BUILDERS,
    ClientMessage,
    CommandRequest,
    Visiting,
    WireError,
    parse_client_message,
)
from server.web.ws import error_frame

Json = dict[str, Any]


def counter() -> Callable[[], str]:
    n = itertools.count(1)
    return lambda: f"new{next(n)}"


def parse(msg: Json) -> ClientMessage:
    return parse_client_message(json.dumps(msg), counter())


def command(type_: str, **fields: Any) -> Any:
    m = parse({"type": type_, "command_id": "cmd-0001", **fields})
    assert isinstance(m, CommandRequest) and m.type == type_
    return m.command


def refused(type_: str, **fields: Any) -> WireError:
    with pytest.raises(WireError) as e:
        parse({"type": type_, "command_id": "cmd-0001", **fields})
    assert e.value.command_id == "cmd-0001"
    return e.value


def edit(**fields: Any) -> StationContent:
    c = command("station.edit", station_id="s1", title="T", **fields)
    assert isinstance(c, EditStation) and (c.station_id, c.title) == ("s1", "T")
    return c.content


# --- new things get their ids from the server ------------------------------------------------


def test_the_server_makes_the_ids_of_new_rooms_stations_and_calls() -> None:
    assert command("room.add", title="Gruppe 1", kind="room") == AddRoom("new1", "Gruppe 1", "room")
    assert command("station.add", room_id="hall", kind="info", title="I", x=1, y=2) == AddStation(
        "new1", "hall", "info", "I", 1, 2
    )
    assert command("call.request", station_id="s1") == CallMe("s1", "new1", "")


@pytest.mark.parametrize(
    ("type_", "fields", "sent_id"),
    [
        ("room.add", {"title": "R", "kind": "room"}, "room_id"),
        (
            "station.add",
            {"room_id": "hall", "kind": "info", "title": "I", "x": 1, "y": 1},
            "station_id",
        ),
        ("call.request", {"station_id": "s1"}, "call_id"),
    ],
)
def test_a_client_cannot_choose_a_new_thing_s_id(type_: str, fields: Json, sent_id: str) -> None:
    e = refused(type_, **fields, **{sent_id: "mine1"})
    assert (e.code, e.field) == ("wire.unknown_field", sent_id)


@pytest.mark.parametrize("type_", ["asset.add", "hall.asset", "hall.asset_add", "asset.added"])
def test_no_client_can_add_an_asset(type_: str) -> None:
    """Only the upload endpoint, which stored and checked the bytes, sends AddAsset."""
    e = refused(type_, asset_id="a1", kind="image", media_type="image/png", name="x", size=1)
    assert (e.code, e.field) == ("wire.unknown_type", "type")
    assert not any("asset" in t for t in CLIENT_MESSAGE_TYPES)
    names = {b.__name__ for b in COMMAND_BUILDERS.values()}
    assert not any("asset" in n.lower() for n in names)


# --- numbers as forms send them --------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "want"), [(0, 0), ("0", 0), ("10000", 10000), ("-5", -5), (20000, 20000)]
)
def test_a_position_is_a_json_integer_or_digits_and_the_domain_says_the_range(
    x: Any, want: int
) -> None:
    c = command("station.place", station_id="s1", x=x, y="7")
    assert (c.x, c.y) == (want, 7)


@pytest.mark.parametrize("index", [-1, "-1", 5, "100000"])
def test_a_reorder_index_out_of_range_goes_to_the_domain(index: Any) -> None:
    """So the facilitator hears `hall.position`, not a wire error."""
    assert command("station.reorder", station_id="s1", index=index).index == int(index)


@pytest.mark.parametrize(("item", "want"), [(None, None), ("", None), ("3", 3), (0, 0), (-1, -1)])
def test_a_programme_item_may_be_none(item: Any, want: int | None) -> None:
    assert command("programme.set", station_id="s1", item=item) == SetProgrammeItem("s1", want)


@pytest.mark.parametrize("station_id", [None, ""])
def test_a_spotlight_ends_with_null_or_empty(station_id: str | None) -> None:
    assert command("hall.spotlight", station_id=station_id) == Spotlight(None)


@pytest.mark.parametrize(("picture", "music"), [(None, None), ("", ""), ("a1", ""), ("", "a2")])
def test_room_edit_picture_and_music_none_as_null_or_empty(
    picture: str | None, music: str | None
) -> None:
    c = command("room.edit", room_id="r1", title="T", picture_id=picture, music_id=music)
    assert c == EditRoom("r1", "T", picture or None, music or None)


def test_room_edit_must_say_picture_and_music_so_a_rename_does_not_drop_them() -> None:
    e = refused("room.edit", room_id="r1", title="T", picture_id="a1")
    assert (e.code, e.field) == ("wire.missing_field", "music_id")


# --- station.edit: lists as JSON ---------------------------------------------------------------


def test_station_edit_with_no_content_is_empty_content() -> None:
    assert edit() == StationContent()
    empty = {k: "" for k in ("body", "items", "milestones", "links", "phone", "quiz", "image_ids")}
    ids = {k: "" for k in ("board_id", "target_room_id", "video_id", "captions_id")}
    assert edit(**empty, **ids) == StationContent()
    nulls = {k: None for k in (*empty, *ids)}
    assert edit(**nulls) == StationContent()


def test_station_edit_takes_every_list_as_json() -> None:
    c = edit(
        body="**Velkommen**",
        items=[["09:30", "Velkomst"], ["", "Frokost"]],
        milestones=[["marts 2027", "Borgermøde", True]],
        links=[["Plan", "https://example.dk"]],
        phone="+45 12 34 56 78",
        board_id="b1",
        target_room_id="r2",
        quiz=[{"text": "Hvad?", "options": ["a", "b"], "answer": 1}],
        video_id="v1",
        captions_id="c1",
        image_ids=["i1", "i2"],
    )
    assert c == StationContent(
        body="**Velkommen**",
        items=(("09:30", "Velkomst"), ("", "Frokost")),
        milestones=(("marts 2027", "Borgermøde", True),),
        links=(("Plan", "https://example.dk"),),
        phone="+45 12 34 56 78",
        board_id="b1",
        target_room_id="r2",
        quiz=(("Hvad?", ("a", "b"), 1),),
        video_id="v1",
        captions_id="c1",
        image_ids=("i1", "i2"),
    )


def test_station_edit_takes_every_list_as_textarea_text() -> None:
    c = edit(
        items="09:30 Velkomst\nFrokost",
        milestones="[x] marts 2027 | Borgermøde\nmaj | Høring",
        links="Plan | https://example.dk\nhttps://kort.dk",
        quiz="Hvad?\n- a\n* b\n\nHvem?\n* c\n- d",
        image_ids="i1, i2 i3",
    )
    assert c.items == (("09:30", "Velkomst"), ("", "Frokost"))
    assert c.milestones == (("marts 2027", "Borgermøde", True), ("maj", "Høring", False))
    assert c.links == (("Plan", "https://example.dk"), ("https://kort.dk", "https://kort.dk"))
    assert c.quiz == (("Hvad?", ("a", "b"), 1), ("Hvem?", ("c", "d"), 0))
    assert c.image_ids == ("i1", "i2", "i3")
    assert edit(image_ids='["i1", "i2"]').image_ids == ("i1", "i2")


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("items", [["09:30"]], "wire.wrong_type"),
        ("items", [["09:30", "a", "b"]], "wire.wrong_type"),
        ("items", [["09:30", 5]], "wire.wrong_type"),
        ("items", ["09:30 Velkomst"], "wire.wrong_type"),
        ("items", [{"time": "", "text": "a"}], "wire.wrong_type"),
        ("items", [["", "x" * 1001]], "wire.too_long"),
        ("items", [["", "a"]] * 1001, "wire.too_long"),
        ("milestones", [["maj", "Høring"]], "wire.wrong_type"),
        ("milestones", [["maj", "Høring", "true"]], "wire.wrong_type"),
        ("milestones", [["maj", "Høring", 1]], "wire.wrong_type"),
        ("milestones", [[1, "Høring", False]], "wire.wrong_type"),
        ("links", [["Plan"]], "wire.wrong_type"),
        ("links", [["Plan", None]], "wire.wrong_type"),
        ("quiz", [["Hvad?", ["a", "b"], 1]], "wire.wrong_type"),
        ("quiz", [{"text": "Hvad?", "options": ["a", "b"]}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", "b"], "answer": 1, "x": 1}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", "b"], "answer": True}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", "b"], "answer": "1"}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", "b"], "answer": 1.0}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": "a b", "answer": 1}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", 2], "answer": 1}], "wire.wrong_type"),
        ("quiz", [{"text": 5, "options": ["a", "b"], "answer": 1}], "wire.wrong_type"),
        ("quiz", [{"text": "H", "options": ["a", "b"], "answer": 2**40}], "wire.out_of_range"),
        ("quiz", [{"text": "x" * 1001, "options": ["a", "b"], "answer": 0}], "wire.too_long"),
        ("image_ids", [5], "wire.wrong_type"),
        ("image_ids", ["a-b"], "wire.bad_id"),
        ("image_ids", "a-b, c", "wire.bad_id"),
        ("image_ids", [""], "wire.bad_id"),
        ("body", "x" * 20_001, "wire.too_long"),
        ("items", "x" * 60_001, "wire.too_long"),
    ],
)
def test_station_edit_list_shapes_are_strict(field: str, value: Any, code: str) -> None:
    e = refused("station.edit", station_id="s1", title="T", **{field: value})
    assert (e.code, e.field) == (code, field)


@pytest.mark.parametrize(
    ("field", "text", "line"),
    [
        ("quiz", "Hvad?\n- a\n* b\n\nHvem?\nc", 6),
        ("milestones", "maj | Høring\n[x]", 2),
        ("links", "Plan | https://example.dk\r\n\r\nKort | ", 3),
        ("image_ids", '["i1", 2]', 1),
    ],
)
def test_a_textarea_line_that_cannot_be_read_is_named_by_its_number(
    field: str, text: str, line: int
) -> None:
    """The code and number come from `hall_text`; the editor shows "Line N cannot be read"."""
    e = refused("station.edit", station_id="s1", title="T", **{field: text})
    assert (e.code, e.field, e.params) == ("hall.line_format", field, {"line": line})
    frame = json.loads(error_frame(e.code, "en", e.command_id, e.field, e.params))
    assert f"Line {line}" in frame["message"] and frame["field"] == field


def test_a_quiz_without_its_right_option_says_so_with_its_limit() -> None:
    e = refused("station.edit", station_id="s1", title="T", quiz="Hvad?\n- a\n- b")
    assert (e.code, e.field) == ("hall.quiz_options", "quiz")
    assert "6" in message(e.code, "en", **e.params)


# --- quiz answers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "want"),
    [
        ({"answers": [1, 0, 2]}, (1, 0, 2)),
        ({"answers": []}, ()),
        ({"answer_0": "1", "answer_1": "0", "answer_2": "2"}, (1, 0, 2)),
        ({"answer_0": 1, "answer_1": 0}, (1, 0)),
        ({"answer_0": "1", "answer_1": ""}, (1,)),  # the last one unanswered: the domain says so
        ({"answer_0": ""}, ()),  # none answered: the domain says how many it needs
        ({"answer_9": "0", **{f"answer_{i}": "1" for i in range(9)}}, (1,) * 9 + (0,)),
    ],
)
def test_quiz_answers_come_as_a_list_or_as_a_form_s_radios(
    fields: Json, want: tuple[int, ...]
) -> None:
    assert command("quiz.answer", station_id="s1", **fields) == AnswerQuiz("s1", want)


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({}, "wire.missing_field", "answers"),
        ({"answer_0": "1", "answer_2": "0"}, "wire.missing_field", "answer_1"),
        ({"answers": [1], "answer_0": "1"}, "wire.unknown_field", "answer_0"),
        ({"answer_10": "1", "answer_0": "0"}, "wire.unknown_field", "answer_10"),
        ({"answers": "1,0"}, "wire.wrong_type", "answers"),
        ({"answers": [True]}, "wire.wrong_type", "answers"),
        ({"answers": ["1"]}, "wire.wrong_type", "answers"),
        ({"answers": [1.0]}, "wire.wrong_type", "answers"),
        ({"answers": [None]}, "wire.wrong_type", "answers"),
        ({"answers": [-1]}, "wire.out_of_range", "answers"),
        ({"answers": [101]}, "wire.out_of_range", "answers"),
        ({"answers": [0] * 11}, "wire.too_long", "answers"),
        ({"answer_0": "x"}, "wire.wrong_type", "answer_0"),
        ({"answer_0": "٣"}, "wire.wrong_type", "answer_0"),
        ({"answer_0": "-1"}, "wire.wrong_type", "answer_0"),
        ({"answer_0": True}, "wire.wrong_type", "answer_0"),
        ({"answer_0": "1000"}, "wire.wrong_type", "answer_0"),
        ({"answer_0": "101"}, "wire.out_of_range", "answer_0"),
    ],
)
def test_quiz_answers_are_strict(fields: Json, code: str, field: str) -> None:
    e = refused("quiz.answer", station_id="s1", **fields)
    assert (e.code, e.field) == (code, field)


# --- calls -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [{}, {"message": None}, {"message": ""}])
def test_a_call_may_come_without_a_message(fields: Json) -> None:
    assert command("call.request", station_id="s1", **fields) == CallMe("s1", "new1", "")


# --- presence at a station -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("station_id", "want"), [("s1", Visiting("s1")), (None, Visiting(None)), ("", Visiting(None))]
)
def test_station_visiting_is_presence_not_a_command(station_id: Any, want: Visiting) -> None:
    assert parse({"type": "station.visiting", "station_id": station_id}) == want
    # Like note.editing: no command_id needed, one is ignored.
    assert parse({"type": "station.visiting", "station_id": station_id, "command_id": "x"}) == want


@pytest.mark.parametrize(
    ("msg", "code", "field"),
    [
        ({}, "wire.missing_field", "station_id"),
        ({"station_id": 7}, "wire.wrong_type", "station_id"),
        ({"station_id": False}, "wire.wrong_type", "station_id"),
        ({"station_id": ["s1"]}, "wire.wrong_type", "station_id"),
        ({"station_id": "s-1"}, "wire.bad_id", "station_id"),
        ({"station_id": "x" * 65}, "wire.too_long", "station_id"),
        ({"station_id": "s1", "room_id": "r1"}, "wire.unknown_field", "room_id"),
    ],
)
def test_station_visiting_is_strict(msg: Json, code: str, field: str) -> None:
    with pytest.raises(WireError) as e:
        parse({"type": "station.visiting", **msg})
    assert (e.value.code, e.value.field) == (code, field)
