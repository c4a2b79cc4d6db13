"""Refunds per order line, and returns from the buyer's request to inspection.

A `Refund` gives money back on an order: its `RefundLine`s say how much of each line's items and
shipping, and how many units (0 for a goodwill gesture, without a return). The database refuses a
refund line that would take more than a line's paid items or shipping, or more than the order's
total (trigger `returns_refund_within_paid`, migration 0002); the actions check the same first to
say it clearly. Refunds the marketplace made on its side come in with the orders' polls as
`source = marketplace` refunds.

A `ReturnRequest` moves requested → authorised (or refused) → label sent → in transit →
received → inspected → closed (`RETURN_TRANSITIONS`); each `ReturnLine` says how many units of
an order line come back and why, and inspection grades each unit (`ReturnUnit`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orders.events import reason_label

MONEY = {"max_digits": 12, "decimal_places": 2}


class Refund(models.Model):
    class Source(models.TextChoices):
        OPERATOR = "operator", _("Operator")  # decided here, pushed to the marketplace
        MARKETPLACE = "marketplace", _("Marketplace")  # made on the platform, read back by a poll

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending to the marketplace")
        SENT = "sent", _("Accepted by the marketplace")
        FAILED = "failed", _("Refused by the marketplace")
        RECORDED = "recorded", _("Recorded by the marketplace")  # source marketplace

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="refunds")
    return_request = models.ForeignKey(
        "ReturnRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="refunds"
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OPERATOR)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENDING)
    reason = models.CharField(_("reason"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    total_amount = models.DecimalField(_("total"), **MONEY)
    marketplace_refund_id = models.CharField(_("marketplace id"), max_length=100, blank=True)
    outbox_message_id = models.BigIntegerField(null=True, blank=True)
    error = models.TextField(_("marketplace answer"), blank=True)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(total_amount__gt=0), name="refund_total_positive"),
            models.UniqueConstraint(
                fields=["order", "marketplace_refund_id"],
                condition=Q(source="marketplace"),
                name="refund_read_back_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.total_amount} {self.currency} on {self.order_id}"

    @property
    def reason_label(self) -> str:
        """The reason in the reader's language when it is a return's reason code, else as written."""
        return reason_label(self.reason)


class RefundLine(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="refund_lines")
    quantity = models.PositiveIntegerField(_("quantity"), default=0, help_text=_("0 for a goodwill amount"))
    amount = models.DecimalField(_("items"), **MONEY)
    shipping_amount = models.DecimalField(_("shipping"), default=0, **MONEY)
    # The marketplace's own refund id once a poll reads this line back (Mirakl refunds[].id…).
    marketplace_refund_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(shipping_amount__gte=0) & (Q(amount__gt=0) | Q(shipping_amount__gt=0)),
                name="refund_line_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}: {self.amount} + {self.shipping_amount}"

    @property
    def total_amount(self):
        return self.amount + self.shipping_amount


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")  # the buyer (or an operator) asked
    AUTHORISED = "authorised", _("Authorised")  # we agreed: the buyer may send it back
    REFUSED = "refused", _("Refused")  # we said no, with a reason
    LABEL_SENT = "label_sent", _("Label sent")  # the buyer has a return label
    IN_TRANSIT = "in_transit", _("In transit")  # the carrier has the parcel
    RECEIVED = "received", _("Received")  # scanned at the warehouse
    INSPECTED = "inspected", _("Inspected")  # every unit graded; stock moved
    CLOSED = "closed", _("Closed")  # refunded or settled: nothing left to do


RETURN_TRANSITIONS: dict[str, tuple[str, ...]] = {
    ReturnStatus.REQUESTED: (ReturnStatus.AUTHORISED, ReturnStatus.REFUSED),
    ReturnStatus.AUTHORISED: (ReturnStatus.LABEL_SENT, ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED),
    ReturnStatus.LABEL_SENT: (ReturnStatus.IN_TRANSIT, ReturnStatus.RECEIVED),
    ReturnStatus.IN_TRANSIT: (ReturnStatus.RECEIVED,),
    ReturnStatus.RECEIVED: (ReturnStatus.INSPECTED,),
    ReturnStatus.INSPECTED: (ReturnStatus.CLOSED,),
    ReturnStatus.REFUSED: (ReturnStatus.CLOSED,),
    ReturnStatus.CLOSED: (),
}
# An incident (a claim on the platform) brings no parcel back: it is resolved (a refund and/or the
# platform's resolution, Mirakl OR64) and closed.
INCIDENT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    status: ((ReturnStatus.CLOSED,) if status == ReturnStatus.REQUESTED else ()) for status in ReturnStatus.values
}
OPEN_STATUSES = tuple(s for s in ReturnStatus.values if s not in (ReturnStatus.CLOSED,))


class ReturnReason(models.TextChoices):
    DAMAGED = "damaged", _("Arrived damaged")
    DEFECTIVE = "defective", _("Defective")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    WRONG_ITEM = "wrong_item", _("Wrong item sent")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")
    OTHER = "other", _("Other")


class ReturnRequest(models.Model):
    class Source(models.TextChoices):
        MARKETPLACE = "marketplace", _("Marketplace")
        OPERATOR = "operator", _("Operator")

    class Kind(models.TextChoices):
        # A return: the buyer sends items back. An incident: a claim or dispute opened on the platform
        # (Mirakl incident, Cdiscount claim, eBay case), settled by a refund or a resolution, no parcel needed;
        # the KPIs count incidents as order defects.
        RETURN = "return", _("Return")
        INCIDENT = "incident", _("Incident")

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="return_requests")
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=20, choices=ReturnStatus.choices, default=ReturnStatus.REQUESTED)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.OPERATOR)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RETURN)
    platform = models.CharField(_("platform"), max_length=20, db_index=True)
    marketplace_return_id = models.CharField(_("marketplace return id"), max_length=100, blank=True, db_index=True)
    marketplace_state = models.CharField(_("marketplace state"), max_length=50, blank=True)
    reason = models.CharField(_("reason"), max_length=30, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    requested_at = models.DateTimeField(_("requested at"))
    # The platform's deadline for our answer, or our own from the return window; most urgent first.
    respond_by = models.DateTimeField(_("respond by"), null=True, blank=True)
    late_request = models.BooleanField(
        _("requested after the return window"), default=False, help_text=_("Flagged, not refused: decide")
    )
    refusal_reason = models.CharField(_("reason for refusing"), max_length=500, blank=True)
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("return tracking number"), max_length=100, blank=True, db_index=True)
    label_url = models.CharField(_("return label"), max_length=500, blank=True)
    # A label the carrier printed for us (its return product), asked through the outbox.
    carrier_account = models.ForeignKey(
        "shipping.CarrierAccount", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label_content = models.BinaryField(null=True, blank=True, editable=False)
    label_format = models.CharField(max_length=10, blank=True)
    label_request_key = models.CharField(max_length=32, blank=True, editable=False)
    label_error = models.TextField(_("carrier's answer"), blank=True)
    # When the carrier delivered the return parcel to the warehouse (its tracking says so): to receive.
    arrived_at = models.DateTimeField(_("parcel arrived"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("return")
        verbose_name_plural = _("returns")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "marketplace_return_id"],
                condition=~Q(marketplace_return_id=""),
                name="return_once_per_marketplace_id",
            ),
        ]
        indexes = [
            # The queue: open returns, most urgent first.
            models.Index(F("respond_by").asc(nulls_last=True), F("id").desc(), name="return_most_urgent"),
            models.Index(
                F("status"), F("respond_by").asc(nulls_last=True), F("id").desc(), name="return_status_urgent"
            ),
            # The queue's filters, counted (up to the cap) from an index rather than the table.
            models.Index(fields=["reason", "status"], name="return_reason_status"),
            models.Index(fields=["platform", "status"], name="return_platform_status"),
            models.Index(fields=["status"], condition=Q(late_request=True), name="return_late_status"),
        ]
        permissions = [("act_on_return", "Can authorise, receive, inspect and close returns")]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("returns:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"RET-{self.pk:07d}" if self.pk else "RET-new"

    @property
    def is_incident(self) -> bool:
        return self.kind == self.Kind.INCIDENT

    @property
    def transitions(self) -> tuple[str, ...]:
        """The statuses this return (or incident) may move to next."""
        return (INCIDENT_TRANSITIONS if self.is_incident else RETURN_TRANSITIONS)[self.status]

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines.all())


class ReturnLine(models.Model):
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=30, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    note = models.CharField(_("buyer's words"), max_length=500, blank=True)
    quantity_received = models.PositiveIntegerField(_("received"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_line_quantity_positive"),
            models.CheckConstraint(condition=Q(quantity_received__lte=F("quantity")), name="return_line_received_le"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × line {self.order_line_id}"


class Grade(models.TextChoices):
    SELLABLE = "sellable", _("Sellable")
    DAMAGED = "damaged", _("Damaged")
    INCOMPLETE = "incomplete", _("Incomplete")
    WRONG_ITEM = "wrong_item", _("Wrong item")


class ReturnUnit(models.Model):
    """One inspected unit of a return line, its grade and the inspector's note."""

    line = models.ForeignKey(ReturnLine, on_delete=models.CASCADE, related_name="units")
    grade = models.CharField(_("grade"), max_length=20, choices=Grade.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    inspected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.grade} unit of return line {self.line_id}"


class ReturnWindow(models.Model):
    """How long after delivery a buyer may ask for a return on a platform: data, editable in the admin.

    `source` says where the figure comes from; an empty source means nobody checked it (unverified).
    A request after the window is flagged (`ReturnRequest.late_request`), never refused by itself.
    """

    platform = models.CharField(_("platform"), max_length=20, unique=True)
    days = models.PositiveIntegerField(_("days after delivery"))
    source = models.CharField(_("source"), max_length=300, blank=True)

    class Meta:
        ordering = ["platform"]
        verbose_name = _("return window")
        verbose_name_plural = _("return windows")

    def __str__(self) -> str:
        return f"{self.platform}: {self.days}"

    @property
    def verified(self) -> bool:
        return bool(self.source)


class ReturnPollCursor(models.Model):
    """How far a marketplace account's returns were read (their last update), per account."""

    account = models.OneToOneField(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="return_poll_cursor"
    )
    read_until = models.DateTimeField()
    polled_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.account_id}: {self.read_until}"
