"""A checked export becomes a new workshop: an `ImportPlan` of the commands that would have
made it, each given by the actor who would have given it, replayed by
`Service.import_workshop` with the live rules. So every element passes the same checks as in a
live workshop; a refused step names the element it came from; and before anything is written
the result is exported again and must equal the file (apart from ids and dates), or the import
is refused as inconsistent. Nothing is written unless all of it is accepted.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any

from server.domain.commands import Actor, AddRoomParticipant, JoinWorkshop, KickParticipant
from server.domain.workshop import WorkshopState
from server.exchange import validate
from server.exchange.errors import ImportProblem
from server.exchange.export import FORMAT, VERSION, workshop_part
from server.exchange.plan import Builder, Doc, Person
from server.exchange.plan_boards import board_steps
from server.exchange.plan_hall import hall_steps
from server.exchange.plan_votes import card_steps, question_steps
from server.exchange.shape import join
from server.service import ImportPlan, ImportRefused, Service, new_id


@dataclass(frozen=True)
class Planned:
    plan: ImportPlan
    paths: list[str]  # the element each step came from, by step index


def _participants(b: Builder, w: Doc) -> None:
    for i, p in enumerate(w["participants"]):
        path = f"participants[{i}]"
        person = Person(Actor("participant", new_id()), p["name"], p["group"], path)
        b.people.append(person)
        b.by_ref[p["ref"]] = person
        pid = person.actor.id
        if p["in_room"]:
            b.add(path, b.facilitator, AddRoomParticipant(pid, p["name"], p["group"]))
        else:
            b.add(path, person.actor, JoinWorkshop(pid, p["name"], p["group"]))
        if p["removed"]:  # last of all: a removed participant can no longer act
            b.later(path, b.facilitator, KickParticipant(pid))


def first_difference(expected: Any, actual: Any, path: str = "") -> str | None:
    """Where two JSON values first differ (`boards[0].columns[1].notes[2].dots`), or None."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(expected.keys() ^ actual.keys()):
            return join(path, str(key))
        for key in expected:
            found = first_difference(expected[key], actual[key], join(path, key))
            if found is not None:
                return found
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (a, b) in enumerate(zip(expected, actual, strict=False)):
            found = first_difference(a, b, f"{path}[{i}]")
            if found is not None:
                return found
        return None if len(expected) == len(actual) else path
    return None if expected == actual and type(expected) is type(actual) else path


def plan(workshop: Doc, facilitator_id: str) -> Planned:
    """The plan for a checked `workshop` object (from `validate.read`)."""
    w = copy.deepcopy(workshop)  # the hall's files are replaced by what their check found
    w["archive"] = w["archive"] or None  # an empty archive is none (and exported as null)
    b = Builder(Actor("facilitator", facilitator_id), main_board_id=new_id())
    _participants(b, w)
    board_steps(b, w)
    question_steps(b, w)
    card_steps(b, w)
    hall_steps(b, w)
    b.finish()
    expected = w
    blobs = dict(b.blobs)

    def verify(state: WorkshopState) -> None:
        again = workshop_part(state, None, blobs)
        where = first_difference(expected, again)
        if where is not None:
            raise ImportProblem("import.inconsistent", where)

    main = w["boards"][0]
    return Planned(
        ImportPlan(
            facilitator_id=facilitator_id,
            title=w["title"],
            date=w["date"],
            groups=list(w["groups"]),
            board_id=b.main_board_id,
            board_title=main["title"],
            column_title=main["columns"][0]["title"],
            imported={"format": FORMAT, "version": VERSION, "archive": w["archive"] or {}},
            steps=b.steps,
            blobs=b.blobs,
            verify=verify,
        ),
        b.paths,
    )


def _first_step_path(code: str) -> str:
    """Step -1 is the workshop's own first event: its title, date or groups."""
    field = code.split(".", 1)[0]
    return {"title": "title", "date": "date"}.get(field, "groups")


def read_and_plan(data: bytes, facilitator_id: str) -> Planned:
    return plan(validate.read(data), facilitator_id)


async def import_file(service: Service, facilitator_id: str, data: bytes) -> WorkshopState:
    """The new workshop, or ImportProblem saying what in the file was refused and why."""
    planned = await asyncio.to_thread(read_and_plan, data, facilitator_id)
    try:
        return await service.import_workshop(planned.plan)
    except ImportRefused as refused:
        e = refused.error
        path = planned.paths[refused.step] if refused.step >= 0 else _first_step_path(e.code)
        raise ImportProblem("import.refused", path, cause=(e.code, e.params)) from None
