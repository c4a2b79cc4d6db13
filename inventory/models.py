"""Stock per SKU and warehouse, what reserved it, and what each marketplace was told.

`available = on_hand − reserved` per (product, warehouse). Every change to a
`StockLevel` is a conditional UPDATE in `inventory.ledger` that also writes a
`StockMovement`, so the movements of a level always add up to it.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from orders.events import render
from orders.models import ActorType


class Product(models.Model):
    """One SKU we hold in stock (the SKU the marketplaces sell, unless a listing maps it)."""

    sku = models.CharField(_("SKU"), max_length=100, unique=True)
    ean = models.CharField(_("EAN"), max_length=14, blank=True, db_index=True)
    title = models.CharField(_("title"), max_length=500)
    weight_grams = models.PositiveIntegerField(_("weight (g)"), default=0)
    low_stock_threshold = models.PositiveIntegerField(
        _("low-stock alert at"), default=0, help_text=_("Alert when the available quantity falls to this or below.")
    )
    active = models.BooleanField(_("active"), default=True, help_text=_("Inactive products are published as 0."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        permissions = [
            ("adjust_stock", "Can adjust, set and import stock counts"),
            ("receive_stock", "Can receive purchase orders"),
        ]

    def __str__(self) -> str:
        return self.sku


class Warehouse(models.Model):
    """A place stock ships from; orders go to the first warehouse (by priority) that can ship them whole."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(_("priority"), default=10, help_text=_("Lower ships first."))
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "id"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="levels")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    bin_location = models.CharField(
        _("bin"),
        max_length=30,
        blank=True,
        db_default="",
        help_text=_("Where the units are in the warehouse (aisle, shelf, bin)"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["product", "warehouse__priority"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_unique"),
            # The last line of defence against overselling: the database refuses it.
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(on_hand__gte=F("reserved")), name="stock_available_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Listing(models.Model):
    """A marketplace offer whose SKU is not ours, or a bundle (several rows with the same listing SKU).

    Without a listing, an order line's SKU is our product's SKU, one unit per unit.
    """

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="listings",
        help_text=_("Empty: on every account."),
    )
    listing_sku = models.CharField(_("marketplace SKU"), max_length=100, db_index=True)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="listings")
    units = models.PositiveIntegerField(_("units per item"), default=1)

    class Meta:
        ordering = ["listing_sku", "product"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["account", "listing_sku", "product"], name="listing_component_unique"),
            models.UniqueConstraint(
                fields=["listing_sku", "product"],
                condition=Q(account__isnull=True),
                name="listing_component_unique_all",
            ),
            models.CheckConstraint(condition=Q(units__gt=0), name="listing_units_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_sku} → {self.units} × {self.product_id}"


class OrderAllocation(models.Model):
    """Where an order's stock is held, or why it is not (a back-order)."""

    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        BACKORDER = "backorder", _("Back-order")
        RELEASED = "released", _("Released")
        CONSUMED = "consumed", _("Shipped from stock")

    order = models.OneToOneField("orders.Order", related_name="allocation", on_delete=models.CASCADE)
    warehouse = models.ForeignKey(
        Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="allocations"
    )
    status = models.CharField(_("stock"), max_length=20, choices=Status.choices, db_index=True)
    reason = models.CharField(max_length=40, blank=True, help_text="Why: a kind declared in inventory.events")
    params = models.JSONField(default=dict, blank=True, help_text="What the reason's sentence needs, as values")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("order allocation")
        verbose_name_plural = _("order allocations")

    def __str__(self) -> str:
        return f"{self.order_id}: {self.status}"

    @property
    def is_backorder(self) -> bool:
        return self.status == self.Status.BACKORDER

    @property
    def explanation(self) -> str:
        """Why, in the reader's language."""
        return render(self.reason, self.params)


class Reservation(models.Model):
    """Units of one product held for one order line (a bundle line holds one per component)."""

    line = models.ForeignKey("orders.OrderLine", on_delete=models.CASCADE, related_name="reservations")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="reservations")
    level = models.ForeignKey(StockLevel, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("units held"), help_text=_("Still reserved: not shipped, not released."))
    consumed = models.PositiveIntegerField(_("units shipped"), default=0)
    released = models.PositiveIntegerField(_("units released"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["line", "level"], name="reservation_once_per_line_level")]

    def __str__(self) -> str:
        return f"{self.quantity} × level {self.level_id} for line {self.line_id}"


class StockMovement(models.Model):
    """One change of a stock level, with its reason and who made it."""

    class Reason(models.TextChoices):
        RESERVED = "reserved", _("Order reserved")
        RELEASED = "released", _("Order cancelled or refused")
        SHIPPED = "shipped", _("Shipped")
        RECEIVED = "received", _("Received")
        ADJUSTED = "adjusted", _("Adjusted")
        IMPORTED = "imported", _("Imported")
        RETURNED = "returned", _("Returned")
        WRITTEN_OFF = "written_off", _("Written off")  # returned units not fit to sell again

    level = models.ForeignKey(StockLevel, on_delete=models.CASCADE, related_name="movements")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="movements")
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    on_hand_change = models.IntegerField(_("on hand change"), default=0)
    reserved_change = models.IntegerField(_("reserved change"), default=0)
    on_hand_after = models.IntegerField(_("on hand after"))
    reserved_after = models.IntegerField(_("reserved after"))
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    purchase_order = models.ForeignKey(
        "PurchaseOrder", on_delete=models.SET_NULL, null=True, blank=True, related_name="movements"
    )
    actor_type = models.CharField(max_length=20)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["product", "-id"], name="stock_movement_history")]

    def __str__(self) -> str:
        return f"{self.reason} {self.on_hand_change:+}/{self.reserved_change:+} on {self.level_id}"

    @property
    def actor_display(self) -> str:
        """Who moved the stock, in the reader's language where it is not a name ("system" → "Système")."""
        if self.actor_user_id:
            return self.actor_user.get_username()
        if self.actor_label and self.actor_label != self.actor_type:
            return self.actor_label
        return str(ActorType(self.actor_type).label) if self.actor_type in ActorType.values else self.actor_type


class ChannelRule(models.Model):
    """What one account publishes: for every SKU (no product) or for one SKU (overrides the account's rule)."""

    account = models.ForeignKey("marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="stock_rules")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, null=True, blank=True, related_name="channel_rules")
    publish = models.BooleanField(
        _("publish stock"), default=True, help_text=_("Off: this account's stock is not pushed.")
    )
    buffer = models.PositiveIntegerField(_("buffer"), default=0, help_text=_("Publish available minus this."))
    unpublish_below = models.PositiveIntegerField(
        _("unpublish at"), default=0, help_text=_("Publish 0 when the available quantity is this or less.")
    )
    max_quantity = models.PositiveIntegerField(_("maximum published"), null=True, blank=True)
    percentage = models.PositiveSmallIntegerField(
        _("percentage"), default=100, help_text=_("Share of the stock shown.")
    )
    warehouses = models.ManyToManyField(
        Warehouse, blank=True, related_name="+", verbose_name=_("warehouses"), help_text=_("Empty: every warehouse.")
    )

    class Meta:
        verbose_name = _("channel stock rule")
        verbose_name_plural = _("channel stock rules")
        constraints = [
            models.UniqueConstraint(fields=["account", "product"], name="channel_rule_per_sku"),
            models.UniqueConstraint(
                fields=["account"], condition=Q(product__isnull=True), name="channel_rule_per_account"
            ),
            models.CheckConstraint(condition=Q(percentage__lte=100), name="channel_rule_percentage_max"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.product_id or '*'}"


class ChannelPublication(models.Model):
    """What we told one account about one SKU, and what it said back (stock freshness)."""

    class Outcome(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SUBMITTED = "submitted", _("Awaiting the platform's report")  # an asynchronous import, report not read yet
        ACCEPTED = "accepted", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        DEFERRED = "deferred", _("Retrying")

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="stock_publications"
    )
    sku = models.CharField(_("marketplace SKU"), max_length=100)
    needs_push = models.BooleanField(default=False, help_text="Stock changed since the last push")
    queued_quantity = models.IntegerField(_("quantity sent"), null=True)
    queued_at = models.DateTimeField(_("sent at"), null=True)
    message = models.ForeignKey("oms.OutboxMessage", on_delete=models.SET_NULL, null=True, related_name="+")
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.QUEUED)
    error = models.TextField(_("error"), blank=True)
    report_id = models.CharField(
        _("platform import"),
        max_length=100,
        blank=True,
        help_text="The platform's import or package id whose report answers for this SKU",
    )
    published_quantity = models.IntegerField(_("published quantity"), null=True)
    published_at = models.DateTimeField(_("confirmed at"), null=True)

    class Meta:
        ordering = ["account", "sku"]
        constraints = [models.UniqueConstraint(fields=["account", "sku"], name="publication_unique")]
        indexes = [models.Index(fields=["account"], name="publication_to_push", condition=Q(needs_push=True))]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.sku}: {self.published_quantity}"


class PendingStockPush(models.Model):
    """A product whose stock changed since the last push (append-only: no lock contention)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.product_id} since {self.created_at:%Y-%m-%d %H:%M:%S}"


class PurchaseOrder(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RECEIVED = "received", _("Received")

    reference = models.CharField(_("reference"), max_length=100, unique=True)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="purchase_orders")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    expected_at = models.DateField(_("expected on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.reference


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    quantity_ordered = models.PositiveIntegerField(_("ordered"))
    quantity_received = models.PositiveIntegerField(_("received"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "product"], name="po_line_unique"),
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered")), name="po_line_not_over_received"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.quantity_received}/{self.quantity_ordered}"

    @property
    def remaining(self) -> int:
        return self.quantity_ordered - self.quantity_received
