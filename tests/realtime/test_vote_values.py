"""A vote's value, from the JSON frame to the rule: only a whole number from 0 to 10 counts.

The wire layer passes any JSON scalar through as it is, and the domain answers every wrong value
with the one clear code `vote.bad_value` ("choose a whole number from 0 to 10"). What JSON itself
cannot carry (NaN, Infinity) and what is not a scalar never reaches the domain: wire errors.
"""

from __future__ import annotations

import json
from dataclasses import replace
from types import MappingProxyType

import pytest

from server.domain.commands import Actor, AddRoomParticipant, Command
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.questions import Question
from server.realtime.wire import CommandRequest, WireError, parse_client_message
from tests.domain.kit import FAC, P1, Session
from tests.realtime.test_templates_send_known_types import (
    BOOLEAN_FIELDS,
    INTEGER_FIELDS,
    typed,
)

# The value exactly as it appears in the frame (JSON text).
REFUSED_BY_THE_DOMAIN = [
    "7.0",
    '"7.0"',
    "7.5",
    "true",
    "false",
    '"7"',
    '" 7 "',
    '"٧"',  # ARABIC-INDIC DIGIT SEVEN
    '"１0"',  # FULLWIDTH DIGIT ONE, then 0
    '"\\uff17"',  # FULLWIDTH DIGIT SEVEN, escaped
    '""',
    "1e1",
    "10.0",
    "0.0",
    "-0.0",
    "1e400",  # Python reads this as infinity, without a parse_constant call
    "11",
    "-1",
    "100000000000000000000",
]
REFUSED_BY_THE_WIRE = [
    ("NaN", "wire.not_a_number"),
    ("Infinity", "wire.not_a_number"),
    ("-Infinity", "wire.not_a_number"),
    ("null", "wire.wrong_type"),
    ("[7]", "wire.wrong_type"),
    ('{"value": 7}', "wire.wrong_type"),
    ("07", "wire.malformed_json"),
]
ACCEPTED = ["0", "7", "10"]


def frame(value: str, **extra: str) -> str:
    fields = "".join(f',"{k}":{json.dumps(v)}' for k, v in extra.items())
    return (
        '{"type":"vote.cast","command_id":"vote-0001","question_id":"q1",'
        f'"value":{value}{fields}}}'
    )


def new_ids() -> str:
    return "room1"


def session() -> Session:
    """p1 (Ida, Borger), p2 and p3 may vote on q1, which is open and asks no comment.

    The question is put into the state as it is, not through the log: these tests are about the
    way from the frame to the rule (`decide`), not about applying events."""
    s = Session()
    q = Question(
        id="q1",
        text="I hvilken grad kan visionen bruges som endeligt forslag?",
        low_label="I lav grad",
        high_label="I høj grad",
        ask_comment=False,
        anonymous=True,
        min_group=3,
        position=0,
        status="open",
    )
    s.state = replace(s.state, questions=MappingProxyType({"q1": q}))
    return s


def accepted(s: Session, actor: Actor, raw: str) -> Event:
    (event,) = decide(s.state, actor, command(raw))
    assert event.type == "vote.cast"
    return event


def command(raw: str) -> Command:
    m = parse_client_message(raw, new_ids)
    assert isinstance(m, CommandRequest) and m.type == "vote.cast"
    return m.command


def refused(s: Session, actor: Actor, raw: str) -> str:
    with pytest.raises(DomainError) as e:
        decide(s.state, actor, command(raw))
    return e.value.code


@pytest.mark.parametrize("value", REFUSED_BY_THE_DOMAIN)
def test_every_wrong_scalar_gets_vote_bad_value(value: str) -> None:
    s = session()
    assert refused(s, P1, frame(value)) == "vote.bad_value"


@pytest.mark.parametrize(("value", "code"), REFUSED_BY_THE_WIRE)
def test_what_is_not_a_json_scalar_number_is_a_wire_error(value: str, code: str) -> None:
    with pytest.raises(WireError) as e:
        parse_client_message(frame(value), new_ids)
    assert e.value.code == code
    assert e.value.command_id == ("vote-0001" if code == "wire.wrong_type" else None)


@pytest.mark.parametrize("value", ACCEPTED)
def test_whole_numbers_from_0_to_10_are_votes(value: str) -> None:
    event = accepted(session(), P1, frame(value))
    assert event.data["value"] == int(value) and type(event.data["value"]) is int
    assert event.data["voter_id"] == P1.id


def test_a_vote_recorded_for_someone_in_the_room_is_held_to_the_same_rule() -> None:
    s = session()
    add = parse_client_message(
        '{"type":"participant.add","command_id":"room-0001","group":"Borger"}', new_ids
    )
    assert isinstance(add, CommandRequest)
    assert add.command == AddRoomParticipant("room1", None, "Borger")
    s.do(FAC, add.command)
    assert refused(s, FAC, frame('"7"', on_behalf_of="room1")) == "vote.bad_value"
    assert refused(s, FAC, frame("7.0", on_behalf_of="room1")) == "vote.bad_value"
    event = accepted(s, FAC, frame("7", on_behalf_of="room1"))
    assert event.data["voter_id"] == "room1" and event.data["value"] == 7
    assert event.data["by_facilitator"] is True


def test_the_value_is_checked_before_the_comment() -> None:
    """A bad value with a comment on a question that asks none: the value is what to fix."""
    s = session()
    assert refused(s, P1, frame("7.5", comment="Mere grønt")) == "vote.bad_value"
    assert refused(s, P1, frame("7", comment="Mere grønt")) == "vote.no_comment"


def test_the_browser_types_the_new_fields() -> None:
    """static/app.js `typed()`: a form's `value` and `min_group` become integers only when they
    are plain ASCII digits, so anything else reaches the domain as a string and is refused."""
    assert {"ask_comment", "anonymous"} <= BOOLEAN_FIELDS
    assert {"min_group", "value"} <= INTEGER_FIELDS
    assert typed("value", "7") == 7 and typed("min_group", "3") == 3
    assert typed("anonymous", "false") is False and typed("ask_comment", "true") is True
    for raw in ("7.5", " 7 ", "٧", "１0", "-1", ""):
        assert typed("value", raw) == raw
    s = session()
    for raw in ("7.5", " 7 ", "٧", "１0", "-1", "", "11"):
        assert refused(s, P1, frame(json.dumps(typed("value", raw)))) == "vote.bad_value"
