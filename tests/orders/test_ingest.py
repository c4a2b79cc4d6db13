"""`ingest_order` is an idempotent upsert that moves orders only forward, even under concurrency."""

import dataclasses
import datetime as dt
import threading

import pytest
from django.db import DatabaseError, close_old_connections, connection

from oms.errors import DomainError
from orders import events
from orders.actions import IngestOutcome, ingest_order, ingest_orders
from orders.canonical import CanonicalStatus
from orders.models import Order, OrderEvent, OrderLine
from tests.factories import MarketplaceAccountFactory, OrderDataFactory, OrderLineDataFactory


def later(data, minutes=10, **changes):
    return dataclasses.replace(
        data, marketplace_updated_at=data.marketplace_updated_at + dt.timedelta(minutes=minutes), **changes
    )


@pytest.mark.django_db
def test_same_data_twice_gives_one_order_and_one_set_of_events(account):
    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE, line_count=2)

    first = ingest_order(account=account, data=data)
    second = ingest_order(account=account, data=data)

    assert (first.outcome, second.outcome) == (IngestOutcome.CREATED, IngestOutcome.UNCHANGED)
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 2
    assert list(OrderEvent.objects.values_list("kind", flat=True)) == [events.RECEIVED]
    order = first.order
    assert order.raw_payload == data.raw
    assert order.total_amount == data.total_amount and order.currency == "EUR"
    assert order.purchased_at == data.purchased_at and order.purchased_at.tzinfo is not None


@pytest.mark.django_db
def test_a_later_status_moves_the_order_with_the_marketplace_as_actor(account):
    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE)
    ingest_order(account=account, data=data)

    result = ingest_order(
        account=account, data=later(data, status=CanonicalStatus.CANCELLED, marketplace_status="CANCELED")
    )

    order = result.order
    order.refresh_from_db()
    assert order.status == CanonicalStatus.CANCELLED and order.marketplace_status == "CANCELED"
    change = order.events.get(kind=events.STATUS_CHANGED)
    assert (change.actor_type, change.actor_label) == ("marketplace", "mirakl")
    assert (change.from_status, change.to_status) == (CanonicalStatus.PENDING_ACCEPTANCE, CanonicalStatus.CANCELLED)


@pytest.mark.django_db
def test_a_missed_intermediate_status_still_moves_forward(account):
    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE)
    ingest_order(account=account, data=data)
    result = ingest_order(
        account=account, data=later(data, status=CanonicalStatus.SHIPPED, marketplace_status="SHIPPED")
    )
    result.order.refresh_from_db()
    assert result.order.status == CanonicalStatus.SHIPPED


@pytest.mark.django_db
def test_the_marketplace_never_moves_an_order_backwards(account, operator):
    from orders.actions import Actor, accept_order

    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE)
    order = ingest_order(account=account, data=data).order
    accept_order(order_id=order.pk, actor=Actor.of_user(operator))

    # The marketplace has not heard our acceptance yet and reports the old state with a new timestamp.
    ingest_order(account=account, data=later(data, buyer_name="Renée Lefèvre"))

    order.refresh_from_db()
    assert order.status == CanonicalStatus.ACCEPTED
    assert order.buyer_name == "Renée Lefèvre"
    assert order.events.filter(kind=events.STATUS_IGNORED).count() == 1


@pytest.mark.django_db
def test_an_older_update_than_the_one_held_is_ignored(account):
    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.ACCEPTED)
    newer = later(data, minutes=30, status=CanonicalStatus.SHIPPED, marketplace_status="SHIPPED")
    ingest_order(account=account, data=newer)

    result = ingest_order(account=account, data=later(data, minutes=5))

    assert result.outcome == IngestOutcome.STALE
    result.order.refresh_from_db()
    assert result.order.status == CanonicalStatus.SHIPPED


@pytest.mark.django_db
def test_lines_are_upserted_by_their_marketplace_line_id(account):
    data = OrderDataFactory(platform="mirakl", line_count=1)
    order = ingest_order(account=account, data=data).order
    changed_line = dataclasses.replace(
        data.lines[0], quantity_shipped=data.lines[0].quantity, marketplace_status="SHIPPED"
    )
    extra = OrderLineDataFactory(marketplace_line_id=f"{data.marketplace_order_id}-2")
    ingest_order(account=account, data=later(data, lines=(changed_line, extra)))

    lines = list(order.lines.order_by("marketplace_line_id"))
    assert [line.marketplace_line_id for line in lines] == [
        data.lines[0].marketplace_line_id,
        extra.marketplace_line_id,
    ]
    assert lines[0].marketplace_status == "SHIPPED" and lines[0].quantity_shipped == lines[0].quantity


@pytest.mark.django_db
def test_the_same_order_id_on_two_accounts_is_two_orders():
    data = OrderDataFactory(platform="mirakl")
    ingest_order(account=MarketplaceAccountFactory(), data=data)
    ingest_order(account=MarketplaceAccountFactory(), data=data)
    assert Order.objects.filter(marketplace_order_id=data.marketplace_order_id).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "bad",
    [
        {"lines": ()},
        {"currency": "euro"},
    ],
)
def test_data_that_cannot_be_stored_is_refused_and_nothing_is_written(account, bad):
    data = OrderDataFactory(platform="mirakl", **bad)
    with pytest.raises(DomainError):
        ingest_order(account=account, data=data)
    assert Order.objects.count() == 0 and OrderEvent.objects.count() == 0


@pytest.mark.django_db
def test_a_negative_quantity_is_refused(account):
    line = OrderLineDataFactory(quantity=-1)
    with pytest.raises(DomainError, match="quantity"):
        ingest_order(account=account, data=OrderDataFactory(platform="mirakl", lines=(line,)))
    assert Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_ingest_of_the_same_order_from_many_connections_gives_one_order():
    account = MarketplaceAccountFactory()
    data = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE, line_count=3)
    workers = 8
    barrier = threading.Barrier(workers)
    outcomes, errors = [], []

    def ingest():
        try:
            barrier.wait()
            outcomes.append(ingest_order(account=account, data=data).outcome)
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    close_old_connections()

    assert errors == []
    assert sorted(outcomes) == sorted([IngestOutcome.CREATED] + [IngestOutcome.UNCHANGED] * (workers - 1))
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 3
    assert OrderEvent.objects.count() == 1


@pytest.mark.django_db
def test_a_page_of_new_orders_is_inserted_in_bulk_with_everything_ingest_order_writes(
    account, django_assert_max_num_queries
):
    page = [OrderDataFactory(platform="mirakl", line_count=2) for _ in range(50)]
    # One of them locks the stock the page may touch (orders/locks.py); one asks which webhook endpoints want order.created.
    with django_assert_max_num_queries(10):
        results = ingest_orders(account=account, orders=page)
    assert [result.outcome for result in results] == [IngestOutcome.CREATED] * 50
    assert Order.objects.count() == 50 and OrderLine.objects.count() == 100
    assert OrderEvent.objects.filter(kind=events.RECEIVED, actor_type="marketplace").count() == 50
    again = ingest_orders(account=account, orders=page)
    assert {result.outcome for result in again} == {IngestOutcome.UNCHANGED}
    assert OrderEvent.objects.count() == 50


@pytest.mark.django_db
def test_a_bad_order_in_a_page_is_returned_as_its_error_and_the_rest_is_stored(account):
    bad = OrderDataFactory(platform="mirakl", currency="euro")
    too_long = OrderDataFactory(platform="mirakl", marketplace_status="X" * 500)  # cannot be stored
    known = OrderDataFactory(platform="mirakl", status=CanonicalStatus.PENDING_ACCEPTANCE)
    ingest_order(account=account, data=known)
    page = [
        OrderDataFactory(platform="mirakl"),
        bad,
        too_long,
        later(known, status=CanonicalStatus.CANCELLED),
        OrderDataFactory(platform="mirakl"),
    ]

    results = ingest_orders(account=account, orders=page)

    assert isinstance(results[1], DomainError) and "currency" in results[1].message.lower()
    assert isinstance(results[2], DatabaseError)
    assert [results[i].outcome for i in (0, 3, 4)] == [
        IngestOutcome.CREATED,
        IngestOutcome.UPDATED,
        IngestOutcome.CREATED,
    ]
    assert Order.objects.count() == 3
    assert Order.objects.get(marketplace_order_id=known.marketplace_order_id).status == CanonicalStatus.CANCELLED
