"""The JSON API's OpenAPI document (`GET /api/openapi.json`), and schemathesis against it.

The document is derived from the parser (`server/web/openapi.py`); the first tests hold it to
the parser, to the OpenAPI 3.1 schema and to PROTOCOL.md's examples. Then schemathesis
generates requests from it (the served document is the same, a test checks): valid and invalid
bodies of every command type, in turn, and snapshot, export and health requests. They go to one
real server process with the session cookie of a joined participant, the facilitator, a
participant of another workshop or nobody. Every answer must be as documented: no 5xx, a
documented status and content type, headers and a body that match their schemas, and a request
the document calls invalid refused. Generated ids and keys are often swapped for ones the
workshop and the domain know, so commands get past "unknown" and change things. Afterwards
every workshop's log has no gap, replays to the stored state and loads as a snapshot, and the
server logged no error.

`SAMSKAB_OPENAPI_EXAMPLES=200` runs it deeper (12 requests per command type by default),
`SAMSKAB_OPENAPI_DATABASE=postgres` on PostgreSQL. schemathesis imports without warnings here
(pytest runs with `filterwarnings = error`), so the module needs no filter.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import json
import os
import re
import sqlite3
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31

from server.domain.workshop import WorkshopState, replay
from server.realtime.wire import CLIENT_MESSAGE_TYPES, COMMAND_BUILDERS, parse_client_message
from server.realtime.wire_fields import ID_RE, WireError
from server.store import log, projections
from server.store.db import Database
from server.web.openapi import (
    KNOWN_VALUES,
    SESSION_COOKIE,
    SESSION_MESSAGES,
    command_schema,
    document,
)
from tests.services import PostgresServer
from tests.support import (
    FACILITATOR,
    PASSWORD,
    ServerProcess,
    create_facilitator,
    query,
    server_env,
)

ROOT = Path(__file__).resolve().parents[2]
PROTOCOL = ROOT / "docs" / "PROTOCOL.md"
COMMANDS = "/api/workshops/{workshop_id}/commands"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# Requests per command type; raise it for a deeper run (SAMSKAB_OPENAPI_EXAMPLES=200).
EXAMPLES = int(os.environ.get("SAMSKAB_OPENAPI_EXAMPLES") or 12)
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
# A field of a command, and the key the ids it names go by in the log's event payloads.
ID_ALIASES = {
    "into_id": "note_id",
    "move_notes_to": "column_id",
    "on_behalf_of": "participant_id",
    "close_question_id": "question_id",
    "target_room_id": "room_id",
}


# --- the document against the parser and PROTOCOL.md ------------------------------------------


def _validator(schema: dict[str, Any]) -> jsonschema_rs.Draft202012Validator:
    """A JSON Schema 2020-12 validator (the dialect of OpenAPI 3.1) for one command's body."""
    return jsonschema_rs.Draft202012Validator(schema)


def test_every_command_the_parser_knows_is_in_the_document() -> None:
    doc = document()
    body = doc["paths"][COMMANDS]["post"]["requestBody"]["content"]["application/json"]
    mapping = body["schema"]["discriminator"]["mapping"]
    assert set(mapping) == set(COMMAND_BUILDERS)
    assert len(body["schema"]["oneOf"]) == len(COMMAND_BUILDERS)
    for mtype, ref in mapping.items():
        component = doc["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert component["properties"]["type"] == {"const": mtype}
        assert {"type", "command_id"} <= set(component["required"])
        assert component["additionalProperties"] is False
    # The socket's own messages are no commands of the API.
    assert not set(SESSION_MESSAGES) & set(mapping)
    assert set(SESSION_MESSAGES) | set(COMMAND_BUILDERS) == set(CLIENT_MESSAGE_TYPES)
    # The domain's values shown as examples belong to fields that exist.
    for mtype, name in KNOWN_VALUES:
        assert "examples" in command_schema(mtype)["properties"][name]


def _protocol_examples() -> list[dict[str, Any]]:
    """Every JSON example of PROTOCOL.md that is a command (a few examples elide with "…")."""
    out = []
    for block in re.findall(r"```json\n(.*?)```", PROTOCOL.read_text(), re.S):
        try:
            message = json.loads(block)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("type") in COMMAND_BUILDERS:
            out.append(message)
    return out


def test_protocols_examples_fit_the_document_and_the_parser() -> None:
    """Each command's example in PROTOCOL.md is valid by its schema and parsed without error,
    and a field the parser does not define is invalid by the schema too."""
    examples = _protocol_examples()
    assert {e["type"] for e in examples} == set(COMMAND_BUILDERS), "a command has no example"
    for example in examples:
        validator = _validator(command_schema(example["type"]))
        errors = [e.message for e in validator.iter_errors(example)]
        assert not errors, (example, errors)
        parse_client_message(json.dumps(example), lambda: "x")  # raises WireError if not
        with pytest.raises(WireError):
            parse_client_message(json.dumps({**example, "nonsense": 1}), lambda: "x")
        assert not validator.is_valid({**example, "nonsense": 1})


def test_the_document_is_openapi_3_1() -> None:
    """Valid by the OpenAPI 3.1 schema, every schema in it valid JSON Schema, and schemathesis
    finds every operation."""
    doc = document()
    assert jsonschema_rs.Draft202012Validator(OPENAPI_31).is_valid(doc)
    for name, schema in doc["components"]["schemas"].items():
        assert jsonschema_rs.meta.is_valid(schema), name
    loaded = schemathesis.openapi.from_dict(doc)
    operations = set()
    for result in loaded.get_all_operations():
        assert isinstance(result, Ok), result
        operations.add((result.ok().method.upper(), result.ok().path))
    assert operations == {
        ("POST", COMMANDS),
        ("GET", "/api/workshops/{workshop_id}/snapshot"),
        ("GET", "/healthz"),
        ("GET", "/f/workshops/{workshop_id}/export.json"),
        ("GET", "/api/openapi.json"),
    }


# --- a real server, its people and their workshops -----------------------------------------


@dataclass
class Live:
    server: ServerProcess
    database_url: str
    db_path: Path | None  # SQLite's file; None on PostgreSQL
    workshops: dict[str, str]  # meeting, committee, other -> workshop id
    cookies: dict[str, str]  # role -> session cookie
    people: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> role, id
    codes: Counter[str] = field(default_factory=Counter)  # the commands' answers

    def ids(self, workshop_id: str) -> dict[str, list[str]]:
        """Every id the workshop's event payloads name, by the key they go by."""
        sql = "SELECT payload FROM events WHERE workshop_id = :w"
        if self.db_path is None:
            rows: list[Any] = asyncio.run(query(self.database_url, sql, w=workshop_id))
        else:
            with sqlite3.connect(self.db_path, timeout=10) as conn:
                rows = conn.execute(sql, {"w": workshop_id}).fetchall()
        found: dict[str, set[str]] = {}

        def walk(value: Any, key: str = "") -> None:
            if isinstance(value, dict):
                for k, v in value.items():
                    walk(v, k)
            elif isinstance(value, list):
                for v in value:
                    walk(v, key)
            elif isinstance(value, str) and key.endswith("_id") and value:
                found.setdefault(key, set()).add(value)

        for (payload,) in rows:
            walk(json.loads(payload) if isinstance(payload, str) else payload)
        return {k: sorted(v) for k, v in found.items()}


def _csrf(c: httpx.Client, path: str) -> str:
    m = _CSRF.search(c.get(path).text)
    assert m, path
    return m.group(1)


def _join(base: str, name: str, *codes: str) -> str:
    """One browser joins these workshops in turn: its session cookie."""
    with httpx.Client(base_url=base, follow_redirects=True) as c:
        for code in codes:
            r = c.post(
                f"/w/{code}/join",
                data={"csrf": _csrf(c, f"/w/{code}"), "display_name": name, "group": "Borger"},
            )
            assert r.status_code == 200, r.text[:300]
        return c.cookies[SESSION_COOKIE]


def _command(base: str, cookie: str, workshop_id: str, mtype: str, **fields: Any) -> None:
    r = httpx.post(
        f"{base}/api/workshops/{workshop_id}/commands",
        json={"type": mtype, "command_id": "seed-" + mtype.replace(".", "-"), **fields},
        cookies={SESSION_COOKIE: cookie},
    )
    assert r.status_code == 200, (mtype, r.text)


def _participant_ids(base: str, cookie: str, workshop_id: str) -> dict[str, str]:
    """Display name -> participant id, from the facilitator's snapshot."""
    r = httpx.get(f"{base}/api/workshops/{workshop_id}/snapshot", cookies={SESSION_COOKIE: cookie})
    assert r.status_code == 200
    return {p["display_name"]: p["id"] for p in r.json()["state"]["participants"]}


def _set_up(server: ServerProcess) -> tuple[dict[str, str], dict[str, str]]:
    """A meeting, a task committee and another workshop; the facilitator's session, a
    participant joined to the meeting and the committee, and one joined to the other only.
    The meeting gets a note, a question, a dilemma card, a room and a station; the committee an
    item and a sprint, so the fuzzer has something to point at."""
    base = server.url
    with httpx.Client(base_url=base, follow_redirects=True) as fac:
        r = fac.post(
            "/login",
            data={"csrf": _csrf(fac, "/login"), "name": FACILITATOR, "password": PASSWORD},
        )
        assert r.status_code == 200
        workshops, codes = {}, {}
        for key in ("meeting", "other"):
            r = fac.post(
                "/f/workshops",
                data={
                    "csrf": _csrf(fac, "/f"),
                    "title": f"Workshop {key}",
                    "date": "2026-11-24",
                    "groups": "Politiker\nBorger",
                },
            )
            assert r.status_code == 200
            workshops[key] = r.url.path.rsplit("/", 1)[1]
        r = fac.post(
            "/f/committees",
            data={
                "csrf": _csrf(fac, "/f"),
                "name": "Opgaveudvalg om Ungepolitik",
                "unit": "points",
                "capacity_rule": "refuse",
                "parties": "",
                "political_seats": "",
            },
        )
        assert r.status_code == 200 and r.url.path.startswith("/f/workshops/")
        workshops["committee"] = r.url.path.rsplit("/", 1)[1]
        for key, wid in workshops.items():
            m = re.search(r'class="code">([A-Z0-9]{6})<', fac.get(f"/f/workshops/{wid}").text)
            assert m
            codes[key] = m.group(1)
        cookies = {"facilitator": fac.cookies[SESSION_COOKIE]}
    cookies["participant"] = _join(base, "Ida", codes["meeting"], codes["committee"])
    cookies["stranger"] = _join(base, "Bo", codes["other"])
    _join(base, "Sofie", *codes.values())  # someone for the fuzzer to remove or erase

    f, p, meeting = cookies["facilitator"], cookies["participant"], workshops["meeting"]
    _command(base, p, meeting, "note.add", text="Flere bænke ved søen")
    _command(base, f, meeting, "question.create", text="Hvor enig er du?")
    _command(base, f, meeting, "dilemma.add", text="Skole eller vej?")
    _command(base, f, meeting, "room.add", title="Pause", kind="break")
    _command(
        base, f, meeting, "station.add", room_id="hall", kind="programme", title="Program", x=1, y=1
    )
    committee = workshops["committee"]
    _command(base, f, committee, "item.add", title="Ungeråd", estimate=3)
    _command(
        base,
        f,
        committee,
        "sprint.create",
        name="Sprint 1",
        goals=["Et mål"],
        start="2026-11-24",
        end="2026-12-08",
        capacity=20,
    )
    return workshops, cookies


@pytest.fixture(scope="module")
def live(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Live]:
    """One server process on SQLite (SAMSKAB_OPENAPI_DATABASE=postgres: on PostgreSQL)."""
    directory = tmp_path_factory.mktemp("openapi")
    db_path: Path | None = directory / "samskab.db"
    url = f"sqlite+aiosqlite:///{db_path}"
    if os.environ.get("SAMSKAB_OPENAPI_DATABASE") == "postgres":
        postgres: PostgresServer = request.getfixturevalue("postgres_server")
        url, db_path = postgres.create_database(f"openapi_{uuid.uuid4().hex[:12]}"), None
    env = server_env(url)
    create_facilitator(env)
    server = ServerProcess(env, directory)
    server.start()
    try:
        workshops, cookies = _set_up(server)
        ida, bo = ("participant", "Ida"), ("stranger", "Bo")
        people = {}
        for key, (role, name) in {"meeting": ida, "committee": ida, "other": bo}.items():
            found = _participant_ids(server.url, cookies["facilitator"], workshops[key])
            people[key] = (role, found[name])
        yield Live(server, url, db_path, workshops, cookies, people)
    finally:
        server.stop()


def test_the_served_document_is_the_built_one(live: Live) -> None:
    r = httpx.get(live.server.url + "/api/openapi.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == json.loads(json.dumps(document()))


# --- schemathesis ---------------------------------------------------------------------------


# A request the document calls invalid must be refused with one of the document's refusals: the
# export sends a browser without a facilitator session to the login page (303).
CONFIG = schemathesis.Config.from_dict(
    {
        "checks": {
            "negative_data_rejection": {
                "expected-statuses": ["303", "400", "403", "404", "413", "415", "422"]
            }
        }
    }
)
SCHEMA = schemathesis.openapi.from_dict(document(), config=CONFIG)
MODES = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)


@functools.cache
def _command_cases(mtype: str) -> st.SearchStrategy[Case[Any]]:
    """Requests to the commands endpoint with one command type's body, valid or not: the
    document with its `oneOf` narrowed to that one. From the whole `oneOf`, Hypothesis draws
    some types far more often than others; one test per type gives each its turn."""
    doc = copy.deepcopy(document())
    body = doc["paths"][COMMANDS]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"$ref": f"#/components/schemas/Command.{mtype}"}
    operation = schemathesis.openapi.from_dict(doc, config=CONFIG)[COMMANDS]["POST"]
    return st.one_of(*(operation.as_strategy(mode) for mode in MODES))


def _cases(path: str, method: str) -> st.SearchStrategy[Case[Any]]:
    return st.one_of(*(SCHEMA[path][method].as_strategy(mode) for mode in MODES))


@dataclass(frozen=True)
class Choices:
    """What the test decides for one generated request, drawn by Hypothesis too (so a failure
    shrinks and replays): who sends it, to which workshop, with which `Origin`, and whether its
    ids and keys are swapped for ones the workshop and the domain know."""

    role: str
    workshop: str
    origin: str
    known: bool


CHOICES = st.builds(
    Choices,
    role=st.sampled_from(["facilitator"] * 4 + ["participant"] * 4 + ["stranger", "nobody"]),
    workshop=st.sampled_from(["meeting"] * 3 + ["committee"] * 2 + ["other", "generated"]),
    origin=st.sampled_from(["none"] * 2 + ["own"] * 2 + ["generated"]),
    known=st.sampled_from([True, True, True, False]),
)
ID = ID_RE


def _prepare(live: Live, case: Case[Any], choices: Choices, data: st.DataObject) -> str:
    """Fill in the test's choices; the workshop id it chose."""
    if "workshop_id" in (case.path_parameters or {}):
        generated = case.path_parameters["workshop_id"]
        if choices.workshop != "generated":
            case.path_parameters["workshop_id"] = live.workshops[choices.workshop]
        elif not (isinstance(generated, str) and ID.match(generated)):
            # A "/" or an empty id names another route (or none): the router's plain 404.
            case.path_parameters["workshop_id"] = "nosuchworkshop0"
    workshop_id = str((case.path_parameters or {}).get("workshop_id", ""))
    cookie = live.cookies.get(choices.role)
    case.cookies = {SESSION_COOKIE: cookie} if cookie else {}
    if choices.origin == "none":
        case.headers.pop("Origin", None)
    elif choices.origin == "own":
        case.headers["Origin"] = live.server.url
    if choices.known and isinstance(case.body, dict) and workshop_id in live.workshops.values():
        _use_known(live, case.body, workshop_id, data)
    # Reading `meta` has schemathesis judge the request as it will be sent, valid or not: the
    # choices above may have mended a request generated to be invalid.
    assert case.meta is not None
    return workshop_id


def _use_known(live: Live, body: dict[str, Any], workshop_id: str, data: st.DataObject) -> None:
    """Swap valid ids for ids the workshop has, and short strings for the values the document
    gives as the domain's (`examples`): so that commands get past "unknown" and change things."""
    component = document()["components"]["schemas"].get(f"Command.{body.get('type')}")
    properties = component["properties"] if component else {}
    pool = live.ids(workshop_id)
    if body.get("type") in ("participant.kick", "participant.erase"):
        # Not the test's own people: their sessions must stay in (others joined for this).
        ours = {pid for _, pid in live.people.values()}
        pool["participant_id"] = [p for p in pool.get("participant_id", []) if p not in ours]
    for name, value in list(body.items()):
        key = ID_ALIASES.get(name, name)
        known = properties.get(name, {}).get("examples")
        if known and isinstance(value, str):
            body[name] = data.draw(st.sampled_from(known), label=name)
        elif key.endswith("_id") and key != "command_id" and isinstance(value, str):
            if ID.match(value) and pool.get(key):
                body[name] = data.draw(st.sampled_from(pool[key]), label=name)


def _send(live: Live, case: Case[Any]) -> None:
    response = case.call_and_validate(
        base_url=live.server.url, checks=CHECKS, allow_redirects=False, timeout=30
    )
    if case.operation.path == COMMANDS:
        live.codes[response.json().get("code", "ack")] += 1


def test_each_answer_of_the_commands_endpoint_is_given_as_documented(live: Live) -> None:
    """Each status the document gives the commands endpoint, made on purpose and checked as
    the fuzzer's answers are (all but 503, which needs the database down: the fault tests).
    Runs before the fuzzing, which may lock the board this note goes to."""
    meeting = live.workshops["meeting"]
    f, p = live.cookies["facilitator"], live.cookies["participant"]
    note = {"type": "note.add", "command_id": "openapi-note-0001", "text": "Lys på stien"}
    cases: list[tuple[str, str | None, dict[str, str], Any, int, str]] = [
        (meeting, p, {}, note, 200, "ack"),
        (meeting, p, {"Origin": "https://elsewhere.example"}, note, 403, "api.bad_origin"),
        (meeting, p, {"Content-Type": "text/plain"}, "Lys", 415, "api.json_only"),
        ("nosuchworkshop0", p, {}, note, 404, "workshop.not_found"),
        (meeting, None, {}, note, 403, "permission.not_in_workshop"),
        (meeting, live.cookies["stranger"], {}, note, 403, "permission.not_in_workshop"),
        (meeting, p, {}, {**note, "text": "x" * 70_000}, 413, "wire.too_large"),
        (meeting, p, {}, "{", 400, "wire.malformed_json"),
        (meeting, p, {}, {"type": "hello", "since": None}, 400, "wire.unknown_type"),
        (meeting, p, {}, {"type": "note.editing", "note_id": None}, 400, "api.socket_only"),
        (meeting, p, {}, {**note, "command_id": "x"}, 400, "wire.bad_id"),
        (meeting, p, {}, {**note, "text": 7}, 400, "wire.wrong_type"),
        (
            meeting,
            p,
            {},
            {"type": "question.create", "command_id": "openapi-q-0001", "text": "Enig?"},
            403,
            "permission.facilitators_only",
        ),
        (
            meeting,
            f,
            {},
            {
                "type": "board.rename",
                "command_id": "openapi-b-0001",
                "board_id": "nix",
                "title": "T",
            },
            422,
            "board.unknown",
        ),
    ]
    operation = SCHEMA[COMMANDS]["POST"]
    for workshop_id, cookie, headers, body, status, code in cases:
        raw = body if isinstance(body, str) else json.dumps(body)
        r = httpx.post(
            f"{live.server.url}/api/workshops/{workshop_id}/commands",
            content=raw.encode(),
            headers={"Content-Type": "application/json", **headers},
            cookies={SESSION_COOKIE: cookie} if cookie else {},
        )
        assert (r.status_code, r.json().get("code", "ack")) == (status, code), r.text[:300]
        case = operation.Case(
            path_parameters={"workshop_id": workshop_id},
            headers=headers,
            body=body if isinstance(body, dict) else raw,
        )
        case.validate_response(r, checks=CHECKS)


@pytest.mark.parametrize("mtype", sorted(COMMAND_BUILDERS))
@settings(FUZZ, max_examples=EXAMPLES)
@given(choices=CHOICES, data=st.data())
def test_every_command_as_generated_is_answered_as_documented(
    live: Live, mtype: str, choices: Choices, data: st.DataObject
) -> None:
    case = data.draw(_command_cases(mtype), label="case")
    _prepare(live, case, choices, data)
    _send(live, case)


@settings(FUZZ, max_examples=40)
@given(
    case=_cases("/api/workshops/{workshop_id}/snapshot", "GET"),
    choices=CHOICES,
    data=st.data(),
)
def test_snapshots_are_answered_as_documented(
    live: Live, case: Case[Any], choices: Choices, data: st.DataObject
) -> None:
    _prepare(live, case, choices, data)
    _send(live, case)


@settings(FUZZ, max_examples=30)
@given(
    case=_cases("/f/workshops/{workshop_id}/export.json", "GET"),
    choices=CHOICES,
    data=st.data(),
)
def test_exports_are_answered_as_documented(
    live: Live, case: Case[Any], choices: Choices, data: st.DataObject
) -> None:
    _prepare(live, case, choices, data)
    _send(live, case)


@settings(FUZZ, max_examples=5)
@given(case=_cases("/healthz", "GET"), choices=CHOICES, data=st.data())
def test_health_and_the_document_are_answered_as_documented(
    live: Live, case: Case[Any], choices: Choices, data: st.DataObject
) -> None:
    _prepare(live, case, choices, data)
    _send(live, case)
    served = SCHEMA["/api/openapi.json"]["GET"].Case()
    _send(live, served)


# --- afterwards -----------------------------------------------------------------------------


async def _stored(
    database_url: str, workshop_id: str
) -> tuple[WorkshopState | None, WorkshopState, list[int]]:
    """The stored state, the log replayed, and the log's seqs."""
    db = Database(database_url)
    try:
        async with db.read() as conn:
            state = await projections.load_state(conn, workshop_id)
            events = await log.read_since(conn, workshop_id, 0)
    finally:
        await db.dispose()
    return state, replay(events), [e.seq for e in events]


def test_after_the_fuzzing_no_log_has_a_gap_and_every_workshop_loads(live: Live) -> None:
    """Run after the schemathesis tests (file order): they changed the workshops."""
    assert live.codes["ack"] >= 10 and len(live.codes) >= 20, (
        f"the fuzzing above should have run, with acks and refusals: {live.codes}"
    )
    for key, workshop_id in live.workshops.items():
        stored, replayed, seqs = asyncio.run(_stored(live.database_url, workshop_id))
        assert seqs == list(range(1, len(seqs) + 1)), key
        assert stored == replayed, key
        role, _ = live.people[key]
        for who in ("facilitator", role):
            r = httpx.get(
                f"{live.server.url}/api/workshops/{workshop_id}/snapshot",
                cookies={SESSION_COOKIE: live.cookies[who]},
            )
            assert r.status_code == 200, (key, who, r.text[:300])
            assert r.json()["seq"] == seqs[-1]
    server_log = live.server.log_path.read_text(errors="replace")
    assert not [
        line for line in server_log.splitlines() if "Traceback" in line or "ERROR" in line
    ], server_log[-3000:]
