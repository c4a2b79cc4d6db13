from django import forms
from django.utils.translation import gettext_lazy as _

from oms.errors import InvalidInput
from order_queue.selectors import assignable_users
from orders import capability_checks
from orders.models import BulkJob


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ShipForm(forms.Form):
    """The carriers the order's platform takes; the tracking number checked as `ship_order` checks it."""

    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)

    def __init__(self, *args, platform: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.fields["carrier"].choices = capability_checks.carrier_choices(platform)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["tracking_number"] = capability_checks.check_shipment(
                platform=self.platform, carrier=data["carrier"], tracking_number=data["tracking_number"]
            )
        except InvalidInput as error:
            for field, messages in error.details.items():
                for message in messages:
                    self.add_error(field, message)
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_users()


class TagForm(forms.Form):
    tag = forms.CharField(label=_("Tag"), max_length=50)
    remove = forms.BooleanField(required=False)


class BulkActionForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BulkJob.Action.choices)
    key = forms.CharField(max_length=64, widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    assignee = forms.CharField(label=_("Assignee"), max_length=20, required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)


class SavedViewForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)
    shared = forms.BooleanField(label=_("Share with everyone"), required=False)
