"""0-10 questions and their votes: pure data, the lifecycle, and what a result shows.

"To what degree can the vision work as a final proposal? 0 = to a low degree, 10 = to a high
degree." Votes stay hidden until the facilitator reveals; `results` is the only way figures
leave the domain, and only for a revealed question.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Literal

Status = Literal["draft", "open", "closed", "revealed"]

MAX_QUESTIONS = 50
MAX_QUESTION_LENGTH = 300
MAX_LABEL_LENGTH = 40
MAX_VOTE_COMMENT_LENGTH = 500
LOWEST, HIGHEST = 0, 10
DEFAULT_LOW_LABEL = "I lav grad"
DEFAULT_HIGH_LABEL = "I høj grad"
DEFAULT_MIN_GROUP = 3  # a group's figures are hidden when fewer than this many voted in it
MAX_MIN_GROUP = 20


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    low_label: str
    high_label: str
    ask_comment: bool  # ask "what should be adjusted?" with the vote
    anonymous: bool  # nobody, the facilitator included, may see who voted what
    min_group: int
    position: int
    status: Status = "draft"

    @property
    def accepts_votes(self) -> bool:
        return self.status == "open"

    @property
    def revealed(self) -> bool:
        return self.status == "revealed"


@dataclass(frozen=True)
class Vote:
    question_id: str
    voter_id: str  # the participant the vote is for
    value: int
    comment: str | None
    group: str  # the voter's group when they voted: the split in the results
    by_facilitator: bool  # recorded by the facilitator for someone in the room without a device
    seq: int


def is_vote_value(value: object) -> bool:
    """Exactly an integer from 0 to 10: not a bool, a float like 7.0, or a string."""
    return type(value) is int and LOWEST <= value <= HIGHEST


@dataclass(frozen=True)
class Figures:
    """What a set of votes comes to. `histogram[v]` counts the votes with value v."""

    n: int
    histogram: tuple[int, ...]
    mean: float | None
    median: float | None
    stdev: float | None  # population standard deviation: the room is the whole population
    low: int | None
    high: int | None
    q1: float | None
    q3: float | None

    @property
    def iqr(self) -> float | None:
        return None if self.q1 is None or self.q3 is None else self.q3 - self.q1


def figures(values: list[int]) -> Figures:
    histogram = tuple(values.count(v) for v in range(LOWEST, HIGHEST + 1))
    if not values:
        return Figures(0, histogram, None, None, None, None, None, None, None)
    if len(values) == 1:
        q1 = q3 = float(values[0])
    else:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return Figures(
        n=len(values),
        histogram=histogram,
        mean=statistics.fmean(values),
        median=float(statistics.median(values)),
        stdev=statistics.pstdev(values),
        low=min(values),
        high=max(values),
        q1=q1,
        q3=q3,
    )


@dataclass(frozen=True)
class GroupFigures:
    group: str
    n: int
    figures: Figures | None  # None: fewer than the question's `min_group` voted in this group


@dataclass(frozen=True)
class Results:
    question: Question
    total: Figures
    groups: tuple[GroupFigures, ...]
    comments: tuple[str, ...]  # in the order given; never with who wrote them


def _hidden_groups(sizes: dict[str, int], k: int) -> set[str]:
    """Groups below k are hidden; and while the hidden votes together are fewer than k, the
    smallest shown group is hidden too, so the total minus the shown groups cannot give away
    what a small group voted (complementary suppression)."""
    hidden = {g for g, n in sizes.items() if n < k}
    while 0 < sum(sizes[g] for g in hidden) < k:
        shown = sorted((n, g) for g, n in sizes.items() if g not in hidden and n > 0)
        if not shown:
            break
        hidden.add(shown[0][1])
    return hidden


def results(question: Question, votes: list[Vote], groups: tuple[str, ...]) -> Results:
    """The revealed figures: everyone's, then each group's side by side (hidden below k)."""
    mine = [v for v in votes if v.question_id == question.id]
    known = list(groups) + sorted({v.group for v in mine} - set(groups))
    values = {g: [v.value for v in mine if v.group == g] for g in known}
    hidden = _hidden_groups({g: len(vs) for g, vs in values.items()}, question.min_group)
    by_group = [
        GroupFigures(g, len(values[g]), None if g in hidden else figures(values[g])) for g in known
    ]
    return Results(
        question=question,
        total=figures([v.value for v in mine]),
        groups=tuple(by_group),
        comments=tuple(v.comment for v in sorted(mine, key=lambda v: v.seq) if v.comment),
    )
