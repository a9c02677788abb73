"""Wire schemas: strict parsing of client messages and the doorbell between processes.

Client messages are parsed strictly: no NaN or Infinity, no duplicate keys, no unknown fields,
and an integer must be a JSON integer (not a float, a boolean or a string). Every failure is a
`WireError` whose code is a message-catalogue key, so the client gets a specific answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from server.domain.commands import AddNote, Command, DeleteNote, UpdateParticipant
from server.domain.events import StoredEvent

COMMAND_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
ID_RE = re.compile(r"^[A-Za-z0-9]{1,32}$")
EPOCH_RE = re.compile(r"^[A-Za-z0-9]{1,64}$")
MAX_RAW_TEXT = 4000  # the domain enforces the real limits after normalising


class WireError(Exception):
    def __init__(self, code: str, field: str | None = None, command_id: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.command_id = command_id


@dataclass(frozen=True)
class Hello:
    """Sent first on every (re)connect: the last seq the client applied and its epoch."""

    since: int | None
    epoch: str | None


@dataclass(frozen=True)
class Ping:
    pass


@dataclass(frozen=True)
class CommandRequest:
    command_id: str
    type: str
    command: Command


ClientMessage = Hello | Ping | CommandRequest


def _reject_constant(name: str) -> Any:
    raise WireError("wire.not_a_number")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise WireError("wire.duplicate_key", field=k)
        out[k] = v
    return out


def loads_strict(raw: str | bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_reject_constant, object_pairs_hook=_no_duplicates)
    except WireError:
        raise
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise WireError("wire.malformed_json") from None


class _Fields:
    """Typed access to a message's fields that records which ones were read."""

    def __init__(self, data: dict[str, Any], command_id: str | None) -> None:
        self.data = data
        self.used = {"type", "command_id", "headers"}
        self.command_id = command_id

    def _get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise WireError("wire.missing_field", name, self.command_id)
            return None
        return self.data[name]

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        nullable: bool = False,
        max_len: int = MAX_RAW_TEXT,
    ) -> str | None:
        present = name in self.data
        v = self._get(name, required)
        if not present:
            return None
        if v is None and nullable:
            return None
        if not isinstance(v, str):
            raise WireError("wire.wrong_type", name, self.command_id)
        if len(v) > max_len:
            raise WireError("wire.too_long", name, self.command_id)
        return v

    def ident(self, name: str, *, required: bool = True) -> str | None:
        v = self.text(name, required=required, max_len=64)
        if v is not None and not ID_RE.match(v):
            raise WireError("wire.bad_id", name, self.command_id)
        return v

    def integer(self, name: str, *, low: int, high: int, nullable: bool = False) -> int | None:
        v = self._get(name, required=not nullable)
        if v is None and nullable:
            return None
        if type(v) is not int:  # bool is an int subclass; floats and strings are refused too
            raise WireError("wire.wrong_type", name, self.command_id)
        if not low <= v <= high:
            raise WireError("wire.out_of_range", name, self.command_id)
        return v

    def finish(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise WireError("wire.unknown_field", extra[0], self.command_id)
        headers = self.data.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise WireError("wire.wrong_type", "headers", self.command_id)


def _build_add_note(f: _Fields, make_id: Callable[[], str]) -> Command:
    text = f.text("text")
    board_id = f.ident("board_id", required=False)
    assert text is not None
    return AddNote(note_id=make_id(), text=text, board_id=board_id or None)


def _build_delete_note(f: _Fields, make_id: Callable[[], str]) -> Command:
    note_id = f.ident("note_id")
    assert note_id is not None
    return DeleteNote(note_id=note_id)


def _build_update_participant(f: _Fields, make_id: Callable[[], str]) -> Command:
    name = f.text("display_name", nullable=True, max_len=200)
    group = f.text("group", max_len=200)
    assert group is not None
    return UpdateParticipant(display_name=name, group=group)


COMMAND_BUILDERS: dict[str, Callable[[_Fields, Callable[[], str]], Command]] = {
    "note.add": _build_add_note,
    "note.delete": _build_delete_note,
    "participant.update": _build_update_participant,
}

CLIENT_MESSAGE_TYPES = ("hello", "ping", *COMMAND_BUILDERS)
SERVER_MESSAGE_TYPES = ("ack", "error", "events", "snapshot", "presence", "pong")


def parse_client_message(raw: str | bytes, make_id: Callable[[], str]) -> ClientMessage:
    data = loads_strict(raw)
    if not isinstance(data, dict):
        raise WireError("wire.not_an_object")
    raw_cid = data.get("command_id")
    command_id = raw_cid if isinstance(raw_cid, str) and COMMAND_ID_RE.match(raw_cid) else None
    mtype = data.get("type")
    if not isinstance(mtype, str):
        raise WireError(
            "wire.missing_field" if mtype is None else "wire.wrong_type", "type", command_id
        )
    f = _Fields(data, command_id)
    if mtype == "hello":
        since = f.integer("since", low=0, high=2**53, nullable=True)
        epoch = f.text("epoch", nullable=True, required=False, max_len=64)
        if epoch is not None and not EPOCH_RE.match(epoch):
            raise WireError("wire.bad_id", "epoch")
        f.finish()
        return Hello(since=since, epoch=epoch)
    if mtype == "ping":
        f.finish()
        return Ping()
    builder = COMMAND_BUILDERS.get(mtype)
    if builder is None:
        raise WireError("wire.unknown_type", "type", command_id)
    if "command_id" not in data:
        raise WireError("wire.missing_field", "command_id")
    if command_id is None:
        raise WireError("wire.bad_id", "command_id")
    command = builder(f, make_id)
    f.finish()
    return CommandRequest(command_id=command_id, type=mtype, command=command)


# --- between processes -------------------------------------------------------------------


@dataclass(frozen=True)
class Doorbell:
    epoch: str
    events: list[StoredEvent]

    @property
    def first_seq(self) -> int:
        return self.events[0].seq

    @property
    def last_seq(self) -> int:
        return self.events[-1].seq


def encode_doorbell(epoch: str, events: list[StoredEvent]) -> bytes:
    return json.dumps(
        {
            "w": events[0].workshop_id,
            "epoch": epoch,
            "events": [[e.seq, e.type, e.data, e.actor_id, e.command_id] for e in events],
        },
        separators=(",", ":"),
    ).encode()


def decode_doorbell(raw: bytes) -> Doorbell:
    d = json.loads(raw)
    wid = d["w"]
    return Doorbell(
        epoch=d["epoch"],
        events=[StoredEvent(wid, s, t, data, a, c) for s, t, data, a, c in d["events"]],
    )
