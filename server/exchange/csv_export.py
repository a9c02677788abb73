"""The CSV files, one per entity: notes, questions (with their statistics), raw votes of named
questions, dilemma cards. Pure: state in, bytes out.

For spreadsheets and scripts alike: UTF-8 with a BOM (so Excel reads æøå), comma-separated,
quoted as RFC 4180 says, decimals with a point and two places, header row in the reader's
language. Figures come from the report model (`report.workshop_report`, hence
`questions.results` with its small-group guard), never computed here in another way. A cell
that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
gets a leading apostrophe. Who voted what is listed only for revealed *named* questions; a
comment is never listed with who wrote it.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Literal

from server.domain.dilemmas import deck
from server.domain.questions import Figures
from server.domain.report import BoardSection, NoteLine, WorkshopReport, workshop_report
from server.domain.workshop import WorkshopState
from server.i18n import message

Kind = Literal["notes", "questions", "votes", "dilemmas"]
KINDS: tuple[Kind, ...] = ("notes", "questions", "votes", "dilemmas")

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None


def neutral(text: str) -> str:
    """A cell a spreadsheet would take for a formula (`=HYPERLINK(...)`) is shown as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise TypeError("booleans are written as yes/no in the reader's language")
    if isinstance(value, float):
        return str(Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return neutral(str(value))


def _table(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutral(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


class _Words:
    """The header words and the few values (yes, no, a status) in the reader's language."""

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def __call__(self, key: str) -> str:
        return message(f"csv.{key}", self.locale)

    def yes_no(self, value: bool) -> str:
        return self("yes") if value else self("no")

    def group(self, group: str, key: str) -> str:
        return f"{group}: {self(key)}"


# --- notes ---------------------------------------------------------------------------------


def _all_notes_shown(state: WorkshopState) -> WorkshopState:
    """The facilitator's file lists hidden notes too (marked so): the report's own figures,
    for every note."""
    notes = {k: replace(n, hidden=False) for k, n in state.notes.items()}
    return replace(state, notes=MappingProxyType(notes))


def _author(state: WorkshopState, board: BoardSection, line: NoteLine, t: _Words) -> str:
    if not board.show_authors:
        return ""
    if line.author is not None:
        return line.author
    note = state.notes.get(line.id)
    return t("facilitator") if note is not None and note.by_facilitator else t("anonymous")


def notes_csv(state: WorkshopState, locale: str) -> bytes:
    t = _Words(locale)
    report = workshop_report(_all_notes_shown(state), None)
    header = [
        t("board"),
        t("column"),
        t("cluster"),
        t("text"),
        t("author"),
        t("color"),
        t("dots"),
        t("plus_ones"),
        t("comments"),
        t("hidden"),
    ]
    rows: list[list[Cell]] = []
    for board in report.boards:
        for col in board.columns:
            placed = [(cl.title, n) for cl in col.clusters for n in cl.notes]
            placed += [("", n) for n in col.loose]
            for cluster, n in placed:
                note = state.notes.get(n.id)
                rows.append(
                    [
                        board.title,
                        col.title,
                        cluster,
                        n.text,
                        _author(state, board, n, t),
                        n.color,
                        n.dots,
                        n.reactions,
                        len(n.comments),
                        t.yes_no(note is not None and note.hidden),
                    ]
                )
    return _table(header, rows)


# --- questions ----------------------------------------------------------------------------


def _groups(state: WorkshopState, report: WorkshopReport) -> list[str]:
    """The workshop's groups, then any other a revealed result names (kept in its order)."""
    names = list(state.groups)
    for q in report.questions:
        for g in q.results.groups if q.results else ():
            if g.group not in names:
                names.append(g.group)
    for d in report.dilemmas:
        for s in d.split.groups if d.split else ():
            if s.group not in names:
                names.append(s.group)
    return names


def _stats(f: Figures | None) -> list[Cell]:
    """Everyone's statistics; blank until revealed."""
    if f is None:
        return [None] * 7
    return [f.mean, f.median, f.stdev, f.low, f.high, f.q1, f.q3]


def questions_csv(state: WorkshopState, locale: str) -> bytes:
    t = _Words(locale)
    report = workshop_report(state, None)
    groups = _groups(state, report)
    header = [t("question"), t("status"), t("anonymous_question"), t("votes")]
    header += [t(k) for k in ("mean", "median", "sd", "min", "max", "q1", "q3")]
    for g in groups:
        header += [t.group(g, "n"), t.group(g, "mean"), t.group(g, "median")]
    header += [str(v) for v in range(11)]
    rows: list[list[Cell]] = []
    for q in report.questions:
        row: list[Cell] = [q.question.text, t(f"status_{q.question.status}")]
        row += [t.yes_no(q.question.anonymous), q.votes]
        r = q.results
        row += _stats(None if r is None else r.total)
        by_group = {} if r is None else {g.group: g for g in r.groups}
        for g in groups:
            shown = by_group.get(g)
            if shown is None:
                row += [None, None, None]
            else:
                f = shown.figures
                row += [shown.n, None if f is None else f.mean, None if f is None else f.median]
        row += [None] * 11 if r is None else list(r.total.histogram)
        rows.append(row)
    return _table(header, rows)


# --- raw votes ------------------------------------------------------------------------------


def votes_csv(state: WorkshopState, locale: str) -> bytes:
    """Who voted what, for revealed named questions only: an anonymous question's votes are
    nobody's to list, and an unrevealed question's are nobody's to read yet."""
    t = _Words(locale)
    header = [t("question"), t("participant"), t("group"), t("value"), t("by_facilitator")]
    rows: list[list[Cell]] = []
    for q in state.questions_in_order():
        if q.anonymous or not q.revealed:
            continue
        for v in state.votes_on(q.id):
            p = state.participants.get(v.voter_id)
            name = p.display_name if p is not None and p.display_name else t("anonymous")
            rows.append([q.text, name, v.group, v.value, t.yes_no(v.by_facilitator)])
    return _table(header, rows)


# --- dilemma cards ---------------------------------------------------------------------------


def dilemmas_csv(state: WorkshopState, locale: str) -> bytes:
    t = _Words(locale)
    report = workshop_report(state, None)
    groups = _groups(state, report)
    header = [t("card"), t("status"), t("over"), t("under")]
    for g in groups:
        header += [t.group(g, "n"), t.group(g, "over"), t.group(g, "under")]
    rows: list[list[Cell]] = []
    for card, d in zip(deck(state), report.dilemmas, strict=True):
        total = d.total
        row: list[Cell] = [d.text, t(f"card_{card.status}")]
        row += [None, None] if total is None else [total.over, total.under]
        by_group = {} if d.split is None else {g.group: g for g in d.split.groups}
        for g in groups:
            shown = by_group.get(g)
            if shown is None:
                row += [None, None, None]
            else:
                c = shown.counts
                row += [shown.n, None if c is None else c.over, None if c is None else c.under]
        rows.append(row)
    return _table(header, rows)


def export_csv(kind: Kind, state: WorkshopState, locale: str) -> bytes:
    return {
        "notes": notes_csv,
        "questions": questions_csv,
        "votes": votes_csv,
        "dilemmas": dilemmas_csv,
    }[kind](state, locale)
