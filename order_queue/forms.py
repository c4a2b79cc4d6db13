from django import forms
from django.utils.translation import gettext_lazy as _

from marketplaces.connectors import carriers
from order_queue.selectors import assignable_users
from orders.models import BulkJob

# The carriers the connectors know (one list, in marketplaces/connectors/carriers.py).
CARRIERS = [(code, carriers.CARRIER_NAMES[code]) for code in carriers.CARRIERS]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIERS)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Nobody")
    )

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
