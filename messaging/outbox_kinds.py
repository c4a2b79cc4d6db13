"""The `messaging.reply` outbox kind: an operator's answer leaves through the platform's channel.

The sender reads the reply and its thread, sends it (a retry first checks whether the platform
already has it: M12 is not idempotent) and records the platform's id. A refusal is a dead letter
and the thread needs a reply again (`actions.on_outbox_failed`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from marketplaces.outbox_kinds import outcome_for_the_outbox
from messaging import actions, channels, outbox_names
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


outbox.declare(outbox_names.REPLY, label=_("Reply to a buyer"), send=send_reply)
outbox.outbox_message_failed.connect(actions.on_outbox_failed, dispatch_uid="messaging.reply_failed")
