"""Delay notices: an accepted order not shipped close to (or past) its ship-by date is at risk, and its
buyer may be told it ships late, once per order and ship-by date.

Per account (`AccountMessaging.notify_on_delay`): never, proposed to the operator (the order page and the
inbox show it; the operator sends the proposed text, edited or not, or a reply template of the "delay"
topic, its variables filled in for the order), or sent automatically by the beat task
`messaging.send_delay_notices`. Accounts with no messaging settings propose (the model's default). An order
rule can send it too, with its own conditions and template (`messaging.delay_rules`).
The horizon is `AccountMessaging.delay_horizon_hours` (default 12 h). The notice leaves through the
platform's channel like the other notices (notifications.write_notice) and goes on the order's timeline
when the platform has it.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging import events, notifications, templating
from messaging.models import AccountMessaging, DelayNotice, Message, Template, Topic
from oms.errors import DomainError, InvalidInput
from orders.locks import lock_order
from orders.models import Order
from orders.status import OrderStatus

AT_RISK_STATUSES = (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED)
Mode = AccountMessaging.DelayNotices
DEFAULT_HORIZON_HOURS = AccountMessaging._meta.get_field("delay_horizon_hours").default
DEFAULT_MODE = AccountMessaging._meta.get_field("notify_on_delay").default


def at_risk(*, now: dt.datetime | None = None, mode: str | None = None) -> QuerySet[Order]:
    """Orders whose buyer should hear of a delay and has not for this ship-by date, on a platform with a
    notice channel. `mode`: only the accounts in that mode (propose or send); None: either. One query: each
    account's horizon is read in SQL (accounts without messaging settings take the defaults)."""
    now = now or timezone.now()
    wanted = [Mode.PROPOSE, Mode.SEND] if mode is None else [mode]
    horizon = ExpressionWrapper(
        F("account__messaging__delay_horizon_hours") * Value(dt.timedelta(hours=1)), output_field=DurationField()
    )
    condition = Q(
        account__messaging__notify_on_delay__in=wanted,
        ship_by__lte=Value(now, output_field=DateTimeField()) + horizon,
    )
    if DEFAULT_MODE in wanted:
        condition |= Q(account__messaging__isnull=True, ship_by__lte=now + dt.timedelta(hours=DEFAULT_HORIZON_HOURS))
    told = DelayNotice.objects.filter(order=OuterRef("pk"), ship_by=OuterRef("ship_by"))
    return Order.objects.filter(
        condition,
        status__in=AT_RISK_STATUSES,
        fulfilled_by_marketplace=False,
        ship_by__isnull=False,
        account__platform__in=notifications.CHANNELS,
    ).exclude(Exists(told))


def proposal(order: Order, *, now: dt.datetime | None = None) -> dict | None:
    """What the order page offers: the default text filled in for this order, or None (not at risk, off,
    already told for this ship-by date), with the delay templates. No query for an order that cannot be at
    risk, two otherwise."""
    if (
        order.status not in AT_RISK_STATUSES
        or order.fulfilled_by_marketplace
        or order.ship_by is None
        or order.account.platform not in notifications.CHANNELS
    ):
        return None
    now = now or timezone.now()
    found = at_risk(now=now).filter(pk=order.pk).values_list("account__messaging__notify_on_delay", flat=True)
    if not found:
        return None
    return {
        "body": templating.fill(notifications.DELAY_TEXT, templating.order_values(order)),
        "templates": list(Template.objects.filter(topic=Topic.DELAY).order_by("language", "name")),
        "automatic": (found[0] or DEFAULT_MODE) == Mode.SEND,
        "overdue": order.ship_by <= now,
    }


def notify_delay(*, order_id: int, user=None, body: str = "", automatic: bool = False) -> Message:
    """Tell the buyer the order ships late: once per order and ship-by date (DomainError otherwise)."""
    with transaction.atomic():
        order = lock_order(order_id)
        if not at_risk().filter(pk=order.pk).exists():
            if DelayNotice.objects.filter(order=order, ship_by=order.ship_by).exists():
                raise DomainError(_("The buyer was already told of a delay for this ship-by date."))
            raise DomainError(_("This order is not at risk of shipping late, or its account sends no delay notice."))
        text = templating.fill((body or notifications.DELAY_TEXT).strip(), templating.order_values(order))
        if not 3 <= len(text) <= 2000:  # Amazon's Messaging API takes at most 2,000 characters
            raise InvalidInput(
                _("A delay notice has between 3 and 2,000 characters."), details={"body": [_("3 to 2,000 characters.")]}
            )
        try:
            with transaction.atomic():
                record = DelayNotice.objects.create(
                    order=order, ship_by=order.ship_by, sent_by=user, automatic=automatic
                )
        except IntegrityError:
            raise DomainError(_("The buyer was already told of a delay for this ship-by date.")) from None
        message = notifications.write_notice(
            order=order,
            subject=notifications.DELAY_SUBJECT,
            body=text,
            event_kind=events.BUYER_TOLD_DELAYED,
            author=user,
        )
        record.message = message
        record.save(update_fields=["message"])
    return message
