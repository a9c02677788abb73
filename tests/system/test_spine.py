"""The real-time spine across real processes, Redis and PostgreSQL, driven as users drive it."""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.services import RedisServer
from tests.support import (
    LiveClient,
    ServerProcess,
    create_facilitator,
    people,
    query,
    server_env,
    setup_workshop,
)
from tests.system.conftest import Cluster

pytestmark = [pytest.mark.system, pytest.mark.timeout(180)]


async def stored_events(database_url: str, workshop_id: str) -> list[tuple[int, str, str | None]]:
    rows = await query(
        database_url,
        "SELECT seq, type, command_id FROM events WHERE workshop_id = :w ORDER BY seq",
        w=workshop_id,
    )
    return [(r.seq, r.type, r.command_id) for r in rows]


async def stored_note_texts(database_url: str, workshop_id: str) -> list[str]:
    rows = await query(
        database_url, "SELECT text FROM notes WHERE workshop_id = :w ORDER BY seq", w=workshop_id
    )
    return [r.text for r in rows]


@asynccontextmanager
async def one_on_each_process(
    cluster: Cluster,
) -> AsyncIterator[tuple[str, LiveClient, LiveClient]]:
    """A new workshop with Mette (Politiker) live on process a and an anonymous citizen live
    on process b: the workshop id and their two sockets, each holding its snapshot."""
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url, cluster.b.url) as (pa, pb):
        assert (await pa.join(code, "Mette", "Politiker")).status_code == 200
        assert (await pb.join(code, "", "Borger")).status_code == 200
        ca = await LiveClient.connect(cluster.a.ws_url, wid, pa)
        cb = await LiveClient.connect(cluster.b.ws_url, wid, pb)
        try:
            await ca.wait_for(lambda c: c.seq is not None)
            await cb.wait_for(lambda c: c.seq is not None)
            yield wid, ca, cb
        finally:
            await ca.close()
            await cb.close()
    await fac.aclose()


async def test_note_added_on_one_process_reaches_a_participant_on_the_other(
    cluster: Cluster,
) -> None:
    async with one_on_each_process(cluster) as (_wid, ca, cb):
        cid = await ca.command("note.add", text="Flere cykelstier")
        ack = await ca.wait_reply(cid)
        assert ack["type"] == "ack"
        await cb.wait_for(lambda c: "Flere cykelstier" in c.note_texts())
        added = [e for e in cb.events if e["type"] == "note.added"]
        assert added[-1]["data"]["author_name"] == "Mette"
        assert added[-1]["seq"] == ack["seq"]
        # Deleting one's own note is live too, the other way round.
        note_id = added[-1]["data"]["note_id"]
        cid = await ca.command("note.delete", note_id=note_id)
        assert (await ca.wait_reply(cid))["type"] == "ack"
        await cb.wait_for(lambda c: c.note_texts() == [])
        assert cb.events[-1]["type"] == "note.deleted"


async def test_reconnect_with_since_replays_exactly_the_missed_events(cluster: Cluster) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url, cluster.b.url) as (writer_s, reader_s):
        await writer_s.join(code, "Skriver", "Borger")
        await reader_s.join(code, "Læser", "Politiker")
        writer = await LiveClient.connect(cluster.a.ws_url, wid, writer_s)
        reader = await LiveClient.connect(cluster.b.ws_url, wid, reader_s)
        await reader.wait_for(lambda c: c.seq is not None)
        seen_seq, seen_epoch = reader.seq, reader.epoch
        assert seen_seq is not None
        await reader.close()
        acks = []
        for i in range(20):
            cid = await writer.command("note.add", text=f"note {i}")
            acks.append((await writer.wait_reply(cid))["seq"])
        back = await LiveClient.connect(
            cluster.b.ws_url, wid, reader_s, since=seen_seq, epoch=seen_epoch
        )
        await back.wait_for(lambda c: c.seq is not None and c.seq >= acks[-1])
        note_events = [e for e in back.events if e["type"] == "note.added"]
        assert [e["data"]["text"] for e in note_events] == [f"note {i}" for i in range(20)]
        seqs = [e["seq"] for e in back.events]
        assert seqs == sorted(set(seqs)), "no duplicates, in order"
        assert seqs[0] == seen_seq + 1 and seqs[-1] == acks[-1]
        assert not any(m["type"] == "snapshot" for m in back.received)
        await back.close()

        stale = await LiveClient.connect(
            cluster.a.ws_url, wid, reader_s, since=seen_seq, epoch="stale0epoch"
        )
        snap = await stale.wait_for(
            lambda c: next((m for m in c.received if m["type"] == "snapshot"), None)
        )
        texts = [n["text"] for b in snap["state"]["boards"] for n in b["notes"]]
        assert texts == [f"note {i}" for i in range(20)]
        assert snap["seq"] == acks[-1]
        await stale.close()
        await writer.close()
    await fac.aclose()


async def test_same_command_id_twice_even_on_two_processes_gives_one_note_and_one_ack(
    cluster: Cluster, postgres_url: str
) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url) as (p,):
        await p.join(code, "Dobbelt", "Borger")
        ca = await LiveClient.connect(cluster.a.ws_url, wid, p)
        cb = await LiveClient.connect(cluster.b.ws_url, wid, p)
        cid = secrets.token_hex(8)
        await asyncio.gather(
            ca.command("note.add", text="kun én gang", command_id=cid),
            cb.command("note.add", text="kun én gang", command_id=cid),
        )
        ra, rb = await ca.wait_reply(cid), await cb.wait_reply(cid)
        assert ra == rb and ra["type"] == "ack"
        # And over the JSON API too, a third time:
        p.use_server(cluster.b.url)
        r = await p.http.post(
            f"/api/workshops/{wid}/commands",
            json={"type": "note.add", "command_id": cid, "text": "kun én gang"},
            headers={"Origin": cluster.b.url},
        )
        assert r.status_code == 200 and r.json() == ra
        assert await stored_note_texts(postgres_url, wid) == ["kun én gang"]
        await ca.close()
        await cb.close()
    await fac.aclose()


async def test_200_concurrent_commands_through_two_processes_get_gap_free_seqs(
    cluster: Cluster, postgres_url: str
) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url, cluster.b.url) as (pa, pb):
        await pa.join(code, "A", "Borger")
        await pb.join(code, "B", "Politiker")
        before = len(await stored_events(postgres_url, wid))
        clients = [
            await LiveClient.connect(
                cluster.a.ws_url if i % 2 == 0 else cluster.b.ws_url, wid, pa if i % 2 == 0 else pb
            )
            for i in range(8)
        ]
        try:
            # Each has its snapshot before anyone writes: a snapshot taken during the burst would
            # already hold some of the notes, which then (rightly) arrive as no event.
            for c in clients:
                await c.wait_for(lambda c: c.seq is not None, timeout=20)

            async def burst(c: LiveClient, n: int, tag: str) -> list[str]:
                ids = [await c.command("note.add", text=f"{tag}-{i}") for i in range(n)]
                return ids

            id_lists = await asyncio.gather(*(burst(c, 25, f"c{k}") for k, c in enumerate(clients)))
            for c, ids in zip(clients, id_lists, strict=True):
                for cid in ids:
                    assert (await c.wait_reply(cid, timeout=60))["type"] == "ack"
            events = await stored_events(postgres_url, wid)
            assert [s for s, _, _ in events] == list(range(1, len(events) + 1))
            assert len(events) - before == 200
            new_seqs = [s for s, t, _ in events[before:] if t == "note.added"]
            assert new_seqs == list(range(before + 1, before + 201))
            for c in clients:
                await c.wait_for(lambda c: c.seq == len(events), timeout=20)
                assert [e["seq"] for e in c.events] == list(range(before + 1, len(events) + 1))
                assert len([e for e in c.events if e["type"] == "note.added"]) == 200
        finally:
            for c in clients:
                await c.close()
    await fac.aclose()


async def test_redis_restart_loses_and_duplicates_nothing(
    cluster: Cluster, postgres_url: str, redis_server: RedisServer
) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url, cluster.b.url) as (pa, pb):
        await pa.join(code, "A", "Borger")
        await pb.join(code, "B", "Politiker")
        wa = await LiveClient.connect(cluster.a.ws_url, wid, pa)
        wb = await LiveClient.connect(cluster.b.ws_url, wid, pb)
        watchers = [
            await LiveClient.connect(u, wid, s)
            for u, s in ((cluster.a.ws_url, pa), (cluster.b.ws_url, pb))
        ]
        for c in [wa, wb, *watchers]:  # attached: every note from here on comes as an event
            await c.wait_for(lambda c: c.seq is not None)

        async def write(c: LiveClient, tag: str, n: int) -> None:
            for i in range(n):
                cid = await c.command("note.add", text=f"{tag}{i}")
                reply = await c.wait_reply(cid, timeout=30)
                assert reply["type"] == "ack", reply
                await asyncio.sleep(0.02)

        async def restart_redis() -> None:
            await asyncio.sleep(0.3)
            redis_server.stop()
            await asyncio.sleep(1.0)
            redis_server.start()

        await asyncio.gather(write(wa, "a", 40), write(wb, "b", 40), restart_redis())
        db_texts = await stored_note_texts(postgres_url, wid)
        assert len(db_texts) == 80
        last = (await stored_events(postgres_url, wid))[-1][0]
        for c in [wa, wb, *watchers]:
            await c.wait_for(lambda c: c.seq == last, timeout=10)  # converged within 10 s
            assert c.note_texts() == db_texts
            seqs = [e["seq"] for e in c.events]
            assert len(seqs) == len(set(seqs)), "no event delivered twice"
            assert seqs == list(range(seqs[0], last + 1)), "no gap"
            await c.close()
    await fac.aclose()


async def test_facilitator_sees_who_is_online_by_group_across_processes(cluster: Cluster) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.b.url, cluster.b.url) as (p1, p2):
        await p1.join(code, "Mette", "Politiker")
        await p2.join(code, "", "Borger")
        watch = await LiveClient.connect(cluster.a.ws_url, wid, fac)

        def presence(c: LiveClient) -> dict[str, object] | None:
            found = [m for m in c.received if m["type"] == "presence"]
            return found[-1] if found else None

        c1 = await LiveClient.connect(cluster.b.ws_url, wid, p1)
        c2 = await LiveClient.connect(cluster.b.ws_url, wid, p2)
        await watch.wait_for(
            lambda c: (p := presence(c)) is not None and p["online"] == 2, timeout=15
        )
        latest = presence(watch)
        assert latest is not None
        assert latest["by_group"] == {"Borger": 1, "Politiker": 1}
        names = sorted(str(p["display_name"]) for p in latest["participants"])  # type: ignore[attr-defined]
        assert names == ["Mette", "None"]
        # Participants get the count only, never the names.
        mine = presence(c1)
        assert mine is not None and "participants" not in mine
        await c2.close()
        await watch.wait_for(
            lambda c: (p := presence(c)) is not None and p["online"] == 1, timeout=15
        )
        # Renaming oneself shows at once in the facilitator's list, without reconnecting.
        cid = await c1.command("participant.update", display_name="Mette F.", group="Borger")
        assert (await c1.wait_reply(cid))["type"] == "ack"

        def renamed(c: LiveClient) -> bool:
            p = presence(c)
            return p is not None and [
                (q["display_name"], q["group"])
                for q in p["participants"]  # type: ignore[attr-defined]
            ] == [("Mette F.", "Borger")]

        await watch.wait_for(renamed, timeout=15)
        await c1.close()
        await watch.close()
    await fac.aclose()


async def test_healthz_says_503_while_redis_is_down(
    cluster: Cluster, redis_server: RedisServer
) -> None:
    async with people(cluster.a.url) as (s,):
        assert (await s.http.get("/healthz")).status_code == 200
        redis_server.stop()
        try:
            r = await s.http.get("/healthz")
            assert r.status_code == 503
            assert r.json()["broker"] == "down" and r.json()["database"] == "ok"
        finally:
            redis_server.start()
        for _ in range(50):
            if (await s.http.get("/healthz")).status_code == 200:
                break
            await asyncio.sleep(0.2)
        assert (await s.http.get("/healthz")).status_code == 200


@pytest.fixture(params=["embedded", "redis"])
def no_log_checks(
    request: pytest.FixtureRequest, tmp_path: Path, sqlite_url: str
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    """Servers whose periodic log check is an hour away: an event that shows up at all came by
    the doorbell (the broker), the path every live update is meant to take."""
    if request.param == "embedded":
        env = server_env(sqlite_url, HUB_CHECK_SECONDS="3600")
        servers = [ServerProcess(env, tmp_path)]
    else:
        postgres_url = request.getfixturevalue("postgres_url")
        redis_url = request.getfixturevalue("redis_url")
        env = server_env(postgres_url, redis_url, HUB_CHECK_SECONDS="3600")
        servers = [ServerProcess(env, tmp_path), ServerProcess(env, tmp_path)]
    create_facilitator(env)
    try:
        for s in servers:
            s.start()
        yield servers[0], servers[-1]
    finally:
        for s in servers:
            s.stop()


async def test_a_note_reaches_others_by_the_doorbell_not_by_the_periodic_check(
    no_log_checks: tuple[ServerProcess, ServerProcess],
) -> None:
    a, b = no_log_checks
    fac, wid, code = await setup_workshop(a.url)
    async with people(a.url, b.url) as (pa, pb):
        await pa.join(code, "A", "Borger")
        await pb.join(code, "B", "Politiker")
        writer = await LiveClient.connect(a.ws_url, wid, pa)
        reader = await LiveClient.connect(b.ws_url, wid, pb)
        try:
            for c in (writer, reader):
                await c.wait_for(lambda c: c.seq is not None, timeout=20)
            cid = await writer.command("note.add", text="Ringer det på?")
            assert (await writer.wait_reply(cid, timeout=10))["type"] == "ack"
            await reader.wait_for(
                lambda c: any(e.get("data", {}).get("text") == "Ringer det på?" for e in c.events),
                timeout=3,
            )
        finally:
            await writer.close()
            await reader.close()
    await fac.aclose()


async def test_commands_waiting_on_a_busy_workshop_do_not_hold_up_the_socket(
    cluster: Cluster, postgres_url: str
) -> None:
    """While another transaction holds the workshop (as a burst on the other process does),
    a tablet's commands wait for their turn; its heartbeat is still answered at once, and once
    the workshop is free its commands are carried out in the order they were sent."""
    async with one_on_each_process(cluster) as (wid, ca, cb):
        engine = create_async_engine(postgres_url)
        try:
            async with engine.connect() as holder:
                held = await holder.begin()
                await holder.execute(
                    sa.text("SELECT 1 FROM workshops WHERE id = :w FOR UPDATE"), {"w": wid}
                )
                texts = [f"Idé {i}" for i in range(5)]
                sent = [await ca.command("note.add", text=t) for t in texts]
                await ca.send({"type": "ping", "t": 1})
                pong = await ca.wait_for(
                    lambda c: next((m for m in c.received if m["type"] == "pong"), None)
                )
                assert pong["t"] == 1
                assert [ca.reply_to(cid) for cid in sent] == [None] * 5  # still waiting
                await held.rollback()
            acks = [await ca.wait_reply(cid) for cid in sent]
        finally:
            await engine.dispose()
        assert [a["type"] for a in acks] == ["ack"] * 5
        seqs = [a["seq"] for a in acks]
        assert seqs == sorted(seqs) and len(set(seqs)) == 5
        await cb.wait_for(lambda c: c.note_texts() == texts)
        assert await stored_note_texts(postgres_url, wid) == texts
