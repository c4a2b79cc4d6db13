"""The text of a search as the database holds it (`Order.search_document`): lower-case, no accents.

PostgreSQL's `unaccent` builds the stored side; this is the same normalisation
for what the operator types, so "Helene" finds "Hélène" and "HÉLÈNE" finds "helene".
"""

import unicodedata

# unaccent's rules also spell out the ligatures French names carry.
LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower().strip()
