"""The textarea line formats of the hall editor, both ways: `parse_*` turns what a facilitator
typed into the tuples of `StationContent`, `format_*` turns a station's content back into text
to prefill the textareas, so that `parse(format(x)) == x` for whatever the rules stored.

Pure and forgiving about whitespace; only a line whose shape cannot be read is refused
(`hall.line_format`, with its 1-based line number, so the editor can point at it). What the
lines say (lengths, urls, phone numbers, asset ids) is the rules' business, not this module's.

- items: `09:30 Velkomst` or `09:30-10:00 Velkomst`; a line without a leading time is all text.
- milestones: `marts 2027 | Borgermøde`; a leading `[x]` marks one done (`[ ]` not done).
- links: `Kommuneplanen | https://...`, or a bare url (its own title).
- quiz: blocks split by a blank line; the question, then options starting with `- ` or `* `;
  `*` marks the one right option.
- image ids: a JSON list of strings, or ids separated by commas or spaces.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from server.domain.errors import DomainError
from server.domain.hall import MAX_QUIZ_OPTIONS

Item = tuple[str, str]  # (time, text)
MilestoneLine = tuple[str, str, bool]  # (when, text, done)
LinkLine = tuple[str, str]  # (title, url)
Question = tuple[str, tuple[str, ...], int]  # (question, options, index of the right one)

# Spaces and tabs only: other Unicode "whitespace" (U+2028, U+001C, ...) is left in the text,
# where `clean_text` refuses it, rather than silently splitting a line here.
_SP = r"[ \t]"
TIME = rf"\d{{1,2}}[.:]\d{{2}}(?:{_SP}*[-–]{_SP}*\d{{1,2}}[.:]\d{{2}})?"
_ITEM = re.compile(rf"({TIME}){_SP}+(\S.*)")
_DONE = re.compile(rf"\[([xX ]?)\]{_SP}*")
_OPTION = re.compile(rf"([-*]){_SP}+(\S.*)")
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_IDS = re.compile(r"[,\s]+")


def _bad(line: int, field: str) -> DomainError:
    return DomainError("hall.line_format", line=line, field=field)


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, stripped line) for every non-blank line; textareas send CRLF."""
    for n, line in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        stripped = line.strip()
        if stripped:
            yield n, stripped


def parse_items(text: str) -> tuple[Item, ...]:
    """Programme items: a leading time (with a range, if any) is split off the text."""
    out: list[Item] = []
    for _, line in _lines(text):
        m = _ITEM.fullmatch(line)
        out.append((m[1], m[2].strip()) if m else ("", line))
    return tuple(out)


def format_items(items: tuple[Item, ...]) -> str:
    return "\n".join(f"{time} {text}" if time else text for time, text in items)


def parse_milestones(text: str) -> tuple[MilestoneLine, ...]:
    """`[x] when | text`: the marker and the `when |` are optional; the text is not."""
    out: list[MilestoneLine] = []
    for n, line in _lines(text):
        done = False
        m = _DONE.match(line)
        if m:
            done = m[1] in ("x", "X")
            line = line[m.end() :]
        when, bar, rest = line.partition("|")
        when, what = (when.strip(), rest.strip()) if bar else ("", line.strip())
        if not what:
            raise _bad(n, "milestones")
        out.append((when, what, done))
    return tuple(out)


def format_milestones(milestones: tuple[MilestoneLine, ...]) -> str:
    lines: list[str] = []
    for when, what, done in milestones:
        # Without a `when`, a text with a bar in it needs an empty one in front of it.
        line = f"{when} | {what}" if when else f"| {what}" if "|" in what else what
        if done:
            line = f"[x] {line}"
        elif _DONE.match(line):  # a text that looks like a marker keeps its brackets
            line = f"[ ] {line}"
        lines.append(line)
    return "\n".join(lines)


def parse_links(text: str) -> tuple[LinkLine, ...]:
    """`title | url` (split at the last bar, as urls seldom have one) or a bare url. A line
    that is no url at all comes through as a bare "url", for the rules to refuse as one."""
    out: list[LinkLine] = []
    for n, line in _lines(text):
        if _URL.fullmatch(line) or "|" not in line:
            out.append((line, line))
            continue
        title, _, url = line.rpartition("|")
        title, url = title.strip(), url.strip()
        if not url:
            raise _bad(n, "links")
        out.append((title or url, url))
    return tuple(out)


def format_links(links: tuple[LinkLine, ...]) -> str:
    return "\n".join(url if title == url else f"{title} | {url}" for title, url in links)


def _blocks(text: str) -> Iterator[list[tuple[int, str]]]:
    """Runs of non-blank lines, split by blank ones."""
    block: list[tuple[int, str]] = []
    last = 0
    for n, line in _lines(text):
        if block and n != last + 1:
            yield block
            block = []
        block.append((n, line))
        last = n
    if block:
        yield block


def parse_quiz(text: str) -> tuple[Question, ...]:
    """One block per question: its first line the question, every other line an option."""
    out: list[Question] = []
    for (_, question), *rest in _blocks(text):
        options: list[str] = []
        right: list[int] = []
        for n, line in rest:
            m = _OPTION.fullmatch(line)
            if m is None:
                raise _bad(n, "quiz")
            if m[1] == "*":
                right.append(len(options))
            options.append(m[2].strip())
        if len(right) != 1 or not 2 <= len(options) <= MAX_QUIZ_OPTIONS:
            raise DomainError("hall.quiz_options", max=MAX_QUIZ_OPTIONS)
        out.append((question, tuple(options), right[0]))
    return tuple(out)


def format_quiz(quiz: tuple[Question, ...]) -> str:
    blocks = [
        "\n".join([question, *(("* " if i == answer else "- ") + o for i, o in enumerate(options))])
        for question, options, answer in quiz
    ]
    return "\n\n".join(blocks)


def parse_ids(text: str) -> tuple[str, ...]:
    """A JSON list of strings (as a script sends it) or ids split by commas and spaces (as
    typed); the rules check each id is an asset of the right kind."""
    stripped = text.strip()
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except ValueError:
            raise _bad(1, "image_ids") from None
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise _bad(1, "image_ids")
        return tuple(v.strip() for v in value if v.strip())
    return tuple(i for i in _IDS.split(stripped) if i)


def format_ids(ids: tuple[str, ...]) -> str:
    return ", ".join(ids)
