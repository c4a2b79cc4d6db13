"""The webhooks API as an admin's integration uses it."""

import pytest

from oms.outbox import OutboxMessage
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db
ERP = {"url": "https://erp.example.com/oms/events", "description": "ERP", "events": ["order.created", "stock.low"]}


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(admin_api):
    response = admin_api.post("/api/v1/webhooks/", ERP, format="json", HTTP_IDEMPOTENCY_KEY="add-erp")
    assert response.status_code == 201
    created = response.json()
    assert created["secret"].startswith("whsec_")
    assert Endpoint.objects.get(pk=created["id"]).secrets == [created["secret"]]
    assert "secret" not in admin_api.get(f"/api/v1/webhooks/{created['id']}/").json()
    assert "secrets_encrypted" not in admin_api.get("/api/v1/webhooks/").json()["results"][0]
    assert created["secret"] not in Endpoint.objects.get(pk=created["id"]).secrets_encrypted  # encrypted at rest

    again = admin_api.post("/api/v1/webhooks/", ERP, format="json", HTTP_IDEMPOTENCY_KEY="add-erp")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Endpoint.objects.count() == 1


def test_unknown_events_and_bad_urls_are_refused(admin_api):
    response = admin_api.post("/api/v1/webhooks/", {**ERP, "events": ["order.exploded"]}, format="json")
    assert response.status_code == 400
    assert "events" in response.json()["error"]["details"]
    assert admin_api.post("/api/v1/webhooks/", {**ERP, "url": "ftp://erp/"}, format="json").status_code == 400
    assert admin_api.post("/api/v1/webhooks/", {**ERP, "events": []}, format="json").status_code == 400
    assert admin_api.post("/api/v1/webhooks/", "not json", content_type="text/plain").status_code == 415


def test_patch_rotate_finish_test_replay_and_delete(admin_api):
    endpoint = admin_api.post("/api/v1/webhooks/", ERP, format="json").json()
    url = f"/api/v1/webhooks/{endpoint['id']}/"

    patched = admin_api.patch(url, {"active": False}, format="json").json()
    assert (patched["active"], patched["events"], patched["url"]) == (False, ["order.created", "stock.low"], ERP["url"])
    assert admin_api.patch(url, [], format="json").status_code == 400

    rotated = admin_api.post(url + "rotate-secret/").json()
    assert rotated["rotating"] is True and rotated["secret"] != endpoint["secret"]
    assert admin_api.post(url + "rotate-secret/").status_code == 409  # already rotating
    assert admin_api.post(url + "finish-rotation/").json()["rotating"] is False
    assert Endpoint.objects.get(pk=endpoint["id"]).secrets == [rotated["secret"]]

    test = admin_api.post(url + "test/")
    assert test.status_code == 202
    delivery = OutboxMessage.objects.get(pk=test.json()["delivery"])
    assert (delivery.destination, delivery.payload["event"]["type"]) == (f"webhook:{endpoint['id']}", "webhook.test")

    listed = admin_api.get(url + "deliveries/").json()["results"]
    assert [(d["id"], d["event_type"], d["status"]) for d in listed] == [(delivery.pk, "webhook.test", "pending")]

    assert admin_api.post(url + "replay/", {"delivery": delivery.pk}, format="json").json() == {"replayed": 1}
    assert admin_api.post(url + "replay/", {"since": "2026-01-01T00:00:00Z"}, format="json").json() == {"replayed": 1}
    assert admin_api.post(url + "replay/", {}, format="json").status_code == 400
    assert admin_api.post(url + "replay/", {"since": "2026-01-01T00:00:00-23:00"}, format="json").status_code == 400
    assert admin_api.post(url + "replay/", {"delivery": 999999}, format="json").status_code == 400
    replays = OutboxMessage.objects.filter(destination=f"webhook:{endpoint['id']}").exclude(pk=delivery.pk)
    assert {m.payload["event"]["id"] for m in replays} == {delivery.payload["event"]["id"]}

    assert admin_api.delete(url).status_code == 204
    assert not Endpoint.objects.exists()


def test_active_must_be_a_json_boolean(admin_api):
    response = admin_api.post("/api/v1/webhooks/", {**ERP, "active": 0}, format="json")
    assert response.status_code == 400
    assert "active" in response.json()["error"]["details"]
