from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import F
from django.db.models.functions import Concat, Lower
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oms.l10n import format_money
from orders import carriers
from orders.canonical import AdjustmentKind, TaxMode
from orders.shipping_methods import shipping_method_label
from orders.status import OrderStatus

STATUS_LABELS = dict(OrderStatus.choices)

MONEY = {"max_digits": 12, "decimal_places": 2}
TAX_MODES = [(TaxMode.INCLUDED, _("taxes included")), (TaxMode.EXCLUDED, _("taxes excluded"))]


def _search_document():
    """Lower-cased, accent-free text of what an operator types to find an order."""
    names = ["marketplace_order_id", "reference", "buyer_name", "buyer_email", "ship_name", "tracking_number"]
    pieces = []
    for name in names:
        pieces += [models.F(name), models.Value(" ")]
    return models.Func(
        Lower(Concat(*pieces[:-1], output_field=models.TextField())),
        function="oms_immutable_unaccent",
        output_field=models.TextField(),
    )


def _due_at():
    """The deadline the operator must beat now (as `Order.next_deadline`), for sorting and filtering."""
    return models.Case(
        models.When(fulfilled_by_marketplace=True, then=models.Value(None)),
        models.When(status=OrderStatus.PENDING_ACCEPTANCE, then=models.F("acceptance_deadline")),
        models.When(status__in=[OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED], then=models.F("ship_by")),
        default=models.Value(None),
        output_field=models.DateTimeField(),
    )


class Order(models.Model):
    """One marketplace order, in the canonical shape, whatever platform it came from."""

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.PROTECT, related_name="orders", verbose_name=_("account")
    )
    marketplace_order_id = models.CharField(_("marketplace order id"), max_length=100)
    reference = models.CharField(_("reference"), max_length=100, blank=True, help_text=_("The number the buyer sees"))
    status = models.CharField(_("status"), max_length=20, choices=OrderStatus.choices, db_index=True)
    marketplace_status = models.CharField(_("marketplace status"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=100, blank=True)

    purchased_at = models.DateTimeField(_("purchased at"))
    marketplace_updated_at = models.DateTimeField(_("updated on the marketplace at"))
    acceptance_deadline = models.DateTimeField(_("accept by"), null=True, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    deliver_by = models.DateTimeField(_("deliver by"), null=True, blank=True)

    currency = models.CharField(_("currency"), max_length=3)
    tax_mode = models.CharField(
        _("prices"),
        max_length=20,
        choices=TAX_MODES,
        default=TaxMode.INCLUDED,
        help_text=_("Whether the marketplace states the prices with or without their taxes"),
    )
    total_amount = models.DecimalField(
        _("total"), help_text=_("What the buyer pays, taxes included, as the marketplace states it"), **MONEY
    )
    # The sums of the lines' money (in the order's tax mode), kept for lists and the API.
    items_amount = models.DecimalField(_("items"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping_amount = models.DecimalField(_("shipping"), default=0, **MONEY)
    shipping_tax_amount = models.DecimalField(_("shipping tax"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discounts"), default=0, **MONEY)
    shipping_discount_amount = models.DecimalField(_("shipping discounts"), default=0, **MONEY)
    fee_amount = models.DecimalField(_("fees"), default=0, **MONEY)
    gift_wrap_amount = models.DecimalField(_("gift wrap"), default=0, **MONEY)
    gift_wrap_tax_amount = models.DecimalField(_("gift wrap tax"), default=0, **MONEY)
    lines_total_amount = models.DecimalField(
        _("total of the lines"),
        null=True,
        blank=True,
        help_text=_("What the lines add up to; differs from the total when the marketplace's figures do not reconcile"),
        **MONEY,
    )
    refunded_amount = models.DecimalField(_("refunded"), default=0, **MONEY)
    # What the marketplace reports it refunded or cancelled (ours included), taxes included.
    marketplace_refunded_amount = models.DecimalField(_("refunded on the marketplace"), default=0, **MONEY)
    marketplace_cancelled_amount = models.DecimalField(_("cancelled on the marketplace"), default=0, **MONEY)
    payment_method = models.CharField(_("payment method"), max_length=50, blank=True)
    purchase_order_number = models.CharField(_("purchase order number"), max_length=100, blank=True)
    earliest_ship_date = models.DateTimeField(_("ship from"), null=True, blank=True)
    earliest_delivery_date = models.DateTimeField(_("deliver from"), null=True, blank=True)
    is_gift = models.BooleanField(_("gift"), default=False)

    buyer_name = models.CharField(_("buyer"), max_length=200, blank=True)
    buyer_email = models.CharField(_("buyer e-mail"), max_length=254, blank=True)
    shipping_method = models.CharField(_("shipping method"), max_length=100, blank=True)
    is_prime = models.BooleanField(_("Prime"), default=False)
    is_business = models.BooleanField(_("business order"), default=False)
    fulfilled_by_marketplace = models.BooleanField(
        _("fulfilled by the marketplace"), default=False, help_text=_("Amazon FBA and the like: read-only for us")
    )

    ship_name = models.CharField(_("recipient"), max_length=200, blank=True)
    ship_company = models.CharField(_("company"), max_length=200, blank=True)
    ship_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    ship_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_line3 = models.CharField(_("address line 3"), max_length=200, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    ship_city = models.CharField(_("city"), max_length=100, blank=True)
    ship_region = models.CharField(_("region"), max_length=100, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, blank=True, db_index=True)
    ship_phone = models.CharField(_("phone"), max_length=50, blank=True)
    relay_point_id = models.CharField(_("relay point"), max_length=50, blank=True)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)

    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)

    # Triage: what operators and rules add on top of the marketplace's data.
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_orders",
        verbose_name=_("assignee"),
    )
    tags = ArrayField(models.CharField(max_length=50), default=list, blank=True, verbose_name=_("tags"))
    priority = models.SmallIntegerField(_("priority"), default=0, help_text=_("Higher first in the queue"))
    on_hold = models.BooleanField(_("held for review"), default=False)

    raw_payload = models.JSONField(_("marketplace payload"), default=dict, encoder=DjangoJSONEncoder)
    content_hash = models.CharField(max_length=64, help_text="Hash of the canonical data last ingested")
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    # Computed by PostgreSQL (stored generated columns): every writer, bulk inserts
    # included, keeps them right without knowing they exist.
    search_document = models.GeneratedField(
        expression=_search_document(), output_field=models.TextField(), db_persist=True, editable=False
    )
    due_at = models.GeneratedField(
        expression=_due_at(), output_field=models.DateTimeField(), db_persist=True, editable=False
    )

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["account", "marketplace_order_id"], name="order_unique_per_account"),
        ]
        indexes = [
            models.Index(fields=["status", "ship_by"], name="order_status_ship_by"),
            models.Index(fields=["status", "acceptance_deadline"], name="order_status_accept_by"),
            models.Index(fields=["-purchased_at"], name="order_purchased_desc"),
            GinIndex(fields=["raw_payload"], name="order_raw_payload_gin", opclasses=["jsonb_path_ops"]),
            GinIndex(fields=["tags"], name="order_tags_gin"),
            # The queue: search by trigram, default sort by risk, incremental sync for ERPs.
            GinIndex(OpClass(F("search_document"), name="gin_trgm_ops"), name="order_search_trgm"),
            models.Index(F("due_at").asc(nulls_last=True), F("priority").desc(), F("id").desc(), name="order_at_risk"),
            # The same order within one status: "To accept", "Shipped"… read in order, never sorted.
            models.Index(
                F("status"),
                F("due_at").asc(nulls_last=True),
                F("priority").desc(),
                F("id").desc(),
                name="order_status_at_risk",
            ),
            # "Mirakl, to ship": counted from the index alone.
            models.Index(fields=["account", "status"], name="order_account_status"),
            models.Index(fields=["updated_at", "id"], name="order_sync_cursor"),
            # An identifier pasted into the search: one equality probe per column.
            models.Index(fields=["marketplace_order_id"], name="order_marketplace_id"),
            models.Index(fields=["reference"], name="order_reference"),
            models.Index(fields=["tracking_number"], name="order_tracking_number"),
            # The KPIs recount a day's orders by the date that puts them in it (kpis/buckets.py).
            models.Index(fields=["ship_by"], name="order_ship_by"),
            models.Index(fields=["deliver_by"], name="order_deliver_by"),
            # Each account's open work (to accept, to ship, late), counted from this small index alone.
            models.Index(
                fields=["account", "status", "due_at"],
                name="order_open_backlog",
                condition=models.Q(
                    status__in=[OrderStatus.PENDING_ACCEPTANCE, OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED]
                ),
            ),
        ]
        permissions = [("act_on_order", "Can accept, refuse, cancel and ship orders")]

    def __str__(self) -> str:
        return f"{self.number} ({self.marketplace_order_id})"

    @property
    def shipping_method_label(self) -> str:
        return shipping_method_label(self.account.platform, self.shipping_method)

    @property
    def carrier_name(self) -> str:
        return carriers.CARRIER_NAMES.get(self.carrier, self.carrier)

    @property
    def tracking_url(self) -> str:
        """The carrier's public tracking page for this parcel, or "" for a carrier we have no page for."""
        return carriers.tracking_url(self.carrier, self.tracking_number) if self.tracking_number else ""

    @property
    def status_label(self) -> str:
        """The status in the reader's language: get_status_display() without rebuilding (and translating)
        every choice at each call, which a page of 100 rows feels."""
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def number(self) -> str:
        """Our own human number, stable and short."""
        return f"OMS-{self.pk:07d}" if self.pk else "OMS-new"

    @property
    def platform(self) -> str:
        return self.account.platform

    @property
    def money_warning(self) -> str:
        """Why the marketplace's money does not add up, for a person; "" when it does."""
        if self.lines_total_amount is None or self.lines_total_amount == self.total_amount:
            return ""
        return _(
            "The marketplace's total (%(total)s) does not equal what its lines add up to "
            "(%(lines)s): check the order on the marketplace before refunding or invoicing."
        ) % {
            "total": format_money(self.total_amount, self.currency),
            "lines": format_money(self.lines_total_amount, self.currency),
        }

    @property
    def next_deadline(self):
        """The deadline the operator must beat now: acceptance while to accept, ship-by while to ship."""
        if self.status == OrderStatus.PENDING_ACCEPTANCE:
            return self.acceptance_deadline
        if self.status in (OrderStatus.ACCEPTED, OrderStatus.PARTIALLY_SHIPPED):
            return self.ship_by
        return None


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    marketplace_line_id = models.CharField(_("marketplace line id"), max_length=100)
    sku = models.CharField(_("SKU"), max_length=100, db_index=True)
    marketplace_product_id = models.CharField(_("marketplace product id"), max_length=100, blank=True)
    ean = models.CharField(_("EAN"), max_length=14, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    quantity = models.PositiveIntegerField(_("quantity"))
    quantity_shipped = models.PositiveIntegerField(_("quantity shipped"), default=0)
    unit_price_amount = models.DecimalField(_("unit price"), **MONEY)
    total_amount = models.DecimalField(_("line total"), **MONEY)
    shipping_amount = models.DecimalField(_("shipping"), default=0, **MONEY)
    tax_amount = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping_tax_amount = models.DecimalField(_("shipping tax"), default=0, **MONEY)
    discount_amount = models.DecimalField(_("discounts"), default=0, **MONEY)
    shipping_discount_amount = models.DecimalField(_("shipping discounts"), default=0, **MONEY)
    fee_amount = models.DecimalField(_("fees"), default=0, **MONEY)
    gift_wrap_amount = models.DecimalField(_("gift wrap"), default=0, **MONEY)
    gift_wrap_tax_amount = models.DecimalField(_("gift wrap tax"), default=0, **MONEY)
    marketplace_refunded_amount = models.DecimalField(_("refunded on the marketplace"), default=0, **MONEY)
    marketplace_cancelled_amount = models.DecimalField(_("cancelled on the marketplace"), default=0, **MONEY)
    is_gift = models.BooleanField(_("gift"), default=False)
    gift_message = models.TextField(_("gift message"), blank=True)
    marketplace_status = models.CharField(_("marketplace status"), max_length=50, blank=True)
    ship_by = models.DateTimeField(_("ship by"), null=True, blank=True)
    buyer_requested_cancel = models.BooleanField(_("buyer asked to cancel"), default=False)
    buyer_cancel_reason = models.CharField(_("buyer's cancel reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "marketplace_line_id"], name="order_line_unique_per_order"),
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="order_line_quantity_positive"),
        ]
        # The queue's SKU and EAN filters and search read the order ids from these indexes alone.
        indexes = [
            models.Index(fields=["sku", "order"], name="order_line_sku_order"),
            models.Index(fields=["ean", "order"], name="order_line_ean_order"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"


class ActorType(models.TextChoices):
    USER = "user", _("User")
    RULE = "rule", _("Rule")
    MARKETPLACE = "marketplace", _("Marketplace")
    SYSTEM = "system", _("System")


class OrderEvent(models.Model):
    """One line of an order's timeline: who did what, and the status before and after.

    It stores what happened (a kind declared in `orders.events`, and its
    parameters), never a sentence: `orders.events.describe` renders it in the
    reader's language.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=30, help_text="Declared in orders.events (or an app's own events module)")
    actor_type = models.CharField(max_length=20, choices=ActorType.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Rule name, platform or process")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    params = models.JSONField(
        default=dict, blank=True, encoder=DjangoJSONEncoder, help_text="What the kind's sentence needs, as values"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_timeline")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.from_status}→{self.to_status}"

    @property
    def actor_display(self) -> str:
        if self.actor_type == ActorType.USER and self.actor_user_id:
            return self.actor_user.get_username()
        return self.actor_label or self.get_actor_type_display()


class MarketplaceAdjustment(models.Model):
    """A refund or cancellation the marketplace recorded on an order, once per platform id."""

    class Kind(models.TextChoices):
        REFUND = AdjustmentKind.REFUND, _("Refund")
        CANCELLATION = AdjustmentKind.CANCELLATION, _("Cancellation")

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="adjustments")
    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, null=True, blank=True, related_name="adjustments")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    marketplace_adjustment_id = models.CharField(_("marketplace id"), max_length=100)
    amount = models.DecimalField(_("items"), **MONEY)
    shipping_amount = models.DecimalField(_("shipping"), **MONEY)
    tax_amount = models.DecimalField(_("tax"), **MONEY)
    total_amount = models.DecimalField(_("total"), help_text=_("Taxes included"), **MONEY)
    quantity = models.PositiveIntegerField(_("quantity"), default=0)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    state = models.CharField(_("marketplace state"), max_length=50, blank=True)
    marketplace_created_at = models.DateTimeField(_("recorded on the marketplace at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "kind", "marketplace_adjustment_id"], name="marketplace_adjustment_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.marketplace_adjustment_id} {self.total_amount}"


class SavedView(models.Model):
    """A named queue filter: a user's own, or shared with everyone by an admin.

    The views the system ships carry a stable `key` and read in the operator's
    language (`label`); a view a person made keeps the name they gave it.
    """

    BUILT_IN_LABELS = {
        "to_accept": _("To accept"),
        "to_ship_today": _("To ship today"),
        "late": _("Late"),
        "push_failed": _("Push failed"),
    }

    name = models.CharField(_("name"), max_length=60)
    key = models.CharField(
        _("built-in view"), max_length=30, blank=True, help_text=_("Set on the views the system ships")
    )
    query = models.CharField(
        _("filters"),
        max_length=1000,
        blank=True,
        help_text=_("The queue's query string, e.g. status=pending_acceptance"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    shared = models.BooleanField(_("shared with everyone"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shared", "position", "name", "id"]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(shared=True) | models.Q(owner__isnull=False), name="saved_view_owned_or_shared"
            ),
        ]
        permissions = [("publish_savedview", "Can share a saved view with everyone")]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        return self.BUILT_IN_LABELS.get(self.key, self.name)


class BulkJob(models.Model):
    """One bulk action on many orders, run in the background, one item per order."""

    class Action(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REFUSE = "refuse", _("Refuse")
        CANCEL = "cancel", _("Cancel")
        ASSIGN = "assign", _("Assign")
        TAG = "tag", _("Tag")
        EXPORT = "export", _("Export CSV")
        LABELS = "labels", _("Print labels")  # shipments made and labels asked of the carriers (shipping.packing)

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="bulk_jobs")
    key = models.CharField(max_length=64, help_text="Sent by the form: the same key twice is the same job")
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    export_csv = models.TextField(blank=True, help_text="The file an export job produced")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("bulk job")
        verbose_name_plural = _("bulk jobs")
        constraints = [models.UniqueConstraint(fields=["created_by", "key"], name="bulk_job_key_per_user")]

    def __str__(self) -> str:
        return f"{self.action} × {self.total} [{self.status}]"

    @property
    def processed(self) -> int:
        return self.succeeded + self.failed

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.processed / self.total)


class BulkJobItem(models.Model):
    """The outcome of a bulk job on one order: done, or the exact reason it was not."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Done")
        FAILED = "failed", _("Failed")

    # What happened, as a code + params rendered in the reader's language (`text`).
    MESSAGES = {
        "accepted": _("Accepted"),
        "refused": _("Refused"),
        "cancelled": _("Cancelled"),
        "assigned": _("Assigned"),
        "tagged": _("Tagged"),
        "exported": _("Exported"),
        "label_requested": _("Label requested"),
        "labelled": _("Labelled"),
        "illegal_transition": _("The order is %(status)s: it cannot become %(requested)s."),
        "order_missing": _("This order no longer exists."),
        "database_error": _("Database error: %(error)s"),
    }

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.PENDING)
    code = models.CharField(max_length=40, blank=True)
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    message = models.TextField(blank=True, help_text="The English text of items written before `code` existed")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["job", "order"], name="bulk_item_once_per_order")]
        indexes = [models.Index(fields=["job", "outcome"], name="bulk_item_outcome")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.order_id}: {self.outcome}"

    @property
    def text(self) -> str:
        """The outcome in the reader's language; a refusal without a code of its own is the action's words."""
        template = self.MESSAGES.get(self.code)
        if template is None:
            return gettext(self.params.get("message", self.message))
        params = dict(self.params)
        for name in ("status", "requested"):
            if name in params and params[name] in OrderStatus.values:
                params[name] = OrderStatus(params[name]).label
        return str(template) % params if params else str(template)
