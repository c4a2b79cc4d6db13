"""`Idempotency-Key`: same key + same body → same response and one effect; another body → 422."""

import threading

import pytest
from django.db import close_old_connections, connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oms import roles
from oms.models import IdempotencyRecord
from orders.models import OrderEvent
from orders.status import OrderStatus
from tests.factories import UserFactory, make_order


def accept(client, order, key, body=None):
    return client.post(
        f"/api/v1/orders/{order.pk}/accept/", body or {"reason": "ok"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.django_db
def test_replay_returns_the_first_response_and_has_no_second_effect(operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)

    first = accept(operator_api, order, "key-1")
    second = accept(operator_api, order, "key-1")

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.ACCEPTED).count() == 1


@pytest.mark.django_db
def test_a_refusal_is_replayed_too(operator_api):
    order = make_order(status=OrderStatus.SHIPPED)
    first, second = accept(operator_api, order, "k"), accept(operator_api, order, "k")
    assert first.status_code == second.status_code == 409
    assert first.json() == second.json()


@pytest.mark.django_db
def test_same_key_with_another_body_is_422_and_changes_nothing(operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    other = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    accept(operator_api, order, "key-2")

    response = accept(operator_api, other, "key-2")

    assert response.status_code == 422
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    other.refresh_from_db()
    assert other.status == OrderStatus.PENDING_ACCEPTANCE


@pytest.mark.django_db
def test_keys_belong_to_their_user(operator_api):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    accept(operator_api, order, "shared-key")
    someone_else = APIClient()
    someone_else.credentials(
        HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=UserFactory(role=roles.OPERATOR)).key}"
    )
    response = accept(someone_else, order, "shared-key")
    assert response.status_code == 409  # a fresh request for this user: already accepted
    assert "Idempotent-Replayed" not in response


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_have_one_effect():
    operator = UserFactory(role=roles.OPERATOR)
    token = Token.objects.create(user=operator).key
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    results = []
    barrier = threading.Barrier(6)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        barrier.wait()
        try:
            results.append(accept(client, order, "race-key"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert [response.status_code for response in results] == [200] * 6
    bodies = [response.json() for response in results]
    assert all(body == bodies[0] for body in bodies), [
        set(map(str, b.items())) ^ set(map(str, bodies[0].items())) for b in bodies
    ]
    assert OrderEvent.objects.filter(order=order, to_status=OrderStatus.ACCEPTED).count() == 1
    assert IdempotencyRecord.objects.count() == 1
