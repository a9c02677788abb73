"""Every refusal and every CSV word the exchange can show has its Danish and English text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from server.i18n import LOCALES, translations

EXCHANGE = Path(__file__).resolve().parents[2] / "server" / "exchange"
TYPES = ("text", "integer", "boolean", "list", "object")
STATUSES = ("status_draft", "status_open", "status_closed", "status_revealed")
CARDS = ("card_waiting", "card_open", "card_revealed")


def codes() -> set[str]:
    found: set[str] = set()
    for path in EXCHANGE.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        found.update(re.findall(r'"(import\.[a-z_]+)"', source))
        if path.name == "csv_export.py":
            found.update(f"csv.{k}" for k in re.findall(r'\bt\("([a-z_0-9]+)"\)', source))
            found.update(f"csv.{k}" for k in re.findall(r'\bt\.group\(g, "([a-z_]+)"\)', source))
    found.update(f"import.type_{t}" for t in TYPES)
    found.update(f"csv.{k}" for k in (*STATUSES, *CARDS, "yes", "no"))
    return found


def test_the_codes_are_found() -> None:
    found = codes()
    assert {"import.checksum", "import.refused", "csv.board", "csv.plus_ones", "csv.n"} <= found


@pytest.mark.parametrize("locale", LOCALES)
def test_every_code_has_its_text(locale: str) -> None:
    catalogue = translations(locale)
    missing = sorted(c for c in codes() if catalogue.gettext(c) == c)
    assert missing == []
