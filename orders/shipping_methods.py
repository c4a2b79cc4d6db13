"""Each platform's shipping-method codes in an operator's words; pure data.

The order keeps the platform's own value (`Order.shipping_method`); screens show
`shipping_method_label(platform, value)`, and the raw value in the order's
marketplace details. A code not listed here is shown as the platform sent it.
Codes are the ones the platforms' order payloads carry (MARKETPLACES.md; the
lists are not exhaustive and are unverified against each operator's own list).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _

from orders.platforms import AMAZON, CDISCOUNT, EBAY, MIRAKL

STANDARD = _("Standard")
EXPRESS = _("Express")
RELAY = _("Relay point")
NEXT_DAY = _("Next day")

METHODS: Mapping[str, Mapping[str, object]] = {
    # Amazon ShipServiceLevel.
    AMAZON: {
        "Std FR Dom_1": STANDARD,
        "Std FR Dom_2": STANDARD,
        "Std FR Dom": STANDARD,
        "Standard": STANDARD,
        "FreeEconomy": STANDARD,
        "Exp FR Dom_1": EXPRESS,
        "Exp FR Dom_2": EXPRESS,
        "Exp FR Dom": EXPRESS,
        "Expedited": EXPRESS,
        "NextDay FR Dom": NEXT_DAY,
        "NextDay": NEXT_DAY,
        "Priority": NEXT_DAY,
    },
    # eBay shippingServiceCode (fulfillmentStartInstructions.shippingStep).
    EBAY: {
        "FR_ColiposteColissimo": _("Colissimo (standard)"),
        "FR_ColiposteColissimoRecommande": _("Colissimo (signed for)"),
        "FR_ChronopostChrono13": _("Chronopost 13h (express)"),
        "FR_ChronopostChrono18": _("Chronopost 18h (express)"),
        "FR_MondialRelay": _("Mondial Relay (relay point)"),
        "FR_RelaisColis": _("Relais Colis (relay point)"),
        "FR_Ecopli": _("Ecopli letter"),
        "FR_LaPosteLetterMax": _("Lettre Max"),
        "FR_PostOfficeLetter": _("Letter"),
    },
    # Mirakl shipping_type_code (the operator's own codes; these are the usual ones).
    MIRAKL: {
        "STD": STANDARD,
        "STANDARD": STANDARD,
        "EXP": EXPRESS,
        "EXPRESS": EXPRESS,
        "RELAY": RELAY,
        "PUDO": RELAY,
    },
    # Cdiscount (Octopia) shippingMethod.
    CDISCOUNT: {
        "Standard": STANDARD,
        "STD": STANDARD,
        "Tracking": _("Tracked"),
        "TRK": _("Tracked"),
        "Registered": _("Signed for"),
        "REG": _("Signed for"),
        "Express": EXPRESS,
        "EXP": EXPRESS,
        "Relay": RELAY,
        "RCO": RELAY,
        "REL": RELAY,
    },
}


def shipping_method_label(platform: str, method: str) -> str:
    """The operator's words for a platform's shipping method, else the method as sent."""
    label = METHODS.get(platform, {}).get(method)
    return str(label) if label is not None else method
