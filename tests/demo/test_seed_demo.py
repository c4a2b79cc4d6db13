"""The demo world opens on what matters: late and due-today orders, two rules at work, 60 days of history."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from demo.management.commands import seed_demo
from marketplaces.models import MarketplaceAccount
from messaging.models import AccountMessaging
from order_queue.filters import OrderFilter
from orders.models import Order
from orders.status import OrderStatus
from returns.models import ReturnRequest
from rules.models import Rule, RuleDecision
from shipping.models import CarrierAccount


def queue(query: str) -> set[int]:
    return set(OrderFilter(QueryDict(query), queryset=Order.objects.all()).qs.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_demo_shows_late_and_due_today_orders_and_rules_deciding(sandbox, settings, tmp_path, monkeypatch, client):
    sandbox.server.load_demo_accounts()
    settings.SANDBOX_URL = sandbox.url
    monkeypatch.setattr(seed_demo, "LOGINS_FILE", tmp_path / "demo-logins.txt")

    call_command("seed_demo", orders=60)

    late = queue("deadline=overdue")
    due_today = queue("deadline=today")
    assert len(late) >= 4 and len(due_today) >= 4
    oldest = Order.objects.order_by("purchased_at").first().purchased_at
    assert timezone.now() - oldest > dt.timedelta(days=30)
    assert Order.objects.filter(status=OrderStatus.CANCELLED).exists()
    assert Rule.objects.filter(enabled=True).count() == 3
    assert Rule.objects.filter(enabled=True, action="notify_delay", action_params__has_key="template").count() == 1
    outcomes = set(RuleDecision.objects.values_list("outcome", flat=True))
    assert {"accept", "hold"} <= outcomes
    assert Order.objects.filter(on_hold=True, total_amount__gt=1000).exists()
    # A contract per carrier on the carrier sandbox: labels and tracking work in `make run`.
    assert sorted(CarrierAccount.objects.values_list("carrier__code", flat=True)) == [
        "colissimo",
        "dhl_parcel",
        "mondial_relay",
        "ups",
    ]
    assert all(
        url.startswith(settings.CARRIER_SANDBOX_URL)
        for url in CarrierAccount.objects.values_list("base_url", flat=True)
    )

    # Buyers are told at every step on every demo account.
    told = AccountMessaging.objects.filter(notify_on_acceptance=True, notify_on_shipment=True, notify_on_delivery=True)
    assert told.count() == MarketplaceAccount.objects.count()
    # Mirakl refunds go out at once: each Mirakl account's reasons are mapped to the platform's RE01 codes.
    mirakl = MarketplaceAccount.objects.filter(platform="mirakl")
    assert mirakl.exists() and all(account.settings["reason_codes"]["damaged"] for account in mirakl)

    client.force_login(get_user_model().objects.get(username="operator"))
    first_screen = client.get(reverse("orders:list")).content.decode()
    first_row = first_screen.split('name="order" value="')[1].split('"')[0]
    assert int(first_row) in late  # most at risk first

    # A few returns at every step, on orders of the history, in the returns queue.
    statuses = set(ReturnRequest.objects.values_list("status", flat=True))
    assert {"requested", "authorised", "label_sent", "received", "inspected", "refused"} <= statuses
    assert "RET-" in client.get(reverse("returns:list")).content.decode()
