"""Jinja environments, one per UI language, autoescaped; user text is never marked safe."""

from __future__ import annotations

from functools import cache, partial
from pathlib import Path

import jinja2

from server.i18n import LOCALES, translations
from server.render.figures import one_decimal
from server.render.text import linkify


def clock(seconds: int) -> str:
    """A length as a countdown shows it: m:ss (2:00, 0:05, 60:00)."""
    minutes, rest = divmod(max(0, seconds), 60)
    return f"{minutes}:{rest:02d}"


TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


@cache
def environment(locale: str) -> jinja2.Environment:
    if locale not in LOCALES:
        raise ValueError(locale)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(locale), newstyle=True)  # type: ignore[attr-defined]
    env.globals["locale"] = locale
    env.filters["linkify"] = linkify
    env.filters["clock"] = clock
    env.filters["decimal"] = partial(one_decimal, locale=locale)
    return env


def render(template: str, locale: str, **context: object) -> str:
    return environment(locale).get_template(template).render(**context)
