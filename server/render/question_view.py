"""What the question templates ask about the state, answered for one viewer.

Templates never decide who may see a vote: every value, figure and name they get comes from
`question_views`, the same functions the JSON views use (ARCHITECTURE.md, invariant 5).
"""

from __future__ import annotations

from dataclasses import dataclass

from server.domain.questions import (
    DEFAULT_MIN_GROUP,
    HIGHEST,
    LOWEST,
    MAX_LABEL_LENGTH,
    MAX_MIN_GROUP,
    MAX_QUESTION_LENGTH,
    MAX_VOTE_COMMENT_LENGTH,
    Figures,
    Question,
    Results,
    Vote,
)
from server.domain.workshop import Participant, WorkshopState
from server.realtime.source import Viewer
from server.render import question_views as qv
from server.render.figures import Chart, chart


@dataclass(frozen=True)
class PersonVote:
    """One row of "who voted what" (facilitators, named questions, after the reveal)."""

    name: str | None  # None: joined as "anonym"
    group: str
    value: int
    by_facilitator: bool


@dataclass(frozen=True)
class QuestionView:
    state: WorkshopState
    viewer: Viewer

    max_text = MAX_QUESTION_LENGTH
    max_label = MAX_LABEL_LENGTH
    max_comment = MAX_VOTE_COMMENT_LENGTH
    max_min_group = MAX_MIN_GROUP
    default_min_group = DEFAULT_MIN_GROUP
    scale = tuple(range(LOWEST, HIGHEST + 1))

    @property
    def facilitator(self) -> bool:
        return self.viewer.role == "facilitator"

    @property
    def participant(self) -> bool:
        return self.viewer.role == "participant"

    @property
    def screen(self) -> bool:
        return self.viewer.role == "screen"

    @property
    def groups(self) -> tuple[str, ...]:
        return self.state.groups

    def questions(self) -> list[Question]:
        return qv.visible_questions(self.state, self.viewer)

    def shown(self) -> bool:
        """Whether the section has anything for this viewer (facilitators always: the forms)."""
        return self.facilitator or bool(self.questions())

    def count(self, q: Question) -> tuple[int, int]:
        return qv.vote_count(self.state, q)

    def mine(self, q: Question) -> Vote | None:
        return qv.own_vote(self.state, q, self.viewer)

    def missing(self, q: Question) -> list[Participant]:
        return qv.not_voted(self.state, q, self.viewer)

    def results(self, q: Question) -> Results | None:
        return qv.shown_results(self.state, q)

    def by_person(self, q: Question) -> list[PersonVote]:
        return [
            PersonVote(p.display_name if p else None, v.group, v.value, v.by_facilitator)
            for p, v in qv.named_votes(self.state, q, self.viewer)
        ]

    def in_room(self) -> list[Participant]:
        return qv.in_room(self.state, self.viewer)

    def chart(self, figures: Figures) -> Chart:
        return chart(figures.histogram)
