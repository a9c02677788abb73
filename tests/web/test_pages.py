"""Pages and forms through Starlette's TestClient: login, CSRF, workshops, joining, language."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.settings import Settings, SettingsError
from server.store.migrate import upgrade
from tests.support import FACILITATOR, PASSWORD, SECRET


@pytest.fixture
def client(sqlite_url: str) -> Iterator[TestClient]:
    upgrade(sqlite_url)
    settings = Settings.from_env({"DATABASE_URL": sqlite_url, "SECRET_KEY": SECRET})
    from server.__main__ import _create_facilitator

    asyncio.run(_create_facilitator(settings, FACILITATOR, PASSWORD))
    with TestClient(create_app(settings)) as c:
        yield c


def csrf(c: TestClient, path: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m
    return m.group(1)


def login(c: TestClient, password: str = PASSWORD) -> None:
    r = c.post(
        "/login", data={"csrf": csrf(c, "/login"), "name": FACILITATOR, "password": password}
    )
    assert r.status_code == 200 and "Dine workshops" in r.text


def create_workshop(c: TestClient, title: str, groups: str) -> Any:
    """The facilitator's "create workshop" form, as submitted from the dashboard."""
    data = {"csrf": csrf(c, "/f"), "title": title, "date": "2026-11-22", "groups": groups}
    return c.post("/f/workshops", data=data)


def test_session_cookie_is_httponly_lax_and_at_most_12_hours(client: TestClient) -> None:
    r = client.get("/login")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    max_age = int(re.search(r"max-age=(\d+)", cookie).group(1))  # type: ignore[union-attr]
    assert 0 < max_age <= 12 * 3600
    assert "secure" not in cookie  # plain http in development


def test_security_headers_on_pages(client: TestClient) -> None:
    r = client.get("/")
    csp = r.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "frame-ancestors 'none'" in csp
        and "unsafe-inline" not in csp
    )
    assert r.headers["x-content-type-options"] == "nosniff"


def test_wrong_password_is_refused_with_a_danish_message(client: TestClient) -> None:
    r = client.post(
        "/login", data={"csrf": csrf(client, "/login"), "name": FACILITATOR, "password": "nope"}
    )
    assert r.status_code == 401 and "Forkert navn eller adgangskode" in r.text
    assert client.get("/f").url.path == "/login"


def test_forms_without_csrf_token_are_refused(client: TestClient) -> None:
    r = client.post("/login", data={"name": FACILITATOR, "password": PASSWORD})
    assert r.status_code == 403
    login(client)
    r = client.post("/f/workshops", data={"title": "X", "date": "2026-11-22", "groups": "A"})
    assert r.status_code == 403


def test_facilitator_creates_a_workshop_with_code_link_and_qr(client: TestClient) -> None:
    login(client)
    r = create_workshop(client, "Ungepolitik <script>", "Politiker\nBorger\nMedarbejder")
    assert r.status_code == 200
    assert "Ungepolitik &lt;script&gt;" in r.text and "<script>alert" not in r.text
    code = re.search(r'class="code">([A-Z2-9]{6})<', r.text).group(1)  # type: ignore[union-attr]
    assert f"/w/{code}" in r.text
    workshop_id = r.url.path.rsplit("/", 1)[1]
    qr = client.get(f"/f/workshops/{workshop_id}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in qr.text
    assert 'xmlns="http://www.w3.org/2000/svg"' in qr.text  # an image needs its namespace


def test_bad_workshop_form_is_answered_with_a_specific_error_and_nothing_created(
    client: TestClient,
) -> None:
    login(client)
    token = csrf(client, "/f")
    r = client.post(
        "/f/workshops", data={"csrf": token, "title": "X", "date": "22/11/2026", "groups": "A"}
    )
    assert r.status_code == 422 and "gyldig dato" in r.text
    r = client.post(
        "/f/workshops", data={"csrf": token, "title": "X", "date": "2026-11-22", "groups": "A\nA"}
    )
    assert r.status_code == 422 and "samme navn" in r.text
    assert "Ingen workshops endnu." in client.get("/f").text


def test_participant_joins_anonymously_and_rejoining_keeps_the_identity(client: TestClient) -> None:
    login(client)
    r = create_workshop(client, "Vision", "Politiker\nBorger")
    code = re.search(r'class="code">([A-Z2-9]{6})<', r.text).group(1)  # type: ignore[union-attr]
    client.cookies.clear()  # now a participant's browser
    r = client.post("/join", data={"csrf": csrf(client, "/"), "code": code.lower()})
    assert r.url.path == f"/w/{code}" and "Jeg deltager som" in r.text
    r = client.post(
        f"/w/{code}/join",
        data={"csrf": csrf(client, f"/w/{code}"), "display_name": "", "group": "Rådmand"},
    )
    assert r.status_code == 422 and "Vælg en af workshoppens grupper" in r.text
    r = client.post(
        f"/w/{code}/join",
        data={"csrf": csrf(client, f"/w/{code}"), "display_name": "", "group": "Borger"},
    )
    assert r.status_code == 200 and "Tilføj note" in r.text
    me = re.search(r'data-me="([0-9a-f]+)"', r.text).group(1)  # type: ignore[union-attr]
    again = client.get(f"/w/{code}")
    assert re.search(r'data-me="([0-9a-f]+)"', again.text).group(1) == me  # type: ignore[union-attr]
    r = client.post(
        f"/w/{code}/leave", data={"csrf": csrf(client, f"/w/{code}")}, follow_redirects=False
    )
    # A shared tablet: the browser is told to drop the site's cached pages and storage too.
    assert r.status_code == 303 and r.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "Jeg deltager som" in client.get(f"/w/{code}").text


def test_unknown_code_says_so(client: TestClient) -> None:
    r = client.get("/w/ZZZZZZ")
    assert r.status_code == 404 and "Ingen workshop har den kode" in r.text


def test_english_can_be_chosen(client: TestClient) -> None:
    r = client.post("/language", data={"csrf": csrf(client, "/"), "locale": "en", "next": "/login"})
    assert r.url.path == "/login" and "Facilitator login" in r.text and 'lang="en"' in r.text


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(SettingsError):
        Settings.from_env({"SAMSKAB_ENV": "production"})
    ok = Settings.from_env({"SAMSKAB_ENV": "production", "SECRET_KEY": "k" * 40})
    assert ok.env == "production"


def test_healthz_reports_a_broken_database_as_503(tmp_path: object) -> None:
    settings = Settings.from_env(
        {"DATABASE_URL": "postgresql+asyncpg://nobody@127.0.0.1:1/none", "SECRET_KEY": SECRET}
    )
    with TestClient(create_app(settings)) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] == "down" and r.json()["broker"] == "ok"


def test_behind_https_the_session_cookie_is_secure(sqlite_url: str) -> None:
    upgrade(sqlite_url)
    settings = Settings.from_env(
        {"DATABASE_URL": sqlite_url, "SECRET_KEY": SECRET, "SECURE_COOKIES": "true"}
    )
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        cookie = c.get("/login").headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


HTMX_CONFIG = re.compile(r"<meta name=\"htmx-config\" content='([^']+)'>")


def test_every_page_turns_off_htmx_eval_script_tags_and_history(client: TestClient) -> None:
    """Shared tablets: no page is kept in htmx's history cache for the next person, and htmx
    runs no script that came in a response (on top of the CSP without inline script)."""
    login(client)
    r = create_workshop(client, "Trafik", "Borger")
    code = re.search(r'class="code">([A-Z2-9]{6})<', r.text).group(1)  # type: ignore[union-attr]
    for page in (r, client.get("/"), client.get(f"/w/{code}"), client.get("/f")):
        assert page.status_code == 200, page.url
        found = HTMX_CONFIG.search(page.text)
        assert found is not None, page.url
        config = json.loads(found.group(1))
        assert config["allowEval"] is False and config["allowScriptTags"] is False
        assert config["historyCacheSize"] == 0
        assert page.headers["referrer-policy"] == "same-origin"
