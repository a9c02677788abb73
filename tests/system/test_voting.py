"""0-10 voting across real processes: many people voting at once, figures checked against an
independent computation, nothing revealed early in any frame, strict values, anonymity."""

from __future__ import annotations

import asyncio
import math
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.support import Browserless, LiveClient, ServerProcess, query, setup_workshop
from tests.system.conftest import Cluster
from tests.system.test_boards import ok, refused

pytestmark = [pytest.mark.system, pytest.mark.timeout(240)]

EARLY_KEYS = {"results", "histogram", "mean", "median", "stdev", "by_person", "q1", "q3", "iqr"}


def inclusive_quantile(values: list[int], p: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), written out here so the
    test does not lean on the code it checks."""
    xs = sorted(values)
    pos = (len(xs) - 1) * p
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def expected_figures(values: list[int]) -> dict[str, Any]:
    n = len(values)
    mean = sum(values) / n
    return {
        "n": n,
        "histogram": [values.count(v) for v in range(11)],
        "mean": mean,
        "median": inclusive_quantile(values, 0.5),
        "stdev": math.sqrt(sum((v - mean) ** 2 for v in values) / n),
        "min": min(values),
        "max": max(values),
        "q1": inclusive_quantile(values, 0.25),
        "q3": inclusive_quantile(values, 0.75),
    }


def assert_figures(got: dict[str, Any], values: list[int]) -> None:
    want = expected_figures(values)
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value), key
        else:
            assert got[key] == value, key
    assert got["iqr"] == pytest.approx(want["q3"] - want["q1"])


def walk(obj: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a JSON message."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield k, v
            yield from walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from walk(v)


async def new_question(fac: LiveClient, text: str, **options: Any) -> str:
    await ok(fac, "question.create", text=text, **options)
    data = await fac.wait_for(
        lambda c: next(
            (
                e["data"]
                for e in reversed(c.events)
                if e["type"] == "question.created" and e["data"]["text"] == text
            ),
            None,
        )
    )
    return str(data["question_id"])


async def join_many(
    servers: list[ServerProcess], code: str, wid: str, n: int
) -> list[tuple[Browserless, LiveClient, str]]:
    """n participants, alternately on each process, half politicians, half citizens."""
    out: list[tuple[Browserless, LiveClient, str]] = []
    for i in range(n):
        server = servers[i % len(servers)]
        group = "Politiker" if i % 2 else "Borger"
        s = Browserless(server.url)
        r = await s.join(code, f"Deltager {i}", group)
        assert r.status_code == 200
        out.append((s, await LiveClient.connect(server.ws_url, wid, s), group))
    for _, c, _ in out:
        await c.wait_for(lambda c: c.seq is not None)
    return out


def revealed(client: LiveClient, question_id: str) -> dict[str, Any] | None:
    for e in client.events:
        if e["type"] == "question.revealed" and e["data"]["question_id"] == question_id:
            results: dict[str, Any] = e["data"]["results"]
            return results
    return None


async def test_sixty_people_vote_at_once_and_the_revealed_figures_are_right(
    cluster: Cluster,
) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac = await LiveClient.connect(cluster.a.ws_url, wid, fac_s)
    await fac.wait_for(lambda c: c.seq is not None)
    people = await join_many([cluster.a, cluster.b], code, wid, 60)
    qid = await new_question(fac, "I hvilken grad kan visionen bruges som endeligt forslag?")
    await ok(fac, "question.open", question_id=qid)
    rng = random.Random(4)
    final: dict[int, tuple[str, int]] = {}  # person -> (group, value) as accepted

    async def vote(i: int, client: LiveClient, group: str) -> None:
        for _ in range(2 if i % 3 == 0 else 1):  # every third person changes their mind
            value = rng.randint(0, 10)
            cid = await client.command("vote.cast", question_id=qid, value=value)
            reply = await client.wait_reply(cid, timeout=30)
            assert reply["type"] == "ack", reply
            final[i] = (group, value)

    await asyncio.gather(*(vote(i, c, g) for i, (_, c, g) in enumerate(people)))
    closed = (await ok(fac, "question.close", question_id=qid))["seq"]
    # Too late: refused with a clear message, and nothing changes.
    for i, (_, c, _) in enumerate(people[:10]):
        assert (
            await refused(c, "vote.cast", question_id=qid, value=(final[i][1] + 1) % 11)
            == "vote.closed"
        )

    # Before the reveal, no participant got any value but their own, nor any figure.
    for i, (_, c, _) in enumerate(people):
        await c.wait_for(lambda c: c.seq is not None and c.seq >= closed, timeout=20)
        for msg in c.received:
            for key, _ in walk(msg):
                assert key not in EARLY_KEYS, (i, msg)
        own = [e for e in c.events if e["type"] == "vote.cast" and "value" in e["data"]]
        assert [e["data"]["value"] for e in own][-1:] == [final[i][1]]

    await ok(fac, "question.reveal", question_id=qid)
    values = [v for _, v in final.values()]
    for who in (fac, people[0][1], people[1][1], people[-1][1]):
        results = await who.wait_for(lambda c: revealed(c, qid), timeout=20)
        assert_figures(results, values)
        groups = {g["group"]: g for g in results["groups"]}
        for group in ("Politiker", "Borger"):
            mine = [v for g, v in final.values() if g == group]
            assert groups[group]["n"] == len(mine)
            assert_figures(groups[group]["figures"], mine)
    stored = await query(
        cluster.env["DATABASE_URL"], "SELECT value FROM votes WHERE question_id = :q", q=qid
    )
    assert sorted(r.value for r in stored) == sorted(values)
    for s, c, _ in people:
        await c.close()
        await s.aclose()
    await fac.close()
    await fac_s.aclose()


# Sent as raw JSON text, so that what reaches the server is exactly this.
INVALID_VALUES = [
    '"7.0"',
    "7.5",
    "true",
    '"7"',
    '" 7 "',
    '"٧"',
    '"１0"',
    "1e1",
    "NaN",
    "-0.0",
    "11",
    "-1",
]


async def test_every_invalid_value_is_refused_clearly_and_nothing_is_stored(
    single: ServerProcess,
) -> None:
    fac_s, wid, code = await setup_workshop(single.url)
    fac = await LiveClient.connect(single.ws_url, wid, fac_s)
    voter_s = Browserless(single.url)
    await voter_s.join(code, "Ida", "Borger")
    voter = await LiveClient.connect(single.ws_url, wid, voter_s)
    for c in (fac, voter):
        await c.wait_for(lambda c: c.seq is not None)
    qid = await new_question(fac, "Hvor enig er du?")
    await ok(fac, "question.open", question_id=qid)
    before = await query(single.env["DATABASE_URL"], "SELECT count(*) AS n FROM events")
    for i, raw in enumerate(INVALID_VALUES):
        cid = f"invalid-value-{i:02d}"
        errors = len(errors_of(voter))
        head = f'{{"type":"vote.cast","command_id":"{cid}","question_id":"{qid}","value":'
        await voter.send(head + raw + "}")
        reply = (await voter.wait_for(errors_after(errors)))[0]
        assert reply["command_id"] in (cid, None), reply  # NaN is not even JSON: no id is read
        assert reply["code"] in ("vote.bad_value", "wire.not_a_number"), (raw, reply)
        assert reply["message"] and reply["message"] != reply["code"]
    after = await query(single.env["DATABASE_URL"], "SELECT count(*) AS n FROM events")
    assert after[0].n == before[0].n
    assert (await query(single.env["DATABASE_URL"], "SELECT count(*) AS n FROM votes"))[0].n == 0
    # The edges of the scale are fine.
    for value in (0, 10):
        await ok(voter, "vote.cast", question_id=qid, value=value)
    for c in (fac, voter):
        await c.close()
    for s in (fac_s, voter_s):
        await s.aclose()


def errors_of(client: LiveClient) -> list[dict[str, Any]]:
    return [m for m in client.received if m.get("type") == "error"]


def errors_after(n: int) -> Callable[[LiveClient], list[dict[str, Any]]]:
    """The errors a client got after its first n."""
    return lambda client: errors_of(client)[n:]


async def test_no_one_sees_who_voted_what_on_an_anonymous_question(single: ServerProcess) -> None:
    fac_s, wid, code = await setup_workshop(single.url)
    fac = await LiveClient.connect(single.ws_url, wid, fac_s)
    await fac.wait_for(lambda c: c.seq is not None)
    people = await join_many([single], code, wid, 4)
    anonymous = await new_question(fac, "Anonymt spørgsmål", anonymous=True)
    named = await new_question(fac, "Spørgsmål med navn", anonymous=False)
    for qid in (anonymous, named):
        await ok(fac, "question.open", question_id=qid)
        for i, (_, c, _) in enumerate(people):
            await ok(c, "vote.cast", question_id=qid, value=i + 3)
        await ok(fac, "question.reveal", question_id=qid)
    html_fac = await fac_s.http.get(f"/f/workshops/{wid}")
    api_fac = (await fac_s.http.get(f"/api/workshops/{wid}/snapshot")).json()
    questions = {q["id"]: q for q in api_fac["state"]["questions"]}
    # The named question shows the facilitator who voted what: the check below can see it ...
    assert [p["value"] for p in questions[named]["by_person"]] == [3, 4, 5, 6]
    assert "Deltager 0" in html_fac.text
    # ... and the anonymous one shows it to no one, in no form.
    assert "by_person" not in questions[anonymous] or not questions[anonymous]["by_person"]
    for e in fac.events:
        if e["type"] == "vote.cast" and e["data"]["question_id"] == anonymous:
            assert "value" not in e["data"]
    section = html_fac.text.split(f'id="question-{anonymous}"', 1)[1].split('id="question-', 1)[0]
    assert "Deltager" not in section
    for s, c, _ in people:
        api = (await s.http.get(f"/api/workshops/{wid}/snapshot")).json()
        for q in api["state"]["questions"]:
            assert not q.get("by_person")
        page = await s.http.get(f"/w/{code}")
        assert "Deltager 1" not in page.text.split('id="questions"', 1)[1]
        await c.close()
        await s.aclose()
    await fac.close()
    await fac_s.aclose()
