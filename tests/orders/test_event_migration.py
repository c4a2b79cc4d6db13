"""Migration 0004 gives events written as English sentences the kind and parameters they now need."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from orders import events
from orders.models import OrderEvent

BEFORE = [("orders", "0003_queue_indexes")]
AFTER = [("orders", "0004_event_params")]

# (kind, actor_type, from_status, to_status, message, data) as wave 1 wrote them.
OLD_EVENTS = [
    (
        "received",
        "marketplace",
        "",
        "pending_acceptance",
        "Received as WAITING_ACCEPTANCE",
        {"marketplace_status": "WAITING_ACCEPTANCE"},
    ),
    ("received", "marketplace", "", "accepted", "Received as orderFulfillmentStatus=NOT_STARTED", {}),
    ("updated", "marketplace", "", "", "Updated: buyer_name, ship_by", {"fields": ["buyer_name", "ship_by"]}),
    (
        "status_changed",
        "marketplace",
        "accepted",
        "cancelled",
        "The marketplace reports CANCELED",
        {"marketplace_status": "CANCELED"},
    ),
    ("status_changed", "user", "pending_acceptance", "accepted", "Accepted", {}),
    (
        "status_changed",
        "rule",
        "pending_acceptance",
        "accepted",
        "accepted by rule 'Stock OK': total 49.99 € ≤ 500 €",
        {},
    ),
    (
        "status_changed",
        "user",
        "accepted",
        "shipped",
        "Shipped with colissimo, tracking 6A1",
        {"carrier": "colissimo", "tracking_number": "6A1"},
    ),
    ("status_changed", "user", "shipped", "delivered", "Delivered", {}),
    ("status_changed", "user", "accepted", "cancelled", "Buyer asked", {}),
    (
        "status_ignored",
        "marketplace",
        "accepted",
        "pending_acceptance",
        "The marketplace reports WAITING_ACCEPTANCE; the order stays To ship (…)",
        {"marketplace_status": "WAITING_ACCEPTANCE"},
    ),
    ("refunded", "user", "", "", "Refunded 12.50 EUR: damaged", {"amount": "12.50", "lines": {"L1": "12.50"}}),
    ("triaged", "user", "", "", "Assigned to oscar", {"assignee": 7}),
    ("triaged", "user", "", "", "Unassigned", {"assignee": None}),
    ("triaged", "rule", "", "", "Tagged “fr”: tagged by rule 'French orders': ships to FR (in FR)", {"tag": "fr"}),
    ("triaged", "user", "", "", "Tag “fr” removed", {"untag": "fr"}),
    ("triaged", "user", "", "", "Priority set to 10", {"priority": 10}),
    ("triaged", "user", "", "", "Held for review: address to check", {"hold": True}),
    ("triaged", "user", "", "", "Released from review", {"hold": False}),
    ("pushed", "system", "", "", "accept: sent to Mirakl", {"push": "accept", "outcome": "sent"}),
    ("push_failed", "system", "", "", "ship: RejectedByMarketplace: OR23", {"push": "ship", "outcome": "failed"}),
    ("status_changed", "user", "accepted", "partially_shipped", "Split by hand", {}),
]

EXPECTED = [
    ("received", {"marketplace_status": "WAITING_ACCEPTANCE"}),
    ("received", {"marketplace_status": "orderFulfillmentStatus=NOT_STARTED"}),
    ("updated", {"fields": ["buyer_name", "ship_by"]}),
    ("status_changed", {"marketplace_status": "CANCELED"}),
    ("accepted", {}),
    ("accepted", {"reason": "accepted by rule 'Stock OK': total 49.99 € ≤ 500 €"}),
    ("shipped", {"carrier": "colissimo", "tracking_number": "6A1"}),
    ("delivered", {}),
    ("cancelled", {"reason": "Buyer asked"}),
    ("status_ignored", {"marketplace_status": "WAITING_ACCEPTANCE"}),
    ("refunded", {"amount": "12.50", "currency": "EUR", "reason": "damaged", "lines": {"L1": "12.50"}}),
    ("assigned", {"assignee_id": 7, "assignee": "oscar"}),
    ("unassigned", {}),
    ("tagged", {"tag": "fr", "reason": "tagged by rule 'French orders': ships to FR (in FR)"}),
    ("untagged", {"tag": "fr"}),
    ("priority_set", {"priority": 10}),
    ("held", {"reason": "address to check"}),
    ("hold_released", {}),
    ("pushed", {"push": "accept", "account": "Fnac-Darty FR"}),
    ("push_failed", {"push": "ship", "account": "Fnac-Darty FR", "error": "RejectedByMarketplace: OR23"}),
    ("status_changed", {"legacy_text": "Split by hand"}),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def insert_old_events(apps) -> int:
    account = apps.get_model("marketplaces", "MarketplaceAccount").objects.create(
        platform="mirakl", name="Fnac-Darty FR"
    )
    now = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    order = apps.get_model("orders", "Order").objects.create(
        account=account,
        marketplace_order_id="FD-1",
        status="accepted",
        purchased_at=now,
        marketplace_updated_at=now,
        currency="EUR",
        total_amount=Decimal("49.99"),
        content_hash="x",
    )
    OldEvent = apps.get_model("orders", "OrderEvent")
    for kind, actor_type, before, after, message, data in OLD_EVENTS:
        OldEvent.objects.create(
            order=order,
            kind=kind,
            actor_type=actor_type,
            from_status=before,
            to_status=after,
            message=message,
            data=data,
        )
    return order.pk


@pytest.mark.django_db(transaction=True)
def test_old_sentences_become_kinds_and_parameters_that_read_in_french():
    try:
        order_id = insert_old_events(migrate(BEFORE))
        migrate(AFTER)
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    migrated = list(OrderEvent.objects.filter(order_id=order_id).order_by("id"))
    assert [(event.kind, event.params) for event in migrated] == EXPECTED
    with translation.override("fr"):
        sentences = [events.describe(event) for event in migrated]
    assert not [sentence for sentence in sentences if "?" in sentence or not sentence]
    assert sentences[1] == "Reçue avec le statut marketplace « orderFulfillmentStatus=NOT_STARTED »."
    assert sentences[5] == "La commande a été acceptée. Motif : accepted by rule 'Stock OK': total 49.99 € ≤ 500 €"
    assert sentences[-1] == "Split by hand"
