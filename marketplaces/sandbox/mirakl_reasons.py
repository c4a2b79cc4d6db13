"""Mirakl RE01 `GET /api/reasons` (specs/mirakl/mmp-seller-openapi.json): every reason the operator
set up, `{reasons: [{code, label, type, is_shop_right}], total_count}`, sorted by type then the
operator's order.

The codes and labels are the operator's (set in its back office): the refund reasons' codes below are
the sandbox's own choice around the spec's one example (`15` "Out of stock", REFUND), unverified; the
incident reasons are RE11 / RE12's. The labels follow the `locale` parameter the spec documents
(`fr_FR` by default, as a French operator such as Fnac-Darty shows them; `en_*` in English); which
locales a real operator fills is unverified.
"""

from __future__ import annotations

from .mirakl_incidents import CLOSE_REASONS, OPEN_REASONS
from .wire import Response

# type -> code -> (French label, English label)
REFUND_REASONS = {
    "12": ("Produit endommagé à la livraison", "Item damaged on delivery"),
    "13": ("Produit défectueux", "Defective item"),
    "14": ("Produit non conforme à la description", "Item not as described"),
    "15": ("Rupture de stock", "Out of stock"),
    "16": ("Erreur d’article à l’envoi", "Wrong item sent"),
    "17": ("Rétractation du client", "Customer withdrawal"),
    "18": ("Geste commercial", "Goodwill gesture"),
}
FRENCH_OPEN = {
    "1": "Article non reçu",
    "2": "Article non conforme à la commande",
    "3": "Article défectueux",
    "4": "Droit de rétractation",
    "5": "Article contrefait",
}
FRENCH_CLOSE = {
    "8": "J’ai finalement reçu ma commande",
    "9": "L’article correspond finalement à la description",
    "10": "Article de remplacement reçu",
    "11": "Accord trouvé avec le vendeur",
}
CANCELATION_REASONS = {"34": ("Annulée par le client avant l’expédition", "Cancelled by the client prior to shipping")}


def reasons_table() -> list[tuple[str, str, str, str, bool]]:
    """(type, code, French label, English label, is_shop_right), in RE01's order (type, then sort index)."""
    rows = [("CANCELATION", code, fr, en, True) for code, (fr, en) in CANCELATION_REASONS.items()]
    rows += [("INCIDENT_CLOSE", code, FRENCH_CLOSE[code], en, False) for code, en in CLOSE_REASONS.items()]
    rows += [("INCIDENT_OPEN", code, FRENCH_OPEN[code], en, False) for code, en in OPEN_REASONS.items()]
    rows += [("REFUND", code, fr, en, True) for code, (fr, en) in REFUND_REASONS.items()]
    return rows


def refund_codes() -> frozenset[str]:
    return frozenset(REFUND_REASONS)


def list_reasons(world, account, request) -> Response:
    """RE01."""
    english = (request.arg("locale") or "fr_FR").lower().startswith("en")
    reasons = [
        {"code": code, "label": en if english else fr, "type": kind, "is_shop_right": shop_right}
        for kind, code, fr, en, shop_right in reasons_table()
    ]
    return Response(200, {"reasons": reasons, "total_count": len(reasons)})
