"""The buyer told at each step: when an order is accepted, ships or is delivered, a message through the
platform's channel, switched on per account (`AccountMessaging.notify_on_*`), written with the decision, sent by
the outbox once the decision itself reached the platform, then put on the order's timeline.

Channels: Mirakl opens a thread on the order (OR43); eBay starts a conversation with the buyer
(sendMessage to `otherPartyUsername`, about the order's first listing). Amazon allows only its Messaging
API's message types (`AMAZON_MESSAGE_TYPES`): a delay is an "unexpected problem"; no type fits an
acceptance or shipment notice, nor a type Amazon does not offer for the order, so those go by e-mail to
the buyer's relay address (channels.open_thread_on_order).

Delay notices (`messaging.delay`) are written by `notify_delay` with the operator's text or the default.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from marketplaces.connectors.messages import SentMessage
from messaging import actions, events, outbox_names, templating
from messaging.models import AccountMessaging, Message, Thread, Topic
from oms import outbox
from oms.outbox import OutboxMessage
from orders import platforms, pushes
from orders.actions import Actor, record_event
from orders.models import ActorType, Order
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus

CHANNELS = frozenset({platforms.MIRAKL, platforms.EBAY, platforms.AMAZON})  # platforms a notice can be sent through
# Amazon Messaging API type per notice (specs/amazon/messaging.json); a notice not named goes by relayed e-mail.
AMAZON_MESSAGE_TYPES = {events.BUYER_TOLD_DELAYED: "unexpectedProblem"}
DELAY_SUBJECT = "Retard de votre commande"
DELAY_TEXT = (
    "Bonjour {buyer_name},\n\nVotre commande {order_number} partira avec un peu de retard. Nous faisons le "
    "nécessaire pour l'expédier au plus vite et vous tiendrons informé(e) de son envoi.\n\n"
    "Veuillez nous excuser pour ce contretemps.\nLe service client"
)
# What the buyer reads (French: the buyers of these platforms are French-speaking), and its subject.
NOTICES = {
    OrderStatus.ACCEPTED: (
        pushes.ACCEPT,
        "notify_on_acceptance",
        "Commande acceptée",
        (
            "Bonjour {buyer_name},\n\nVotre commande {order_number} est acceptée : nous la préparons.\n\n"
            "Bien cordialement,\nLe service client"
        ),
        events.BUYER_TOLD_ACCEPTED,
    ),
    OrderStatus.SHIPPED: (
        pushes.SHIP,
        "notify_on_shipment",
        "Commande expédiée",
        (
            "Bonjour {buyer_name},\n\nVotre commande {order_number} est expédiée. Suivez votre colis ici : "
            "{tracking_link}\n\nBien cordialement,\nLe service client"
        ),
        events.BUYER_TOLD_SHIPPED,
    ),
    # Told by the carrier's tracking (no push to wait for).
    OrderStatus.DELIVERED: (
        "",
        "notify_on_delivery",
        "Commande livrée",
        (
            "Bonjour {buyer_name},\n\nVotre commande {order_number} a été livrée. Nous espérons qu'elle vous "
            "donne satisfaction ; pour toute question, répondez simplement à ce message.\n\n"
            "Bien cordialement,\nLe service client"
        ),
        events.BUYER_TOLD_DELIVERED,
    ),
}


def on_status_changed(*, order: Order, before: str, after: str, actor, **kwargs) -> None:
    """orders' order_status_changed receiver: our own decisions (not what the marketplace reports) are told."""
    if after not in NOTICES or actor.type == ActorType.MARKETPLACE:
        return
    notify_buyer(order=order, status=after)


def notify_buyer(*, order: Order, status: str) -> Message | None:
    """Write the notice and its outbox message in the caller's transaction; None when switched off."""
    decision, switch, subject, text, event_kind = NOTICES[status]
    account = order.account
    settings = AccountMessaging.objects.filter(pk=account.pk).first()
    if settings is None or not getattr(settings, switch) or account.platform not in CHANNELS:
        return None
    return write_notice(
        order=order, subject=subject, body=templating.fill(text, templating.order_values(order)),
        event_kind=event_kind, decision=decision,
    )  # fmt: skip


def write_notice(*, order: Order, subject: str, body: str, event_kind: str, decision: str = "", author=None) -> Message:
    """A new thread on the order holding our message, and its `messaging.notify` outbox message, in the
    caller's transaction. `decision`: the order's push the notice must wait for ("" for none)."""
    account = order.account
    now = timezone.now()
    thread = Thread.objects.create(
        account=account,
        platform_thread_id=f"{outbox_names.PROVISIONAL_THREAD_PREFIX}{uuid.uuid4().hex}",
        order=order,
        marketplace_order_id=order.marketplace_order_id,
        buyer_name=order.buyer_name,
        # Amazon's relay address, for the e-mail a Messaging API type does not fit.
        buyer_address=order.buyer_email if account.platform == platforms.AMAZON else "",
        subject=subject,
        topic=Topic.DELAY if event_kind == events.BUYER_TOLD_DELAYED else Topic.NOTIFICATION,
        status=Thread.Status.WAITING,
        last_message_at=now,
    )
    message = Message.objects.create(
        thread=thread,
        direction=Message.Direction.OUTBOUND,
        author=author,
        author_name=(author.get_full_name() or author.get_username())[:200] if author else account.name,
        body=body,
        delivery=Message.Delivery.QUEUED,
    )
    outbox.enqueue(
        kind=outbox_names.NOTIFY,
        destination=pushes.marketplace_destination(account.pk),
        ordering_key=outbox_names.thread_subject(thread.pk),
        subject=outbox_names.thread_subject(thread.pk),
        payload={
            "order_id": order.pk,
            "decision": decision,
            "message_id": message.pk,
            "marketplace_order_id": order.marketplace_order_id,
            "event": event_kind,
            "amazon_type": AMAZON_MESSAGE_TYPES.get(event_kind, ""),
            "platform": CAPABILITIES[account.platform].display_name,
            "decided_at": now.isoformat(),
        },
    )
    return message


def decision_reached_the_platform(*, order_id: int, decision: str) -> bool | None:
    """Whether the order's decision push (accept, ship) went out: True (sent or done by hand), None (not yet),
    False (refused or discarded: the buyer must not be told). The notice is written in the decision's
    transaction, before its push, so it waits for that push instead of following it in the outbox."""
    if not decision:
        return True  # a notice about no decision (a delay)
    latest = outbox.messages_about(pushes.order_subject(order_id)).filter(kind=decision).order_by("-pk").first()
    if latest is None:
        return True  # nothing to send to the platform (e.g. decided there)
    status = OutboxMessage.Status
    if latest.status in (status.SENT, status.DONE_BY_HAND):
        return True
    if latest.status in (status.PENDING, status.SENDING):
        return None
    return False


def record_notice_sent(*, message_id: int, sent: SentMessage, event: str, platform: str) -> None:
    """The platform has the notice: the thread takes its id and the order's timeline says it."""
    with transaction.atomic():
        actions.record_sent(
            message_id=message_id,
            platform_message_id=sent.platform_message_id,
            platform_thread_id=sent.platform_thread_id,
        )
        thread = Thread.objects.select_related("order").get(messages__pk=message_id)
        if thread.order is not None:
            record_event(order=thread.order, kind=event, actor=Actor.system("outbox"), params={"platform": platform})
