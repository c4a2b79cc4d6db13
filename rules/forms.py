"""The rule form: one field group per condition, so an admin writes rules without code."""

from django import forms
from django.utils.translation import gettext_lazy as _

from marketplaces.models import MarketplaceAccount, Platform
from rules import actions, declared
from rules.conditions import InvalidRule
from rules.models import action_choices

INCLUDE = [("in", _("is one of")), ("not_in", _("is none of"))]
SKU_MATCH = [("all", _("every line matches")), ("any", _("at least one line matches")), ("none", _("no line matches"))]
BUYER = [("", _("any buyer")), ("not_flagged", _("buyer not flagged")), ("flagged", _("buyer flagged"))]
ADDRESS = [
    ("", _("any addresses")),
    ("match", _("billing country = shipping country")),
    ("mismatch", _("billing country ≠ shipping country")),
]


def _words(value: str) -> list[str]:
    return [word.strip() for word in value.replace("\n", ",").split(",") if word.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    platforms = forms.MultipleChoiceField(
        label=_("Platforms"),
        choices=Platform.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every platform."),
    )
    accounts = forms.ModelMultipleChoiceField(
        label=_("Accounts"),
        queryset=MarketplaceAccount.objects.order_by("platform", "name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every account."),
    )

    require_stock = forms.BooleanField(label=_("Stock reserved for every line"), required=False)
    total_min = forms.DecimalField(
        label=_("Total at least"), required=False, min_value=0, decimal_places=2, max_digits=12
    )
    total_max = forms.DecimalField(
        label=_("Total at most"), required=False, min_value=0, decimal_places=2, max_digits=12
    )
    total_currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR", required=False)
    sku_patterns = forms.CharField(
        label=_("Patterns"), required=False, help_text=_("Comma-separated; * and ? are wildcards, e.g. CHAIR-*")
    )
    sku_match = forms.ChoiceField(label=_("Lines"), choices=SKU_MATCH, initial="all", required=False)
    max_per_line = forms.IntegerField(label=_("At most per line"), required=False, min_value=1)
    max_per_order = forms.IntegerField(label=_("At most per order"), required=False, min_value=1)
    countries = forms.CharField(label=_("Countries"), required=False, help_text=_("Comma-separated codes, e.g. FR, BE"))
    countries_mode = forms.ChoiceField(label=_("Shipping country"), choices=INCLUDE, initial="in", required=False)
    shipping_methods = forms.CharField(
        label=_("Methods"), required=False, help_text=_("Comma-separated, as the marketplace names them")
    )
    shipping_methods_mode = forms.ChoiceField(label=_("Shipping method"), choices=INCLUDE, initial="in", required=False)
    buyer = forms.ChoiceField(label=_("Buyer"), choices=BUYER, required=False)
    address = forms.ChoiceField(label=_("Address risk"), choices=ADDRESS, required=False)

    action = forms.ChoiceField(label=_("Action"), choices=action_choices)
    action_reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, help_text=_("Required to refuse; shown on the timeline.")
    )
    action_tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    action_priority = forms.IntegerField(label=_("Priority"), required=False, min_value=-100, max_value=100)

    CONDITION_GROUPS = (
        (_("Stock"), ("require_stock",)),
        (_("Order total"), ("total_min", "total_max", "total_currency")),
        (_("SKU"), ("sku_match", "sku_patterns")),
        (_("Quantity limits"), ("max_per_line", "max_per_order")),
        (_("Shipping country"), ("countries_mode", "countries")),
        (_("Shipping method"), ("shipping_methods_mode", "shipping_methods")),
        (_("Buyer and address"), ("buyer", "address")),
    )

    ACTION_FIELDS = ("action", "action_reason", "action_tag", "action_priority")

    def __init__(self, *args, rule_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_id = rule_id
        # A declared action's choices (`rules.declared`): one select each, used when that action is chosen.
        for action in declared.declared_actions():
            for param in action.params:
                self.fields[self.param_field(action.name, param.name)] = forms.ChoiceField(
                    label=param.label,
                    choices=[("", param.empty_label), *param.choices()],
                    required=False,
                    help_text=param.help_text,
                )

    @staticmethod
    def param_field(action: str, param: str) -> str:
        return f"action_param_{action}__{param}"

    def condition_groups(self):
        return [(label, [self[name] for name in names]) for label, names in self.CONDITION_GROUPS]

    def action_fields(self):
        return [self[name] for name in self.fields if name in self.ACTION_FIELDS or name.startswith("action_param_")]

    def action_params(self) -> dict:
        action = declared.declared(self.cleaned_data.get("action", ""))
        if action is None:
            return {}
        return {
            param.name: self.cleaned_data.get(self.param_field(action.name, param.name)) or ""
            for param in action.params
        }

    def conditions(self) -> list[dict]:
        data, found = self.cleaned_data, []
        if data.get("require_stock"):
            found.append({"type": "stock"})
        if data.get("total_min") is not None or data.get("total_max") is not None:
            found.append(
                {
                    "type": "total",
                    "min": None if data.get("total_min") is None else str(data["total_min"]),
                    "max": None if data.get("total_max") is None else str(data["total_max"]),
                    "currency": (data.get("total_currency") or "EUR").upper(),
                }
            )
        if _words(data.get("sku_patterns") or ""):
            found.append(
                {"type": "sku", "patterns": _words(data["sku_patterns"]), "match": data.get("sku_match") or "all"}
            )
        if data.get("max_per_line") or data.get("max_per_order"):
            found.append(
                {
                    "type": "quantity",
                    "max_per_line": data.get("max_per_line"),
                    "max_per_order": data.get("max_per_order"),
                }
            )
        if _words(data.get("countries") or ""):
            found.append(
                {
                    "type": "country",
                    "countries": _words(data["countries"]),
                    "exclude": data.get("countries_mode") == "not_in",
                }
            )
        if _words(data.get("shipping_methods") or ""):
            found.append(
                {
                    "type": "shipping_method",
                    "methods": _words(data["shipping_methods"]),
                    "exclude": data.get("shipping_methods_mode") == "not_in",
                }
            )
        if data.get("buyer"):
            found.append({"type": "buyer", "flagged": data["buyer"] == "flagged"})
        if data.get("address"):
            found.append({"type": "address", "mismatch": data["address"] == "mismatch"})
        return found

    def definition(self) -> actions.RuleDefinition:
        data = self.cleaned_data
        return actions.RuleDefinition(
            name=data.get("name", ""),
            action=data.get("action", ""),
            conditions=self.conditions(),
            platforms=tuple(data.get("platforms") or ()),
            account_ids=tuple(account.pk for account in data.get("accounts") or ()),
            action_reason=data.get("action_reason") or "",
            action_tag=data.get("action_tag") or "",
            action_priority=data.get("action_priority"),
            action_params=self.action_params(),
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                actions.clean_definition(self.definition(), rule_id=self.rule_id)
            except InvalidRule as invalid:
                for message in invalid.errors:
                    self.add_error(None, message)
        return cleaned

    @classmethod
    def initial_for(cls, rule) -> dict:
        """The form's fields from a stored rule (the reverse of `conditions`)."""
        initial = {
            "name": rule.name,
            "platforms": list(rule.platforms),
            "accounts": list(rule.accounts.all()),
            "action": rule.action,
            "action_reason": rule.action_reason,
            "action_tag": rule.action_tag,
            "action_priority": rule.action_priority,
        }
        for name, value in (rule.action_params or {}).items():
            initial[cls.param_field(rule.action, name)] = value
        for entry in rule.conditions:
            kind = entry["type"]
            if kind == "stock":
                initial["require_stock"] = True
            elif kind == "total":
                initial.update(total_min=entry["min"], total_max=entry["max"], total_currency=entry["currency"])
            elif kind == "sku":
                initial.update(sku_patterns=", ".join(entry["patterns"]), sku_match=entry["match"])
            elif kind == "quantity":
                initial.update(max_per_line=entry["max_per_line"], max_per_order=entry["max_per_order"])
            elif kind == "country":
                initial.update(
                    countries=", ".join(entry["countries"]), countries_mode="not_in" if entry["exclude"] else "in"
                )
            elif kind == "shipping_method":
                initial.update(
                    shipping_methods=", ".join(entry["methods"]),
                    shipping_methods_mode="not_in" if entry["exclude"] else "in",
                )
            elif kind == "buyer":
                initial["buyer"] = "flagged" if entry["flagged"] else "not_flagged"
            elif kind == "address":
                initial["address"] = "mismatch" if entry["mismatch"] else "match"
        return initial


class DryRunForm(forms.Form):
    days = forms.IntegerField(label=_("Last days"), min_value=1, max_value=90, initial=7)


class FlaggedBuyerForm(forms.Form):
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("email") or "").strip() and not (cleaned.get("name") or "").strip():
            raise forms.ValidationError(_("Give the buyer's e-mail, name or both."))
        return cleaned
