"""/healthz reports the database, Redis, and the Celery worker and beat heartbeats."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache

from oms import heartbeat
from tests.workers import start_worker, worker_env

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def no_heartbeats():
    cache.delete_many([heartbeat.WORKER_KEY, heartbeat.BEAT_KEY])
    yield
    cache.delete_many([heartbeat.WORKER_KEY, heartbeat.BEAT_KEY])


@pytest.mark.django_db
def test_unavailable_without_worker_and_beat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["ok"] and body["checks"]["redis"]["ok"]
    assert not body["checks"]["worker"]["ok"] and not body["checks"]["beat"]["ok"]


@pytest.mark.django_db
def test_stale_heartbeats_are_unavailable(client):
    old = time.time() - settings.OMS_HEARTBEAT_MAX_AGE - 5
    cache.set(heartbeat.WORKER_KEY, old)
    cache.set(heartbeat.BEAT_KEY, old)
    assert client.get("/healthz").status_code == 503


@pytest.mark.django_db(transaction=True)
def test_healthy_with_a_real_celery_worker_and_beat(client, tmp_path):
    """Starts a real worker and beat on the test Redis; /healthz turns 200 once both beat."""
    env = worker_env()
    common = [sys.executable, "-m", "celery", "-A", "oms.celery"]
    processes = [
        start_worker(),
        subprocess.Popen(
            [*common, "beat", "--loglevel=WARNING", "--schedule", str(tmp_path / "beat-schedule")],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    ]
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline:
            response = client.get("/healthz")
            status = response.status_code
            if status == 200:
                break
            time.sleep(0.5)
        assert status == 200, response.json()
        assert response.json()["status"] == "ok"
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)
