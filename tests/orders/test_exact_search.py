"""An identifier pasted into the search: found by equality through its index, opened when it names one order."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from order_queue.filters import OrderFilter
from orders.models import Order
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, operator):
    client.force_login(operator)
    return client


def test_an_exact_marketplace_id_tracking_number_or_our_number_opens_the_order(operator_client):
    target = make_order(marketplace_order_id="FD-98231-A")
    Order.objects.filter(pk=target.pk).update(tracking_number="6A12345678901")
    make_order(marketplace_order_id="FD-98231-AB")
    detail = reverse("orders:detail", args=[target.pk])
    for typed in ("FD-98231-A", "fd-98231-a", "6A12345678901", target.number):
        response = operator_client.get(reverse("orders:list"), {"q": typed})
        assert response.status_code == 302, typed
        assert response["Location"] == detail
    # Typed live (HTMX): the browser is told where to go.
    response = operator_client.get(reverse("orders:list"), {"q": "FD-98231-A"}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == detail


def test_an_identifier_is_compared_with_equality_not_the_trigram_index(operator_client):
    target = make_order(marketplace_order_id="FD-98231-A")
    with CaptureQueriesContext(connection) as captured:
        assert list(OrderFilter({"q": "FD-98231-A"}, queryset=Order.objects.all()).qs.values_list("pk", flat=True)) == [
            target.pk
        ]
    sql = " ".join(query["sql"] for query in captured.captured_queries)
    assert '"orders_order"."marketplace_order_id" IN' in sql
    assert "search_document" not in sql


def test_the_same_id_on_two_accounts_lists_both_and_part_of_an_id_still_searches(operator_client):
    first = make_order(account=MarketplaceAccountFactory(), marketplace_order_id="778899-1")
    second = make_order(account=MarketplaceAccountFactory(), marketplace_order_id="778899-1")
    response = operator_client.get(reverse("orders:list"), {"q": "778899-1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("orders:detail", args=[first.pk]) in html and reverse("orders:detail", args=[second.pk]) in html
    # Not a whole identifier: the ordinary search, which finds it as part of a word.
    response = operator_client.get(reverse("orders:list"), {"q": "778899"})
    assert response.status_code == 200


def test_an_exact_identifier_keeps_the_other_filters(operator_client):
    target = make_order(marketplace_order_id="FD-55555-C")
    response = operator_client.get(reverse("orders:list"), {"q": "FD-55555-C", "status": "shipped"})
    assert response.status_code == 200
    assert target.status != "shipped"
    assert reverse("orders:detail", args=[target.pk]) not in response.content.decode()


def test_an_identifier_opens_only_an_order_the_user_may_see(client, operator):
    from oms.access.actions import set_account_scope

    mine, theirs = MarketplaceAccountFactory(), MarketplaceAccountFactory()
    visible = make_order(account=mine, marketplace_order_id="SHARED-77")
    make_order(account=theirs, marketplace_order_id="SHARED-77")
    hidden = make_order(account=theirs, marketplace_order_id="THEIRS-88")
    set_account_scope(user=operator, account_ids=[mine.pk])
    client.force_login(operator)
    # Two orders carry the id, one of them on the operator's account: that one opens.
    response = client.get(reverse("orders:list"), {"q": "SHARED-77"})
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:detail", args=[visible.pk])
    # The other account's order is neither opened nor listed.
    response = client.get(reverse("orders:list"), {"q": "THEIRS-88"})
    assert response.status_code == 200
    assert reverse("orders:detail", args=[hidden.pk]) not in response.content.decode()


def test_a_pasted_identifier_opens_its_order_in_one_query_after_the_session_and_permissions(operator_client):
    target = make_order(marketplace_order_id="FD-31415-P")
    operator_client.get(reverse("orders:list"))  # the session and permissions warm
    with CaptureQueriesContext(connection) as captured:
        response = operator_client.get(reverse("orders:list"), {"q": "FD-31415-P"})
    assert response["Location"] == reverse("orders:detail", args=[target.pk])
    # session, user, its permissions (2), its account scope, then the identifier: the queue is never built.
    assert len(captured) == 6, [query["sql"][:80] for query in captured.captured_queries]
