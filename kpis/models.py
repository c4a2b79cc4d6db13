"""Daily buckets of each metric per account, the standing of each target, overrides and alerts."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kpis import metrics

METRIC_CHOICES = [(metric.key, metric.label) for metric in metrics.METRICS.values()]


class Source(models.TextChoices):
    COMPUTED = "computed", _("Computed by the OMS")
    REPORTED = "reported", _("Reported by the platform")


class DailyBucket(models.Model):
    """One metric's numerator and denominator for one account and one day (UTC), never read from orders at view time."""

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES)
    day = models.DateField(_("day"))
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.COMPUTED)
    numerator = models.PositiveIntegerField(_("numerator"))
    denominator = models.PositiveIntegerField(_("denominator"))
    # A metric in hours (the median reply time): the day's reply times in seconds, sorted, so that a
    # window's median is exact over the days merged; empty for the rates.
    durations = ArrayField(models.PositiveIntegerField(), default=list, blank=True, verbose_name=_("durations"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["account", "metric", "day"]
        verbose_name = _("daily bucket")
        verbose_name_plural = _("daily buckets")
        constraints = [
            models.UniqueConstraint(fields=["account", "metric", "source", "day"], name="kpi_bucket_once_per_day"),
            models.CheckConstraint(condition=Q(numerator__lte=models.F("denominator")), name="kpi_bucket_part_of"),
        ]
        indexes = [models.Index(fields=["day"], name="kpi_bucket_day")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.metric} {self.day}: {self.numerator}/{self.denominator}"


class TargetSetting(models.Model):
    """An admin's threshold and window for one target on one account, instead of the platform's."""

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount",
        on_delete=models.CASCADE,
        related_name="kpi_settings",
        verbose_name=_("account"),
    )
    target = models.CharField(_("target"), max_length=60, help_text=_("e.g. late_shipment_rate_30d"))
    threshold = models.DecimalField(
        _("threshold (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    window_days = models.PositiveSmallIntegerField(
        _("window (days)"), validators=[MinValueValidator(1), MaxValueValidator(metrics.MAX_WINDOW_DAYS)]
    )
    enabled = models.BooleanField(_("watched"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account", "target"]
        verbose_name = _("KPI threshold")
        verbose_name_plural = _("KPI thresholds")
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="kpi_setting_once_per_target")]

    def __str__(self) -> str:
        return f"{self.account} {self.target}"

    def clean(self) -> None:
        if self.account_id and metrics.target(self.account.platform, self.target) is None:
            raise ValidationError({"target": _("This platform has no such target.")})


class Status(models.TextChoices):
    OK = "ok", _("OK")
    WARNING = "warning", _("Warning")
    PROJECTED_BREACH = "projected_breach", _("Projected breach")
    BREACH = "breach", _("Breach")


# How bad each status is: an alert fires when a target moves up this ladder.
SEVERITY = {Status.OK: 0, Status.WARNING: 1, Status.PROJECTED_BREACH: 2, Status.BREACH: 3}


class Standing(models.Model):
    """Where one target of one account stands now, and where it goes if the orders at stake go wrong.

    Written by each refresh from the buckets and the open orders; the dashboard and the API read it.
    """

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    target = models.CharField(_("target"), max_length=60)
    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    threshold = models.DecimalField(_("threshold (%)"), max_digits=5, decimal_places=2)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)
    value = models.DecimalField(_("value (%)"), max_digits=5, decimal_places=2, null=True)
    at_stake = models.PositiveIntegerField(_("orders at stake"), default=0)
    at_stake_until = models.DateTimeField(_("at stake until"), null=True)
    projected_value = models.DecimalField(_("projected value (%)"), max_digits=5, decimal_places=2, null=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OK)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["account", "target"]
        constraints = [models.UniqueConstraint(fields=["account", "target"], name="kpi_standing_once_per_target")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.target}: {self.value} ({self.status})"

    @property
    def definition(self) -> metrics.Metric:
        return metrics.METRICS[self.metric]


class Alert(models.Model):
    """A target that crossed into warning, projected breach or breach; one open alert per target,
    a new one only when it gets worse than the open one, closed when the target is back to OK."""

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    target = models.CharField(_("target"), max_length=60)
    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    threshold = models.DecimalField(_("threshold (%)"), max_digits=5, decimal_places=2)
    value = models.DecimalField(_("value (%)"), max_digits=5, decimal_places=2, null=True)
    projected_value = models.DecimalField(_("projected value (%)"), max_digits=5, decimal_places=2, null=True)
    at_stake = models.PositiveIntegerField(_("orders at stake"), default=0)
    at_stake_until = models.DateTimeField(_("at stake until"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("KPI alert")
        verbose_name_plural = _("KPI alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "target"], condition=Q(closed_at__isnull=True), name="kpi_alert_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.target} {self.status}"

    @property
    def definition(self) -> metrics.Metric:
        return metrics.METRICS[self.metric]


class RefreshState(models.Model):
    """Where the incremental refresh stopped: orders changed since then are counted again."""

    name = models.CharField(max_length=30, unique=True)
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.refreshed_at}"


class Backlog(models.Model):
    """An account's open work as of the last refresh: what the dashboard shows without reading the orders."""

    account = models.OneToOneField(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    to_accept = models.PositiveIntegerField(_("to accept"), default=0)
    to_ship = models.PositiveIntegerField(_("to ship"), default=0)
    late = models.PositiveIntegerField(_("late"), default=0)
    computed_at = models.DateTimeField(_("computed at"))

    def __str__(self) -> str:
        return f"{self.account_id}: {self.to_accept}/{self.to_ship}/{self.late}"


class ReportedFigure(models.Model):
    """A platform's own figure for one of our metrics (Mirakl A21), shown beside ours with the gap."""

    account = models.ForeignKey(
        "marketplaces.MarketplaceAccount", on_delete=models.CASCADE, related_name="+", verbose_name=_("account")
    )
    metric = models.CharField(_("metric"), max_length=40, choices=METRIC_CHOICES)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    period = models.CharField(_("platform's period"), max_length=40)
    value = models.DecimalField(_("value (%)"), max_digits=5, decimal_places=2)
    reported_at = models.DateTimeField(_("read at"))

    class Meta:
        ordering = ["account", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["account", "metric", "window_days"], name="kpi_reported_once_per_window")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.metric} {self.value} ({self.period})"


class OrderFacts(models.Model):
    """One order's facts (`kpis/facts.py`) as the computed buckets count them now.

    The incremental refresh takes an order's old contribution to the buckets from here (its metrics'
    conditions evaluated at the last refresh's instant) and its new one from its facts recomputed now,
    and adds the difference to the buckets: it reads only the orders that changed, or whose deadline
    passed, since the last refresh. The full recomputation rewrites the table.
    """

    order_id = models.BigIntegerField(primary_key=True)
    account_id = models.BigIntegerField()
    status = models.TextField()
    purchased_at = models.DateTimeField()
    ship_by = models.DateTimeField(null=True)
    deliver_by = models.DateTimeField(null=True)
    acceptance_deadline = models.DateTimeField(null=True)
    fulfilled_by_marketplace = models.BooleanField()
    tracking_number = models.TextField()
    carrier = models.TextField()
    shipped_at = models.DateTimeField(null=True)
    delivered_at = models.DateTimeField(null=True)
    decided_at = models.DateTimeField(null=True)
    seller_cancelled = models.BooleanField()
    buyer_asked_cancel = models.BooleanField()
    returned = models.BooleanField()
    incident = models.BooleanField()

    def __str__(self) -> str:
        return f"facts of order {self.order_id}"
