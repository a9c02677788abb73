"""Erasing a participant's data over HTTP: "delete my data" on the participant's own page, and
the facilitator's "erase data" (the same command the participants list sends on the socket)."""

from __future__ import annotations

import asyncio
import json
import re

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine
from starlette.testclient import TestClient

from tests.web.test_committees import App, another_browser, api, app, client, csrf, workshop

__all__ = ["app", "client"]  # the fixtures this module uses


def join(c: TestClient, code: str, name: str, group: str = "Borger") -> str:
    page = c.get(f"/w/{code}")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    r = c.post(
        f"/w/{code}/join", data={"csrf": token.group(1), "display_name": name, "group": group}
    )
    assert r.status_code == 200
    return r.text


def join_code(c: TestClient, workshop_id: str) -> str:
    m = re.search(r'class="code">([A-Z0-9]{6})<', c.get(f"/f/workshops/{workshop_id}").text)
    assert m
    return m.group(1)


def stored(app: App, workshop_id: str) -> str:
    """Every event payload and participant and note row of the workshop, as text."""

    async def read() -> str:
        engine = create_async_engine(app.settings.database_url)
        out = []
        try:
            async with engine.connect() as conn:
                for table in ("events", "participants", "notes", "votes"):
                    rows = await conn.execute(
                        sa.text(f"SELECT * FROM {table} WHERE workshop_id = :w"),
                        {"w": workshop_id},
                    )
                    out += [json.dumps(r._asdict(), default=str, ensure_ascii=False) for r in rows]
        finally:
            await engine.dispose()
        return "\n".join(out)

    return asyncio.run(read())


def test_a_participant_deletes_their_own_data(app: App, client: TestClient) -> None:
    wid = workshop(client)
    code = join_code(client, wid)
    ida = another_browser(app)
    page = join(ida, code, "Ida Sørensen")
    assert "Slet mine data" in page
    assert api(ida, wid, "note.add", "note-ida-1", text="Idas hemmelige idé").status_code == 200
    assert "Ida Sørensen" in stored(app, wid)

    token = csrf(ida, f"/w/{code}")
    r = ida.post(f"/w/{code}/erase", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303  # not confirmed: nothing happens
    assert "Ida Sørensen" in stored(app, wid)
    assert ida.post(f"/w/{code}/erase", data={"confirm": "yes"}).status_code == 403  # no csrf

    r = ida.post(f"/w/{code}/erase", data={"csrf": token, "confirm": "yes"})
    assert r.status_code == 200 and "Dine data er slettet" in r.text
    assert r.headers["Clear-Site-Data"] == '"cache", "storage"'
    text = stored(app, wid)
    assert "Ida Sørensen" not in text and "Idas hemmelige idé" not in text
    # This device has forgotten her: the workshop asks who is joining again.
    assert 'action="/w/' + code + '/join"' in ida.get(f"/w/{code}").text
    # The facilitator's list says the data is erased, and offers no second erasure.
    facilitator_page = client.get(f"/f/workshops/{wid}").text
    assert "slettet deltager" in facilitator_page and "data slettet" in facilitator_page


def test_the_facilitator_erases_a_participant_keeping_their_notes_nameless(
    app: App, client: TestClient
) -> None:
    wid = workshop(client)
    code = join_code(client, wid)
    bo = another_browser(app)
    join(bo, code, "Bo Bertelsen", "Politiker")
    assert api(bo, wid, "note.add", "note-bo-1", text="Bos forslag om busser").status_code == 200
    snap = client.get(f"/api/workshops/{wid}/snapshot").json()["state"]
    (bo_id,) = [p["id"] for p in snap["participants"] if p["display_name"] == "Bo Bertelsen"]
    # Bo cannot erase someone else, nor keep his notes when erasing himself over the API.
    assert (
        api(
            bo, wid, "participant.erase", "erase-x-1", participant_id=bo_id, notes="anonymise"
        ).json()["code"]
        == "erase.notes_go_with_you"
    )
    r = api(client, wid, "participant.erase", "erase-bo-1", participant_id=bo_id, notes="anonymise")
    assert r.status_code == 200, r.text
    text = stored(app, wid)
    assert "Bo Bertelsen" not in text and "Bos forslag om busser" in text
    # Bo is shut out.
    assert api(bo, wid, "note.add", "note-bo-2", text="igen").status_code in (403, 422)
