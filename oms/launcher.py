"""`make run`: the whole system in one terminal; Ctrl-C stops everything it started.

Starts (or reuses) the embedded PostgreSQL and Redis when DATABASE_URL /
REDIS_URL are unset, migrates, loads the demo data once, then runs the SMTP server
(oms/mailserver.py), the sandbox marketplaces, the carrier sandbox, the web server, a Celery worker and Celery beat, each in its own
process group so that stopping leaves no process behind. A process that exits
is started again after a backoff (1 s, doubling up to 30 s; back to 1 s once it
has run for a minute), with a log line; only Ctrl-C (or SIGTERM) stops the whole.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from oms import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
STOP_GRACE_SECONDS = 15
RESTART_BACKOFF_SECONDS = (1.0, 30.0)  # first, longest
STABLE_AFTER_SECONDS = 60.0  # a process that ran this long is restarted at the first backoff again


def _say(message: str) -> None:
    print(f"[oms] {message}", flush=True)


def _commands(
    port: str, sandbox_port: str, carrier_sandbox_port: str, mail_port: str = "8025", sandbox_mail_port: str = "8826"
) -> dict[str, list[str]]:
    var = embedded.VAR_DIR
    (var / "sandbox").mkdir(parents=True, exist_ok=True)
    return {
        # The SMTP server: Amazon's relayed buyer mail lands in var/mail/inbox, our replies go to the sandbox.
        "mail": [
            PYTHON,
            "-m",
            "oms.mailserver",
            "--port",
            mail_port,
            "--maildir",
            str(var / "mail"),
            "--relay",
            f"127.0.0.1:{sandbox_mail_port}",
        ],
        "sandbox": [
            PYTHON,
            "-m",
            "marketplaces.sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            sandbox_port,
            "--demo",
            "--state",
            str(var / "sandbox" / "state.json"),
            "--smtp",
            f"127.0.0.1:{mail_port}",
            "--mail-port",
            sandbox_mail_port,
        ],
        # Parcels travel ten times faster than the sandbox's timeline: delivered within five minutes.
        "carrier-sandbox": [
            PYTHON,
            "-m",
            "shipping.sandbox",
            "--host",
            "127.0.0.1",
            "--port",
            carrier_sandbox_port,
            "--speed",
            "10",
        ],
        "web": [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        "worker": [PYTHON, "-m", "celery", "-A", "oms.celery", "worker", "--loglevel=INFO", "--concurrency=2"],
        "beat": [
            PYTHON,
            "-m",
            "celery",
            "-A",
            "oms.celery",
            "beat",
            "--loglevel=INFO",
            "--schedule",
            str(var / "celerybeat-schedule"),
        ],
    }


@dataclass
class Supervised:
    """One child process, started again with a backoff whenever it exits."""

    name: str
    command: list[str]
    env: dict
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restarts_in_a_row: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True)
        self.started_at, self.restart_at = time.monotonic(), None

    def watch(self, now: float) -> None:
        """Start it again when its backoff is over; notice when it exits and schedule that."""
        if self.restart_at is not None:
            if now >= self.restart_at:
                _say(f"starting {self.name} again")
                self.start()
            return
        if self.process.poll() is None:
            return
        if now - self.started_at >= STABLE_AFTER_SECONDS:
            self.restarts_in_a_row = 0
        first, longest = RESTART_BACKOFF_SECONDS
        delay = min(longest, first * 2**self.restarts_in_a_row)
        self.restarts_in_a_row += 1
        self.restart_at = now + delay
        _say(f"{self.name} exited with code {self.process.returncode}; restarting it in {delay:.0f}s")


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _say(f"{name} did not stop in {STOP_GRACE_SECONDS}s: killing it")
        # Whatever is left in the group (Celery's pool children) goes too.
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def main() -> int:
    os.chdir(BASE_DIR)
    port = os.environ.get("PORT", "8000")
    sandbox_port = os.environ.get("SANDBOX_PORT", "8765")
    carrier_sandbox_port = os.environ.get("CARRIER_SANDBOX_PORT", "8766")
    mail_port = os.environ.get("MAIL_PORT", "8025")
    sandbox_mail_port = os.environ.get("SANDBOX_MAIL_PORT", "8826")
    urls = embedded.ensure_services()
    env = {
        **os.environ,
        **urls,
        "DJANGO_DEBUG": os.environ.get("DJANGO_DEBUG", "1"),
        "SANDBOX_URL": os.environ.get("SANDBOX_URL", f"http://127.0.0.1:{sandbox_port}"),
        "CARRIER_SANDBOX_URL": os.environ.get("CARRIER_SANDBOX_URL", f"http://127.0.0.1:{carrier_sandbox_port}"),
        "PYTHONUNBUFFERED": "1",
        "EMAIL_HOST": os.environ.get("EMAIL_HOST", "127.0.0.1"),
        "EMAIL_PORT": os.environ.get("EMAIL_PORT", mail_port),
        "OMS_MAILDIR": os.environ.get("OMS_MAILDIR", str(embedded.VAR_DIR / "mail" / "inbox")),
    }
    children: dict[str, Supervised] = {}
    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    exit_code = 0
    try:
        children = {
            name: Supervised(name, command, env)
            for name, command in _commands(
                port, sandbox_port, carrier_sandbox_port, mail_port, sandbox_mail_port
            ).items()
        }
        # The sandbox first: the demo data creates its orders still to work there.
        children["sandbox"].start()
        for step in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
            subprocess.run([PYTHON, "manage.py", *step], env=env, check=True)
        for child in children.values():
            if child.process is None:
                child.start()
        _say(f"OMS running on http://127.0.0.1:{port}/  (API docs: /api/docs/, health: /healthz)")
        _say(f"Sandbox marketplaces on http://127.0.0.1:{sandbox_port}/_sandbox/")
        _say(f"SMTP server on 127.0.0.1:{mail_port} (buyer mail in var/mail/inbox)")
        _say(f"Carrier sandbox on http://127.0.0.1:{carrier_sandbox_port}/_sandbox/parcels")
        _say("Log in with a user from the list above (also in var/demo-logins.txt). Ctrl-C stops everything.")
        while not stopping:
            for child in children.values():
                child.watch(time.monotonic())
            time.sleep(0.5)
    except subprocess.CalledProcessError as error:
        _say(f"set-up failed: {error}")
        exit_code = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _say("stopping…")
        _stop({name: child.process for name, child in children.items() if child.process is not None})
        embedded.stop_services(urls)
        _say("stopped.")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
