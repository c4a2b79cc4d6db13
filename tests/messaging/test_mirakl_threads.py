"""Mirakl buyer threads over HTTP against the sandbox: read (M11), answered (M12) once, even across a worker kill."""

import datetime as dt
import json
import time

import pytest
from django.utils import timezone

from marketplaces import polling as order_polling
from messaging import actions, outbox_names, policies, polling
from messaging.models import AccountMessaging, Message, Thread, Topic
from oms import outbox
from oms.outbox import OutboxMessage
from oms.tasks import drain_outbox
from orders.models import Order
from tests.marketplaces.sandbox.spec_schemas import load_spec, problems, response_schema
from tests.marketplaces.sandbox.support import decoded, mirakl_session, new_account
from tests.workers import kill, start_worker


def wait_until(condition, *, seconds=60, step=0.02):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db
def test_buyer_threads_on_orders_and_without_reach_the_inbox_with_their_reply_by(sandbox, sandbox_account):
    account, key = sandbox_account("mirakl")
    [remote_order] = sandbox.admin.generate_orders(key, 1)
    order_polling.poll_account(account_id=account.pk)
    [on_order] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="damaged")
    [question] = sandbox.admin.start_threads(key, 1, topic="before_purchase")

    report = polling.poll_threads(account_id=account.pk)

    assert (report.error, report.new_messages) == ("", 2)
    thread = Thread.objects.get(platform_thread_id=on_order["id"])
    assert thread.order == Order.objects.get(account=account, marketplace_order_id=remote_order["id"])
    assert (thread.topic, thread.status, thread.subject) == (
        Topic.DAMAGED,
        Thread.Status.NEEDS_REPLY,
        "Article endommagé",
    )
    assert thread.buyer_address == on_order["customer"]["id"]
    since = dt.datetime.fromisoformat(on_order["messages"][0]["at"].replace("Z", "+00:00"))
    assert thread.needs_reply_since == since and thread.reply_by_from_platform
    assert thread.reply_by == policies.reply_by(account, since)  # 24 h, or 48 working hours on Fnac
    assert thread.reply_by >= since + dt.timedelta(hours=24)
    other = Thread.objects.get(platform_thread_id=question["id"])
    assert (other.order, other.topic) == (None, Topic.BEFORE_PURCHASE)
    [message] = thread.messages.all()
    assert (message.direction, message.delivery) == ("in", "received")
    assert message.body == on_order["messages"][0]["body"]

    # Polling again changes nothing; a new buyer message is added once.
    assert polling.poll_threads(account_id=account.pk).new_messages == 0
    sandbox.admin.buyer_writes(key, question["id"], "Et en couleur noire ?")
    assert polling.poll_threads(account_id=account.pk).new_messages == 1
    assert Message.objects.filter(thread__account=account).count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_reply_goes_out_through_the_outbox_and_the_thread_waits_for_the_buyer(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    [remote] = sandbox.admin.start_threads(key, 1, topic="invoice")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(platform_thread_id=remote["id"])

    reply = actions.reply(thread_id=thread.pk, user=operator, body="Bonjour, voici votre facture.")
    thread.refresh_from_db()
    assert (thread.status, thread.reply_by) == (Thread.Status.WAITING, None)
    assert reply.delivery == Message.Delivery.QUEUED and reply.within_deadline is True
    assert outbox.drain() == {"sent": 1}

    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.platform_message_id
    [remote] = sandbox.admin.threads(key)
    shop_messages = [m for m in remote["messages"] if m["from"] == "shop"]
    assert [(m["id"], m["body"]) for m in shop_messages] == [(reply.platform_message_id, reply.body)]
    # The next poll sees our own message and adds nothing; the thread waits for the buyer.
    assert polling.poll_threads(account_id=account.pk).new_messages == 0
    thread.refresh_from_db()
    assert thread.status == Thread.Status.WAITING and thread.messages.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_reply_is_sent_exactly_once_across_a_worker_kill(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    [remote] = sandbox.admin.start_threads(key, 1, topic="where_is_my_parcel")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(platform_thread_id=remote["id"])
    # The platform stores the reply 3 s after receiving it, long after the worker died.
    sandbox.admin.inject_fault(key, "timeout", operation="M12", seconds=3, count=1)
    reply = actions.reply(thread_id=thread.pk, user=operator, body="Votre colis est parti hier, le voici.")

    worker = start_worker()
    try:
        drain_outbox.delay()
        claimed = OutboxMessage.objects.filter(kind=outbox_names.REPLY, status=OutboxMessage.Status.SENDING)
        wait_until(claimed.exists, step=0.05)
        time.sleep(1.0)  # M12 is in flight now (the platform answers it after 3 s)
        kill(worker)
    finally:
        kill(worker)
    message = outbox.messages_about(outbox_names.thread_subject(thread.pk)).get(kind=outbox_names.REPLY)
    assert message.status == OutboxMessage.Status.SENDING  # nobody knows whether it went through
    wait_until(lambda: any(m["from"] == "shop" for m in sandbox.admin.threads(key)[0]["messages"]), step=0.1)

    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))
    assert outbox.drain() == {"sent": 1}

    [remote] = sandbox.admin.threads(key)
    assert [m["body"] for m in remote["messages"] if m["from"] == "shop"] == [reply.body]  # once
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT
    assert reply.platform_message_id == next(m["id"] for m in remote["messages"] if m["from"] == "shop")


@pytest.mark.django_db
def test_a_second_operator_is_warned_when_a_colleague_answered_meanwhile(
    sandbox, sandbox_account, operator, admin_user
):
    account, key = sandbox_account("mirakl")
    sandbox.admin.start_threads(key, 1, topic="cancel")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    seen = thread.messages.last().pk  # both opened the thread on this message
    actions.reply(thread_id=thread.pk, user=admin_user, body="C'est annulé.", seen_message_id=seen)

    with pytest.raises(actions.AnsweredMeanwhile) as refused:
        actions.reply(thread_id=thread.pk, user=operator, body="Je l'annule.", seen_message_id=seen)
    assert refused.value.details["author"] == admin_user.get_username()
    assert thread.messages.filter(direction="out").count() == 1  # nothing changed
    actions.reply(
        thread_id=thread.pk, user=operator, body="Je confirme l'annulation.", seen_message_id=seen, force=True
    )
    assert thread.messages.filter(direction="out").count() == 2


@pytest.mark.django_db
def test_a_refused_reply_puts_the_thread_back_in_the_list_to_answer(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl")
    sandbox.admin.start_threads(key, 1, topic="cancel")
    polling.poll_threads(account_id=account.pk)
    thread = Thread.objects.get(account=account)
    Thread.objects.filter(pk=thread.pk).update(platform_thread_id="no-such-thread")
    reply = actions.reply(thread_id=thread.pk, user=operator, body="C'est annulé.")
    assert outbox.drain() == {"dead": 1}
    reply.refresh_from_db()
    thread.refresh_from_db()
    assert reply.delivery == Message.Delivery.FAILED
    assert "404" in reply.delivery_error or "not found" in reply.delivery_error.lower()
    assert thread.status == Thread.Status.NEEDS_REPLY and thread.reply_by is not None


@pytest.mark.django_db
def test_dispatch_marks_each_due_account_once(sandbox, sandbox_account):
    account, _key = sandbox_account("mirakl")
    now = timezone.now()
    assert polling.due_accounts(now=now) == [account.pk]
    assert polling.due_accounts(now=now) == []  # dispatched: due again after the platform's interval
    row = AccountMessaging.objects.get(pk=account.pk)
    assert row.next_poll_at == now + dt.timedelta(seconds=30)


def _all_ok(findings):
    assert findings == [], "\n".join(findings[:20])


def test_the_sandboxs_threads_follow_the_seller_api(sandbox):
    spec = load_spec("mirakl/mmp-seller-openapi.json")
    key, creds = new_account(sandbox, "mirakl", operator="fnac")
    api = f"{sandbox.url}/mirakl/fnac/api"
    session = mirakl_session(creds)
    [order] = sandbox.admin.generate_orders(key, 1, status="SHIPPING")
    [thread] = sandbox.admin.start_threads(key, 1, order_id=order["id"])
    sandbox.admin.start_threads(key, 1, topic="before_purchase")

    listed = session.get(f"{api}/inbox/threads", params={"with_messages": "true"}, timeout=10)
    _all_ok(problems(decoded(listed), response_schema(spec, "/api/inbox/threads", "get", "200"), spec))
    assert len(listed.json()["data"]) == 2
    one = session.get(f"{api}/inbox/threads/{thread['id']}", timeout=10)
    _all_ok(problems(decoded(one), response_schema(spec, "/api/inbox/threads/{thread_id}", "get", "200"), spec))
    assert one.json()["metadata"]["shop_reply_needed_since"] == thread["messages"][0]["at"]

    answer = {
        "body": "Bonjour, votre colis arrive demain.",
        "to": [{"id": thread["customer"]["id"], "type": "CUSTOMER"}],
    }
    replied = session.post(
        f"{api}/inbox/threads/{thread['id']}/message",
        files={"message_input": (None, json.dumps(answer), "application/json")},
        timeout=10,
    )
    assert replied.status_code == 201
    _all_ok(
        problems(decoded(replied), response_schema(spec, "/api/inbox/threads/{thread_id}/message", "post", "201"), spec)
    )
    assert (
        session.get(f"{api}/inbox/threads/{thread['id']}", timeout=10).json()["metadata"]["shop_reply_needed_since"]
        is None
    )
    opened = session.post(
        f"{api}/orders/{order['id']}/threads",
        files={
            "thread_input": (
                None,
                json.dumps(
                    {
                        "body": "Votre commande est expédiée.",
                        "to": ["CUSTOMER"],
                        "topic": {"type": "FREE_TEXT", "value": "Expédition"},
                    }
                ),
                "application/json",
            )
        },
        timeout=10,
    )
    assert opened.status_code == 201
    _all_ok(problems(decoded(opened), response_schema(spec, "/api/orders/{order_id}/threads", "post", "201"), spec))
    too_short = session.post(
        f"{api}/inbox/threads/{thread['id']}/message",
        files={"message_input": (None, json.dumps({**answer, "body": "ok"}), "application/json")},
        timeout=10,
    )
    assert too_short.status_code == 400
    assert len(sandbox.admin.threads(key)) == 3
