"""The conditions a rule can hold, each small and named after what it checks.

A rule stores its conditions as JSON: a list of `{"type": <name>, ...params}`.
`clean_conditions` validates such a list and returns it normalised, or raises
`InvalidRule` with one clear message per problem (the form and the API show
them). Each condition's `check(order, context)` answers with a `Check`: whether
it holds and the sentence a person reads on the order's timeline.
"""

from __future__ import annotations

import abc
import fnmatch
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import ClassVar

from django.utils.translation import gettext_noop as N_

from marketplaces.connectors.countries import ALPHA3_TO_ALPHA2
from oms.errors import DomainError
from rules.reasons import Reason, money, nested
from rules.stock import Check, check_stock

COUNTRIES = frozenset(ALPHA3_TO_ALPHA2.values())


class InvalidRule(DomainError):
    """A rule definition that cannot run; `details["errors"]` lists every problem."""

    code = "invalid_rule"
    http_status = 400

    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors), details={"errors": errors})
        self.errors = errors


@dataclass
class Context:
    """What a run looks up once for many orders (flagged buyers), not once per order."""

    flagged_emails: dict[str, str] = field(default_factory=dict)
    flagged_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Context:
        from rules.models import FlaggedBuyer

        context = cls()
        for buyer in FlaggedBuyer.objects.all():
            if buyer.email:
                context.flagged_emails[buyer.email.strip().casefold()] = buyer.reason
            if buyer.name:
                context.flagged_names[_name_key(buyer.name)] = buyer.reason
        return context


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _text_list(raw, what: str, errors: list[str], *, upper: bool = False) -> list[str]:
    if isinstance(raw, str):
        raw = raw.replace("\n", ",").split(",")
    if not isinstance(raw, (list, tuple)):
        errors.append(f"{what}: expected a list.")
        return []
    values = [str(value).strip() for value in raw if str(value).strip()]
    if upper:
        values = [value.upper() for value in values]
    if not values:
        errors.append(f"{what}: give at least one.")
    return list(dict.fromkeys(values))


def _flag(raw, what: str, errors: list[str]) -> bool:
    if isinstance(raw, bool):
        return raw
    errors.append(f"{what}: expected true or false.")
    return False


def _positive_int(raw, what: str, errors: list[str]) -> int | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, bool) or not str(raw).isdigit() or int(raw) <= 0:
        errors.append(f"{what}: expected a whole number above 0, got {raw!r}.")
        return None
    return int(raw)


def _amount(raw, what: str, errors: list[str]) -> Decimal | None:
    if raw in (None, ""):
        return None
    if isinstance(raw, float):
        raw = str(raw)
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors.append(f"{what}: {raw!r} is not an amount.")
        return None
    if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.01")):
        errors.append(f"{what}: {raw!r} is not an amount (0 or more, at most 2 decimals).")
        return None
    return value


def _in_list(values: list[str]) -> str:
    return ", ".join(values)


class Condition(abc.ABC):
    """One check on an order. Subclasses set `type`, `clean` their params and `check` orders."""

    type: ClassVar[str]
    label: ClassVar[str]
    looks_up_stock: ClassVar[bool] = False  # the costly one: checked after every other condition holds

    def __init__(self, params: dict):
        self.params = params

    @classmethod
    def clean(cls, raw: dict, errors: list[str]) -> dict:
        return {}

    @abc.abstractmethod
    def check(self, order, context: Context) -> Check:
        """Whether the order meets the condition, and the sentence that says so."""

    def describe(self) -> Reason:
        return Reason(self.label)


class SkuMatches(Condition):
    """SKU patterns (`*` and `?` wildcards, case-insensitive) for all lines, any line, or no line."""

    type = "sku"
    label = N_("SKU")
    MODES = ("all", "any", "none")

    @classmethod
    def clean(cls, raw, errors):
        patterns = _text_list(raw.get("patterns"), "SKU patterns", errors, upper=True)
        mode = raw.get("match", "all")
        if mode not in cls.MODES:
            errors.append(f"SKU match: expected one of {', '.join(cls.MODES)}, got {mode!r}.")
        if any(len(pattern) > 100 for pattern in patterns):
            errors.append("SKU patterns: at most 100 characters each.")
        return {"patterns": patterns, "match": mode}

    def _matching(self, sku: str) -> bool:
        return any(fnmatch.fnmatchcase(sku.upper(), pattern) for pattern in self.params["patterns"])

    def check(self, order, context):
        patterns = _in_list(self.params["patterns"])
        skus = [line.sku for line in order.lines.all()]
        matching = [sku for sku in skus if self._matching(sku)]
        other = [sku for sku in skus if not self._matching(sku)]
        mode = self.params["match"]
        if mode == "all":
            if other:
                return Check(
                    False,
                    Reason(N_("SKU %(sku)s does not match %(patterns)s"), {"sku": other[0], "patterns": patterns}),
                )
            return Check(True, Reason(N_("all SKUs match %(patterns)s"), {"patterns": patterns}))
        if mode == "any":
            if matching:
                return Check(
                    True, Reason(N_("SKU %(sku)s matches %(patterns)s"), {"sku": matching[0], "patterns": patterns})
                )
            return Check(False, Reason(N_("no SKU matches %(patterns)s"), {"patterns": patterns}))
        if matching:
            return Check(
                False, Reason(N_("SKU %(sku)s matches %(patterns)s"), {"sku": matching[0], "patterns": patterns})
            )
        return Check(True, Reason(N_("no SKU matches %(patterns)s"), {"patterns": patterns}))

    def describe(self):
        words = {
            "all": N_("every SKU matches %(patterns)s"),
            "any": N_("a SKU matches %(patterns)s"),
            "none": N_("no SKU matches %(patterns)s"),
        }
        return Reason(words[self.params["match"]], {"patterns": _in_list(self.params["patterns"])})


class StockAvailable(Condition):
    """Stock reserved for every line (see rules.stock)."""

    type = "stock"
    label = N_("stock available for every line")
    looks_up_stock = True

    def check(self, order, context):
        return check_stock(order)


class TotalInRange(Condition):
    """Order total between a minimum and/or a maximum, in one currency."""

    type = "total"
    label = N_("order total")

    @classmethod
    def clean(cls, raw, errors):
        minimum = _amount(raw.get("min"), "Minimum total", errors)
        maximum = _amount(raw.get("max"), "Maximum total", errors)
        currency = str(raw.get("currency") or "EUR").strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            errors.append(f"Currency: {currency!r} is not an ISO 4217 code.")
        if minimum is None and maximum is None and not any("total" in error for error in errors):
            errors.append("Order total: give a minimum, a maximum or both.")
        if minimum is not None and maximum is not None and minimum > maximum:
            errors.append(f"Order total: the minimum {minimum} is above the maximum {maximum}.")
        return {
            "min": None if minimum is None else str(minimum),
            "max": None if maximum is None else str(maximum),
            "currency": currency,
        }

    def check(self, order, context):
        currency = self.params["currency"]
        if order.currency != currency:
            return Check(
                False,
                Reason(
                    N_("total in %(currency)s, the rule's range is in %(rule_currency)s"),
                    {"currency": order.currency, "rule_currency": currency},
                ),
            )
        total = order.total_amount
        minimum = self.params["min"] and Decimal(self.params["min"])
        maximum = self.params["max"] and Decimal(self.params["max"])
        params = {"total": money(total, currency)}
        if minimum is not None:
            params["min"] = money(minimum, currency)
        if maximum is not None:
            params["max"] = money(maximum, currency)
        if minimum is not None and total < minimum:
            return Check(False, Reason(N_("total %(total)s < %(min)s"), params))
        if maximum is not None and total > maximum:
            return Check(False, Reason(N_("total %(total)s > %(max)s"), params))
        if minimum is not None and maximum is not None:
            return Check(True, Reason(N_("total %(min)s ≤ %(total)s ≤ %(max)s"), params))
        if maximum is not None:
            return Check(True, Reason(N_("total %(total)s ≤ %(max)s"), params))
        return Check(True, Reason(N_("total %(total)s ≥ %(min)s"), params))

    def describe(self):
        currency, minimum, maximum = self.params["currency"], self.params["min"], self.params["max"]
        params = {}
        if minimum:
            params["min"] = money(Decimal(minimum), currency)
        if maximum:
            params["max"] = money(Decimal(maximum), currency)
        if minimum and maximum:
            return Reason(N_("total between %(min)s and %(max)s"), params)
        return Reason(N_("total ≤ %(max)s"), params) if maximum else Reason(N_("total ≥ %(min)s"), params)


class QuantityWithinLimits(Condition):
    """Purchase-quantity caps: units on any one line, units on the whole order."""

    type = "quantity"
    label = N_("quantity limits")

    @classmethod
    def clean(cls, raw, errors):
        per_line = _positive_int(raw.get("max_per_line"), "Maximum per line", errors)
        per_order = _positive_int(raw.get("max_per_order"), "Maximum per order", errors)
        if per_line is None and per_order is None and not any("Maximum per" in error for error in errors):
            errors.append("Quantity limits: give a maximum per line, per order or both.")
        if per_line and per_order and per_line > per_order:
            errors.append(f"Quantity limits: {per_line} per line is more than {per_order} per order.")
        return {"max_per_line": per_line, "max_per_order": per_order}

    def check(self, order, context):
        lines = list(order.lines.all())
        largest = max(lines, key=lambda line: line.quantity)
        units = sum(line.quantity for line in lines)
        per_line, per_order = self.params["max_per_line"], self.params["max_per_order"]
        if per_line is not None and largest.quantity > per_line:
            return Check(
                False,
                Reason(
                    N_("quantity %(quantity)s > %(limit)s per line (%(sku)s)"),
                    {"quantity": largest.quantity, "limit": per_line, "sku": largest.sku},
                ),
            )
        if per_order is not None and units > per_order:
            return Check(
                False, Reason(N_("%(units)s units > %(limit)s per order"), {"units": units, "limit": per_order})
            )
        said = []
        if per_line is not None:
            said.append(
                Reason(
                    N_("quantity %(quantity)s ≤ %(limit)s per line"), {"quantity": largest.quantity, "limit": per_line}
                )
            )
        if per_order is not None:
            said.append(Reason(N_("%(units)s units ≤ %(limit)s per order"), {"units": units, "limit": per_order}))
        return Check(True, Reason("%(reasons)s", {"reasons": nested(said)}))

    def describe(self):
        said = []
        if self.params["max_per_line"]:
            said.append(Reason(N_("at most %(limit)s per line"), {"limit": self.params["max_per_line"]}))
        if self.params["max_per_order"]:
            said.append(Reason(N_("at most %(limit)s per order"), {"limit": self.params["max_per_order"]}))
        return Reason("%(reasons)s", {"reasons": nested(said)})


class ShipsToCountry(Condition):
    """Shipping country in a list (or, with `exclude`, not in it)."""

    type = "country"
    label = N_("shipping country")

    @classmethod
    def clean(cls, raw, errors):
        countries = _text_list(raw.get("countries"), "Countries", errors, upper=True)
        unknown = [code for code in countries if code not in COUNTRIES]
        if unknown:
            errors.append(f"Countries: {', '.join(unknown)} not ISO 3166 two-letter codes (FR, BE, DE…).")
        return {"countries": countries, "exclude": _flag(raw.get("exclude", False), "Countries exclude", errors)}

    def check(self, order, context):
        country, listed = order.ship_country, _in_list(self.params["countries"])
        if not country:
            return Check(False, Reason(N_("no shipping country")))
        inside = country in self.params["countries"]
        params = {"country": country, "listed": listed}
        outside = Reason(N_("ships to %(country)s, not in %(listed)s"), params)
        if self.params["exclude"]:
            return Check(not inside, Reason(N_("ships to %(country)s (excluded)"), params) if inside else outside)
        return Check(inside, Reason(N_("ships to %(country)s (in %(listed)s)"), params) if inside else outside)

    def describe(self):
        template = N_("ships outside %(listed)s") if self.params["exclude"] else N_("ships to %(listed)s")
        return Reason(template, {"listed": _in_list(self.params["countries"])})


class ShippingMethodIs(Condition):
    """Shipping method (as the marketplace names it, case-insensitive) in a list, or not."""

    type = "shipping_method"
    label = N_("shipping method")

    @classmethod
    def clean(cls, raw, errors):
        methods = _text_list(raw.get("methods"), "Shipping methods", errors)
        return {"methods": methods, "exclude": _flag(raw.get("exclude", False), "Shipping methods exclude", errors)}

    def check(self, order, context):
        method, listed = order.shipping_method or "—", _in_list(self.params["methods"])
        inside = order.shipping_method.casefold() in {value.casefold() for value in self.params["methods"]}
        params = {"method": method, "listed": listed}
        outside = Reason(N_("shipping method %(method)s, not in %(listed)s"), params)
        if self.params["exclude"]:
            return Check(not inside, Reason(N_("shipping method %(method)s (excluded)"), params) if inside else outside)
        return Check(inside, Reason(N_("shipping method %(method)s (in %(listed)s)"), params) if inside else outside)

    def describe(self):
        template = N_("shipping method not %(listed)s") if self.params["exclude"] else N_("shipping method %(listed)s")
        return Reason(template, {"listed": _in_list(self.params["methods"])})


class BuyerFlagged(Condition):
    """Whether the buyer is on the flagged-buyer list (by e-mail or name); `flagged` says which is wanted."""

    type = "buyer"
    label = N_("buyer flagged")

    @classmethod
    def clean(cls, raw, errors):
        return {"flagged": _flag(raw.get("flagged", False), "Buyer flagged", errors)}

    def check(self, order, context):
        email = (order.buyer_email or "").strip().casefold()
        if email and email in context.flagged_emails:
            found, why = order.buyer_email, context.flagged_emails[email]
        elif order.buyer_name and _name_key(order.buyer_name) in context.flagged_names:
            found, why = order.buyer_name, context.flagged_names[_name_key(order.buyer_name)]
        else:
            found, why = None, ""
        if found is None:
            return Check(not self.params["flagged"], Reason(N_("buyer not flagged")))
        if why:
            return Check(
                self.params["flagged"], Reason(N_("buyer %(buyer)s flagged (%(why)s)"), {"buyer": found, "why": why})
            )
        return Check(self.params["flagged"], Reason(N_("buyer %(buyer)s flagged"), {"buyer": found}))

    def describe(self):
        return Reason(N_("buyer flagged")) if self.params["flagged"] else Reason(N_("buyer not flagged"))


class AddressMismatch(Condition):
    """Address risk: billing country differs from shipping country; `mismatch` says which is wanted."""

    type = "address"
    label = N_("billing/shipping country")

    @classmethod
    def clean(cls, raw, errors):
        return {"mismatch": _flag(raw.get("mismatch", False), "Address mismatch", errors)}

    def check(self, order, context):
        billing = (order.billing_address or {}).get("country_code", "").upper()
        shipping = order.ship_country
        if not billing or not shipping:
            # Nothing to compare: not a proven mismatch, not a proven match either.
            return Check(False, Reason(N_("no billing or shipping country to compare")))
        params = {"billing": billing, "shipping": shipping}
        if billing != shipping:
            return Check(
                self.params["mismatch"],
                Reason(N_("billing country %(billing)s ≠ shipping country %(shipping)s"), params),
            )
        return Check(
            not self.params["mismatch"],
            Reason(N_("billing country %(billing)s = shipping country %(shipping)s"), params),
        )

    def describe(self):
        if self.params["mismatch"]:
            return Reason(N_("billing country ≠ shipping country"))
        return Reason(N_("billing country = shipping country"))


CONDITIONS: dict[str, type[Condition]] = {
    condition.type: condition
    for condition in (
        SkuMatches,
        StockAvailable,
        TotalInRange,
        QuantityWithinLimits,
        ShipsToCountry,
        ShippingMethodIs,
        BuyerFlagged,
        AddressMismatch,
    )
}


def clean_conditions(raw) -> list[dict]:
    """Validate a rule's conditions; return them normalised or raise InvalidRule listing every problem."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        raise InvalidRule(['Conditions: expected a list of {"type": …} objects.'])
    errors: list[str] = []
    cleaned, seen = [], set()
    for entry in raw:
        kind = entry.get("type") if isinstance(entry, dict) else None
        if kind not in CONDITIONS:
            errors.append(f"Unknown condition {kind!r}: use one of {', '.join(CONDITIONS)}.")
            continue
        if kind in seen:
            errors.append(f"Condition {kind!r} appears twice: put everything it checks in one.")
            continue
        seen.add(kind)
        cleaned.append({"type": kind, **CONDITIONS[kind].clean(entry, errors)})
    if errors:
        raise InvalidRule(errors)
    return cleaned


def build(conditions: list[dict]) -> list[Condition]:
    """Turn stored (already clean) conditions into objects that check orders."""
    return [CONDITIONS[entry["type"]](entry) for entry in conditions]
