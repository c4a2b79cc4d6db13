"""What every benchmark shares: its own database, real processes, and BENCH lines.

`make bench` runs `python -m benchmarks`, which creates a throw-away database
(`<database>_bench`), runs each benchmark module against it with real Celery workers
and a real sandbox server in their own processes, prints one line per figure
(`BENCH <name> <value> <unit>`) and drops the database.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import psutil
from django.conf import settings
from django.db import connection

from marketplaces.models import MarketplaceAccount
from oms.outbox import OutboxMessage
from orders import pushes

ROOT = Path(__file__).resolve().parent.parent


def report(name: str, value: float, unit: str) -> None:
    print(f"BENCH {name} {value:.6g} {unit}", flush=True)


def p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def database_url() -> str:
    """The URL of the database in use (the bench database), for child processes."""
    params = connection.get_connection_params()
    user = quote(params.get("user") or "postgres")
    password = f":{quote(params['password'])}" if params.get("password") else ""
    host = params.get("host") or ""
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{params['dbname']}?host={host}"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{user}{password}@{host}{port}/{params['dbname']}"


def child_env(**extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "oms.settings"),
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "OMS_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "OMS_TASK_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        **extra,
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def processes(*commands: list[str], env: dict[str, str] | None = None):
    """Start each command in its own process group; stop them all afterwards."""
    started = [
        subprocess.Popen(command, cwd=ROOT, env=env or child_env(), start_new_session=True) for command in commands
    ]
    try:
        yield started
    finally:
        for process in started:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                pass
            # Whatever is left of its group (a worker's pool children) goes too, with its connections.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def celery(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "oms.celery", *arguments, "--loglevel=WARNING"]


@contextlib.contextmanager
def beat_schedule():
    """A schedule file of this phase's own beat, in a directory removed afterwards (never a fixed path)."""
    with tempfile.TemporaryDirectory(prefix="oms-bench-beat-") as directory:
        yield str(Path(directory) / "schedule")


@contextlib.contextmanager
def own_accounts(accounts):
    """Polls and pushes of a phase reach only its own accounts, and stop with it.

    Every other account is disabled while the phase runs (an earlier phase's accounts, or the
    credential-less ones of the orders benchmark, are not polled by this phase's beat); when it
    ends, its accounts are disabled too and whatever it left unsent in the outbox is discarded,
    so that a later phase's worker does not push to a sandbox that has stopped.
    """
    ids = [account.pk for account in accounts]
    MarketplaceAccount.objects.exclude(pk__in=ids).update(enabled=False)
    try:
        yield
    finally:
        retire(ids)


def retire(account_ids) -> None:
    """Disable these accounts and discard their unsent outbox messages."""
    MarketplaceAccount.objects.filter(pk__in=account_ids).update(enabled=False)
    OutboxMessage.objects.filter(
        destination__in=[pushes.marketplace_destination(pk) for pk in account_ids],
        status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.SENDING],
    ).update(status=OutboxMessage.Status.DISCARDED)


def sandbox_command(port: int, *arguments: str) -> list[str]:
    return [sys.executable, "-m", "marketplaces.sandbox", "--host", "127.0.0.1", "--port", str(port), *arguments]


def wait_for(condition, *, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise TimeoutError(f"not done within {seconds:.0f} s")


def rss_bytes(pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    try:
        root = psutil.Process(pid)
        return sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a process and its live descendants."""
    try:
        root = psutil.Process(pid)
        return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
    except psutil.NoSuchProcess:
        return 0.0
