"""Carriers as data, carrier contracts and services, shipments with their lines and parcels."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplaces import credentials as credential_store
from orders.carriers import GENERIC_TRACKING


class Carrier(models.Model):
    """A carrier the seller ships with, editable by admins (seeded from `orders.carriers`)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")  # never proposed, kept for the shipments that used it
        LIMITED = "limited", _("Limited")  # usable with restrictions the note explains

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    status_note = models.CharField(
        _("status note"), max_length=300, blank=True, help_text=_("For a limited carrier: what it may be used for")
    )
    tracking_pattern = models.CharField(
        _("tracking number pattern"),
        max_length=200,
        blank=True,
        help_text=_("A regular expression for normalised tracking numbers; empty: 6 to 40 letters and digits"),
    )
    tracking_url_template = models.CharField(
        _("public tracking URL"), max_length=300, blank=True, help_text=_("With {tracking} where the number goes")
    )
    marketplace_codes = models.JSONField(
        _("marketplace codes"),
        default=dict,
        blank=True,
        help_text=_('Each platform\'s code for this carrier, e.g. {"ebay": "Colissimo"}'),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name

    def tracking_matches(self, normalized: str) -> bool:
        """Whether a normalised tracking number (orders.carriers.normalize_tracking) has this carrier's format."""
        pattern = re.compile(self.tracking_pattern) if self.tracking_pattern else GENERIC_TRACKING
        return bool(pattern.fullmatch(normalized))

    def tracking_url(self, tracking_number: str) -> str:
        return self.tracking_url_template.format(tracking=tracking_number) if self.tracking_url_template else ""

    def clean(self) -> None:
        errors = {}
        if self.tracking_pattern:
            try:
                re.compile(self.tracking_pattern)
            except re.error as error:
                errors["tracking_pattern"] = _("Not a valid regular expression: %(error)s") % {"error": error}
        if self.tracking_url_template and "{tracking}" not in self.tracking_url_template:
            errors["tracking_url_template"] = _("The URL must contain {tracking}.")
        if not isinstance(self.marketplace_codes, dict):
            errors["marketplace_codes"] = _("Give an object: platform → code.")
        if errors:
            raise ValidationError(errors)


class CarrierAccount(models.Model):
    """A contract with a carrier: where its API is (the sandbox in the demo) and the credentials, encrypted."""

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="accounts", verbose_name=_("carrier"))
    name = models.CharField(_("name"), max_length=100)
    base_url = models.URLField(_("API base URL"))
    tracking_base_url = models.URLField(
        _("tracking API base URL"),
        blank=True,
        help_text=_("When the carrier serves tracking elsewhere (La Poste Suivi for Colissimo)"),
    )
    credentials_ciphertext = models.TextField(editable=False, blank=True)
    sender = models.JSONField(
        _("sender address"),
        default=dict,
        blank=True,
        help_text=_("name, line1, line2, postal_code, city, country (ISO alpha-2), phone, email"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Tracking polls: one worker at a time per account (a lease), at most once per interval.
    tracking_lease_until = models.DateTimeField(null=True, blank=True, editable=False)
    tracking_polled_at = models.DateTimeField(_("tracking last polled"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["carrier__name", "name"]
        verbose_name = _("carrier account")
        verbose_name_plural = _("carrier accounts")

    def __str__(self) -> str:
        return f"{self.carrier} – {self.name}"

    @property
    def credentials(self) -> dict:
        return credential_store.decrypt(self.credentials_ciphertext)

    @credentials.setter
    def credentials(self, value: dict) -> None:
        self.credentials_ciphertext = credential_store.encrypt(value)


class CarrierService(models.Model):
    """One product of a carrier (home, relay point…) with the code its API takes."""

    class Kind(models.TextChoices):
        HOME = "home", _("Home delivery")
        RELAY_POINT = "relay_point", _("Relay point")
        EXPRESS = "express", _("Express")
        SIGNATURE = "signature", _("Signature on delivery")

    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="services", verbose_name=_("carrier"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    product_code = models.CharField(
        _("product code"), max_length=30, help_text=_("The carrier's code for this product")
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["carrier__name", "name"]
        verbose_name = _("carrier service")
        verbose_name_plural = _("carrier services")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "product_code"], name="carrier_service_unique_product_code"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.name}"


class Shipment(models.Model):
    """Units of one order leaving one warehouse with one carrier service, in one or more parcels."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # lines and parcels being put together
        LABEL_REQUESTED = "label_requested", _("Label requested")  # a worker asks the carrier
        LABELLED = "labelled", _("Labelled")  # every parcel has its tracking number and label
        PACKED = "packed", _("Packed")
        HANDED_OVER = "handed_over", _("Handed over")  # the carrier took the parcels
        IN_TRANSIT = "in_transit", _("In transit")
        DELIVERED = "delivered", _("Delivered")
        EXCEPTION = "exception", _("Delivery problem")  # the carrier reports a problem
        RETURNED = "returned", _("Returned to sender")  # the carrier brings the parcels back
        VOIDED = "voided", _("Voided")  # cancelled: its units may ship in another shipment

    class Origin(models.TextChoices):
        LABEL = "label", _("Label from the carrier")  # labels asked through the carrier's API
        ENTERED = "entered", _("Tracking number entered")  # shipped elsewhere, tracking typed or sent by an ERP
        IMPORTED = "imported", _("Tracking import")  # a third-party warehouse's CSV

    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order")
    )
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("carrier"))
    # A shipment whose tracking number came from elsewhere may have no warehouse, service or contract of ours.
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
    )
    service = models.ForeignKey(
        CarrierService,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("service"),
        null=True,
        blank=True,
    )
    carrier_account = models.ForeignKey(
        CarrierAccount,
        on_delete=models.PROTECT,
        related_name="shipments",
        verbose_name=_("carrier account"),
        null=True,
        blank=True,
    )
    origin = models.CharField(_("origin"), max_length=20, choices=Origin.choices, default=Origin.LABEL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True, help_text=_("Handed to the carrier"))
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    label_error = models.TextField(
        _("label error"), blank=True, help_text=_("The carrier's answer when it refused the label")
    )
    # The label request the workers must answer; an older message (a retried dead letter) is ignored.
    label_request_key = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return f"#{self.pk} {self.service or self.carrier}"

    @property
    def has_left(self) -> bool:
        return self.status in LEFT

    @property
    def can_hand_over(self) -> bool:
        return Shipment.Status.HANDED_OVER in SHIPMENT_TRANSITIONS[self.status]

    @property
    def can_void(self) -> bool:
        return Shipment.Status.VOIDED in SHIPMENT_TRANSITIONS[self.status]


# The moves a shipment may make (exception and delivery come from the carrier's tracking).
SHIPMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    Shipment.Status.DRAFT: frozenset({Shipment.Status.LABEL_REQUESTED, Shipment.Status.VOIDED}),
    Shipment.Status.LABEL_REQUESTED: frozenset({Shipment.Status.LABELLED, Shipment.Status.DRAFT}),
    Shipment.Status.LABELLED: frozenset(
        {Shipment.Status.PACKED, Shipment.Status.HANDED_OVER, Shipment.Status.IN_TRANSIT, Shipment.Status.VOIDED}
    ),
    Shipment.Status.PACKED: frozenset(
        {Shipment.Status.HANDED_OVER, Shipment.Status.IN_TRANSIT, Shipment.Status.VOIDED}
    ),
    Shipment.Status.HANDED_OVER: frozenset(
        {Shipment.Status.IN_TRANSIT, Shipment.Status.EXCEPTION, Shipment.Status.DELIVERED, Shipment.Status.RETURNED}
    ),
    Shipment.Status.IN_TRANSIT: frozenset(
        {Shipment.Status.EXCEPTION, Shipment.Status.DELIVERED, Shipment.Status.RETURNED}
    ),
    Shipment.Status.EXCEPTION: frozenset(
        {Shipment.Status.IN_TRANSIT, Shipment.Status.DELIVERED, Shipment.Status.RETURNED}
    ),
    Shipment.Status.DELIVERED: frozenset(),
    Shipment.Status.RETURNED: frozenset(),
    Shipment.Status.VOIDED: frozenset(),
}

# A shipment in one of these has left with the carrier: its units are shipped, it can no longer be voided.
LEFT = frozenset(
    {
        Shipment.Status.HANDED_OVER,
        Shipment.Status.IN_TRANSIT,
        Shipment.Status.EXCEPTION,
        Shipment.Status.DELIVERED,
        Shipment.Status.RETURNED,
    }
)
# The carrier reports a problem: the queue's "Delivery problem" filter and badge.
PROBLEMS = frozenset({Shipment.Status.EXCEPTION, Shipment.Status.RETURNED})
# Still travelling: the tracking poll asks the carrier about these.
TRACKED = frozenset({Shipment.Status.HANDED_OVER, Shipment.Status.IN_TRANSIT, Shipment.Status.EXCEPTION})


class ShipmentLine(models.Model):
    """Units of one order line in a shipment; a database trigger keeps the sum over the
    shipments that are not voided within the line's quantity (migration 0001)."""

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines", verbose_name=_("shipment"))
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="shipment_lines", verbose_name=_("order line")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique_order_line"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_line.sku}"


class Parcel(models.Model):
    """One box of a shipment: its weight and size, and the carrier's tracking number and label."""

    class LabelFormat(models.TextChoices):
        PDF = "PDF", "PDF"
        ZPL = "ZPL", "ZPL"

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="parcels", verbose_name=_("shipment"))
    weight_grams = models.PositiveIntegerField(_("weight (g)"), null=True, blank=True)
    length_mm = models.PositiveIntegerField(_("length (mm)"), null=True, blank=True)
    width_mm = models.PositiveIntegerField(_("width (mm)"), null=True, blank=True)
    height_mm = models.PositiveIntegerField(_("height (mm)"), null=True, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    label_format = models.CharField(
        _("label format"), max_length=3, choices=LabelFormat.choices, default=LabelFormat.PDF
    )
    label = models.BinaryField(_("label"), null=True, editable=False)
    # What this box holds, when known (order line id → units, summing to the shipment's lines over its
    # parcels): a platform that takes one package per call (eBay, Amazon) is then told every parcel.
    contents = models.JSONField(_("contents"), default=dict, blank=True)
    # The carrier's last tracking event (canonical status of shipping.carriers) and when we last asked.
    tracking_status = models.CharField(_("tracking status"), max_length=20, blank=True)
    tracking_description = models.CharField(_("tracking event"), max_length=300, blank=True)
    tracking_event_at = models.DateTimeField(_("last tracking event"), null=True, blank=True)
    tracking_checked_at = models.DateTimeField(_("tracking checked"), null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("parcel")
        verbose_name_plural = _("parcels")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight_grams__isnull=True) | Q(weight_grams__gt=0), name="parcel_weight_positive"
            ),
            models.UniqueConstraint(
                fields=["tracking_number"], condition=~Q(tracking_number=""), name="parcel_unique_tracking_number"
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_number or f"#{self.pk}"

    @property
    def tracking_url(self) -> str:
        """The carrier's public tracking page for this parcel ("" without a number or a page)."""
        return self.shipment.carrier.tracking_url(self.tracking_number) if self.tracking_number else ""


class CarrierRule(models.Model):
    """Which carrier service (and warehouse) ships an order: rules tried in order, the first whose
    conditions all hold wins (`shipping.carrier_choice`). Conditions are data, e.g.
    [{"type": "country", "values": ["FR"]}, {"type": "max_weight", "grams": 2000}]."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100, help_text=_("Lower first"))
    enabled = models.BooleanField(_("enabled"), default=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    service = models.ForeignKey(
        CarrierService, on_delete=models.PROTECT, related_name="rules", verbose_name=_("carrier service")
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        on_delete=models.PROTECT,
        related_name="carrier_rules",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("carrier rule")
        verbose_name_plural = _("carrier rules")

    def __str__(self) -> str:
        return self.name


class PickList(models.Model):
    """The orders of one pick list, in the order it lists them; its barcode (`code`) opens them
    one after the other at the packing station."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    order_ids = ArrayField(models.IntegerField(), verbose_name=_("orders"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("pick list")
        verbose_name_plural = _("pick lists")

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"PL-{self.pk:06d}"


PICK_LIST_CODE = re.compile(r"^PL-?(\d{1,12})$", re.IGNORECASE)


class PackingSession(models.Model):
    """An order being packed at the station: the units expected per order line and those scanned.

    One open session per order: a second station that scans the same order joins it, and
    every scan changes the counts under the order's lock (shipping.packing)."""

    order = models.ForeignKey(
        "orders.Order", on_delete=models.CASCADE, related_name="packing_sessions", verbose_name=_("order")
    )
    shipment = models.ForeignKey(
        Shipment, on_delete=models.CASCADE, related_name="packing_sessions", verbose_name=_("shipment")
    )
    pick_list = models.ForeignKey(
        PickList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("pick list")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("started by")
    )
    expected = models.JSONField(default=dict, help_text="Order line id → units to scan")
    scanned = models.JSONField(default=dict, help_text="Order line id → units scanned")
    codes = models.JSONField(default=dict, help_text="Every code that names a line (EAN, SKU, upper case) → its id")
    blocked_by = models.CharField(
        _("refused scan"), max_length=200, blank=True, help_text=_("A wrong or surplus item, until it is put aside")
    )
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("packed at"), null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("packing session")
        verbose_name_plural = _("packing sessions")
        constraints = [
            models.UniqueConstraint(
                fields=["order"], condition=Q(finished_at__isnull=True), name="packing_one_open_session_per_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}: {self.units_scanned}/{self.units_expected}"

    @property
    def units_expected(self) -> int:
        return sum(self.expected.values())

    @property
    def units_scanned(self) -> int:
        return sum(self.scanned.values())

    @property
    def complete(self) -> bool:
        return all(self.scanned.get(line, 0) >= units for line, units in self.expected.items())
