"""Join codes against guessing, and a hall behind one address: 100 tablets joining (and
reloading) within a minute all get in, while someone trying codes is stopped at the budget."""

from __future__ import annotations

import re
import time

from starlette.testclient import TestClient

from tests.web.test_committees import App, another_browser, app, client, workshop

__all__ = ["app", "client"]  # the fixtures this module uses


def join_code(c: TestClient, workshop_id: str) -> str:
    m = re.search(r'class="code">([A-Z0-9]{6})<', c.get(f"/f/workshops/{workshop_id}").text)
    assert m
    return m.group(1)


def test_a_hundred_tablets_behind_one_address_all_get_in(app: App, client: TestClient) -> None:
    code = join_code(client, workshop(client))
    for i in range(100):
        tablet = another_browser(app)  # its own cookies, the same address as every other
        page = tablet.get(f"/w/{code}")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token, (i, page.status_code)
        r = tablet.post(
            f"/w/{code}/join", data={"csrf": token.group(1), "display_name": "", "group": "Borger"}
        )
        assert r.status_code == 200 and "Tilføj note" in r.text, (i, r.status_code)
        assert tablet.get(f"/w/{code}").status_code == 200  # and reloads
    snap = client.get(f"/api/workshops/{workshop_id_of(client, code)}/snapshot").json()
    assert len(snap["state"]["participants"]) == 100


def workshop_id_of(c: TestClient, code: str) -> str:
    m = re.search(r'href="/f/workshops/([0-9a-f]+)"', c.get("/f").text)
    assert m
    return m.group(1)


def test_guessing_codes_is_stopped_at_the_budget(app: App, client: TestClient) -> None:
    code = join_code(client, workshop(client))
    guesser = another_browser(app)
    started = time.monotonic()
    wrong = 0
    while (r := guesser.get(f"/w/ZZ{wrong:04d}")).status_code == 404:
        wrong += 1
        assert wrong < 2000, "never stopped"
    elapsed = time.monotonic() - started
    assert r.status_code == 429 and "For mange forsøg" in r.text
    # The default budget: 300 wrong codes at once, then 5 a second as it refills.
    assert 300 <= wrong <= 300 + 5 * elapsed + 1, (wrong, elapsed)
    # The hall's tablets (right codes) still cost nothing: another device gets in at once
    # after the budget refills a little, and a right code never used a token meanwhile.
    time.sleep(0.5)
    assert guesser.get(f"/w/{code}").status_code == 200
