"""eBay conversations through the Message API against the sandbox: read, linked to the buyer's order, answered once."""

import datetime as dt

import pytest
from django.utils import timezone

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from marketplaces.connectors import ebay_inbox
from messaging import actions, polling
from messaging.models import Message, Thread, Topic
from oms import outbox
from orders.models import Order
from tests.marketplaces.sandbox.spec_schemas import load_spec, problems, response_schema
from tests.marketplaces.sandbox.support import decoded, ebay_session, new_account


@pytest.mark.django_db
def test_conversations_are_read_linked_to_the_order_and_answered_once(sandbox, sandbox_account, operator):
    account, key = sandbox_account("ebay")
    [remote_order] = sandbox.admin.generate_orders(key, 1)
    order_polling.poll_account(account_id=account.pk)
    [remote] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="where_is_my_parcel")

    assert polling.poll_threads(account_id=account.pk).new_messages == 1
    thread = Thread.objects.get(account=account)
    assert thread.order == Order.objects.get(account=account, marketplace_order_id=remote_order["id"])
    assert (thread.status, thread.topic) == (Thread.Status.NEEDS_REPLY, Topic.WHERE_IS_MY_PARCEL)
    assert thread.buyer_address == remote["customer"]["username"]
    assert not thread.reply_by_from_platform  # eBay gives no deadline: 24 h from the message (unverified)
    assert thread.reply_by == thread.needs_reply_since + dt.timedelta(hours=24)

    reply = actions.reply(thread_id=thread.pk, user=operator, body="Bonjour, votre colis est en route.")
    assert outbox.drain() == {"sent": 1}
    reply.refresh_from_db()
    [remote] = sandbox.admin.threads(key)
    assert [(m["id"], m["body"]) for m in remote["messages"] if m["from"] == "shop"] == [
        (reply.platform_message_id, reply.body)
    ]
    # A retry that does not know whether the first send went through finds it and sends nothing.
    again = ebay_inbox.reply(
        connector_for_account(account),
        conversation_id=thread.platform_thread_id,
        body=reply.body,
        decided_at=timezone.now() - dt.timedelta(minutes=1),
        retry=True,
    )
    assert again.already_recorded and again.platform_message_id == reply.platform_message_id
    assert len(sandbox.admin.threads(key)[0]["messages"]) == 2
    assert polling.poll_threads(account_id=account.pk).new_messages == 0
    thread.refresh_from_db()
    assert thread.status == Thread.Status.WAITING
    assert Message.objects.filter(thread=thread, direction="out").count() == 1


def test_the_sandboxs_message_api_follows_the_spec(sandbox):
    spec = load_spec("ebay/commerce_message_v1_oas3.json")
    key, creds = new_account(sandbox, "ebay")
    [order] = sandbox.admin.generate_orders(key, 1)
    [thread] = sandbox.admin.start_threads(key, 1, order_id=order["id"])
    session = ebay_session(sandbox, creds)
    api = f"{sandbox.url}/ebay/commerce/message/v1"
    listed = session.get(f"{api}/conversation", params={"conversation_type": "FROM_MEMBERS"}, timeout=10)
    _all_ok(problems(decoded(listed), response_schema(spec, "/conversation", "get", "200"), spec))
    assert [c["conversationId"] for c in listed.json()["conversations"]] == [thread["id"]]
    one = session.get(f"{api}/conversation/{thread['id']}", params={"conversation_type": "FROM_MEMBERS"}, timeout=10)
    _all_ok(problems(decoded(one), response_schema(spec, "/conversation/{conversation_id}", "get", "200"), spec))
    sent = session.post(
        f"{api}/send_message", json={"conversationId": thread["id"], "messageText": "Bonjour !"}, timeout=10
    )
    assert sent.status_code == 201
    _all_ok(problems(decoded(sent), response_schema(spec, "/send_message", "post", "201"), spec))
    missing_type = session.get(f"{api}/conversation", timeout=10)
    assert missing_type.status_code == 400
    too_long = session.post(
        f"{api}/send_message", json={"conversationId": thread["id"], "messageText": "x" * 2001}, timeout=10
    )
    assert too_long.status_code == 400
    assert len(sandbox.admin.threads(key)[0]["messages"]) == 2


def _all_ok(findings):
    assert findings == [], "\n".join(findings[:20])
