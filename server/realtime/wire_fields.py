"""Typed, strict access to one client message's fields, shared by every command builder.

Split from `wire.py` so the builders of one feature can live in their own module
(`wire_hall.py`) without importing the parser that imports them.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# `\Z`, not `$`: `$` also matches before a trailing newline, and "abc\n" is no id.
COMMAND_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}\Z")
ID_RE = re.compile(r"^[A-Za-z0-9]{1,32}\Z")
EPOCH_RE = re.compile(r"^[A-Za-z0-9]{1,64}\Z")
# A whole number as an HTML form sends it (ASCII digits only: "٧" is no number here).
FORM_INT_RE = re.compile(r"^-?[0-9]{1,12}\Z")
MAX_RAW_TEXT = 4000  # the domain enforces the real limits after normalising
MAX_RAW_TITLE = 1000  # board, column and cluster titles (the domain allows 200 or 80)
MAX_RAW_NAME = 200  # display names and groups (the domain allows 60 and 40)
MAX_RAW_KEY = 64  # template names and colours (the domain knows the valid ones)
MAX_RAW_LABEL = 200  # a question's end labels and a timer's label (the domain allows 40, 60)
MAX_INDEX = 100_000  # a place in a list; beyond the end means "last"
MAX_VERSION = 2**31
MAX_RAW_SECONDS = 2**31  # a timer's length: the domain allows 5 to 3600 and says so
MAX_RAW_COUNT = 2**31  # dots per person, per note, notes to carry: the domain says the range
MAX_CLIENT_MS = 2**53  # a client's Date.now() in a ping (a JavaScript safe integer)

# The column titles of a board template in the sender's language, by template name: empty for
# an unknown template (the domain then answers `board.unknown_template`).
TemplateTitles = Callable[[str], tuple[str, ...]]


class WireError(Exception):
    """A message the parser refuses; `code` is a message-catalogue key, `params` fill in its
    placeholders (a textarea's bad line number, for one)."""

    def __init__(
        self,
        code: str,
        field: str | None = None,
        command_id: str | None = None,
        params: dict[str, str | int] | None = None,
    ) -> None:
        super().__init__(code)
        self.code = code
        self.field = field
        self.command_id = command_id
        self.params: dict[str, str | int] = dict(params or {})


class Fields:
    """Typed access to a message's fields that records which ones were read."""

    def __init__(self, data: dict[str, Any], command_id: str | None) -> None:
        self.data = data
        self.used = {"type", "command_id", "headers"}
        self.command_id = command_id

    def error(self, code: str, name: str | None, **params: str | int) -> WireError:
        """A WireError about field `name` of this message (with its command id)."""
        return WireError(code, name, self.command_id, params)

    def _get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise WireError("wire.missing_field", name, self.command_id)
            return None
        return self.data[name]

    def raw(self, name: str, *, required: bool = True) -> Any:
        """The field's JSON value as it came (None when absent): for fields that take more
        than one shape, such as a list or a textarea's text."""
        return self._get(name, required)

    def text(
        self,
        name: str,
        *,
        required: bool = True,
        nullable: bool = False,
        max_len: int = MAX_RAW_TEXT,
    ) -> str | None:
        present = name in self.data
        v = self._get(name, required)
        if not present:
            return None
        if v is None and nullable:
            return None
        if not isinstance(v, str):
            raise WireError("wire.wrong_type", name, self.command_id)
        if len(v) > max_len:
            raise WireError("wire.too_long", name, self.command_id)
        return v

    def ident(self, name: str, *, required: bool = True, nullable: bool = False) -> str | None:
        v = self.text(name, required=required, nullable=nullable, max_len=64)
        if v is not None and not ID_RE.match(v):
            raise WireError("wire.bad_id", name, self.command_id)
        return v

    def optional_ident(self, name: str, *, required: bool = True) -> str | None:
        """An id, or none: `null` or "" (a form's empty choice) both mean none."""
        if self.data.get(name) == "":
            self.used.add(name)
            return None
        return self.ident(name, required=required, nullable=True)

    def boolean(self, name: str, *, required: bool = True) -> bool | None:
        """A JSON `true` or `false`: not `null`, `0`, `1` or the strings "true" and "false"."""
        present = name in self.data
        v = self._get(name, required)
        if not present:
            return None
        if not isinstance(v, bool):
            raise WireError("wire.wrong_type", name, self.command_id)
        return v

    def integer(self, name: str, *, low: int, high: int, nullable: bool = False) -> int | None:
        v = self._get(name, required=not nullable)
        if v is None and nullable:
            return None
        if type(v) is not int:  # bool is an int subclass; floats and strings are refused too
            raise WireError("wire.wrong_type", name, self.command_id)
        if not low <= v <= high:
            raise WireError("wire.out_of_range", name, self.command_id)
        return v

    def form_integer(
        self, name: str, *, low: int, high: int, nullable: bool = False, required: bool = True
    ) -> int | None:
        """A JSON integer, or the same number as a string of ASCII digits, as an HTML form
        sends it. With `nullable`, `null` and "" mean none. Floats, booleans and other strings
        are refused as elsewhere."""
        present = name in self.data
        v = self._get(name, required=required)
        if not present or (nullable and v in (None, "")):
            return None
        if isinstance(v, str) and FORM_INT_RE.match(v):
            v = int(v)
        if type(v) is not int:
            raise WireError("wire.wrong_type", name, self.command_id)
        if not low <= v <= high:
            raise WireError("wire.out_of_range", name, self.command_id)
        return v

    def scalar(self, name: str) -> bool | int | float | str:
        """Any JSON scalar but `null`, unchecked: the domain judges the value itself."""
        v = self._get(name, required=True)
        if not isinstance(v, (bool, int, float, str)):
            raise WireError("wire.wrong_type", name, self.command_id)
        return v

    def finish(self) -> None:
        extra = sorted(set(self.data) - self.used)
        if extra:
            raise WireError("wire.unknown_field", extra[0], self.command_id)
        headers = self.data.get("headers")
        if headers is not None and not isinstance(headers, dict):
            raise WireError("wire.wrong_type", "headers", self.command_id)


def req_text(f: Fields, name: str, max_len: int = MAX_RAW_TEXT) -> str:
    v = f.text(name, max_len=max_len)
    assert v is not None  # required
    return v


def req_id(f: Fields, name: str) -> str:
    v = f.ident(name)
    assert v is not None  # required
    return v


def req_int(f: Fields, name: str, *, low: int, high: int) -> int:
    v = f.integer(name, low=low, high=high)
    assert v is not None  # not nullable
    return v


def req_form_int(f: Fields, name: str, *, low: int, high: int) -> int:
    v = f.form_integer(name, low=low, high=high)
    assert v is not None  # required, not nullable
    return v


def req_bool(f: Fields, name: str) -> bool:
    v = f.boolean(name)
    assert v is not None  # required
    return v


def copenhagen_today() -> str:
    """Today's date where the councils meet (Europe/Copenhagen), ISO: the day a sprint starts,
    re-opens, closes or an item moves on its board, stamped by the edge (the domain reads no
    clock). Without the time zone database, Danish standard time (UTC+1) is close enough."""
    try:
        zone: datetime.tzinfo = ZoneInfo("Europe/Copenhagen")
    except ZoneInfoNotFoundError:
        zone = datetime.timezone(datetime.timedelta(hours=1))
    return datetime.datetime.now(zone).date().isoformat()


@dataclass(frozen=True)
class Builder:
    """What a command builder gets besides the fields: new ids, template titles, the server's
    wall clock (timers) and today's date (sprints)."""

    make_id: Callable[[], str]
    titles: TemplateTitles
    now_ms: Callable[[], int]
    today: Callable[[], str] = copenhagen_today
