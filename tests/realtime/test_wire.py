"""Strict parsing of client messages."""

from __future__ import annotations

import itertools

import pytest

from server.domain.commands import AddNote, DeleteNote, UpdateParticipant
from server.realtime.wire import CommandRequest, Hello, Ping, WireError, parse_client_message

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


@pytest.mark.parametrize("cid", ['"short"', '"has space in it"', '"' + "x" * 65 + '"', "123456789"])
def test_bad_command_ids(cid: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(f'{{"type":"note.add","command_id":{cid},"text":"x"}}', make_id)
    assert e.value.code == "wire.bad_id"
