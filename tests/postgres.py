"""A real PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, once per session.

As root (as here and in CI) the server runs as an unprivileged system user (`postgres` where the
Debian package made it, else `nobody`), since PostgreSQL refuses to run as root. It listens on a
unix socket in its own folder only, so no port is taken and nothing outside this machine can reach it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _server_user() -> str | None:
    """Who runs the server: None when we are not root (then ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("no unprivileged user (postgres or nobody) to run PostgreSQL as")


class PostgresServer:
    def __init__(self, bin_dir: Path):
        self.bin_dir, self.user = bin_dir, _server_user()
        # Not under pytest's folder: that one is private to root, and the server's user must enter.
        self.folder = Path(tempfile.mkdtemp(prefix="assistant-pg-"))
        self.data, self.socket = self.folder / "data", self.folder / "socket"
        self.socket.mkdir()
        if self.user:
            entry = pwd.getpwnam(self.user)
            for path in (self.folder, self.socket):
                os.chown(path, entry.pw_uid, entry.pw_gid)

    def _run(self, *command: str) -> None:
        argv = [str(self.bin_dir / command[0]), *command[1:]]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, cwd=self.folder)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed: {done.stdout}{done.stderr}")

    def start(self) -> None:
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "--auth=trust",
            "--username=assistant",
            "--encoding=UTF8",
            "--no-sync",
            "--no-instructions",
        )
        # Durability off: a test database is thrown away, and fsyncs would only slow the suite.
        options = (
            f"-k {self.socket} -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        )

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://assistant@/{database}?host={self.socket}"

    def new_database(self) -> str:
        """A new, empty database of its own for one test; returns its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:16]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f"create database {name}")
        return self.url(name)


def start_postgres() -> PostgresServer:
    """A started server, or a skip (a failure under CI) saying why there is none."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        reason = (
            "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/pg_ctl): `make postgres` installs it with apt"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    pytest.importorskip("psycopg", reason="psycopg is missing; `make install` installs it")
    server = PostgresServer(bin_dir)
    server.start()
    return server
