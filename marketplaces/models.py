from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplaces import credentials as credential_store
from orders import platforms


class Platform(models.TextChoices):
    AMAZON = platforms.AMAZON, platforms.CAPABILITIES[platforms.AMAZON].display_name
    EBAY = platforms.EBAY, platforms.CAPABILITIES[platforms.EBAY].display_name
    MIRAKL = platforms.MIRAKL, platforms.CAPABILITIES[platforms.MIRAKL].display_name
    CDISCOUNT = platforms.CDISCOUNT, platforms.CAPABILITIES[platforms.CDISCOUNT].display_name


class MarketplaceAccount(models.Model):
    """One seller account on one marketplace (a Mirakl shop is one account per operator).

    Switching from the sandbox to the real platform is a change of base URLs and
    credentials, never of code. Credentials are encrypted at rest.
    """

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("e.g. “Fnac-Darty FR”"))
    enabled = models.BooleanField(_("enabled"), default=True)
    handling_days = models.PositiveSmallIntegerField(
        _("handling time (days)"),
        default=2,
        help_text=_("Ship-by deadline when the marketplace gives none: purchase date + this many days."),
    )
    api_base_url = models.URLField(_("API base URL"), max_length=300, blank=True)
    auth_url = models.URLField(_("token URL"), max_length=300, blank=True)
    credentials_ciphertext = models.TextField(editable=False, blank=True)
    settings = models.JSONField(_("connector settings"), default=dict, blank=True)
    poll_interval_seconds = models.PositiveIntegerField(_("poll every (seconds)"), default=60)
    created_at = models.DateTimeField(auto_now_add=True)

    # Polling state: written by the poller only.
    cursor = models.DateTimeField(_("changes seen up to"), null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    poll_lease_owner = models.CharField(max_length=64, blank=True)
    poll_lease_until = models.DateTimeField(null=True, blank=True)
    last_poll_started_at = models.DateTimeField(null=True, blank=True)
    last_poll_succeeded_at = models.DateTimeField(_("last successful poll"), null=True, blank=True)
    last_poll_error = models.TextField(_("last error"), blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Where an unfinished poll stopped (throttled, failed, or long): the next one goes on from there.
    resume_since = models.DateTimeField(null=True, blank=True)
    resume_page_token = models.TextField(blank=True)
    resume_watermark = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["platform", "name"]
        verbose_name = _("marketplace account")
        verbose_name_plural = _("marketplace accounts")

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict:
        return credential_store.decrypt(self.credentials_ciphertext)

    @credentials.setter
    def credentials(self, value: dict) -> None:
        self.credentials_ciphertext = credential_store.encrypt(value)

    @property
    def lag_seconds(self) -> float | None:
        """How far behind the marketplace we may be: time since the last successful poll."""
        if self.last_poll_succeeded_at is None:
            return None
        return (timezone.now() - self.last_poll_succeeded_at).total_seconds()


class QuarantinedOrder(models.Model):
    """A marketplace payload that could not be stored, kept with the reason for an admin."""

    account = models.ForeignKey(MarketplaceAccount, on_delete=models.CASCADE, related_name="quarantined_orders")
    marketplace_order_id = models.CharField(max_length=100, blank=True)
    reason = models.TextField()
    raw = models.JSONField(null=True, encoder=DjangoJSONEncoder)
    raw_text = models.TextField(blank=True, help_text="The body as received when it was not JSON")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)
    occurrences = models.PositiveIntegerField(default=1)
    resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-last_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "marketplace_order_id", "reason"],
                condition=models.Q(resolved=False),
                name="quarantine_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.marketplace_order_id}: {self.reason}"
