"""Demo data, loaded once: the sandbox's accounts, one user per role, a few hundred orders, two rules.

The order history of the last 60 days (shipped, delivered, cancelled, refused) is
built by the factories and ingested directly; the orders still to work (to accept,
to ship) are created on the running sandbox marketplaces and polled in, so that
accepting or shipping them reaches a marketplace that knows them. Those are placed
in the past (`age_hours`) so the queue opens on what matters: orders already late,
orders due today, orders with time left. Two example rules are switched on and run
on the orders to accept, so their decisions show. Passwords are random, written to
var/demo-logins.txt (git-ignored) and printed, never stored in the repository.
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
from django.utils import timezone

from demo import carriers, example_rules, kpi_history, stock
from demo import returns as demo_returns
from demo.factories import OrderDataFactory
from kpis.actions import refresh_kpis
from kpis.tasks import read_platform_figures
from marketplaces.models import MarketplaceAccount
from marketplaces.polling import poll_account
from marketplaces.sandbox.client import SandboxAdmin
from marketplaces.sandbox.demo import DEMO_ACCOUNTS, demo_account_urls
from marketplaces.sandbox_accounts import MIRAKL_REASON_CODES
from messaging.models import AccountMessaging
from oms import embedded, roles
from orders import platforms
from orders.actions import Actor, ingest_order
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
HISTORY_DAYS = 60
# Orders still to work, per demo account, created on the sandbox: (platform's status, count, urgency).
TO_SHIP = {
    platforms.AMAZON: "Unshipped",
    platforms.EBAY: None,
    platforms.MIRAKL: "SHIPPING",
    platforms.CDISCOUNT: "Accepted",
}
TO_ACCEPT = {platforms.MIRAKL: "WAITING_ACCEPTANCE", platforms.CDISCOUNT: "WaitingAcceptance"}
LATE, DUE_TODAY, LATER = "late", "due_today", "later"
LIVE_ORDERS = {
    platform: [
        *([(TO_ACCEPT[platform], 3, DUE_TODAY), (TO_ACCEPT[platform], 3, LATER)] if platform in TO_ACCEPT else []),
        (TO_SHIP[platform], 2, LATE),
        (TO_SHIP[platform], 3, DUE_TODAY),
        (TO_SHIP[platform], 3, LATER),
    ]
    for platform in TO_SHIP
}
# The sandbox's windows (marketplaces/sandbox/generate.py): ship within 2 days (prime off), accept within 2 days.
SANDBOX_WINDOW_HOURS = 48
# A big order to accept per account with an acceptance step: the "hold" rule's example.
BIG_ORDER = {"skus": ["SALON-JARDIN-4"], "quantity": 3}


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
            for account in accounts:  # the demo's buyers are told at every step (a seller chooses per account)
                AccountMessaging.objects.update_or_create(
                    account=account,
                    defaults={"notify_on_acceptance": True, "notify_on_shipment": True, "notify_on_delivery": True},
                )
            logins = self._users()
            # Stock before any order arrives, so that the orders below reserve real units.
            stock.seed(accounts)
            admin = get_user_model().objects.get(username=roles.ADMIN)
            example_rules.create(created_by=admin)
            # Carrier contracts on the carrier sandbox: labels, then tracking to delivery.
            carriers.seed(settings.CARRIER_SANDBOX_URL)
        created = sum(self._orders(accounts, orders))
        kpi_history.give_timelines()  # when each history order shipped, was delivered or cancelled
        created += self._live_orders(accounts)
        decided = example_rules.run_on_waiting_orders()
        demo_returns.seed(actor=Actor.of_user(get_user_model().objects.get(username=roles.OPERATOR)))
        read_platform_figures()  # the platforms' own figures, beside ours (skipped if the sandbox is not running)
        refresh_kpis()  # the dashboard's figures from the start (then every few minutes)
        LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
        LOGINS_FILE.write_text("".join(f"{role}\t{username}\t{password}\n" for role, username, password in logins))
        LOGINS_FILE.chmod(0o600)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {len(accounts)} accounts and {created} orders; the example rules decided on {decided}."
            )
        )
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
        if entry["platform"] == platforms.MIRAKL:
            # As an admin leaves it on the "Reason codes" page, from the sandbox's RE01: refunds go out at once.
            account.settings = {**(account.settings or {}), "reason_codes": dict(MIRAKL_REASON_CODES)}
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
            purchased_at = now - dt.timedelta(minutes=rng.randint(60 * 24, 60 * 24 * HISTORY_DAYS))
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
        rng = random.Random(2027)
        for account in accounts:
            for status, count, urgency in LIVE_ORDERS[account.platform]:
                for _ in range(count):
                    options = {"status": status} if status else {}
                    admin.generate_orders(
                        keys[account.name], 1, prime=False, age_hours=_age_hours(urgency, rng), **options
                    )
            if account.platform in TO_ACCEPT:
                big = {"status": TO_ACCEPT[account.platform], "age_hours": _age_hours(LATER, rng), **BIG_ORDER}
                admin.generate_orders(keys[account.name], 1, prime=False, **big)
            poll_account(account_id=account.pk)
        return Order.objects.count() - before

    def _print_logins(self) -> None:
        if not LOGINS_FILE.exists():
            return
        self.stdout.write("Log in as (role, username, password):")
        for line in LOGINS_FILE.read_text().splitlines():
            self.stdout.write("  " + "  ".join(line.split("\t")))


def _age_hours(urgency: str, rng: random.Random) -> float:
    """How long ago to place an order so that its deadline (SANDBOX_WINDOW_HOURS after) falls as asked."""
    now = timezone.localtime()
    hours_left_today = (24 - now.hour - now.minute / 60) if now.hour < 23 else 0.5
    if urgency == LATE:
        ahead = -rng.uniform(2, 30)
    elif urgency == DUE_TODAY:
        ahead = rng.uniform(0.25, 0.8) * hours_left_today
    else:
        ahead = rng.uniform(30, 40)
    return round(SANDBOX_WINDOW_HOURS - ahead, 2)
