"""Buyer conversations: threads with their messages, reply deadlines, templates and per-account settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

# Amazon's window for a review request, in days after the delivery date: Amazon's public documentation says 5 to
# 30 days; specs/amazon/solicitations.json does not say it (unverified).
REVIEW_WINDOW_DAYS = (5, 30)


class Topic(models.TextChoices):
    WHERE_IS_MY_PARCEL = "where_is_my_parcel", _("Where is my parcel")
    CANCEL = "cancel", _("Cancellation request")
    DAMAGED = "damaged", _("Damaged item")
    INVOICE = "invoice", _("Invoice request")
    BEFORE_PURCHASE = "before_purchase", _("Question before purchase")
    RETURN = "return", _("Return")
    NOTIFICATION = "notification", _("Notification to the buyer")
    DELAY = "delay", _("Delay notice")
    OTHER = "other", _("Other")


class Thread(models.Model):
    """One conversation with a buyer on one platform, about an order or not."""

    class Status(models.TextChoices):
        NEEDS_REPLY = "needs_reply", _("Needs reply")
        WAITING = "waiting_for_buyer", _("Waiting for buyer")
        CLOSED = "closed", _("Closed")

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="threads", verbose_name=_("account")
    )
    platform_thread_id = models.CharField(_("platform thread id"), max_length=200)
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("order"),
    )
    marketplace_order_id = models.CharField(_("marketplace order id"), max_length=100, blank=True, db_index=True)
    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_address = models.CharField(
        _("buyer address"), max_length=254, blank=True, help_text=_("Platform id, user name or relay e-mail address")
    )
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices, default=Topic.OTHER, db_index=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEEDS_REPLY, db_index=True
    )
    needs_reply_since = models.DateTimeField(_("awaiting a reply since"), null=True, blank=True)
    reply_by = models.DateTimeField(_("reply by"), null=True, blank=True)
    reply_by_from_platform = models.BooleanField(default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_threads",
        verbose_name=_("assignee"),
    )
    last_message_at = models.DateTimeField(_("last message"), null=True, blank=True)
    platform_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reply_by", "-last_message_at", "pk"]
        verbose_name = _("thread")
        verbose_name_plural = _("threads")
        permissions = [("reply_to_buyer", _("Can reply to buyers"))]
        constraints = [
            models.UniqueConstraint(fields=["account", "platform_thread_id"], name="thread_once_per_account"),
            models.CheckConstraint(
                condition=~Q(status="needs_reply") | Q(needs_reply_since__isnull=False),
                name="thread_needing_reply_says_since_when",
            ),
        ]
        indexes = [
            # The inbox: open threads in its order (reply by, then the latest message), read from the index.
            models.Index(
                F("reply_by").asc(nulls_last=True),
                F("last_message_at").desc(nulls_last=True),
                "id",
                condition=~Q(status="closed"),
                name="thread_open_inbox_idx",
            ),
            # Threads a buyer waits on, in the inbox's order: the overdue filter (reply_by < now) and its
            # capped count read a range of this small index instead of every open thread.
            models.Index(
                F("reply_by").asc(nulls_last=True),
                F("last_message_at").desc(nulls_last=True),
                "id",
                condition=Q(status="needs_reply"),
                name="thread_needs_reply_idx",
            ),
            models.Index(fields=["status", "reply_by", "id"], name="thread_inbox_idx"),
            models.Index(fields=["account", "status", "reply_by"], name="thread_account_inbox_idx"),
        ]

    def __str__(self) -> str:
        return self.subject or self.platform_thread_id


class Message(models.Model):
    class Direction(models.TextChoices):
        INBOUND = "in", _("From the buyer")
        OUTBOUND = "out", _("To the buyer")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("Received")
        QUEUED = "queued", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not delivered")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    platform_message_id = models.CharField(max_length=200, blank=True)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    author_name = models.CharField(_("author"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    attachments = models.JSONField(_("attachments"), default=list, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    delivery = models.CharField(_("delivery"), max_length=10, choices=Delivery.choices)
    delivery_error = models.TextField(blank=True)
    # A send through an API that cannot be read back (Amazon's Messaging API) began at this instant, committed
    # before the call; cleared when the send surely failed. Found set by a later attempt: Amazon may have it.
    send_started_at = models.DateTimeField(null=True, blank=True)
    # An outbound reply: how long the buyer waited, and whether that was within the deadline.
    response_seconds = models.PositiveIntegerField(null=True, blank=True)
    within_deadline = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "platform_message_id"],
                condition=~Q(platform_message_id=""),
                name="message_once_per_thread",
            )
        ]
        indexes = [models.Index(fields=["direction", "sent_at"], name="message_direction_sent_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.pk}"


class AccountMessaging(models.Model):
    """Messaging settings of one account: its reply deadline override, notifications, the thread poll."""

    account = models.OneToOneField(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="messaging", primary_key=True
    )
    reply_deadline_hours = models.PositiveSmallIntegerField(
        _("reply deadline (hours)"), null=True, blank=True, help_text=_("Empty: the platform's or operator's rule")
    )
    reply_deadline_counts_weekends = models.BooleanField(
        _("weekends count"), null=True, blank=True, help_text=_("Empty: the platform's or operator's rule")
    )
    notify_on_acceptance = models.BooleanField(_("tell the buyer when the order is accepted"), default=False)
    notify_on_shipment = models.BooleanField(_("tell the buyer when the order ships"), default=False)
    notify_on_delivery = models.BooleanField(_("tell the buyer when the carrier delivered"), default=False)

    class DelayNotices(models.TextChoices):
        OFF = "off", _("Never")
        PROPOSE = "propose", _("Propose it to the operator")
        SEND = "send", _("Send it automatically")

    notify_on_delay = models.CharField(
        _("tell the buyer when the ship-by date is at risk"),
        max_length=10,
        choices=DelayNotices.choices,
        default=DelayNotices.PROPOSE,
    )
    delay_horizon_hours = models.PositiveSmallIntegerField(
        _("delay risk horizon (hours)"),
        default=12,
        help_text=_("An accepted order not shipped this close to its ship-by date is at risk"),
    )
    request_amazon_reviews = models.BooleanField(
        _("ask Amazon buyers for a review"),
        default=False,
        help_text=_("Amazon's product review and seller feedback request, once per delivered order"),
    )
    review_request_days = models.PositiveSmallIntegerField(
        _("days after delivery to ask for a review"),
        default=7,
        validators=[MinValueValidator(REVIEW_WINDOW_DAYS[0]), MaxValueValidator(REVIEW_WINDOW_DAYS[1])],
        help_text=_("Amazon allows a request from 5 to 30 days after delivery"),
    )
    # Thread polling state, written by the poller only.
    threads_cursor = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    poll_lease_until = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("messaging settings")
        verbose_name_plural = _("messaging settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    review_request_days__gte=REVIEW_WINDOW_DAYS[0], review_request_days__lte=REVIEW_WINDOW_DAYS[1]
                ),
                name="review_request_days_in_amazon_window",
            )
        ]

    def __str__(self) -> str:
        return str(self.account_id)


class Template(models.Model):
    """A reply an operator starts from; {buyer_name}, {order_number}, {tracking_link} are filled in."""

    class Language(models.TextChoices):
        FRENCH = "fr", _("French")
        ENGLISH = "en", _("English")

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.FRENCH)
    topic = models.CharField(_("topic"), max_length=30, choices=Topic.choices, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["language", "name"]
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        constraints = [models.UniqueConstraint(fields=["name", "language"], name="template_name_once_per_language")]

    def __str__(self) -> str:
        return self.name

    @property
    def has_content(self) -> bool:
        """Whether the file is kept; read from `kept` where the selector annotated it (content deferred)."""
        kept = self.__dict__.get("kept")
        return kept if kept is not None else self.content is not None


class DelayNotice(models.Model):
    """The buyer was told (or is being told) that the order ships late: once per order and ship-by date."""

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="delay_notices")
    ship_by = models.DateTimeField(_("ship by"))
    message = models.ForeignKey(Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("delay notice")
        verbose_name_plural = _("delay notices")
        constraints = [models.UniqueConstraint(fields=["order", "ship_by"], name="delay_notice_once_per_ship_by")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.ship_by:%Y-%m-%d}"


class Attachment(models.Model):
    """A file on a message: ours (the order's packing slip sent with a reply) or the buyer's (kept when the
    platform gives it: Mirakl M13, a relayed mail's parts). `content` None: listed by the platform, not kept."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(_("name"), max_length=255)
    content_type = models.CharField(max_length=100, default="application/octet-stream")
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField(null=True, editable=False)
    platform_id = models.CharField(max_length=200, blank=True)
    unavailable = models.BooleanField(default=False)  # the platform refused to serve it: not asked again
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    @property
    def has_content(self) -> bool:
        """Whether the file is kept; read from `kept` where the selector annotated it (content deferred)."""
        kept = self.__dict__.get("kept")
        return kept if kept is not None else self.content is not None


class ReviewRequest(models.Model):
    """Amazon asked to send the buyer its product review and seller feedback request: once per order from our
    side (the operator's button or the beat task), through the `messaging.solicit_review` outbox kind."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        REQUESTED = "requested", _("Requested")
        # Amazon stopped offering the request after our earlier attempt whose answer we lost: counted as done.
        PRESUMED = "presumed", _("Requested (answer lost; Amazon no longer offers it)")
        NOT_OFFERED = "not_offered", _("Not offered by Amazon")
        FAILED = "failed", _("Failed")

    order = models.OneToOneField("orders.Order", on_delete=models.CASCADE, related_name="review_request")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    automatic = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The create call began (committed before it): a later attempt that finds the request no longer offered
    # knows the earlier call may have been ours.
    attempted_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), null=True, blank=True)
    amazon_request_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("review request")
        verbose_name_plural = _("review requests")

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"
