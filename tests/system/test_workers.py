"""`python -m server serve --workers N`: several worker processes serve the same workshops."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import (
    ROOT,
    Browserless,
    LiveClient,
    ServerProcess,
    create_facilitator,
    server_env,
    setup_workshop,
)

pytestmark = [pytest.mark.system, pytest.mark.timeout(120)]


def children(pid: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False
    )
    return [int(x) for x in out.stdout.split()]


async def test_two_workers_on_redis_and_postgres_fan_out_to_every_client(
    postgres_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = server_env(postgres_url, redis_url)
    create_facilitator(env)
    server = ServerProcess(env, tmp_path, extra_args=("--workers", "2"))
    server.start()
    try:
        assert server.proc is not None
        workers = [p for p in children(server.proc.pid) if Path(f"/proc/{p}/cmdline").exists()]
        assert len(workers) >= 2, workers  # the kernel spreads connections over them
        fac, wid, code = await setup_workshop(server.url)
        people = [Browserless(server.url) for _ in range(8)]
        clients = []
        for i, p in enumerate(people):
            await p.join(code, f"P{i}", "Borger")
            clients.append(await LiveClient.connect(server.ws_url, wid, p))
        cid = await clients[0].command("note.add", text="til alle")
        assert (await clients[0].wait_reply(cid))["type"] == "ack"
        for c in clients:
            await c.wait_for(lambda c: c.note_texts() == ["til alle"])
            await c.close()
        for s in (fac, *people):
            await s.aclose()
    finally:
        server.stop()


def test_several_workers_are_refused_on_the_embedded_default(sqlite_url: str) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "server", "serve", "--workers", "2", "--port", "1"],
        env=server_env(sqlite_url),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert r.returncode == 2
    assert "REDIS_URL" in r.stderr and "PostgreSQL" in r.stderr
