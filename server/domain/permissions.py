"""Who may: the checks several rule modules share."""

from __future__ import annotations

from server.domain.commands import Actor
from server.domain.errors import DomainError


def facilitator_only(actor: Actor) -> None:
    """The room screen only shows (it has no say in anything); everyone else but the
    facilitator is told it is the facilitator's."""
    if actor.role == "screen":
        raise DomainError("permission.read_only")
    if actor.role != "facilitator":
        raise DomainError("permission.facilitators_only")
