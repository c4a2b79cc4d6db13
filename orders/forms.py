from django import forms
from django.utils.translation import gettext_lazy as _

CARRIERS = [
    ("colissimo", "Colissimo"),
    ("chronopost", "Chronopost"),
    ("dhl_express", "DHL Express"),
    ("dhl_parcel", "DHL Parcel"),
    ("ups", "UPS"),
    ("dpd", "DPD"),
    ("gls", "GLS"),
    ("mondial_relay", "Mondial Relay"),
    ("relais_colis", "Relais Colis"),
    ("colis_prive", "Colis Privé"),
    ("fedex", "FedEx"),
    ("tnt", "TNT"),
]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500)


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=CARRIERS)
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=100)
