"""/api/v1/returns/ and /api/v1/orders/{id}/refund/: roles, scopes, Idempotency-Key, clear errors."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from inventory.models import StockLevel
from oms.access import actions as access_actions
from returns.models import Refund, ReturnRequest
from tests.inventory.conftest import put_stock
from tests.returns.conftest import shipped_order


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.django_db
def test_a_return_through_the_api(operator_api, viewer_api, lyon):
    put_stock("KETTLE", 2, lyon)
    order = shipped_order()
    kettle = order.lines.order_by("pk").first()
    body = {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": 2, "reason": "damaged"}]}

    assert viewer_api.post("/api/v1/returns/", body, format="json").status_code == 403
    created = operator_api.post("/api/v1/returns/", body, format="json", HTTP_IDEMPOTENCY_KEY="ret-1")
    assert created.status_code == 201, created.content
    again = operator_api.post("/api/v1/returns/", body, format="json", HTTP_IDEMPOTENCY_KEY="ret-1")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    assert ReturnRequest.objects.count() == 1
    found = created.json()
    assert found["status"] == "requested" and found["lines"][0]["sku"] == "KETTLE" and found["warehouse"] == "lyon"
    url = f"/api/v1/returns/{found['id']}/"

    refused = operator_api.post(url + "receive/", {"scanned": ["KETTLE"]}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "illegal_transition"
    assert operator_api.post(url + "authorise/", format="json").json()["status"] == "authorised"
    bad_code = operator_api.post(url + "receive/", {"scanned": ["NOPE"]}, format="json")
    assert bad_code.status_code == 400 and "NOPE" in bad_code.json()["error"]["message"]
    received = operator_api.post(url + "receive/", {"scanned": ["KETTLE", "KETTLE"]}, format="json").json()
    line = received["lines"][0]["id"]
    on_hand = StockLevel.objects.get(product__sku="KETTLE").on_hand
    wrong = operator_api.post(url + "inspect/", {"units": [{"line": line, "grade": "sellable"}]}, format="json")
    assert wrong.status_code == 400
    units = [{"line": line, "grade": "sellable"}, {"line": line, "grade": "damaged", "note": "fêlé"}]
    inspected = operator_api.post(url + "inspect/", {"units": units}, format="json").json()
    assert inspected["status"] == "inspected" and len(inspected["lines"][0]["units"]) == 2
    assert StockLevel.objects.get(product__sku="KETTLE").on_hand == on_hand + 1

    listed = viewer_api.get("/api/v1/returns/", {"status": "inspected"}).json()
    assert [item["id"] for item in listed["results"]] == [found["id"]]
    assert viewer_api.get("/api/v1/returns/", {"status": "open", "platform": "ebay"}).json()["results"] == []
    assert viewer_api.get("/api/v1/returns/", {"status": "nope"}).status_code == 400  # strict filters


@pytest.mark.django_db
def test_bad_input_is_refused_and_changes_nothing(operator_api):
    order = shipped_order()
    kettle = order.lines.order_by("pk").first()
    for body in (
        {"order": order.pk, "lines": []},
        {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": 0}]},
        {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": "2"}]},
        {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": 1, "reason": "bored"}]},
        {"order": "x"},
    ):
        assert operator_api.post("/api/v1/returns/", body, format="json").status_code == 400, body
    too_many = {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": 3}]}
    assert operator_api.post("/api/v1/returns/", too_many, format="json").status_code == 400
    missing = {"order": 10**9, "lines": [{"order_line": kettle.pk, "quantity": 1}]}
    assert operator_api.post("/api/v1/returns/", missing, format="json").status_code == 404
    assert ReturnRequest.objects.count() == 0


@pytest.mark.django_db
def test_api_clients_need_the_returns_scopes(admin_user):
    order = shipped_order()
    kettle = order.lines.order_by("pk").first()
    _, reader = access_actions.create_api_client(name="Reader", scopes=["returns:read"], created_by=admin_user)
    _, writer = access_actions.create_api_client(
        name="Writer", scopes=["returns:read", "returns:write"], created_by=admin_user
    )
    _, other = access_actions.create_api_client(name="Orders", scopes=["orders:read"], created_by=admin_user)
    body = {"order": order.pk, "lines": [{"order_line": kettle.pk, "quantity": 1}]}
    assert bearer(other).get("/api/v1/returns/").status_code == 403
    assert bearer(reader).get("/api/v1/returns/").status_code == 200
    assert bearer(reader).post("/api/v1/returns/", body, format="json").status_code == 403
    assert bearer(writer).post("/api/v1/returns/", body, format="json").status_code == 201


@pytest.mark.django_db
def test_refund_per_line_through_the_orders_api(operator_api):
    order = shipped_order()
    kettle, toaster = order.lines.order_by("pk")
    url = f"/api/v1/orders/{order.pk}/refund/"
    body = {
        "reason": "Returned",
        "lines": [
            {"line_id": kettle.marketplace_line_id, "quantity": 1, "amount": "20.00", "shipping_amount": "4.90"},
            {"line_id": toaster.marketplace_line_id, "amount": "2.00"},
        ],
    }
    first = operator_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-1")
    assert first.status_code == 200, first.content
    assert first.json()["refunded_amount"] == "26.90"
    assert operator_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="refund-1").status_code == 200
    assert Refund.objects.count() == 1
    over = {"reason": "x", "lines": [{"line_id": kettle.marketplace_line_id, "amount": "20.01"}]}
    response = operator_api.post(url, over, format="json")
    assert response.status_code == 400 and response.json()["error"]["details"]["items_left"] == "20.00"
    unknown = operator_api.post(url, {"reason": "x", "lines": [{"line_id": "nope", "amount": "1"}]}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["details"] == {"lines": ["nope"]}
    assert Refund.objects.count() == 1
    assert Refund.objects.get().total_amount == Decimal("26.90")
