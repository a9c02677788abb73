"""Bad input at the WebSocket edge: a specific error or close code, nothing stored, others unaffected."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import websockets

from tests.support import Browserless, LiveClient, ServerProcess, setup_workshop

pytestmark = [pytest.mark.system, pytest.mark.timeout(120)]

BAD_FRAMES: list[tuple[str, str]] = [
    ("{not json", "wire.malformed_json"),
    ("[1, 2, 3]", "wire.not_an_object"),
    ('{"type": "note.fly", "command_id": "abcdefgh12"}', "wire.unknown_type"),
    ('{"command_id": "abcdefgh12", "text": "x"}', "wire.missing_field"),
    ('{"type": "note.add", "command_id": "abcdefgh12"}', "wire.missing_field"),
    ('{"type": "note.add", "text": "x"}', "wire.missing_field"),
    ('{"type": "note.add", "command_id": "abcdefgh12", "text": 42}', "wire.wrong_type"),
    ('{"type": "note.add", "command_id": "abcdefgh12", "text": ["x"]}', "wire.wrong_type"),
    ('{"type": "note.add", "command_id": "abcdefgh12", "text": NaN}', "wire.not_a_number"),
    (
        '{"type": "note.add", "command_id": "abcdefgh12", "text": "x", "text": "y"}',
        "wire.duplicate_key",
    ),
    (
        '{"type": "note.add", "command_id": "abcdefgh12", "text": "x", "admin": true}',
        "wire.unknown_field",
    ),
    ('{"type": "note.add", "command_id": 12345678, "text": "x"}', "wire.bad_id"),
    ('{"type": "hello", "since": 1.0}', "wire.wrong_type"),
    ('{"type": "hello", "since": true}', "wire.wrong_type"),
    ('{"type": "hello", "since": "3"}', "wire.wrong_type"),
    ('{"type": "hello", "since": Infinity}', "wire.not_a_number"),
    ('{"type": "note.add", "command_id": "abcdefgh12", "text": "   "}', "note.empty"),
    (
        '{"type": "note.add", "command_id": "abcdefgh13", "text": "' + "x" * 501 + '"}',
        "note.too_long",
    ),
    (
        '{"type": "note.delete", "command_id": "abcdefgh14", "note_id": "doesnotexist"}',
        "note.unknown",
    ),
    (
        '{"type": "note.add", "command_id": "abcdefgh15", "text": "x", "board_id": "otherboard1"}',
        "board.unknown",
    ),
]


async def test_each_bad_frame_gets_a_specific_error_and_changes_nothing(
    single: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(single.url)
    other_wid, _ = await fac.create_workshop(title="En anden workshop")
    mallory, alice = Browserless(single.url), Browserless(single.url)
    await mallory.join(code, "Mallory", "Borger")
    await alice.join(code, "Alice", "Politiker")
    bad = await LiveClient.connect(single.ws_url, wid, mallory)
    good = await LiveClient.connect(single.ws_url, wid, alice)
    await bad.wait_for(lambda c: c.seq is not None)
    await good.wait_for(lambda c: c.seq is not None)
    start_seq = bad.seq
    for frame, code_expected in BAD_FRAMES:
        before = len(bad.received)
        await bad.send(frame)

        def first_error(c: LiveClient, before: int = before) -> dict[str, Any] | None:
            return next((m for m in c.received[before:] if m["type"] == "error"), None)

        reply = await bad.wait_for(first_error)
        assert reply["code"] == code_expected, (frame[:80], reply)
        assert reply["message"] and reply["message"] != code_expected  # a sentence, in Danish
    # Another workshop's board id is unknown here: nothing lands on the other board.
    other_board = (await fac.http.get(f"/api/workshops/{other_wid}/snapshot")).json()["state"][
        "boards"
    ][0]["id"]
    cid = await bad.command("note.add", text="forkert sted", board_id=other_board)
    assert (await bad.wait_reply(cid))["code"] == "board.unknown"
    other_after = (await fac.http.get(f"/api/workshops/{other_wid}/snapshot")).json()
    assert other_after["seq"] == 1 and other_after["state"]["boards"][0]["notes"] == []
    # The socket survived all of that and still works; the other client saw nothing but this.
    cid = await bad.command("note.add", text="stadig her")
    assert (await bad.wait_reply(cid))["type"] == "ack"
    await good.wait_for(lambda c: c.note_texts() == ["stadig her"])
    assert [e["type"] for e in good.events] == ["note.added"]
    assert good.events[0]["seq"] == (start_seq or 0) + 1
    # Oversized frame: closed with 1009 (message too big); nothing stored.
    await bad.send(
        json.dumps({"type": "note.add", "command_id": "abcdefgh99", "text": "x" * 70000})
    )
    await bad.wait_for(lambda c: c.closed_code is not None)
    assert bad.closed_code == 1009
    snap = (await alice.http.get(f"/api/workshops/{wid}/snapshot")).json()
    assert [n["text"] for b in snap["state"]["boards"] for n in b["notes"]] == ["stadig her"]
    assert good.closed_code is None
    await good.close()
    for s in (fac, mallory, alice):
        await s.aclose()


async def test_foreign_origin_is_refused_and_a_missing_session_shut_out(
    single: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(single.url)
    p = Browserless(single.url)
    await p.join(code, "", "Borger")
    with pytest.raises(websockets.InvalidStatus) as err:
        await LiveClient.connect(single.ws_url, wid, p, origin="https://evil.example")
    assert err.value.response.status_code == 403
    # No session for this workshop: the socket opens and is closed at once with 4003, which the
    # browser does not reconnect on; not one event is sent.
    stranger = Browserless(single.url)
    shut = await LiveClient.connect(single.ws_url, wid, stranger, hello=False)
    await shut.wait_for(lambda c: c.closed_code is not None)
    assert shut.closed_code == 4003 and shut.received == []
    # A participant of this workshop has no access to another workshop's socket either.
    other_wid, _ = await fac.create_workshop(title="Anden")
    other = await LiveClient.connect(single.ws_url, other_wid, p, hello=False)
    await other.wait_for(lambda c: c.closed_code is not None)
    assert other.closed_code == 4003 and other.received == []
    for s in (fac, p, stranger):
        await s.aclose()


async def test_json_api_validates_like_the_socket(single: ServerProcess) -> None:
    fac, wid, code = await setup_workshop(single.url)
    p = Browserless(single.url)
    await p.join(code, "Bo", "Borger")
    url = f"/api/workshops/{wid}/commands"
    r = await p.http.post(url, content=b"{bad", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "wire.malformed_json"
    r = await p.http.post(url, data={"type": "note.add"})
    assert r.status_code == 415
    r = await p.http.post(
        url,
        json={"type": "note.add", "command_id": "abcdefgh12", "text": "x"},
        headers={"Origin": "https://evil.example"},
    )
    assert r.status_code == 403 and r.json()["code"] == "api.bad_origin"
    r = await p.http.post(url, json={"type": "note.add", "command_id": "abcdefgh12", "text": "hej"})
    assert r.status_code == 200 and r.json()["type"] == "ack"
    snap = await p.http.get(f"/api/workshops/{wid}/snapshot")
    assert [n["text"] for b in snap.json()["state"]["boards"] for n in b["notes"]] == ["hej"]
    note_id = snap.json()["state"]["boards"][0]["notes"][0]["id"]
    q = Browserless(single.url)
    await q.join(code, "Kim", "Politiker")
    r = await q.http.post(
        url, json={"type": "note.delete", "command_id": "abcdefgh13", "note_id": note_id}
    )
    assert r.status_code == 403 and r.json()["code"] == "note.not_yours"
    stranger = Browserless(single.url)
    r = await stranger.http.post(
        url, json={"type": "note.add", "command_id": "abcdefgh14", "text": "x"}
    )
    assert r.status_code == 403
    health = await p.http.get("/healthz")
    assert health.json() == {
        "status": "ok",
        "database": "ok",
        "broker": "ok",
        "broker_kind": "memory",
    }
    for s in (fac, p, q, stranger):
        await s.aclose()


async def test_a_flood_is_rate_limited_per_connection_and_the_socket_survives(
    single: ServerProcess,
) -> None:
    fac, wid, code = await setup_workshop(single.url)
    p = Browserless(single.url)
    await p.join(code, "Hurtig", "Borger")
    c = await LiveClient.connect(single.ws_url, wid, p)
    await c.wait_for(lambda c: c.seq is not None)
    # The client offered per-message deflate (websockets does by default); the server declines it.
    assert c.conn.response is not None
    assert "Sec-WebSocket-Extensions" not in c.conn.response.headers
    ids = [await c.command("note.add", text=f"flood {i}") for i in range(80)]
    replies = [await c.wait_reply(cid, timeout=20) for cid in ids]
    limited = [r for r in replies if r["type"] == "error"]
    acked = [r for r in replies if r["type"] == "ack"]
    assert limited and acked, "a burst of 80 passes the burst allowance of 40 but not all of it"
    assert {r["code"] for r in limited} == {"wire.rate_limited"}
    snap = (await p.http.get(f"/api/workshops/{wid}/snapshot")).json()
    assert len(snap["state"]["boards"][0]["notes"]) == len(acked)
    await asyncio.sleep(1.0)
    cid = await c.command("note.add", text="efter pausen")
    assert (await c.wait_reply(cid))["type"] == "ack"
    assert c.closed_code is None
    await c.close()
    for s in (fac, p):
        await s.aclose()
