"""Live boards across real processes: concurrent moves converge, private writing leaks nothing,
and every permission is checked by the server. JSON WebSocket clients, as an integration would
drive it; the browser tests drive the same board through Chromium."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.support import Browserless, LiveClient, people, query, setup_workshop
from tests.system.conftest import Cluster

pytestmark = [pytest.mark.system, pytest.mark.timeout(180)]

Container = tuple[str, str | None]


class BoardOrder:
    """A client's idea of where every note is, kept from the events alone (the algorithm
    docs/PROTOCOL.md describes for `note.moved`: the event carries the target's full order)."""

    def __init__(self, board_id: str) -> None:
        self.board_id = board_id
        self.containers: dict[Container, list[str]] = {}

    def _remove(self, note_id: str) -> None:
        for ids in self.containers.values():
            if note_id in ids:
                ids.remove(note_id)

    def apply(self, event: dict[str, Any]) -> None:
        t, d = event["type"], event["data"]
        if d.get("board_id") != self.board_id:
            return
        if t == "note.added":
            self.containers.setdefault((d["column_id"], None), []).append(d["note_id"])
        elif t == "note.moved":
            self._remove(d["note_id"])
            self.containers[(d["column_id"], d.get("cluster_id"))] = list(d["order"])
        elif t in ("note.deleted", "note.merged"):
            self._remove(d["note_id"])

    def snapshot(self) -> dict[Container, list[str]]:
        return {k: v for k, v in self.containers.items() if v}


def order_seen_by(client: LiveClient, board_id: str) -> dict[Container, list[str]]:
    order = BoardOrder(board_id)
    for e in client.events:
        order.apply(e)
    return order.snapshot()


async def stored_order(database_url: str, board_id: str) -> dict[Container, list[str]]:
    rows = await query(
        database_url,
        "SELECT id, column_id, cluster_id FROM notes WHERE board_id = :b "
        "ORDER BY column_id, cluster_id, position, seq",
        b=board_id,
    )
    out: dict[Container, list[str]] = {}
    for r in rows:
        out.setdefault((r.column_id, r.cluster_id), []).append(r.id)
    return out


async def ok(client: LiveClient, type_: str, **fields: Any) -> dict[str, Any]:
    """Send a command and insist it was accepted."""
    cid = await client.command(type_, **fields)
    reply = await client.wait_reply(cid)
    assert reply["type"] == "ack", reply
    return reply


async def refused(client: LiveClient, type_: str, **fields: Any) -> str:
    """Send a command that must be refused; return the error code the user is shown."""
    cid = await client.command(type_, **fields)
    reply = await client.wait_reply(cid)
    assert reply["type"] == "error", reply
    assert reply["message"] and reply["message"] != reply["code"]
    return str(reply["code"])


def last_event(client: LiveClient, type_: str, pred: Callable[[dict[str, Any]], bool]) -> Any:
    for e in reversed(client.events):
        if e["type"] == type_ and pred(e["data"]):
            return e["data"]
    return None


async def new_board(fac: LiveClient, title: str, template: str) -> dict[str, Any]:
    await ok(fac, "board.create", title=title, template=template)
    board: dict[str, Any] = await fac.wait_for(
        lambda c: last_event(c, "board.created", lambda d: d["title"] == title)
    )
    return board


async def add_note(client: LiveClient, text: str, board: dict[str, Any], column: int = 0) -> str:
    await ok(
        client,
        "note.add",
        text=text,
        board_id=board["board_id"],
        column_id=board["columns"][column]["id"],
    )
    data = await client.wait_for(
        lambda c: last_event(c, "note.added", lambda d: d.get("text") == text)
    )
    return str(data["note_id"])


async def connect_all(
    base: Cluster, code: str, wid: str, fac_session: Browserless
) -> tuple[LiveClient, LiveClient, LiveClient, list[Browserless]]:
    sessions = [Browserless(base.a.url), Browserless(base.b.url)]
    assert (await sessions[0].join(code, "Ida", "Borger")).status_code == 200
    assert (await sessions[1].join(code, "Bo", "Politiker")).status_code == 200
    fac = await LiveClient.connect(base.a.ws_url, wid, fac_session)
    p1 = await LiveClient.connect(base.a.ws_url, wid, sessions[0])
    p2 = await LiveClient.connect(base.b.ws_url, wid, sessions[1])
    for c in (fac, p1, p2):
        await c.wait_for(lambda c: c.seq is not None)
    return fac, p1, p2, sessions


async def test_100_random_concurrent_moves_from_three_clients_converge_everywhere(
    cluster: Cluster,
) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac, p1, p2, sessions = await connect_all(cluster, code, wid, fac_s)
    board = await new_board(fac, "Idébank", "idea_bank")
    columns = [c["id"] for c in board["columns"]]
    cluster_id_event = await ok(fac, "cluster.add", column_id=columns[1], title="Trafik")
    assert cluster_id_event["seq"]
    grouped = await fac.wait_for(lambda c: last_event(c, "cluster.added", lambda d: True))
    containers: list[tuple[str, str | None]] = [(c, None) for c in columns]
    containers.append((columns[1], grouped["cluster_id"]))
    note_ids = []
    for i, writer in enumerate((p1, p2, fac) * 4):
        note_ids.append(await add_note(writer, f"Idé {i}", board, i % 3))

    rng = random.Random(20261123)
    plans: dict[LiveClient, list[dict[str, Any]]] = {fac: [], p1: [], p2: []}
    clients = [fac, p1, p2]
    for i in range(100):
        column_id, cluster_id = rng.choice(containers)
        move: dict[str, Any] = {
            "note_id": rng.choice(note_ids),
            "column_id": column_id,
            "index": rng.randint(0, 8),
        }
        if cluster_id is not None:
            move["cluster_id"] = cluster_id
        plans[clients[i % 3]].append(move)

    async def fire(client: LiveClient, moves: list[dict[str, Any]]) -> list[str]:
        sent = []
        for m in moves:
            sent.append(await client.command("note.move", **m))
            await asyncio.sleep(rng.random() * 0.03)
        return sent

    sent = await asyncio.gather(*(fire(c, plans[c]) for c in clients))
    for client, ids in zip(clients, sent, strict=True):
        for cid in ids:
            reply = await client.wait_reply(cid, timeout=20)
            assert reply["type"] == "ack", reply

    rows = await query(
        cluster.env["DATABASE_URL"], "SELECT last_seq FROM workshops WHERE id = :w", w=wid
    )
    last = rows[0].last_seq
    for c in clients:
        await c.wait_for(lambda c: c.seq == last, timeout=20)
    stored = await stored_order(cluster.env["DATABASE_URL"], board["board_id"])
    assert sorted(i for ids in stored.values() for i in ids) == sorted(note_ids)
    for c in clients:
        assert order_seen_by(c, board["board_id"]) == stored
    # A newcomer's snapshot says the same.
    late = await LiveClient.connect(cluster.b.ws_url, wid, fac_s, since=0, epoch="stale")
    snap = await late.wait_for(
        lambda c: next((m for m in c.received if m["type"] == "snapshot"), None)
    )
    snap_board = next(b for b in snap["state"]["boards"] if b["id"] == board["board_id"])
    from_snapshot: dict[Container, list[str]] = {}
    for n in sorted(
        snap_board["notes"], key=lambda n: (n["column_id"], n["cluster_id"] or "", n["position"])
    ):
        from_snapshot.setdefault((n["column_id"], n["cluster_id"]), []).append(n["id"])
    assert from_snapshot == stored
    for c in (*clients, late):
        await c.close()
    for s in (*sessions, fac_s):
        await s.aclose()


def frames_text(client: LiveClient) -> str:
    return json.dumps(client.received, ensure_ascii=False)


async def test_private_writing_sends_nobody_else_s_text_until_the_reveal(cluster: Cluster) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    async with people(cluster.a.url, cluster.b.url, cluster.b.url) as (ida_s, bo_s, bo_html_s):
        assert (await ida_s.join(code, "Ida", "Borger")).status_code == 200
        assert (await bo_s.join(code, "Bo", "Politiker")).status_code == 200
        bo_html_s.http.cookies = bo_s.http.cookies  # Bo's second tablet, on the HTML feed
        fac = await LiveClient.connect(cluster.a.ws_url, wid, fac_s)
        ida = await LiveClient.connect(cluster.a.ws_url, wid, ida_s)
        bo = await LiveClient.connect(cluster.b.ws_url, wid, bo_s)
        bo_html = await LiveClient.connect(cluster.b.ws_url, wid, bo_html_s, fmt="html")
        for c in (fac, ida, bo, bo_html):
            await c.wait_for(lambda c: c.seq is not None)
        board = await new_board(fac, "Hemmelig runde", "blank")
        await ok(fac, "board.private", board_id=board["board_id"])
        secret = "IDAS-HEMMELIGE-IDE-7731"
        own = "BOS-EGEN-IDE-4410"
        await add_note(ida, secret, board)
        await add_note(bo, own, board)
        await fac.wait_for(lambda c: last_event(c, "note.added", lambda d: d.get("text") == own))
        # Bo's feeds have caught up with both notes (one of them redacted) ...
        await bo.wait_for(lambda c: c.seq == fac.seq)
        await bo_html.wait_for(lambda c: c.seq == fac.seq)
        redacted = [
            e["data"] for e in bo.events if e["type"] == "note.added" and e["data"].get("redacted")
        ]
        assert len(redacted) == 1 and "text" not in redacted[0]
        # ... and no frame Bo received, JSON or HTML, holds Ida's text; his own is there.
        for feed in (bo, bo_html):
            assert secret not in frames_text(feed)
            assert own in frames_text(feed)
        assert "Borger 1" in frames_text(bo_html)  # "Borger 1 is writing 1 note"
        # A reconnect with a snapshot, the page, and the JSON API hold nothing of it either.
        again = await LiveClient.connect(cluster.a.ws_url, wid, bo_s, since=0, epoch="old")
        await again.wait_for(lambda c: any(m["type"] == "snapshot" for m in c.received))
        assert secret not in frames_text(again)
        page = await bo_s.http.get(f"/w/{code}")
        assert own in page.text and secret not in page.text
        api = await bo_s.http.get(f"/api/workshops/{wid}/snapshot")
        assert secret not in api.text
        # The facilitator sees everything all along.
        assert secret in frames_text(fac)
        # The reveal publishes every note at once.
        await ok(fac, "board.reveal", board_id=board["board_id"])
        await bo.wait_for(lambda c: secret in frames_text(c))
        await bo_html.wait_for(lambda c: secret in frames_text(c))
        for c in (fac, ida, bo, bo_html, again):
            await c.close()
    await fac_s.aclose()


async def test_the_server_refuses_what_a_participant_may_not_do_and_nothing_changes(
    cluster: Cluster,
) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    other_fac, other_wid, other_code = await setup_workshop(cluster.b.url)
    fac, ida, bo, sessions = await connect_all(cluster, code, wid, fac_s)
    board = await new_board(fac, "Regler", "idea_bank")
    col0, col1 = board["columns"][0]["id"], board["columns"][1]["id"]
    idas = await add_note(ida, "Idas note", board)
    await ok(fac, "board.settings", board_id=board["board_id"], open_moves=False)
    db = cluster.env["DATABASE_URL"]

    async def log_length() -> int:
        return len(await query(db, "SELECT seq FROM events WHERE workshop_id = :w", w=wid))

    before = await log_length()
    note = (await query(db, "SELECT text, column_id, hidden FROM notes WHERE id = :n", n=idas))[0]
    assert (
        await refused(bo, "note.edit", note_id=idas, version=1, text="Bos tekst")
        == "note.not_yours"
    )
    assert await refused(bo, "note.delete", note_id=idas) == "note.not_yours"
    assert (
        await refused(bo, "note.hide", note_id=idas, hidden=True) == "permission.facilitators_only"
    )
    assert await refused(bo, "note.move", note_id=idas, column_id=col1, index=0) == "note.not_yours"
    assert await refused(bo, "board.settings", board_id=board["board_id"], locked=True) == (
        "permission.facilitators_only"
    )
    assert await refused(bo, "participant.kick", participant_id="0" * 16) == (
        "permission.facilitators_only"
    )
    # A locked board: nobody but the facilitator writes on it, with a clear message.
    await ok(fac, "board.settings", board_id=board["board_id"], locked=True)
    before = await log_length()
    assert await refused(
        ida, "note.add", text="Sent", board_id=board["board_id"], column_id=col0
    ) == ("board.locked")
    assert await refused(ida, "note.edit", note_id=idas, version=1, text="Ændret") == "board.locked"
    assert await refused(ida, "note.react", note_id=idas) == "board.locked"
    assert await refused(ida, "comment.add", note_id=idas, text="Svar") == "board.locked"
    # Another workshop's board, column and note do not exist from here.
    async with people(cluster.b.url) as (stranger,):
        await stranger.join(other_code, "Fremmed", "Borger")
        other = await LiveClient.connect(cluster.b.ws_url, other_wid, stranger)
        await other.wait_for(lambda c: c.seq is not None)
        assert await refused(other, "note.delete", note_id=idas) == "note.unknown"
        assert (
            await refused(other, "note.add", text="x", board_id=board["board_id"], column_id=col0)
            == "board.unknown"
        )
        await other.close()
    assert await log_length() == before
    after = (await query(db, "SELECT text, column_id, hidden FROM notes WHERE id = :n", n=idas))[0]
    assert tuple(after) == tuple(note)
    for c in (fac, ida, bo):
        await c.close()
    for s in (*sessions, fac_s, other_fac):
        await s.aclose()


async def test_a_removed_participant_is_disconnected_and_cannot_come_back(cluster: Cluster) -> None:
    fac_s, wid, code = await setup_workshop(cluster.a.url)
    fac, ida, bo, sessions = await connect_all(cluster, code, wid, fac_s)
    snap = (await fac_s.http.get(f"/api/workshops/{wid}/snapshot")).json()
    bo_id = next(p["id"] for p in snap["state"]["participants"] if p["display_name"] == "Bo")
    await ok(fac, "participant.kick", participant_id=bo_id)
    await bo.wait_for(lambda c: c.closed_code is not None)
    assert bo.closed_code == 4003
    # Reconnecting, reloading or joining again from that browser: shut out, on either process.
    for server in (cluster.a, cluster.b):
        sessions[1].use_server(server.url)
        again = await LiveClient.connect(server.ws_url, wid, sessions[1], hello=False)
        await again.wait_for(lambda c: c.closed_code is not None)
        assert again.closed_code == 4003
        page = await sessions[1].http.get(f"/w/{code}")
        assert page.status_code == 403
        assert (await sessions[1].join(code, "Bo igen", "Borger")).status_code == 403
    # The others carry on.
    await ok(ida, "note.add", text="Vi fortsætter")
    for c in (fac, ida):
        await c.close()
    for s in (*sessions, fac_s):
        await s.aclose()
