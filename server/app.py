"""`create_app(settings)`: wires storage, broker, hub, timekeeper and the web edge; resources
live in the lifespan."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server.i18n import message
from server.realtime.broker import create_broker
from server.realtime.hub import Hub
from server.render.live import LiveRenderer
from server.service import Service
from server.settings import Settings
from server.store.db import Database, StoreUnavailable
from server.store.source import StoreEventSource
from server.timekeeper import Timekeeper
from server.web import api, committees, facilitator, forms, hall_pages, join, uploads, ws
from server.web import committee_report as committee_report_pages  # lane C
from server.web import exchange as exchange_pages  # --- exchange (lane B) ---
from server.web import fallback as fallback_transport  # issue 9
from server.web import reports as report_pages  # --- reports (lane A) ---
from server.web.openapi import openapi_json
from server.web.security import KeyedLimiter, SecurityHeaders
from server.web.state import Runtime, session_locale

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

logger = logging.getLogger(__name__)


def create_app(settings: Settings) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        broker = create_broker(settings.broker_url)
        renderer = LiveRenderer()
        source = StoreEventSource(db)
        service = Service(db, broker)
        # Closes a timer's question at zero; the hub tells it what each batch did to the state.
        timekeeper = Timekeeper(service.execute, source.snapshot)
        hub = Hub(
            broker,
            source,
            renderer,
            replay_limit=settings.replay_limit,
            check_seconds=settings.hub_check_seconds,
            on_events=timekeeper.on_events,
        )
        await hub.start()
        app.state.runtime = Runtime(
            settings=settings,
            db=db,
            service=service,
            hub=hub,
            source=source,
            join_limiter=KeyedLimiter(settings.join_rate_per_minute),
        )
        try:
            yield
        finally:
            await hub.stop()
            await timekeeper.stop()
            await db.dispose()

    routes = [
        Route("/", join.home, methods=["GET"]),
        Route("/join", join.join_code, methods=["POST"]),
        Route("/language", forms.set_language, methods=["POST"]),
        Route("/login", facilitator.login_form, methods=["GET"]),
        Route("/login", facilitator.login_submit, methods=["POST"]),
        Route("/logout", facilitator.logout, methods=["POST"]),
        Route("/w/{code}", join.workshop_page, methods=["GET"], name="workshop_page"),
        Route("/w/{code}/join", join.join_submit, methods=["POST"]),
        Route("/w/{code}/leave", join.leave, methods=["POST"]),
        Route("/w/{code}/erase", join.erase_me, methods=["POST"]),
        Route("/f", facilitator.dashboard, methods=["GET"]),
        Route("/f/workshops", facilitator.create_workshop, methods=["POST"]),
        Route("/f/workshops/{workshop_id}", facilitator.facilitator_workshop, methods=["GET"]),
        Route("/f/workshops/{workshop_id}/qr.svg", facilitator.workshop_qr, methods=["GET"]),
        Route("/f/workshops/{workshop_id}/screen", facilitator.room_screen, methods=["GET"]),
        Route("/f/workshops/{workshop_id}/hall", hall_pages.hall_editor, methods=["GET"]),
        Route(
            "/f/workshops/{workshop_id}/notes/{note_id}/backlog",
            committees.move_to_backlog,
            methods=["POST"],
        ),
        # --- exchange (lane B) ---
        Route("/f/import", exchange_pages.import_workshop, methods=["POST"]),
        Route(
            "/f/workshops/{workshop_id}/export.json", exchange_pages.export_json, methods=["GET"]
        ),
        Route(
            "/f/workshops/{workshop_id}/export/notes.csv", exchange_pages.notes_csv, methods=["GET"]
        ),
        Route(
            "/f/workshops/{workshop_id}/export/questions.csv",
            exchange_pages.questions_csv,
            methods=["GET"],
        ),
        Route(
            "/f/workshops/{workshop_id}/export/votes.csv", exchange_pages.votes_csv, methods=["GET"]
        ),
        Route(
            "/f/workshops/{workshop_id}/export/dilemmas.csv",
            exchange_pages.dilemmas_csv,
            methods=["GET"],
        ),
        # --- end exchange (lane B) ---
        Route("/f/committees", committees.set_up_committee, methods=["POST"]),
        Route("/f/committees/allocation", committees.allocation_preview, methods=["GET"]),
        Route(
            "/f/committees/{workshop_id}/allocation",
            committees.committee_allocation,
            methods=["GET"],
        ),
        Route("/f/committees/{committee_id}/meetings", committees.add_meeting, methods=["POST"]),
        # --- committee report (lane C) ---
        Route(
            "/f/committees/{committee_id}/report",
            committee_report_pages.committee_report_page,
            methods=["GET"],
        ),
        Route(
            "/f/committees/{committee_id}/report.pdf",
            committee_report_pages.committee_report_pdf,
            methods=["GET"],
        ),
        # --- end committee report (lane C) ---
        Route("/f/workshops/{workshop_id}/assets", uploads.upload_asset, methods=["POST"]),
        Route(
            "/f/workshops/{workshop_id}/assets/{asset_id}",
            uploads.facilitator_asset,
            methods=["GET"],
        ),
        Route("/w/{code}/assets/{asset_id}", uploads.participant_asset, methods=["GET"]),
        Route("/api/workshops/{workshop_id}/commands", api.post_command, methods=["POST"]),
        Route("/api/workshops/{workshop_id}/snapshot", api.get_snapshot, methods=["GET"]),
        Route("/healthz", api.healthz, methods=["GET"]),
        Route("/api/openapi.json", openapi_json, methods=["GET"]),
        WebSocketRoute("/ws/workshops/{workshop_id}", ws.workshop_socket),
        # --- fallback transport (issue 9): server-sent events + POST when sockets are blocked ---
        Route(
            "/ws/workshops/{workshop_id}/events", fallback_transport.event_stream, methods=["GET"]
        ),
        Route(
            "/ws/workshops/{workshop_id}/events/{stream_id}",
            fallback_transport.post_frame,
            methods=["POST"],
        ),
        # --- end fallback transport ---
        # --- reports (lane A) ---
        Route(
            "/f/workshops/{workshop_id}/report", report_pages.facilitator_report, methods=["GET"]
        ),
        Route(
            "/f/workshops/{workshop_id}/report.pdf",
            report_pages.facilitator_report_pdf,
            methods=["GET"],
        ),
        Route(
            "/f/workshops/{workshop_id}/report/publish",
            report_pages.publish_report,
            methods=["POST"],
        ),
        Route(
            "/f/workshops/{workshop_id}/report/unpublish",
            report_pages.unpublish_report,
            methods=["POST"],
        ),
        Route("/r/{token}.pdf", report_pages.public_report_pdf, methods=["GET"]),
        Route("/r/{token}", report_pages.public_report, methods=["GET"], name="public_report"),
        # --- end reports (lane A) ---
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    middleware = [
        Middleware(SecurityHeaders),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="samskab_session",
            max_age=settings.session_max_age,
            same_site="lax",
            https_only=settings.secure_cookies,
        ),
    ]
    return Starlette(
        routes=routes,
        middleware=middleware,
        lifespan=lifespan,
        exception_handlers={StoreUnavailable: store_unavailable},
    )


async def store_unavailable(request: Request, exc: Exception) -> Response:
    """The database went away while a page or API call was reading it (the command paths
    answer this themselves): "try again" with 503, never a bare 500."""
    text = message("server.try_again", session_locale(request))
    headers = {"Retry-After": "5"}
    if request.url.path.startswith(("/api/", "/ws/")):
        body = {"type": "error", "command_id": None, "code": "server.try_again", "message": text}
        return JSONResponse(body, status_code=503, headers=headers)
    return PlainTextResponse(text, status_code=503, headers=headers)


def app_from_env() -> Starlette:
    """Factory for uvicorn (`--factory`), so every worker process reads the same environment."""
    return create_app(Settings.from_env())
