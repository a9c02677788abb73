"""Checking a JSON value's shape, with the path of the first thing wrong: the small toolkit
`validate` describes the export's schema with. Unknown fields are refused, not ignored: a file
Samskab wrote has none, so one is a sign the file was altered (or is from a newer version).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from server.exchange.errors import ImportProblem

Check = Callable[[Any, str], None]


def wrong_type(path: str, expected: str) -> ImportProblem:
    return ImportProblem(f"import.type_{expected}", path)


def text(value: Any, path: str) -> None:
    if type(value) is not str:
        raise wrong_type(path, "text")


def integer(value: Any, path: str) -> None:
    """A whole number, not a bool nor 7.0; never negative in this format."""
    if type(value) is not int:
        raise wrong_type(path, "integer")
    if value < 0:
        raise ImportProblem("import.bad_value", path, value=str(value))


def boolean(value: Any, path: str) -> None:
    if type(value) is not bool:
        raise wrong_type(path, "boolean")


def nullable(check: Check) -> Check:
    def inner(value: Any, path: str) -> None:
        if value is not None:
            check(value, path)

    return inner


def one_of(*allowed: str) -> Check:
    def inner(value: Any, path: str) -> None:
        text(value, path)
        if value not in allowed:
            raise ImportProblem("import.bad_value", path, value=value[:80])

    return inner


def list_of(check: Check, length: int | None = None) -> Check:
    def inner(value: Any, path: str) -> None:
        if type(value) is not list:
            raise wrong_type(path, "list")
        if length is not None and len(value) != length:
            raise ImportProblem("import.length", path, length=length)
        for i, item in enumerate(value):
            check(item, f"{path}[{i}]")

    return inner


def tuple_of(*checks: Check) -> Check:
    """A list of fixed length whose items have their own checks (`["09:30", "Velkomst"]`)."""

    def inner(value: Any, path: str) -> None:
        if type(value) is not list:
            raise wrong_type(path, "list")
        if len(value) != len(checks):
            raise ImportProblem("import.length", path, length=len(checks))
        for i, (item, check) in enumerate(zip(value, checks, strict=True)):
            check(item, f"{path}[{i}]")

    return inner


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def fields(value: Any, path: str, spec: Mapping[str, Check]) -> None:
    """An object with exactly these fields, each checked."""
    if type(value) is not dict:
        raise wrong_type(path, "object")
    for key in value:
        if key not in spec:
            raise ImportProblem("import.unknown_field", join(path, str(key)[:80]))
    for key, check in spec.items():
        if key not in value:
            raise ImportProblem("import.missing", join(path, key))
        check(value[key], join(path, key))


def obj(spec: Mapping[str, Check]) -> Check:
    def inner(value: Any, path: str) -> None:
        fields(value, path, spec)

    return inner


def anything(value: Any, path: str) -> None:
    """Free-form JSON (the committee archive, kept as it came)."""
