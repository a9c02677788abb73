"""Message catalogues (Danish default, English), loaded from .po files with Babel at start.

Templates use English source strings as msgids; errors use their code (e.g. `note.too_long`) as
msgid, so both catalogues must translate every code (a test checks it).
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES = ("da", "en")
LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def translations(locale: str) -> Translations:
    if locale not in LOCALES:
        raise ValueError(locale)
    with open(LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = read_po(f, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(buf)


def message(code: str, locale: str, **params: object) -> str:
    """The user-facing text for an error code; falls back to a generic message, never the code."""
    t = translations(locale)
    text = t.gettext(code)
    if text == code:
        text = t.gettext("error.generic")
    try:
        return text % params if params else text
    except (KeyError, ValueError, TypeError):
        return text
