"""What the hall templates ask about the state, answered for one viewer.

The rule of the hall (`server/domain/hall.py`): a participant gets the rooms they may enter,
with their stations; a gated room they have not unlocked only as a locked entry (its title),
never its stations, picture or music; quiz answers only for facilitators; calls only for
facilitators, and to a participant only their own. Templates never filter for privacy
themselves: every room, station and call they get from here is one the viewer may see.

`preview=True` is the facilitator's "preview as a participant": a participant who has unlocked
nothing, read-only (no forms that send), with pictures fetched through the facilitator's asset
address.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup

from server.domain.boards import Board
from server.domain.hall import (
    HALL,
    MAX_BODY,
    MAX_CALL_MESSAGE,
    MAX_ITEM_TEXT,
    MAX_ITEMS,
    MAX_PHONE,
    MAX_ROOM_TITLE,
    MAX_STATION_TITLE,
    ROOM_KINDS,
    SPAN,
    STATION_KINDS,
    Asset,
    Call,
    Room,
    Station,
    is_gated,
    may_enter,
    rooms_in_order,
    stations_in,
)
from server.domain.hall_text import (
    format_ids,
    format_items,
    format_links,
    format_milestones,
    format_quiz,
)
from server.domain.workshop import WorkshopState
from server.realtime.source import Viewer
from server.render.markdown import markdown

DEFAULT_PICTURES = {"break": "/static/hall/break.svg"}
DEFAULT_PICTURE = "/static/hall/chamber.svg"
# A glyph per kind, drawn by fonts every tablet has (no emoji font needed); never the only cue:
# each station also shows its title and says its kind in words.
ICONS = {
    "programme": "☰",
    "rules": "§",
    "films": "▶",
    "plan": "⚑",
    "maps": "◎",
    "helpline": "☎",
    "board": "▦",
    "info": "i",
    "quiz": "?",
    "door": "➜",
}
_URL = re.compile(r"https?://[^\s\"'<>]+\Z", re.IGNORECASE)
_TEL = re.compile(r"[^0-9+]")


@dataclass(frozen=True)
class OpenCall:
    call: Call
    name: str | None  # None: the participant joined as "anonym"
    group: str
    station: Station | None


@dataclass(frozen=True)
class HallView:
    state: WorkshopState
    viewer: Viewer
    preview: bool = False

    hall_id = HALL
    span = SPAN
    station_kinds = STATION_KINDS
    room_kinds = ROOM_KINDS
    icons = ICONS
    max_room_title = MAX_ROOM_TITLE
    max_station_title = MAX_STATION_TITLE
    max_body = MAX_BODY
    max_call_message = MAX_CALL_MESSAGE
    max_phone = MAX_PHONE
    max_item_text = MAX_ITEM_TEXT
    max_items = MAX_ITEMS

    # --- who is looking ---------------------------------------------------------------------

    @property
    def role(self) -> str:
        return "participant" if self.preview else self.viewer.role

    @property
    def facilitator(self) -> bool:
        return self.viewer.role == "facilitator" and not self.preview

    @property
    def participant(self) -> bool:
        return self.preview or self.viewer.role == "participant"

    @property
    def screen(self) -> bool:
        return self.viewer.role == "screen" and not self.preview

    @property
    def me(self) -> str | None:
        """The participant whose own unlocks and calls this rendering may show (None: shared)."""
        if self.preview or self.viewer.role != "participant":
            return None
        return self.viewer.actor_id or None

    @property
    def read_only(self) -> bool:
        """No forms at all: the room screen and the preview."""
        return self.preview or self.viewer.role == "screen"

    @property
    def sends(self) -> bool:
        """A participant's own actions (quiz, call me) are offered."""
        return self.viewer.role == "participant" and not self.preview

    @property
    def sees_answers(self) -> bool:
        return self.facilitator

    # --- rooms ------------------------------------------------------------------------------

    def may_enter(self, room_id: str) -> bool:
        return may_enter(self.state.hall, room_id, self.me, not self.participant)

    def rooms(self) -> list[Room]:
        """The rooms this viewer may enter, the hall first."""
        return [r for r in rooms_in_order(self.state.hall) if self.may_enter(r.id)]

    def text_rooms(self) -> list[tuple[Room, bool]]:
        """Every room in order for the text view, with whether it is locked for this viewer:
        a locked room is named, nothing more."""
        return [(r, not self.may_enter(r.id)) for r in rooms_in_order(self.state.hall)]

    def room(self, room_id: str | None) -> Room | None:
        return self.state.hall.rooms.get(room_id or "")

    def stations(self, room_id: str) -> list[Station]:
        if not self.may_enter(room_id):
            return []
        return stations_in(self.state.hall, room_id)

    def all_stations(self) -> list[Station]:
        """Every station this viewer may open, room by room in reading order."""
        return [s for r in self.rooms() for s in stations_in(self.state.hall, r.id)]

    def dialog_stations(self) -> list[Station]:
        """The same stations in a fixed order (by id), so that a live update never moves an
        open dialog in the page (which would take it out of the top layer)."""
        return sorted(self.all_stations(), key=lambda s: s.id)

    def gated(self, room_id: str) -> bool:
        return is_gated(self.state.hall, room_id)

    def target(self, s: Station) -> Room | None:
        """The room a door or quiz leads to (locked or not: a locked room's title is shown)."""
        return self.room(s.target_room_id)

    def unlocked(self, room_id: str) -> bool:
        """Whether this participant answered the quiz to this room right."""
        me = self.me
        return me is not None and (room_id, me) in self.state.hall.unlocked

    # --- pictures, music, films -------------------------------------------------------------

    def asset(self, asset_id: str | None) -> Asset | None:
        return self.state.hall.assets.get(asset_id or "")

    def asset_url(self, asset_id: str) -> str:
        if self.viewer.role == "participant" and not self.preview:
            return f"/w/{self.state.join_code}/assets/{asset_id}"
        return f"/f/workshops/{self.state.id}/assets/{asset_id}"

    def picture(self, room: Room) -> Asset | None:
        a = self.asset(room.picture_id)
        return a if a is not None and a.kind == "image" else None

    def picture_url(self, room: Room) -> str:
        a = self.picture(room)
        if a is not None:
            return self.asset_url(a.id)
        return DEFAULT_PICTURES.get(room.kind, DEFAULT_PICTURE)

    def music(self, room: Room) -> Asset | None:
        a = self.asset(room.music_id)
        return a if a is not None and a.kind == "audio" else None

    def images(self, s: Station) -> list[Asset]:
        return [a for a in (self.asset(i) for i in s.image_ids) if a is not None]

    def assets(self, kind: str) -> list[Asset]:
        """Uploaded files of one kind, for the editor's choices (facilitators only)."""
        if not self.facilitator:
            return []
        return sorted(
            (a for a in self.state.hall.assets.values() if a.kind == kind),
            key=lambda a: (a.name.casefold(), a.id),
        )

    def all_assets(self) -> list[Asset]:
        if not self.facilitator:
            return []
        return sorted(self.state.hall.assets.values(), key=lambda a: (a.kind, a.name, a.id))

    # --- content ----------------------------------------------------------------------------

    def markdown(self, text: str) -> Markup:
        return markdown(text)

    def link_url(self, url: str) -> str:
        """The rules let only http(s) addresses in; checked again on the way out."""
        return url if _URL.match(url) else "#"

    def tel(self, phone: str) -> str:
        return _TEL.sub("", phone)

    def board(self, board_id: str | None) -> Board | None:
        return self.state.boards.get(board_id or "")

    def boards(self) -> list[Board]:
        return self.state.boards_in_order()

    def current_item(self, s: Station) -> int | None:
        c = s.current_item
        return c if c is not None and 0 <= c < len(s.items) else None

    # --- spotlight --------------------------------------------------------------------------

    def spotlight(self) -> Station | None:
        """The station everyone is brought to, if this viewer may open it."""
        s = self.state.hall.stations.get(self.state.hall.spotlight or "")
        if s is None or not self.may_enter(s.room_id):
            return None
        return s

    def spotlight_seq(self) -> int:
        return self.state.hall.spotlight_seq if self.spotlight() is not None else 0

    def spotlightable(self, s: Station) -> bool:
        return not self.gated(s.room_id)

    # --- calls ------------------------------------------------------------------------------

    def my_open_call(self) -> Call | None:
        me = self.me
        if me is None:
            return None
        mine = [c for c in self.state.hall.calls.values() if c.participant_id == me]
        open_ = [c for c in mine if not c.resolved]
        return max(open_, key=lambda c: c.seq) if open_ else None

    def has_helpline(self) -> bool:
        return any(s.kind == "helpline" for s in self.state.hall.stations.values())

    def open_calls(self, station_id: str | None = None) -> list[OpenCall]:
        """Calls waiting for the help-line, oldest first (facilitators only)."""
        if not self.facilitator:
            return []
        out: list[OpenCall] = []
        calls = sorted(self.state.hall.calls.values(), key=lambda c: c.seq)
        for c in calls:
            if c.resolved or (station_id is not None and c.station_id != station_id):
                continue
            p = self.state.participants.get(c.participant_id)
            out.append(
                OpenCall(
                    call=c,
                    name=p.display_name if p is not None else None,
                    group=p.group if p is not None else "",
                    station=self.state.hall.stations.get(c.station_id),
                )
            )
        return out

    # --- the editor -------------------------------------------------------------------------

    def target_choices(self, s: Station) -> list[Room]:
        """Rooms a door or quiz may lead to: any other room; a quiz never to the hall."""
        return [
            r
            for r in rooms_in_order(self.state.hall)
            if r.id != s.room_id and not (s.kind == "quiz" and r.id == HALL)
        ]

    def items_text(self, s: Station) -> str:
        return format_items(tuple((i.time, i.text) for i in s.items))

    def milestones_text(self, s: Station) -> str:
        return format_milestones(tuple((m.when, m.text, m.done) for m in s.milestones))

    def links_text(self, s: Station) -> str:
        return format_links(tuple((link.title, link.url) for link in s.links))

    def quiz_text(self, s: Station) -> str:
        if not self.facilitator:
            return ""
        return format_quiz(tuple((q.text, q.options, q.answer) for q in s.quiz))

    def ids_text(self, s: Station) -> str:
        return format_ids(s.image_ids)

    def percent(self, v: int) -> str:
        """A position as the editor says it: 52 %, 52.5 %."""
        whole, rest = divmod(v, 100)
        return str(whole) if rest == 0 else f"{v / 100:.1f}".rstrip("0").rstrip(".")
