"""Our carriers, each platform's code for them, and tracking-number patterns.

Everything here is data (no Django, no HTTP): the core checks a shipment's carrier and
tracking number with it before the order moves, and the connectors read the platform
codes from it when they send the shipment. The platform spellings and the tracking
patterns come from MARKETPLACES.md and are all (unverified): no official carrier list
is in the stored specs (eBay points to GeteBayDetails, Mirakl and Octopia serve a list
per operator: SH21, GET /carriers). An account overrides any code through
`settings["carrier_codes"]`, which wins over these defaults.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from orders.platforms import AMAZON, CDISCOUNT, EBAY, MIRAKL

COLISSIMO = "colissimo"
CHRONOPOST = "chronopost"
DHL_EXPRESS = "dhl_express"
DHL_PARCEL = "dhl_parcel"
UPS = "ups"
DPD = "dpd"
GLS = "gls"
MONDIAL_RELAY = "mondial_relay"
RELAIS_COLIS = "relais_colis"
COLIS_PRIVE = "colis_prive"
FEDEX = "fedex"
TNT = "tnt"

CARRIERS: tuple[str, ...] = (
    COLISSIMO,
    CHRONOPOST,
    DHL_EXPRESS,
    DHL_PARCEL,
    UPS,
    DPD,
    GLS,
    MONDIAL_RELAY,
    RELAIS_COLIS,
    COLIS_PRIVE,
    FEDEX,
    TNT,
)

# Human names, sent where a platform wants a name (Amazon carrierName with "Other",
# Mirakl carrier_name when the operator has no code for the carrier).
CARRIER_NAMES: Mapping[str, str] = {
    COLISSIMO: "Colissimo",
    CHRONOPOST: "Chronopost",
    DHL_EXPRESS: "DHL Express",
    DHL_PARCEL: "DHL Parcel",
    UPS: "UPS",
    DPD: "DPD",
    GLS: "GLS",
    MONDIAL_RELAY: "Mondial Relay",
    RELAIS_COLIS: "Relais Colis",
    COLIS_PRIVE: "Colis Privé",
    FEDEX: "FedEx",
    TNT: "TNT",
}

# Public tracking pages, sent as Mirakl carrier_url / Octopia trackingUrl (unverified URLs).
TRACKING_URLS: Mapping[str, str] = {
    COLISSIMO: "https://www.laposte.fr/outils/suivre-vos-envois?code={tracking}",
    CHRONOPOST: "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={tracking}",
    DHL_EXPRESS: "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={tracking}",
    DHL_PARCEL: "https://www.dhl.com/fr-fr/home/suivi.html?tracking-id={tracking}",
    UPS: "https://www.ups.com/track?tracknum={tracking}",
    DPD: "https://trace.dpd.fr/fr/trace/{tracking}",
    GLS: "https://gls-group.com/FR/fr/suivi-colis?match={tracking}",
    MONDIAL_RELAY: "https://www.mondialrelay.fr/suivi-de-colis/?numeroExpedition={tracking}",
    RELAIS_COLIS: "https://www.relaiscolis.com/suivi-de-colis/index.php?codeEnseigne=&nomClient=&typeRecherche=EXP&valeur={tracking}",
    COLIS_PRIVE: "https://www.colisprive.com/moncolis/pages/detailColis.aspx?numColis={tracking}",
    FEDEX: "https://www.fedex.com/fedextrack/?trknbr={tracking}",
    TNT: "https://www.tnt.com/express/fr_fr/site/outils-expedition/suivi.html?searchType=con&cons={tracking}",
}

# Amazon confirmShipment `carrierCode` (a free string in ordersV0.json); carriers
# missing here go as "Other" + carrierName. Spellings (unverified).
AMAZON_OTHER_CARRIER = "Other"
AMAZON_CARRIER_CODES: Mapping[str, str] = {
    COLISSIMO: "Colissimo",
    CHRONOPOST: "Chronopost",
    DHL_EXPRESS: "DHL",
    DHL_PARCEL: "DHL",
    UPS: "UPS",
    DPD: "DPD",
    GLS: "GLS",
    MONDIAL_RELAY: "Mondial Relay",
    COLIS_PRIVE: "Colis Prive",
    FEDEX: "FedEx",
    TNT: "TNT",
}

# eBay `shippingCarrierCode` (values of GeteBayDetails ShippingCarrierDetails) (unverified).
EBAY_CARRIER_CODES: Mapping[str, str] = {
    COLISSIMO: "Colissimo",
    CHRONOPOST: "Chronopost",
    DHL_EXPRESS: "DHL",
    DHL_PARCEL: "DHLGlobalMail",
    UPS: "UPS",
    DPD: "DPD",
    GLS: "GLS",
    MONDIAL_RELAY: "MondialRelay",
    RELAIS_COLIS: "RelaisColis",
    COLIS_PRIVE: "ColisPrive",
    FEDEX: "FedEx",
    TNT: "TNT",
}

# Mirakl `carrier_code`: each operator has its own SH21 list, so these are only a
# starting point (unverified); without a code the connector sends
# carrier_name + carrier_url instead, which OR23 accepts.
MIRAKL_CARRIER_CODES: Mapping[str, str] = {
    COLISSIMO: "COLISSIMO",
    CHRONOPOST: "CHRONOPOST",
    DHL_EXPRESS: "DHL",
    UPS: "UPS",
    DPD: "DPD",
    GLS: "GLS",
    MONDIAL_RELAY: "MONDIAL_RELAY",
    COLIS_PRIVE: "COLIS_PRIVE",
    FEDEX: "FEDEX",
    TNT: "TNT",
}

# Octopia `carrierCode` from GET /seller/v2/carriers (unverified codes; the agreed
# sandbox list has one DHL and one "FedEx/TNT" entry).
CDISCOUNT_CARRIER_CODES: Mapping[str, str] = {
    COLISSIMO: "COLISSIMO",
    CHRONOPOST: "CHRONOPOST",
    DHL_EXPRESS: "DHL",
    DHL_PARCEL: "DHL",
    UPS: "UPS",
    DPD: "DPD",
    GLS: "GLS",
    MONDIAL_RELAY: "MONDIAL_RELAY",
    RELAIS_COLIS: "RELAIS_COLIS",
    COLIS_PRIVE: "COLIS_PRIVE",
    FEDEX: "FEDEX",
    TNT: "FEDEX",
}

# Tracking numbers after normalisation (no spaces or hyphens, upper case).
# Patterns from MARKETPLACES.md (unverified). Colissimo: 13 characters, a digit and
# a letter then 11 digits (the page names "6A"; other prefixes such as 8L exist
# domestically) or the S10 form XX123456789FR.
_S10 = r"[A-Z]{2}[0-9]{9}[A-Z]{2}"
TRACKING_PATTERNS: Mapping[str, re.Pattern[str]] = {
    UPS: re.compile(r"^1Z[0-9A-Z]{16}$"),
    COLISSIMO: re.compile(rf"^(?:[0-9][A-Z][0-9]{{11}}|{_S10})$"),
    CHRONOPOST: re.compile(rf"^{_S10}$"),
    DHL_EXPRESS: re.compile(r"^[0-9]{10}$"),
    MONDIAL_RELAY: re.compile(r"^[0-9]{8}$"),
}
# Carriers without a known format: plausible length, letters and digits only.
GENERIC_TRACKING = re.compile(r"^[0-9A-Z]{6,40}$")


# The carriers each platform takes from us. Amazon and Mirakl take any carrier (by name
# when they have no code for it); eBay and Cdiscount only those they have a code for.
PLATFORM_CARRIERS: Mapping[str, tuple[str, ...]] = {
    AMAZON: CARRIERS,  # "Other" + carrierName
    EBAY: tuple(carrier for carrier in CARRIERS if carrier in EBAY_CARRIER_CODES),
    MIRAKL: CARRIERS,  # carrier_name + carrier_url
    CDISCOUNT: tuple(carrier for carrier in CARRIERS if carrier in CDISCOUNT_CARRIER_CODES),
}


def normalize_tracking(tracking_number: str) -> str:
    """Strip spaces and hyphens and upper-case (eBay wants alphanumerics only)."""
    return re.sub(r"[\s\-]", "", tracking_number or "").upper()


def tracking_matches(carrier: str, normalized: str) -> bool:
    """Whether a normalised tracking number has the carrier's format (a generic one if unknown)."""
    return bool(TRACKING_PATTERNS.get(carrier, GENERIC_TRACKING).match(normalized))


def platform_carrier_code(
    carrier: str, defaults: Mapping[str, str], overrides: Mapping[str, str] | None = None
) -> str | None:
    """The platform's code for our carrier: the account's override, else the default, else None."""
    if overrides and carrier in overrides:
        return overrides[carrier]
    return defaults.get(carrier)


def tracking_url(carrier: str, tracking_number: str) -> str:
    template = TRACKING_URLS.get(carrier, "")
    return template.format(tracking=tracking_number) if template else ""
