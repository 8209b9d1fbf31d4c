"""A throwaway PostgreSQL cluster on 127.0.0.1 (free port) for the gradebook tests; always stopped."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .servers import free_port

SERVICE_USER = "postgres"  # initdb refuses root; Debian's package creates this user


def postgres_bindir() -> Path | None:
    """The newest server binaries: Debian keeps them in /usr/lib/postgresql/<version>/bin."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing() -> str | None:
    """Why no cluster can be started here, or None."""
    if postgres_bindir() is None:
        return "PostgreSQL server binaries not found (bash scripts/system-deps.sh installs the Debian package)"
    if os.geteuid() == 0:
        try:
            import pwd

            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            return f"running as root needs the Unix user {SERVICE_USER!r} for PostgreSQL"
    return None


@dataclass
class Cluster:
    port: int
    password: str
    user: str = "cadrekit"

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user=self.user, password=self.password,
                             dbname="postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}" ENCODING \'UTF8\' TEMPLATE template0')
        return self.url(name)


def _run(bindir: Path, *args: str) -> None:
    command = [str(bindir / args[0]), *args[1:]]
    if os.geteuid() == 0:
        command = ["runuser", "-u", SERVICE_USER, "--", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"{command} failed ({result.returncode}):\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


@contextlib.contextmanager
def running_postgres() -> Iterator[Cluster]:
    bindir = postgres_bindir()
    folder = Path(tempfile.mkdtemp(prefix="ck-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    if os.geteuid() == 0:
        shutil.chown(folder, SERVICE_USER, SERVICE_USER)
    cluster = Cluster(port=free_port(), password=secrets.token_hex(16))
    password_file = folder / "password"
    password_file.write_text(cluster.password + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        shutil.chown(password_file, SERVICE_USER, SERVICE_USER)
    data = folder / "data"
    started = False
    try:
        _run(bindir, "initdb", "-D", str(data), "-U", cluster.user, f"--pwfile={password_file}",
             "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync")
        password_file.unlink()
        options = f"-h 127.0.0.1 -p {cluster.port} -k {folder} -c fsync=off"
        _run(bindir, "pg_ctl", "-D", str(data), "-l", str(folder / "server.log"), "-o", options,
             "-w", "-t", "60", "start")
        started = True
        yield cluster
    finally:
        if started:
            with contextlib.suppress(RuntimeError):
                _run(bindir, "pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)
