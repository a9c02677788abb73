"""What the import's planners share: the steps so far, each with the path of the element it
came from (so a refusal names it), the participants re-created, and the refs' new ids."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from server.domain.commands import Actor, Command, UpdateParticipant
from server.exchange.errors import ImportProblem
from server.exchange.export import FACILITATOR

Doc = dict[str, Any]


@dataclass
class Person:
    """A participant as re-created: a fresh id, and the group they end up in."""

    actor: Actor
    name: str | None
    group: str
    path: str


@dataclass
class Builder:
    facilitator: Actor
    main_board_id: str
    steps: list[tuple[Actor, Command]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    people: list[Person] = field(default_factory=list)
    by_ref: dict[str, Person] = field(default_factory=dict)
    blobs: list[tuple[str, bytes]] = field(default_factory=list)
    boards: dict[str, str] = field(default_factory=dict)  # ref -> new id
    notes: dict[str, str] = field(default_factory=dict)
    rooms: dict[str, str] = field(default_factory=dict)
    assets: dict[str, str] = field(default_factory=dict)
    # Done last, once everyone has done their part: hiding, locking, private writing, removing.
    finally_: list[tuple[str, Actor, Command]] = field(default_factory=list)

    def add(self, path: str, actor: Actor, command: Command) -> None:
        self.steps.append((actor, command))
        self.paths.append(path)

    def later(self, path: str, actor: Actor, command: Command) -> None:
        self.finally_.append((path, actor, command))

    def finish(self) -> None:
        for path, actor, command in self.finally_:
            self.add(path, actor, command)
        self.finally_ = []

    def author(self, ref: str) -> Actor:
        return self.facilitator if ref == FACILITATOR else self.by_ref[ref].actor

    def in_group(
        self, path: str, person: Person, group: str, actor: Actor, command: Command
    ) -> None:
        """Give a vote or a choice as a member of `group`: someone who has since changed
        group is moved there for the moment, so the figures come out as they were."""
        if person.group == group:
            self.add(path, actor, command)
            return
        self.add(path, person.actor, UpdateParticipant(person.name, group))
        self.add(path, actor, command)
        self.add(path, person.actor, UpdateParticipant(person.name, person.group))

    def voters(self, sizes: list[tuple[str, int]], path: str) -> list[list[Person]]:
        """Who casts each group's votes: its own members in join order first, then (if the
        group had members who left it since) anyone not voting yet."""
        chosen: list[list[Person]] = []
        used: set[str] = set()
        for group, n in sizes:
            own = [p for p in self.people if p.group == group][:n]
            used.update(p.actor.id for p in own)
            chosen.append(own)
        spare = [p for p in self.people if p.actor.id not in used]
        for gi, (_, n) in enumerate(sizes):
            missing = n - len(chosen[gi])
            if missing > len(spare):
                raise ImportProblem("import.too_few_people", f"{path}.groups[{gi}]")
            chosen[gi] += spare[:missing]
            spare = spare[missing:]
        return chosen


def expand(histogram: list[int]) -> list[int]:
    """[0, 2, 1, ...] -> [1, 1, 2]: the values a histogram counts, lowest first."""
    return [v for v, count in enumerate(histogram) for _ in range(count)]


def inconsistent(path: str) -> ImportProblem:
    return ImportProblem("import.inconsistent", path)
