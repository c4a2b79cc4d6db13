"""Cdiscount discussions (Octopia, format unverified) against the sandbox: read with the 48 h rule, answered once."""

import datetime as dt

import pytest
from django.utils import timezone

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from marketplaces.connectors import cdiscount_inbox
from messaging import actions, polling
from messaging.models import Thread
from oms import outbox
from orders.models import Order


@pytest.mark.django_db
def test_discussions_are_read_with_their_order_and_answered_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("cdiscount")
    [remote_order] = sandbox.admin.generate_orders(key, 1)
    order_polling.poll_account(account_id=account.pk)
    [remote] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="invoice")
    sandbox.admin.start_threads(key, 1, topic="before_purchase")

    assert polling.poll_threads(account_id=account.pk).new_messages == 2
    thread = Thread.objects.get(platform_thread_id=remote["id"])
    assert thread.order == Order.objects.get(account=account, marketplace_order_id=remote_order["id"])
    assert thread.status == Thread.Status.NEEDS_REPLY and thread.topic == "invoice"
    assert thread.reply_by == thread.needs_reply_since + dt.timedelta(hours=48)  # Cdiscount: 48 h (unverified)

    reply = actions.reply(thread_id=thread.pk, user=operator, body="Bonjour, voici la facture.")
    assert outbox.drain() == {"sent": 1}
    reply.refresh_from_db()
    shop = next(m for m in sandbox.admin.threads(key) if m["id"] == remote["id"])["messages"]
    assert [(m["id"], m["body"]) for m in shop if m["from"] == "shop"] == [(reply.platform_message_id, reply.body)]
    again = cdiscount_inbox.reply(
        connector_for_account(account),
        discussion_id=remote["id"],
        body=reply.body,
        decided_at=timezone.now() - dt.timedelta(minutes=1),
        retry=True,
    )
    assert again.already_recorded
    assert polling.poll_threads(account_id=account.pk).new_messages == 0
    thread.refresh_from_db()
    assert thread.status == Thread.Status.WAITING
