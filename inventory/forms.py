from django import forms
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse


class AdjustForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True), empty_label=None
    )
    change = forms.IntegerField(label=_("Change"), help_text=_("Units to add (or remove, negative)."))
    note = forms.CharField(label=_("Reason"), max_length=500)


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(label=_("Low-stock alert at"), min_value=0)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: sku, warehouse, quantity (the counted units), and bin if you wish."),
    )
    note = forms.CharField(label=_("Reason"), max_length=500, initial=_("Stock count"))
    strict = forms.BooleanField(label=_("Apply only if every row is valid"), required=False)


class BinForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True), empty_label=None
    )
    bin_location = forms.CharField(
        label=_("Bin"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"size": 10, "placeholder": "A-03-2"}),
    )
