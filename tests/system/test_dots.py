"""Dot voting across two real server processes on Redis and PostgreSQL: six participants on both
processes place dots at once, many more than they may; the database holds no more than the
limits and every refusal says which limit; a hidden round shows nobody another's dots; the
facilitator ends the round and carries the top 3 to a new board, which then holds exactly the
top 3 by a ranking computed here from the stored dots."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from typing import Any

import pytest

from tests.support import Browserless, LiveClient, query, setup_workshop
from tests.system.conftest import Cluster
from tests.system.test_boards import add_note, last_event, new_board, ok

pytestmark = [pytest.mark.system, pytest.mark.timeout(180)]

N, M = 3, 2  # dots per person, at most per note
PEOPLE = 6
NOTES = 6


def attempts(rng: random.Random, note_ids: list[str]) -> list[str]:
    """N + 3 dots: the first M + 1 on one note (one beyond M), the rest anywhere."""
    first = rng.choice(note_ids)
    rest = [rng.choice(note_ids) for _ in range(N + 3 - (M + 1))]
    return [first] * (M + 1) + rest


async def place_all(client: LiveClient, plan: list[str]) -> list[dict[str, Any]]:
    """Send every dot without waiting, then collect the replies."""
    ids = [await client.command("dot.place", note_id=note_id) for note_id in plan]
    return [await client.wait_reply(cid, timeout=30) for cid in ids]


async def test_six_people_on_two_processes_overspend_and_the_limits_hold(
    cluster: Cluster,
) -> None:
    db = cluster.env["DATABASE_URL"]
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac = await LiveClient.connect(cluster.a.ws_url, wid, fac_s)
    sessions: list[Browserless] = []
    people: list[LiveClient] = []
    for i in range(PEOPLE):
        server = cluster.a if i % 2 == 0 else cluster.b
        session = Browserless(server.url)
        joined = await session.join(code, f"Deltager{i}", ("Borger", "Politiker")[i % 2])
        assert joined.status_code == 200
        sessions.append(session)
        people.append(await LiveClient.connect(server.ws_url, wid, session))
    try:
        for c in (fac, *people):
            await c.wait_for(lambda c: c.seq is not None)
        ids = {
            r.display_name: r.id
            for r in await query(
                db, "SELECT id, display_name FROM participants WHERE workshop_id = :w", w=wid
            )
        }
        voter_ids = [ids[f"Deltager{i}"] for i in range(PEOPLE)]

        board = await new_board(fac, "Prikker", "blank")
        board_id = board["board_id"]
        note_ids = [await add_note(fac, f"Idé nummer {i}", board) for i in range(NOTES)]
        await ok(fac, "dots.start", board_id=board_id, dots_per_person=N, per_note=M, hidden=True)
        for c in people:
            await c.wait_for(lambda c: last_event(c, "dots.started", lambda d: True))

        rng = random.Random(20261122)
        plans = [attempts(rng, note_ids) for _ in people]
        replies = await asyncio.gather(
            *(place_all(c, p) for c, p in zip(people, plans, strict=True))
        )

        # Each person got exactly N accepted (the plan always allows N), every other dot was
        # refused with the limit it broke.
        for plan, answers in zip(plans, replies, strict=True):
            accepted = [n for n, a in zip(plan, answers, strict=True) if a["type"] == "ack"]
            refused = Counter(a["code"] for a in answers if a["type"] == "error")
            assert len(accepted) == N, answers
            assert set(refused) <= {"dots.none_left", "dots.note_full"}, refused
            assert sum(refused.values()) == len(plan) - N
            assert max(Counter(accepted).values()) <= M

        rows = await query(
            db, "SELECT note_id, voter_id, placed FROM dots WHERE board_id = :b", b=board_id
        )
        per_voter: Counter[str] = Counter()
        totals: Counter[str] = Counter()
        for row in rows:
            assert 1 <= row.placed <= M, row
            per_voter[row.voter_id] += row.placed
            totals[row.note_id] += row.placed
        assert dict(per_voter) == {v: N for v in voter_ids}

        # Hidden: nobody was sent another person's dot, on either process.
        for c in people:
            for e in c.events:
                if e["type"] in ("dot.placed", "dot.removed"):
                    assert "mine" in e["data"] and "total" not in e["data"], e

        await ok(fac, "dots.end", board_id=board_id)
        order = await query(
            db,
            "SELECT id FROM notes WHERE board_id = :b ORDER BY position, seq",
            b=board_id,
        )
        place = {r.id: i for i, r in enumerate(order)}
        ranked = sorted(note_ids, key=lambda n: (-totals[n], place[n]))
        top3 = [n for n in ranked if totals[n] > 0][:3]
        assert len(top3) == 3

        # Everyone, on both processes, is told the same ranking once the round ends.
        for c in (fac, *people):
            ended = await c.wait_for(lambda c: last_event(c, "dots.ended", lambda d: True))
            shown = [(r["note_id"], r["dots"]) for r in ended["round"]["ranking"]]
            assert shown == [(n, totals[n]) for n in ranked]

        await ok(fac, "dots.carry", board_id=board_id, count=3, title="Semifinale")
        semi = await fac.wait_for(
            lambda c: last_event(c, "board.created", lambda d: d["title"] == "Semifinale")
        )
        carried = await query(
            db,
            "SELECT linked_note_id, text FROM notes WHERE board_id = :b ORDER BY position, seq",
            b=semi["board_id"],
        )
        assert [r.linked_note_id for r in carried] == top3
        texts = {n: f"Idé nummer {i}" for i, n in enumerate(note_ids)}
        assert [r.text for r in carried] == [texts[n] for n in top3]
        # The other process's participants see the new board with the three notes too.
        far = people[1]
        await far.wait_for(
            lambda c: (
                sum(
                    1
                    for e in c.events
                    if e["type"] == "note.added" and e["data"]["board_id"] == semi["board_id"]
                )
                == 3
            )
        )
    finally:
        for c in (fac, *people):
            await c.close()
        for s in (fac_s, *sessions):
            await s.aclose()
