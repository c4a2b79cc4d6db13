"""Every list page and API list with its exact number of queries, in one table.

Each screen is read with a few rows, then with many more: both reads must take exactly the
pinned number of queries, so a page that starts querying per row (or a change that adds one
query) fails here, by name. Each count is taken on a warm read (the page asked once before), the way
operators use them (the queue keeps its saved views' counts until an order changes).
When a change adds or removes a query on purpose, update the count and its comment here.
"""

from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inventory.models import Warehouse
from kpis import actions as kpi_actions
from marketplaces.models import MarketplaceAccount, QuarantinedOrder
from oms.outbox import OutboxMessage
from orders import pushes
from orders.models import Order
from orders.status import OrderStatus
from returns.models import ReturnRequest
from rules.models import RuleDecision
from shipping.models import Carrier, Parcel, Shipment, ShipmentLine
from tests.factories import MarketplaceAccountFactory, make_order
from tests.inventory.conftest import put_stock
from tests.messaging.conftest import make_thread
from tests.rules.conftest import add_rule

FEW, MANY = 2, 6


@dataclass(frozen=True)
class Screen:
    name: str
    client: str  # a persona of tests/conftest.py, logged in; for the API, its token client (`viewer_api`)
    url: str  # a URL name, or a path under /api/v1/
    queries: int
    params: dict = field(default_factory=dict)
    htmx: bool = False
    api: bool = False
    detail: bool = False  # the URL takes the newest order's id

    def path(self) -> str:
        if self.api:
            return f"/api/v1/{self.url}"
        if self.detail:
            return reverse(self.url, args=[Order.objects.latest("pk").pk])
        return reverse(self.url)


# Every page first reads the session, the user, the user's and its groups' permissions (4);
# every API call the token with its user and the two permission sets (3). Screens that show orders, stock
# movements or accounts also read the user's account scope (1: oms.access). The comments say the rest.
SCREENS = [
    # + page count, saved views, latest change (the views' counts are cached until it moves), assignable
    # users, accounts (the filter's choices, a named cursor), the page, its lines, its rule decisions,
    # the KPI alerts of the banner
    Screen("queue page", "operator", "orders:list", 14),
    # + page count, the page, its lines, its rule decisions
    Screen("queue HTMX table", "operator", "orders:list", 9, htmx=True),
    # + the order with its account, lines, events, rule decisions, pushes, assignable users (a named cursor),
    # its labelled parcels (the paperwork card), its buyer threads, its shipments (their lines and parcels,
    # two more queries when it has some: never one per shipment), its returns, its refunds (their lines
    # too, when it has some)
    Screen("order detail", "operator", "orders:detail", 18, detail=True),
    # + the page, its lines, its rule decisions
    Screen("API order list", "viewer_api", "orders/", 7, params={"page_size": 50}, api=True),
    # + warehouses, product count, low-stock count, the page with its levels summed
    Screen("stock list", "viewer", "inventory:products", 8),
    Screen("stock HTMX table", "viewer", "inventory:products", 8, htmx=True),
    # + warehouses, the page, its levels
    Screen("stock API", "viewer_api", "stock/", 6, params={"page_size": 50}, api=True),
    # + account scope, the page, its lines, its parcels
    Screen("shipments API", "viewer_api", "shipments/", 7, params={"page_size": 50}, api=True),
    # + the carriers, their services, their accounts
    Screen("carriers API", "viewer_api", "carriers/", 6, api=True),
    # + the page
    Screen("stock movements API", "viewer_api", "stock-movements/", 5, params={"page_size": 50}, api=True),
    # + the rules, their accounts
    Screen("rules list", "admin_user", "rules:list", 6),
    Screen("rules API", "admin_api", "rules/", 5, api=True),
    # + count, the page
    Screen("rule decisions", "admin_user", "rules:decisions", 7),
    # + account names, destinations (the filter's choices), count, the page, its orders
    Screen("outbox page", "admin_user", "marketplaces:outbox", 9, params={"status": "all"}),
    # + the accounts (calls against limits come from Redis)
    Screen("marketplaces page", "admin_user", "marketplaces:accounts", 6),
    # + count of the unresolved, the page
    Screen("quarantine", "admin_user", "marketplaces:quarantine", 6),
    # + accounts (the filter's choices), count (capped), the page with accounts, orders and assignees; the whole
    # page also lists the orders that may ship late (one query, each account's horizon read in SQL)
    Screen("inbox page", "operator", "messaging:inbox", 9),
    Screen("inbox HTMX table", "operator", "messaging:inbox", 7, htmx=True),
    # + the page
    Screen("threads API", "viewer_api", "threads/", 5, params={"page_size": 50}, api=True),
    # + warehouses (the filter's choices), count, the page with its orders and accounts, its lines
    Screen("returns queue", "operator", "returns:list", 9),
    Screen("returns HTMX table", "operator", "returns:list", 9, htmx=True),
    # + warehouses (the filter's choices), the page with its orders, its lines, their inspected units
    Screen("returns API", "viewer_api", "returns/", 8, params={"page_size": 50}, api=True),
    # + account scope, accounts, standings, backlogs, the platforms' figures, buckets, open alerts (never the orders)
    Screen("KPI dashboard", "viewer", "home", 11),
    # + account scope, the standings with their accounts, the platforms' figures
    Screen("KPI API", "viewer_api", "kpis/", 6, api=True),
]


def add_rows(count: int, *, lines: int) -> None:
    """`count` more of everything the screens list: orders, stock, rules and decisions, dead letters, quarantine."""
    accounts = list(MarketplaceAccount.objects.order_by("pk")) or [
        MarketplaceAccountFactory(platform=platform) for platform in ("amazon", "mirakl")
    ]
    warehouses = list(Warehouse.objects.order_by("pk")) or [
        Warehouse.objects.create(code=code, name=code.title(), priority=index)
        for index, code in enumerate(("lyon", "paris"))
    ]
    start = Order.objects.count()
    for index in range(start, start + count):
        account = accounts[index % len(accounts)]
        order = make_order(account=account, line_count=lines, status=OrderStatus.PENDING_ACCEPTANCE)
        RuleDecision.objects.create(order=order, rule_name=f"Rule {index}", outcome="hold", reasons=["why"])
        for warehouse in warehouses:
            put_stock(f"SKU-{index}", index + 1, warehouse)
        add_rule(name=f"Rule {index}", conditions=[{"type": "total", "max": "500"}], account_ids=(account.pk,))
        OutboxMessage.objects.create(
            kind=pushes.ACCEPT,
            destination=pushes.marketplace_destination(account.pk),
            ordering_key=pushes.order_subject(order.pk),
            subject=pushes.order_subject(order.pk),
            idempotency_key=f"accept-{order.pk}",
            status="dead",
            attempts=8,
            last_error="RejectedByMarketplace: nope",
        )
        QuarantinedOrder.objects.create(account=account, marketplace_order_id=f"BAD-{index}", reason="no lines", raw={})
        make_thread(order=order, assignee=order.assignee)
        shipment = Shipment.objects.create(
            order=order, carrier=Carrier.objects.get(code="colissimo"), status="in_transit"
        )
        ShipmentLine.objects.create(shipment=shipment, order_line=order.lines.first(), quantity=1)
        Parcel.objects.create(shipment=shipment, tracking_number=f"6A{index:011d}")
        ReturnRequest.objects.create(
            order=order, platform=account.platform, requested_at=order.purchased_at, warehouse=warehouses[0]
        ).lines.create(order_line=order.lines.first(), quantity=1)
    kpi_actions.refresh_kpis()


def queries_of(client, screen: Screen) -> int:
    path, headers = screen.path(), {"HTTP_HX_REQUEST": "true"} if screen.htmx else {}
    client.get(path, screen.params, **headers)  # warm: what is cached between reads is cached
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, screen.params, **headers)
    assert response.status_code == 200, screen.name
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("screen", SCREENS, ids=[screen.name for screen in SCREENS])
def test_each_list_takes_its_pinned_number_of_queries_for_few_rows_and_many(screen, request):
    client = request.getfixturevalue(screen.client)
    if not screen.api:
        user, client = client, Client()
        client.force_login(user)
    add_rows(FEW, lines=2)
    few = queries_of(client, screen)
    add_rows(MANY - FEW, lines=4)
    many = queries_of(client, screen)
    assert (few, many) == (screen.queries, screen.queries)
