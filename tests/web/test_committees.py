"""Task committees through Starlette's TestClient: the set-up form (good, bad, the 100-day test
group), the d'Hondt allocation with its tie explained, grouping a workshop into a committee, and
"move to backlog" from a meeting's note, linked both ways and safe to retry."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings
from server.store.migrate import upgrade
from server.web.committees import item_id_for, item_words, parse_parties
from tests.support import FACILITATOR, PASSWORD, SECRET

COUNCIL = "C 13, A 2, V 1, B 1, Ø 1, F 1"
OTHER = "anden"  # a second facilitator


@dataclass
class App:
    client: TestClient
    settings: Settings


@pytest.fixture
def app(sqlite_url: str) -> Iterator[App]:
    upgrade(sqlite_url)
    settings = Settings.from_env({"DATABASE_URL": sqlite_url, "SECRET_KEY": SECRET})
    from server.__main__ import _create_facilitator

    asyncio.run(_create_facilitator(settings, FACILITATOR, PASSWORD))
    asyncio.run(_create_facilitator(settings, OTHER, PASSWORD))
    with TestClient(create_app(settings)) as c:
        yield App(c, settings)


@pytest.fixture
def client(app: App) -> TestClient:
    login(app.client)
    return app.client


def another_browser(app: App) -> TestClient:
    """Another person's browser on the same running app (its own cookies; the app's lifespan
    is the first client's)."""
    return TestClient(app.client.app)


def csrf(c: TestClient, path: str = "/f") -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m
    return m.group(1)


def login(c: TestClient, name: str = FACILITATOR) -> None:
    r = c.post("/login", data={"csrf": csrf(c, "/login"), "name": name, "password": PASSWORD})
    assert r.status_code == 200 and "Dine workshops" in r.text


def set_up(c: TestClient, **fields: str) -> Any:
    data = {
        "csrf": csrf(c),
        "name": "Opgaveudvalg om Ungepolitik",
        "unit": "points",
        "capacity_rule": "refuse",
        "parties": "",
        "political_seats": "",
        **fields,
    }
    return c.post("/f/committees", data=data)


def committee(c: TestClient, **fields: str) -> str:
    r = set_up(c, **fields)
    assert r.status_code == 200, r.text[:2000]
    assert r.url.path.startswith("/f/workshops/")
    return str(r.url.path).rsplit("/", 1)[1]


def workshop(c: TestClient, title: str = "Første møde") -> str:
    data = {"csrf": csrf(c), "title": title, "date": "2026-11-22", "groups": "Politiker\nBorger"}
    r = c.post("/f/workshops", data=data)
    assert r.status_code == 200
    return r.url.path.rsplit("/", 1)[1]


def snapshot(c: TestClient, workshop_id: str) -> dict[str, Any]:
    r = c.get(f"/api/workshops/{workshop_id}/snapshot")
    assert r.status_code == 200, r.text
    state: dict[str, Any] = r.json()["state"]
    return state


def api(c: TestClient, workshop_id: str, type_: str, command_id: str, **fields: Any) -> Any:
    return c.post(
        f"/api/workshops/{workshop_id}/commands",
        json={"type": type_, "command_id": command_id, **fields},
    )


def group(c: TestClient, committee_id: str, workshop_id: str, **headers: str) -> Any:
    return c.post(
        f"/f/committees/{committee_id}/meetings",
        data={"csrf": csrf(c), "workshop_id": workshop_id},
        headers=headers,
    )


def nothing_created(c: TestClient) -> bool:
    page = c.get("/f").text
    return "Ingen workshops endnu." in page and "Ingen udvalg endnu." in page


# --- the set-up form ------------------------------------------------------------------------


def test_the_dashboard_has_the_committee_forms(client: TestClient) -> None:
    page = client.get("/f").text
    assert 'action="/f/committees"' in page and "Nyt opgaveudvalg" in page
    assert 'name="parties"' in page and 'name="test_group"' in page
    assert 'hx-get="/f/committees/allocation"' in page


def test_a_committee_is_set_up_with_its_d_hondt_allocation(client: TestClient) -> None:
    cid = committee(client, parties=COUNCIL, political_seats="14", capacity_rule="warn")
    c = snapshot(client, cid)["committee"]
    assert (c["name"], c["unit"], c["capacity_rule"], c["test_group"]) == (
        "Opgaveudvalg om Ungepolitik",
        "points",
        "warn",
        False,
    )
    assert c["political_seats"] == 14
    assert {p["name"]: p["seats"] for p in c["parties"]} == {
        "C": 12,
        "A": 1,
        "V": 0,
        "B": 0,
        "Ø": 0,
        "F": 0,
    }
    assert c["allocation"]["tie"]["parties"] == ["C", "A", "V", "B", "Ø", "F"]
    assert c["sprints"] == [] and c["items"] == []
    page = client.get("/f").text
    assert f'<a href="/f/workshops/{cid}">Opgaveudvalg om Ungepolitik</a>' in page


def test_a_committee_without_parties(client: TestClient) -> None:
    cid = committee(client, unit="hours")
    c = snapshot(client, cid)["committee"]
    assert c["unit"] == "hours" and c["parties"] == [] and c["allocation"] is None


@pytest.mark.parametrize(
    ("fields", "shown"),
    [
        ({"parties": "C 13, A", "political_seats": "3"}, "»A« kan ikke læses"),
        ({"parties": "C tretten", "political_seats": "3"}, "»C tretten« kan ikke læses"),
        ({"parties": "C 13, A 2", "political_seats": "to"}, "skal være et helt tal"),
        ({"parties": "C 13, A 2", "political_seats": "25"}, "mellem 1 og 15 politiske pladser"),
        ({"parties": "C 13, A 2", "political_seats": "0"}, "mellem 1 og 15 politiske pladser"),
        ({"parties": "C 13, C 2", "political_seats": "3"}, "to gange"),
        ({"parties": "C 13", "test_group": "on"}, "ingen politiske pladser"),
        ({"test_group": "on", "start": "1. december"}, "gyldig dato"),
        ({"name": "   "}, None),
        ({"unit": "days"}, None),
        ({"capacity_rule": "never"}, None),
        ({"test_group": "on", "start": "2026-12-01", "capacity": "mange"}, None),
        ({"test_group": "on", "start": "2026-12-01", "capacity": "0"}, None),
    ],
)
def test_a_bad_form_is_answered_specifically_and_creates_nothing(
    client: TestClient, fields: dict[str, str], shown: str | None
) -> None:
    r = set_up(client, **fields)
    assert r.status_code == 422
    assert 'class="error" role="alert"' in r.text
    if shown is not None:
        assert shown in r.text, r.text[-3000:]
    for k, v in fields.items():  # the form comes back as it was sent
        if k not in ("test_group", "unit", "capacity_rule") and v.strip():
            assert v.replace("»", "") in r.text or v in r.text
    assert nothing_created(client)


def test_a_form_without_its_csrf_token_is_refused(client: TestClient) -> None:
    r = client.post("/f/committees", data={"name": "X", "unit": "points"})
    assert r.status_code == 403
    assert nothing_created(client)


def test_the_set_up_form_needs_a_facilitator(app: App) -> None:
    r = app.client.post("/f/committees", data={"name": "X"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_a_100_day_test_group_gets_its_one_sprint_of_100_days(client: TestClient) -> None:
    cid = committee(
        client, test_group="on", start="2026-12-01", capacity="60", goal="Et ungeråd er i gang"
    )
    state = snapshot(client, cid)
    c = state["committee"]
    assert c["test_group"] is True and c["test_group_size"] == [2, 4]
    (s,) = c["sprints"]
    assert (s["start"], s["end"], s["capacity"], s["status"]) == (
        "2026-12-01",
        "2027-03-10",
        60,
        "planning",
    )
    assert [g["text"] for g in s["goals"]] == ["Et ungeråd er i gang"]
    assert state["date"] == "2026-12-01"


def test_a_test_group_without_a_goal_gets_the_default_one(client: TestClient) -> None:
    cid = committee(client, test_group="on", start="2026-12-01", capacity="", goal="")
    (s,) = snapshot(client, cid)["committee"]["sprints"]
    assert [g["text"] for g in s["goals"]] == ["Afprøve idéen på 100 dage"]
    assert s["capacity"] == 100 and s["name"] == "100 dage"


def test_parties_are_read_strictly() -> None:
    assert parse_parties(COUNCIL) == [("C", 13), ("A", 2), ("V", 1), ("B", 1), ("Ø", 1), ("F", 1)]
    assert parse_parties("C 13\nA  2;\n\nDet Radikale Venstre 1") == [
        ("C", 13),
        ("A", 2),
        ("Det Radikale Venstre", 1),
    ]
    assert parse_parties("") == []
    for bad in ("C", "13", "C 1.5", "C -1", "C 1000", "C ١٣"):
        with pytest.raises(Exception) as e:
            parse_parties(bad)
        assert getattr(e.value, "code", None) == "committee.party_format", bad


# --- d'Hondt --------------------------------------------------------------------------------


def test_the_preview_shows_each_seat_s_quotient_and_explains_the_tie(client: TestClient) -> None:
    r = client.get("/f/committees/allocation", params={"parties": COUNCIL, "political_seats": "14"})
    assert r.status_code == 200
    page = r.text
    assert '<td data-party="C">12</td>' in page and '<td data-party="A">1</td>' in page
    assert '<td data-party="Ø">0</td>' in page
    assert "<td>6</td><td>C</td><td>13 / 6 = 2,17</td>" in page
    assert "<td>7</td><td>A</td><td>2 / 1 = 2,00</td>" in page
    assert "<td>13</td><td>C</td><td>13 / 12 = 1,08</td>" in page
    assert 'data-tie-seats="1"' in page
    assert "Stemmelighed om 1 af pladserne: C, A, V, B, Ø, F står lige med kvotienten 1,00" in page
    assert "lodtrækning" in page
    assert page.count("<tr><td>") == 13  # 13 seats follow from the numbers, the 14th is drawn


def test_the_preview_in_english_and_without_a_tie(client: TestClient) -> None:
    client.post("/language", data={"csrf": csrf(client), "locale": "en", "next": "/f"})
    r = client.get(
        "/f/committees/allocation", params={"parties": "C 13, A 2", "political_seats": "3"}
    )
    assert "13 / 2 = 6.50" in r.text and "no tie" in r.text


def test_the_preview_says_why_it_cannot_allocate(client: TestClient) -> None:
    r = client.get(
        "/f/committees/allocation", params={"parties": "C 13, A", "political_seats": "2"}
    )
    assert r.status_code == 200 and 'data-code="committee.party_format"' in r.text
    r = client.get("/f/committees/allocation", params={"parties": "", "political_seats": "2"})
    assert 'data-code="committee.parties"' in r.text


def test_a_committee_s_allocation_for_its_page(app: App, client: TestClient) -> None:
    cid = committee(client, parties=COUNCIL, political_seats="14")
    r = client.get(f"/f/committees/{cid}/allocation")
    assert r.status_code == 200 and "Stemmelighed om 1 af pladserne" in r.text
    plain = committee(client, name="Uden partier")
    assert client.get(f"/f/committees/{plain}/allocation").status_code == 404
    assert client.get("/f/committees/nope/allocation").status_code == 404
    client.cookies.clear()
    assert client.get(f"/f/committees/{cid}/allocation").status_code == 403


# --- meetings -------------------------------------------------------------------------------


def test_a_workshop_is_grouped_into_a_committee_once(client: TestClient) -> None:
    cid = committee(client)
    wid = workshop(client)
    assert f'<option value="{wid}">' in client.get("/f").text
    r = group(client, cid, wid)
    assert r.status_code == 200 and r.url.path == f"/f/workshops/{cid}"
    r = group(client, cid, wid, **{"HX-Request": "true"})  # a retry: nothing twice
    assert r.status_code == 200 and 'role="status"' in r.text
    (m,) = snapshot(client, cid)["committee"]["meetings"]
    assert m == {"workshop_id": wid, "title": "Første møde", "date": "2026-11-22"}
    page = client.get("/f").text
    assert f'<option value="{wid}">' not in page  # no longer free to group
    assert f'<a href="/f/workshops/{wid}">Første møde</a> (2026-11-22)' in page


def test_grouping_is_refused_for_other_committees_committees_and_others_workshops(
    app: App, client: TestClient
) -> None:
    cid, other = committee(client), committee(client, name="Andet udvalg")
    wid = workshop(client)
    assert group(client, cid, wid).status_code == 200
    r = group(client, other, wid)
    assert r.status_code == 422 and "allerede møde i et andet udvalg" in r.text
    r = group(client, cid, other)
    assert r.status_code == 422 and "kan ikke være møde" in r.text
    r = group(client, wid, workshop(client, "Andet møde"))  # not a committee
    assert r.status_code == 404
    # Another facilitator's committee and workshop are not found, as their pages are not.
    stranger = another_browser(app)
    login(stranger, OTHER)
    theirs = workshop(stranger, "Deres møde")
    assert group(stranger, cid, theirs).status_code == 404
    mine = workshop(client, "Mit møde")
    their_committee = committee(stranger, name="Deres udvalg")
    assert group(client, their_committee, mine).status_code == 404
    assert group(client, cid, theirs).status_code == 404
    assert len(snapshot(client, cid)["committee"]["meetings"]) == 1


# --- move to backlog ------------------------------------------------------------------------


def note_on(c: TestClient, workshop_id: str, text: str) -> str:
    r = api(c, workshop_id, "note.add", f"note-{abs(hash(text))}", text=text)
    assert r.status_code == 200, r.text
    (n,) = [n for n in snapshot(c, workshop_id)["boards"][0]["notes"] if n["text"] == text]
    return str(n["id"])


def move(c: TestClient, workshop_id: str, note_id: str, **headers: str) -> Any:
    return c.post(
        f"/f/workshops/{workshop_id}/notes/{note_id}/backlog",
        data={"csrf": csrf(c)},
        headers=headers,
    )


def test_move_to_backlog_links_the_note_and_the_item_both_ways_and_only_once(
    client: TestClient,
) -> None:
    cid, wid = committee(client), workshop(client)
    group(client, cid, wid)
    text = "Et ungeråd med egen økonomi\nSå de unge selv kan sætte ting i gang"
    nid = note_on(client, wid, text)
    r = move(client, wid, nid, **{"HX-Request": "true"})
    assert r.status_code == 200
    assert 'role="status"' in r.text and "Opgaveudvalg om Ungepolitik" in r.text
    item_id = item_id_for(wid, nid)
    assert f'data-item-id="{item_id}"' in r.text
    for retry in (move(client, wid, nid), move(client, wid, nid, **{"HX-Request": "true"})):
        assert retry.status_code == 200
    (item,) = snapshot(client, cid)["committee"]["items"]
    assert item["id"] == item_id and item["source"] == {"workshop_id": wid, "note_id": nid}
    assert (item["title"], item["description"]) == ("Et ungeråd med egen økonomi", text)
    assert snapshot(client, cid)["committee"]["backlog"] == [item_id]
    (note,) = snapshot(client, wid)["boards"][0]["notes"]
    assert note["backlog"] == {"committee_id": cid, "item_id": item_id}


def test_move_to_backlog_without_htmx_goes_back_to_the_meeting(client: TestClient) -> None:
    cid, wid = committee(client), workshop(client)
    group(client, cid, wid)
    nid = note_on(client, wid, "Flere bænke ved søen")
    r = client.post(
        f"/f/workshops/{wid}/notes/{nid}/backlog",
        data={"csrf": csrf(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/f/workshops/{wid}"
    (item,) = snapshot(client, cid)["committee"]["items"]
    assert item["title"] == "Flere bænke ved søen" and item["description"] == ""


def test_move_to_backlog_is_refused_where_it_cannot_be_done(app: App, client: TestClient) -> None:
    cid, wid, alone = committee(client), workshop(client), workshop(client, "Uden udvalg")
    group(client, cid, wid)
    nid, lone = note_on(client, wid, "En idé"), note_on(client, alone, "En anden idé")
    hx = {"HX-Request": "true"}
    r = move(client, alone, lone, **hx)
    assert r.status_code == 422 and 'data-code="backlog.no_committee"' in r.text
    assert move(client, wid, "nope", **hx).status_code == 404
    assert move(client, "nope", nid, **hx).status_code == 404
    r = client.post(f"/f/workshops/{wid}/notes/{nid}/backlog", data={}, headers=hx)
    assert r.status_code == 403 and 'data-code="form.csrf"' in r.text
    # A participant of the meeting, and another facilitator, may not.
    code = re.search(r'class="code">([A-Z2-9]{6})<', client.get(f"/f/workshops/{wid}").text)
    assert code
    for who in ("participant", OTHER):
        other = another_browser(app)
        if who == OTHER:
            login(other, OTHER)
        else:
            r = other.post(
                f"/w/{code.group(1)}/join",
                data={"csrf": csrf(other, f"/w/{code.group(1)}"), "group": "Borger"},
            )
            assert r.status_code == 200
        r = other.post(
            f"/f/workshops/{wid}/notes/{nid}/backlog",
            data={"csrf": csrf(other, "/")},
            headers=hx,
        )
        assert r.status_code == 403
    assert snapshot(client, cid)["committee"]["items"] == []
    client.cookies.clear()
    r = client.post(f"/f/workshops/{wid}/notes/{nid}/backlog", data={}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_a_long_note_becomes_a_shortened_title_and_the_whole_text() -> None:
    title, description = item_words("x" * 300)
    assert len(title) == 120 and title.endswith("…") and description == "x" * 300
    assert item_words("  Kort  ") == ("Kort", "")
    assert item_id_for("w1", "n1") == item_id_for("w1", "n1") != item_id_for("w2", "n1")


# --- the committee's messages over the JSON API ---------------------------------------------


def test_the_backlog_messages_work_over_the_api(client: TestClient) -> None:
    cid = committee(client)
    assert (
        api(client, cid, "item.add", "add-0001", title="Ungeråd", estimate="3").status_code == 200
    )
    assert (
        api(client, cid, "item.add", "add-0002", title="Skatepark", estimate=5).status_code == 200
    )
    c = snapshot(client, cid)["committee"]
    a, b = c["backlog"]
    r = api(client, cid, "item.move", "move-0001", item_id=b, index=0)
    assert r.status_code == 200
    assert snapshot(client, cid)["committee"]["backlog"] == [b, a]
    r = api(
        client,
        cid,
        "sprint.create",
        "sprint-0001",
        name="Sprint 1",
        goals="Høring af unge",
        start="2026-11-02",
        end="2026-11-15",
        capacity="6",
    )
    assert r.status_code == 200
    (s,) = snapshot(client, cid)["committee"]["sprints"]
    assert (
        api(client, cid, "sprint.plan", "plan-0001", sprint_id=s["id"], item_id=b).status_code
        == 200
    )
    r = api(client, cid, "sprint.plan", "plan-0002", sprint_id=s["id"], item_id=a)
    assert r.status_code == 422 and r.json()["code"] == "sprint.over_capacity"
    assert "6" in r.json()["message"] and "8" in r.json()["message"]
