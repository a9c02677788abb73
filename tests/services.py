"""Real Redis and PostgreSQL servers for the test suite.

Each server runs on 127.0.0.1 on a free port in a throw-away directory and can be stopped,
started again on the same port, or killed. When the environment variable
``SAMSKAB_TEST_PIDS`` names a directory, every running server process has a pid file there
(first line: the pid; for PostgreSQL a second line: the data directory) so that
``scripts/test`` can stop leftovers if the test process dies. Throw-away directories are
created under ``SAMSKAB_TEST_TMP`` when that is set, else under the system temp directory.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Self

HOST = "127.0.0.1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
PG_USER = "postgres"
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class ServiceError(RuntimeError):
    """A test server could not be found, started or stopped."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def require_binary(name: str, path: str | None = None, hint: str = "") -> str:
    """The absolute path of an executable, or a ServiceError that says what to install."""
    found = shutil.which(name, path=path)
    if found is None:
        where = f" in {path}" if path else " on PATH"
        raise ServiceError(f"{name} not found{where}. {hint}".strip())
    return found


def port_open(port: int, timeout: float = 0.5) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:port."""
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def pid_alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (which an init that reaps nothing keeps)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    state = stat.rpartition(")")[2].split()[0]
    return state not in ("Z", "X")


def _make_tempdir(prefix: str) -> Path:
    base = os.environ.get("SAMSKAB_TEST_TMP") or None
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def _log_tail(path: Path, lines: int = 30) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


class _PidFile:
    """One file per running server process in $SAMSKAB_TEST_PIDS, if that is set."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.path: Path | None = None

    def write(self, pid: int, extra: str = "") -> None:
        self.remove()
        directory = os.environ.get("SAMSKAB_TEST_PIDS")
        if not directory:
            return
        path = Path(directory) / f"{self.kind}-{pid}.pid"
        path.write_text(f"{pid}\n{extra}\n" if extra else f"{pid}\n")
        self.path = path

    def remove(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


class _LoopbackService:
    """What both servers share: restart in place, and `with` to start and clean up."""

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class RedisServer(_LoopbackService):
    """A redis-server on 127.0.0.1 with no persistence.

    ``start()`` picks a free port the first time and reuses it on every later start.
    """

    def __init__(self, port: int | None = None) -> None:
        self.binary = require_binary(
            "redis-server", hint="Install it: apt-get install redis-server (scripts/test does)."
        )
        self.port = port if port is not None else free_port()
        self.dir = _make_tempdir("samskab-redis-")
        self.log_path = self.dir / "redis.log"
        self._proc: subprocess.Popen[bytes] | None = None
        self._pidfile = _PidFile("redis")

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        if self.running:
            return
        self._reap()
        with self.log_path.open("ab") as log:
            self._proc = subprocess.Popen(
                [
                    self.binary,
                    "--port",
                    str(self.port),
                    "--bind",
                    HOST,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.dir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                start_new_session=True,
            )
        self._pidfile.write(self._proc.pid)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._proc.poll() is not None:
                self._reap()
                raise ServiceError(
                    f"redis-server exited while starting on port {self.port}:\n"
                    + _log_tail(self.log_path)
                )
            try:
                if self.command("PING") == b"+PONG":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.kill()
                raise ServiceError(
                    f"redis-server did not answer on port {self.port} within {START_TIMEOUT}s:\n"
                    + _log_tail(self.log_path)
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """Shut down cleanly (SIGTERM) and wait; the port can be reused by ``start()``."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
        self._reap()

    def kill(self) -> None:
        """SIGKILL, as in a crash."""
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        self._reap()

    def close(self) -> None:
        """Stop the server and remove its directory."""
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def command(self, *args: str, timeout: float = 2.0) -> bytes:
        """Send one command and return the first line of the reply (for simple replies)."""
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        with socket.create_connection((HOST, self.port), timeout=timeout) as sock:
            sock.sendall(b"".join(parts))
            reply = b""
            while not reply.endswith(b"\r\n"):
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("redis-server closed the connection")
                reply += chunk
        return reply.split(b"\r\n", 1)[0]

    def flushall(self) -> None:
        reply = self.command("FLUSHALL")
        if reply != b"+OK":
            raise ServiceError(f"FLUSHALL failed: {reply!r}")

    def _reap(self) -> None:
        if self._proc is not None:
            self._proc.wait()
            self._proc = None
        self._pidfile.remove()


def postgres_bindir() -> str:
    """The newest /usr/lib/postgresql/<version>/bin with initdb, else the directory on PATH."""
    root = Path("/usr/lib/postgresql")
    versions: list[tuple[tuple[int, ...], Path]] = []
    if root.is_dir():
        for entry in root.iterdir():
            if (entry / "bin" / "initdb").is_file() and re.fullmatch(r"\d+(\.\d+)*", entry.name):
                versions.append((tuple(int(x) for x in entry.name.split(".")), entry / "bin"))
    if versions:
        return str(max(versions)[1])
    initdb = shutil.which("initdb")
    if initdb is None:
        raise ServiceError(
            "PostgreSQL not found (no /usr/lib/postgresql/*/bin/initdb and no initdb on PATH). "
            "Install it: apt-get install postgresql (scripts/test does)."
        )
    return str(Path(initdb).parent)


class PostgresServer(_LoopbackService):
    """A throw-away PostgreSQL cluster on 127.0.0.1, trust authentication, user ``postgres``.

    PostgreSQL refuses to run as root, so as root every server command runs through
    ``runuser -u postgres --`` and the cluster directory belongs to ``postgres``.
    """

    def __init__(self, port: int | None = None) -> None:
        bindir = postgres_bindir()
        self.initdb = require_binary("initdb", bindir)
        self.pg_ctl = require_binary("pg_ctl", bindir)
        self.psql = shutil.which("psql", path=bindir) or require_binary(
            "psql", hint="Install postgresql-client."
        )
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            self._as_postgres = [
                require_binary("runuser", hint="It comes with util-linux."),
                "-u",
                PG_USER,
                "--",
            ]
        self.port = port if port is not None else free_port()
        self.dir = _make_tempdir("samskab-pg-")
        self.data = self.dir / "data"
        self.log_path = self.dir / "postgres.log"
        self._pid: int | None = None
        self._pidfile = _PidFile("postgres")
        if self._as_postgres:
            entry = pwd.getpwnam(PG_USER)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    @property
    def running(self) -> bool:
        return self._pid is not None and pid_alive(self._pid)

    @property
    def pid(self) -> int | None:
        """The postmaster's pid (also its process group, since pg_ctl starts it with setsid)."""
        return self._pid

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://{PG_USER}@{HOST}:{self.port}/{database}"

    def start(self) -> None:
        """Create the cluster on the first call, then start the server and wait for it."""
        if self.running:
            return
        if not (self.data / "PG_VERSION").exists():
            self._run(
                [
                    self.initdb,
                    "-D",
                    str(self.data),
                    "-A",
                    "trust",
                    "-U",
                    PG_USER,
                    "-E",
                    "UTF8",
                    "--no-locale",
                    "--no-sync",
                ],
                "initdb",
            )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses={HOST} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            [
                self.pg_ctl,
                "-D",
                str(self.data),
                "-l",
                str(self.log_path),
                "-o",
                options,
                "-w",
                "-t",
                str(int(START_TIMEOUT)),
                "start",
            ],
            "pg_ctl start",
        )
        pid_line = (self.data / "postmaster.pid").read_text().split("\n", 1)[0]
        self._pid = int(pid_line)
        self._pidfile.write(self._pid, str(self.data))
        deadline = time.monotonic() + START_TIMEOUT
        while not port_open(self.port):
            if time.monotonic() > deadline:
                raise ServiceError(
                    f"PostgreSQL did not accept connections on port {self.port}:\n"
                    + _log_tail(self.log_path)
                )
            time.sleep(0.02)

    def stop(self) -> None:
        """Fast shutdown (disconnects clients) and wait; ``start()`` reuses the port."""
        if self._pid is None:
            return
        if self.running:
            try:
                self._run(
                    [
                        self.pg_ctl,
                        "-D",
                        str(self.data),
                        "-m",
                        "fast",
                        "-w",
                        "-t",
                        str(int(STOP_TIMEOUT)),
                        "stop",
                    ],
                    "pg_ctl stop",
                )
            except ServiceError:
                self.kill()
                raise
        self._forget()

    def kill(self) -> None:
        """SIGKILL the postmaster and all its backends, as in a crash."""
        pid = self._pid
        if pid is None:
            return
        for target in (-pid, pid):  # the process group first, then the postmaster itself
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + STOP_TIMEOUT
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        # The postmaster is not our child: where init reaps nothing, its zombie would make the
        # next start believe a server is still running. It is dead, so its lock files can go.
        (self.data / "postmaster.pid").unlink(missing_ok=True)
        (self.dir / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)
        self._forget()

    def close(self) -> None:
        """Stop the cluster and remove its directory."""
        try:
            self.stop()
        finally:
            if self._pid is not None:
                self.kill()
            shutil.rmtree(self.dir, ignore_errors=True)

    def psql_command(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql over TCP and return its unaligned output."""
        result = subprocess.run(
            [
                self.psql,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                HOST,
                "-p",
                str(self.port),
                "-U",
                PG_USER,
                "-d",
                database,
                "-c",
                sql,
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            cwd=self.dir,
            env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
            check=False,
        )
        if result.returncode != 0:
            raise ServiceError(f"psql failed ({sql!r}): {result.stderr.strip()}")
        return result.stdout

    def create_database(self, name: str) -> str:
        """Create an empty database and return its SQLAlchemy (asyncpg) URL."""
        if not _DB_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.psql_command(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        if not _DB_NAME.match(name):
            raise ValueError(f"not a plain database name: {name!r}")
        self.psql_command(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _forget(self) -> None:
        self._pid = None
        self._pidfile.remove()

    def _run(self, argv: list[str], what: str) -> None:
        with (self.dir / "commands.log").open("ab") as out:
            result = subprocess.run(
                [*self._as_postgres, *argv],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=self.dir,
                check=False,
            )
        if result.returncode != 0:
            raise ServiceError(
                f"{what} failed (exit {result.returncode}):\n"
                + _log_tail(self.dir / "commands.log")
                + "\n--- server log ---\n"
                + _log_tail(self.log_path)
            )
