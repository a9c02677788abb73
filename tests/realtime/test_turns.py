"""`Turns`: commands waiting for their workshop's turn go together, in order, each with its own
answer; a caller that gives up does not take the others' answers with it."""

from __future__ import annotations

import asyncio

import pytest

from server.turns import Turns


class Recorder:
    def __init__(self, hold: float = 0.01) -> None:
        self.batches: list[list[int]] = []
        self.hold = hold
        self.started = asyncio.Event()

    async def run(self, key: str, items: list[int]) -> list[str | Exception]:
        self.batches.append(items)
        self.started.set()
        await asyncio.sleep(self.hold)
        return [ValueError(f"no {i}") if i < 0 else f"{key}:{i}" for i in items]


async def test_an_idle_key_runs_each_item_alone_at_once() -> None:
    r = Recorder(hold=0)
    turns: Turns[int, str] = Turns(r.run, most=10)
    assert await turns.take("w", 1) == "w:1"
    assert await turns.take("w", 2) == "w:2"
    assert r.batches == [[1], [2]]


async def test_items_that_wait_together_go_in_one_batch_in_order_up_to_most() -> None:
    r = Recorder()
    turns: Turns[int, str] = Turns(r.run, most=4)
    answers = await asyncio.gather(*(turns.take("w", i) for i in range(10)))
    assert answers == [f"w:{i}" for i in range(10)]
    assert r.batches == [[0], [1, 2, 3, 4], [5, 6, 7, 8], [9]]
    assert turns.waiting("w") == 0


async def test_keys_take_turns_of_their_own() -> None:
    r = Recorder()
    turns: Turns[int, str] = Turns(r.run, most=10)
    assert list(await asyncio.gather(turns.take("a", 1), turns.take("b", 2))) == ["a:1", "b:2"]
    assert r.batches == [[1], [2]]  # b did not wait behind a's batch


async def test_each_item_gets_its_own_failure_and_a_failed_batch_fails_each() -> None:
    r = Recorder()
    turns: Turns[int, str] = Turns(r.run, most=10)
    got = await asyncio.gather(*(turns.take("w", i) for i in (1, -2, 3)), return_exceptions=True)
    assert got[0] == "w:1" and got[2] == "w:3"
    assert isinstance(got[1], ValueError) and str(got[1]) == "no -2"

    async def broken(key: str, items: list[int]) -> list[str | Exception]:
        raise ConnectionError("database gone")

    down: Turns[int, str] = Turns(broken, most=10)
    got = await asyncio.gather(*(down.take("w", i) for i in (1, 2)), return_exceptions=True)
    assert [type(g) for g in got] == [ConnectionError, ConnectionError]


async def test_a_cancelled_caller_does_not_cancel_the_batch_it_started() -> None:
    r = Recorder(hold=0.05)
    turns: Turns[int, str] = Turns(r.run, most=10)
    first = asyncio.create_task(turns.take("w", 1))
    await r.started.wait()  # 1 runs alone; 2 and 3 queue behind it
    second = asyncio.create_task(turns.take("w", 2))
    third = asyncio.create_task(turns.take("w", 3))
    await first
    await asyncio.sleep(0.01)  # 2 took the turn and runs [2, 3]
    second.cancel()  # its socket closed
    with pytest.raises(asyncio.CancelledError):
        await second
    assert await third == "w:3"
    assert r.batches == [[1], [2, 3]]


async def test_a_caller_that_gives_up_before_its_turn_is_never_run() -> None:
    r = Recorder(hold=0.05)
    turns: Turns[int, str] = Turns(r.run, most=10)
    first = asyncio.create_task(turns.take("w", 1))
    await r.started.wait()
    waiting = asyncio.create_task(turns.take("w", 2))
    await asyncio.sleep(0)
    assert turns.waiting("w") == 1
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    assert turns.waiting("w") == 0
    assert await first == "w:1"
    assert await turns.take("w", 3) == "w:3"
    assert r.batches == [[1], [3]]
