"""Real Celery worker processes for tests, on the test database and the test queue."""

import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def test_database_url() -> str:
    """The URL of the database this test run uses (test_…), for processes the test starts."""
    params = connection.get_connection_params()
    user = quote(params.get("user") or "postgres")
    password = f":{quote(params['password'])}" if params.get("password") else ""
    host = params.get("host") or ""
    name = params["dbname"]
    if host.startswith("/"):
        return f"postgres://{user}{password}@/{name}?host={host}"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{user}{password}@{host}{port}/{name}"


def worker_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "OMS_CACHE_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
        "OMS_TEST_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        "OMS_RATE_LIMIT_SCALE": str(settings.OMS_RATE_LIMIT_SCALE),
    }


def start_worker(*extra: str) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "oms.celery",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        *extra,
    ]
    return subprocess.Popen(command, cwd=ROOT, env=worker_env(), start_new_session=True)


def kill(process: subprocess.Popen) -> None:
    """SIGKILL the worker and everything it started: no cleanup code runs."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=30)
