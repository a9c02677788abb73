"""The JSON API's OpenAPI 3.1 document, served at `GET /api/openapi.json`.

The command bodies are read off the parser itself, so the document cannot drift from it: every
builder of `COMMAND_BUILDERS` runs once against a probe (`_Probe`), a `Fields` that records
each field the builder asks for, with the accessor's type, length, range, `required` and
`nullable`, and answers with a harmless value. Only what no accessor can say is written here:
the shapes of the list and object fields a builder reads raw (`RAW_SHAPES`), and the flat form
fields two messages also take (`FORM_FIELDS`). A raw field without a shape is an error when the
document is built, so a new one cannot be left out (`tests/web/test_openapi.py` builds it).

A builder that compares a field with a literal before asking for it (`note.move` takes "" for
"no cluster") is seen too: the probe's data answers `get` with a stand-in that records what it
is compared with, and the literal joins the field's schema.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.domain.backlog import CAPACITY_RULES, ITEM_STATUSES
from server.domain.boards import COLORS, TEMPLATES
from server.domain.decide import ERASE_NOTES
from server.domain.dilemmas import SIDES
from server.domain.hall import MAX_QUIZ_QUESTIONS, ROOM_KINDS, STATION_KINDS
from server.exchange.export import FORMAT, GENERATOR, VERSION
from server.realtime import wire_backlog, wire_hall
from server.realtime.wire import CLIENT_MESSAGE_TYPES, COMMAND_BUILDERS, SERVER_MESSAGE_TYPES
from server.realtime.wire_fields import (
    COMMAND_ID_RE,
    FORM_INT_RE,
    ID_RE,
    MAX_RAW_KEY,
    MAX_RAW_NAME,
    MAX_RAW_TEXT,
    MAX_RAW_TITLE,
    Builder,
    Fields,
)

Schema = dict[str, Any]
SESSION_COOKIE = "samskab_session"
# The messages the parser knows that are not commands: socket-only, refused by the API.
SESSION_MESSAGES = tuple(t for t in CLIENT_MESSAGE_TYPES if t not in COMMAND_BUILDERS)
ERROR_CODE_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"
PROTOCOL = "docs/PROTOCOL.md"


def ecma(pattern: re.Pattern[str]) -> str:
    """A Python pattern as JSON Schema writes it (ECMA-262): `\\Z` becomes `$`, which means the
    same there (no match before a trailing newline)."""
    text = pattern.pattern
    assert text.endswith(r"\Z") and text.count(r"\Z") == 1, text
    return text[:-2] + "$"


ID = ecma(ID_RE)
ID_BODY = ID.removeprefix("^").removesuffix("$")  # the id's pattern inside a larger one


def _string(max_len: int) -> Schema:
    return {"type": "string", "maxLength": max_len}


def _id() -> Schema:
    return {"type": "string", "pattern": ID}


def _nullable(schema: Schema) -> Schema:
    """`schema`, or JSON `null`."""
    if isinstance(schema.get("type"), str):  # keywords of other types do not apply to null
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def _array(items: Schema, max_items: int) -> Schema:
    return {"type": "array", "items": items, "maxItems": max_items}


def _tuple(*items: Schema) -> Schema:
    """A JSON list of exactly these entries, in this order."""
    n = len(items)
    return {"type": "array", "prefixItems": list(items), "items": False, "minItems": n}


def _form_int(low: int, high: int, *, nullable: bool) -> Schema:
    """A JSON integer, or the same number as a string of ASCII digits (a form's field); with
    `nullable`, also `null` and "" for none."""
    digits = ecma(FORM_INT_RE)
    if nullable:
        digits = "^(" + digits.removeprefix("^").removesuffix("$") + ")?$"
    out: list[Schema] = [
        {"type": "integer", "minimum": low, "maximum": high},
        {"type": "string", "pattern": digits},
    ]
    if nullable:
        out.append({"type": "null"})
    return {"anyOf": out}


# --- the shapes of the fields builders read raw ---------------------------------------------


@dataclass(frozen=True)
class RawShape:
    """A raw field's schema, and the value the probe hands the builder for it."""

    schema: Schema
    sample: Any = None


def _lines(max_len: int, what: str) -> Schema:
    return {**_string(max_len), "description": f"A textarea's text: {what}"}


_HALL_PAIR = _tuple(_string(MAX_RAW_TITLE), _string(MAX_RAW_TITLE))
_HALL_LIST = wire_hall.MAX_RAW_LIST
_BACKLOG_NAMES = _array(_string(MAX_RAW_NAME), wire_backlog.MAX_RAW_LIST)
_TARGET: Schema = {
    "description": 'Where an unfinished item goes: "backlog", "" or null, or a sprint\'s id.',
    "anyOf": [{"type": "null"}, {"enum": ["", wire_backlog.BACKLOG]}, _id()],
}
_EVALUATION = _string(MAX_RAW_KEY)
_GOAL_NOTE = _nullable(_string(wire_backlog.MAX_RAW_DESCRIPTION))

RAW_SHAPES: dict[str, RawShape] = {
    "items": RawShape(
        _nullable(
            {
                "anyOf": [
                    _array(_HALL_PAIR, _HALL_LIST),
                    _lines(wire_hall.MAX_RAW_LIST_TEXT, 'one item a line, "09:30 Velkomst"'),
                ]
            }
        )
    ),
    "milestones": RawShape(
        _nullable(
            {
                "anyOf": [
                    _array(
                        _tuple(
                            _string(MAX_RAW_TITLE),
                            _string(MAX_RAW_TITLE),
                            {"type": "boolean"},
                        ),
                        _HALL_LIST,
                    ),
                    _lines(wire_hall.MAX_RAW_LIST_TEXT, 'one a line, "[x] marts 2027 | text"'),
                ]
            }
        )
    ),
    "links": RawShape(
        _nullable(
            {
                "anyOf": [
                    _array(_HALL_PAIR, _HALL_LIST),
                    _lines(wire_hall.MAX_RAW_LIST_TEXT, 'one a line, "title | https://..."'),
                ]
            }
        )
    ),
    "quiz": RawShape(
        _nullable(
            {
                "anyOf": [
                    _array(
                        {
                            "type": "object",
                            "properties": {
                                "text": _string(MAX_RAW_TITLE),
                                "options": _array(_string(MAX_RAW_TITLE), wire_hall.MAX_RAW_LIST),
                                "answer": {
                                    "type": "integer",
                                    "minimum": -wire_hall.MAX_RAW_NUMBER,
                                    "maximum": wire_hall.MAX_RAW_NUMBER,
                                },
                            },
                            "required": ["text", "options", "answer"],
                            "additionalProperties": False,
                        },
                        _HALL_LIST,
                    ),
                    _lines(wire_hall.MAX_RAW_LIST_TEXT, "blocks, `*` marks the right option"),
                ]
            }
        )
    ),
    "image_ids": RawShape(
        _nullable(
            {
                "anyOf": [
                    _array(_id(), _HALL_LIST),
                    _lines(wire_hall.MAX_RAW_LIST_TEXT, "ids separated by commas or spaces"),
                ]
            }
        )
    ),
    "answers": RawShape(
        _array(
            {"type": "integer", "minimum": 0, "maximum": wire_hall.MAX_RAW_ANSWER},
            MAX_QUIZ_QUESTIONS,
        ),
        sample=[],
    ),
    "owners": RawShape(
        _nullable(
            {"anyOf": [_BACKLOG_NAMES, _lines(wire_backlog.MAX_RAW_LIST_TEXT, "comma-separated")]}
        )
    ),
    "tags": RawShape(
        _nullable(
            {"anyOf": [_BACKLOG_NAMES, _lines(wire_backlog.MAX_RAW_LIST_TEXT, "comma-separated")]}
        )
    ),
    "goals": RawShape(
        {
            "anyOf": [
                _array(_string(MAX_RAW_TITLE), wire_backlog.MAX_RAW_LIST),
                _lines(wire_backlog.MAX_RAW_LIST_TEXT, "one goal a line"),
            ]
        },
        sample=[],
    ),
    "unfinished": RawShape(
        _nullable(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "description": "item id: where it goes",
                        "propertyNames": {"pattern": ID},
                        "additionalProperties": _TARGET,
                        "maxProperties": wire_backlog.MAX_RAW_LIST,
                    },
                    _array(_tuple(_id(), _TARGET), wire_backlog.MAX_RAW_LIST),
                ]
            }
        ),
        sample={},
    ),
    "evaluations": RawShape(
        _nullable(
            {
                "anyOf": [
                    {
                        "type": "object",
                        "description": "goal id: its evaluation",
                        "propertyNames": {"pattern": ID},
                        "additionalProperties": {
                            "type": "object",
                            "properties": {"evaluation": _EVALUATION, "note": _GOAL_NOTE},
                            "required": ["evaluation"],
                            "additionalProperties": False,
                        },
                        "maxProperties": wire_backlog.MAX_RAW_LIST,
                    },
                    _array(_tuple(_id(), _EVALUATION, _GOAL_NOTE), wire_backlog.MAX_RAW_LIST),
                ]
            }
        ),
        sample={},
    ),
}


@dataclass(frozen=True)
class FormFields:
    """A message's flat form fields (as the HTML editor's forms send them), besides its JSON
    fields, which then become optional: the parser takes one or the other, not both."""

    optional: tuple[str, ...]
    properties: dict[str, Schema]
    patterns: dict[str, Schema]


_RADIO: Schema = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": wire_hall.MAX_RAW_ANSWER},
        {"type": "string", "pattern": "^[0-9]{0,3}$"},
        {"type": "null"},
    ]
}

FORM_FIELDS: dict[str, FormFields] = {
    "quiz.answer": FormFields(
        optional=("answers",),
        properties={name: _RADIO for name in wire_hall.ANSWER_FIELDS},
        patterns={},
    ),
    "sprint.close": FormFields(
        optional=("unfinished", "evaluations"),
        properties={},
        patterns={
            f"^{wire_backlog.UNFINISHED_PREFIX}{ID_BODY}$": _TARGET,
            f"^{wire_backlog.EVALUATION_PREFIX}{ID_BODY}$": _EVALUATION,
            f"^{wire_backlog.NOTE_PREFIX}{ID_BODY}$": _GOAL_NOTE,
        },
    ),
}


# The values the domain knows for a field the parser only reads as a short string (it answers
# any other with its own code, a 422): shown as the field's `examples`, not as an `enum`, since
# the document describes what the parser takes.
KNOWN_VALUES: dict[tuple[str, str], tuple[str, ...]] = {
    ("board.create", "template"): tuple(TEMPLATES),
    ("note.add", "color"): COLORS,
    ("note.edit", "color"): COLORS,
    ("participant.erase", "notes"): ERASE_NOTES,
    ("dilemma.choose", "side"): SIDES,
    ("room.add", "kind"): ROOM_KINDS,
    ("station.add", "kind"): STATION_KINDS,
    ("committee.capacity_rule", "capacity_rule"): CAPACITY_RULES,
    ("item.status", "status"): ITEM_STATUSES,
}


# --- the probe ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldShape:
    schema: Schema
    required: bool


class _Peek:
    """What the probe's data answers `get` with for a field it does not hold: it records every
    literal it is compared with, and equals none of them."""

    def __init__(self, probe: _Probe, name: str) -> None:
        self.probe = probe
        self.name = name

    def __eq__(self, other: object) -> bool:
        self.probe.literals.setdefault(self.name, []).append(other)
        return False

    __hash__ = None  # type: ignore[assignment]


class _ProbeData(dict[str, Any]):
    def __init__(self, probe: _Probe, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.probe = probe

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else _Peek(self.probe, key)


class _Probe(Fields):
    """A message's `Fields` that records what the builder asks for instead of checking it."""

    def __init__(self) -> None:
        self.shapes: dict[str, FieldShape] = {}
        self.literals: dict[str, list[object]] = {}
        # Present so that builders take their JSON branch rather than a form's flat fields.
        present = {k: s.sample for k, s in RAW_SHAPES.items() if s.sample is not None}
        super().__init__(_ProbeData(self, present), None)

    def _record(self, name: str, schema: Schema, required: bool) -> None:
        self.used.add(name)
        shape = FieldShape(schema, required)
        if self.shapes.setdefault(name, shape) != shape:
            raise AssertionError(f"field {name!r} is read twice, in two shapes")

    def raw(self, name: str, *, required: bool = True) -> Any:
        if name not in RAW_SHAPES:
            raise AssertionError(f"field {name!r} is read raw and has no shape in RAW_SHAPES")
        self._record(name, RAW_SHAPES[name].schema, required)
        return RAW_SHAPES[name].sample

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        nullable: bool = False,
        max_len: int = MAX_RAW_TEXT,
    ) -> str | None:
        schema = _string(max_len)
        self._record(name, _nullable(schema) if nullable else schema, required)
        return "x" if required and not nullable else None

    def ident(self, name: str, *, required: bool = True, nullable: bool = False) -> str | None:
        self._record(name, _nullable(_id()) if nullable else _id(), required)
        return "x" if required and not nullable else None

    def optional_ident(self, name: str, *, required: bool = True) -> str | None:
        schema = {"anyOf": [_id(), {"const": ""}, {"type": "null"}]}
        self._record(name, schema, required)
        return None

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        self._record(name, {"type": "boolean"}, required)
        return True

    def integer(self, name: str, *, low: int, high: int, nullable: bool = False) -> int | None:
        schema = {"type": "integer", "minimum": low, "maximum": high}
        self._record(name, _nullable(schema) if nullable else schema, not nullable)
        return None if nullable else low

    def form_integer(
        self, name: str, *, low: int, high: int, nullable: bool = False, required: bool = True
    ) -> int | None:
        self._record(name, _form_int(low, high, nullable=nullable), required)
        return None if nullable or not required else low

    def scalar(self, name: str) -> bool | int | float | str:
        self._record(name, {"type": ["boolean", "number", "string"]}, True)
        return 0

    def finish(self) -> None:
        stray = set(self.literals) - set(self.shapes)
        if stray:
            raise AssertionError(f"fields compared but never read: {sorted(stray)}")


def _builder() -> Builder:
    return Builder(
        make_id=lambda: "x",
        titles=lambda template: TEMPLATES.get(template, ()),
        now_ms=lambda: 0,
        today=lambda: "2026-11-24",
    )


def command_fields(mtype: str) -> dict[str, FieldShape]:
    """The fields of one command as its builder reads them, with the form fields it also takes
    and the literals it compares a field with."""
    probe = _Probe()
    COMMAND_BUILDERS[mtype](probe, _builder())
    probe.finish()
    shapes = dict(probe.shapes)
    for name, literals in probe.literals.items():
        shape = shapes[name]
        extra = [{"const": v} for v in literals]
        shapes[name] = FieldShape({"anyOf": [shape.schema, *extra]}, shape.required)
    form = FORM_FIELDS.get(mtype)
    if form is not None:
        for name in form.optional:
            shapes[name] = FieldShape(shapes[name].schema, False)
    for (known_type, name), values in KNOWN_VALUES.items():
        if known_type == mtype:
            shape = shapes[name]  # a KeyError: the command has no such field any more
            shapes[name] = FieldShape({**shape.schema, "examples": list(values)}, shape.required)
    return shapes


def _anchor(mtype: str) -> str:
    return "#" + mtype.replace(".", "")


def command_schema(mtype: str) -> Schema:
    """One command's body: `type`, `command_id`, its fields, and nothing else."""
    fields = command_fields(mtype)
    properties: dict[str, Schema] = {
        "type": {"const": mtype},
        "command_id": {
            "type": "string",
            "pattern": ecma(COMMAND_ID_RE),
            "description": "Made by the client; the same id gets the same answer.",
        },
        **{name: shape.schema for name, shape in fields.items()},
        "headers": {
            "type": ["object", "null"],
            "description": "Ignored (htmx's hx-ws adds it).",
        },
    }
    schema: Schema = {
        "type": "object",
        "title": mtype,
        "description": f"See {PROTOCOL}{_anchor(mtype)}.",
        "properties": properties,
        "required": ["type", "command_id", *(n for n, s in fields.items() if s.required)],
        "additionalProperties": False,
    }
    form = FORM_FIELDS.get(mtype)
    if form is not None:
        properties.update(form.properties)
        if form.patterns:
            schema["patternProperties"] = form.patterns
        schema["description"] += " Also takes its form's flat fields, instead of the JSON ones."
    return schema


# --- responses ------------------------------------------------------------------------------


ERROR: Schema = {
    "type": "object",
    "description": "The command or request was refused; nothing was applied. `code` is a "
    "stable message-catalogue key to program against, `message` its text in the session's "
    "language.",
    "properties": {
        "type": {"const": "error"},
        "command_id": {"type": ["string", "null"], "pattern": ecma(COMMAND_ID_RE)},
        "code": {"type": "string", "pattern": ERROR_CODE_PATTERN},
        "message": {"type": "string"},
    },
    "required": ["type", "command_id", "code", "message"],
    "additionalProperties": False,
}

ACK: Schema = {
    "type": "object",
    "description": "Accepted, now or earlier (a repeated `command_id` gets the first answer).",
    "properties": {
        "type": {"const": "ack"},
        "command_id": {"type": "string", "pattern": ecma(COMMAND_ID_RE)},
        "seq": {"type": "integer", "minimum": 1},
    },
    "required": ["type", "command_id", "seq"],
    "additionalProperties": False,
}

SNAPSHOT: Schema = {
    "type": "object",
    "description": f"The state for the caller's role; see {PROTOCOL}#snapshot.",
    "properties": {
        "type": {"const": "snapshot"},
        "epoch": {"type": "string", "minLength": 1},
        "seq": {"type": "integer", "minimum": 0},
        "state": {
            "type": "object",
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string"},
                "date": {"type": "string"},
                "groups": {"type": "array", "items": {"type": "string"}},
                "current_board_id": {"type": "string"},
                "boards": {"type": "array", "items": {"type": "object"}},
                "questions": {"type": "array", "items": {"type": "object"}},
                "timer": {"type": ["object", "null"]},
                "dilemmas": {},
                "hall": {"type": "object"},
                "committee": {"type": ["object", "null"]},
                "join_code": {"type": "string", "description": "The facilitator's only."},
                "participants": {
                    "type": "array",
                    "items": {"type": "object"},
                    "description": "The facilitator's only.",
                },
            },
            "required": [
                "id",
                "title",
                "date",
                "groups",
                "current_board_id",
                "boards",
                "questions",
                "timer",
                "dilemmas",
                "hall",
                "committee",
            ],
        },
    },
    "required": ["type", "epoch", "seq", "state"],
    "additionalProperties": False,
}

HEALTH: Schema = {
    "type": "object",
    "properties": {
        "status": {"enum": ["ok", "degraded"]},
        "database": {"enum": ["ok", "down"]},
        "broker": {"enum": ["ok", "down"]},
        "broker_kind": {"enum": ["memory", "redis"]},
    },
    "required": ["status", "database", "broker", "broker_kind"],
    "additionalProperties": False,
}

EXPORT: Schema = {
    "type": "object",
    "description": "The JSON export, format `samskab.workshop`; see docs/EXPORT.md.",
    "properties": {
        "format": {"const": FORMAT},
        "version": {"const": VERSION},
        "exported_at": {"type": "string", "pattern": r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"},
        "generator": {"const": GENERATOR},
        "checksum": {"type": "string", "pattern": "^sha256:[0-9a-f]{64}$"},
        "workshop": {
            "type": "object",
            "required": [
                "title",
                "date",
                "groups",
                "participants",
                "boards",
                "questions",
                "dilemmas",
                "hall",
                "archive",
            ],
        },
    },
    "required": ["format", "version", "exported_at", "generator", "checksum", "workshop"],
    "additionalProperties": False,
}


def _json(schema: Schema, description: str) -> Schema:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> Schema:
    return _json({"$ref": "#/components/schemas/Error"}, description)


_WORKSHOP_ID: Schema = {
    "name": "workshop_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": ID},
}
_NOT_IN_WORKSHOP = "`permission.not_in_workshop`: no facilitator or participant session for it."

COMMAND_STATUSES = ("200", "400", "403", "404", "413", "415", "422", "503")


def _command_component(mtype: str) -> str:
    return f"Command.{mtype}"


def _commands_operation() -> Schema:
    refs = {t: f"#/components/schemas/{_command_component(t)}" for t in COMMAND_BUILDERS}
    return {
        "operationId": "postCommand",
        "summary": "Send one command, as on the WebSocket",
        "description": (
            "The body is one command message, the same as a socket frame, parsed strictly by "
            "the same parser (no unknown fields, no duplicate keys, integers as JSON integers). "
            "The session messages " + ", ".join(f"`{m}`" for m in SESSION_MESSAGES) + " are "
            "socket-only: `hello` and `ping` get 400 `wire.unknown_type`, the other two 400 "
            "`api.socket_only`. Checked in this order: Origin, Content-Type, workshop and "
            "session, body size, parsing, then the domain's rules. **Origin rule**: a request "
            "with an `Origin` header must come from an allowed origin (`ALLOWED_ORIGINS`, or "
            "with none configured the request's own host), else 403 `api.bad_origin`; clients "
            f"that are not browsers may leave it out. See {PROTOCOL}#post-apiworkshopsworkshop"
            "_idcommands."
        ),
        "security": [{"session": []}],
        "parameters": [
            _WORKSHOP_ID,
            {
                "name": "Origin",
                "in": "header",
                "required": False,
                "description": "Checked when present: see the Origin rule above.",
                "schema": {"type": "string"},
            },
        ],
        "requestBody": {
            "required": True,
            "description": "At most WS_MAX_MESSAGE_BYTES (64 KiB by default).",
            "content": {
                "application/json": {
                    "schema": {
                        "oneOf": [{"$ref": r} for r in refs.values()],
                        "discriminator": {"propertyName": "type", "mapping": refs},
                    }
                }
            },
        },
        "responses": {
            "200": _json({"$ref": "#/components/schemas/Ack"}, "Accepted."),
            "400": _error(
                "A `wire.*` code: the body is not an acceptable command (malformed JSON, a "
                "missing, mistyped, too long or unknown field, an unknown type); or "
                "`api.socket_only`, or a textarea line the parser cannot read."
            ),
            "403": _error(
                "`api.bad_origin`; "
                + _NOT_IN_WORKSHOP
                + " Or a domain code starting with `permission.` or ending in `not_yours`: "
                "the role may not do this."
            ),
            "404": _error("`workshop.not_found`."),
            "413": _error("`wire.too_large`: the body is larger than a socket frame may be."),
            "415": _error("`api.json_only`: the body is not `application/json`."),
            "422": _error("A domain rule refused the command (an unknown id, a limit, ...)."),
            "503": _error("`server.try_again`: the database is unreachable; retry, same id."),
        },
    }


@functools.cache
def document() -> Schema:
    """The whole document; built once, it only depends on the code."""
    components: dict[str, Schema] = {
        "Error": ERROR,
        "Ack": ACK,
        "Snapshot": SNAPSHOT,
        "Health": HEALTH,
        "Export": EXPORT,
        **{_command_component(t): command_schema(t) for t in COMMAND_BUILDERS},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Samskab JSON API",
            "version": "1",
            "description": (
                f"Commands, snapshots and health of Samskab's workshops. {PROTOCOL} is the "
                "reference for every command, event and error code; this document is derived "
                "from the server's parser. Server messages: "
                + ", ".join(f"`{t}`" for t in SERVER_MESSAGE_TYPES)
                + "; over HTTP only `ack`, `error` and `snapshot`."
            ),
        },
        "paths": {
            "/api/workshops/{workshop_id}/commands": {"post": _commands_operation()},
            "/api/workshops/{workshop_id}/snapshot": {
                "get": {
                    "operationId": "getSnapshot",
                    "summary": "The workshop's state for the caller's role",
                    "security": [{"session": []}],
                    "parameters": [_WORKSHOP_ID],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Snapshot"}, "The state."),
                        "403": _error(_NOT_IN_WORKSHOP),
                        "404": _error("`workshop.not_found`."),
                    },
                }
            },
            "/healthz": {
                "get": {
                    "operationId": "getHealth",
                    "summary": "For load balancers: the database and the broker",
                    "security": [],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Health"}, "Both answer."),
                        "503": _json(
                            {"$ref": "#/components/schemas/Health"}, "One of them is down."
                        ),
                    },
                }
            },
            "/f/workshops/{workshop_id}/export.json": {
                "get": {
                    "operationId": "getExport",
                    "summary": "The workshop's JSON export, for the facilitator who owns it",
                    "security": [{"session": []}],
                    "parameters": [_WORKSHOP_ID],
                    "responses": {
                        "200": {
                            **_json({"$ref": "#/components/schemas/Export"}, "The file."),
                            "headers": {
                                "Content-Disposition": {
                                    "schema": {"type": "string", "pattern": "^attachment;"}
                                }
                            },
                        },
                        "303": {
                            "description": "No facilitator session: to `/login`.",
                            "headers": {"Location": {"schema": {"const": "/login"}}},
                        },
                        "404": {
                            "description": "Not this facilitator's workshop, or none; a task "
                            "committee's stream has no export of this kind.",
                            "content": {"text/html": {"schema": {"type": "string"}}},
                        },
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": _json({"type": "object", "required": ["openapi"]}, "It.")},
                }
            },
        },
        "components": {
            "schemas": components,
            "securitySchemes": {
                "session": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": SESSION_COOKIE,
                    "description": (
                        "The signed session cookie a browser gets by joining "
                        "(`POST /w/{code}/join`) or by logging in as a facilitator "
                        "(`POST /login`)."
                    ),
                }
            },
        },
    }


@functools.cache
def _rendered() -> bytes:
    return bytes(JSONResponse(document()).body)


async def openapi_json(request: Request) -> Response:
    """The document, rendered once per process."""
    return Response(_rendered(), media_type="application/json")
