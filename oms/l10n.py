"""How money reads in the operator's language: `1 234,56 €` in French, `€1,234.56` in English."""

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import get_language

# The currencies sellers on these marketplaces meet; any other shows its ISO code.
SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$"}


def format_money(amount, currency: str = "", *, whole_without_cents: bool = False) -> str:
    """The amount with two decimals (none for a whole amount if asked: a threshold reads `500 €`),
    grouped and separated as the active language writes numbers."""
    if amount is None or amount == "":
        return "—"
    amount = Decimal(amount)
    places = 0 if whole_without_cents and amount == amount.to_integral_value() else 2
    number = number_format(amount, places, use_l10n=True, force_grouping=True)
    symbol = SYMBOLS.get(currency, currency)
    if not symbol:
        return number
    if (get_language() or "en").startswith("en") and currency in SYMBOLS:
        sign, digits = ("-", number[1:]) if number.startswith("-") else ("", number)
        return f"{sign}{symbol}{digits}"
    return f"{number}\xa0{symbol}"
