"""The fallback transport over real HTTP (uvicorn processes, as a browser behind a firewall
that blocks WebSockets would meet them): an event stream in, one POST per frame out, with the
socket's seq, resync, idempotency, permissions and refusals."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.i18n import message
from tests.support import (
    Browserless,
    LiveClient,
    ServerProcess,
    create_facilitator,
    query,
    server_env,
    setup_workshop,
)

pytestmark = [pytest.mark.system]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One process on SQLite for the module; every test makes its own workshop."""
    directory = tmp_path_factory.mktemp("fallback")
    env = server_env(
        f"sqlite+aiosqlite:///{directory}/samskab.db", WS_RATE_PER_SECOND="2", WS_RATE_BURST="10"
    )
    create_facilitator(env)
    s = ServerProcess(env, directory)
    try:
        s.start()
        yield s
    finally:
        s.stop()


class EventStream:
    """What an EventSource would read from `GET /ws/workshops/{id}/events`: the stream's id,
    every frame (message events, parsed) and the close code, if the server closed it."""

    def __init__(self, session: Browserless, workshop_id: str, **params: Any) -> None:
        self.session = session
        self.url = f"/ws/workshops/{workshop_id}/events"
        self.params = {k: v for k, v in params.items() if v is not None}
        self.status: int | None = None
        self.headers = httpx.Headers()
        self.stream_id: str | None = None
        self.frames: list[dict[str, Any]] = []
        self.keepalives = 0
        self.close_code: int | None = None
        self.ended = False
        self._new = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def open(self) -> EventStream:
        self._task = asyncio.create_task(self._read())
        await self.wait_for(lambda s: s.stream_id or s.close_code or s.ended)
        return self

    async def _read(self) -> None:
        try:
            async with self.session.http.stream(
                "GET",
                self.url,
                params=self.params,
                headers={"Accept": "text/event-stream"},
                timeout=httpx.Timeout(15, read=30),
            ) as r:
                self.status, self.headers = r.status_code, r.headers
                name, data = "message", list[str]()
                async for line in r.aiter_lines():
                    if line == "":
                        if data:
                            self._dispatch(name, "\n".join(data))
                        name, data = "message", []
                    elif line.startswith(":"):
                        continue
                    else:
                        field, _, value = line.partition(":")
                        value = value[1:] if value.startswith(" ") else value
                        if field == "event":
                            name = value
                        elif field == "data":
                            data.append(value)
        finally:
            self.ended = True
            self._new.set()

    def _dispatch(self, name: str, data: str) -> None:
        if name == "stream":
            self.stream_id = json.loads(data)["stream"]
        elif name == "close":
            self.close_code = json.loads(data)["code"]
        elif name == "keepalive":
            self.keepalives += 1
        else:
            self.frames.append(json.loads(data))
        self._new.set()

    async def wait_for(self, pred: Callable[[EventStream], Any], timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            result = pred(self)
            if result:
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; last frames: {self.frames[-3:]}")
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), 0.5)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == kind]

    def seqs(self) -> list[int]:
        return [e["seq"] for f in self.of_type("events") for e in f["events"]]

    def note_texts(self) -> list[str]:
        return [
            e["data"]["text"]
            for f in self.of_type("events")
            for e in f["events"]
            if e["type"] == "note.added"
        ]

    async def post(
        self, frame: dict[str, Any] | str | bytes, **headers: str
    ) -> tuple[int, dict[str, Any] | None]:
        assert self.stream_id is not None
        return await post(self.session, self.url, self.stream_id, frame, **headers)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


async def post(
    session: Browserless,
    events_url: str,
    stream_id: str,
    frame: dict[str, Any] | str | bytes,
    **headers: str,
) -> tuple[int, dict[str, Any] | None]:
    """One frame, as the page's fallback sends it: same origin, JSON."""
    body = frame if isinstance(frame, str | bytes) else json.dumps(frame)
    origin = str(session.http.base_url).rstrip("/")
    sent = {"Origin": origin, "Content-Type": "application/json"}
    sent.update({k.replace("_", "-"): v for k, v in headers.items()})
    r = await session.http.post(f"{events_url}/{stream_id}", content=body, headers=sent)
    return r.status_code, (r.json() if r.content else None)


@asynccontextmanager
async def stream(
    session: Browserless, workshop_id: str, **params: Any
) -> AsyncIterator[EventStream]:
    s = await EventStream(session, workshop_id, format="json", **params).open()
    try:
        yield s
    finally:
        await s.close()


async def participant(base_url: str, code: str, name: str = "Bo") -> Browserless:
    p = Browserless(base_url)
    assert (await p.join(code, name, "Borger")).status_code == 200
    return p


def note(text: str, command_id: str | None = None) -> dict[str, Any]:
    return {"type": "note.add", "command_id": command_id or secrets.token_hex(8), "text": text}


async def test_a_note_posted_is_acked_in_the_response_and_arrives_on_the_stream(
    server: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(server.url)
    bo = await participant(server.url, code)
    async with stream(bo, wid) as s:
        assert s.status == 200
        assert s.headers["content-type"].startswith("text/event-stream")
        assert s.headers["cache-control"] == "no-store"  # nor may a proxy keep or buffer it
        assert s.headers["x-accel-buffering"] == "no"
        snap = (await s.wait_for(lambda s: s.of_type("snapshot")))[0]
        await s.wait_for(lambda s: s.of_type("presence"))
        text = "Bedre cykelstier\nog flere bænke"  # a newline in the frame's data
        frame = note(text)
        status, ack = await s.post(frame)
        assert status == 200
        assert ack == {"type": "ack", "command_id": frame["command_id"], "seq": snap["seq"] + 1}
        await s.wait_for(lambda s: text in s.note_texts())
        pushed = s.of_type("events")[-1]
        assert pushed["seq"] == snap["seq"] + 1 and pushed["epoch"] == snap["epoch"]

        # Sent again with the same id (a retry after a lost response): the same answer, once.
        assert await s.post(frame) == (200, ack)
        ping_status, pong = await s.post({"type": "ping", "t": 5})
        assert ping_status == 200 and pong is not None and pong["type"] == "pong" and pong["t"] == 5
        assert s.note_texts() == [text]
        rows = await query(
            server.env["DATABASE_URL"],
            "SELECT count(*) FROM events WHERE workshop_id = :w AND type = 'note.added'",
            w=wid,
        )
        assert rows[0][0] == 1
        # Presence over POST acts on this process's stream: nothing to answer.
        assert await s.post({"type": "note.editing", "note_id": None}) == (204, None)
    await bo.aclose()
    await fac.aclose()


async def test_reconnecting_with_since_replays_exactly_what_was_missed(
    server: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(server.url)
    bo = await participant(server.url, code)
    async with stream(bo, wid) as s:
        await s.wait_for(lambda s: s.of_type("snapshot"))
        status, ack = await s.post(note("Før afbrydelsen"))
        assert status == 200 and ack is not None
        await s.wait_for(lambda s: s.note_texts())
        since, epoch = ack["seq"], s.of_type("events")[-1]["epoch"]
    # Cut off; meanwhile the facilitator adds two notes on the socket.
    live = await LiveClient.connect(server.ws_url, wid, fac)
    missed = [await live.command("note.add", text=t) for t in ("Mens du var væk", "Og en til")]
    seqs = [(await live.wait_reply(cid))["seq"] for cid in missed]
    async with stream(bo, wid, since=since, epoch=epoch) as again:
        await again.wait_for(lambda s: s.of_type("presence"))
        assert not again.of_type("snapshot")
        assert again.seqs() == seqs == [since + 1, since + 2]
        assert again.note_texts() == ["Mens du var væk", "Og en til"]
        # And live again from there.
        await live.command("note.add", text="Live igen")
        await again.wait_for(lambda s: "Live igen" in s.note_texts())
        assert again.seqs() == [since + 1, since + 2, since + 3]
    # An epoch that is not the log's gets a snapshot, as on the socket.
    async with stream(bo, wid, since=since, epoch="somethingelse") as other:
        snap = (await other.wait_for(lambda s: s.of_type("snapshot")))[0]
        assert snap["seq"] == since + 3
    await live.close()
    await bo.aclose()
    await fac.aclose()


async def test_every_refusal_has_its_own_answer(server: ServerProcess) -> None:
    fac, wid, code = await setup_workshop(server.url)
    bo = await participant(server.url, code, "Bo")
    mette = await participant(server.url, code, "Mette")
    stranger = Browserless(server.url)
    events = f"/ws/workshops/{wid}/events"
    async with stream(bo, wid) as s, stream(mette, wid) as theirs:
        await s.wait_for(lambda s: s.of_type("presence"))
        assert s.stream_id is not None and theirs.stream_id is not None

        # The stream: a foreign Origin, no session (JSON, or the close an EventSource reads).
        r = await bo.http.get(events, headers={"Origin": "http://evil.example"})
        assert (r.status_code, r.json()["code"]) == (403, "api.bad_origin")
        r = await stranger.http.get(events)
        assert (r.status_code, r.json()["code"]) == (403, "permission.not_in_workshop")
        async with stream(stranger, wid) as refused:
            await refused.wait_for(lambda s: s.ended)
            assert (refused.status, refused.close_code, refused.stream_id) == (200, 4003, None)
        r = await bo.http.get(events, params={"since": "1.5"})
        assert (r.status_code, r.json()["code"], r.json()["command_id"]) == (
            400,
            "wire.wrong_type",
            None,
        )

        # The POST: Origin required and allowed, JSON only, the session's own stream.
        frame = note("Hej")
        assert (await s.post(frame, Origin="http://evil.example"))[1] == {
            **_error("api.bad_origin"),
            "close": 4004,
        }
        r = await bo.http.post(
            f"{events}/{s.stream_id}", json=frame, headers={"Content-Type": "application/json"}
        )
        assert (r.status_code, r.json()["code"]) == (403, "api.bad_origin")
        status, body = await s.post(frame, Content_Type="text/plain")
        assert (status, body) == (415, _error("api.json_only"))
        status, body = await post(stranger, events, s.stream_id, frame)
        assert (status, body) == (403, {**_error("permission.not_in_workshop"), "close": 4003})
        status, body = await post(mette, events, s.stream_id, frame)  # Bo's stream
        assert (status, body) == (403, {**_error("fallback.not_your_stream"), "close": 4001})
        tampered = s.stream_id[:-2] + ("AA" if not s.stream_id.endswith("AA") else "BB")
        status, body = await post(bo, events, tampered, frame)
        assert (status, body) == (403, {**_error("fallback.not_your_stream"), "close": 4001})

        # The frame: too large, hello over POST, strict parsing, as on the socket.
        status, body = await s.post(note("x" * 70_000))
        assert (status, body) == (413, _error("wire.too_large"))
        status, body = await s.post({"type": "hello", "since": 0})
        assert (status, body) == (400, _error("fallback.hello_over_post"))
        status, body = await s.post('{"type": "note.add", "type": "x"}')
        assert status == 400 and body is not None and body["code"] == "wire.duplicate_key"

        # The rate limit of one connection (2 a second, 10 at once in this module): refused
        # frames say so with their command id, and nothing of them is stored.
        answers = [await s.post(note(f"Note {i}", f"burst-{i:04d}")) for i in range(14)]
        limited = [b for st, b in answers if st == 429]
        assert limited and all(b is not None and b["code"] == "wire.rate_limited" for b in limited)
        assert {b["command_id"] for b in limited if b} <= {f"burst-{i:04d}" for i in range(14)}
        assert all(st in (200, 429) for st, _ in answers)
        assert (await theirs.post(note("Mettes note")))[0] == 200  # her stream has its own
        accepted = sum(1 for st, _ in answers if st == 200)
        rows = await query(
            server.env["DATABASE_URL"],
            "SELECT count(*) FROM events WHERE workshop_id = :w AND type = 'note.added'",
            w=wid,
        )
        assert rows[0][0] == accepted + 1
    for p in (bo, mette, stranger, fac):
        await p.aclose()


def _error(code: str) -> dict[str, Any]:
    """An error body without a command id, in the default language."""
    return {"type": "error", "command_id": None, "code": code, "message": message(code, "da")}


async def test_the_room_screen_stays_read_only_and_a_removed_participant_is_closed_out(
    server: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(server.url)
    bo = await participant(server.url, code)
    async with stream(fac, wid, view="screen") as screen, stream(bo, wid) as s:
        await screen.wait_for(lambda s: s.of_type("presence"))
        status, body = await screen.post(note("Fra skærmen", "screen-note-1"))
        assert status == 403 and body is not None and body["code"].startswith("permission.")
        status, body = await screen.post({"type": "note.editing", "note_id": None})
        assert status == 403 and body is not None and body["code"] == "permission.read_only"

        # Removed by the facilitator: the stream is closed with 4003 and stays shut.
        await s.wait_for(lambda s: s.of_type("snapshot"))
        snap = (await fac.http.get(f"/api/workshops/{wid}/snapshot")).json()
        bo_id = next(p for p in snap["state"]["participants"] if p["display_name"] == "Bo")["id"]
        live = await LiveClient.connect(server.ws_url, wid, fac)
        cid = await live.command("participant.kick", participant_id=bo_id)
        assert (await live.wait_reply(cid))["type"] == "ack"
        await s.wait_for(lambda s: s.close_code)
        assert s.close_code == 4003
        await s.wait_for(lambda s: s.ended)
        status, body = await s.post(note("Efter"))
        assert (status, body) == (403, {**_error("permission.not_in_workshop"), "close": 4003})
        await live.close()
    await bo.aclose()
    await fac.aclose()


@pytest.fixture
def two_processes(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> Iterator[list[ServerProcess]]:
    env = server_env(postgres_url, redis_url)
    create_facilitator(env)
    servers = [ServerProcess(env, tmp_path), ServerProcess(env, tmp_path)]
    try:
        for s in servers:
            s.start()
        yield servers
    finally:
        for s in servers:
            s.stop()


async def test_a_post_to_one_process_reaches_a_stream_on_the_other(
    two_processes: list[ServerProcess],
) -> None:
    a, b = two_processes
    fac, wid, code = await setup_workshop(a.url)
    bo = await participant(b.url, code)
    async with stream(bo, wid) as s:  # the stream lives on b
        await s.wait_for(lambda s: s.of_type("presence"))
        assert s.stream_id is not None
        events = f"/ws/workshops/{wid}/events"
        bo.use_server(a.url)  # the load balancer sends the POSTs to a
        frame = note("Via den anden proces")
        status, ack = await post(bo, events, s.stream_id, frame)
        assert status == 200 and ack is not None and ack["type"] == "ack"
        await s.wait_for(lambda s: "Via den anden proces" in s.note_texts())
        assert s.seqs()[-1] == ack["seq"]
        assert await post(bo, events, s.stream_id, frame) == (200, ack)  # retried on a: once
        # Presence on a process without the stream is accepted and left to sticky routing.
        assert await post(bo, events, s.stream_id, {"type": "note.editing", "note_id": None}) == (
            204,
            None,
        )
        assert s.note_texts() == ["Via den anden proces"]
    await bo.aclose()
    await fac.aclose()
