"""Docs tests: the README, the protocol document and the message catalogues keep up with the code.

No server needed: these read source files and the modules that define settings, message types,
event types and error codes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.domain.boards import TEMPLATES
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
    # The second code of a conditional: DomainError("a.b" if kicked else "a.c").
    re.compile(
        r"""(?:DomainError|WireError|message|error_frame)\(\s*["'][a-z_]+\.[a-z_]+["']"""
        r"""\s+if\s[^\n]*?\selse\s+["']([a-z_]+\.[a-z_]+)["']"""
    ),
)
# `clean_text` builds codes as f"{field}.empty" and so on, for these fields.
TEXT_FIELDS = (
    "note",
    "timer_label",
    "name",
    "title",
    "group",
    "column",
    "cluster",
    "comment",
    "question",
    "label",
    "dilemma",
    "body",
    "item",
    "phone",
    "message",
    "party",
    "description",
    "tag",
    "goal",
    "reason",
)
CLEAN_TEXT_FIELD = re.compile(r"""\bclean_text\([^)]*?\bfield=["']([a-z_]+)["']""")
TEXT_PROBLEMS = ("empty", "too_long", "control_characters")
# Shown by `server.i18n.message` when a code has no text of its own.
FALLBACK_CODES = ("error.generic",)

_STRING = r"""(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')"""
TEMPLATE_MSGID = re.compile(rf"""\b_\(\s*{_STRING}""")
# ngettext("singular", "plural", n, ...): captures singular (2 groups), then plural (2 groups).
TEMPLATE_PLURAL = re.compile(rf"""\bngettext\(\s*{_STRING}\s*,\s*{_STRING}""")


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
    # Built as f"template.{template}.{key}" for new boards' column titles; the bare
    # `template.<template>` is the template's name in the new-board form.
    for template, keys in TEMPLATES.items():
        codes.add(f"template.{template}")
        codes.update(f"template.{template}.{key}" for key in keys)
    return codes


def _clean_text_fields() -> set[str]:
    fields: set[str] = set()
    for path in sorted(SERVER_DIR.rglob("*.py")):
        fields.update(CLEAN_TEXT_FIELD.findall(path.read_text(encoding="utf-8")))
    return fields


def _template_sources() -> list[str]:
    """The templates, plus server code that translates UI text itself (`_ = ....gettext`)."""
    paths = [*sorted(TEMPLATE_DIR.rglob("*.html")), *sorted(SERVER_DIR.rglob("*.py"))]
    return [path.read_text(encoding="utf-8") for path in paths]


def _template_msgids() -> set[str]:
    msgids: set[str] = set()
    for source in _template_sources():
        for double, single in TEMPLATE_MSGID.findall(source):
            msgids.add(double or single)
    return msgids


def _template_plurals() -> set[tuple[str, str]]:
    """(singular, plural) of every ngettext call in the templates."""
    pairs: set[tuple[str, str]] = set()
    for source in _template_sources():
        for s_double, s_single, p_double, p_single in TEMPLATE_PLURAL.findall(source):
            pairs.add((s_double or s_single, p_double or p_single))
    return pairs


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
    for code in (
        "wire.malformed_json",
        "note.not_yours",
        "api.json_only",
        "join.unknown_code",
        "participant.already_joined",  # the `else` of a conditional
        "comment.too_long",  # clean_text(field="comment")
        "template.idea_bank.semifinal",  # from TEMPLATES
    ):
        assert code in codes


def test_text_fields_cover_every_clean_text_field_code() -> None:
    """Every `clean_text(..., field=...)` in server/ has its generated codes checked."""
    fields = _clean_text_fields()
    assert {"note", "title"} <= fields, "CLEAN_TEXT_FIELD no longer finds clean_text calls"
    missing = sorted(fields - set(TEXT_FIELDS))
    assert missing == [], f"clean_text fields missing from TEXT_FIELDS: {missing}"


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


def test_every_template_plural_has_danish_plural_translations() -> None:
    with DANISH_PO.open("rb") as f:
        catalog = read_po(f, locale="da")
    pairs = _template_plurals()
    assert pairs, "found no ngettext() strings in templates/"
    missing: list[str] = []
    for singular, plural in sorted(pairs):
        entry = catalog.get(singular)
        if (
            entry is None
            or entry.fuzzy
            or entry.id != (singular, plural)
            or not isinstance(entry.string, tuple)
            or len(entry.string) != catalog.num_plurals
            or not all(entry.string)
        ):
            missing.append(f"{singular} / {plural}")
    assert missing == [], f"template plurals without Danish plural forms: {missing}"
