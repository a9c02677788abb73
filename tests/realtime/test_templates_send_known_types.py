"""The browser sends only what the parser accepts: every `hx-ws:send` form in templates/ and
every message static/app.js builds itself names a known client message type, and a form's
fields, as app.js types them, make a message the parser accepts. Pure: no server, no browser.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from server.realtime.wire import CLIENT_MESSAGE_TYPES, CommandRequest, parse_client_message

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
APP_JS = ROOT / "static" / "app.js"

JINJA = re.compile(r"\{\{(.*?)\}\}|\{%.*?%\}", re.S)
QUOTED = re.compile(r"""'([^']*)'|"([^"]*)\"""")


@dataclass
class WsForm:
    where: str
    types: list[str] = field(default_factory=list)  # every type the form may carry
    fields: dict[str, str] = field(default_factory=dict)  # name -> raw value or first option


class _Forms(HTMLParser):
    """The `hx-ws:send` forms of one template, with their named fields."""

    def __init__(self, where: str) -> None:
        super().__init__(convert_charrefs=True)
        self.where = where
        self.forms: list[WsForm] = []
        self.form: WsForm | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "hx-ws:send" in a:
            self.form = WsForm(f"{self.where}:{self.getpos()[0]}")
            self.forms.append(self.form)
        if self.form is None or "name" not in a:
            if tag == "option" and self.form is not None and self.select is not None:
                if not self.form.fields[self.select]:  # the first option
                    self.form.fields[self.select] = a.get("value", "")
            return
        if tag in ("input", "textarea"):
            self.form.fields[a["name"]] = a.get("value", "")
        elif tag == "select":  # its options may come from an {% include %}: value unknown
            self.select = a["name"]
            self.form.fields[a["name"]] = ""
        elif tag == "button":
            self.form.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None


def literal_values(raw: str) -> list[str]:
    """A value as written, or every string literal of a `{{ 'a' if x else 'b' }}` in it."""
    m = JINJA.fullmatch(raw.strip())
    if m is None:
        return [raw]
    return [single or double for single, double in QUOTED.findall(m.group(1) or "")]


def ws_forms() -> list[WsForm]:
    forms: list[WsForm] = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        p = _Forms(str(path.relative_to(ROOT)))
        p.feed(path.read_text(encoding="utf-8"))
        for f in p.forms:
            f.types = literal_values(f.fields.get("type", ""))
        forms.extend(p.forms)
    return forms


FORMS = ws_forms()


def _app_js_fields(name: str) -> set[str]:
    m = re.search(rf"var {name} = \{{([^}}]*)\}}", APP_JS.read_text(encoding="utf-8"))
    assert m is not None, f"static/app.js has no {name}"
    return set(re.findall(r"(\w+):", m.group(1)))


BOOLEAN_FIELDS = _app_js_fields("BOOLEAN_FIELDS")
INTEGER_FIELDS = _app_js_fields("INTEGER_FIELDS")
# The hall's numbers, which the parser takes as a form's digit strings (server/realtime/wire_hall.py):
# a station's place, a programme item, a quiz's radios `answer_0` ... `answer_9`; and a
# committee's (server/realtime/wire_backlog.py): an item's estimate, a sprint's capacity.
FORM_NUMBER = re.compile(r"x|y|item|answer_[0-9]|estimate|capacity")


def typed(key: str, value: str) -> Any:
    """static/app.js `typed()`: the only conversion a form's string values get."""
    if key in BOOLEAN_FIELDS and value in ("true", "false"):
        return value == "true"
    if key in INTEGER_FIELDS and re.fullmatch(r"[0-9]+", value):
        return int(value)
    return value


def field_name(name: str) -> str:
    """A field's name as the page has it: one made in a loop (`answer_{{ qi }}`) as its first."""
    return JINJA.sub("0", name)


def sample(name: str, raw: str) -> str:
    """What the browser would send for a field: its literal value, or a plausible one where
    the template fills it in (ids, user text, numbers)."""
    options = [v for v in literal_values(raw) if v]
    if options and not JINJA.search(raw):
        return options[0]
    if name in BOOLEAN_FIELDS:
        return "true"
    if name in INTEGER_FIELDS or FORM_NUMBER.fullmatch(name):
        return "1"
    if name == "color":
        return "yellow"
    if name == "quiz":  # the hall editor's textarea: a question, its options, `*` the right one
        return "Hvor mange byråd?\n* 1\n- 2"
    return "abc123"


def test_the_templates_have_ws_forms() -> None:
    assert len(FORMS) >= 20, [f.where for f in FORMS]
    assert all(f.types for f in FORMS), [f.where for f in FORMS if not f.types]
    assert BOOLEAN_FIELDS and INTEGER_FIELDS


@pytest.mark.parametrize("form", FORMS, ids=[f.where for f in FORMS])
def test_every_ws_form_sends_a_known_type(form: WsForm) -> None:
    unknown = [t for t in form.types if t not in CLIENT_MESSAGE_TYPES]
    assert unknown == [], f"{form.where} sends unknown message types {unknown}"


@pytest.mark.parametrize("form", FORMS, ids=[f.where for f in FORMS])
def test_every_ws_form_makes_a_message_the_parser_accepts(form: WsForm) -> None:
    ids = itertools.count()
    for type_ in form.types:
        body = {
            field_name(name): typed(name, sample(field_name(name), raw))
            for name, raw in form.fields.items()
            if name
        }
        body["type"] = type_
        body["command_id"] = "a1b2c3d4e5f6a1b2c3d4e5f6"
        body["headers"] = {"HX-Request": "true"}
        parsed = parse_client_message(json.dumps(body), lambda: f"n{next(ids)}")
        assert isinstance(parsed, CommandRequest) and parsed.type == type_, form.where


def test_every_message_app_js_builds_has_a_known_type() -> None:
    source = APP_JS.read_text(encoding="utf-8")
    built = set(re.findall(r"""\btype:\s*"([^"]+)\"""", source))
    built |= set(re.findall(r"""\{\\?"type\\?":\s*\\?"([^"\\]+)""", source))
    assert {"hello", "ping", "note.editing", "note.move", "note.react", "note.merge"} <= built
    assert sorted(built - set(CLIENT_MESSAGE_TYPES)) == []


def test_every_message_hall_js_builds_has_a_known_type() -> None:
    """static/hall.js sends presence at a station itself (`station.visiting`)."""
    source = (ROOT / "static" / "hall.js").read_text(encoding="utf-8")
    built = set(re.findall(r"""\btype:\s*"([^"]+)\"""", source))
    assert "station.visiting" in built
    assert sorted(built - set(CLIENT_MESSAGE_TYPES)) == []
