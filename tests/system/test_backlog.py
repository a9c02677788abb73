"""A task committee's backlog and sprints across two real processes (Redis, PostgreSQL), driven
by JSON WebSocket clients the way members' tablets and the facilitator's laptop drive it:

- the capacity rule holds under concurrent planning from both processes: the planned total never
  exceeds the capacity in the database or on any client, and every refusal says so;
- the sprint log is closed once the sprint starts, whatever anyone sends to whichever process,
  until the facilitator re-opens planning, which is recorded;
- concurrent reorders converge: every client's backlog order is the database's;
- burndown and velocity in the JSON equal what this test computes from the events it received,
  and a frozen report stays byte-identical after later edits.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import random
import re
from collections.abc import AsyncIterator, Mapping
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import Browserless, LiveClient, ServerProcess, query
from tests.system.conftest import Cluster
from tests.system.test_boards import ok, refused
from tests.system.test_hall import Crowd

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]

Json = dict[str, Any]


@pytest.fixture
async def crowd() -> AsyncIterator[Crowd]:
    c = Crowd()
    try:
        yield c
    finally:
        await c.close()


def today() -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Europe/Copenhagen")).date()


def events_of(client: LiveClient, type_: str) -> list[Json]:
    return [e["data"] for e in client.events if e["type"] == type_]


def snapshot_committee(client: LiveClient) -> Json:
    snap = next(m for m in client.received if m.get("type") == "snapshot")
    committee: Json = snap["state"]["committee"]
    return committee


async def set_up_committee(
    crowd: Crowd, server: ServerProcess, **fields: str
) -> tuple[Browserless, str, str]:
    """The facilitator logs in and sets a committee up from the dashboard's form."""
    fac = Browserless(server.url)
    crowd.sessions.append(fac)
    assert (await fac.login()).status_code == 200
    token = await fac.csrf("/f")
    form = {
        "csrf": token,
        "name": "Opgaveudvalg om Ungepolitik",
        "unit": "points",
        "capacity_rule": "refuse",
        "parties": "C 13, A 2, V 1, B 1, Ø 1, F 1",
        "political_seats": "5",
        **fields,
    }
    r = await fac.http.post("/f/committees", data=form)
    assert r.status_code == 200, r.text[-2000:]
    committee_id = str(r.url).rstrip("/").rsplit("/", 1)[1]
    code = re.search(r'class="code">([A-Z0-9]{6})<', r.text)
    assert code, r.text[:1000]
    return fac, committee_id, code.group(1)


async def everyone_at(clients: list[LiveClient], seq: int) -> None:
    for c in clients:
        await c.wait_for(lambda c: c.seq is not None and c.seq >= seq, timeout=30)


async def last_seq(db: str, workshop_id: str) -> int:
    (row,) = await query(db, "SELECT last_seq FROM workshops WHERE id = :w", w=workshop_id)
    return int(row.last_seq)


async def add_items(fac: LiveClient, estimates: Mapping[str, int | None]) -> dict[str, str]:
    """Add items titled by the keys; returns title -> item id (from the events)."""
    for title, estimate in estimates.items():
        await ok(fac, "item.add", title=title, estimate=estimate)
    added = await fac.wait_for(
        lambda c: (
            got
            if len(got := {d["title"]: d["item_id"] for d in events_of(c, "backlog.item_added")})
            >= len(estimates)
            else None
        )
    )
    return {t: added[t] for t in estimates}


async def create_sprint(fac: LiveClient, name: str, capacity: int, goals: str) -> Json:
    start = today()
    await ok(
        fac,
        "sprint.create",
        name=name,
        goals=goals,
        start=start.isoformat(),
        end=(start + datetime.timedelta(days=13)).isoformat(),
        capacity=str(capacity),
    )
    created: Json = await fac.wait_for(
        lambda c: next((d for d in events_of(c, "sprint.created") if d["name"] == name), None)
    )
    return created


async def replies(client: LiveClient, command_ids: list[str]) -> list[Json]:
    return [await client.wait_reply(cid, timeout=30) for cid in command_ids]


# --- 1: the capacity rule under concurrent planning ------------------------------------------


async def test_the_planned_total_never_exceeds_the_capacity_whoever_plans_where(
    cluster: Cluster, crowd: Crowd
) -> None:
    db = cluster.env["DATABASE_URL"]
    fac_s, cid, code = await set_up_committee(crowd, cluster.a)
    fac = await crowd.connect(cluster.a, cid, fac_s)
    fac_b = await crowd.connect(cluster.b, cid, crowd.same_person(fac_s, cluster.b))
    members = [
        (await crowd.participant(srv, code, cid, f"Medlem {i}"))[1]
        for i, srv in enumerate([cluster.a, cluster.b] * 3)
    ]
    estimates = dict(
        zip(
            [f"Opgave {i}" for i in range(14)],
            [3, 2, 4, 1, 5, 3, 2, 4, 1, 5, 3, 2, 6, 1],
            strict=True,
        )
    )
    ids = await add_items(fac, estimates)
    estimate_of = {ids[t]: e for t, e in estimates.items()}
    capacity = 10
    sprint_id = str((await create_sprint(fac, "Sprint 1", capacity, "Høring af unge"))["sprint_id"])
    planners = [*members, fac_b]
    await everyone_at([fac, *planners], await last_seq(db, cid))

    # Every item planned once, by someone on either process, all at once.
    rng = random.Random(6)
    items = list(estimate_of)
    rng.shuffle(items)
    plan: dict[int, list[str]] = {}
    for n, item_id in enumerate(items):
        plan.setdefault(n % len(planners), []).append(item_id)
    jobs = list(plan.items())
    sent = await asyncio.gather(
        *(
            asyncio.gather(
                *(planners[k].command("sprint.plan", sprint_id=sprint_id, item_id=i) for i in its)
            )
            for k, its in jobs
        )
    )
    answered: list[tuple[str, Json]] = []
    for (k, its), cids in zip(jobs, sent, strict=True):
        got = await replies(planners[k], list(cids))
        answered += list(zip(its, got, strict=True))
    accepted = [i for i, r in answered if r["type"] == "ack"]
    refusals = [(i, r) for i, r in answered if r["type"] == "error"]
    total = sum(estimate_of[i] for i in accepted)
    assert accepted and refusals and total <= capacity
    for item_id, r in refusals:
        assert r["code"] == "sprint.over_capacity", r
        assert r["message"] and str(capacity) in r["message"]
        assert estimate_of[item_id] + total > capacity  # it would not have fitted, even last

    # The database: exactly the accepted items, never over capacity.
    rows = await query(
        db,
        "SELECT id, estimate FROM backlog_items WHERE workshop_id = :w AND sprint_id = :s",
        w=cid,
        s=sprint_id,
    )
    assert sorted(r.id for r in rows) == sorted(accepted)
    assert sum(r.estimate for r in rows) == total <= capacity
    planned_events = await query(
        db,
        "SELECT payload FROM events WHERE workshop_id = :w AND type = 'sprint.item_planned'",
        w=cid,
    )
    assert len(planned_events) == len(accepted)

    # Every client, on both processes: the same planned items, the same total, never over.
    final = await last_seq(db, cid)
    await everyone_at([fac, *planners], final)
    for c in [fac, *planners]:
        seen = events_of(c, "sprint.item_planned")
        assert sorted(d["item_id"] for d in seen) == sorted(accepted)
        assert all(d["total"] <= capacity and d["over"] is False for d in seen)
        assert max(d["total"] for d in seen) == total
        assert seen[-1]["sprint"]["planned_total"] == total
        assert seen[-1]["sprint"]["over"] is False
    for server in (cluster.a, cluster.b):  # and whoever arrives now
        late = await crowd.connect(server, cid, fac_s)
        (s,) = snapshot_committee(late)["sprints"]
        assert (s["planned_total"], s["capacity"], s["over"]) == (total, capacity, False)
        assert sorted(s["planned"]) == sorted(accepted)


# --- 2: the closed sprint log --------------------------------------------------------------


async def test_the_sprint_log_is_closed_on_every_process_until_planning_is_re_opened(
    cluster: Cluster, crowd: Crowd
) -> None:
    db = cluster.env["DATABASE_URL"]
    fac_s, cid, code = await set_up_committee(crowd, cluster.a)
    fac = await crowd.connect(cluster.a, cid, fac_s)
    fac_b = await crowd.connect(cluster.b, cid, crowd.same_person(fac_s, cluster.b))
    members = [
        (await crowd.participant(srv, code, cid, f"Medlem {i}"))[1]
        for i, srv in enumerate([cluster.a, cluster.b, cluster.a, cluster.b])
    ]
    everyone = [fac, fac_b, *members]
    ids = await add_items(fac, {f"Opgave {i}": 2 for i in range(8)})
    i = [ids[f"Opgave {n}"] for n in range(8)]
    sprint_id = str((await create_sprint(fac, "Sprint 1", 20, "Høring\nForslag"))["sprint_id"])
    await ok(fac, "sprint.plan", sprint_id=sprint_id, item_id=i[0])
    await ok(fac_b, "sprint.plan", sprint_id=sprint_id, item_id=i[1])
    await ok(fac, "sprint.start", sprint_id=sprint_id)
    await everyone_at(everyone, await last_seq(db, cid))
    (started,) = events_of(members[1], "sprint.started")
    assert started["planned"] == [i[0], i[1]] and started["on"] == today().isoformat()
    before = await last_seq(db, cid)

    # Everything that would change the sprint's scope, from everyone, on both processes, at once.
    attempts: list[tuple[LiveClient, str, Json]] = []
    for n, c in enumerate(members):
        attempts.append((c, "sprint.plan", {"sprint_id": sprint_id, "item_id": i[2 + n]}))
        attempts.append((c, "sprint.unplan", {"item_id": i[n % 2]}))
        attempts.append(
            (
                c,
                "item.edit",
                {
                    "item_id": i[n % 2],
                    "title": f"Opgave {n % 2}",
                    "description": "",
                    "estimate": 9,
                    "owners": "",
                    "tags": "",
                },
            )
        )
    attempts.append((fac_b, "sprint.plan", {"sprint_id": sprint_id, "item_id": i[6]}))
    attempts.append((fac, "item.remove", {"item_id": i[0]}))
    attempts.append((fac_b, "sprint.unplan", {"item_id": i[1]}))
    sent = await asyncio.gather(*(c.command(t, **f) for c, t, f in attempts))
    got = [
        await c.wait_reply(cid_, timeout=30) for (c, _, _), cid_ in zip(attempts, sent, strict=True)
    ]
    for (_, t, _), reply in zip(attempts, got, strict=True):
        assert reply["type"] == "error" and reply["code"] == "sprint.log_closed", (t, reply)
        assert reply["message"] and reply["message"] != reply["code"]

    # Adding to the backlog still works while a sprint runs: the new item is not in the sprint.
    await ok(members[3], "item.add", title="Idé fra borgermødet", estimate=3)
    # Nothing changed in the sprint: in the database, and on every client.
    assert await last_seq(db, cid) == before + 1
    rows = await query(
        db,
        "SELECT id, estimate FROM backlog_items WHERE workshop_id = :w AND sprint_id = :s "
        "ORDER BY id",
        w=cid,
        s=sprint_id,
    )
    assert sorted(r.id for r in rows) == sorted([i[0], i[1]]) and {r.estimate for r in rows} == {2}
    await everyone_at(everyone, before + 1)
    for c in everyone:
        after_start = [e for e in c.events if e["seq"] > started_seq(c)]
        assert [e["type"] for e in after_start] == ["backlog.item_added"]
        assert after_start[0]["data"]["item"]["sprint_id"] is None

    # The facilitator re-opens planning, on the other process: recorded, with its reason.
    reason = "Borgmesteren bad om en opgave mere"
    await ok(fac_b, "sprint.reopen", sprint_id=sprint_id, reason=reason)
    for c in everyone:
        reopened = await c.wait_for(lambda c: events_of(c, "sprint.planning_reopened"))
        assert reopened[-1]["reason"] == reason and reopened[-1]["on"] == today().isoformat()
        assert reopened[-1]["sprint"]["status"] == "planning"
        assert reopened[-1]["sprint"]["reopenings"] == [[today().isoformat(), reason]]
    stored = await query(
        db,
        "SELECT payload FROM events WHERE workshop_id = :w AND type = 'sprint.planning_reopened'",
        w=cid,
    )
    assert len(stored) == 1
    payload = (
        stored[0].payload if isinstance(stored[0].payload, dict) else json.loads(stored[0].payload)
    )
    assert payload == {"sprint_id": sprint_id, "reason": reason, "on": today().isoformat()}
    (row,) = await query(
        db, "SELECT status, reopened, started_on FROM sprints WHERE id = :s", s=sprint_id
    )
    assert (row.status, row.reopened, row.started_on) == ("planning", 1, today().isoformat())

    # Now planning works again, from anyone on either process; starting again closes it again.
    await ok(members[1], "sprint.plan", sprint_id=sprint_id, item_id=i[2])
    await ok(members[0], "sprint.unplan", item_id=i[0])
    await ok(fac, "sprint.start", sprint_id=sprint_id)
    assert await refused(members[2], "sprint.plan", sprint_id=sprint_id, item_id=i[3]) == (
        "sprint.log_closed"
    )
    rows = await query(
        db, "SELECT id FROM backlog_items WHERE sprint_id = :s ORDER BY id", s=sprint_id
    )
    assert sorted(r.id for r in rows) == sorted([i[1], i[2]])


def started_seq(client: LiveClient) -> int:
    return int(next(e["seq"] for e in client.events if e["type"] == "sprint.started"))


# --- 3: concurrent reorders converge -------------------------------------------------------


class BacklogOrder:
    """A client's idea of the backlog's order, from its snapshot and the events' stored fields
    alone (not the `backlog` the server adds): an added or unplanned item goes to the bottom, a
    reorder carries the whole order, a planned or removed item leaves."""

    def __init__(self, start: list[str]) -> None:
        self.order = list(start)

    def apply(self, e: Json) -> None:
        t, d = e["type"], e["data"]
        if t in ("backlog.item_added", "sprint.item_unplanned"):
            self.order.append(d["item_id"])
        elif t == "backlog.items_reordered":
            self.order = list(d["order"])
        elif t in ("backlog.item_removed", "sprint.item_planned"):
            self.order.remove(d["item_id"])


def order_seen_by(client: LiveClient) -> list[str]:
    snap = next(m for m in client.received if m.get("type") == "snapshot")
    order = BacklogOrder(snap["state"]["committee"]["backlog"])
    for e in client.events:
        if e["seq"] > snap["seq"]:
            order.apply(e)
    return order.order


async def stored_backlog(db: str, committee_id: str) -> list[str]:
    rows = await query(
        db,
        "SELECT id, position FROM backlog_items WHERE workshop_id = :w AND sprint_id IS NULL "
        "ORDER BY position, id",
        w=committee_id,
    )
    assert [r.position for r in rows] == list(range(len(rows)))  # dense, as apply numbers them
    return [r.id for r in rows]


async def test_concurrent_reorders_converge_on_every_client_and_in_the_database(
    cluster: Cluster, crowd: Crowd
) -> None:
    db = cluster.env["DATABASE_URL"]
    fac_s, cid, code = await set_up_committee(crowd, cluster.a)
    fac = await crowd.connect(cluster.a, cid, fac_s)
    ids = await add_items(fac, {f"Opgave {n}": n % 5 + 1 for n in range(10)})
    fac_b = await crowd.connect(cluster.b, cid, crowd.same_person(fac_s, cluster.b))
    members = [
        (await crowd.participant(srv, code, cid, f"Medlem {n}"))[1]
        for n, srv in enumerate([cluster.a, cluster.b, cluster.a, cluster.b])
    ]
    movers = [fac, fac_b, *members]
    await everyone_at(movers, await last_seq(db, cid))
    item_ids = list(ids.values())
    rng = random.Random(3)
    moves = [
        (c, rng.choice(item_ids), rng.randrange(0, len(item_ids) + 2))
        for _ in range(6)
        for c in movers
    ]
    sent = await asyncio.gather(*(c.command("item.move", item_id=i, index=x) for c, i, x in moves))
    for (c, _, _), command_id in zip(moves, sent, strict=True):
        assert (await c.wait_reply(command_id, timeout=30))["type"] == "ack"

    final = await last_seq(db, cid)
    await everyone_at(movers, final)
    stored = await stored_backlog(db, cid)
    assert sorted(stored) == sorted(item_ids)
    for c in movers:
        assert order_seen_by(c) == stored
        last = [e for e in c.events if e["type"] == "backlog.items_reordered"][-1]
        assert last["data"]["backlog"] == last["data"]["order"] == stored
    for server in (cluster.a, cluster.b):
        fresh = await crowd.connect(server, cid, fac_s)
        assert snapshot_committee(fresh)["backlog"] == stored


# --- 4: burndown and velocity from the events ---------------------------------------------


class Walk:
    """This test's own reading of the committee's events, independent of the server's code:
    each item's estimate, sprint and column; each sprint's end, first start, close and the
    remaining work at the end of each day something changed it."""

    def __init__(self) -> None:
        self.estimate: dict[str, int] = {}
        self.sprint_of: dict[str, str | None] = {}
        self.done: set[str] = set()
        self.name: dict[str, str] = {}
        self.end: dict[str, str] = {}
        self.started: dict[str, str] = {}
        self.closed: dict[str, str] = {}
        self.days: dict[str, dict[str, int]] = {}
        self.velocity: list[tuple[str, str, int]] = []

    def remaining(self, sprint_id: str) -> int:
        return sum(
            self.estimate[i]
            for i, s in self.sprint_of.items()
            if s == sprint_id and i not in self.done
        )

    def note(self, sprint_id: str, on: str) -> None:
        self.days.setdefault(sprint_id, {})[on] = self.remaining(sprint_id)

    def apply(self, e: Json) -> None:
        t, d = e["type"], e["data"]
        if t in ("backlog.item_added", "backlog.item_edited"):
            self.estimate[d["item_id"]] = d["estimate"] or 0
            self.sprint_of.setdefault(d["item_id"], None)
        elif t == "sprint.created":
            self.name[d["sprint_id"]], self.end[d["sprint_id"]] = d["name"], d["end"]
        elif t == "sprint.item_planned":
            self.sprint_of[d["item_id"]] = d["sprint_id"]
            self.done.discard(d["item_id"])
        elif t == "sprint.item_unplanned":
            self.sprint_of[d["item_id"]] = None
        elif t == "sprint.started":
            self.started.setdefault(d["sprint_id"], d["on"])
            self.note(d["sprint_id"], d["on"])
        elif t == "sprint.item_moved":
            (self.done.add if d["status"] == "done" else self.done.discard)(d["item_id"])
            self.note(d["sprint_id"], d["on"])
        elif t == "sprint.closed":
            s = d["sprint_id"]
            self.note(s, d["on"])
            self.closed[s] = d["on"]
            done = sum(self.estimate[i] for i in self.done if self.sprint_of[i] == s)
            self.velocity.append((s, self.name[s], done))
            for item_id, target in d["unfinished_to"]:
                self.sprint_of[item_id] = target
                self.done.discard(item_id)

    def burndown(self, sprint_id: str) -> list[list[Any]]:
        first = datetime.date.fromisoformat(self.started[sprint_id])
        last = datetime.date.fromisoformat(
            min(self.end[sprint_id], self.closed.get(sprint_id, self.end[sprint_id]))
        )
        out: list[list[Any]] = []
        value, day = 0, first
        changes = self.days[sprint_id]
        while day <= last:
            value = changes.get(day.isoformat(), value)
            out.append([day.isoformat(), value])
            day += datetime.timedelta(days=1)
        return out


async def test_burndown_and_velocity_equal_what_the_events_say_and_the_report_stays_frozen(
    cluster: Cluster, crowd: Crowd
) -> None:
    db = cluster.env["DATABASE_URL"]
    fac_s, cid, code = await set_up_committee(crowd, cluster.a, capacity_rule="warn")
    fac = await crowd.connect(cluster.a, cid, fac_s)
    ida_s, ida = await crowd.participant(cluster.b, code, cid, "Ida")  # the test's eyes, on b
    ids = await add_items(fac, {"a": 3, "b": 5, "c": 2, "d": 8, "e": 4})
    s1 = str((await create_sprint(fac, "Sprint 1", 20, "Høring af unge\nForslag"))["sprint_id"])
    s2 = str((await create_sprint(fac, "Sprint 2", 10, "Afslutte d"))["sprint_id"])
    for t in "abcd":
        await ok(ida, "sprint.plan", sprint_id=s1, item_id=ids[t])
    await ok(fac, "sprint.start", sprint_id=s1)
    await ok(ida, "item.status", item_id=ids["a"], status="doing", index=0)
    await ok(ida, "item.status", item_id=ids["a"], status="done", index=0)
    await ok(fac, "item.status", item_id=ids["b"], status="done")
    await ok(ida, "item.status", item_id=ids["d"], status="doing")
    goals = await ida.wait_for(
        lambda c: next(
            (d["goals"] for d in events_of(c, "sprint.created") if d["sprint_id"] == s1), None
        )
    )
    await ok(
        fac,
        "sprint.close",
        sprint_id=s1,
        unfinished={ids["c"]: "backlog", ids["d"]: s2},
        evaluations={
            goals[0][0]: {"evaluation": "met", "note": "Godt"},
            goals[1][0]: {"evaluation": "partly"},
        },
    )
    await ok(ida, "sprint.plan", sprint_id=s2, item_id=ids["e"])
    await ok(fac, "sprint.start", sprint_id=s2)
    await ok(ida, "item.status", item_id=ids["d"], status="done")
    (g2,) = await ida.wait_for(
        lambda c: next(
            (d["goals"] for d in events_of(c, "sprint.created") if d["sprint_id"] == s2), None
        )
    )
    await ok(
        fac,
        "sprint.close",
        sprint_id=s2,
        **{
            f"unfinished_{ids['e']}": "backlog",
            f"evaluation_{g2[0]}": "not_met",
            f"note_{g2[0]}": "",
        },
    )
    final = await last_seq(db, cid)
    await everyone_at([fac, ida], final)

    walk = Walk()
    for e in ida.events:
        walk.apply(e)
    day = today().isoformat()
    assert walk.burndown(s1) == [[day, 10]]  # c 2 + d 8 left when it closed
    assert walk.burndown(s2) == [[day, 4]]  # e 4
    assert walk.velocity == [(s1, "Sprint 1", 8), (s2, "Sprint 2", 8)]

    async def committee_json(session: Browserless) -> Json:
        r = await session.http.get(f"/api/workshops/{cid}/snapshot")
        assert r.status_code == 200
        committee: Json = r.json()["state"]["committee"]
        return committee

    for server in (cluster.a, cluster.b):
        ida_s.use_server(server.url)
        c = await committee_json(ida_s)
        sprints = {s["id"]: s for s in c["sprints"]}
        for sid in (s1, s2):
            assert sprints[sid]["burndown"] == walk.burndown(sid)
            assert sprints[sid]["report"]["burndown"] == walk.burndown(sid)
        assert [(v["sprint_id"], v["name"], v["done"]) for v in c["velocity"]] == walk.velocity
        assert [sprints[s]["report"]["done_total"] for s in (s1, s2)] == [8, 8]
    closes = events_of(ida, "sprint.closed")
    assert [d["sprint"]["burndown"] for d in closes] == [walk.burndown(s1), walk.burndown(s2)]

    # Later edits to the items change nothing in the frozen reports, byte for byte.
    async def stored_reports() -> list[str]:
        rows = await query(
            db, "SELECT id, report FROM sprints WHERE workshop_id = :w ORDER BY id", w=cid
        )
        return [
            r.report if isinstance(r.report, str) else json.dumps(r.report, sort_keys=True)
            for r in rows
        ]

    before_db = await stored_reports()
    before_json = json.dumps([s["report"] for s in (await committee_json(ida_s))["sprints"]])
    await ok(
        ida,
        "item.edit",
        item_id=ids["a"],
        title="Omdøbt efter lukningen",
        description="Ny tekst",
        estimate=3,  # a closed sprint's estimates stay as they were (`sprint.log_closed`)
        owners="Ida",
        tags="",
    )
    await ok(
        ida,
        "item.edit",
        item_id=ids["c"],
        title="c",
        description="",
        estimate=7,
        owners=[],
        tags=[],
    )
    await ok(fac, "item.remove", item_id=ids["e"])
    assert await stored_reports() == before_db
    after_json = json.dumps([s["report"] for s in (await committee_json(ida_s))["sprints"]])
    assert after_json == before_json and "Omdøbt" not in after_json
