"""Webhooks are admin pages and admin endpoints: operators, viewers and outsiders get 403."""

import pytest
from django.test import Client

from tests.webhooks.conftest import add_endpoint

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", ["operator", "viewer", "outsider"])
def test_only_admins_see_or_change_webhooks(persona, request, admin_user):
    user = request.getfixturevalue(persona)
    endpoint, _ = add_endpoint(url="https://erp.example.com/hooks")
    browser = _browser(user)
    assert browser.get("/webhooks/").status_code == 403
    assert browser.get(f"/webhooks/{endpoint.pk}/").status_code == 403
    assert browser.post(f"/webhooks/{endpoint.pk}/test/").status_code == 403
    assert browser.post(f"/webhooks/{endpoint.pk}/delete/").status_code == 403
    assert b"/webhooks/" not in browser.get("/orders/").content
    assert _browser(admin_user).get("/webhooks/").status_code == 200


@pytest.mark.parametrize("persona", ["operator_api", "viewer_api"])
def test_only_admins_use_the_webhooks_api(persona, request):
    api = request.getfixturevalue(persona)
    endpoint, _ = add_endpoint(url="https://erp.example.com/hooks")
    assert api.get("/api/v1/webhooks/").status_code == 403
    assert api.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    response = api.post(
        "/api/v1/webhooks/", {"url": "https://x.example.com/", "events": ["order.created"]}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"]
    assert api.post(f"/api/v1/webhooks/{endpoint.pk}/rotate-secret/").status_code == 403
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
