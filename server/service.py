"""`execute`: the only write path. Lock, check idempotency, decide, persist, then publish.

See ARCHITECTURE.md: one transaction stores the events and the state they produce; the broker
is rung only after commit, and a lost ring is healed by the hubs reading the log.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import secrets
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.ext.asyncio import AsyncConnection

from server.domain import events as ev
from server.domain.commands import Actor, Command
from server.domain.decide import create_workshop as workshop_created_event
from server.domain.decide import decide
from server.domain.errors import DomainError
from server.domain.events import JSON, Event, StoredEvent
from server.domain.workshop import WorkshopState, apply, fold, new_workshop
from server.realtime.broker import Broker, channel_for
from server.realtime.wire import encode_doorbell
from server.store import assets, log, projections
from server.store import workshops as workshop_rows
from server.store.db import Database, StoreUnavailable
from server.turns import Turns

logger = logging.getLogger(__name__)

JOIN_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in a hall


def new_id() -> str:
    return secrets.token_hex(8)


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(6))


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True)
class Result:
    """The answer to a command: an ack with the seq it reached, or a domain error code."""

    command_id: str
    seq: int | None = None
    error_code: str | None = None
    error_params: dict[str, str | int] | None = None
    replayed: bool = False

    @property
    def ok(self) -> bool:
        return self.error_code is None


class UnknownWorkshop(Exception):
    pass


@dataclass(frozen=True)
class _Command:
    """A command waiting for its workshop's turn."""

    actor: Actor
    command_id: str
    command: Command
    blobs: tuple[tuple[str, bytes], ...]


def _replayed(prior: log.CommandOutcome) -> Result:
    """A command id seen before gets its first answer again, and is not applied twice."""
    return Result(
        prior.command_id,
        seq=prior.last_seq,
        error_code=prior.error_code,
        error_params=prior.error_params,
        replayed=True,
    )


class ImportRefused(Exception):
    """A step of an import the domain refused: which step, and the domain's error."""

    def __init__(self, step: int, error: DomainError) -> None:
        super().__init__(f"step {step}: {error.code}")
        self.step = step
        self.error = error


@dataclass(frozen=True)
class ImportPlan:
    """A workshop to rebuild: its first event's fields, then commands replayed as the actors
    who gave them. Ids inside the commands are the caller's (fresh ones); `board_id` is the
    first board's, which `workshop.created` makes."""

    facilitator_id: str
    title: str
    date: str
    groups: list[str]
    board_id: str
    board_title: str
    column_title: str
    imported: JSON  # the `workshop.imported` payload: {format, version, archive}
    steps: Sequence[tuple[Actor, Command]]
    blobs: Sequence[tuple[str, bytes]] = ()
    # Called with the rebuilt state before anything is written; raises to refuse the import
    # (the JSON import checks that the result exports back to the file it came from).
    verify: Callable[[WorkshopState], None] | None = None


STATES_KEPT = 256  # workshops whose latest state a process keeps between commands
BATCH_COMMANDS = 50  # commands of one workshop written in one transaction, at most
CATCH_UP_EVENTS = 500  # more events than this behind the kept state: read the tables instead


class Service:
    """Holds the database and broker; every change to a workshop goes through `execute`.

    It keeps the state each workshop reached with this process's last command (at most
    `STATES_KEPT`, least recently used first out), so a command need not read every table of
    its workshop again: under the write lock the log's position says whether that state is
    still the latest (no other process wrote since); if not, it is read from the tables.
    Reading the whole state was four fifths of a command's server time (docs/BENCHMARKS.md).
    """

    def __init__(
        self,
        db: Database,
        broker: Broker,
        clock: Callable[[], datetime.datetime] = utcnow,
    ) -> None:
        self.db = db
        self.broker = broker
        self.clock = clock
        self._states: OrderedDict[str, tuple[str, int, WorkshopState]] = OrderedDict()
        # One transaction per workshop at a time on this process, queued here rather than on
        # the database: a vote burst would otherwise hold a pooled connection per waiting
        # command (on PostgreSQL each waits on the workshop's row lock) and run the pool dry.
        # The commands that queued meanwhile go together in the next one (server/turns.py).
        self._turns: Turns[_Command, Result] = Turns(self._execute_batch, BATCH_COMMANDS)

    def _kept(self, workshop_id: str, pos: log.LogPosition) -> WorkshopState | None:
        """The kept state if it is the one at the log's position, read under the lock."""
        kept = self._states.get(workshop_id)
        if kept is None or kept[0] != pos.epoch or kept[1] != pos.last_seq:
            return None
        self._states.move_to_end(workshop_id)
        return kept[2]

    async def _caught_up(
        self, conn: AsyncConnection, workshop_id: str, pos: log.LogPosition
    ) -> WorkshopState | None:
        """The kept state brought to the log's position by folding the events another process
        wrote since, as every hub does: with sockets on two processes every other command comes
        from the other one, and reading every table each time cost seconds under load."""
        kept = self._states.get(workshop_id)
        if kept is None or kept[0] != pos.epoch or kept[1] >= pos.last_seq:
            return None
        missing = pos.last_seq - kept[1]
        if missing > CATCH_UP_EVENTS:
            return None
        events = await log.read_since(conn, workshop_id, kept[1], missing)
        if [e.seq for e in events] != list(range(kept[1] + 1, pos.last_seq + 1)):
            return None
        return fold(kept[2], events)

    def _keep(self, workshop_id: str, epoch: str, seq: int, state: WorkshopState) -> None:
        """Called after commit. Never replaces a later state: a command of another coroutine
        may have committed after this one and kept its state first."""
        kept = self._states.get(workshop_id)
        if kept is not None and kept[0] == epoch and kept[1] > seq:
            return
        self._states[workshop_id] = (epoch, seq, state)
        self._states.move_to_end(workshop_id)
        while len(self._states) > STATES_KEPT:
            self._states.popitem(last=False)

    async def execute(
        self,
        workshop_id: str,
        actor: Actor,
        command_id: str,
        command: Command,
        blobs: Sequence[tuple[str, bytes]] = (),
    ) -> Result:
        """`blobs`: (asset id, bytes) stored with the command's events if it is accepted, so a
        refused upload stores nothing and an accepted one never names missing bytes."""
        return await self._turns.take(
            workshop_id, _Command(actor, command_id, command, tuple(blobs))
        )

    async def _execute_batch(
        self, workshop_id: str, batch: list[_Command]
    ) -> list[Result | Exception]:
        """A batch in one transaction; if it fails for anything but a lost database or an
        unknown workshop, each command is tried alone, so one command's failure is its own."""
        try:
            return list(await self._execute(workshop_id, batch))
        except (StoreUnavailable, UnknownWorkshop):
            raise
        except Exception:
            if len(batch) == 1:
                raise
            logger.exception("a batch of %d commands failed; each goes alone", len(batch))
        answers: list[Result | Exception] = []
        for c in batch:
            try:
                answers += await self._execute(workshop_id, [c])
            except Exception as e:
                answers.append(e)
        return answers

    async def _execute(self, workshop_id: str, batch: list[_Command]) -> list[Result]:
        """Lock, check idempotency, decide each command on the state the ones before it made,
        persist every event and every command's outcome, commit, then ring the doorbell once."""
        now = self.clock()
        answers: list[Result] = []
        stored: list[StoredEvent] = []
        outcomes: list[tuple[str, log.CommandOutcome]] = []
        async with self.db.write() as conn:
            pos = await log.lock_workshop(conn, workshop_id)
            if pos is None:
                raise UnknownWorkshop(workshop_id)
            epoch = pos.epoch
            priors = await log.find_commands(conn, workshop_id, [c.command_id for c in batch])
            state = self._kept(workshop_id, pos)
            if state is None:
                state = await self._caught_up(conn, workshop_id, pos)
            if state is None:
                state = await projections.load_state(conn, workshop_id)
            assert state is not None
            seq = pos.last_seq
            answered: dict[str, Result] = {}
            blobs: list[tuple[str, bytes]] = []
            for c in batch:
                prior = priors.get(c.command_id)
                if prior is not None:
                    answers.append(_replayed(prior))
                    continue
                if c.command_id in answered:  # sent twice before the first was answered
                    answers.append(replace(answered[c.command_id], replayed=True))
                    continue
                try:
                    new_events = decide(state, c.actor, c.command)
                except DomainError as e:
                    params = dict(e.params)
                    outcome = log.CommandOutcome(
                        c.command_id, accepted=False, error_code=e.code, error_params=params
                    )
                    answer = Result(c.command_id, error_code=e.code, error_params=params)
                else:
                    mine = [
                        StoredEvent(
                            workshop_id, seq + 1 + i, e.type, e.data, c.actor.id, c.command_id
                        )
                        for i, e in enumerate(new_events)
                    ]
                    state = fold(state, mine)
                    stored += mine
                    blobs += c.blobs
                    seq += len(mine)
                    outcome = log.CommandOutcome(
                        c.command_id, accepted=True, first_seq=seq - len(mine) + 1, last_seq=seq
                    )
                    answer = Result(c.command_id, seq=seq)
                outcomes.append((c.actor.id, outcome))
                answered[c.command_id] = answer
                answers.append(answer)
            if stored:
                await log.allocate_seq(conn, workshop_id, len(stored))
                await log.insert_events(conn, stored, now)
                for s in stored:
                    await projections.project(conn, s, now)
                for asset_id, data in blobs:
                    await assets.save_blob(conn, workshop_id, asset_id, data)
            await log.record_commands(conn, workshop_id, outcomes, now)
        self._keep(workshop_id, epoch, seq, state)  # committed: the latest state now
        await self._publish(workshop_id, epoch, stored)
        return answers

    async def create_workshop(
        self,
        *,
        facilitator_id: str,
        title: str,
        date: str,
        groups: list[str],
        board_title: str,
        column_title: str | None = None,
    ) -> WorkshopState:
        """Insert the workshop and its first event (`workshop.created`, seq 1) together.

        The first column takes the board's id, the convention migration 0003 set for old
        boards; `column_title` None falls back to the board's title.
        """
        now = self.clock()
        workshop_id, board_id = new_id(), new_id()
        epoch = secrets.token_hex(8)
        async with self.db.write() as conn:
            join_code = new_join_code()
            while await workshop_rows.join_code_taken(conn, join_code):
                join_code = new_join_code()
            event = workshop_created_event(
                workshop_id=workshop_id,
                board_id=board_id,
                join_code=join_code,
                title=title,
                date=date,
                groups=groups,
                board_title=board_title,
                facilitator_id=facilitator_id,
                column_id=board_id,
                column_title=column_title,
            )
            d = event.data
            await workshop_rows.insert_workshop(
                conn,
                workshop_id=workshop_id,
                join_code=join_code,
                title=d["title"],
                date=d["date"],
                groups=d["groups"],
                epoch=epoch,
                facilitator_id=facilitator_id,
                now=now,
            )
            last = await log.allocate_seq(conn, workshop_id, 1)
            stored = await log.append_events(
                conn, workshop_id, last, [event], facilitator_id, None, now
            )
            await projections.project(conn, stored[0], now)
        state = new_workshop(event)
        self._keep(workshop_id, epoch, 1, state)
        await self._publish(workshop_id, epoch, stored)
        return state

    async def import_workshop(self, plan: ImportPlan) -> WorkshopState:
        """Rebuild a workshop: every step is decided against the state the steps before made,
        with the rules of a live workshop, all in memory; only when every step is accepted is
        anything written, in one transaction. So a refused import leaves no trace."""
        now = self.clock()
        workshop_id = new_id()
        epoch = secrets.token_hex(8)
        # Deciding thousands of steps takes a while: off the event loop, so the live
        # workshops on this process do not stall meanwhile.
        created, state, written = await asyncio.to_thread(_rebuild, plan, workshop_id)
        async with self.db.write() as conn:
            join_code = new_join_code()
            while await workshop_rows.join_code_taken(conn, join_code):
                join_code = new_join_code()
            created = Event(created.type, {**created.data, "join_code": join_code})
            d = created.data
            await workshop_rows.insert_workshop(
                conn,
                workshop_id=workshop_id,
                join_code=join_code,
                title=d["title"],
                date=d["date"],
                groups=d["groups"],
                epoch=epoch,
                facilitator_id=plan.facilitator_id,
                now=now,
            )
            last = await log.allocate_seq(conn, workshop_id, 1 + len(written))
            assert last == 1 + len(written)
            stored = await log.append_events(
                conn, workshop_id, 1, [created], plan.facilitator_id, None, now
            )
            for n, (actor_id, event) in enumerate(written):
                stored += await log.append_events(
                    conn, workshop_id, 2 + n, [event], actor_id, None, now
                )
            for stored_event in stored:
                await projections.project(conn, stored_event, now)
            for asset_id, data in plan.blobs:
                await assets.save_blob(conn, workshop_id, asset_id, data)
        state = replace(state, join_code=join_code)
        self._keep(workshop_id, epoch, last, state)
        return state

    async def _publish(self, workshop_id: str, epoch: str, stored: list[StoredEvent]) -> None:
        """Ring the doorbell. A failure here loses nothing: hubs re-read the log."""
        if not stored:
            return
        try:
            await self.broker.publish(channel_for(workshop_id), encode_doorbell(epoch, stored))
        except Exception:
            logger.warning(
                "publish failed for workshop %s; hubs will catch up from the log", workshop_id
            )


def _rebuild(
    plan: ImportPlan, workshop_id: str
) -> tuple[Event, WorkshopState, list[tuple[str, Event]]]:
    """`import_workshop`'s in-memory part: the first event, the state every step leads to,
    and the events to write with who gave them. Raises ImportRefused."""
    try:
        created = workshop_created_event(
            workshop_id=workshop_id,
            board_id=plan.board_id,
            join_code="",  # set below, under the write lock
            title=plan.title,
            date=plan.date,
            groups=plan.groups,
            board_title=plan.board_title,
            facilitator_id=plan.facilitator_id,
            column_id=plan.board_id,
            column_title=plan.column_title,
        )
    except DomainError as refused:
        raise ImportRefused(-1, refused) from refused  # the title, date or groups
    state = new_workshop(created)
    seq = 1
    imported = Event(ev.WORKSHOP_IMPORTED, dict(plan.imported))
    seq += 1
    state = apply(state, imported, seq)
    written: list[tuple[str, Event]] = [(plan.facilitator_id, imported)]
    for i, (actor, command) in enumerate(plan.steps):
        try:
            new_events = decide(state, actor, command)
        except DomainError as refused:
            raise ImportRefused(i, refused) from refused
        for event in new_events:
            seq += 1
            state = apply(state, event, seq)
            written.append((actor.id, event))
    if plan.verify is not None:
        plan.verify(state)
    return created, state, written
