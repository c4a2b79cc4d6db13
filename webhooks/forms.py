from django import forms
from django.utils.translation import gettext_lazy as _

from oms.api.fields import InstantField
from webhooks import registry
from webhooks.actions import EndpointDefinition


class EndpointForm(forms.Form):
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), choices=registry.choices, widget=forms.CheckboxSelectMultiple)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def clean_url(self):
        url = self.cleaned_data["url"]
        if "\x00" in url:
            raise forms.ValidationError(_("Enter a valid URL."))
        return url

    def definition(self) -> EndpointDefinition:
        data = self.cleaned_data
        return EndpointDefinition(
            url=data["url"], events=tuple(data["events"]), description=data["description"], active=data["active"]
        )

    @staticmethod
    def initial_for(endpoint) -> dict:
        return {
            "url": endpoint.url,
            "description": endpoint.description,
            "events": endpoint.events,
            "active": endpoint.active,
        }


class ReplaySinceForm(forms.Form):
    since = InstantField(label=_("Since"), help_text=_("e.g. 2026-11-23 08:00"))
