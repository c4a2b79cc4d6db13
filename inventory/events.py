"""Why an order holds stock or not, as kinds and parameters rendered by `orders.events`.

An `OrderAllocation` stores its reason as one of these kinds plus parameters
(warehouse names, SKUs, quantities: values, never an English sentence); the
order page shows `OrderAllocation.explanation`, rendered in the reader's
language. A new reason is one more `declare` here (see `orders.events`).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orders.events import declare

PASSED_OVER = _("%(warehouse)s lacks %(short)s")
MISSING = _("%(sku)s needs %(needed)s, %(available)s available in all")


def _passed_over(warehouses: list[dict]) -> str:
    """ " (Lyon lacks KETTLE 1/2; …)", or nothing when the first warehouse could ship it all."""
    if not warehouses:
        return ""
    reasons = [gettext(PASSED_OVER) % {"warehouse": w["warehouse"], "short": ", ".join(w["short"])} for w in warehouses]
    return " (" + "; ".join(reasons) + ")"


def _missing(products: list[dict]) -> str:
    return "; ".join(gettext(MISSING) % product for product in products)


UNKNOWN_SKU = declare(
    "stock_unknown_sku",
    label=_("Back-order"),
    template=_("Unknown SKU %(skus)s: not in the catalogue, nothing reserved."),
    formats={"skus": ", ".join},
)
NO_LINES = declare("stock_no_lines", label=_("Back-order"), template=_("The order has no line to reserve."))
NO_WAREHOUSE = declare(
    "stock_no_warehouse", label=_("Back-order"), template=_("No active warehouse ships this account’s orders.")
)
RESERVED = declare(
    "stock_reserved",
    label=_("Reserved"),
    template=_(
        "Reserved in %(warehouse)s, the first warehouse by priority that can ship the whole order%(passed_over)s."
    ),
    formats={"passed_over": _passed_over},
)
BACKORDER = declare(
    "stock_backorder",
    label=_("Back-order"),
    template=_("Back-order: no warehouse can ship the whole order (%(missing)s)%(passed_over)s."),
    formats={"missing": _missing, "passed_over": _passed_over},
)
RELEASED = declare("stock_released", label=_("Released"), template=_("Released: the order is “%(status)s”."))
NOTHING_HELD = declare(
    "stock_nothing_held", label=_("Released"), template=_("Nothing held: the order is “%(status)s”.")
)
CONSUMED = declare(
    "stock_consumed", label=_("Shipped from stock"), template=_("Shipped from %(warehouse)s: the units left the stock.")
)
CONSUMED_UNRESERVED = declare(
    "stock_consumed_unreserved",
    label=_("Shipped from stock"),
    template=_("Shipped: the units left the stock."),
)
NOTHING_CONSUMED = declare(
    "stock_nothing_consumed", label=_("Shipped from stock"), template=_("Shipped: nothing known in stock was taken.")
)
