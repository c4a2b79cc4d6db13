"""Amazon's buyer messages by e-mail, end to end on real SMTP servers: the sandbox mails the buyer's
message through our SMTP server into the Maildir, the worker imports it, our reply goes back by SMTP."""

import datetime as dt
import mailbox
import time

import pytest

from marketplaces import polling as order_polling
from messaging import actions, mail
from messaging.models import Message, Thread, Topic
from oms import outbox
from orders.models import Order


def wait_until(condition, *, seconds=30, step=0.05):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("condition not met in time")


@pytest.mark.django_db
def test_relayed_buyer_mail_becomes_a_thread_and_our_reply_reaches_the_buyer(sandbox, sandbox_account, smtp, operator):
    account, key = sandbox_account("amazon")
    [remote_order] = sandbox.admin.generate_orders(key, 1, status="Unshipped")
    order_polling.poll_account(account_id=account.pk)
    [remote] = sandbox.admin.start_threads(key, 1, order_id=remote_order["id"], topic="damaged")

    inbox = mailbox.Maildir(smtp, create=False)
    wait_until(lambda: len(inbox) == 1)  # the sandbox mailed it through our SMTP server
    assert mail.import_maildir(smtp) == 1
    assert len(inbox) == 0

    thread = Thread.objects.get(account=account)
    assert thread.order == Order.objects.get(account=account, marketplace_order_id=remote_order["id"])
    assert thread.buyer_address.endswith("@marketplace.amazon.fr")
    assert thread.buyer_name == remote["customer"]["name"]
    assert (thread.status, thread.topic, thread.subject) == (
        Thread.Status.NEEDS_REPLY,
        Topic.DAMAGED,
        "Article endommagé",
    )
    assert thread.reply_by == thread.needs_reply_since + dt.timedelta(hours=24)  # Amazon: weekends count
    [received] = thread.messages.all()
    assert received.body == remote["messages"][0]["body"] and received.platform_message_id.startswith("<")

    reply = actions.reply(thread_id=thread.pk, user=operator, body="Bonjour, nous vous envoyons un remplacement.")
    assert outbox.drain() == {"sent": 1}
    reply.refresh_from_db()
    assert reply.delivery == Message.Delivery.SENT and reply.platform_message_id.endswith("@seller.localhost>")
    [remote] = sandbox.admin.threads(key)
    assert [m["body"] for m in remote["messages"] if m["from"] == "shop"] == [reply.body]

    # A resend of the same reply (a worker died after SMTP accepted it) carries the same Message-ID: once.
    mail.send_reply(thread, reply, message_id=reply.platform_message_id)
    assert [m["body"] for m in sandbox.admin.threads(key)[0]["messages"] if m["from"] == "shop"] == [reply.body]

    # The buyer writes again: the same thread, needing a reply again.
    sandbox.admin.buyer_writes(key, remote["id"], "Merci, j'attends le colis.")
    wait_until(lambda: len(inbox) == 1)
    assert mail.import_maildir(smtp) == 1
    thread.refresh_from_db()
    assert thread.status == Thread.Status.NEEDS_REPLY and thread.messages.count() == 3


@pytest.mark.django_db
def test_a_question_before_purchase_goes_to_the_only_amazon_account_and_unknown_mail_stays(
    sandbox, sandbox_account, smtp
):
    account, key = sandbox_account("amazon")
    sandbox.admin.start_threads(key, 1, topic="before_purchase")
    inbox = mailbox.Maildir(smtp, create=False)
    wait_until(lambda: len(inbox) == 1)
    assert mail.import_maildir(smtp) == 1
    thread = Thread.objects.get()
    assert (thread.account, thread.order, thread.topic) == (account, None, Topic.BEFORE_PURCHASE)

    sandbox_account("amazon")  # two Amazon accounts: a mail naming no order cannot be placed
    sandbox.admin.start_threads(key, 1, topic="before_purchase")
    wait_until(lambda: len(inbox) == 1)
    assert mail.import_maildir(smtp) == 0
    assert len(inbox) == 1 and Thread.objects.count() == 1


@pytest.mark.django_db
def test_without_a_maildir_there_is_nothing_to_import(tmp_path):
    assert mail.import_maildir(tmp_path / "no-mail-server-here") == 0
    assert not (tmp_path / "no-mail-server-here").exists()
