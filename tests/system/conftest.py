"""Real server processes for the system tests."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support import ServerProcess, create_facilitator, server_env


@dataclass
class Cluster:
    """Two `python -m server serve` processes sharing real Redis and PostgreSQL."""

    a: ServerProcess
    b: ServerProcess
    env: dict[str, str]


@pytest.fixture
def cluster(postgres_url: str, redis_url: str, tmp_path: Path) -> Iterator[Cluster]:
    env = server_env(postgres_url, redis_url)
    create_facilitator(env)
    a, b = ServerProcess(env, tmp_path), ServerProcess(env, tmp_path)
    try:
        a.start()
        b.start()
        yield Cluster(a, b, env)
    finally:
        a.stop()
        b.stop()


@pytest.fixture
def single(sqlite_url: str, tmp_path: Path) -> Iterator[ServerProcess]:
    """The embedded default: one process, SQLite file, in-process broker."""
    env = server_env(sqlite_url)
    create_facilitator(env)
    s = ServerProcess(env, tmp_path)
    try:
        s.start()
        yield s
    finally:
        s.stop()
