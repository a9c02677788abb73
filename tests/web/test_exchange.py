"""Exports and the import through Starlette's TestClient, as a facilitator uses them: the JSON
and CSV downloads of a seeded workshop, the dashboard's import form (a new workshop appears;
a bad file is answered with the reason and creates nothing), and who may do any of it."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from server.exchange.export import checksum
from server.web import exchange
from tests.report_seed import QUESTION, Seeded, seed_workshop
from tests.web.running import OTHER, csrf, login, running_app

TITLE = "Visionsværksted 2030"


@dataclass
class App:
    client: TestClient
    db: Path
    seeded: Seeded

    @property
    def wid(self) -> str:
        return self.seeded.workshop_id

    def browser(self) -> TestClient:
        """Another person's browser on the same running app."""
        return TestClient(self.client.app)

    def sql(self, query: str, *args: Any) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(query, args).fetchall()

    def counts(self) -> tuple[int, int]:
        ((w, e),) = self.sql(
            "SELECT (SELECT count(*) FROM workshops), (SELECT count(*) FROM events)"
        )
        return w, e


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    with running_app(tmp_path_factory.mktemp("exchange")) as r:
        assert r.client.portal is not None
        seeded = r.client.portal.call(seed_workshop, r.service, r.facilitator_id)
        yield App(r.client, r.db, seeded)


def exported(app: App) -> bytes:
    r = app.client.get(f"/f/workshops/{app.wid}/export.json")
    assert r.status_code == 200
    return r.content


def listed(app: App) -> int:
    """How many workshops titled TITLE the dashboard lists."""
    return app.client.get("/f").text.count(f">{TITLE}</a>")


def upload(c: TestClient, data: bytes, token: str | None = None) -> httpx2.Response:
    form = {} if token is None else {"csrf": token}
    return c.post(
        "/f/import",
        data=form,
        files={"file": ("workshop.json", data, "application/json")},
        follow_redirects=False,
    )


# --- downloads ------------------------------------------------------------------------------


def test_the_json_export_is_a_download(app: App) -> None:
    r = app.client.get(f"/f/workshops/{app.wid}/export.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert r.headers["content-disposition"] == (
        'attachment; filename="visionsvaerksted-2030-samskab.json"'
    )
    doc = r.json()
    assert (doc["format"], doc["version"]) == ("samskab.workshop", 1)
    assert doc["checksum"] == checksum(doc["workshop"])
    assert doc["workshop"]["title"] == TITLE
    # No internal id of the stored workshop is in the file.
    for (note_id,) in app.sql("SELECT id FROM notes WHERE workshop_id = ?", app.wid):
        assert note_id not in r.text
    assert app.wid not in r.text


def test_the_csv_files_are_downloads_in_the_readers_language(app: App) -> None:
    heads = {
        "notes": ("Tavle", "Board"),
        "questions": ("Spørgsmål", "Question"),
        "votes": ("Spørgsmål", "Question"),
        "dilemmas": ("Kort", "Card"),
    }
    for locale, i in (("da", 0), ("en", 1)):
        r = app.client.post("/language", data={"csrf": csrf(app.client), "locale": locale})
        for kind, words in heads.items():
            r = app.client.get(f"/f/workshops/{app.wid}/export/{kind}.csv")
            assert r.status_code == 200
            assert r.headers["content-type"] == "text/csv; charset=utf-8"
            assert r.headers["content-disposition"] == (
                f'attachment; filename="visionsvaerksted-2030-{kind}.csv"'
            )
            rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"), newline="")))
            assert rows[0][0] == words[i]
    app.client.post("/language", data={"csrf": csrf(app.client), "locale": "da"})


def test_raw_votes_of_the_anonymous_question_are_in_no_file(app: App) -> None:
    votes = app.client.get(f"/f/workshops/{app.wid}/export/votes.csv").content.decode("utf-8-sig")
    assert QUESTION not in votes
    doc = json.loads(exported(app))
    vision = next(q for q in doc["workshop"]["questions"] if q["text"] == QUESTION)
    assert "votes" not in vision["result"] and "participant" not in json.dumps(vision)


# --- who may ----------------------------------------------------------------------------------

PATHS = ("/export.json", "/export/notes.csv", "/export/questions.csv", "/export/votes.csv")


def test_without_a_login_the_answer_is_the_login_page(app: App) -> None:
    nobody = app.browser()
    for path in (*PATHS, "/export/dilemmas.csv"):
        r = nobody.get(f"/f/workshops/{app.wid}{path}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"
    r = upload(nobody, exported(app), csrf(nobody, "/login"))
    assert r.status_code == 303 and r.headers["location"] == "/login"


def test_another_facilitators_workshop_is_not_found(app: App) -> None:
    other = app.browser()
    login(other, OTHER)
    for path in PATHS:
        r = other.get(f"/f/workshops/{app.wid}{path}")
        assert r.status_code == 404 and TITLE not in r.text


def test_a_participant_cannot_export(app: App) -> None:
    (code,) = app.sql("SELECT join_code FROM workshops WHERE id = ?", app.wid)[0]
    participant = app.browser()
    r = participant.post(
        f"/w/{code}/join",
        data={"csrf": csrf(participant, f"/w/{code}"), "display_name": "Gitte", "group": "Borger"},
    )
    assert r.status_code == 200
    for path in PATHS:
        r = participant.get(f"/f/workshops/{app.wid}{path}", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login"


def test_a_committee_has_no_workshop_export(app: App) -> None:
    r = app.client.get(f"/f/workshops/{app.seeded.committee_id}/export.json")
    assert r.status_code == 404


# --- the import form --------------------------------------------------------------------------


def test_the_dashboard_has_the_import_form(app: App) -> None:
    page = app.client.get("/f").text
    form = re.search(r'<form method="post" action="/f/import"[^>]*>(.*?)</form>', page, re.S)
    assert form is not None and 'enctype="multipart/form-data"' in form.group(0)
    assert '<label for="import-file">Eksporteret fil (.json)</label>' in form.group(1)
    assert 'id="import-file" name="file" type="file"' in form.group(1)
    assert 'name="csrf" value="' in form.group(1)
    assert '<h2 id="import-heading">Importér en workshop</h2>' in page


def test_an_export_imports_as_a_new_workshop(app: App) -> None:
    before = listed(app)
    r = upload(app.client, exported(app), csrf(app.client))
    assert r.status_code == 303
    new_id = r.headers["location"].rsplit("/", 1)[1]
    assert new_id != app.wid
    assert listed(app) == before + 1
    page = app.client.get(r.headers["location"])
    assert page.status_code == 200 and TITLE in page.text
    # The copy exports to the same file, apart from the date it was made.
    again = app.client.get(f"/f/workshops/{new_id}/export.json").json()
    first = json.loads(exported(app))
    assert {**again, "exported_at": ""} == {**first, "exported_at": ""}


def refused(app: App, data: bytes, status: int = 422, token: bool = True) -> str:
    before, listed_before = app.counts(), listed(app)
    r = upload(app.client, data, csrf(app.client) if token else None)
    assert r.status_code == status
    assert app.counts() == before and listed(app) == listed_before
    return r.text


def alert(page: str) -> str:
    m = re.search(r'<p class="error" role="alert" id="import-error">([^<]*)</p>', page)
    assert m, page[-2000:]
    return str(m.group(1))


def test_a_changed_file_is_refused_with_the_reason(app: App) -> None:
    doc = json.loads(exported(app))
    total = doc["workshop"]["questions"][0]["result"]["total_histogram"]
    total[0], total[10] = total[0] + 1, total[10] - 1  # the 10 a Borger gave is gone
    page = refused(app, json.dumps(doc).encode())
    assert alert(page).startswith("Filen er blevet ændret efter eksporten")
    doc["checksum"] = checksum(doc["workshop"])
    page = refused(app, json.dumps(doc).encode())
    assert alert(page).startswith(
        "Filens tal går ikke op ved questions[0].result.groups[1].histogram."
    )


def test_a_file_that_is_not_json_is_refused(app: App) -> None:
    page = refused(app, b"Titel;Dato\nVision;2026-11-20\n")
    assert alert(page) == "Filen er ikke gyldig JSON (linje 1, kolonne 1)."
    assert refused(app, b"", status=422).count('role="alert"') >= 1


def test_a_note_the_rules_refuse_is_named(app: App) -> None:
    doc = json.loads(exported(app))
    doc["workshop"]["boards"][1]["columns"][0]["notes"][0]["text"] = "x" * 600
    doc["checksum"] = checksum(doc["workshop"])
    page = refused(app, json.dumps(doc).encode())
    assert alert(page) == (
        "Elementet boards[1].columns[0].notes[0] kunne ikke importeres: "
        "Noten er for lang (højst 500 tegn)."
    )


def test_an_import_without_its_csrf_token_is_refused(app: App) -> None:
    refused(app, exported(app), status=403, token=False)


def test_a_file_too_large_is_refused(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    data = exported(app)
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", len(data) // 2)
    page = refused(app, data, status=413)
    assert alert(page).startswith("Filen er for stor")
