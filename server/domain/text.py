"""Normalising user text the same way everywhere before a rule looks at it."""

from __future__ import annotations

import unicodedata

from server.domain.errors import DomainError

_ALLOWED_CONTROLS = {"\n", "\t"}
# Line and paragraph separators break a line without being control characters.
_LINE_BREAKS = {"\n", "\t", "\u2028", "\u2029"}


def clean_text(value: str, *, field: str, max_length: int, multiline: bool) -> str:
    """NFC, unified line breaks, trimmed; refuses empty, too long and control characters."""
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    for ch in text:
        category = unicodedata.category(ch)
        # Cs: a lone surrogate (JSON can carry one escaped) is no character at all and cannot be
        # stored as UTF-8.
        if (
            category == "Cs"
            or (category == "Cc" and ch not in _ALLOWED_CONTROLS)
            or (not multiline and ch in _LINE_BREAKS)
        ):
            raise DomainError(f"{field}.control_characters")
    if not text:
        raise DomainError(f"{field}.empty")
    if len(text) > max_length:
        raise DomainError(f"{field}.too_long", max=max_length)
    return text
