"""`manage.py sandbox peak|status`: drive and inspect the running sandbox marketplaces.

- `peak --rate N [--minutes M] [--account KEY]`: a Black-Friday-style burst, N orders per
  minute spread over every sandbox account (or only KEY), for M minutes (default 1).
- `status`: the accounts, and the requests and 429s counted per account and operation.

Talks to the sandbox through its admin API at `settings.SANDBOX_URL`.
"""

from __future__ import annotations

import time

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from marketplaces.sandbox.client import SandboxAdmin

TICK_SECONDS = 1.0


class Command(BaseCommand):
    help = "Drive (peak) or inspect (status) the sandbox marketplaces."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        peak = sub.add_parser("peak", help="generate a burst of orders")
        peak.add_argument("--rate", type=float, required=True, help="orders per minute, all accounts together")
        peak.add_argument("--minutes", type=float, default=1.0)
        peak.add_argument("--account", help="only this sandbox account key")
        sub.add_parser("status", help="print accounts and request counters")

    def handle(self, *args, **options):
        admin = SandboxAdmin(settings.SANDBOX_URL)
        try:
            admin.health()
        except requests.RequestException as err:
            raise CommandError(f"the sandbox at {admin.url} does not answer: {err}") from err
        if options["action"] == "peak":
            self.peak(admin, rate=options["rate"], minutes=options["minutes"], only=options.get("account"))
        else:
            self.status(admin)

    def peak(self, admin: SandboxAdmin, *, rate: float, minutes: float, only: str | None) -> None:
        if rate <= 0 or minutes <= 0:
            raise CommandError("--rate and --minutes must be positive")
        keys = [a["key"] for a in admin.accounts() if only is None or a["key"] == only]
        if not keys:
            raise CommandError(f"no sandbox account {only}" if only else "the sandbox has no accounts")
        per_tick = rate / 60.0 * TICK_SECONDS
        owed, created, turn = 0.0, 0, 0
        deadline = time.monotonic() + minutes * 60
        while time.monotonic() < deadline:
            started = time.monotonic()
            owed += per_tick
            while owed >= 1:
                key = keys[turn % len(keys)]
                admin.generate_orders(key, 1, realistic=True)
                owed -= 1
                created += 1
                turn += 1
            self.stdout.write(f"\r{created} orders created", ending="")
            self.stdout.flush()
            time.sleep(max(0.0, TICK_SECONDS - (time.monotonic() - started)))
        self.stdout.write(self.style.SUCCESS(f"\npeak done: {created} orders over {len(keys)} account(s)"))

    def status(self, admin: SandboxAdmin) -> None:
        self.stdout.write(f"sandbox {admin.url}, clock {admin.now()}")
        for account in admin.accounts():
            interval = account["generation_interval"]
            rate = f"one order every {interval:g} s" if interval else "no generation"
            self.stdout.write(
                f"  {account['key']:<22} {account['platform']:<10} {len(admin.orders(account['key'])):>6} orders, {rate}"
            )
        counters = admin.counters()
        self.stdout.write(f"requests: {counters['total_requests']}, throttled (429): {counters['total_throttled']}")
        for row in counters["counters"]:
            self.stdout.write(
                f"  {row['account']:<22} {row['operation']:<28} {row['requests']:>7} {row['throttled']:>6}"
            )
