"""Task committees from the facilitator's side: setting one up, its d'Hondt allocation, grouping
a workshop into it as a meeting, and "move to backlog" from a meeting's board note.

A committee is a stream of its own: `POST /f/committees` creates it with `Service.create_workshop`
and then executes `SetUpCommittee` (and, for Gentofte's 100-day test group, the one 100-day
sprint). The whole form is checked first, in memory, by the same domain rules (`decide` on a
throwaway state, `dhondt.allocate` among them), so a bad form creates nothing and is answered
with the specific message. Every write after that is a command with an id derived from what it
is about (`setup-<id>`, `meeting-<workshop>`, `backlog-<note>`), so a retried form, a double
click or a lost response never does anything twice.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from server.domain import dhondt
from server.domain.backlog import HUNDRED_DAYS, MAX_CAPACITY, MAX_ITEM_TITLE, UNITS
from server.domain.backlog_commands import AddItem, AddMeeting, CreateSprint, SetUpCommittee
from server.domain.commands import Actor, Command, SendNoteToBacklog
from server.domain.decide import clean_date, decide
from server.domain.decide import create_workshop as workshop_created
from server.domain.errors import DomainError
from server.domain.workshop import DEFAULT_GROUPS, WorkshopState, apply, new_workshop
from server.i18n import message, translations
from server.realtime.wire import copenhagen_today
from server.service import Result, UnknownWorkshop, new_id
from server.store import workshops as workshop_rows
from server.store.db import StoreUnavailable
from server.store.tables import committees, workshops
from server.web.forms import csrf_failed, page, read_form, redirect
from server.web.identity import identify
from server.web.security import csrf_valid
from server.web.state import runtime, session_facilitator, session_locale

logger = logging.getLogger(__name__)

# "C 13": a party's letter (or name) and its council seats; entries split by commas or lines.
_PARTY = re.compile(r"^(?P<name>\S(?:.*\S)?)\s+(?P<seats>[0-9]{1,3})\Z")
_PARTY_SEPARATORS = re.compile(r"[,;\n]")
_WHOLE = re.compile(r"^[0-9]{1,6}\Z")
MAX_PARTIES_TEXT = 2000
DEFAULT_TEST_CAPACITY = "100"
FORM_FIELDS = (
    "name",
    "unit",
    "capacity_rule",
    "parties",
    "political_seats",
    "groups",
    "test_group",
    "start",
    "capacity",
    "goal",
)


# --- reading the set-up form ----------------------------------------------------------------


def parse_parties(text: str) -> list[tuple[str, int]]:
    """ "C 13, A 2, V 1" (or one a line) as [("C", 13), ("A", 2), ("V", 1)]: strictly, so a
    typo is named rather than guessed at. The names are the domain's to clean and check."""
    if len(text) > MAX_PARTIES_TEXT:
        raise DomainError("committee.party_format", entry=text[:40] + "…")
    out: list[tuple[str, int]] = []
    for raw in _PARTY_SEPARATORS.split(text):
        entry = " ".join(raw.split())
        if not entry:
            continue
        m = _PARTY.match(entry)
        if m is None:
            raise DomainError("committee.party_format", entry=entry[:40])
        out.append((m.group("name"), int(m.group("seats"))))
    return out


def _whole(value: str, code: str, **params: Any) -> int:
    """A form's whole number (ASCII digits only), or the given DomainError."""
    v = value.strip()
    if not _WHOLE.match(v):
        raise DomainError(code, **params)
    return int(v)


@dataclass(frozen=True)
class CommitteePlan:
    """What the set-up form asks for, as the commands that will make it."""

    name: str
    date: str
    groups: list[str]
    setup: SetUpCommittee
    sprint: CreateSprint | None


def read_plan(form: Mapping[str, str], locale: str) -> CommitteePlan:
    """The form as commands, or the DomainError to show. Nothing is checked against the
    rules here beyond the form's own shapes: `check_plan` does that."""
    test_group = form.get("test_group", "") in ("on", "true", "1")
    parties = parse_parties(form.get("parties", ""))
    seats_text = form.get("political_seats", "").strip()
    seats = 0 if not seats_text else _whole(seats_text, "committee.seats_format")
    if test_group and (parties or seats):
        raise DomainError("committee.test_group_parties")
    start = form.get("start", "").strip()
    date = clean_date(start) if start or test_group else copenhagen_today()
    setup = SetUpCommittee(
        name=form.get("name", "")[:1000],
        unit=form.get("unit", "points"),
        capacity_rule=form.get("capacity_rule", "refuse"),
        parties=tuple(parties),
        political_seats=seats,
        test_group=test_group,
    )
    sprint = None
    if test_group:
        first = datetime.date.fromisoformat(date)
        capacity = _whole(
            form.get("capacity", "") or DEFAULT_TEST_CAPACITY, "sprint.capacity", max=MAX_CAPACITY
        )
        goal = form.get("goal", "").strip() or message("committee.test_group_goal", locale)
        sprint = CreateSprint(
            sprint_id=new_id(),
            name=message("committee.test_group_sprint", locale, days=HUNDRED_DAYS),
            goals=(goal[:1000],),
            goal_ids=(new_id(),),
            start=date,
            end=(first + datetime.timedelta(days=HUNDRED_DAYS - 1)).isoformat(),
            capacity=capacity,
        )
    groups = [g for g in form.get("groups", "").splitlines() if g.strip()][:100]
    return CommitteePlan(
        name=setup.name,
        date=date,
        groups=groups or list(DEFAULT_GROUPS),
        setup=setup,
        sprint=sprint,
    )


def check_plan(plan: CommitteePlan, facilitator_id: str) -> None:
    """Run the plan through the domain on a throwaway state: the title, date and groups of the
    stream, the committee (d'Hondt's checks included) and the test group's sprint. Raises the
    first DomainError; nothing is stored either way."""
    first = workshop_created(
        workshop_id="check",
        board_id="check",
        join_code="CHECK2",
        title=plan.name,
        date=plan.date,
        groups=plan.groups,
        board_title="check",
        facilitator_id=facilitator_id,
    )
    state = new_workshop(first)
    actor = Actor("facilitator", facilitator_id)
    commands: list[Command] = [plan.setup]
    if plan.sprint is not None:
        commands.append(plan.sprint)
    seq = 1
    for command in commands:
        for event in decide(state, actor, command):
            seq += 1
            state = apply(state, event, seq)


# --- the dashboard's committee part ---------------------------------------------------------


def empty_form() -> dict[str, str]:
    return {
        "name": "",
        "unit": UNITS[0],
        "capacity_rule": "refuse",
        "parties": "",
        "political_seats": "",
        "groups": "",
        "test_group": "",
        "start": copenhagen_today(),
        "capacity": DEFAULT_TEST_CAPACITY,
        "goal": "",
    }


async def dashboard_context(conn: AsyncConnection, facilitator_id: str) -> dict[str, Any]:
    """What the dashboard's committee forms need: the facilitator's committees with their
    meetings, the workshops they may group into one (neither a committee nor a meeting yet),
    and each meeting's committee. For `facilitator.dashboard` and the forms re-rendered here."""
    rows = await workshop_rows.for_facilitator(conn, facilitator_id)
    q = (
        sa.select(workshops.c.id, workshops.c.committee_id, committees.c.workshop_id)
        .select_from(workshops.outerjoin(committees, committees.c.workshop_id == workshops.c.id))
        .where(workshops.c.facilitator_id == facilitator_id)
    )
    is_committee: set[str] = set()
    meeting_of: dict[str, str] = {}
    for wid, committee_id, committee_row in await conn.execute(q):
        if committee_row is not None:
            is_committee.add(str(wid))
        if committee_id is not None:
            meeting_of[str(wid)] = str(committee_id)
    grouped: dict[str, list[workshop_rows.WorkshopRow]] = {}
    for r in rows:
        if r.id in meeting_of:
            grouped.setdefault(meeting_of[r.id], []).append(r)
    return {
        "committees": [r for r in rows if r.id in is_committee],
        "free_workshops": [r for r in rows if r.id not in is_committee and r.id not in meeting_of],
        "meeting_of": meeting_of,
        "committee_meetings": grouped,
        "committee_form": empty_form(),
        "committee_error": None,
        "meeting_error": None,
    }


async def _dashboard(request: Request, facilitator_id: str, status: int, **extra: Any) -> Response:
    """The dashboard again, with the committee form as sent and the message to show."""
    rt = runtime(request)
    async with rt.db.read() as conn:
        rows = await workshop_rows.for_facilitator(conn, facilitator_id)
        context = await dashboard_context(conn, facilitator_id)
    form = {"title": "", "date": copenhagen_today(), "groups": "\n".join(DEFAULT_GROUPS)}
    context.update(extra)
    return page(
        request,
        "facilitator/dashboard.html",
        status=status,
        workshops=rows,
        form=form,
        error=None,
        **context,
    )


# --- POST /f/committees ---------------------------------------------------------------------


def _unexpected(result: Result) -> str:
    return f"{result.error_code} {result.error_params}"


async def set_up_committee(request: Request) -> Response:
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    locale = session_locale(request)
    sent = {k: form.get(k, "")[:MAX_PARTIES_TEXT] for k in FORM_FIELDS}
    try:
        plan = read_plan(form, locale)
        check_plan(plan, fid)
    except DomainError as e:
        return await _dashboard(
            request,
            fid,
            422,
            committee_form=sent,
            committee_error=message(e.code, locale, **e.params),
        )
    state = await rt.service.create_workshop(
        facilitator_id=fid,
        title=plan.name,
        date=plan.date,
        groups=plan.groups,
        board_title=message("board.default_title", locale),
        column_title=message("template.blank.notes", locale),
    )
    actor = Actor("facilitator", fid)
    steps: list[tuple[str, Command]] = [(f"setup-{state.id}", plan.setup)]
    if plan.sprint is not None:
        steps.append((f"sprint-{state.id}", plan.sprint))
    for command_id, command in steps:
        result = await rt.service.execute(state.id, actor, command_id, command)
        if not result.ok:  # checked above: only a rule changed under us gets here
            logger.error("committee %s: %s refused: %s", state.id, command_id, _unexpected(result))
            assert result.error_code is not None
            error = message(result.error_code, locale, **(result.error_params or {}))
            return await _dashboard(request, fid, 422, committee_form=sent, committee_error=error)
    return redirect(f"/f/workshops/{state.id}")


# --- the d'Hondt allocation -----------------------------------------------------------------


def _number(value: float, locale: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if locale == "da" else text


def allocation_html(
    council: list[tuple[str, int]], allocation: dhondt.Allocation, locale: str
) -> str:
    """The allocation as a fragment: seats per party, then every seat with the quotient that
    won it (council seats / (seats won + 1)), and the tie drawn by lot explained."""
    _ = translations(locale).gettext
    e = html.escape
    base = dict(council)
    won: dict[str, int] = dict.fromkeys(base, 0)
    seats = sum(allocation.seats.values()) + (0 if allocation.tie is None else allocation.tie.seats)
    heading = _("Seats by d'Hondt")
    out = [
        '<section class="dhondt" aria-labelledby="dhondt-title">',
        f'<h3 id="dhondt-title">{e(heading)}</h3>',
        f"<p>{e(message('committee.allocation_intro', locale, seats=seats))}</p>",
        '<table class="dhondt-seats">',
        f"<caption>{e(_('Seats per party'))}</caption>",
        f'<thead><tr><th scope="col">{e(_("Party"))}</th>'
        f'<th scope="col">{e(_("Council seats"))}</th>'
        f'<th scope="col">{e(_("Committee seats"))}</th></tr></thead><tbody>',
    ]
    for party, n in council:
        out.append(
            f'<tr><th scope="row">{e(party)}</th><td>{n}</td>'
            f'<td data-party="{e(party)}">{allocation.seats.get(party, 0)}</td></tr>'
        )
    out += [
        "</tbody></table>",
        '<table class="dhondt-awards">',
        f"<caption>{e(_('Seat by seat'))}</caption>",
        f'<thead><tr><th scope="col">{e(_("Seat"))}</th><th scope="col">{e(_("Party"))}</th>'
        f'<th scope="col">{e(_("Quotient"))}</th></tr></thead><tbody>',
    ]
    for a in allocation.awards:
        won[a.party] += 1
        quotient = f"{base[a.party]} / {won[a.party]} = {_number(float(a.quotient), locale)}"
        shared = ""
        if a.tied_with:
            shared = " " + message("committee.award_shared", locale, parties=", ".join(a.tied_with))
        out.append(
            f"<tr><td>{a.seat}</td><td>{e(a.party)}</td><td>{e(quotient)}{e(shared)}</td></tr>"
        )
    out.append("</tbody></table>")
    tie = allocation.tie
    if tie is None:
        out.append(f'<p class="dhondt-decided">{e(message("committee.no_tie", locale))}</p>')
    else:
        text = message(
            "committee.tie",
            locale,
            seats=tie.seats,
            parties=", ".join(tie.parties),
            quotient=_number(float(tie.quotient), locale),
        )
        out.append(f'<p class="dhondt-tie" data-tie-seats="{tie.seats}">{e(text)}</p>')
    out.append("</section>")
    return "".join(out)


def _refusal_html(code: str, locale: str, status: int, **params: Any) -> HTMLResponse:
    text = message(code, locale, **params)
    return HTMLResponse(
        f'<p class="error" role="alert" data-code="{html.escape(code)}">{html.escape(text)}</p>',
        status_code=status,
    )


async def allocation_preview(request: Request) -> Response:
    """GET /f/committees/allocation?parties=C 13, A 2&political_seats=2: the set-up form's
    preview, before anything exists. A form that cannot be allocated yet says why (200: the
    preview shows it in place)."""
    if session_facilitator(request.session) is None:
        return redirect("/login")
    locale = session_locale(request)
    q = request.query_params
    try:
        council = parse_parties(q.get("parties", ""))
        seats = _whole(q.get("political_seats", "") or "0", "committee.seats_format")
        allocation = dhondt.allocate(council, seats)
    except DomainError as e:
        text = html.escape(message(e.code, locale, **e.params))
        return HTMLResponse(f'<p class="error" data-code="{html.escape(e.code)}">{text}</p>')
    return HTMLResponse(allocation_html(council, allocation, locale))


async def committee_allocation(request: Request) -> Response:
    """GET /f/committees/{workshop_id}/allocation: a committee's allocation, for its page (its
    facilitator and its members)."""
    locale = session_locale(request)
    workshop_id = request.path_params["workshop_id"][:64]
    found = await identify(request, workshop_id)
    if not found.workshop_exists:
        return _refusal_html("workshop.not_found", locale, 404)
    if found.identity is None:
        return _refusal_html("permission.not_in_workshop", locale, 403)
    snap = await runtime(request).source.snapshot(workshop_id)
    c = None if snap is None else snap.state.committee
    if c is None:
        return _refusal_html("committee.none", locale, 404)
    if not c.parties or c.political_seats <= 0:
        return _refusal_html("committee.no_parties", locale, 404)
    council = [(p.name, p.council_seats) for p in c.parties]
    try:
        allocation = dhondt.allocate(council, c.political_seats)
    except DomainError as e:  # checked at set-up; only a log from elsewhere gets here
        return _refusal_html(e.code, locale, 422, **e.params)
    return HTMLResponse(allocation_html(council, allocation, locale))


# --- POST /f/committees/{committee_id}/meetings -----------------------------------------------


async def _committee_state(request: Request, committee_id: str) -> WorkshopState | None:
    snap = await runtime(request).source.snapshot(committee_id)
    return None if snap is None or snap.state.committee is None else snap.state


def _is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request", "").lower() == "true"


def _status_html(text: str, ok: bool, **data: str) -> str:
    attrs = "".join(f' data-{k.replace("_", "-")}="{html.escape(v)}"' for k, v in data.items())
    cls, role = ("ok", "status") if ok else ("error", "alert")
    return f'<p class="backlog-status {cls}" role="{role}"{attrs}>{html.escape(text)}</p>'


async def add_meeting(request: Request) -> Response:
    """Form `workshop_id`: one of the facilitator's own workshops, neither a committee nor
    another committee's meeting. Someone else's committee or workshop is 404, as a workshop
    page is."""
    fid = session_facilitator(request.session)
    if fid is None:
        return redirect("/login")
    rt = runtime(request)
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return csrf_failed(request)
    locale = session_locale(request)
    committee_id = request.path_params["committee_id"][:64]
    workshop_id = form.get("workshop_id", "")[:64]

    async def refuse(status: int, code: str, **params: Any) -> Response:
        text = message(code, locale, **params)
        if _is_htmx(request):
            return HTMLResponse(_status_html(text, False, code=code), status_code=status)
        return await _dashboard(request, fid, status, meeting_error=text)

    async with rt.db.read() as conn:
        committee_row = await workshop_rows.by_id(conn, committee_id)
        row = await workshop_rows.by_id(conn, workshop_id)
        meeting_of = await conn.scalar(
            sa.select(workshops.c.committee_id).where(workshops.c.id == workshop_id)
        )
    if committee_row is None or committee_row.facilitator_id != fid:
        return await refuse(404, "workshop.not_found")
    if await _committee_state(request, committee_id) is None:
        return await refuse(404, "committee.none")
    if row is None or row.facilitator_id != fid:
        return await refuse(404, "workshop.not_found")
    if await _committee_state(request, workshop_id) is not None:
        return await refuse(422, "committee.meeting_committee")
    if meeting_of is not None and meeting_of != committee_id:
        return await refuse(422, "committee.meeting_other")
    command = AddMeeting(workshop_id=row.id, title=row.title, date=row.date)
    try:
        result = await rt.service.execute(
            committee_id, Actor("facilitator", fid), f"meeting-{row.id}", command
        )
    except StoreUnavailable:
        return await refuse(503, "server.try_again")
    except UnknownWorkshop:
        return await refuse(404, "workshop.not_found")
    if not result.ok:
        assert result.error_code is not None
        return await refuse(422, result.error_code, **(result.error_params or {}))
    if _is_htmx(request):
        text = message("committee.meeting_added", locale, title=row.title)
        return HTMLResponse(_status_html(text, True, workshop_id=row.id))
    return redirect(f"/f/workshops/{committee_id}")


# --- POST /f/workshops/{workshop_id}/notes/{note_id}/backlog ------------------------------------


def item_id_for(workshop_id: str, note_id: str) -> str:
    """The backlog item a note becomes: derived from the note, so a retry names the same item."""
    return hashlib.sha256(f"{workshop_id}:{note_id}".encode()).hexdigest()[:16]


def item_words(text: str) -> tuple[str, str]:
    """A note as an item: its first line (shortened to the title's limit) as the title, and
    the whole note as the description when the title does not already say it all."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    first = lines[0] if lines else text.strip()
    title = first if len(first) <= MAX_ITEM_TITLE else first[: MAX_ITEM_TITLE - 1].rstrip() + "…"
    description = "" if title == text.strip() else text.strip()
    return title, description


async def move_to_backlog(request: Request) -> Response:
    """ "Move to backlog" on a meeting's board note: the committee adds the item (linked to
    the note), then the note links to the item. Both commands have ids derived from the note,
    so a retry after any failure finishes the job and never makes a second item."""
    locale = session_locale(request)
    workshop_id = request.path_params["workshop_id"][:64]
    note_id = request.path_params["note_id"][:64]

    def refuse(status: int, code: str, **params: Any) -> Response:
        text = message(code, locale, **params)
        if _is_htmx(request):
            return HTMLResponse(_status_html(text, False, code=code), status_code=status)
        return HTMLResponse(html.escape(text), status_code=status)

    found = await identify(request, workshop_id)
    if not found.workshop_exists:
        return refuse(404, "workshop.not_found")
    if found.identity is None:
        if session_facilitator(request.session) is None and not _is_htmx(request):
            return redirect("/login")
        return refuse(403, "permission.not_in_workshop")
    actor = found.identity.actor
    if actor.role != "facilitator":
        return refuse(403, "permission.facilitators_only")
    form = await read_form(request)
    if not csrf_valid(request.session, form.get("csrf")):
        return refuse(403, "form.csrf")
    rt = runtime(request)
    async with rt.db.read() as conn:
        committee_id = await conn.scalar(
            sa.select(workshops.c.committee_id).where(workshops.c.id == workshop_id)
        )
        committee_row = (
            None if committee_id is None else await workshop_rows.by_id(conn, str(committee_id))
        )
    if committee_row is None:
        return refuse(422, "backlog.no_committee")
    snap = await rt.source.snapshot(workshop_id)
    note = None if snap is None else snap.state.notes.get(note_id)
    if note is None:
        return refuse(404, "note.unknown")
    committee = await _committee_state(request, committee_row.id)
    if committee is None or committee_row.facilitator_id != actor.id:
        return refuse(404, "committee.none")
    item_id = item_id_for(workshop_id, note_id)
    title, description = item_words(note.text)
    try:
        added = await rt.service.execute(
            committee.id,
            actor,
            f"backlog-{note_id}",
            AddItem(
                item_id=item_id,
                title=title,
                description=description,
                source_workshop_id=workshop_id,
                source_note_id=note_id,
            ),
        )
        if not added.ok and added.error_code == "backlog.already_from_note":
            assert committee.committee is not None  # an item from this note, another way
            existing = committee.committee.source_item(workshop_id, note_id)
            item_id = item_id if existing is None else existing.id
        elif not added.ok:
            assert added.error_code is not None
            return refuse(422, added.error_code, **(added.error_params or {}))
        linked = await rt.service.execute(
            workshop_id,
            actor,
            f"backlog-link-{note_id}",
            SendNoteToBacklog(note_id=note_id, committee_id=committee.id, item_id=item_id),
        )
    except StoreUnavailable:
        return refuse(503, "server.try_again")
    except UnknownWorkshop:
        return refuse(404, "workshop.not_found")
    if not linked.ok and linked.error_code != "note.in_backlog":  # in_backlog: done already
        assert linked.error_code is not None
        return refuse(422, linked.error_code, **(linked.error_params or {}))
    if _is_htmx(request):
        assert committee.committee is not None
        text = message("backlog.note_sent", locale, committee=committee.committee.name)
        return HTMLResponse(
            _status_html(text, True, committee_id=committee.id, item_id=item_id, note_id=note_id)
        )
    return redirect(f"/f/workshops/{workshop_id}")
