"""An operator scoped to marketplace accounts sees and acts only on their accounts, on every page,
export and endpoint: walked over the whole URLconf with another account's order at hand."""

import pytest
from django.urls import get_resolver, reverse
from rest_framework.test import APIClient

from inventory.models import Warehouse
from oms.access import actions as access
from order_queue import bulk
from orders.models import BulkJob, BulkJobItem, Order, OrderEvent, SavedView
from orders.status import OrderStatus
from rules.models import RuleDecision
from shipping import actions as shipping_actions
from tests.factories import MarketplaceAccountFactory
from tests.inventory.conftest import SYSTEM, order_of, put_stock
from tests.oms.test_access import PUBLIC, concrete_url, walk


@pytest.fixture
def world(db, operator):
    """Two accounts, each with orders holding stock and rule decisions; the operator sees the first."""
    warehouse = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    product = put_stock("MUG-SCOPE", 50, warehouse)
    mine = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Visible")
    other = MarketplaceAccountFactory(platform="mirakl", name="Darty-Hidden")
    orders = {}
    for key, account in (("mine", mine), ("other", other)):
        pending = order_of(account, ("MUG-SCOPE", 1), status=OrderStatus.PENDING_ACCEPTANCE)
        shipped = order_of(account, ("MUG-SCOPE", 2), status=OrderStatus.ACCEPTED)
        shipping_actions.ship_order(
            order_id=shipped.pk, actor=SYSTEM, carrier="colissimo", tracking_number=f"6A{shipped.pk:011d}"
        )
        for order in (pending, shipped):
            RuleDecision.objects.create(order=order, rule_name="Stock OK", outcome=RuleDecision.Outcome.NO_MATCH)
        orders[key] = (pending, shipped)
    SavedView.objects.create(name="Everything", query="", shared=True)
    access.set_account_scope(user=operator, account_ids=[mine.pk])
    return {"mine": mine, "other": other, "orders": orders, "product": product}


def hidden_marks(world) -> list[str]:
    marks = [world["other"].name]
    for order in world["orders"]["other"]:
        marks += [order.marketplace_order_id, order.number]
    return marks


def leaks_in(response, marks) -> list[str]:
    body = response.content.decode(errors="replace")
    return [mark for mark in marks if mark in body]


@pytest.mark.django_db
def test_a_scoped_operator_sees_no_other_accounts_order_anywhere(world, operator):
    client = APIClient()
    client.force_login(operator)
    marks = hidden_marks(world)
    pks = [world["orders"]["other"][0].pk, world["orders"]["mine"][0].pk, world["product"].pk]
    leaks, seen = [], 0
    for name, pattern in walk(get_resolver().url_patterns):
        if pattern.lstrip("^").startswith("static/") or (name or "").split(":")[-1] in PUBLIC:
            continue
        for pk in pks:
            url = concrete_url(name, pattern, pk)
            response = client.get(url)
            if response.status_code == 200:
                seen += 1
            found = leaks_in(response, marks)
            if found:
                leaks.append(f"GET {url} ({name}) shows {found}")
    assert seen > 15, "the walk rendered too few pages to prove anything"
    assert leaks == [], "\n".join(leaks)


@pytest.mark.django_db
def test_every_api_list_shows_only_the_operators_accounts(world, operator):
    client = APIClient()
    client.force_login(operator)
    mine = {order.pk for order in world["orders"]["mine"]}
    orders = client.get("/api/v1/orders/?page_size=200").json()["results"]
    assert {row["id"] for row in orders} == mine
    decisions = client.get("/api/v1/rule-decisions/").json()["results"]
    assert decisions and {row["order"] for row in decisions} <= mine
    movements = client.get("/api/v1/stock-movements/").json()["results"]
    assert movements and all(row.get("order") in (None, *mine) for row in movements)
    for url in ("/api/v1/orders/", "/api/v1/rule-decisions/", "/api/v1/stock-movements/", "/api/v1/stock/"):
        assert not leaks_in(client.get(url), hidden_marks(world)), url


@pytest.mark.django_db
def test_a_scoped_operator_cannot_act_on_another_accounts_order(world, operator, client):
    api = APIClient()
    api.force_login(operator)
    client.force_login(operator)
    hidden = world["orders"]["other"][0]
    before = (Order.objects.get(pk=hidden.pk).status, OrderEvent.objects.filter(order=hidden).count())
    assert client.get(reverse("orders:detail", args=[hidden.pk])).status_code == 404
    assert api.get(f"/api/v1/orders/{hidden.pk}/").status_code == 404
    for action in ("accept", "refuse", "cancel", "hold", "release", "assign", "tag"):
        response = client.post(reverse(f"orders:{action}", args=[hidden.pk]), {"reason": "x", "tag": "x"})
        assert response.status_code == 404, action
        assert api.post(
            f"/api/v1/orders/{hidden.pk}/{action}/", {"reason": "x"}, HTTP_IDEMPOTENCY_KEY=action
        ).status_code in (404, 405)
    client.post(reverse("rules:apply"), {"order": [hidden.pk]})
    assert client.post(reverse("marketplaces:poll_now", args=[world["other"].pk])).status_code == 404
    assert (Order.objects.get(pk=hidden.pk).status, OrderEvent.objects.filter(order=hidden).count()) == before


@pytest.mark.django_db
def test_bulk_jobs_leave_out_orders_of_other_accounts(world, operator, client):
    client.force_login(operator)
    mine, other = world["orders"]["mine"][0], world["orders"]["other"][0]
    client.post(
        reverse("orders:bulk_start"), {"action": "tag", "tag": "checked", "key": "k1", "order": [mine.pk, other.pk]}
    )
    client.post(reverse("orders:bulk_start"), {"action": "export", "key": "k2", "all_matching": "on", "query": ""})
    jobs = BulkJob.objects.filter(created_by=operator)
    assert jobs.count() == 2
    covered = set(BulkJobItem.objects.filter(job__in=jobs).values_list("order_id", flat=True))
    assert covered == {order.pk for order in world["orders"]["mine"]} | {mine.pk}
    for job in jobs:
        bulk.run_job(job_id=job.pk)
    assert "checked" in Order.objects.get(pk=mine.pk).tags and "checked" not in Order.objects.get(pk=other.pk).tags
    export = jobs.get(action=BulkJob.Action.EXPORT)
    assert export.status == BulkJob.Status.DONE
    assert world["orders"]["mine"][0].marketplace_order_id in export.export_csv
    assert not [mark for mark in hidden_marks(world) if mark in export.export_csv]
    assert not leaks_in(client.get(reverse("orders:bulk_export", args=[export.pk])), hidden_marks(world))


@pytest.mark.django_db
def test_saved_view_counts_are_per_scope(world, operator, admin_user):
    def everything(user) -> int:
        client = APIClient()
        client.force_login(user)
        views = client.get(reverse("orders:list")).context["saved_views"]
        return next(view.count for view in views if view.name == "Everything")

    assert everything(admin_user) == 4
    assert everything(operator) == 2  # not the admin's cached count


@pytest.mark.django_db
def test_lifting_the_scope_shows_every_account_again(world, operator):
    access.set_account_scope(user=operator, account_ids=None)
    client = APIClient()
    client.force_login(operator)
    assert len(client.get("/api/v1/orders/").json()["results"]) == 4
