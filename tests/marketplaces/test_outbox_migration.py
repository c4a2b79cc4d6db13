"""A database holding wave-1 outbox messages (marketplaces.OutboxMessage) migrates to the outbox core and still sends."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from marketplaces import polling
from oms import outbox
from oms.outbox import OutboxMessage
from orders import events, pushes
from orders.models import Order, OrderEvent

WAVE_1 = [("marketplaces", "0003_quarantine_raw_encoder"), ("inventory", "0001_initial"), ("oms", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_wave_1_messages_survive_the_migration_and_still_send(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl")
    [remote] = sandbox.admin.generate_orders(key, 1, lines=2, status="WAITING_ACCEPTANCE")
    polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account, marketplace_order_id=remote["id"])
    line_ids = [line.marketplace_line_id for line in order.lines.all()]
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()

    old = migrate(WAVE_1)
    Old = old.get_model("marketplaces", "OutboxMessage")
    stock = Old.objects.create(
        account_id=account.pk,
        kind="stock",
        payload={"quantities": {"KETTLE": 3}},
        idempotency_key="wave1-stock",
        status="sent",
    )
    dead = Old.objects.create(
        account_id=account.pk,
        order_id=order.pk,
        kind="refuse",
        payload={},
        idempotency_key="wave1-dead",
        status="dead",
        attempts=8,
        last_error="RejectedByMarketplace: nope",
    )
    accept = Old.objects.create(
        account_id=account.pk,
        order_id=order.pk,
        kind="accept",
        idempotency_key="wave1-accept",
        payload={"marketplace_order_id": order.marketplace_order_id, "line_ids": line_ids},
    )
    old.get_model("inventory", "ChannelPublication").objects.create(
        account_id=account.pk, sku="KETTLE", message_id=stock.pk
    )

    migrate(latest)

    moved = {message.pk: message for message in OutboxMessage.objects.all()}
    assert set(moved) == {stock.pk, dead.pk, accept.pk}
    assert (moved[stock.pk].kind, moved[stock.pk].destination, moved[stock.pk].subject, moved[stock.pk].status) == (
        "marketplace.stock",
        pushes.marketplace_destination(account.pk),
        "",
        "sent",
    )
    assert (moved[accept.pk].kind, moved[accept.pk].ordering_key, moved[accept.pk].idempotency_key) == (
        pushes.ACCEPT,
        pushes.order_subject(order.pk),
        "wave1-accept",
    )
    assert moved[dead.pk].last_error == "RejectedByMarketplace: nope"
    assert list(outbox.messages_about(pushes.order_subject(order.pk))) == [moved[dead.pk], moved[accept.pk]]
    with connection.cursor() as cursor:  # the stock publication still points at its (moved) message
        cursor.execute("SELECT message_id FROM inventory_channelpublication WHERE sku = 'KETTLE'")
        assert cursor.fetchone() == (stock.pk,)

    # The accept waits behind the order's dead refusal, as before; discarded, it goes.
    assert outbox.drain() == {}
    outbox.discard_dead(message_id=dead.pk)
    assert outbox.drain() == {"sent": 1}
    assert [action["action"] for action in sandbox.admin.order_actions(key, remote["id"])] == ["OR21"]
    assert OrderEvent.objects.filter(order=order, kind=events.PUSHED).count() == 1

    newer = outbox.enqueue(kind=pushes.SHIP, destination=pushes.marketplace_destination(account.pk), payload={})
    assert newer.pk > accept.pk  # the id sequence goes on after the moved rows
