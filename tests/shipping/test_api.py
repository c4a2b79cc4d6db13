"""/api/v1/shipments/ and /api/v1/carriers/: create with lines and parcels (labels over real HTTP from the
carrier sandbox), list with filters, label download, void, hand over; Idempotency-Key; roles and scopes."""

import io

import pytest
import yaml
from pypdf import PdfReader

from oms import outbox
from oms.access import actions as access_actions
from oms.access import resources
from orders.models import Order
from shipping.models import Shipment
from tests.oms.test_api_clients import bearer
from tests.shipping.conftest import service_of


@pytest.fixture
def new_shipment(shippable_order, warehouse, carrier_account, carrier_sandbox):
    account = carrier_account("colissimo")
    kettle = shippable_order.lines.get(sku="KETTLE")
    return {
        "order": shippable_order.pk,
        "warehouse": warehouse.pk,
        "service": service_of("colissimo").pk,
        "carrier_account": account.pk,
        "lines": [{"order_line": kettle.pk, "quantity": 2}],
        "parcels": [{"weight_grams": 900, "length_mm": 300, "width_mm": 200, "height_mm": 100}],
    }


def test_create_label_download_hand_over_and_list(operator_api, new_shipment, shippable_order):
    first = operator_api.post("/api/v1/shipments/", new_shipment, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = operator_api.post("/api/v1/shipments/", new_shipment, format="json", HTTP_IDEMPOTENCY_KEY="k1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Shipment.objects.filter(order=shippable_order).count() == 1
    body = first.json()
    assert (body["status"], body["carrier"], body["origin"]) == ("label_requested", "colissimo", "label")
    assert body["lines"] == [
        {
            "order_line": new_shipment["lines"][0]["order_line"],
            "marketplace_line_id": shippable_order.lines.get(sku="KETTLE").marketplace_line_id,
            "sku": "KETTLE",
            "quantity": 2,
        }
    ]

    assert outbox.drain() == {"sent": 1}
    shipment = operator_api.get(f"/api/v1/shipments/{body['id']}/").json()
    [parcel] = shipment["parcels"]
    assert shipment["status"] == "labelled" and parcel["has_label"] and parcel["tracking_number"].startswith("6A")
    label = operator_api.get(f"/api/v1/shipments/{body['id']}/parcels/{parcel['id']}/label/")
    assert label.status_code == 200 and label["Content-Type"] == "application/pdf"
    assert parcel["tracking_number"] in PdfReader(io.BytesIO(label.content)).pages[0].extract_text().replace(" ", "")

    handed = operator_api.post(f"/api/v1/shipments/{body['id']}/hand-over/", format="json")
    assert handed.status_code == 200 and handed.json()["status"] == "handed_over"
    assert Order.objects.get(pk=shippable_order.pk).status == "partially_shipped"  # the teapot is left

    listed = operator_api.get("/api/v1/shipments/", {"order": shippable_order.pk, "status": "handed_over"}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    assert operator_api.get("/api/v1/shipments/", {"tracking_number": parcel["tracking_number"]}).json()["results"]
    assert operator_api.get("/api/v1/shipments/", {"status": "voided"}).json()["results"] == []

    voided = operator_api.post(f"/api/v1/shipments/{body['id']}/void/", format="json")
    assert voided.status_code == 409 and voided.json()["error"]["code"] == "illegal_transition"


def test_bad_input_is_a_clear_error_and_creates_nothing(operator_api, new_shipment, shippable_order):
    too_many = {**new_shipment, "lines": [{"order_line": new_shipment["lines"][0]["order_line"], "quantity": 3}]}
    response = operator_api.post("/api/v1/shipments/", too_many, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "KETTLE: 2 unit(s) left to ship, 3 asked."

    no_service = {**new_shipment, "service": 999_999}
    response = operator_api.post("/api/v1/shipments/", no_service, format="json")
    assert response.status_code == 400 and response.json()["error"]["details"] == {"service": 999_999}

    no_parcel = {**new_shipment, "parcels": []}
    assert operator_api.post("/api/v1/shipments/", no_parcel, format="json").status_code == 400
    assert not Shipment.objects.filter(order=shippable_order).exists()
    assert outbox.drain() == {}


def test_a_draft_is_voided_and_its_units_ship_again(operator_api, new_shipment):
    created = operator_api.post("/api/v1/shipments/", {**new_shipment, "request_label": False}, format="json").json()
    assert created["status"] == "draft"
    voided = operator_api.post(f"/api/v1/shipments/{created['id']}/void/", format="json")
    assert voided.status_code == 200 and voided.json()["status"] == "voided"
    assert operator_api.post("/api/v1/shipments/", new_shipment, format="json").status_code == 201
    missing = operator_api.get(f"/api/v1/shipments/{created['id']}/parcels/{voided.json()['parcels'][0]['id']}/label/")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_viewers_read_and_api_clients_need_the_shipments_scope(viewer_api, admin_user, new_shipment):
    assert viewer_api.get("/api/v1/shipments/").status_code == 200
    assert viewer_api.post("/api/v1/shipments/", new_shipment, format="json").status_code == 403
    _client, read_token = access_actions.create_api_client(
        name="Reader", scopes=["shipments:read"], created_by=admin_user
    )
    _client, orders_token = access_actions.create_api_client(
        name="Orders", scopes=["orders:read"], created_by=admin_user
    )
    assert bearer(read_token).get("/api/v1/shipments/").status_code == 200
    assert bearer(read_token).get("/api/v1/carriers/").status_code == 200
    assert bearer(read_token).post("/api/v1/shipments/", new_shipment, format="json").status_code == 403
    assert bearer(orders_token).get("/api/v1/shipments/").status_code == 403


@pytest.mark.django_db
def test_carriers_list_their_pattern_services_and_marketplace_codes(viewer_api):
    carriers = {carrier["code"]: carrier for carrier in viewer_api.get("/api/v1/carriers/").json()}
    colissimo = carriers["colissimo"]
    assert colissimo["tracking_pattern"].startswith("^")
    assert {service["product_code"] for service in colissimo["services"]} == {"DOM", "DOS", "A2P"}
    assert colissimo["marketplace_codes"]["ebay"] == "Colissimo"


@pytest.mark.django_db
def test_the_schema_documents_examples_idempotency_and_the_scopes(viewer_api):
    schema = yaml.safe_load(viewer_api.get("/api/schema/").content)
    create = schema["paths"]["/api/v1/shipments/"]["post"]
    assert "Idempotency-Key" in [parameter["name"] for parameter in create["parameters"]]
    assert create["requestBody"]["content"]["application/json"]["examples"]
    for path in ("/api/v1/shipments/{id}/void/", "/api/v1/shipments/{id}/hand-over/"):
        assert "Idempotency-Key" in [parameter["name"] for parameter in schema["paths"][path]["post"]["parameters"]]
    label = schema["paths"]["/api/v1/shipments/{id}/parcels/{parcel_id}/label/"]["get"]
    assert set(label["responses"]["200"]["content"]) == {"application/pdf", "application/zpl"}
    assert {"shipments:read", "shipments:write"} <= set(resources.all_scopes())
