"""Hall uploads and the asset endpoints (lane C fills this in)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response


async def upload_asset(request: Request) -> Response:
    return Response(status_code=404)


async def facilitator_asset(request: Request) -> Response:
    return Response(status_code=404)


async def participant_asset(request: Request) -> Response:
    return Response(status_code=404)
