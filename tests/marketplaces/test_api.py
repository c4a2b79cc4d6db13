"""Read-only API on the marketplace accounts' health and the outbox, for integrators and monitoring."""

import pytest
from rest_framework.test import APIClient

from marketplaces.models import MarketplaceAccount
from oms import outbox
from oms.access import actions
from oms.outbox import OutboxMessage
from orders import pushes
from tests.factories import MarketplaceAccountFactory

pytestmark = pytest.mark.django_db

SECRET = "sk-live-4b1d"


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def message(account, *, kind: str, status: str, error: str = "") -> OutboxMessage:
    queued = outbox.enqueue(
        kind=kind, destination=pushes.marketplace_destination(account.pk), payload={}, subject="order:1"
    )
    OutboxMessage.objects.filter(pk=queued.pk).update(status=status, last_error=error)
    return queued


@pytest.fixture
def accounts():
    fnac = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    fnac.credentials = {"api_key": SECRET}
    fnac.save()
    MarketplaceAccount.objects.filter(pk=fnac.pk).update(last_poll_error="HTTP 503 from OR11", consecutive_failures=3)
    ebay = MarketplaceAccountFactory(platform="ebay", name="eBay FR")
    message(fnac, kind=pushes.SHIP, status=OutboxMessage.Status.DEAD, error="Carrier unknown to Mirakl")
    message(fnac, kind="marketplace.stock", status=OutboxMessage.Status.DEAD)
    message(fnac, kind=pushes.ACCEPT, status=OutboxMessage.Status.PENDING)
    message(ebay, kind=pushes.ACCEPT, status=OutboxMessage.Status.SENT)
    return fnac, ebay


def test_accounts_show_their_poll_and_outbox_health_never_their_credentials(operator_api, accounts):
    fnac, ebay = accounts
    response = operator_api.get("/api/v1/accounts/")
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.json()}
    assert rows["Fnac-Darty"]["last_poll_error"] == "HTTP 503 from OR11"
    assert rows["Fnac-Darty"]["consecutive_failures"] == 3
    assert (rows["Fnac-Darty"]["pushes_failed"], rows["Fnac-Darty"]["other_failed"]) == (1, 1)
    assert rows["Fnac-Darty"]["outbox_waiting"] == 1
    assert (rows["eBay FR"]["outbox_waiting"], rows["eBay FR"]["pushes_failed"]) == (0, 0)
    assert SECRET not in response.content.decode() and "credentials" not in response.content.decode()
    assert operator_api.get(f"/api/v1/accounts/{ebay.pk}/").json()["platform"] == "ebay"


def test_a_client_sees_only_its_accounts_and_needs_the_scope(admin_user, accounts):
    fnac, ebay = accounts
    _, token = actions.create_api_client(
        name="Fnac module", scopes=["accounts:read"], account_ids=[fnac.pk], created_by=admin_user
    )
    scoped = bearer(token)
    assert [row["name"] for row in scoped.get("/api/v1/accounts/").json()] == ["Fnac-Darty"]
    assert scoped.get(f"/api/v1/accounts/{ebay.pk}/").status_code == 404
    assert scoped.get("/api/v1/outbox/").status_code == 403

    _, token = actions.create_api_client(name="Orders only", scopes=["orders:read"], created_by=admin_user)
    assert bearer(token).get("/api/v1/accounts/").status_code == 403


def test_admins_read_the_outbox_by_status_and_kind(admin_api, operator_api, accounts):
    fnac, _ = accounts
    dead = admin_api.get("/api/v1/outbox/?status=dead").json()["results"]
    assert {(row["kind"], row["last_error"]) for row in dead} == {
        (pushes.SHIP, "Carrier unknown to Mirakl"),
        ("marketplace.stock", ""),
    }
    ships = admin_api.get(f"/api/v1/outbox/?kind={pushes.SHIP}").json()["results"]
    assert [row["destination"] for row in ships] == [pushes.marketplace_destination(fnac.pk)]
    assert operator_api.get("/api/v1/outbox/").status_code == 403


@pytest.mark.parametrize("query", ["status=lost", "kind=marketplace.teleport", "status="])
def test_a_bad_outbox_filter_is_a_400_with_the_error_body(admin_api, query):
    response = admin_api.get(f"/api/v1/outbox/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
