"""The queue's "Push failed" filter, badge and saved-view count: from the outbox's dead letters, in a fixed number of queries."""

import re
import uuid

import pytest
from django.urls import reverse

from oms.outbox import OutboxMessage
from order_queue import saved_views
from order_queue.filters import OrderFilter
from orders import actions, pushes
from orders.models import Order, SavedView
from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = pytest.mark.django_db
REFUSAL = "RejectedByMarketplace: [mirakl 400 400] Order X is not in state WAITING_ACCEPTANCE (current state: CANCELED)"


@pytest.fixture(autouse=True)
def fresh_counts(monkeypatch):
    monkeypatch.setattr(saved_views, "COUNT_KEY_PREFIX", f"test-view-count:{uuid.uuid4().hex}")


def accepted_with_failed_push(account, operator) -> Order:
    """An order accepted here whose acceptance the marketplace refused (a dead letter, as the drainer leaves it)."""
    order = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    OutboxMessage.objects.filter(subject=pushes.order_subject(order.pk)).update(
        status=OutboxMessage.Status.DEAD, attempts=1, last_error=REFUSAL
    )
    return order


def ids(**params) -> set[int]:
    return set(OrderFilter(params, queryset=Order.objects.all()).qs.values_list("pk", flat=True))


def test_filter_badge_and_count_come_from_dead_letters_only(client, operator):
    account = MarketplaceAccountFactory(platform="mirakl")
    failed = accepted_with_failed_push(account, operator)
    sent = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE)
    actions.accept_order(order_id=sent.pk, actor=actions.Actor.of_user(operator))
    OutboxMessage.objects.filter(subject=pushes.order_subject(sent.pk)).update(status=OutboxMessage.Status.SENT)
    waiting = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE)
    actions.accept_order(order_id=waiting.pk, actor=actions.Actor.of_user(operator))  # pending: not failed
    plain = make_order(account=account, status=OrderStatus.SHIPPED)

    assert ids(push_failed="true") == {failed.pk}
    assert ids(push_failed="false") == {sent.pk, waiting.pk, plain.pk}

    SavedView.objects.get_or_create(name="Push failed", shared=True, defaults={"query": "push_failed=true"})
    client.force_login(operator)
    html = client.get(reverse("orders:list")).content.decode()
    assert re.search(r'Push failed <span class="view-count">1</span>', html)
    rows = {row.split('"')[0]: row for row in html.split('data-order="')[1:]}
    assert 'class="badge push-failed"' in rows[str(failed.pk)]
    assert all('class="badge push-failed"' not in rows[str(order.pk)] for order in (sent, waiting, plain))

    # Settled by a person: out of the filter and the count at once (the order's updated_at moved).
    actions.discard_push(
        order_id=failed.pk,
        message_id=OutboxMessage.objects.get(subject=pushes.order_subject(failed.pk)).pk,
        actor=actions.Actor.of_user(operator),
    )
    assert ids(push_failed="true") == set()
    html = client.get(reverse("orders:list")).content.decode()
    assert re.search(r'Push failed <span class="view-count">0</span>', html)


def test_failed_push_queue_query_count_is_pinned_and_the_same_for_25_and_100_rows(
    client, operator, django_assert_num_queries
):
    account = MarketplaceAccountFactory(platform="mirakl")
    for _ in range(105):
        accepted_with_failed_push(account, operator)
    make_order(account=account, status=OrderStatus.SHIPPED)
    SavedView.objects.get_or_create(name="Push failed", shared=True, defaults={"query": "push_failed=true"})
    client.force_login(operator)
    # session, user, the user's and the groups' permissions, the user's account scope, page count, saved
    # views, latest change, every view's count (one query, then cached while no order changes), assignable
    # users, page (a named cursor: DECLARE, then the SELECT with the badge), its lines, its rule decisions,
    # the KPI alerts of the banner
    for rows, attempt, queries in ((25, "cold", 15), (25, "warm", 14), (100, "warm", 14)):
        with django_assert_num_queries(queries):
            response = client.get(reverse("orders:list"), {"per_page": rows, "push_failed": "true"})
        html = response.content.decode()
        assert html.count('name="order" value=') == rows and html.count('class="badge push-failed"') == rows, attempt
        with django_assert_num_queries(
            9
        ):  # HTMX: session, user, 2 × permissions, account scope, page count, page (2), lines, decisions
            client.get(reverse("orders:list"), {"per_page": rows, "push_failed": "true"}, HTTP_HX_REQUEST="true")


def test_api_list_with_the_filter_has_a_pinned_query_count(operator_api, operator, django_assert_num_queries):
    account = MarketplaceAccountFactory(platform="mirakl")
    failed = [accepted_with_failed_push(account, operator) for _ in range(30)]
    make_order(account=account, status=OrderStatus.SHIPPED)
    with django_assert_num_queries(
        7
    ):  # token and user, 2 × permissions, account scope, page (with the badge), lines, decisions
        body = operator_api.get("/api/v1/orders/", {"push_failed": "true", "page_size": 50}).json()
    assert {row["id"] for row in body["results"]} == {order.pk for order in failed}
    assert all(row["push_failed"] for row in body["results"])
