"""Order rules an admin writes in the UI, the decisions they took, and the buyers admins flagged.

A rule is a scope (platforms and/or accounts), a list of conditions (JSON, each
validated by `rules.conditions`) and one action. Rules run in `position`
order and the first one whose conditions all hold wins. Every run leaves a
`RuleDecision` with the reason per condition, so the queue can say why.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from marketplaces.models import Platform
from rules import declared
from rules.reasons import render


class RuleAction(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    REFUSE = "refuse", _("Refuse")
    HOLD = "hold", _("Hold for review")
    TAG = "tag", _("Tag")
    SET_PRIORITY = "set_priority", _("Set priority")


def action_choices() -> list:
    """The rules' own actions, then those apps above declared (`rules.declared`)."""
    return [*RuleAction.choices, *declared.choices()]


def outcome_choices() -> list:
    return [*RuleDecision.Outcome.choices, *declared.outcome_choices()]


class Rule(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False, help_text=_("Try a dry run before switching it on."))
    position = models.PositiveIntegerField(
        _("position"), default=0, help_text=_("Lower runs first; the first match wins.")
    )
    platforms = ArrayField(
        models.CharField(max_length=20, choices=Platform.choices),
        default=list,
        blank=True,
        verbose_name=_("platforms"),
        help_text=_("Empty: every platform."),
    )
    accounts = models.ManyToManyField(
        "marketplaces.MarketplaceAccount",
        blank=True,
        related_name="order_rules",
        verbose_name=_("accounts"),
        help_text=_("Empty: every account."),
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=action_choices)
    action_reason = models.CharField(
        _("reason"), max_length=500, blank=True, help_text=_("Refusal or hold reason, shown on the order's timeline.")
    )
    action_tag = models.CharField(_("tag"), max_length=50, blank=True)
    action_priority = models.SmallIntegerField(_("priority"), null=True, blank=True)
    action_params = models.JSONField(
        _("action parameters"), default=dict, blank=True, help_text="A declared action's choices (rules.declared)"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("order rule")
        verbose_name_plural = _("order rules")

    def __str__(self) -> str:
        return self.name

    def in_scope(self, order) -> bool:
        """Whether the rule looks at this order at all (its platforms and accounts)."""
        if self.platforms and order.account.platform not in self.platforms:
            return False
        account_ids = self.scope_account_ids
        return not account_ids or order.account_id in account_ids

    @property
    def trigger(self) -> str:
        return declared.trigger_of(self.action)

    @property
    def trigger_label(self):
        return declared.trigger_label(self.action)

    @property
    def action_param_labels(self) -> list[tuple[str, str]]:
        """A declared action's parameters as (label, chosen value), for the rule list."""
        action = declared.declared(self.action)
        if action is None:
            return []
        return [
            (str(param.label), declared.param_label(self.action, param.name, self.action_params.get(param.name)))
            for param in action.params
        ]

    @property
    def platform_labels(self) -> list[str]:
        return [str(Platform(platform).label) for platform in self.platforms]

    @property
    def condition_descriptions(self) -> list:
        from rules.conditions import build

        return [condition.describe() for condition in build(self.conditions)]

    @property
    def scope_account_ids(self) -> list[int]:
        # Read through the prefetch cache when the selector filled it.
        return sorted(account.pk for account in self.accounts.all())


class RuleDecision(models.Model):
    """What the rules decided for one order on one run, with the reason per condition."""

    class Outcome(models.TextChoices):
        ACCEPT = "accept", _("Accepted")
        REFUSE = "refuse", _("Refused")
        HOLD = "hold", _("Held for review")
        TAG = "tag", _("Tagged")
        SET_PRIORITY = "set_priority", _("Priority set")
        NO_MATCH = "no_match", _("No rule matched")
        FAILED = "failed", _("Failed")

    # Outcomes that put an order in front of a person (an accepted order is not "flagged").
    FLAGS = (Outcome.REFUSE, Outcome.HOLD, Outcome.TAG, Outcome.SET_PRIORITY)
    # Outcomes where a rule changed the order: each rule does that at most once per order.
    ACTED = (Outcome.ACCEPT, *FLAGS)

    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="rule_decisions")
    rule = models.ForeignKey(Rule, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions")
    rule_name = models.CharField(_("rule"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=outcome_choices)
    reasons = models.JSONField(
        _("reasons"), default=list, blank=True, help_text="One sentence per condition, for a person"
    )
    dry_run = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rule decision")
        verbose_name_plural = _("rule decisions")
        indexes = [models.Index(fields=["order", "-created_at"], name="rule_decision_latest")]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "rule"],
                condition=models.Q(dry_run=False, outcome__in=["accept", "refuse", "hold", "tag", "set_priority"]),
                name="rule_acts_once_per_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.rule_name or '—'}: {self.outcome}"

    @property
    def sentences(self) -> list[str]:
        """The reasons in the reader's language (decisions from before reasons had a shape: as stored)."""
        return [render(reason) for reason in self.reasons]

    @property
    def explanation(self) -> str:
        return "; ".join(self.sentences)


class FlaggedBuyer(models.Model):
    """A buyer to watch (by e-mail or by name), for the "buyer flagged" condition."""

    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email", "name"]
        verbose_name = _("flagged buyer")
        verbose_name_plural = _("flagged buyers")
        constraints = [
            models.CheckConstraint(condition=~models.Q(email="", name=""), name="flagged_buyer_has_email_or_name"),
        ]

    def __str__(self) -> str:
        return self.email or self.name
