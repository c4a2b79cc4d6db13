from django import forms
from django.utils.translation import gettext_lazy as _

from oms.access import resources, selectors

NO_ACCESS = ""


class ApiClientForm(forms.Form):
    """A name, an access per declared resource (none, read, read and write), and the accounts."""

    name = forms.CharField(label=_("Name"), max_length=100)
    accounts = forms.ModelMultipleChoiceField(
        label=_("Marketplace accounts"),
        queryset=selectors.marketplace_accounts(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every account."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(NO_ACCESS, _("No access")), ("read", _("Read")), ("write", _("Read and write"))]
        for resource in resources.declared():
            self.fields[f"scope_{resource.name}"] = forms.ChoiceField(
                label=resource.label, choices=choices, required=False
            )

    def scope_fields(self):
        return [self[f"scope_{resource.name}"] for resource in resources.declared()]

    def scopes(self) -> list[str]:
        """`<resource>:read`, and `<resource>:write` too for read and write."""
        scopes = []
        for resource in resources.declared():
            access = self.cleaned_data.get(f"scope_{resource.name}")
            if access in ("read", "write"):
                scopes.append(f"{resource.name}:read")
            if access == "write":
                scopes.append(f"{resource.name}:write")
        return scopes

    def account_ids(self) -> list[int] | None:
        accounts = self.cleaned_data["accounts"]
        return [account.pk for account in accounts] if accounts else None
