"""Docs tests: the README, the protocol document and the message catalogues keep up with the code.

No server needed: these read source files and the modules that define settings, message types,
event types and error codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.domain.events import EVENT_TYPES
from server.i18n import LOCALES, translations
from server.realtime.wire import CLIENT_MESSAGE_TYPES, SERVER_MESSAGE_TYPES
from server.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
PROTOCOL = ROOT / "docs" / "PROTOCOL.md"
SERVER_DIR = ROOT / "server"
TEMPLATE_DIR = ROOT / "templates"
DANISH_PO = SERVER_DIR / "locale" / "da" / "LC_MESSAGES" / "messages.po"

# Where error codes are born or sent; each pattern captures the code.
CODE_PATTERNS = (
    re.compile(r"""DomainError\(\s*["']([a-z_]+\.[a-z_]+)["']"""),
    re.compile(r"""WireError\(\s*["']([a-z_]+\.[a-z_]+)["']"""),
    re.compile(r"""\bmessage\(\s*["']([a-z_]+\.[a-z_]+)["']"""),
    re.compile(r"""error_frame\(\s*["']([a-z_]+\.[a-z_]+)["']"""),
    re.compile(r"""_error\(\s*request,\s*\d{3},\s*["']([a-z_]+\.[a-z_]+)["']"""),
)
# `clean_text` builds codes as f"{field}.empty" and so on, for these fields.
TEXT_FIELDS = ("note", "name", "title", "group")
TEXT_PROBLEMS = ("empty", "too_long", "control_characters")
# Shown by `server.i18n.message` when a code has no text of its own.
FALLBACK_CODES = ("error.generic",)

TEMPLATE_MSGID = re.compile(r"""\b_\(\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


def _configuration_rows() -> list[str]:
    """The setting names in the README's configuration table, in order."""
    text = README.read_text(encoding="utf-8")
    match = re.search(r"^## Configuration\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match is not None, "README.md has no '## Configuration' section"
    rows = [line for line in match.group(1).splitlines() if line.startswith("|")]
    assert rows, "the configuration section has no table"
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["Variable", "Default", "Meaning"], header
    names: list[str] = []
    for line in rows[2:]:
        cell = line.strip("|").split("|")[0].strip()
        m = re.fullmatch(r"`([A-Z][A-Z0-9_]*)`", cell)
        assert m is not None, f"configuration row does not start with a `NAME`: {line!r}"
        names.append(m.group(1))
    return names


def _headings(level: int) -> set[str]:
    marks = "#" * level
    text = PROTOCOL.read_text(encoding="utf-8")
    return set(re.findall(rf"^{marks} `([^`]+)`\s*$", text, re.M))


def _error_codes() -> set[str]:
    codes: set[str] = set()
    for path in sorted(SERVER_DIR.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for pattern in CODE_PATTERNS:
            codes.update(pattern.findall(source))
    codes.update(f"{f}.{p}" for f in TEXT_FIELDS for p in TEXT_PROBLEMS)
    codes.update(FALLBACK_CODES)
    return codes


def _template_msgids() -> set[str]:
    msgids: set[str] = set()
    for path in sorted(TEMPLATE_DIR.rglob("*.html")):
        for double, single in TEMPLATE_MSGID.findall(path.read_text(encoding="utf-8")):
            msgids.add(double or single)
    return msgids


def test_readme_documents_every_setting() -> None:
    documented = _configuration_rows()
    known = [s.name for s in SETTINGS]
    assert sorted(set(known) - set(documented)) == [], "settings missing from README.md"
    assert sorted(set(documented) - set(known)) == [], "README.md names unknown settings"
    assert len(documented) == len(set(documented)), "a setting has two rows"


def test_readme_documents_the_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert "bash scripts/serve" in text
    assert "bash scripts/test" in text
    assert (ROOT / "scripts" / "serve").is_file()
    assert (ROOT / "scripts" / "test").is_file()


def test_protocol_documents_every_message_type() -> None:
    headings = _headings(3)
    missing = [t for t in (*CLIENT_MESSAGE_TYPES, *SERVER_MESSAGE_TYPES) if t not in headings]
    assert missing == [], f"message types without a '### `TYPE`' heading in PROTOCOL.md: {missing}"


def test_protocol_documents_every_event_type() -> None:
    headings = _headings(4)
    missing = [t for t in EVENT_TYPES if t not in headings]
    assert missing == [], f"event types without a '#### `TYPE`' heading in PROTOCOL.md: {missing}"


def test_code_patterns_find_the_codes() -> None:
    """Guard the regexes themselves: a few codes known to exist must be found."""
    codes = _error_codes()
    for code in ("wire.malformed_json", "note.not_yours", "api.json_only", "join.unknown_code"):
        assert code in codes


@pytest.mark.parametrize("locale", LOCALES)
def test_every_error_code_is_translated(locale: str) -> None:
    catalogue = translations(locale)
    untranslated = sorted(c for c in _error_codes() if catalogue.gettext(c) == c)
    assert untranslated == [], f"error codes without a {locale} translation: {untranslated}"


def test_every_template_string_has_a_danish_translation() -> None:
    with DANISH_PO.open("rb") as f:
        catalog = read_po(f, locale="da")
    msgids = _template_msgids()
    assert msgids, "found no _() strings in templates/"
    missing: list[str] = []
    for msgid in sorted(msgids):
        entry = catalog.get(msgid)
        if entry is None or not entry.string or entry.fuzzy:
            missing.append(msgid)
    assert missing == [], f"template strings without a Danish translation: {missing}"
