"""One turn at a time per workshop on this process, and whoever gets the turn takes everything
waiting for it. Under a burst (a vote at the end of a timer, two processes writing to one board)
a transaction with its row lock and its round trips is then paid once per batch, not once per
command: commands that queue behind a slow transaction are written together by the next one,
so the queue drains faster the longer it gets instead of collapsing. An idle workshop runs each
command alone, at once."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(eq=False)
class _Waiting(Generic[T, R]):
    item: T
    done: asyncio.Future[R]
    taken: bool = False  # in a batch (which may still be running)


def _retrieved(f: asyncio.Future[Any]) -> None:
    """A batch's failure reaches a caller that stopped waiting (its socket closed): no
    "exception was never retrieved" in the log for it."""
    if not f.cancelled():
        f.exception()


class Turns(Generic[T, R]):
    """`run(key, items)` answers each item, in order, with its result or its own exception; an
    exception it raises is every item's answer. A batch runs to its end even if the caller
    whose turn it was is cancelled: the others in it are still waiting for their answers."""

    def __init__(
        self,
        run: Callable[[str, list[T]], Awaitable[Sequence[R | Exception]]],
        most: int,
    ) -> None:
        self._run = run
        self._most = most
        self._waiting: dict[str, list[_Waiting[T, R]]] = {}
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def waiting(self, key: str) -> int:
        return len(self._waiting.get(key, ()))

    async def take(self, key: str, item: T) -> R:
        mine: _Waiting[T, R] = _Waiting(item, asyncio.get_running_loop().create_future())
        mine.done.add_done_callback(_retrieved)
        self._waiting.setdefault(key, []).append(mine)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        try:
            async with lock:
                while not mine.done.done():  # a queue longer than `most` takes several turns
                    if mine.taken:  # by a batch whose caller was cancelled; it runs on
                        await asyncio.wait([mine.done])
                    else:
                        await asyncio.shield(self._batch(key, self._next(key)))
        except asyncio.CancelledError:
            if not mine.taken:  # it is never run
                queue = self._waiting.get(key, [])
                queue.remove(mine)
                if not queue:
                    self._waiting.pop(key, None)
            raise
        return mine.done.result()

    def _next(self, key: str) -> list[_Waiting[T, R]]:
        queue = self._waiting.pop(key)
        batch, rest = queue[: self._most], queue[self._most :]
        for w in batch:
            w.taken = True
        if rest:
            self._waiting[key] = rest
        return batch

    async def _batch(self, key: str, batch: list[_Waiting[T, R]]) -> None:
        try:
            answers = await self._run(key, [w.item for w in batch])
        except asyncio.CancelledError:
            for w in batch:
                w.done.cancel()
            raise
        except Exception as e:
            for w in batch:
                w.done.set_exception(e)
            return
        for w, answer in zip(batch, answers, strict=True):
            if isinstance(answer, Exception):
                w.done.set_exception(answer)
            else:
                w.done.set_result(answer)
