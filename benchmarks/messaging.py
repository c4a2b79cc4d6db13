"""Buyer messages: the inbox with 100k threads.

- inbox page p95 (target ≤ 150 ms): the operator's `/messages/` (open threads, the reply due soonest
  first), rendered whole by Django, and with a platform filter, overdue only, and the HTMX table;
- the threads API list p95, the same query for an ERP or helpdesk;
- buyer message → inbox lag p95 (target ≤ 60 s) under the default schedule: buyers write on Mirakl,
  eBay, Cdiscount (polled by the worker and beat) and Amazon (mailed by the sandbox through the SMTP
  server into the Maildir the worker imports), real processes, the platforms' timestamps against ours.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from benchmarks.support import (
    beat_schedule,
    celery,
    child_env,
    free_port,
    own_accounts,
    p95,
    processes,
    report,
    sandbox_command,
    wait_for,
)
from marketplaces.models import MarketplaceAccount
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox_accounts import connect_sandbox_account
from messaging.models import Message, Thread, Topic
from oms import roles

BATCH = 5_000
PLATFORMS = ("amazon", "ebay", "mirakl", "cdiscount")


def seed_threads(count: int) -> None:
    accounts = [
        MarketplaceAccount.objects.get_or_create(name=f"Bench {platform}", defaults={"platform": platform})[0]
        for platform in PLATFORMS
    ]
    now = timezone.now()
    statuses = [Thread.Status.NEEDS_REPLY] * 5 + [Thread.Status.WAITING] * 3 + [Thread.Status.CLOSED] * 2
    topics = [value for value, _ in Topic.choices]
    rows = []
    for index in range(count):
        status = random.choice(statuses)
        since = now - dt.timedelta(minutes=random.randint(1, 60 * 72))
        needing = status == Thread.Status.NEEDS_REPLY
        rows.append(
            Thread(
                account=accounts[index % len(accounts)],
                platform_thread_id=f"bench-{index}",
                buyer_name=f"Acheteur {index}",
                subject="Où est mon colis ?",
                topic=random.choice(topics),
                status=status,
                needs_reply_since=since if needing else None,
                reply_by=since + dt.timedelta(hours=24) if needing else None,
                last_message_at=since,
            )
        )
        if len(rows) == BATCH:
            Thread.objects.bulk_create(rows)
            rows = []
    Thread.objects.bulk_create(rows)


def timed(call, repeats: int) -> list[float]:
    call()  # warm: templates, connections
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    return times


def _healthy(admin: SandboxAdmin) -> bool:
    try:
        return bool(admin.health())
    except requests.RequestException:
        return False


def buyer_message_lag(*, seconds: int) -> None:
    port, mail_port, sandbox_mail_port = free_port(), free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="oms-bench-mail-") as maildir:
        env = child_env(OMS_MAILDIR=str(Path(maildir) / "inbox"))
        mail_server = [
            sys.executable, "-m", "oms.mailserver", "--port", str(mail_port), "--maildir", maildir,
            "--relay", f"127.0.0.1:{sandbox_mail_port}",
        ]  # fmt: skip
        sandbox = sandbox_command(
            port, "--rate-scale", "1", "--smtp", f"127.0.0.1:{mail_port}", "--mail-port", str(sandbox_mail_port)
        )
        with processes(mail_server, sandbox, env=env):
            admin = SandboxAdmin(f"http://127.0.0.1:{port}")
            wait_for(lambda: _healthy(admin), seconds=30)
            accounts = {}
            for platform in PLATFORMS:
                account, key = connect_sandbox_account(admin, platform)
                accounts[key] = account
            with (
                own_accounts(list(accounts.values())),
                beat_schedule() as schedule,
                processes(celery("worker", "--concurrency=2"), celery("beat", "--schedule", schedule), env=env),
            ):
                written = []
                ends = time.monotonic() + seconds
                while time.monotonic() < ends:
                    for key in accounts:
                        written += admin.start_threads(key, 1, topic="before_purchase")
                    time.sleep(6)
                ids = {thread["id"] for thread in written}
                arrived = Thread.objects.filter(account__in=accounts.values())
                wait_for(lambda: arrived.count() >= len(ids), seconds=240, step=1)
    lags = [
        (message.received_at - message.sent_at).total_seconds()
        for message in Message.objects.filter(thread__account__in=accounts.values(), direction="in")
    ]
    report("messaging_buyer_message_to_inbox_lag_p95", p95(lags), "s")
    report("messaging_buyer_messages", len(lags), "messages")


def run(*, quick: bool = False) -> None:
    count = 10_000 if quick else 100_000
    repeats = 20 if quick else 60
    started = time.perf_counter()
    seed_threads(count)
    report("messaging_seed_threads_seconds", time.perf_counter() - started, "s")
    with connection.cursor() as cursor:  # what autovacuum does to a table this size soon after a load
        cursor.execute("VACUUM ANALYZE messaging_thread")
    roles.sync_roles()
    operator = get_user_model().objects.create_user("bench-operator", password="x")
    operator.groups.add(Group.objects.get(name=roles.OPERATOR))
    # Served by the test client: its host name, and static URLs without a collectstatic manifest.
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], STORAGES=storages):
        _measure(operator, repeats)
    buyer_message_lag(seconds=40 if quick else 180)


def _measure(operator, repeats: int) -> None:
    browser = Client()
    browser.force_login(operator)
    api = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operator).key}")
    report("messaging_threads", Thread.objects.count(), "threads")
    report("messaging_inbox_page_p95", p95(timed(lambda: browser.get("/messages/", secure=True), repeats)), "ms")
    report(
        "messaging_inbox_platform_filter_p95",
        p95(
            timed(
                lambda: browser.get("/messages/", {"platform": "mirakl"}, secure=True, HTTP_HX_REQUEST="true"), repeats
            )
        ),
        "ms",
    )
    report(
        "messaging_inbox_overdue_p95",
        p95(
            timed(lambda: browser.get("/messages/", {"overdue": "true"}, secure=True, HTTP_HX_REQUEST="true"), repeats)
        ),
        "ms",
    )
    report("messaging_threads_api_p95", p95(timed(lambda: api.get("/api/v1/threads/", secure=True), repeats)), "ms")
