"""A running app on its own SQLite file with two facilitators ("anden" the second), the
first logged in: what the report, committee-report and exchange tests seed into."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from starlette.testclient import TestClient

from server.app import create_app
from server.service import Service
from server.settings import Settings
from server.store.migrate import upgrade
from tests.support import FACILITATOR, PASSWORD, SECRET

OTHER = "anden"  # a second facilitator


@dataclass
class Running:
    client: TestClient
    settings: Settings
    db: Path
    facilitator_id: str

    @property
    def service(self) -> Service:
        service: Service = self.client.app.state.runtime.service  # type: ignore[attr-defined]
        return service


def csrf(c: TestClient, path: str = "/f") -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert m
    return str(m.group(1))


def login(c: TestClient, name: str = FACILITATOR) -> None:
    r = c.post("/login", data={"csrf": csrf(c, "/login"), "name": name, "password": PASSWORD})
    assert r.status_code == 200 and "Dine workshops" in r.text


@contextmanager
def running_app(directory: Path) -> Iterator[Running]:
    db = directory / "samskab.db"
    url = f"sqlite+aiosqlite:///{db}"
    upgrade(url)
    settings = Settings.from_env({"DATABASE_URL": url, "SECRET_KEY": SECRET})
    from server.__main__ import _create_facilitator

    asyncio.run(_create_facilitator(settings, FACILITATOR, PASSWORD))
    asyncio.run(_create_facilitator(settings, OTHER, PASSWORD))
    with sqlite3.connect(db) as conn:
        (fid,) = conn.execute(
            "SELECT id FROM facilitators WHERE name = ?", (FACILITATOR,)
        ).fetchone()
    with TestClient(create_app(settings)) as c:
        assert c.portal is not None
        login(c)
        yield Running(c, settings, db, str(fid))
