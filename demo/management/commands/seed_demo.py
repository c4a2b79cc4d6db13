"""Demo data, loaded once: the sandbox's accounts, one user per role, a few hundred orders.

The order history (shipped, delivered, cancelled, refused) is built by the
factories and ingested directly; the orders still to work (to accept, to ship)
are created on the running sandbox marketplaces and polled in, so that accepting
or shipping them reaches a marketplace that knows them. Passwords are random,
written to var/demo-logins.txt (git-ignored) and printed, never stored in the
repository.
"""

import datetime as dt
import random
import secrets
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from demo import stock
from demo.factories import OrderDataFactory
from marketplaces.models import MarketplaceAccount
from marketplaces.polling import poll_account
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox.demo import DEMO_ACCOUNTS, demo_account_urls
from oms import embedded, roles
from orders import platforms
from orders.actions import ingest_order
from orders.canonical import CanonicalStatus
from orders.models import Order

LOGINS_FILE = embedded.VAR_DIR / "demo-logins.txt"

# Status mix of the demo orders; platforms without an acceptance step skip it.
STATUS_WEIGHTS = {
    CanonicalStatus.SHIPPED: 60,
    CanonicalStatus.DELIVERED: 25,
    CanonicalStatus.CANCELLED: 10,
    CanonicalStatus.REFUSED: 5,
}
# Orders still to work, per demo account, created on the sandbox: (platform's status, count).
LIVE_ORDERS = {
    platforms.AMAZON: [("Unshipped", 8)],
    platforms.EBAY: [(None, 8)],
    platforms.MIRAKL: [("WAITING_ACCEPTANCE", 5), ("SHIPPING", 4)],
    platforms.CDISCOUNT: [("WaitingAcceptance", 5), ("Accepted", 4)],
}


class Command(BaseCommand):
    help = "Create demo accounts, users (admin, operator, viewer) and orders, once."

    def add_arguments(self, parser):
        parser.add_argument("--orders", type=int, default=300)

    def handle(self, *args, orders: int, **options):
        if MarketplaceAccount.objects.exists():
            self.stdout.write("Demo data already loaded.")
            self._print_logins()
            return
        with transaction.atomic():
            roles.sync_roles()
            accounts = [self._account(entry) for entry in DEMO_ACCOUNTS]
            logins = self._users()
            # Stock before any order arrives, so that the orders below reserve real units.
            stock.seed(accounts)
        created = sum(self._orders(accounts, orders))
        created += self._live_orders(accounts)
        LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
        LOGINS_FILE.write_text("".join(f"{role}\t{username}\t{password}\n" for role, username, password in logins))
        LOGINS_FILE.chmod(0o600)
        self.stdout.write(self.style.SUCCESS(f"Loaded {len(accounts)} accounts and {created} orders."))
        self._print_logins()

    def _account(self, entry: dict) -> MarketplaceAccount:
        """The sandbox's demo account; pointing it at the real platform is a matter of URLs and credentials."""
        urls = demo_account_urls(settings.SANDBOX_URL, entry)
        account = MarketplaceAccount(
            platform=entry["platform"],
            name=entry["name"],
            api_base_url=urls["api_base_url"],
            auth_url=urls["auth_url"],
            poll_interval_seconds=int(platforms.CAPABILITIES[entry["platform"]].poll_interval.total_seconds()),
        )
        account.credentials = entry["credentials"]
        account.save()
        return account

    def _users(self) -> list[tuple[str, str, str]]:
        users = get_user_model()
        logins = []
        for role in roles.ROLES:
            password = secrets.token_urlsafe(9)
            user = users.objects.create_user(username=role, password=password, email=f"{role}@oms.invalid")
            user.is_staff = role == roles.ADMIN
            user.save(update_fields=["is_staff"])
            user.groups.add(Group.objects.get(name=role))
            logins.append((role, role, password))
        return logins

    def _orders(self, accounts: list[MarketplaceAccount], count: int):
        rng = random.Random(2026)
        now = dt.datetime.now(dt.UTC)
        for _ in range(count):
            account = rng.choice(accounts)
            acceptance_step = platforms.CAPABILITIES[account.platform].acceptance_step
            weights = {
                status: weight
                for status, weight in STATUS_WEIGHTS.items()
                if acceptance_step or status not in (CanonicalStatus.PENDING_ACCEPTANCE, CanonicalStatus.REFUSED)
            }
            status = rng.choices(list(weights), weights=list(weights.values()))[0]
            purchased_at = now - dt.timedelta(minutes=rng.randint(60 * 24 * 3, 60 * 24 * 30))
            data = OrderDataFactory(platform=account.platform, status=status, purchased_at=purchased_at)
            ingest_order(account=account, data=data)
            yield 1

    def _live_orders(self, accounts: list[MarketplaceAccount]) -> int:
        """Orders to accept and to ship, on the sandbox, polled in now (skipped if it is not running)."""
        admin = SandboxAdmin(settings.SANDBOX_URL, timeout=10)
        for _ in range(50):  # `make run` starts the sandbox a moment before this command
            try:
                admin.health()
                break
            except Exception:
                time.sleep(0.2)
        else:
            self.stdout.write(f"No sandbox at {settings.SANDBOX_URL}: only the order history was loaded.")
            return 0
        keys = {entry["name"]: entry["key"] for entry in DEMO_ACCOUNTS}
        before = Order.objects.count()
        for account in accounts:
            for status, count in LIVE_ORDERS[account.platform]:
                admin.generate_orders(keys[account.name], count, **({"status": status} if status else {}))
            poll_account(account_id=account.pk)
        return Order.objects.count() - before

    def _print_logins(self) -> None:
        if not LOGINS_FILE.exists():
            return
        self.stdout.write("Log in as (role, username, password):")
        for line in LOGINS_FILE.read_text().splitlines():
            self.stdout.write("  " + "  ".join(line.split("\t")))
