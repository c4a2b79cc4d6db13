"""Pick lists and packing slips through the API: a pick list recorded (Idempotency-Key: a retry
replays it, never a second list) and drawn as PDF, packing slips of one order or several in each
buyer's language, parsed back; roles and scopes; bad input is a clear error and records nothing."""

import pytest
import yaml

from inventory.models import Warehouse
from oms.access import actions as access_actions
from oms.access import resources
from orders.models import OrderEvent
from shipping.models import PickList
from tests.shipping.paperwork import order_of, pdf_pages, pdf_text, stock_in
from tests.shipping.test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def orders(account):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    stock_in(lyon, "KETTLE", 10, bin_location="A-10", ean="3760000000017")
    stock_in(lyon, "TEAPOT", 10, bin_location="A-2", ean="3760000000024")
    return order_of(account, ("KETTLE", 2), ("TEAPOT", 1)), order_of(account, ("KETTLE", 1))


def test_a_pick_list_is_recorded_once_and_drawn_as_pdf(operator_api, orders):
    first, second = orders
    body = {"orders": [first.pk, second.pk, first.pk]}

    created = operator_api.post("/api/v1/pick-lists/", body, format="json", HTTP_IDEMPOTENCY_KEY="pick-1")
    replayed = operator_api.post("/api/v1/pick-lists/", body, format="json", HTTP_IDEMPOTENCY_KEY="pick-1")

    assert created.status_code == 201, created.content
    record = PickList.objects.get()
    assert created.json()["code"] == record.code and created.json()["orders"] == [first.pk, second.pk]
    assert replayed.json() == created.json() and replayed["Idempotent-Replayed"] == "true"
    assert OrderEvent.objects.filter(kind="pick_list_printed").count() == 2
    pdf = operator_api.get(created.json()["pdf"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert f"Pick list {record.code}" in text and "2 order(s), 4 unit(s)" in text
    assert text.index("TEAPOT") < text.index("KETTLE")  # A-2 before A-10
    assert f"{first.number} ×2" in text and "3760000000017" in text
    assert operator_api.get(f"/api/v1/pick-lists/{record.pk}/").json()["pdf"] == created.json()["pdf"]


def test_bad_pick_list_input_is_a_clear_error_and_records_nothing(operator_api, orders):
    for body in ({"orders": []}, {"orders": ["x"]}, {"orders": [orders[0].pk, 999_999]}, {}):
        response = operator_api.post("/api/v1/pick-lists/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] in {"invalid", "invalid_input"}
    assert not PickList.objects.exists() and not OrderEvent.objects.filter(kind="pick_list_printed").exists()


def test_packing_slips_of_one_order_and_of_several(operator_api, viewer_api, orders):
    first, second = orders
    one = operator_api.get(f"/api/v1/packing-slips/{first.pk}/")
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert first.number in pdf_text(one.content) and "KETTLE" in pdf_text(one.content)

    several = viewer_api.get("/api/v1/packing-slips/", {"orders": f"{first.pk},{second.pk}"})
    assert several.status_code == 200
    assert len(pdf_pages(several.content)) >= 2
    text = pdf_text(several.content)
    assert first.number in text and second.number in text
    # The operator printed one slip; the viewer only read.
    assert OrderEvent.objects.filter(kind="packing_slip_printed").count() == 1

    for query in ({"orders": "a,b"}, {"orders": ""}, {}):
        response = viewer_api.get("/api/v1/packing-slips/", query)
        assert response.status_code == 400, query
    assert viewer_api.get("/api/v1/packing-slips/999999/").status_code == 404


def test_viewers_read_and_api_clients_need_the_paperwork_scopes(viewer_api, admin_user, orders):
    first, _second = orders
    assert viewer_api.post("/api/v1/pick-lists/", {"orders": [first.pk]}, format="json").status_code == 403
    _client, reader = access_actions.create_api_client(
        name="Reader", scopes=["pick_lists:read", "packing_slips:read"], created_by=admin_user
    )
    _client, writer = access_actions.create_api_client(
        name="Writer", scopes=["pick_lists:write"], created_by=admin_user
    )
    _client, shipments = access_actions.create_api_client(
        name="Shipments", scopes=["shipments:read"], created_by=admin_user
    )
    assert bearer(reader).get(f"/api/v1/packing-slips/{first.pk}/").status_code == 200
    assert bearer(reader).post("/api/v1/pick-lists/", {"orders": [first.pk]}, format="json").status_code == 403
    created = bearer(writer).post("/api/v1/pick-lists/", {"orders": [first.pk]}, format="json")
    assert created.status_code == 201
    assert bearer(reader).get(created.json()["pdf"]).status_code == 200
    assert bearer(shipments).get(f"/api/v1/packing-slips/{first.pk}/").status_code == 403
    assert bearer(shipments).get(created.json()["pdf"]).status_code == 403


def test_the_schema_documents_binary_responses_idempotency_and_scopes(viewer_api):
    schema = yaml.safe_load(viewer_api.get("/api/schema/").content)
    create = schema["paths"]["/api/v1/pick-lists/"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    for path in ("/api/v1/pick-lists/{id}/pdf/", "/api/v1/packing-slips/", "/api/v1/packing-slips/{id}/"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content["application/pdf"]["schema"] == {"type": "string", "format": "binary"}
    assert {"pick_lists:read", "pick_lists:write", "packing_slips:read"} <= set(resources.all_scopes())
