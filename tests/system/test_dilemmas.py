"""The dilemma deck across two real processes: ten people choose "over" or "under" at once (some
change their minds), no frame before the reveal holds anyone else's side, the revealed split is
the one computed here, per group, and a choice after the reveal is refused with a clear message."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import pytest

from tests.support import LiveClient, query, setup_workshop
from tests.system.conftest import Cluster
from tests.system.test_boards import ok, refused
from tests.system.test_voting import join_many, walk

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]

SIDES = ("over", "under")


async def new_card(fac: LiveClient, text: str) -> str:
    await ok(fac, "dilemma.add", text=text)
    data = await fac.wait_for(
        lambda c: next(
            (
                e["data"]
                for e in reversed(c.events)
                if e["type"] == "dilemma.card_added" and e["data"]["text"] == text
            ),
            None,
        )
    )
    return str(data["card_id"])


def revealed_card(client: LiveClient, card_id: str) -> dict[str, Any] | None:
    for e in client.events:
        if e["type"] == "dilemma.revealed" and e["data"]["card_id"] == card_id:
            card: dict[str, Any] = e["data"]["card"]
            return card
    return None


def expected_split(final: dict[int, tuple[str, str]], groups: tuple[str, ...]) -> dict[str, Any]:
    """Counted here, not by the code under test; every group has at least 3 choosers."""
    sides = [s for _, s in final.values()]
    per_group = []
    for g in groups:
        mine = [s for grp, s in final.values() if grp == g]
        assert len(mine) >= 3
        per_group.append(
            {"group": g, "n": len(mine), "over": mine.count("over"), "under": mine.count("under")}
        )
    return {
        "n": len(sides),
        "over": sides.count("over"),
        "under": sides.count("under"),
        "groups": per_group,
    }


async def test_ten_people_choose_at_once_and_the_revealed_split_is_right(
    cluster: Cluster,
) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac = await LiveClient.connect(cluster.a.ws_url, wid, fac_s)
    await fac.wait_for(lambda c: c.seq is not None)
    people = await join_many([cluster.a, cluster.b], code, wid, 10)
    first = await new_card(fac, "Kommunen kan spare 2 mio. ved at lukke biblioteket om lørdagen.")
    second = await new_card(fac, "Alle nye boliger skal have solceller på taget.")
    # Before it is shown, a card does not exist to participants.
    assert await refused(people[0][1], "dilemma.choose", card_id=first, side="over") == (
        "dilemma.unknown"
    )
    shown = (await ok(fac, "dilemma.next"))["seq"]
    for _, c, _ in people:
        await c.wait_for(lambda c: c.seq is not None and c.seq >= shown, timeout=20)
        card = next(e for e in c.events if e["type"] == "dilemma.shown")["data"]["card"]
        assert (card["id"], card["split"], card["mine"]) == (first, None, None)

    rng = random.Random(7)
    final: dict[int, tuple[str, str]] = {}  # person -> (group, side) as accepted
    chosen_by: dict[int, set[str]] = {i: set() for i in range(len(people))}

    async def choose(i: int, client: LiveClient, group: str) -> None:
        for _ in range(2 if i % 3 == 0 else 1):  # every third person changes their mind
            side = rng.choice(SIDES) if i not in final else SIDES[1 - SIDES.index(final[i][1])]
            cid = await client.command("dilemma.choose", card_id=first, side=side)
            reply = await client.wait_reply(cid, timeout=30)
            assert reply["type"] == "ack", reply
            final[i] = (group, side)
            chosen_by[i].add(side)

    await asyncio.gather(*(choose(i, c, g) for i, (_, c, g) in enumerate(people)))
    assert await refused(people[1][1], "dilemma.choose", card_id=first, side="sideways") == (
        "dilemma.bad_side"
    )
    last = fac.seq or 0
    await fac.wait_for(
        lambda c: any(
            e["type"] == "dilemma.chosen" and e["data"]["chosen"] == len(people) for e in c.events
        ),
        timeout=20,
    )
    last = max(last, fac.seq or 0)

    # Before the reveal, no frame held anyone's side but the receiver's own, nor a split.
    for i, (_, c, _) in enumerate(people):
        await c.wait_for(lambda c: c.seq is not None and c.seq >= last, timeout=20)
        for msg in c.received:
            for key, value in walk(msg):
                assert key not in ("chooser_id", "side"), (i, msg)
                if key == "split":
                    assert value is None, (i, msg)
                if isinstance(value, str) and value in SIDES:
                    assert key == "mine" and value in chosen_by[i], (i, msg)
        mine = [e["data"]["mine"] for e in c.events if "mine" in e["data"]]
        assert mine[-1:] == [final[i][1]]
    for msg in fac.received:
        for key, value in walk(msg):
            assert key not in ("chooser_id", "side") and not (key == "split" and value), msg
            assert not (isinstance(value, str) and value in SIDES), msg

    await ok(fac, "dilemma.reveal", card_id=first)
    want = expected_split(final, ("Politiker", "Borger"))
    for who in (fac, people[0][1], people[1][1], people[-1][1]):
        card = await who.wait_for(lambda c: revealed_card(c, first), timeout=20)
        assert card["split"] == want
        assert (card["chosen"], card["eligible"], card["status"]) == (10, 10, "revealed")

    # Too late: refused with a clear message, and nothing changes.
    for i, (_, c, _) in enumerate(people[:4]):
        other = SIDES[1 - SIDES.index(final[i][1])]
        assert await refused(c, "dilemma.choose", card_id=first, side=other) == "dilemma.closed"
    stored = await query(
        cluster.env["DATABASE_URL"],
        "SELECT side, group_name FROM dilemma_choices WHERE card_id = :c",
        c=first,
    )
    assert sorted((r.group_name, r.side) for r in stored) == sorted(final.values())

    # The next card: the first is done, the second opens with nobody's side on it.
    await ok(fac, "dilemma.next")
    card = await people[2][1].wait_for(
        lambda c: next(
            (
                e["data"]["card"]
                for e in c.events
                if e["type"] == "dilemma.shown" and e["data"]["card_id"] == second
            ),
            None,
        ),
        timeout=20,
    )
    assert (card["chosen"], card["mine"], card["split"]) == (0, None, None)
    await ok(fac, "dilemma.hide")
    for s, c, _ in people:
        await c.close()
        await s.aclose()
    await fac.close()
    await fac_s.aclose()
