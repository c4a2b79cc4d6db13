"""`make run` keeps the system up: a worker killed with SIGKILL is started again, and only
Ctrl-C stops the launcher (and everything it started)."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
import uuid

import pytest

from marketplaces.models import MarketplaceAccount
from tests.workers import ROOT, worker_env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children_of(pid: int) -> dict[int, str]:
    """Process id → command line of the live (not zombie) children of `pid`."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                with open(f"/proc/{entry}/cmdline") as cmdline:
                    found[int(entry)] = cmdline.read().replace("\0", " ")
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
    return found


def worker_of(launcher: subprocess.Popen) -> int | None:
    return next(
        (pid for pid, command in children_of(launcher.pid).items() if "celery" in command and " worker" in command),
        None,
    )


def wait_for(condition, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {seconds} s")


def running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False  # gone


@pytest.mark.django_db(transaction=True)
def test_the_launcher_restarts_a_killed_worker_and_stops_only_when_asked(tmp_path):
    # Accounts exist: the demo data is not loaded (and this one is never polled).
    MarketplaceAccount.objects.create(platform="mirakl", name="launcher test", enabled=False)
    env = {
        **worker_env(),
        "OMS_VAR_DIR": str(tmp_path),
        "OMS_TEST_QUEUE": f"launcher-{uuid.uuid4().hex}",
        "PORT": str(free_port()),
        "SANDBOX_PORT": str(free_port()),
        "CARRIER_SANDBOX_PORT": str(free_port()),
        "MAIL_PORT": str(free_port()),
        "SANDBOX_MAIL_PORT": str(free_port()),
    }
    log_path = tmp_path / "launcher.log"
    with open(log_path, "w") as log:
        launcher = subprocess.Popen(
            [sys.executable, "-m", "oms.launcher"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        first = wait_for(lambda: worker_of(launcher), seconds=120, what="the launcher starts a worker")
        time.sleep(2)  # let it get going: a worker that dies later is restarted just the same
        os.killpg(first, signal.SIGKILL)

        second = wait_for(
            lambda: (pid := worker_of(launcher)) not in (None, first) and pid, seconds=60, what="the worker comes back"
        )
        time.sleep(3)
        assert running(second) and second in children_of(launcher.pid)
        assert launcher.poll() is None  # the launcher itself goes on
        assert any("shipping.sandbox" in command for command in children_of(launcher.pid).values())
        # The SMTP server (Amazon's relayed buyer mail) answers, and the sandbox relays through it.
        with smtplib.SMTP("127.0.0.1", int(env["MAIL_PORT"]), timeout=10) as smtp:
            assert smtp.noop()[0] == 250
        assert any("oms.mailserver" in command for command in children_of(launcher.pid).values())
        output = log_path.read_text()
        assert "worker exited with code -9; restarting it in 1s" in output
        assert "starting worker again" in output
    finally:
        os.kill(launcher.pid, signal.SIGINT)
        returncode = launcher.wait(timeout=60)
    assert returncode == 0
    assert log_path.read_text().rstrip().endswith("stopped.")
    assert not running(second)  # stopped with everything else
