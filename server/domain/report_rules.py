"""Who may publish the read-only report link, and when it stops working. A committee's stream
publishes its committee report the same way, for former members following the work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from server.domain import events as ev
from server.domain.commands import Actor, PublishReport, UnpublishReport
from server.domain.errors import DomainError
from server.domain.events import Event
from server.domain.permissions import facilitator_only

if TYPE_CHECKING:
    from server.domain.workshop import WorkshopState

MAX_LINK_ID = 64


def publish_report(state: WorkshopState, actor: Actor, c: PublishReport) -> list[Event]:
    """A new id each time: publishing again revokes the link given out before."""
    facilitator_only(actor)
    if not c.link_id or len(c.link_id) > MAX_LINK_ID or c.link_id == state.report_link:
        raise DomainError("report.link_id")
    return [Event(ev.REPORT_PUBLISHED, {"link_id": c.link_id})]


def unpublish_report(state: WorkshopState, actor: Actor, c: UnpublishReport) -> list[Event]:
    facilitator_only(actor)
    if state.report_link is None:
        raise DomainError("report.not_published")
    return [Event(ev.REPORT_UNPUBLISHED, {})]
