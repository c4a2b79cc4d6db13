from django import forms
from django.utils.translation import gettext_lazy as _

from kpis import metrics
from marketplaces.models import MarketplaceAccount


class TargetSettingForm(forms.Form):
    account = forms.ModelChoiceField(queryset=None)
    target = forms.CharField(max_length=60)
    threshold = forms.DecimalField(
        label=_("Threshold (%)"), min_value=0, max_value=100, decimal_places=2, required=False
    )
    window_days = forms.IntegerField(
        label=_("Window (days)"), min_value=1, max_value=metrics.MAX_WINDOW_DAYS, required=False
    )
    enabled = forms.BooleanField(label=_("Watched"), required=False)
    reset = forms.BooleanField(required=False)

    def __init__(self, *args, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = MarketplaceAccount.objects.filter(pk__in=[a.pk for a in accounts])

    def clean(self):
        data = super().clean()
        account, target = data.get("account"), data.get("target")
        if account and target and metrics.target(account.platform, target) is None:
            raise forms.ValidationError(_("This platform has no such target."))
        missing = data.get("threshold") is None or data.get("window_days") is None
        if not data.get("reset") and missing and not self.errors:
            raise forms.ValidationError(_("Give a threshold and a window."))
        return data
