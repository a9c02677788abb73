"""Exporting and importing as the web layer does, and reading what an instance holds."""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from server.domain.report import WorkshopReport
from server.exchange.export import Doc, checksum, dumps
from server.exchange.importer import import_file
from server.exchange.source import export_document, load
from server.service import Service
from server.store.tables import events, workshops

NOW = datetime.datetime(2026, 11, 21, 8, 30, tzinfo=datetime.UTC)
LATER = datetime.datetime(2027, 1, 5, 14, 0, tzinfo=datetime.UTC)


async def export(service: Service, workshop_id: str, now: datetime.datetime = NOW) -> Doc:
    stored = await load(service.db, workshop_id)
    assert stored is not None
    doc = export_document(stored, now)
    parsed: Doc = json.loads(dumps(doc))  # what a file holds
    return parsed


async def import_doc(service: Service, doc: Doc, facilitator_id: str = "fac1") -> str:
    state = await import_file(service, facilitator_id, dumps(doc))
    return state.id


def resealed(doc: Doc) -> Doc:
    """A file changed by hand with its checksum made to match again."""
    return {**doc, "checksum": checksum(doc["workshop"])}


async def counts(service: Service) -> tuple[int, int]:
    """How many workshops and events the instance holds."""
    async with service.db.read() as conn:
        w = await conn.scalar(sa.select(sa.func.count()).select_from(workshops))
        e = await conn.scalar(sa.select(sa.func.count()).select_from(events))
    return int(w or 0), int(e or 0)


def without_ids(value: Any) -> Any:
    """A report as plain data without the keys that hold internal ids."""
    if isinstance(value, dict):
        return {k: without_ids(v) for k, v in value.items() if k not in ("id", "card_id")}
    if isinstance(value, list | tuple):
        return [without_ids(v) for v in value]
    return value


def figures(report: WorkshopReport) -> Any:
    return without_ids(asdict(report))
