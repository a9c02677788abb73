"""One connected socket: a bounded queue and its own writer task.

The shared fan-out loop only ever calls `offer`, which never awaits. A socket whose queue is
full is evicted: closed in the background with `CLOSE_RESYNC`, on which the browser reconnects
and catches up from the log (ARCHITECTURE.md, invariant 7).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from server.realtime.source import Viewer

logger = logging.getLogger(__name__)

# Close codes. The browser reconnects on CLOSE_RESYNC, 1012 and 1013; never on CLOSE_FORBIDDEN.
CLOSE_RESYNC = 4001  # fell behind or the log was restored: reconnect and resync
CLOSE_FORBIDDEN = 4003  # no valid session for this workshop: do not reconnect
CLOSE_BAD_ORIGIN = 4004  # Origin not allowed
CLOSE_RATE = 4029  # far over the rate limit

__all__ = ["CLOSE_BAD_ORIGIN", "CLOSE_FORBIDDEN", "CLOSE_RATE", "CLOSE_RESYNC", "Client", "Viewer"]


class Client:
    def __init__(
        self,
        viewer: Viewer,
        send: Callable[[str], Awaitable[None]],
        close: Callable[[int], Awaitable[None]],
        queue_size: int,
    ) -> None:
        self.viewer = viewer
        self._send = send
        self._close = close
        self._queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=queue_size)
        self.last_seq = -1  # last seq this client has been sent; -1: not attached yet
        self.closed = False
        self.close_code: int | None = None
        self._writer: asyncio.Task[None] | None = None
        self._closer: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._writer = asyncio.create_task(self._write_loop(), name="socket-writer")

    def offer(self, text: str) -> bool:
        """Queue a message without waiting; on overflow evict. Returns False if not queued."""
        if self.closed:
            return False
        try:
            self._queue.put_nowait(text)
            return True
        except asyncio.QueueFull:
            self.evict(CLOSE_RESYNC)
            return False

    def evict(self, code: int) -> None:
        """Close in the background: an awaited close of a stuck socket would block the caller."""
        if self.closed:
            return
        self.closed = True
        self.close_code = code
        if self._writer is not None:
            self._writer.cancel()
        self._closer = asyncio.create_task(self._close_quietly(code), name="socket-evict")

    async def _close_quietly(self, code: int) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._close(code), timeout=5)

    async def _write_loop(self) -> None:
        try:
            while True:
                text = await self._queue.get()
                if text is None:
                    return
                await self._send(text)
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the peer went away; the reader side notices and detaches
            logger.debug("socket send failed: %s", e)
            self.closed = True

    async def stop(self) -> None:
        """Stop writing; let a pending eviction finish sending its close code."""
        self.closed = True
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._writer
        if self._closer is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._closer

    @property
    def queued(self) -> int:
        return self._queue.qsize()
