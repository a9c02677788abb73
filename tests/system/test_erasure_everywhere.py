"""Erasing a participant on a real deployment (two processes, Redis, PostgreSQL): afterwards
no row of any table, no log payload, no Redis key or value and no live channel names them,
and what they contributed stays as the facilitator chose."""

from __future__ import annotations

import pytest
import redis.asyncio as aioredis

from tests.support import LiveClient, people, query, setup_workshop
from tests.system.conftest import Cluster

pytestmark = [pytest.mark.system, pytest.mark.timeout(120)]

NAME = "Karin Zelenski-Holm"  # a name nothing else in a workshop could contain


async def rows_naming(postgres_url: str, text: str) -> dict[str, int]:
    """Every table whose rows, read whole as text (JSON payloads included), contain `text`."""
    tables = await query(
        postgres_url,
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    found: dict[str, int] = {}
    for t in tables:
        name = t.table_name
        rows = await query(
            postgres_url,
            f'SELECT count(*) AS n FROM "{name}" AS r WHERE r::text LIKE :p',
            p=f"%{text}%",
        )
        if rows[0].n:
            found[name] = rows[0].n
    return found


def _text(b: bytes | str) -> str:
    return b if isinstance(b, str) else b.decode()


async def redis_naming(redis_url: str, *texts: str) -> list[str]:
    """Redis keys, string values and channels in use that contain any of `texts`."""
    r = aioredis.from_url(redis_url)
    try:
        hits: list[str] = []
        async for key in r.scan_iter():
            shown = _text(key)
            value = await r.dump(key) or b""
            if any(t in shown or t.encode() in value for t in texts):
                hits.append(shown)
        for channel in await r.pubsub_channels():
            if any(t in _text(channel) for t in texts):
                hits.append(f"channel {_text(channel)}")
        return hits
    finally:
        await r.aclose()


async def test_an_erased_participant_is_named_nowhere_on_a_two_process_deployment(
    cluster: Cluster, postgres_url: str, redis_url: str
) -> None:
    fac, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.b.url, cluster.a.url) as (karin, other):
        assert (await karin.join(code, NAME, "Borger")).status_code == 200
        assert (await other.join(code, "Ole", "Politiker")).status_code == 200
        ck = await LiveClient.connect(cluster.b.ws_url, wid, karin)
        co = await LiveClient.connect(cluster.a.ws_url, wid, other)
        cf = await LiveClient.connect(cluster.a.ws_url, wid, fac)
        try:
            await ck.wait_for(lambda c: c.seq is not None)
            await co.wait_for(lambda c: c.seq is not None)
            snapshot = await cf.wait_for(
                lambda c: next((m for m in c.received if m["type"] == "snapshot"), None)
            )
            karin_id = next(
                p["id"] for p in snapshot["state"]["participants"] if p["display_name"] == NAME
            )
            assert (await ck.wait_reply(await ck.command("note.add", text="Flere bænke")))[
                "type"
            ] == "ack"
            assert (await co.wait_reply(await co.command("note.add", text="Mere lys")))[
                "type"
            ] == "ack"
            await cf.wait_for(
                lambda c: len([e for e in c.events if e["type"] == "note.added"]) == 2
            )
            assert await rows_naming(postgres_url, NAME)  # the checks find what is there:
            assert await redis_naming(redis_url, wid)  # the workshop's live channel

            erase = await cf.command(
                "participant.erase", participant_id=karin_id, notes="anonymise"
            )
            assert (await cf.wait_reply(erase))["type"] == "ack"
            # Her socket is shut out; the others see the erasure live.
            await ck.wait_for(lambda c: c.closed_code is not None)
            await co.wait_for(lambda c: any(e["type"] == "participant.erased" for e in c.events))
        finally:
            for c in (ck, co, cf):
                await c.close()
    await fac.aclose()

    assert await rows_naming(postgres_url, NAME) == {}
    assert await redis_naming(redis_url, NAME, karin_id) == []
    # Her note stays, without her name, as the facilitator chose; Ole's is untouched.
    notes = await query(
        postgres_url,
        "SELECT text, author_name FROM notes WHERE workshop_id = :w ORDER BY seq",
        w=wid,
    )
    assert [(n.text, n.author_name) for n in notes] == [("Flere bænke", None), ("Mere lys", "Ole")]
