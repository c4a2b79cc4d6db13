"""The carrier rule form of the admins' page (the Django admin has its own, shipping.admin)."""

from __future__ import annotations

import json

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shipping import carrier_choice
from shipping.models import CarrierRule, CarrierService


class CarrierRuleForm(forms.ModelForm):
    conditions = forms.CharField(
        label=_("Conditions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )

    class Meta:
        model = CarrierRule
        fields = ["name", "enabled", "service", "warehouse", "conditions"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The example and the type names are code (kept in English): shown as such.
        self.fields["conditions"].help_text = format_html(
            gettext("A list, all must hold; none: every order. E.g. %(example)s. Types: %(types)s.")
            % {"example": "<code>{}</code>", "types": "<code>{}</code>"},
            '[{"type": "country", "values": ["FR"]}, {"type": "max_weight", "grams": 2000}]',
            ", ".join(carrier_choice.CONDITIONS),
        )
        self.fields["service"].queryset = CarrierService.objects.select_related("carrier").filter(active=True)
        if self.instance.pk and not self.is_bound:
            self.initial["conditions"] = json.dumps(self.instance.conditions, ensure_ascii=False)

    def clean_conditions(self):
        text = (self.cleaned_data.get("conditions") or "").strip() or "[]"
        try:
            conditions = json.loads(text)
        except ValueError as error:
            raise ValidationError(_("Not valid JSON: %(error)s") % {"error": error}) from error
        carrier_choice.validate_conditions(conditions)
        return conditions
