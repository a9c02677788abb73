"""What the board templates ask about the state, answered for one viewer.

Templates never filter for privacy themselves: every note they get from here is one the viewer
may see (ARCHITECTURE.md, invariant 5).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from server.domain.boards import COLORS, Board, Cluster, Comment, Note
from server.domain.dots import (
    MAX_CARRY,
    MAX_DOTS,
    MIN_CARRY,
    MIN_DOTS,
    DotRound,
    dots_left,
    ranking,
)
from server.domain.questions import Question
from server.domain.timers import MAX_SECONDS, MIN_SECONDS, Timer
from server.domain.workshop import WorkshopState
from server.i18n import translations
from server.realtime.source import Viewer
from server.render.dilemma_view import DilemmaView
from server.render.hall_view import HallView
from server.render.question_view import QuestionView
from server.render.views import note_dots_json, shows_authors, totals_shown, visible


@dataclass(frozen=True)
class BoardView:
    state: WorkshopState
    viewer: Viewer

    @property
    def role(self) -> str:
        return self.viewer.role

    @property
    def facilitator(self) -> bool:
        return self.viewer.role == "facilitator"

    @property
    def writer(self) -> bool:
        return self.viewer.role in ("facilitator", "participant")

    @property
    def questions(self) -> QuestionView:
        """The 0-10 questions as this viewer may see them (pages reach them through here)."""
        return QuestionView(self.state, self.viewer)

    @property
    def dilemmas(self) -> DilemmaView:
        """The dilemma deck as this viewer may see it (pages reach it through here)."""
        return DilemmaView(self.state, self.viewer)

    @property
    def hall(self) -> HallView:
        """The council hall as this viewer may see it (pages reach it through here)."""
        return HallView(self.state, self.viewer)

    @property
    def colors(self) -> tuple[str, ...]:
        return COLORS

    # Countdown timers: the same for every viewer (a timer hides nothing).
    min_timer_seconds = MIN_SECONDS
    max_timer_seconds = MAX_SECONDS
    timer_choices = (30, 60, 120, 180, 300, 600, 900)  # the facilitator's quick picks
    default_timer_seconds = 120

    @property
    def timer(self) -> Timer | None:
        """The current countdown (one at zero still shows 0:00 until it is stopped)."""
        return self.state.current_timer()

    def closable_questions(self) -> list[Question]:
        """The questions a new timer may close at zero: the open ones (facilitators only)."""
        if not self.facilitator:
            return []
        return [q for q in self.questions.questions() if q.status == "open"]

    def boards(self) -> list[Board]:
        return self.state.boards_in_order()

    @property
    def current_board(self) -> Board:
        return self.state.current_board

    def clusters(self, column_id: str) -> list[Cluster]:
        return self.state.clusters_in(column_id)

    def visible(self, note: Note) -> bool:
        return visible(self.state, note, self.viewer)

    def notes(self, column_id: str, cluster_id: str | None) -> list[Note]:
        return [
            n
            for n in self.state.notes_in(column_id, cluster_id)
            if visible(self.state, n, self.viewer)
        ]

    def note_count(self, board: Board) -> int:
        return sum(1 for n in self.state.notes.values() if n.board_id == board.id)

    def can_write(self, board: Board) -> bool:
        return self.writer and (self.facilitator or not board.locked)

    def can_turn(self, note: Note) -> bool:
        board = self.state.boards[note.board_id]
        return (
            board.turn_column_id is not None
            and note.column_id != board.turn_column_id
            and self.can_write(board)
        )

    def author(self, note: Note | Comment) -> str:
        """The name under a note, or "" when the board hides authors from this viewer."""
        board = self.state.boards.get(note.board_id)
        if not shows_authors(board, self.viewer):
            return ""
        _ = translations(self.viewer.locale).gettext
        if note.by_facilitator:
            return _("Facilitator")
        return note.author_name or _("anonym")

    def comments(self, note: Note) -> list[Comment]:
        return self.state.comments_on(note.id)

    def reacted(self, note: Note) -> bool:
        return self.viewer.actor_id in note.reactors

    def linked_text(self, note: Note) -> str | None:
        """The negative note this one turned around, if it still exists and may be read."""
        if note.linked_note_id is None:
            return None
        src = self.state.notes.get(note.linked_note_id)
        if (
            src is None
            or src.board_id != note.board_id
            or not visible(self.state, src, self.viewer)
        ):
            return None  # a note carried from a dot round links to another board: not "turned"
        return src.text

    def turned(self, note: Note) -> bool:
        return (note.board_id, note.id) in self._turned

    @cached_property
    def _turned(self) -> frozenset[tuple[str, str | None]]:
        """Notes a note on the same board links to, found once per rendering: asking every
        note of a full board about every other note cost 900 x 900 checks per page."""
        return frozenset(
            (n.board_id, n.linked_note_id)
            for n in self.state.notes.values()
            if n.linked_note_id is not None
        )

    def private_summary(self, board: Board) -> list[tuple[str, int]]:
        """During private writing: who else is writing how many notes ("Borger 3", 2)."""
        counts: Counter[str] = Counter()
        _ = translations(self.viewer.locale).gettext
        for n in self.state.notes.values():
            if n.board_id != board.id or visible(self.state, n, self.viewer):
                continue
            label = _("Facilitator") if n.by_facilitator else self.state.group_label(n.author_id)
            counts[label] += 1
        return sorted(counts.items())

    def other_columns(self, board: Board, column_id: str) -> list[tuple[str, str]]:
        return [(c.id, c.title) for c in board.columns if c.id != column_id]

    # Dot voting. Totals only where `totals_shown` allows; a participant's own dots only in a
    # rendering made for them (a shared rendering's anonymous viewer has none).
    min_dots, max_dots = MIN_DOTS, MAX_DOTS
    min_carry, max_carry = MIN_CARRY, MAX_CARRY
    default_dots_per_person = 5
    default_per_note = 2
    default_carry = 5

    def dot_round(self, board: Board) -> DotRound | None:
        return self.state.dot_rounds.get(board.id)

    @property
    def voter(self) -> bool:
        return self.viewer.role == "participant"

    def can_dot(self, board: Board) -> bool:
        r = self.dot_round(board)
        return self.voter and r is not None and r.running

    def note_dots(self, note: Note) -> dict[str, int | None] | None:
        """{"total": int | None (hidden from this viewer), "mine": int}, or None: no round."""
        return note_dots_json(self.state, note, self.viewer)

    def dots_left(self, board: Board) -> int:
        r = self.dot_round(board)
        if r is None or not r.running or not self.voter:
            return 0
        if not self.viewer.actor_id:
            return r.dots_per_person  # the anonymous viewer of a shared rendering placed none
        return dots_left(self.state, board.id, self.viewer.actor_id)

    def dot_ranking(self, board: Board) -> list[tuple[Note, int]]:
        """The ranked notes with their dots, when this viewer may see totals; else []."""
        r = self.dot_round(board)
        if r is None or not totals_shown(r, self.viewer):
            return []
        return [(n, d) for n, d in ranking(self.state, board.id) if self.visible(n)]
