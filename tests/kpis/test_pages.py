"""The dashboard, the queue behind each figure and its banner, the thresholds page, the CSV, the API and the webhook."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kpis import actions
from kpis.models import Alert, TargetSetting
from oms.access.actions import create_api_client
from oms.outbox.models import OutboxMessage
from orders.models import Order
from tests.factories import MarketplaceAccountFactory
from tests.kpis.world import Spec, build
from tests.webhooks.conftest import add_endpoint

H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


@pytest.fixture
def world(db):
    """An Amazon account, now: 1 late shipment of 40, 5 orders due within 3 hours (a projected breach)."""
    now = timezone.now()
    account = MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
    specs = []
    for index in range(40):
        due = now - (2 + index % 5) * D
        shipped = due + H if index == 0 else due - H
        specs.append(
            Spec(
                "shipped",
                due - 2 * D,
                ship_by=due,
                tracking_number="6A1",
                carrier="colissimo",
                events=[("received", "accepted", due - 2 * D), ("shipped", "shipped", shipped)],
            )
        )
    specs += [Spec("accepted", now - D, ship_by=now + 3 * H, events=[("received", "accepted", now - D)])] * 5
    orders = build(account, specs)
    actions.refresh_kpis(now=now)
    return account, orders


@pytest.mark.django_db
def test_the_home_page_is_the_dashboard_and_reads_no_order(client, viewer, world):
    account, _ = world
    client.force_login(viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Amazon FR" in page
    assert "5 order(s) must ship within 3 h" in page
    assert "Projected breach" in page
    assert "kpi=late_shipment_rate&amp;kpi_days=30" in page
    assert f'id="kpi-chart-{account.pk}"' in page  # the chart's data, as json_script
    assert not [query for query in queries.captured_queries if "orders_order" in query["sql"]]


@pytest.mark.django_db
def test_the_dashboard_is_french_on_french_pages(client, viewer, world):
    client.force_login(viewer)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Taux d’expédition en retard" in page or "Taux d'expédition en retard" in page
    assert "Dépassement prévu" in page


@pytest.mark.django_db
def test_without_a_role_the_dashboard_is_forbidden(client, outsider, world):
    client.force_login(outsider)
    assert client.get("/").status_code == 403
    assert client.get(reverse("kpis:export")).status_code == 403


@pytest.mark.django_db
def test_a_figure_opens_the_queue_on_the_orders_it_counts(client, operator, world):
    account, orders = world
    client.force_login(operator)
    late = client.get(reverse("orders:list"), {"account": account.pk, "kpi": "late_shipment_rate", "kpi_days": 30})
    assert late.status_code == 200
    assert orders[0].number in late.content.decode()
    assert orders[1].number not in late.content.decode()
    every = client.get(
        reverse("orders:list"), {"account": account.pk, "kpi": "late_shipment_rate", "kpi_counted": "true"}
    )
    assert orders[1].number in every.content.decode()
    assert orders[-1].number not in every.content.decode()  # due later: not counted yet


@pytest.mark.django_db
def test_the_queue_shows_a_banner_while_a_breach_is_projected(client, operator, world):
    client.force_login(operator)
    page = client.get(reverse("orders:list")).content.decode()
    assert 'class="kpi-banner"' in page
    assert "must ship within 3 h" in page
    Alert.objects.update(closed_at=timezone.now())
    assert 'class="kpi-banner"' not in client.get(reverse("orders:list")).content.decode()


@pytest.mark.django_db
def test_admins_set_an_accounts_threshold_and_bad_input_changes_nothing(client, admin_user, operator, world):
    account, _ = world
    url = reverse("kpis:settings")
    client.force_login(operator)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert "unverified" in client.get(url).content.decode()
    bad = {"account": account.pk, "target": "late_shipment_rate_30d", "threshold": "140", "window_days": "30"}
    client.post(url, bad)
    client.post(url, {**bad, "threshold": "3", "target": "refusal_rate_30d"})
    assert not TargetSetting.objects.exists()
    client.post(url, {**bad, "threshold": "3", "window_days": "20", "enabled": "on"})
    setting = TargetSetting.objects.get()
    assert (setting.threshold, setting.window_days, setting.enabled) == (Decimal("3.00"), 20, True)
    client.post(url, {**bad, "threshold": "3", "reset": "on"})
    assert not TargetSetting.objects.exists()


@pytest.mark.django_db
def test_the_csv_export(client, viewer, world):
    client.force_login(viewer)
    response = client.get(reverse("kpis:export"))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Amazon FR,amazon,late_shipment_rate_30d,late_shipment_rate,30,4.00,2.50,1,40,projected_breach,5" in text
    assert "Amazon FR,late_shipment_rate," in text


@pytest.mark.django_db
def test_the_api_lists_each_target_with_its_projection(viewer_api, world):
    response = viewer_api.get("/api/v1/kpis/", {"metric": "late_shipment_rate"})
    assert response.status_code == 200
    rows = {row["target"]: row for row in response.json()}
    assert set(rows) == {"late_shipment_rate_10d", "late_shipment_rate_30d"}
    row = rows["late_shipment_rate_30d"]
    assert (row["value"], row["threshold"], row["status"], row["at_stake"]) == ("2.50", "4.00", "projected_breach", 5)
    assert row["definition"]["better"] == "lower"


@pytest.mark.django_db
def test_api_clients_need_the_kpis_read_scope_and_see_only_their_accounts(world):
    account, _ = world
    other = MarketplaceAccountFactory(platform="ebay")
    actions.refresh_kpis()
    _, orders_only = create_api_client(name="ERP orders", scopes=["orders:read"])
    _, kpis_reader = create_api_client(name="ERP kpis", scopes=["kpis:read"], account_ids=[other.pk])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {orders_only}")
    assert client.get("/api/v1/kpis/").status_code == 403
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {kpis_reader}")
    response = client.get("/api/v1/kpis/")
    assert response.status_code == 200
    assert {row["account"] for row in response.json()} == {other.pk}


@pytest.mark.django_db
def test_a_new_alert_is_a_kpi_alert_webhook_event(db):
    add_endpoint(url="http://127.0.0.1:9/hooks", events=["kpi.alert"])
    account = MarketplaceAccountFactory(platform="amazon")
    now = timezone.now()
    build(account, [Spec("accepted", now - D, ship_by=now + H, events=[("received", "accepted", now - D)])])
    actions.refresh_kpis(now=now)
    deliveries = OutboxMessage.objects.filter(kind="webhook.deliver")
    assert {message.payload["event"]["type"] for message in deliveries} == {"kpi.alert"}
    alerts = {message.payload["event"]["data"]["alert"]["target"] for message in deliveries}
    assert alerts == {"late_shipment_rate_10d", "late_shipment_rate_30d"}
    actions.refresh_kpis(now=now + dt.timedelta(minutes=3))
    assert OutboxMessage.objects.filter(kind="webhook.deliver").count() == 2  # once per crossing
    assert Order.objects.count() == 1
