"""Drive a stored workshop through `Service.execute` and check, after every command, that the
state tables are the twin of the domain: state loaded before + `apply` of the committed events
== state loaded after. A refused command must leave the stored state as it was.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from server.domain.commands import Actor, Command, JoinWorkshop
from server.domain.events import StoredEvent
from server.domain.workshop import WorkshopState, fold, replay
from server.service import Service, new_id
from server.store import log, projections

NOW = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)
FAC = Actor("facilitator", "fac1")
P1 = Actor("participant", "p1")
P2 = Actor("participant", "p2")
P3 = Actor("participant", "p3")


@dataclass
class Twin:
    service: Service
    workshop_id: str

    async def loaded(self) -> tuple[WorkshopState, int]:
        """The stored state and the seq it is at, read in one transaction."""
        async with self.service.db.read() as conn:
            state = await projections.load_state(conn, self.workshop_id)
            pos = await log.position(conn, self.workshop_id)
        assert state is not None and pos is not None
        return state, pos.last_seq

    async def state(self) -> WorkshopState:
        return (await self.loaded())[0]

    async def log(self) -> list[StoredEvent]:
        async with self.service.db.read() as conn:
            return await log.read_since(conn, self.workshop_id, 0)

    async def do(self, actor: Actor, command: Command) -> list[StoredEvent]:
        """Execute an accepted command; the stored state must equal the domain's answer."""
        before, seq = await self.loaded()
        result = await self.service.execute(self.workshop_id, actor, new_id(), command)
        assert result.ok, (command, result.error_code)
        async with self.service.db.read() as conn:
            stored = await log.read_since(conn, self.workshop_id, seq)
        after = await self.state()
        assert stored and stored[-1].seq == result.seq
        assert after == fold(before, stored), command
        return stored

    async def attempt(self, actor: Actor, command: Command) -> bool:
        """Execute a command that may be refused; either way the tables must stay the twin."""
        before, seq = await self.loaded()
        result = await self.service.execute(self.workshop_id, actor, new_id(), command)
        async with self.service.db.read() as conn:
            stored = await log.read_since(conn, self.workshop_id, seq)
        assert (result.ok and stored[-1].seq == result.seq) or (not result.ok and not stored)
        assert await self.state() == fold(before, stored), command
        return result.ok

    async def refused(self, actor: Actor, command: Command, code: str) -> None:
        before = await self.state()
        result = await self.service.execute(self.workshop_id, actor, new_id(), command)
        assert result.error_code == code, command
        assert await self.state() == before

    async def assert_replay_equals_stored(self) -> WorkshopState:
        state = await self.state()
        assert replay(await self.log()) == state
        return state


async def new_workshop(
    service: Service, title: str = "Vision", groups: tuple[str, ...] = ("Politiker", "Borger")
) -> str:
    """A fresh workshop of facilitator "fac1" with one board; its id."""
    state = await service.create_workshop(
        facilitator_id="fac1",
        title=title,
        date="2026-11-22",
        groups=list(groups),
        board_title="Idébank",
    )
    return state.id


async def new_twin(service: Service, people: tuple[Actor, Actor, Actor] = (P1, P2, P3)) -> Twin:
    """A workshop with three participants joined: the first two named, the third anonymous."""
    state = await service.create_workshop(
        facilitator_id="fac1",
        title="Vision",
        date="2026-11-22",
        groups=["Politiker", "Borger"],
        board_title="Idébank",
        column_title="Noter",
    )
    twin = Twin(service, state.id)
    assert await twin.state() == state
    for actor, name, group in zip(
        people, ("Ida", "Bo", None), ("Borger", "Politiker", "Borger"), strict=True
    ):
        await twin.do(actor, JoinWorkshop(actor.id, name, group))
    return twin
