from django.db import models
from django.utils.translation import gettext_lazy as _

from orders.canonical import Platform as CanonicalPlatform


class Platform(models.TextChoices):
    AMAZON = CanonicalPlatform.AMAZON, "Amazon"
    EBAY = CanonicalPlatform.EBAY, "eBay"
    MIRAKL = CanonicalPlatform.MIRAKL, "Mirakl"
    CDISCOUNT = CanonicalPlatform.CDISCOUNT, "Cdiscount"


class MarketplaceAccount(models.Model):
    """One seller account on one marketplace (a Mirakl shop is one account per operator)."""

    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("e.g. “Fnac-Darty FR”"))
    enabled = models.BooleanField(_("enabled"), default=True)
    handling_days = models.PositiveSmallIntegerField(
        _("handling time (days)"),
        default=2,
        help_text=_("Ship-by deadline when the marketplace gives none: purchase date + this many days."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["platform", "name"]
        verbose_name = _("marketplace account")
        verbose_name_plural = _("marketplace accounts")

    def __str__(self) -> str:
        return self.name
