"""A thread's topic from the buyer's words (subject and first message), French and English."""

from __future__ import annotations

import unicodedata

from messaging.models import Topic

# Checked in this order: the first topic with a word found wins.
KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (Topic.CANCEL, ("annul", "cancel")),
    (Topic.DAMAGED, ("endommag", "cass", "abim", "rayé", "raye", "damaged", "broken", "defectueux")),
    (Topic.INVOICE, ("facture", "invoice")),
    (Topic.RETURN, ("retour", "rembours", "return", "refund")),
    (Topic.BEFORE_PURCHASE, ("avant achat", "compatible", "en stock", "before purchase", "in stock")),
    (Topic.WHERE_IS_MY_PARCEL, ("colis", "livraison", "suivi", "recu", "parcel", "delivery", "tracking", "where is")),
)


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def classify(*texts: str) -> str:
    words = _plain(" ".join(texts))
    for topic, keys in KEYWORDS:
        if any(_plain(key) in words for key in keys):
            return topic
    return Topic.OTHER
