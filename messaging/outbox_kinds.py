"""The `messaging.reply` outbox kind: an operator's answer leaves through the platform's channel.

The sender reads the reply and its thread, sends it (a retry first checks whether the platform
already has it: M12 is not idempotent) and records the platform's id. A refusal is a dead letter
and the thread needs a reply again (`actions.on_outbox_failed`).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext_lazy as _

from marketplaces.clients import connector_for_account
from marketplaces.connectors import amazon_messaging, amazon_solicitations
from marketplaces.connectors.errors import MarketplaceError, TransientError
from marketplaces.outbox_kinds import outcome_for_the_outbox
from messaging import actions, channels, notifications, outbox_names, solicitations
from messaging.models import Message, ReviewRequest
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
    if notice.send_started_at is not None:  # an earlier attempt began an Amazon send and stored no outcome
        raise outbox.Undeliverable(actions.MAYBE_SENT)
    reached = notifications.decision_reached_the_platform(order_id=payload["order_id"], decision=payload["decision"])
    if reached is None:
        raise outbox.RetryLater("the decision is not on the platform yet", retry_after=NOTICE_WAIT_SECONDS)
    if not reached:
        raise outbox.Undeliverable("the platform did not take the decision: the buyer is not told")
    try:
        with outcome_for_the_outbox():
            try:
                sent = channels.open_thread_on_order(
                    notice.thread,
                    notice,
                    marketplace_order_id=payload["marketplace_order_id"],
                    decided_at=dt.datetime.fromisoformat(payload["decided_at"]),
                    retry=message.attempts > 1,
                    amazon_type=payload.get("amazon_type", ""),
                    key=message.idempotency_key,
                )
            except TransientError:
                if actions.may_have_been_sent(message_id=notice.pk):  # unknown outcome: never sent blindly again
                    raise channels.MaybeSent(actions.MAYBE_SENT) from None
                raise
    except NotSupportedByPlatform as error:
        raise outbox.Undeliverable(error.message) from error
    except channels.MaybeSent as error:
        raise outbox.Undeliverable(str(error)) from error
    notifications.record_notice_sent(
        message_id=notice.pk, sent=sent, event=payload["event"], platform=payload["platform"]
    )


def send_review_request(message: OutboxMessage) -> None:
    """Amazon's review request for one order, safe to run twice: the offered actions are read before the
    create call (Amazon stops offering it once sent), the call is marked as attempted first (committed)."""
    record = ReviewRequest.objects.select_related("order__account").filter(pk=message.payload["request_id"]).first()
    if record is None:
        raise outbox.Undeliverable("the review request no longer exists")
    if record.status in solicitations.DONE:
        return
    order_id = record.order.marketplace_order_id
    with outcome_for_the_outbox():
        connector = connector_for_account(record.order.account)
        if not amazon_solicitations.review_offered(connector, order_id=order_id):
            solicitations.record_not_offered(request_id=record.pk)
            return
        if not solicitations.begin_attempt(request_id=record.pk):
            return
        try:
            amazon_request_id = amazon_solicitations.request_review(connector, order_id=order_id)
        except MarketplaceError as error:
            if amazon_messaging.not_processed(error):
                solicitations.attempt_failed(request_id=record.pk)
            raise
    solicitations.record_requested(request_id=record.pk, amazon_request_id=amazon_request_id)


def on_review_request_failed(*, message, error: str, **kwargs) -> None:
    if message.kind == outbox_names.SOLICIT_REVIEW:
        solicitations.record_failed(request_id=message.payload["request_id"], error=error)


outbox.declare(outbox_names.REPLY, label=_("Reply to a buyer"), send=send_reply)
outbox.declare(outbox_names.NOTIFY, label=_("Notice to a buyer"), send=send_notice)
outbox.outbox_message_failed.connect(actions.on_outbox_failed, dispatch_uid="messaging.reply_failed")
outbox.declare(outbox_names.SOLICIT_REVIEW, label=_("Review request to an Amazon buyer"), send=send_review_request)
outbox.outbox_message_failed.connect(on_review_request_failed, dispatch_uid="messaging.review_request_failed")
