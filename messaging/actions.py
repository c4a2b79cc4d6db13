"""Every change to a buyer thread: storing what a platform says, replying, assigning, closing.

Each function is one transaction that locks the thread (`select_for_update`), after the order if it
locks one too (orders/locks.py: threads and messages are records). A reply is written with its
outbox message (`messaging.reply`), so it leaves once, after commit, even if a worker dies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplaces.connectors.messages import INBOUND, OUTBOUND, ThreadData
from marketplaces.models import MarketplaceAccount
from messaging import attachments, outbox_names, policies, signals, topics
from messaging.models import Attachment, Message, Thread
from oms import outbox
from oms.errors import DomainError, InvalidInput, NotFound
from orders import platforms, pushes
from orders.models import Order

MIN_BODY, MAX_BODY = 3, 50_000  # the strictest platform's limits (Mirakl M12: 3 to 50,000 characters)


class AnsweredMeanwhile(DomainError):
    """Another operator answered the thread since this one opened it: nothing was sent."""

    code = "answered_meanwhile"


@dataclass(frozen=True)
class IngestReport:
    threads: int = 0
    new_messages: int = 0


# Storing what the platform says ---------------------------------------------------------


def ingest_threads(*, account: MarketplaceAccount, threads: list[ThreadData]) -> IngestReport:
    """Upsert a page of threads and their new messages, in one transaction."""
    new_messages = 0
    received: list[int] = []
    with transaction.atomic():
        orders = _orders_by_platform_id(account, {t.marketplace_order_id for t in threads if t.marketplace_order_id})
        for data in threads:
            order = orders.get(data.marketplace_order_id) or _latest_order_of_buyer(account, data.buyer_address)
            _thread, added = _ingest_one(account, data, order)
            new_messages += len(added)
            received.extend(m.pk for m in added if m.direction == Message.Direction.INBOUND)
        if received:  # in the transaction: what listens (webhooks) writes its outbox rows with the messages
            signals.messages_received.send(sender=Message, message_ids=received)
    return IngestReport(threads=len(threads), new_messages=new_messages)


def _orders_by_platform_id(account: MarketplaceAccount, ids: set[str]) -> dict[str, Order]:
    if not ids:
        return {}
    return {o.marketplace_order_id: o for o in Order.objects.filter(account=account, marketplace_order_id__in=ids)}


def _latest_order_of_buyer(account: MarketplaceAccount, username: str) -> Order | None:
    """eBay links a conversation to a listing, not an order: the buyer's latest order with us."""
    if not username or account.platform != platforms.EBAY:
        return None
    return (
        Order.objects.filter(account=account, raw_payload__buyer__username=username).order_by("-purchased_at").first()
    )


def _adopt_our_thread(account: MarketplaceAccount, data: ThreadData) -> None:
    """A thread we opened (a notice) whose platform id we could not learn when sending it: the platform's
    thread holding our message's id is that one (whichever way the platform tells its direction)."""
    ours = [m.platform_message_id for m in data.messages if m.platform_message_id]
    if not ours or Thread.objects.filter(account=account, platform_thread_id=data.platform_thread_id).exists():
        return
    provisional = Thread.objects.filter(
        account=account,
        platform_thread_id__startswith=outbox_names.PROVISIONAL_THREAD_PREFIX,
        messages__platform_message_id__in=ours,
    ).first()
    if provisional is not None:
        Thread.objects.filter(pk=provisional.pk).update(platform_thread_id=data.platform_thread_id)


def _ingest_one(account: MarketplaceAccount, data: ThreadData, order: Order | None) -> tuple[Thread, list[Message]]:
    now = timezone.now()
    _adopt_our_thread(account, data)
    first_words = data.messages[0].body if data.messages else ""
    thread, _created = Thread.objects.select_for_update(of=("self",)).get_or_create(
        account=account,
        platform_thread_id=data.platform_thread_id,
        defaults={
            "order": order,
            "marketplace_order_id": data.marketplace_order_id or (order.marketplace_order_id if order else ""),
            "buyer_name": data.buyer_name or (order.buyer_name if order else ""),
            "buyer_address": data.buyer_address,
            "subject": data.subject[:300],
            "topic": topics.classify(data.subject, first_words),
            "status": Thread.Status.WAITING,
        },
    )
    added = _add_messages(thread, data, now)
    if thread.order_id is None and order is not None:
        thread.order = order
    thread.platform_updated_at = data.updated_at
    thread.buyer_name = thread.buyer_name or data.buyer_name
    sent_times = [m.sent_at for m in data.messages if m.sent_at]
    if sent_times:
        thread.last_message_at = max([*sent_times, thread.last_message_at or sent_times[0]])
    _settle_status(thread, data, added)
    thread.save()
    return thread, added


def _add_messages(thread: Thread, data: ThreadData, now: dt.datetime) -> list[Message]:
    known = set(thread.messages.exclude(platform_message_id="").values_list("platform_message_id", flat=True))
    unmatched_ours = {m.body.strip(): m for m in thread.messages.filter(direction=OUTBOUND, platform_message_id="")}
    added, sources = [], []
    for item in data.messages:
        if item.platform_message_id in known:
            continue
        ours = unmatched_ours.pop(item.body.strip(), None) if item.direction == OUTBOUND else None
        if ours is not None:  # our reply, seen on the platform before its sender recorded its id
            ours.platform_message_id, ours.delivery, ours.sent_at = (
                item.platform_message_id,
                Message.Delivery.SENT,
                item.sent_at,
            )
            ours.save(update_fields=["platform_message_id", "delivery", "sent_at"])
            continue
        added.append(
            Message(
                thread=thread,
                platform_message_id=item.platform_message_id,
                direction=item.direction,
                author_name=item.author_name[:200],
                body=item.body,
                attachments=[{k: v for k, v in a.items() if k != "content"} for a in item.attachments],
                sent_at=item.sent_at,
                received_at=now,
                delivery=Message.Delivery.RECEIVED if item.direction == INBOUND else Message.Delivery.SENT,
            )
        )
        sources.append(item)
    created = Message.objects.bulk_create(added)
    files = [
        Attachment(
            message=message,
            name=str(item.get("name") or "piece-jointe")[:255],
            content_type=str(item.get("content_type") or "application/octet-stream")[:100],
            size=int(item.get("size") or len(item.get("content") or b"")),
            content=item.get("content"),
            platform_id=str(item.get("id") or "")[:200],
        )
        for message, source in zip(created, sources, strict=True)
        for item in source.attachments
    ]
    Attachment.objects.bulk_create(files)
    return created


def _settle_status(thread: Thread, data: ThreadData, added: list[Message]) -> None:
    """Needs a reply since the platform says (Mirakl), or since the first buyer message after our last one."""
    if data.platform_says_reply_needed:
        since = data.reply_needed_since
    else:
        since = None
        for message in sorted(thread.messages.all(), key=lambda m: (m.sent_at or m.created_at, m.pk)):
            if message.direction == OUTBOUND:
                since = None
            elif since is None:
                since = message.sent_at or message.received_at
    if since is not None and _answered_since(thread, since):
        since = None  # our reply is on its way: the platform will know soon
    new_from_buyer = any(m.direction == INBOUND for m in added)
    if since is None:
        if thread.status == Thread.Status.NEEDS_REPLY:
            thread.status = Thread.Status.WAITING
        thread.needs_reply_since = thread.reply_by = None
        return
    if thread.status == Thread.Status.CLOSED and not new_from_buyer:
        return  # closed without reply: only the buyer writing again opens it
    thread.status = Thread.Status.NEEDS_REPLY
    if thread.needs_reply_since != since:
        thread.needs_reply_since = since
        thread.reply_by = policies.reply_by(thread.account, since)
    thread.reply_by_from_platform = data.platform_says_reply_needed


def _answered_since(thread: Thread, since: dt.datetime) -> bool:
    return thread.messages.filter(
        direction=OUTBOUND, created_at__gte=since, delivery__in=(Message.Delivery.QUEUED, Message.Delivery.SENT)
    ).exists()


# An operator's changes ---------------------------------------------------------------------


def _locked(thread_id: int) -> Thread:
    try:
        return Thread.objects.select_for_update(of=("self",)).select_related("account").get(pk=thread_id)
    except Thread.DoesNotExist:
        raise NotFound(_("This conversation does not exist.")) from None


def _clean_body(body: str) -> str:
    # A browser's textarea sends its line breaks as CRLF: the buyer gets plain line breaks.
    body = (body or "").replace("\r\n", "\n").strip()
    if not MIN_BODY <= len(body) <= MAX_BODY:
        raise InvalidInput(
            _("A reply has between %(min)s and %(max)s characters.") % {"min": MIN_BODY, "max": MAX_BODY},
            details={"body": [_("Between 3 and 50,000 characters.")]},
        )
    return body


def reply(
    *,
    thread_id: int,
    user,
    body: str,
    seen_message_id: int | None = None,
    force: bool = False,
    attach: tuple[str, ...] = (),
    files: Sequence[attachments.Upload] = (),
) -> Message:
    """Answer the buyer. Refused (AnsweredMeanwhile) when another operator answered after the last
    message this one saw (`seen_message_id`), unless `force`. `attach`: documents we make to send with it
    (attachments.PACKING_SLIP), refused (InvalidInput) where the platform or the order has none. `files`: the
    operator's own files, checked by `attachments.check_uploads` (InvalidInput, nothing saved or queued)."""
    body = _clean_body(body)
    for kind in attach:
        if kind != attachments.PACKING_SLIP:
            raise InvalidInput(_("Unknown attachment."), details={"attach": [kind]})
    with transaction.atomic():
        thread = _locked(thread_id)
        uploads = attachments.check_uploads(thread, files, also=len(set(attach)))
        if not force and seen_message_id is not None:
            newer = (
                thread.messages.filter(pk__gt=seen_message_id, direction=OUTBOUND)
                .exclude(author=user)
                .order_by("pk")
                .first()
            )
            if newer is not None:
                raise AnsweredMeanwhile(
                    _("%(author)s answered this buyer meanwhile. Read it, then send yours if it is still needed.")
                    % {"author": newer.author_name or _("Someone")},
                    details={"message_id": newer.pk, "author": newer.author_name},
                )
        now = timezone.now()
        since, deadline = thread.needs_reply_since, thread.reply_by
        message = Message.objects.create(
            thread=thread,
            direction=OUTBOUND,
            author=user,
            author_name=(user.get_full_name() or user.get_username())[:200],
            body=body,
            delivery=Message.Delivery.QUEUED,
            response_seconds=int((now - since).total_seconds()) if since else None,
            within_deadline=(now <= deadline) if since and deadline else None,
        )
        if attachments.PACKING_SLIP in attach:
            attachments.attach_packing_slip(thread=thread, message=message, user=user)
        attachments.attach_uploads(message=message, uploads=uploads)
        thread.status = Thread.Status.WAITING
        thread.needs_reply_since = thread.reply_by = None
        thread.last_message_at = now
        if thread.assignee_id is None:
            thread.assignee = user
        thread.save()
        outbox.enqueue(
            kind=outbox_names.REPLY,
            destination=pushes.marketplace_destination(thread.account_id),
            ordering_key=outbox_names.thread_subject(thread.pk),
            subject=outbox_names.thread_subject(thread.pk),
            payload={"message_id": message.pk, "decided_at": now.isoformat()},
        )
    return message


def record_sent(*, message_id: int, platform_message_id: str, platform_thread_id: str = "") -> None:
    """The platform has our reply (the outbox sender, after the platform's answer)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if (
            platform_message_id
            and not Message.objects.filter(thread_id=message.thread_id, platform_message_id=platform_message_id)
            .exclude(pk=message.pk)
            .exists()
        ):
            message.platform_message_id = platform_message_id
        message.delivery, message.delivery_error = Message.Delivery.SENT, ""
        message.sent_at = message.sent_at or timezone.now()
        message.save(update_fields=["platform_message_id", "delivery", "delivery_error", "sent_at"])
        if platform_thread_id:  # a thread we opened takes the platform's id
            Thread.objects.filter(
                pk=message.thread_id, platform_thread_id__startswith=outbox_names.PROVISIONAL_THREAD_PREFIX
            ).update(platform_thread_id=platform_thread_id)


def record_failed(*, message_id: int, error: str) -> None:
    """The platform refused our reply (or it ran out of attempts): the thread needs a reply again."""
    with transaction.atomic():
        # The thread first, then its message: the order every other change to a thread takes.
        thread = _locked(Message.objects.values_list("thread_id", flat=True).get(pk=message_id))
        message = Message.objects.select_for_update().get(pk=message_id)
        message.delivery, message.delivery_error = Message.Delivery.FAILED, error[:2000]
        message.save(update_fields=["delivery", "delivery_error"])
        if thread.status != Thread.Status.CLOSED and thread.needs_reply_since is None:
            last_inbound = thread.messages.filter(direction=INBOUND).order_by("-pk").first()
            since = (last_inbound.sent_at or last_inbound.received_at) if last_inbound else message.created_at
            thread.status, thread.needs_reply_since = Thread.Status.NEEDS_REPLY, since
            thread.reply_by = policies.reply_by(thread.account, since)
            thread.save()


def on_outbox_failed(*, message, error: str, **kwargs) -> None:
    """outbox_message_failed receiver: a reply (or a notice) the platform refused, or a send whose outcome is
    unknown (`MAYBE_SENT`: the operator checks Seller Central, then resends anyway or drops it)."""
    if message.kind == outbox_names.REPLY:
        record_failed(message_id=message.payload["message_id"], error=error)
    elif message.kind == outbox_names.NOTIFY:
        Message.objects.filter(pk=message.payload["message_id"]).update(
            delivery=Message.Delivery.FAILED, delivery_error=error[:2000]
        )


# Sends that cannot be read back (Amazon's Messaging API) ---------------------------------------------------

# The dead letter's reason when an attempt finds an earlier one's send still marked (it never stored an outcome).
MAYBE_SENT = "Amazon may already have it: check Seller Central, then resend or drop."


def begin_platform_send(*, message_id: int) -> bool:
    """Mark the message as being sent, committed before the HTTP call (the caller holds no transaction). False
    when an earlier attempt's mark is still there: its outcome is unknown, nothing must be sent."""
    return bool(
        Message.objects.filter(pk=message_id, send_started_at__isnull=True).update(send_started_at=timezone.now())
    )


def platform_send_failed(*, message_id: int) -> None:
    """The send surely left the platform without the message (refused, never connected): the mark goes, the
    outbox retries as for any failure."""
    Message.objects.filter(pk=message_id).update(send_started_at=None)


def may_have_been_sent(*, message_id: int) -> bool:
    return (
        Message.objects.filter(pk=message_id, send_started_at__isnull=False)
        .exclude(delivery=Message.Delivery.SENT)
        .exists()
    )


def resend_anyway(*, message_id: int) -> bool:
    """The operator checked Seller Central and wants the notice sent again (it may reach the buyer twice): the
    mark goes and its dead letter is retried. False when the message is not such a dead letter."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None or message.delivery != Message.Delivery.FAILED or message.send_started_at is None:
            return False
        dead = (
            outbox.messages_about(outbox_names.thread_subject(message.thread_id))
            .filter(kind=outbox_names.NOTIFY, status=outbox.OutboxMessage.Status.DEAD, payload__message_id=message.pk)
            .order_by("-pk")
            .first()
        )
        if dead is None:
            return False
        message.send_started_at, message.delivery, message.delivery_error = None, Message.Delivery.QUEUED, ""
        message.save(update_fields=["send_started_at", "delivery", "delivery_error"])
        return outbox.retry_dead(message_id=dead.pk)


def assign(*, thread_id: int, assignee_id: int | None) -> Thread:
    """Give the thread to a user (None: nobody). Raises DomainError for an unknown or inactive user."""
    assignee = None
    if assignee_id is not None:
        assignee = get_user_model().objects.filter(pk=assignee_id, is_active=True).first()
        if assignee is None:
            raise DomainError(_("No active user with this id."), details={"assignee": assignee_id})
    with transaction.atomic():
        thread = _locked(thread_id)
        thread.assignee = assignee
        thread.save(update_fields=["assignee", "updated_at"])
    return thread


def close(*, thread_id: int) -> Thread:
    """No reply needed: the thread leaves the list of threads to answer (where the platform allows it)."""
    with transaction.atomic():
        thread = _locked(thread_id)
        if not policies.NO_REPLY_NEEDED_ALLOWED.get(thread.account.platform, False):
            raise DomainError(_("This marketplace expects an answer to every buyer message."))
        thread.status = Thread.Status.CLOSED
        thread.needs_reply_since = thread.reply_by = None
        thread.save()
    return thread
