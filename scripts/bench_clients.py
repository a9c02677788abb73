"""What every client of the load generator shares: where it connects (``Target``), how it
opens its socket (a slow consumer's with a small buffer), the marker and position patterns it
reads frames with, and how it casts a vote and waits for the answer, as the browser does."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import websockets
from websockets.asyncio.client import ClientConnection

MARK = re.compile(r"bench:(\d+):(\d+):(\d+):(\d+)")
POSITION = re.compile(r'"epoch":"([A-Za-z0-9]+)","seq":(\d+)')
RECONNECT_CODES = {1006, 1011, 1012, 1013, 4001}
# A slow client's socket: a 4 KB receive buffer, and segments of 1400 bytes as over Ethernet or
# Wi-Fi. Over loopback's 64 KB segments the server's kernel would grow its send buffer to
# megabytes for this one socket, and no server would notice within a run that it stopped.
SLOW_RCVBUF = 4096
SLOW_MSS = 1400
VOTE_TIMEOUT = 120.0  # a saturated server still answers; the burst reports how late


@dataclass(frozen=True)
class Target:
    """Where one client connects: the socket URL, its session cookie and its Origin."""

    url: str
    cookie: str | None
    origin: str
    samskab: bool
    room: int = 0  # the workshop (Samskab) or relay channel (floor) it is in
    slow: bool = False  # a candidate for the slow-consumers run


async def sleep_until(ns: int) -> None:
    delay = (ns - time.monotonic_ns()) / 1e9
    if delay > 0:
        await asyncio.sleep(delay)


RETRY_CODES = {"server.try_again", "wire.rate_limited"}  # not applied: the same id again


async def cast_vote(
    conn_now: Callable[[], ClientConnection | None],
    register: Callable[[str], asyncio.Future[tuple[dict[str, Any], int]]],
    cid: str,
    frame: str,
    value: int,
) -> dict[str, Any]:
    """Send one vote and wait for its answer, as the browser does: the same command again on a
    new socket (an eviction lost the answer) and after "try again"; never a second time on the
    socket that still owes the answer, which would only queue a copy behind it. The ack time
    counts from the first send."""
    reply = register(cid)
    sent = time.monotonic_ns()
    deadline = time.monotonic() + VOTE_TIMEOUT
    sent_on: ClientConnection | None = None
    retries = 0
    while time.monotonic() < deadline:
        conn = conn_now()
        if conn is not None and conn is not sent_on:
            with contextlib.suppress(websockets.ConnectionClosed):
                await conn.send(frame)
                sent_on = conn
        with contextlib.suppress(TimeoutError):
            msg, answered = await asyncio.wait_for(asyncio.shield(reply), 1.0)
            if msg["type"] == "ack":
                ms = (answered - sent) / 1e6
                return {"value": value, "ack_ms": ms, "error": None, "retries": retries}
            code = str(msg.get("code"))
            if code not in RETRY_CODES:
                return {"value": value, "ack_ms": None, "error": code, "retries": retries}
            retries += 1
            reply = register(cid)
            sent_on = None
            await asyncio.sleep(1.0)
    return {"value": value, "ack_ms": None, "error": "no answer", "retries": retries}


async def open_socket(target: Target) -> ClientConnection:
    """A socket to ``target``; a slow candidate's with a small receive buffer and frame queue,
    so that when it stops reading the server notices within seconds, as with a stuck tablet."""
    headers = {"Cookie": target.cookie} if target.cookie else {}
    extra: dict[str, Any] = {}
    if target.slow:
        u = urlsplit(target.url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, SLOW_RCVBUF)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, SLOW_MSS)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, (u.hostname, u.port))
        except OSError:
            sock.close()
            raise
        extra["sock"] = sock
    return await websockets.connect(
        target.url,
        additional_headers=headers,
        origin=target.origin,  # type: ignore[arg-type]
        max_size=2**24,
        max_queue=4 if target.slow else 16,
        open_timeout=60,
        close_timeout=2,
        compression=None,
        **extra,
    )
