"""What erasing a participant does to the events already in the log (GDPR art. 17): their
name, and with "delete" the texts they wrote, are taken out of every earlier payload, so no
stored event names them. Pure; the store rewrites the rows it changes.

Scrubbed so that replaying the log still gives the stored state: a name becomes null (the
`participant.erased` event would clear it anyway), and only texts of notes and comments that
the same erasure deleted become "" (they are gone from the state). A text merged into someone
else's note before the erasure stays there: it became part of that note.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from server.domain.events import JSON


def scrub(
    data: JSON,
    participant_id: str,
    delete: bool,
    note_ids: Collection[str],
    comment_ids: Collection[str],
) -> JSON | None:
    """The payload without the participant's personal data, or None if nothing changed."""
    changed = False

    def walk(node: Any) -> Any:
        nonlocal changed
        if isinstance(node, list):
            return [walk(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {k: walk(v) for k, v in node.items()}

        def clear(key: str, empty: object) -> None:
            nonlocal changed
            if key in out and out[key] != empty and out[key] is not None:
                out[key] = empty
                changed = True

        if out.get("participant_id") == participant_id:
            clear("display_name", None)
            clear("message", "")  # a "call me" request
        if out.get("author_id") == participant_id:
            clear("author_name", None)
        if delete:
            if out.get("voter_id") == participant_id:
                clear("comment", None)
            if "comment_id" in out:
                if out["comment_id"] in comment_ids:
                    clear("text", "")
            elif out.get("note_id") in note_ids:
                clear("text", "")
        return out

    scrubbed = walk(data)
    return scrubbed if changed else None
