from django import forms
from django.utils.translation import gettext_lazy as _

from oms.errors import InvalidInput
from order_queue.selectors import assignable_users
from orders.models import BulkJob
from shipping import selectors as shipping_selectors
from shipping.tracking_numbers import check_tracking


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ShipForm(forms.Form):
    """The carriers the order's platform takes and a tracking number, checked as
    `shipping.actions.ship_order` checks them; with `lines` ((order line, units left) pairs), a
    quantity per line (`qty_<line id>`) to ship some units now and the rest later."""

    carrier = forms.ChoiceField(label=_("Carrier"))
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)

    def __init__(self, *args, platform: str, lines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.platform = platform
        self.fields["carrier"].choices = shipping_selectors.carrier_choices(platform)
        self.line_fields = []
        for line, left in lines or []:
            name = f"qty_{line.pk}"
            self.fields[name] = forms.IntegerField(
                label=line.sku, min_value=0, max_value=left, initial=left, required=False
            )
            self.line_fields.append((line, left, name))

    def clean(self):
        data = super().clean()
        # Without any quantity posted, every unit left ships.
        if any(name in self.data for _line, _left, name in self.line_fields) and not self.errors:
            data["lines"] = {line.pk: data[name] for line, _left, name in self.line_fields if data.get(name)}
            if not data["lines"]:
                self.add_error(None, _("Choose at least one unit to ship."))
        if self.errors:
            return data
        try:
            _carrier, data["tracking_number"] = check_tracking(
                platform=self.platform, carrier=data["carrier"], tracking_number=data["tracking_number"]
            )
        except InvalidInput as error:
            for field, messages in error.details.items():
                for message in messages:
                    self.add_error(field, message)
        return data

    def quantity_fields(self):
        """(order line, units left, bound field) per line, for the order page."""
        return [(line, left, self[name]) for line, left, name in self.line_fields]


class TrackingImportForm(forms.Form):
    """A third-party warehouse's CSV (shipping.tracking_import), uploaded or pasted."""

    file = forms.FileField(label=_("CSV file"), required=False)
    text = forms.CharField(label=_("or paste its rows"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    all_or_nothing = forms.BooleanField(label=_("Import nothing unless every row is valid"), required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            try:
                data["csv"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("file", _("The file is not UTF-8 text."))
        else:
            data["csv"] = data.get("text") or ""
        if not self.errors and not data["csv"].strip():
            self.add_error(None, _("Choose a file or paste its rows."))
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
