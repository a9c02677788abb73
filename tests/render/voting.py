"""A workshop with a 0-10 question voted on at random, for the tests of what each viewer
receives. Built with `kit.Session`: commands through `decide`, events through `apply`, and the
state after every event kept, as the hub would fold it."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from server.domain.commands import (
    Actor,
    AddRoomParticipant,
    CastVote,
    CloseQuestion,
    CreateQuestion,
    JoinWorkshop,
    OpenQuestion,
    RevealQuestion,
)
from server.realtime.source import Format, Viewer, ViewerRole
from tests.domain.kit import FAC, P1, P2, P3, SCREEN, Session

TEXT = "I hvilken grad kan visionen fungere som endeligt forslag?"
DRAFT_TEXT = "Et udkast som kun facilitatoren kender"
ROOM = "r1"  # in the hall without a device: the facilitator records the vote
EXTRA = tuple(f"x{i}" for i in range(6))
PARTICIPANTS = (P1.id, P2.id, P3.id, *EXTRA, ROOM)

# Keys that carry a figure or a value: none may reach anyone before the reveal (but a
# participant's own `value`, see the tests).
FIGURE_KEYS = {"results", "histogram", "mean", "median", "stdev", "q1", "q3", "iqr", "by_person"}


def viewer(
    role: ViewerRole, actor_id: str = "", fmt: Format = "json", locale: str = "da"
) -> Viewer:
    return Viewer(role, fmt, locale, actor_id)


def secret(pid: str, n: int) -> str:
    """A comment nobody else may read before the reveal: unique, so a leak is easy to find."""
    return f"hemmelig-{pid}-{n}"


@dataclass
class Voting:
    s: Session
    reveal_at: int  # the index in the log of the first event of the reveal command
    anonymous: bool

    def before_reveal(self) -> Iterator[int]:
        """Indexes of the log entries from the question's creation up to the reveal."""
        first = next(i for i, e in enumerate(self.s.log) if e.type == "question.created")
        return iter(range(first, self.reveal_at))


def voting(seed: int, *, anonymous: bool, reveal: bool = True) -> Voting:
    """q1 opened and voted on at random (some change their minds, some comment, one vote is
    recorded by the facilitator), then closed and revealed; q2 stays a draft."""
    s = Session()
    for i, pid in enumerate(EXTRA):
        s.do(Actor("participant", pid), JoinWorkshop(pid, f"Deltager {i}", s.state.groups[i % 2]))
    s.do(FAC, AddRoomParticipant(ROOM, "Karl uden telefon", "Politiker"))
    s.do(FAC, CreateQuestion("q1", TEXT, ask_comment=True, anonymous=anonymous, min_group=2))
    s.do(FAC, CreateQuestion("q2", DRAFT_TEXT))
    s.do(FAC, OpenQuestion("q1"))
    rng = random.Random(seed)
    order = [pid for pid in PARTICIPANTS if pid != ROOM]
    rng.shuffle(order)
    order += rng.sample(order, 3)  # three people change their minds
    for n, pid in enumerate(order):
        comment = secret(pid, n) if rng.random() < 0.6 else None
        s.do(Actor("participant", pid), CastVote("q1", rng.randint(0, 10), comment))
    s.do(FAC, CastVote("q1", rng.randint(0, 10), secret(ROOM, 99), on_behalf_of=ROOM))
    s.do(FAC, CloseQuestion("q1"))
    reveal_at = len(s.log)
    if reveal:
        s.do(FAC, RevealQuestion("q1"))
    return Voting(s, reveal_at, anonymous)


def everyone() -> list[Viewer]:
    """Each participant as themselves, the room screen, and the facilitator."""
    return [
        *(viewer("participant", pid) for pid in PARTICIPANTS),
        viewer("screen", SCREEN.id),
        viewer("facilitator", FAC.id),
    ]


def walk(obj: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every (path of keys, value) anywhere in a JSON value."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield (*path, k), v
            yield from walk(v, (*path, k))
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v, path)
