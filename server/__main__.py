"""Command line: `python -m server serve|migrate|facilitator create NAME`."""

from __future__ import annotations

import argparse
import asyncio
import datetime
import getpass
import os
import sys

from server.settings import Settings, SettingsError


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    if args.workers > 1 and (settings.is_sqlite or not settings.redis_url):
        print(
            "Several workers need REDIS_URL and a PostgreSQL DATABASE_URL "
            "(SQLite and the in-process broker serve one process).",
            file=sys.stderr,
        )
        return 2
    uvicorn.run(
        "server.app:app_from_env",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        ws="websockets",
        ws_max_size=settings.ws_max_message_bytes,
        ws_per_message_deflate=False,
        ws_ping_interval=20.0,
        ws_ping_timeout=20.0,
        proxy_headers=args.proxy_headers,
        log_level=args.log_level,
        server_header=False,
    )
    return 0


def _migrate(settings: Settings) -> int:
    from server.store.migrate import upgrade

    upgrade(settings.database_url)
    print("database is up to date")
    return 0


async def _create_facilitator(settings: Settings, name: str, password: str) -> str:
    from server.service import new_id
    from server.store import facilitators
    from server.store.db import Database
    from server.web.passwords import hash_password

    db = Database(settings.database_url)
    try:
        async with db.write() as conn:
            existing = await facilitators.by_name(conn, name)
            if existing is not None:
                await facilitators.update_password(conn, existing.id, hash_password(password))
                return "updated"
            await facilitators.insert(
                conn,
                facilitator_id=new_id(),
                name=name,
                password_hash=hash_password(password),
                now=datetime.datetime.now(datetime.UTC),
            )
            return "created"
    finally:
        await db.dispose()


def _facilitator(args: argparse.Namespace, settings: Settings) -> int:
    from server.web.passwords import MIN_PASSWORD_LENGTH

    name = args.name.strip()
    if not name or len(name) > 60:
        print("The name must be 1 to 60 characters.", file=sys.stderr)
        return 2
    password = os.environ.get("FACILITATOR_PASSWORD", "")
    if not password:
        if not sys.stdin.isatty():
            print("Set FACILITATOR_PASSWORD or run in a terminal to be prompted.", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            print("The passwords differ.", file=sys.stderr)
            return 2
    if len(password) < MIN_PASSWORD_LENGTH:
        print(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.", file=sys.stderr)
        return 2
    from server.store.migrate import upgrade

    upgrade(settings.database_url)
    outcome = asyncio.run(_create_facilitator(settings, name, password))
    print(f"facilitator {name!r} {outcome}; log in at /login")
    return 0


async def _purge_async(settings: Settings, days: int, dry_run: bool) -> int:
    from server.store.db import Database
    from server.store.purge import delete_workshops, stale_workshops

    cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)
    db = Database(settings.database_url)
    try:
        async with db.write() as conn:
            stale = await stale_workshops(conn, cutoff)
            for w in stale:
                last = w.last_activity.date().isoformat()
                print(f"{w.id}  {w.date}  last activity {last}  {w.title}")
            if dry_run:
                print(f"{len(stale)} workshop(s) older than {days} days would be deleted (dry run)")
                return 0
            await delete_workshops(conn, [w.id for w in stale])
    finally:
        await db.dispose()
    print(f"{len(stale)} workshop(s) older than {days} days deleted")
    return 0


def _purge(args: argparse.Namespace, settings: Settings) -> int:
    from server.store.migrate import upgrade

    upgrade(settings.database_url)
    days = settings.retention_days if args.days is None else args.days
    if days < 1:
        print("--days must be at least 1.", file=sys.stderr)
        return 2
    return asyncio.run(_purge_async(settings, days, args.dry_run))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server", description="Samskab server")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument(
        "--proxy-headers", action="store_true", help="trust X-Forwarded-* (behind nginx)"
    )
    serve.add_argument("--log-level", default="info")
    sub.add_parser("migrate", help="create or upgrade the database schema")
    fac = sub.add_parser("facilitator", help="manage facilitator accounts")
    fac_sub = fac.add_subparsers(dest="action", required=True)
    create = fac_sub.add_parser("create", help="create a facilitator (or reset the password)")
    create.add_argument("name")
    purge = sub.add_parser(
        "purge", help="delete workshops with no activity for RETENTION_DAYS (see docs/PRIVACY.md)"
    )
    purge.add_argument("--dry-run", action="store_true", help="list them, delete nothing")
    purge.add_argument("--days", type=int, default=None, help="override RETENTION_DAYS")
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as e:
        print(f"configuration error: {e}", file=sys.stderr)
        return 2
    if args.command == "serve":
        return _serve(args, settings)
    if args.command == "migrate":
        return _migrate(settings)
    if args.command == "purge":
        return _purge(args, settings)
    return _facilitator(args, settings)


if __name__ == "__main__":
    sys.exit(main())
