"""Every facilitator endpoint the app routes, for every role that is not its owner: nobody,
a participant of the workshop, and another facilitator. None of them gets the page, the file
or the change, and none learns the workshop's title; the owner gets every page (the
authorization table of docs/SECURITY.md). The list of endpoints is read from the app itself,
so a new route cannot slip past."""

from __future__ import annotations

import re

from starlette.routing import Route
from starlette.testclient import TestClient

from tests.support import PASSWORD
from tests.web.test_committees import (
    OTHER,
    App,
    another_browser,
    app,
    client,
    committee,
    csrf,
    workshop,
)

__all__ = ["app", "client"]  # the fixtures this module uses

TITLE = "Hemmeligt værksted"
# Endpoints about no existing workshop: any facilitator may use them for their own work.
OWN_WORK = {
    ("POST", "/f/workshops"),
    ("POST", "/f/committees"),
    ("POST", "/f/import"),
    ("GET", "/f/committees/allocation"),
}


def facilitator_routes(c: TestClient) -> list[tuple[str, str]]:
    """(method, path pattern) of every route under /f/."""
    out = []
    for r in c.app.routes:  # type: ignore[attr-defined]
        if isinstance(r, Route) and r.path.startswith("/f/"):
            for method in sorted((r.methods or set()) - {"HEAD"}):
                out.append((method, r.path))
    return out


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids.get(m.group(1), "x0x0x0x0"), path)


def test_nobody_a_participant_or_another_facilitator_gets_any_facilitator_endpoint(
    app: App, client: TestClient
) -> None:
    wid = workshop(client, TITLE)
    cid = committee(client, name="Hemmeligt udvalg")
    code = re.search(r'class="code">([A-Z0-9]{6})<', client.get(f"/f/workshops/{wid}").text)
    assert code
    snap = client.get(f"/api/workshops/{wid}/snapshot").json()
    note_board = snap["state"]["boards"][0]["id"]
    assert note_board

    participant = another_browser(app)
    page = participant.get(f"/w/{code.group(1)}")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert token
    joined = participant.post(
        f"/w/{code.group(1)}/join",
        data={"csrf": token.group(1), "display_name": "Ida", "group": "Borger"},
    )
    assert joined.status_code == 200
    other = another_browser(app)
    r = other.post(
        "/login", data={"csrf": csrf(other, "/login"), "name": OTHER, "password": PASSWORD}
    )
    assert r.status_code == 200
    nobody = another_browser(app)

    routes = facilitator_routes(client)
    assert len(routes) >= 20, routes
    for who, c in (("nobody", nobody), ("participant", participant), ("other", other)):
        for method, pattern in routes:
            if who == "other" and (method, pattern) in OWN_WORK:
                continue  # a facilitator makes their own workshops; nothing of the owner's
            ids = {"workshop_id": wid, "committee_id": cid, "note_id": "n1", "asset_id": "a1"}
            path = fill(pattern, ids)
            data = {"csrf": csrf(c, "/") if method == "POST" else ""}
            r = c.request(
                method, path, data=data if method == "POST" else None, follow_redirects=False
            )
            where = (who, method, pattern, r.status_code)
            assert r.status_code in (303, 401, 403, 404, 422), where
            if r.status_code == 303:
                assert r.headers["location"].endswith("/login"), where
            assert TITLE not in r.text and "Hemmeligt udvalg" not in r.text, where

    # The owner reaches every page of theirs (GET), the committee's under its own id.
    for method, pattern in routes:
        if method != "GET" or "{note_id}" in pattern or "{asset_id}" in pattern:
            continue
        if pattern.endswith("/allocation"):
            continue  # d'Hondt fragments: need parties (404 `committee.no_parties` without)
        is_committee = pattern.startswith("/f/committees/")
        ids = {"workshop_id": cid if is_committee else wid, "committee_id": cid}
        r = client.get(fill(pattern, ids), follow_redirects=False)
        assert r.status_code in (200, 303), (pattern, r.status_code)
        if r.status_code == 303:  # a committee's workshop report is its committee report
            assert "/f/committees/" in r.headers["location"], pattern
