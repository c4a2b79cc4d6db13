"""API clients: bearer tokens hashed at rest, scopes per resource, account scope, revocation, last use."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from oms.access import actions
from oms.access.models import ApiClient
from oms.errors import DomainError
from orders.models import Order, OrderEvent
from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order


def bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def erp(db, admin_user):
    client, token = actions.create_api_client(name="ERP", scopes=["orders:read", "orders:write"], created_by=admin_user)
    return client, token


@pytest.mark.django_db
def test_the_database_keeps_only_the_tokens_hash(erp):
    client, token = erp
    row = ApiClient.objects.filter(pk=client.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert all(token not in str(value) for value in row.values())
    assert token.startswith(row["token_prefix"]) and len(token) > len(row["token_prefix"]) + 30


@pytest.mark.django_db
def test_a_client_reads_and_acts_as_itself(erp):
    client, token = erp
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    api = bearer(token)
    assert [row["id"] for row in api.get("/api/v1/orders/").json()["results"]] == [order.pk]
    response = api.post(f"/api/v1/orders/{order.pk}/accept/", {"reason": "ERP"}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 200, response.content
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ACCEPTED
    assert OrderEvent.objects.filter(order=order, actor_user=client.user).exists()


@pytest.mark.django_db
def test_a_read_only_client_cannot_post(admin_user):
    _, token = actions.create_api_client(name="Reporting", scopes=["orders:read"], created_by=admin_user)
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    api = bearer(token)
    assert api.get(f"/api/v1/orders/{order.pk}/").status_code == 200
    response = api.post(f"/api/v1/orders/{order.pk}/accept/", {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_a_client_without_a_resource_scope_is_refused_it(erp):
    _, token = erp
    api = bearer(token)
    assert api.get("/api/v1/stock/").status_code == 403
    assert api.get("/api/v1/rule-decisions/").status_code == 403
    assert api.post("/api/v1/stock/adjust/", {"reason": "x", "items": []}, HTTP_IDEMPOTENCY_KEY="k").status_code == 403


@pytest.mark.django_db
def test_a_client_scoped_to_one_account_sees_only_its_orders(admin_user):
    mine, other = MarketplaceAccountFactory(name="Fnac"), MarketplaceAccountFactory(name="Darty")
    visible = make_order(account=mine, status=OrderStatus.PENDING_ACCEPTANCE)
    hidden = make_order(account=other, status=OrderStatus.PENDING_ACCEPTANCE)
    _, token = actions.create_api_client(
        name="Fnac module", scopes=["orders:read", "orders:write"], account_ids=[mine.pk], created_by=admin_user
    )
    api = bearer(token)
    assert [row["id"] for row in api.get("/api/v1/orders/").json()["results"]] == [visible.pk]
    assert api.get(f"/api/v1/orders/{hidden.pk}/").status_code == 404
    response = api.post(f"/api/v1/orders/{hidden.pk}/accept/", {}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Order.objects.get(pk=hidden.pk).status == OrderStatus.PENDING_ACCEPTANCE
    assert api.get(f"/api/v1/orders/?account={other.pk}").status_code == 400


@pytest.mark.django_db
def test_revocation_applies_to_the_next_request(erp):
    client, token = erp
    api = bearer(token)
    assert api.get("/api/v1/orders/").status_code == 200
    actions.revoke_api_client(client_id=client.pk)
    response = api.get("/api/v1/orders/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


@pytest.mark.django_db
def test_an_unknown_bearer_token_is_refused_and_user_tokens_still_work(operator_api):
    response = bearer("oms_nope").get("/api/v1/orders/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"]
    assert operator_api.get("/api/v1/orders/").status_code == 200


@pytest.mark.django_db
def test_last_use_is_written_at_most_once_a_minute(erp):
    client, token = erp
    api = bearer(token)
    api.get("/api/v1/orders/")
    first = ApiClient.objects.get(pk=client.pk).last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=30)
    api.get("/api/v1/orders/")
    assert ApiClient.objects.get(pk=client.pk).last_used_at == first
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=first - dt.timedelta(minutes=2))
    api.get("/api/v1/orders/")
    assert ApiClient.objects.get(pk=client.pk).last_used_at > first


@pytest.mark.django_db
def test_unknown_scopes_are_refused(admin_user):
    with pytest.raises(DomainError):
        actions.create_api_client(name="X", scopes=["orders:delete"], created_by=admin_user)
    assert not ApiClient.objects.exists()


@pytest.mark.django_db
def test_the_command_prints_a_working_token_once(admin_user):
    account = MarketplaceAccountFactory()
    out = io.StringIO()
    call_command(
        "create_api_client",
        "PrestaShop",
        "--scope",
        "orders:read",
        "--account",
        str(account.pk),
        "--created-by",
        admin_user.username,
        stdout=out,
        stderr=io.StringIO(),
    )
    token = out.getvalue().strip()
    client = ApiClient.objects.get(name="PrestaShop")
    assert client.scopes == ["orders:read"] and client.created_by == admin_user
    assert bearer(token).get("/api/v1/orders/").status_code == 200


@pytest.mark.django_db
def test_admins_create_and_revoke_clients_in_the_ui(client, admin_user):
    account = MarketplaceAccountFactory(name="Boulanger")
    client.force_login(admin_user)
    page = client.get(reverse("clients:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Nouveau client API" in page and "Lecture et écriture" in page and "Aucun client API pour l’instant." in page
    response = client.post(
        reverse("clients:list"),
        {
            "name": "Magento",
            "scope_orders": "write",
            "scope_stock": "read",
            "scope_rules": "",
            "accounts": [account.pk],
        },
    )
    assert response.status_code == 200
    created = ApiClient.objects.get(name="Magento")
    assert sorted(created.scopes) == ["orders:read", "orders:write", "stock:read"]
    token = response.context["token"]
    assert token in response.content.decode() and "shown only once" in response.content.decode()
    listing = client.get(reverse("clients:list")).content.decode()
    assert created.token_prefix in listing and token not in listing and "Boulanger" in listing
    assert bearer(token).get("/api/v1/stock/").status_code == 200
    client.post(reverse("clients:revoke", args=[created.pk]))
    assert ApiClient.objects.get(pk=created.pk).revoked_at is not None
    assert bearer(token).get("/api/v1/stock/").status_code == 401


@pytest.mark.django_db
def test_only_admins_manage_clients(client, operator):
    client.force_login(operator)
    assert client.get(reverse("clients:list")).status_code == 403
    assert client.post(reverse("clients:list"), {"name": "Sneaky", "scope_orders": "write"}).status_code == 403
    assert not ApiClient.objects.exists()
