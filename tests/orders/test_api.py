"""Orders API: list, detail, cursor pagination, filters, actions, one error body."""

import pytest

from orders.models import OrderEvent
from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order


@pytest.mark.django_db
def test_list_is_cursor_paginated_newest_first_without_gaps(viewer_api, account):
    orders = [make_order(account=account) for _ in range(7)]
    seen, url = [], "/api/v1/orders/?page_size=3"
    while url:
        body = viewer_api.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    assert seen == sorted((order.pk for order in orders), reverse=True)


@pytest.mark.django_db
def test_list_filters_by_status_and_platform(viewer_api):
    amazon = MarketplaceAccountFactory(platform="amazon")
    shipped = make_order(account=amazon, status=OrderStatus.SHIPPED)
    make_order(account=amazon, status=OrderStatus.ACCEPTED)
    make_order(status=OrderStatus.SHIPPED)  # mirakl

    body = viewer_api.get("/api/v1/orders/", {"status": "shipped", "platform": "amazon"}).json()

    assert [row["id"] for row in body["results"]] == [shipped.pk]


@pytest.mark.django_db
def test_detail_has_lines_address_money_and_timeline(viewer_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE, line_count=2)
    body = viewer_api.get(f"/api/v1/orders/{order.pk}/").json()
    assert body["number"] == order.number
    assert body["total_amount"] == str(order.total_amount) and body["currency"] == "EUR"
    assert len(body["lines"]) == 2
    assert body["shipping_address"]["country_code"] == "FR"
    assert [event["kind"] for event in body["events"]] == ["received"]
    assert body["acceptance_deadline"].endswith("Z") or "+" in body["acceptance_deadline"]


@pytest.mark.django_db
def test_operator_accepts_through_the_api(operator_api, operator):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/accept/", {"reason": "Stock OK"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == OrderStatus.ACCEPTED
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.actor_user == operator and event.params == {"reason": "Stock OK"}


@pytest.mark.django_db
def test_an_illegal_transition_answers_409_with_the_error_body_and_changes_nothing(operator_api):
    order = make_order(status=OrderStatus.SHIPPED)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition" and "Shipped" in error["message"]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


@pytest.mark.django_db
def test_invalid_input_answers_400_with_field_details(operator_api):
    order = make_order(status=OrderStatus.ACCEPTED)
    response = operator_api.post(f"/api/v1/orders/{order.pk}/ship/", {"carrier": "ups"}, format="json")
    assert response.status_code == 400
    assert "tracking_number" in response.json()["error"]["details"]
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED


@pytest.mark.django_db
def test_a_viewer_reads_but_cannot_act(viewer_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    assert viewer_api.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    response = viewer_api.post(f"/api/v1/orders/{order.pk}/accept/", {}, format="json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "permission_denied"


@pytest.mark.django_db
def test_unknown_order_is_404_with_the_error_body(viewer_api):
    response = viewer_api.get("/api/v1/orders/999999/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
