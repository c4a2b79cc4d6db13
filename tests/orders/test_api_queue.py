"""Orders API for ERPs: the queue's filters, incremental sync by updated_since, idempotent actions."""

import datetime as dt

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent
from orders.status import OrderStatus
from tests.factories import make_order

pytestmark = pytest.mark.django_db


def all_pages(api, url, params=None):
    seen, body = [], api.get(url, params).json()
    while True:
        seen += body["results"]
        if not body["next"]:
            return seen
        body = api.get(body["next"]).json()


def test_list_has_the_queues_filters_and_search(viewer_api):
    tomorrow = timezone.now() + dt.timedelta(days=1)
    helene = make_order(
        status=OrderStatus.PENDING_ACCEPTANCE, buyer_name="Hélène Marchand", acceptance_deadline=tomorrow
    )
    make_order(status=OrderStatus.PENDING_ACCEPTANCE, buyer_name="Jean Dupont", acceptance_deadline=tomorrow)
    late = make_order(status=OrderStatus.ACCEPTED, ship_by=timezone.now() - dt.timedelta(hours=1))
    assert [row["id"] for row in viewer_api.get("/api/v1/orders/", {"q": "helene"}).json()["results"]] == [helene.pk]
    assert [row["id"] for row in viewer_api.get("/api/v1/orders/", {"deadline": "overdue"}).json()["results"]] == [
        late.pk
    ]
    body = viewer_api.get("/api/v1/orders/", {"status": "pending_acceptance", "country": "FR"}).json()
    assert len(body["results"]) == 2 and body["results"][0]["next_deadline"]


def test_an_invalid_filter_answers_400_with_the_error_body(viewer_api):
    response = viewer_api.get("/api/v1/orders/", {"deadline": "someday"})
    assert response.status_code == 400
    assert "deadline" in response.json()["error"]["details"]


def test_updated_since_returns_changes_oldest_first_across_pages(viewer_api, operator):
    orders = [make_order(status=OrderStatus.PENDING_ACCEPTANCE) for _ in range(5)]
    base = timezone.now() - dt.timedelta(hours=1)
    for index, order in enumerate(orders):  # changed in the reverse order of their ids
        Order.objects.filter(pk=order.pk).update(updated_at=base + dt.timedelta(minutes=10 - index))
    mark = base + dt.timedelta(minutes=7)
    rows = all_pages(viewer_api, "/api/v1/orders/", {"updated_since": mark.isoformat(), "page_size": 2})
    assert [row["id"] for row in rows] == [orders[3].pk, orders[2].pk, orders[1].pk, orders[0].pk]
    assert [row["updated_at"] for row in rows] == sorted(row["updated_at"] for row in rows)


def test_sync_cursor_never_skips_orders_that_share_an_updated_at(viewer_api):
    orders = [make_order() for _ in range(7)]
    same = timezone.now() - dt.timedelta(minutes=30)
    Order.objects.filter(pk__in=[o.pk for o in orders]).update(updated_at=same)
    rows = all_pages(
        viewer_api, "/api/v1/orders/", {"updated_since": (same - dt.timedelta(seconds=1)).isoformat(), "page_size": 3}
    )
    assert [row["id"] for row in rows] == sorted(o.pk for o in orders)


def test_an_order_changed_after_a_sync_comes_back_in_the_next_one(viewer_api, operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    rows = all_pages(viewer_api, "/api/v1/orders/", {"updated_since": "2000-01-01T00:00:00Z"})
    high_water = max(row["updated_at"] for row in rows)
    assert all_pages(viewer_api, "/api/v1/orders/", {"updated_since": high_water})  # inclusive: the last one again
    operator_api.post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")
    again = all_pages(viewer_api, "/api/v1/orders/", {"updated_since": high_water})
    assert [(row["id"], row["status"]) for row in again] == [(order.pk, "accepted")]


def test_accept_with_the_same_idempotency_key_acts_once(operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    url = f"/api/v1/orders/{order.pk}/accept/"
    first = operator_api.post(url, {"reason": "ERP"}, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    second = operator_api.post(url, {"reason": "ERP"}, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    other_body = operator_api.post(url, {"reason": "other"}, format="json", HTTP_IDEMPOTENCY_KEY="erp-42")
    assert first.status_code == second.status_code == 200
    assert second["Idempotent-Replayed"] == "true" and second.json() == first.json()
    assert other_body.status_code == 422
    assert OrderEvent.objects.filter(order=order, kind="accepted").count() == 1


def test_assign_and_tag_through_the_api(operator_api, operator, viewer_api):
    order = make_order()
    response = operator_api.post(f"/api/v1/orders/{order.pk}/assign/", {"assignee": operator.pk}, format="json")
    assert response.status_code == 200 and response.json()["assignee"] == operator.username
    response = operator_api.post(
        f"/api/v1/orders/{order.pk}/tag/", {"tag": "gift-wrap"}, format="json", HTTP_IDEMPOTENCY_KEY="t1"
    )
    assert response.json()["tags"] == ["gift-wrap"]
    bad = operator_api.post(f"/api/v1/orders/{order.pk}/assign/", {"assignee": 999999}, format="json")
    assert bad.status_code == 409 and bad.json()["error"]["code"] == "domain_error"
    assert viewer_api.post(f"/api/v1/orders/{order.pk}/tag/", {"tag": "x"}, format="json").status_code == 403
    order.refresh_from_db()
    assert order.tags == ["gift-wrap"] and order.assignee == operator


def test_the_schema_documents_sync_and_the_new_actions(admin_api):
    schema = admin_api.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "updated_since" in schema and "Incremental sync" in schema
    assert "/api/v1/orders/{id}/assign/" in schema and "/api/v1/orders/{id}/tag/" in schema
