"""The facilitator's hall editor page (lane D fills this in)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


async def hall_editor(request: Request) -> Response:
    return Response(status_code=404)
