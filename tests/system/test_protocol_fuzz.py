"""Protocol fuzzing of the WebSocket endpoint: over 10,000 random and malformed frames against
one real server process, from a participant's, the facilitator's and the room screen's socket.

Every frame is invalid by construction, so none may change anything:

- random bytes (binary frames) and random text; truncated JSON and JSON with trailing garbage;
  JSON that is not an object; `type` missing, of the wrong type or unknown;
- every message type with its fields mutated (wrong types, huge and odd numbers, nested
  values, unicode edge cases such as escaped lone surrogates, NUL, byte order marks,
  non-characters and right-to-left marks), always with one defect the parser must catch: an
  unknown field, a duplicate key, or a missing or malformed `command_id`;
- deeply nested documents, numbers past every limit (and past Python's 4300 digits);
- well-formed commands about things that do not exist (random ids): they reach the rules and
  are refused there;
- frames at the size cap, and over it (closed with 1009, as PROTOCOL.md documents), and text
  frames that are not UTF-8 (closed with 1007 by the WebSocket layer, RFC 6455).

Checked, frame by frame: the answer is exactly one `error` frame with a catalogued code (or the
documented close, after which the socket reconnects); never an `ack`, an `events` message or a
dropped connection (1006). Afterwards: both snapshots from the JSON API (the facilitator's and
the participant's) and the seq are as they were, and the server's log holds no error.

The server runs with the socket rate limit raised (`WS_RATE_PER_SECOND`, `WS_RATE_BURST`): the
fuzzer sends thousands of frames a second, one at a time. `SAMSKAB_FUZZ_SEED` replays a run.

The three server bugs this fuzzer found (a lone surrogate in user text or in a field name, a
deeply nested frame over the rate limit) are fixed, and the tests at the end keep them fixed.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import string
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websockets

from server.i18n import translations
from server.realtime.wire import CLIENT_MESSAGE_TYPES
from tests.support import (
    Browserless,
    LiveClient,
    ServerProcess,
    create_facilitator,
    server_env,
    setup_workshop,
)

pytestmark = [pytest.mark.system, pytest.mark.timeout(180)]

SEED = int(os.environ.get("SAMSKAB_FUZZ_SEED") or random.SystemRandom().randrange(2**32))
FRAMES = {"participant": 5200, "facilitator": 5200, "screen": 600}
MAX_FRAME = 65536  # WS_MAX_MESSAGE_BYTES' default: larger frames are closed with 1009
REPLY_TIMEOUT = 3.0
MAX_FAILURES = 10  # per socket
DANISH = translations("da")

# Close codes a fuzzed frame may end its socket with: 1009 (too large) is in PROTOCOL.md's
# table; 1007 (a text frame that is not UTF-8) is the WebSocket layer's answer (RFC 6455).
CLOSE_TOO_LARGE = 1009
CLOSE_NOT_UTF8 = 1007

JSON = Any


# --- frames --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Frame:
    """One fuzzed frame and the answer it must get."""

    kind: str  # the generator that made it
    payload: str | bytes
    close: int | None = None  # the close code it must get; None: one `error` frame
    code: str | None = None  # the exact error code, where it is certain
    wire: bool = True  # refused by the parser (a `wire.` code); False: by the rules
    command_id: str | None = None  # echoed in the error (frames refused by the rules)
    as_text: bool = False  # bytes sent as a text frame (not UTF-8)

    def describe(self) -> str:
        shown = self.payload[:160]
        size = len(self.payload)
        return f"{self.kind} ({size} {'bytes' if isinstance(self.payload, bytes) else 'chars'}): {shown!r}"


ID_CHARS = string.ascii_letters + string.digits
# Odd values for any field: a few some field takes, most refused; the defect catches the rest.
ODD_VALUES: list[JSON] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    -0.0,
    1e308,
    5e-324,
    10**30,
    -(10**30),
    2**53 + 1,
    2**63,
    "",
    " ",
    "\t\n",
    "x" * 5000,
    [],
    [1, "a", None],
    {},
    {"a": {"b": [{"c": None}]}},
    "\ud800",
    "a\udfffb",
    "\udc00\ud800",
    "\u0000",
    "a\u0000b",
    "\ufeff",
    "\uffff\ufffe",
    "\u202eevil",
    "\u200b",
    "e\u0301\u0301\u0301",
    "😀" * 10,
    "١٢٣",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "abcdefgh\n",
    "null",
    "true",
    "5",
    "-5",
    "0x10",
]
# Number literals as a client may write them (not all of them a Python float or int can say).
ODD_NUMBERS = [
    "1e400",
    "-1e400",
    "1E-400",
    "-0",
    "0.0",
    "1.0",
    "01",
    "9" * 300,
    "9" * 4300,
    "9" * 4301,  # past Python's int(str) limit: a ValueError inside json.loads
    "123456789012345678901234567890",
    "1e9999999999",
    "0e0",
]
# Keys no message has, a lone surrogate among them.
ODD_KEYS = [
    "\ud800",
    "zz",
    "__proto__",
    "constructor",
    "Type",
    "type ",
    " type",
    "TYPE",
    "typé",
    "\u0000",
    "\ufeff",
    "😀",
    "",
    "a" * 300,
    "admin",
    "actor",
    "role",
    "seq",
    "workshop_id",
]


def rid(rng: random.Random) -> str:
    """An id of the right shape that names nothing: the server's own ids are 16 hex digits."""
    return "z" + "".join(rng.choices(ID_CHARS, k=19))


def cid(rng: random.Random) -> str:
    """A well-formed, fresh command id."""
    return "fz" + "".join(rng.choices(ID_CHARS, k=22))


def dumps(obj: JSON, rng: random.Random) -> str:
    """JSON as clients send it: escaped or raw UTF-8 (lone surrogates can only go escaped)."""
    try:
        if rng.random() < 0.5:
            text = json.dumps(obj, ensure_ascii=False)
            text.encode("utf-8")
            return text
    except UnicodeEncodeError:
        pass
    return json.dumps(obj)


def nested(depth: int, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "1" + "}" * depth


# Well-formed fields of every message type (creation commands included: the fuzzer only ever
# sends them with a defect). Types not listed here are fuzzed with fields made up.
BASES: dict[str, dict[str, JSON]] = {
    "hello": {"since": 0, "epoch": "abc123"},
    "ping": {"t": 1700000000000},
    "note.editing": {"note_id": "abc"},
    "station.visiting": {"station_id": "abc"},
    "participant.update": {"display_name": "Bo", "group": "Borger"},
    "participant.kick": {"participant_id": "abc"},
    "participant.add": {"display_name": "Karl", "group": "Borger"},
    "board.create": {"title": "Tavle", "template": "blank"},
    "board.rename": {"board_id": "abc", "title": "Tavle"},
    "board.settings": {"board_id": "abc", "locked": True},
    "column.add": {"board_id": "abc", "title": "Kolonne"},
    "column.move": {"column_id": "abc", "index": 0},
    "note.add": {"text": "En idé", "color": "yellow"},
    "note.edit": {"note_id": "abc", "version": 1, "text": "Ny tekst"},
    "note.move": {"note_id": "abc", "column_id": "abc", "index": 0, "cluster_id": None},
    "note.merge": {"note_id": "abc", "into_id": "abd"},
    "comment.add": {"note_id": "abc", "text": "Enig"},
    "cluster.add": {"column_id": "abc", "title": "Tema"},
    "question.create": {"text": "I hvilken grad?", "ask_comment": False, "min_group": 3},
    "question.edit": {"question_id": "abc", "text": "I hvilken grad?", "anonymous": True},
    "vote.cast": {"question_id": "abc", "value": 7, "comment": None},
    "timer.start": {"seconds": 60, "label": "Pause", "close_question_id": None},
    "dots.start": {"board_id": "abc", "dots_per_person": 3, "per_note": 1, "hidden": False},
    "dots.carry": {"board_id": "abc", "count": 3, "title": "Top"},
    "dilemma.add": {"text": "Skole eller vej?"},
    "dilemma.choose": {"card_id": "abc", "side": "over"},
    "room.add": {"title": "Byrum", "kind": "room"},
    "room.edit": {"room_id": "abc", "title": "Byrum", "picture_id": None, "music_id": None},
    "station.add": {"room_id": "hall", "kind": "info", "title": "Info", "x": 10, "y": 10},
    "station.edit": {
        "station_id": "abc",
        "title": "Quiz",
        "quiz": [{"text": "Hvor?", "options": ["Her", "Der"], "answer": 0}],
        "items": "09:30 Velkomst",
        "links": [["Kort", "https://kort.dk"]],
    },
    "station.place": {"station_id": "abc", "x": "10", "y": 20},
    "programme.set": {"station_id": "abc", "item": "1"},
    "quiz.answer": {"station_id": "abc", "answers": [0, 1]},
    "call.request": {"station_id": "abc", "message": "Ring mig op"},
    "item.add": {"title": "Opgave", "estimate": 3, "owners": ["Bo"], "tags": "unge"},
    "item.status": {"item_id": "abc", "status": "doing", "index": 0},
    "sprint.create": {
        "name": "Sprint 1",
        "goals": ["Høring"],
        "start": "2026-11-02",
        "end": "2026-11-08",
        "capacity": "20",
    },
    "sprint.close": {"sprint_id": "abc", "unfinished": [], "evaluations": []},
}
PRESENCE_AND_SYNC = ("hello", "ping", "note.editing", "station.visiting")


def referencing(rng: random.Random) -> tuple[str, dict[str, JSON]]:
    """A well-formed command about something that does not exist (or, for the hall and the
    backlog, in a workshop that has no such thing): the rules refuse it, whoever sends it."""

    def r() -> str:
        return rid(rng)

    text = rng.choice(["Tekst", "é" * 3, "\u202eevil", "<b>fed</b>", "😀"])
    choices: list[tuple[str, dict[str, JSON]]] = [
        ("note.delete", {"note_id": r()}),
        ("note.edit", {"note_id": r(), "version": rng.randint(1, 9), "text": text}),
        ("note.hide", {"note_id": r(), "hidden": rng.random() < 0.5}),
        ("note.move", {"note_id": r(), "column_id": r(), "index": rng.randint(0, 99)}),
        ("note.turn", {"note_id": r(), "text": text}),
        ("note.merge", {"note_id": r(), "into_id": r()}),
        ("note.react", {"note_id": r()}),
        ("note.add", {"text": text, "board_id": r()}),
        ("note.add", {"text": text, "column_id": r()}),
        ("comment.add", {"note_id": r(), "text": text}),
        ("comment.delete", {"comment_id": r()}),
        ("cluster.add", {"column_id": r(), "title": text}),
        ("cluster.rename", {"cluster_id": r(), "title": text}),
        ("cluster.remove", {"cluster_id": r()}),
        ("board.rename", {"board_id": r(), "title": text}),
        ("board.settings", {"board_id": r(), "open_moves": False}),
        ("board.private", {"board_id": r()}),
        ("board.reveal", {"board_id": r()}),
        ("board.show", {"board_id": r()}),
        ("column.add", {"board_id": r(), "title": text}),
        ("column.rename", {"column_id": r(), "title": text}),
        ("column.move", {"column_id": r(), "index": rng.randint(0, 9)}),
        ("column.remove", {"column_id": r(), "move_notes_to": r()}),
        ("question.edit", {"question_id": r(), "text": text}),
        ("question.open", {"question_id": r()}),
        ("question.close", {"question_id": r()}),
        ("question.reveal", {"question_id": r()}),
        ("vote.cast", {"question_id": r(), "value": rng.choice([0, 5, 10, 11, -1, 7.5, "7"])}),
        ("timer.stop", {"timer_id": r()}),
        ("dots.start", {"board_id": r(), "dots_per_person": 3, "per_note": 1, "hidden": True}),
        ("dot.place", {"note_id": r()}),
        ("dot.remove", {"note_id": r()}),
        ("dots.end", {"board_id": r()}),
        ("dots.carry", {"board_id": r(), "count": 2, "title": text}),
        ("dilemma.edit", {"card_id": r(), "text": text}),
        ("dilemma.remove", {"card_id": r()}),
        ("dilemma.show", {"card_id": r()}),
        ("dilemma.choose", {"card_id": r(), "side": rng.choice(["over", "under"])}),
        ("dilemma.reveal", {"card_id": r()}),
        ("participant.kick", {"participant_id": r()}),
        ("room.edit", {"room_id": r(), "title": text, "picture_id": None, "music_id": None}),
        ("room.remove", {"room_id": r()}),
        ("station.add", {"room_id": r(), "kind": "info", "title": text, "x": 1, "y": 2}),
        ("station.place", {"station_id": r(), "x": 5, "y": 5}),
        ("station.reorder", {"station_id": r(), "index": 0}),
        ("station.remove", {"station_id": r()}),
        ("programme.set", {"station_id": r(), "item": None}),
        ("hall.spotlight", {"station_id": r()}),
        ("quiz.answer", {"station_id": r(), "answers": [0]}),
        ("call.request", {"station_id": r(), "message": text}),
        ("call.resolve", {"call_id": r()}),
        ("item.remove", {"item_id": r()}),
        ("item.move", {"item_id": r(), "index": 0}),
        ("sprint.plan", {"sprint_id": r(), "item_id": r()}),
        ("sprint.unplan", {"item_id": r()}),
        ("sprint.start", {"sprint_id": r()}),
        ("committee.capacity_rule", {"capacity_rule": "warn"}),
    ]
    return rng.choice(choices)


class Fuzzer:
    """Makes frames; every one is refused (or closes the socket) by construction."""

    def __init__(self, rng: random.Random, screen: bool = False) -> None:
        self.rng = rng
        self.generators: list[tuple[int, Callable[[], Frame]]] = [
            (6, self.random_bytes),
            (6, self.random_text),
            (8, self.truncated),
            (3, self.not_an_object),
            (4, self.bad_type),
            (5, self.unknown_type),
            (40, self.mutated),
            (4, self.odd_number),
            (3, self.deeply_nested),
            (14, self.refused_by_the_rules),
            (3, self.encoded),
            (1, self.at_the_cap),
        ]
        if screen:  # the screen shows: even a well-formed presence message is refused
            self.generators.append((8, self.screen_presence))
        self.weights = [w for w, _ in self.generators]
        self.used: Counter[str] = Counter()  # frames made, by generator

    def next(self) -> Frame:
        rng = self.rng
        roll = rng.random()
        if roll < 0.002:
            make = self.oversize
        elif roll < 0.003:
            make = self.not_utf8
        else:
            (_, make) = rng.choices(self.generators, weights=self.weights)[0]
        self.used[make.__name__] += 1
        return make()

    # --- whole frames ----------------------------------------------------------------

    def random_bytes(self) -> Frame:
        data = self.rng.randbytes(self.rng.randint(0, 300))
        return Frame("random bytes", data)

    def random_text(self) -> Frame:
        rng = self.rng
        alphabet = rng.choice(
            [
                string.printable,
                '{}[]":,\\ntrufalse0123456789.-+eE',
                "".join(chr(c) for c in range(0, 0x80)),
                "æøåÆØÅé😀\u202e\u200b\ufeff\uffff\u0000\u0301",
            ]
        )
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 300)))
        return Frame("random text", text)

    def truncated(self) -> Frame:
        rng = self.rng
        mtype = rng.choice(list(BASES))
        text = dumps({"type": mtype, "command_id": cid(rng), **BASES[mtype]}, rng)
        if rng.random() < 0.2:
            return Frame("trailing garbage", text + rng.choice(["x", "}", ",", " 1", "{}"]))
        return Frame("truncated JSON", text[: rng.randint(0, len(text) - 1)])

    def not_an_object(self) -> Frame:
        rng = self.rng
        value = rng.choice([1, -1, 0.5, "hello", None, True, False, [], [{"type": "ping"}], ""])
        return Frame("not an object", dumps(value, rng), code="wire.not_an_object")

    def bad_type(self) -> Frame:
        rng = self.rng
        mtype = rng.choice([None, 1, 1.5, True, [], ["ping"], {"t": "ping"}])
        body: dict[str, JSON] = {"command_id": cid(rng), "note_id": "abc"}
        if mtype is not None or rng.random() < 0.5:
            body["type"] = mtype
        return Frame("type not a string", dumps(body, rng))

    def unknown_type(self) -> Frame:
        rng = self.rng
        known = rng.choice(CLIENT_MESSAGE_TYPES)
        mtype = rng.choice(
            [
                known.upper(),
                known + " ",
                " " + known,
                known.replace(".", "_"),
                known + ".x",
                "",
                "note",
                "ack",
                "error",
                "snapshot",
                "events",
                "pong",
                "__proto__",
                "x" * 5000,
                "note.add\u0000",
                "\ud800",
                "nøte.add",
                "".join(rng.choices(string.ascii_lowercase + ".", k=rng.randint(1, 20))),
            ]
        )
        if mtype in CLIENT_MESSAGE_TYPES:  # "hello" has no dot to replace
            mtype += "_"
        body = {"type": mtype, "command_id": cid(rng), **BASES.get(known, {})}
        return Frame("unknown type", dumps(body, rng), code="wire.unknown_type")

    def odd_number(self) -> Frame:
        """A number literal JSON allows (or nearly), in a field that wants a number."""
        rng = self.rng
        mtype, name = rng.choice(
            [
                ("ping", "t"),
                ("hello", "since"),
                ("note.edit", "version"),
                ("column.move", "index"),
                ("timer.start", "seconds"),
                ("vote.cast", "value"),
                ("station.place", "x"),
            ]
        )
        body = {"type": mtype, "command_id": cid(rng), **BASES.get(mtype, {})}
        body[name] = 0
        text = json.dumps(body).replace(f'"{name}": 0', f'"{name}": {rng.choice(ODD_NUMBERS)}')
        return Frame("odd number", self.with_defect(text, body))

    def deeply_nested(self) -> Frame:
        """Nesting deeper than the parser's recursion, within the size cap (and a few over)."""
        rng = self.rng
        depth = rng.choice([100, 1000, 5000, 10000, 32000])
        if rng.random() < 0.5:
            text = nested(depth, rng)
            kind = "nested document"
        else:
            mtype = rng.choice(list(BASES))
            body = {"type": mtype, "command_id": cid(rng), **BASES[mtype]}
            body[rng.choice(list(body))] = "@@@"
            text = self.with_defect(json.dumps(body).replace('"@@@"', nested(depth, rng)), body)
            kind = "nested value"
        too_large = len(text.encode()) > MAX_FRAME
        return Frame(kind, text, close=CLOSE_TOO_LARGE if too_large else None)

    def encoded(self) -> Frame:
        """Binary frames in other encodings JSON allows (json.loads detects UTF-16 and -32)."""
        rng = self.rng
        mtype = rng.choice(list(BASES))
        body = {"type": mtype, **BASES[mtype]}
        text = self.with_defect(dumps(body, rng), body)
        encoding = rng.choice(["utf-16-le", "utf-16-be", "utf-32", "utf-8-sig", "latin-1"])
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            data = text.encode("utf-16")
        if rng.random() < 0.3:  # a byte order mark in a text frame is not JSON
            return Frame("BOM in text", "\ufeff" + text)
        return Frame(f"binary {encoding}", data)

    def at_the_cap(self) -> Frame:
        """As large as a frame may be: answered like any other."""
        rng = self.rng
        body: dict[str, JSON] = {"type": "note.add", "command_id": cid(rng), "text": "", "zz": 1}
        room = MAX_FRAME - len(json.dumps(body).encode())
        char = rng.choice(["x", "æ"])
        body["text"] = char * (room // len(char.encode()))
        text = json.dumps(body, ensure_ascii=False)
        assert len(text.encode()) <= MAX_FRAME
        return Frame("at the size cap", text)

    def oversize(self) -> Frame:
        rng = self.rng
        size = rng.choice([MAX_FRAME + 1, MAX_FRAME + 2, 100_000, 1_000_000])
        if rng.random() < 0.3:
            return Frame("oversize binary", rng.randbytes(size), close=CLOSE_TOO_LARGE)
        # Few enough characters for the parser's own count, too many bytes for the socket.
        char = rng.choice(["x", "æ", "😀"])
        count = size // len(char.encode()) + 1
        body = {"type": "note.add", "command_id": cid(rng), "text": char * count}
        return Frame("oversize text", json.dumps(body, ensure_ascii=False), close=CLOSE_TOO_LARGE)

    def not_utf8(self) -> Frame:
        rng = self.rng
        data = rng.choice([b'{"type":"\xff"}', b"\xc0\xaf", b'{"text":"\xed\xa0\x80"}', b"\x80"])
        return Frame("text frame not UTF-8", data, close=CLOSE_NOT_UTF8, as_text=True)

    # --- messages with their fields mutated ------------------------------------------

    def with_defect(self, text: str, body: dict[str, JSON]) -> str:
        """The JSON object `text` (written from `body`, perhaps with odd literals put in),
        made certainly invalid: an unknown field, a duplicate key, or (for a command) a missing
        or malformed command id."""
        rng = self.rng
        mtype = body.get("type")
        command_id = body.get("command_id")
        # Mostly a field too many: caught last (after every field was read and checked), so
        # the other mutations are what the answer is about. A duplicate key is caught while
        # the JSON is read, a bad command id before the fields.
        choices = {"unknown field": 7, "duplicate key": 2}
        if isinstance(command_id, str) and mtype not in PRESENCE_AND_SYNC:
            choices["bad command id"] = 2
        defect = rng.choices(list(choices), weights=list(choices.values()))[0]
        value = dumps(rng.choice(ODD_VALUES), rng)
        if defect == "bad command id":
            assert isinstance(command_id, str)
            bad: JSON = rng.choice(
                [None, 12345678, "short", "a" * 65, "abc defgh", "abcdefgh\n", "äbcdefgh", []]
            )
            if rng.random() < 0.3:  # renamed away: the command has no id
                changed = text.replace('"command_id"', '"command-id"', 1)
            else:
                changed = text.replace(json.dumps(command_id), dumps(bad, rng), 1)
            if changed != text:
                return changed
        if defect == "unknown field" or not body:
            key = rng.choice([k for k in ODD_KEYS if k not in body])
        else:
            key = rng.choice(list(body))
        return text[:-1] + f", {json.dumps(key)}: {value}}}"

    def mutated(self) -> Frame:
        rng = self.rng
        mtype = rng.choice(CLIENT_MESSAGE_TYPES)
        body: dict[str, JSON] = {"type": mtype, **BASES.get(mtype, {})}
        if mtype not in PRESENCE_AND_SYNC:
            body["command_id"] = cid(rng)
        for _ in range(rng.randint(0, 3)):
            action = rng.random()
            names = [n for n in body if n != "type"]
            if action < 0.6 and names:
                body[rng.choice(names)] = rng.choice(ODD_VALUES)
            elif action < 0.8 and names:
                body.pop(rng.choice(names))
            else:
                body[rng.choice(["text", "title", "note_id", "index", "group", "x"])] = rng.choice(
                    ODD_VALUES
                )
        return Frame("mutated " + mtype, self.with_defect(dumps(body, rng), body))

    def refused_by_the_rules(self) -> Frame:
        rng = self.rng
        mtype, fields = referencing(rng)
        command_id = cid(rng)
        text = dumps({"type": mtype, "command_id": command_id, **fields}, rng)
        if rng.random() < 0.1:
            return Frame(
                "well-formed, binary: " + mtype, text.encode(), wire=False, command_id=command_id
            )
        return Frame("well-formed: " + mtype, text, wire=False, command_id=command_id)

    def screen_presence(self) -> Frame:
        rng = self.rng
        body = rng.choice(
            [
                {"type": "note.editing", "note_id": rid(rng)},
                {"type": "note.editing", "note_id": None},
                {"type": "station.visiting", "station_id": rid(rng)},
                {"type": "station.visiting", "station_id": None},
            ]
        )
        return Frame("screen presence", dumps(body, rng), code="permission.read_only", wire=False)


# --- sockets -------------------------------------------------------------------------------


@dataclass
class Tally:
    frames: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    closes: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    events: int = 0  # `events` messages: none may come, nothing changes
    generators: Counter[str] = field(default_factory=Counter)


class Probe:
    """One socket that sends one frame at a time and waits for its answer."""

    def __init__(
        self, name: str, server: ServerProcess, workshop_id: str, who: Browserless
    ) -> None:
        self.name = name
        self.server = server
        self.workshop_id = workshop_id
        self.who = who
        self.tally = Tally()
        self.client: LiveClient | None = None
        self.seen = 0  # received messages already accounted for

    async def open(self) -> LiveClient:
        view = "&view=screen" if self.name == "screen" else ""
        conn = await websockets.connect(
            f"{self.server.ws_url}/ws/workshops/{self.workshop_id}?format=json{view}",
            additional_headers={"Cookie": self.who.cookie_header()},
            origin=self.server.url,  # type: ignore[arg-type]
            max_size=2**22,
            open_timeout=10,
        )
        client = LiveClient(conn)
        await client.send({"type": "hello", "since": None, "epoch": None})
        await client.wait_for(lambda c: c.seq is not None)
        self.client, self.seen = client, len(client.received)
        return client

    def _answers(self, client: LiveClient) -> list[dict[str, Any]]:
        return [m for m in client.received[self.seen :] if m.get("type") != "presence"]

    def fail(self, frame: Frame, what: str) -> None:
        self.tally.failures.append(f"[{self.name}] {what}; frame {frame.describe()}")

    async def exchange(self, frame: Frame) -> None:
        client = self.client or await self.open()
        stray = self._answers(client)
        if stray:
            self.fail(frame, f"unasked-for messages before it: {stray[:3]}")
        self.seen = len(client.received)
        self.tally.frames += 1
        try:
            if isinstance(frame.payload, bytes) and frame.as_text:
                await client.conn.send(frame.payload, text=True)
            else:
                await client.conn.send(frame.payload)
        except websockets.ConnectionClosed:
            pass  # the close code tells what happened
        try:
            await client.wait_for(
                lambda c: self._answers(c) or c.closed_code is not None, REPLY_TIMEOUT
            )
        except AssertionError:
            self.fail(frame, f"no answer within {REPLY_TIMEOUT} s")
            await self.reconnect(client)
            return
        answers = self._answers(client)
        if client.closed_code is not None and not answers:
            self.tally.closes[client.closed_code] += 1
            if frame.close != client.closed_code:
                self.fail(frame, f"socket closed with {client.closed_code}")
            await self.reconnect(client)
            return
        reply = answers[0]
        self.seen = next(
            i + 1 for i in range(self.seen, len(client.received)) if client.received[i] is reply
        )
        self.check(frame, reply)

    def check(self, frame: Frame, reply: dict[str, Any]) -> None:
        if frame.close is not None:
            self.fail(frame, f"expected close {frame.close}, got {reply}")
            return
        if reply.get("type") != "error":
            if reply.get("type") == "events":
                self.tally.events += 1
            self.fail(frame, f"expected an error, got {str(reply)[:300]}")
            return
        code = reply.get("code")
        self.tally.errors[str(code)] += 1
        if not isinstance(code, str) or DANISH.gettext(code) == code:
            self.fail(frame, f"error code {code!r} is not in the catalogue")
        elif reply.get("message") in (None, "", code):
            self.fail(frame, f"error {code} has no message")
        elif frame.code is not None and code != frame.code:
            self.fail(frame, f"expected {frame.code}, got {code}")
        elif frame.wire and not code.startswith("wire.") and code not in HALL_TEXT_CODES:
            self.fail(frame, f"expected a wire error, got {code}")
        elif not frame.wire and code.startswith("wire."):
            self.fail(frame, f"expected the rules to refuse it, got {reply}")
        elif frame.command_id is not None and reply.get("command_id") != frame.command_id:
            self.fail(frame, f"error names command {reply.get('command_id')!r}")

    async def reconnect(self, old: LiveClient) -> None:
        await old.close()
        self.client = None
        await self.open()

    async def run(self, fuzzer: Fuzzer, count: int) -> Tally:
        try:
            await self.open()
            for _ in range(count):
                await self.exchange(fuzzer.next())
                if len(self.tally.failures) >= MAX_FAILURES:
                    break  # enough to go on; a broken server would take minutes of timeouts
            client = self.client or await self.open()
            await asyncio.sleep(0.2)  # anything still coming (an event would be a change)
            stray = self._answers(client)
            self.tally.events += sum(1 for m in stray if m.get("type") == "events")
            if stray:
                self.tally.failures.append(f"[{self.name}] unasked-for at the end: {stray[:3]}")
        finally:
            if self.client is not None:
                await self.client.close()
        self.tally.generators = fuzzer.used
        return self.tally


# The textareas of a hall station are read by `server.domain.hall_text` while parsing: a bad
# line is a parse error with that module's code.
HALL_TEXT_CODES = {"hall.line_format", "hall.quiz_options"}


# --- the test ------------------------------------------------------------------------------


@pytest.fixture
def roomy(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """Like the `single` fixture, with the socket rate limit as high as settings allow."""
    env = server_env(sqlite_url, WS_RATE_PER_SECOND="10000", WS_RATE_BURST="100000")
    create_facilitator(env)
    server = ServerProcess(env, tmp_path)
    try:
        server.start()
        yield server
    finally:
        server.stop()


async def _snapshot(who: Browserless, workshop_id: str) -> dict[str, Any]:
    r = await who.http.get(f"/api/workshops/{workshop_id}/snapshot")
    assert r.status_code == 200, r.text[:300]
    body: dict[str, Any] = r.json()
    return body


async def _seed(server: ServerProcess, workshop_id: str, fac: Browserless, p: Browserless) -> None:
    """Something to leave unchanged: a note, a cluster, an open question with a vote, a card."""
    f = await LiveClient.connect(server.ws_url, workshop_id, fac)
    c = await LiveClient.connect(server.ws_url, workshop_id, p)
    await f.wait_for(lambda x: x.seq is not None)
    await c.wait_for(lambda x: x.seq is not None)
    for client, mtype, fields in (
        (c, "note.add", {"text": "Cykelsti langs åen"}),
        (f, "question.create", {"text": "I hvilken grad?"}),
        (f, "dilemma.add", {"text": "Skole eller vej?"}),
        (f, "dilemma.next", {}),
    ):
        reply = await client.wait_reply(await client.command(mtype, **fields))
        assert reply["type"] == "ack", (mtype, reply)
    snap = await _snapshot(fac, workshop_id)
    board = snap["state"]["boards"][0]
    question = snap["state"]["questions"][0]["id"]
    for client, mtype, fields in (
        (f, "cluster.add", {"column_id": board["columns"][0]["id"], "title": "Trafik"}),
        (f, "question.open", {"question_id": question}),
        (c, "vote.cast", {"question_id": question, "value": 7}),
    ):
        reply = await client.wait_reply(await client.command(mtype, **fields))
        assert reply["type"] == "ack", (mtype, reply)
    await f.close()
    await c.close()


def _server_errors(server: ServerProcess) -> list[str]:
    log = server.log_path.read_text(errors="replace")
    return [
        line
        for line in log.splitlines()
        if "Traceback" in line or "ERROR" in line or "Exception" in line
    ]


async def test_ten_thousand_bad_frames_change_nothing(roomy: ServerProcess) -> None:
    started = time.monotonic()
    fac, wid, code = await setup_workshop(roomy.url)
    p = Browserless(roomy.url)
    try:
        await _fuzz(roomy, fac, p, wid, code, started)
    finally:
        for session in (fac, p):
            await session.aclose()


async def _fuzz(
    server: ServerProcess, fac: Browserless, p: Browserless, wid: str, code: str, started: float
) -> None:
    assert (await p.join(code, "Mallory", "Borger")).status_code == 200
    await _seed(server, wid, fac, p)
    before = (await _snapshot(fac, wid), await _snapshot(p, wid))
    probes = [
        Probe("participant", server, wid, p),
        Probe("facilitator", server, wid, fac),
        Probe("screen", server, wid, fac),
    ]
    tallies = await asyncio.gather(
        *(
            probe.run(
                Fuzzer(random.Random(f"{SEED}-{probe.name}"), probe.name == "screen"),
                FRAMES[probe.name],
            )
            for probe in probes
        )
    )
    after = (await _snapshot(fac, wid), await _snapshot(p, wid))
    frames = sum(t.frames for t in tallies)
    failures = [f for t in tallies for f in t.failures]
    summary = (
        f"seed {SEED} (SAMSKAB_FUZZ_SEED), {frames} frames in {time.monotonic() - started:.1f} s; "
        f"closes {sum((t.closes for t in tallies), Counter())}; "
        f"errors {sum((t.errors for t in tallies), Counter()).most_common(12)}"
    )
    print(summary)
    assert failures == [], f"{len(failures)} bad answers, {summary}:\n" + "\n".join(failures)
    assert frames >= 10_000, summary
    assert sum(t.events for t in tallies) == 0, summary
    assert after[0]["seq"] == before[0]["seq"], summary
    assert after == before, summary
    assert _server_errors(server) == [], server.log_path.read_text()[-3000:]
    generators = sum((t.generators for t in tallies), Counter())
    made = {g.__name__ for _, g in Fuzzer(random.Random(0), screen=True).generators}
    assert made | {"oversize", "not_utf8"} <= set(generators), generators
    assert sum(t.closes[CLOSE_TOO_LARGE] for t in tallies) >= 1, summary
    assert sum(t.closes[CLOSE_NOT_UTF8] for t in tallies) >= 1, summary


# --- server bugs the fuzzer found, fixed: these keep them fixed --------------------------------


@dataclass
class Socket:
    """A participant's json socket in a new workshop, and the facilitator's session."""

    fac: Browserless
    p: Browserless
    workshop_id: str
    client: LiveClient

    async def aclose(self) -> None:
        await self.client.close()
        for session in (self.fac, self.p):
            await session.aclose()


async def _participant_socket(server: ServerProcess) -> Socket:
    fac, wid, code = await setup_workshop(server.url)
    p = Browserless(server.url)
    assert (await p.join(code, "Mallory", "Borger")).status_code == 200
    c = await LiveClient.connect(server.ws_url, wid, p)
    await c.wait_for(lambda x: x.seq is not None)
    return Socket(fac, p, wid, c)


def _answers_after(c: LiveClient, start: int) -> list[dict[str, Any]]:
    return [m for m in c.received[start:] if m.get("type") != "presence"]


async def test_a_lone_surrogate_in_user_text_is_refused(single: ServerProcess) -> None:
    s = await _participant_socket(single)
    try:
        before = await _snapshot(s.fac, s.workshop_id)
        frame = '{"type": "note.add", "command_id": "surrogate01", "text": "x\\ud800y"}'
        await s.client.send(frame)
        reply = await s.client.wait_reply("surrogate01", timeout=REPLY_TIMEOUT)
        assert reply["type"] == "error" and s.client.closed_code is None, reply
        r = await s.p.http.post(
            f"/api/workshops/{s.workshop_id}/commands",
            content=frame.replace("surrogate01", "surrogate02").encode(),
            headers={"content-type": "application/json"},
        )
        assert r.status_code in (400, 422), r.status_code
        assert await _snapshot(s.fac, s.workshop_id) == before
        assert _server_errors(single) == []
    finally:
        await s.aclose()


async def test_a_field_name_with_a_lone_surrogate_is_answered(single: ServerProcess) -> None:
    s = await _participant_socket(single)
    c = s.client
    try:
        for frame, code in (
            ('{"type": "ping", "\\ud800": 1}', "wire.unknown_field"),
            ('{"type": "ping", "\\udfff": 1, "\\udfff": 2}', "wire.duplicate_key"),
            ('{"type": "ping", "t": 1}', None),
        ):
            start = len(c.received)
            await c.send(frame)

            def answered(x: LiveClient, start: int = start) -> list[dict[str, Any]]:
                return _answers_after(x, start)

            await c.wait_for(answered, REPLY_TIMEOUT)
            answer = answered(c)[0]
            assert answer.get("code") == code and c.closed_code is None, answer
    finally:
        await s.aclose()


async def test_a_deeply_nested_frame_over_the_rate_limit_is_answered(
    single: ServerProcess,
) -> None:
    s = await _participant_socket(single)
    c = s.client
    try:
        start = len(c.received)
        for _ in range(60):  # past WS_RATE_BURST (40) before any refill to speak of
            await c.send({"type": "ping"})
        await c.send("[" * 30000 + "]" * 30000)  # 60,000 bytes: under the size cap
        await c.wait_for(lambda x: len(_answers_after(x, start)) >= 61, REPLY_TIMEOUT)
        last = _answers_after(c, start)[60]
        assert last["type"] == "error" and last["code"] == "wire.rate_limited", last
        assert c.closed_code is None
        assert _server_errors(single) == []
    finally:
        await s.aclose()
