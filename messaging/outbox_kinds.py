"""The `messaging.reply` outbox kind: an operator's answer leaves through the platform's channel.

The sender reads the reply and its thread, sends it (a retry first checks whether the platform
already has it: M12 is not idempotent) and records the platform's id. A refusal is a dead letter
and the thread needs a reply again (`actions.on_outbox_failed`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from marketplaces.outbox_kinds import outcome_for_the_outbox
from messaging import actions, channels, notifications, outbox_names
from messaging.models import Message
from oms import outbox
from oms.errors import NotSupportedByPlatform
from oms.outbox import OutboxMessage


def send_reply(message: OutboxMessage) -> None:
    reply = Message.objects.select_related("thread__account").filter(pk=message.payload["message_id"]).first()
    if reply is None:
        raise outbox.Undeliverable("the reply no longer exists")
    if reply.delivery == Message.Delivery.SENT:
        return
    try:
        with outcome_for_the_outbox():
            sent = channels.send_reply(
                reply.thread,
                reply,
                decided_at=dt.datetime.fromisoformat(message.payload["decided_at"]),
                retry=message.attempts > 1,
                key=message.idempotency_key,
            )
    except NotSupportedByPlatform as error:
        raise outbox.Undeliverable(error.message) from error
    actions.record_sent(
        message_id=reply.pk, platform_message_id=sent.platform_message_id, platform_thread_id=sent.platform_thread_id
    )


NOTICE_WAIT_SECONDS = 2  # a notice waiting for its decision's push looks again this soon


def send_notice(message: OutboxMessage) -> None:
    payload = message.payload
    notice = Message.objects.select_related("thread__account").filter(pk=payload["message_id"]).first()
    if notice is None:
        raise outbox.Undeliverable("the notice no longer exists")
    if notice.delivery == Message.Delivery.SENT:
        return
    reached = notifications.decision_reached_the_platform(order_id=payload["order_id"], decision=payload["decision"])
    if reached is None:
        raise outbox.RetryLater("the decision is not on the platform yet", retry_after=NOTICE_WAIT_SECONDS)
    if not reached:
        raise outbox.Undeliverable("the platform did not take the decision: the buyer is not told")
    try:
        with outcome_for_the_outbox():
            sent = channels.open_thread_on_order(
                notice.thread,
                notice,
                marketplace_order_id=payload["marketplace_order_id"],
                decided_at=dt.datetime.fromisoformat(payload["decided_at"]),
                retry=message.attempts > 1,
                amazon_type=payload.get("amazon_type", ""),
                key=message.idempotency_key,
            )
    except NotSupportedByPlatform as error:
        raise outbox.Undeliverable(error.message) from error
    notifications.record_notice_sent(
        message_id=notice.pk, sent=sent, event=payload["event"], platform=payload["platform"]
    )


outbox.declare(outbox_names.REPLY, label=_("Reply to a buyer"), send=send_reply)
outbox.declare(outbox_names.NOTIFY, label=_("Notice to a buyer"), send=send_notice)
outbox.outbox_message_failed.connect(actions.on_outbox_failed, dispatch_uid="messaging.reply_failed")
