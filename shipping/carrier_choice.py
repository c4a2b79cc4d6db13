"""Which carrier service ships an order: the carrier rules, in order, first match wins, with a reason
per condition. Reads only; never writes (a dry run is the same call on any orders).

Conditions (`CarrierRule.conditions`, a list; all must hold):
- `{"type": "country", "values": ["FR", "BE"]}`: the destination country;
- `{"type": "postcode", "prefixes": ["75", "92"]}`: the destination postcode starts with one;
- `{"type": "max_weight", "grams": 2000}` / `{"type": "min_weight", "grams": 2000}`: the units' weight
  (each SKU's `Product.weight_grams` × its quantity);
- `{"type": "min_total", "amount": "100"}` / `{"type": "max_total", "amount": "30"}`: the order's total;
- `{"type": "platform", "values": ["amazon"]}` / `{"type": "account", "ids": [3]}`;
- `{"type": "shipping_method", "contains": "express"}`: the buyer's shipping method (case ignored);
- `{"type": "prime", "value": true}`, `{"type": "relay_point", "value": true}`;
- `{"type": "sku", "values": ["KETTLE"]}`: a line has one of these SKUs.

The marketplace's own constraints win over any rule: a carrier the platform does not take is never
proposed, and an order to a relay point only goes with a relay-point service (and the reverse), of
the relay network its shipping method names when it names one (Mondial Relay, Colissimo…).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from inventory.models import Product
from orders.carriers import PLATFORM_CARRIERS
from orders.models import Order
from orders.platforms import CAPABILITIES
from shipping.models import Carrier, CarrierRule, CarrierService


@dataclass(frozen=True)
class Reason:
    """A sentence kept as its English template and values; `text` renders it in the active language."""

    template: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return _(self.template) % self.params


@dataclass(frozen=True)
class Choice:
    order: Order
    rule: CarrierRule | None
    reasons: list[Reason]  # why the winner holds; without one, why each rule did not

    @property
    def service(self) -> CarrierService | None:
        return self.rule.service if self.rule else None

    @property
    def warehouse(self):
        return self.rule.warehouse if self.rule else None


def weight_of(order: Order) -> int:
    lines = list(order.lines.all())
    weights = dict(Product.objects.filter(sku__in={line.sku for line in lines}).values_list("sku", "weight_grams"))
    return sum(weights.get(line.sku, 0) * line.quantity for line in lines)


def _country(order, condition, weight) -> tuple[bool, Reason]:
    values = [value.upper() for value in condition.get("values", [])]
    return order.ship_country.upper() in values, Reason(
        N_("destination %(country)s, rule: %(values)s"), {"country": order.ship_country, "values": ", ".join(values)}
    )


def _postcode(order, condition, weight) -> tuple[bool, Reason]:
    prefixes = condition.get("prefixes", [])
    held = any(order.ship_postal_code.startswith(prefix) for prefix in prefixes)
    return held, Reason(
        N_("postcode %(postcode)s, rule: starts with %(prefixes)s"),
        {"postcode": order.ship_postal_code, "prefixes": ", ".join(prefixes)},
    )


def _max_weight(order, condition, weight) -> tuple[bool, Reason]:
    return weight <= int(condition["grams"]), Reason(
        N_("weight %(weight)s g, rule: at most %(grams)s g"), {"weight": weight, "grams": condition["grams"]}
    )


def _min_weight(order, condition, weight) -> tuple[bool, Reason]:
    return weight >= int(condition["grams"]), Reason(
        N_("weight %(weight)s g, rule: at least %(grams)s g"), {"weight": weight, "grams": condition["grams"]}
    )


def _min_total(order, condition, weight) -> tuple[bool, Reason]:
    return order.total_amount >= Decimal(str(condition["amount"])), Reason(
        N_("total %(total)s, rule: at least %(amount)s"), {"total": order.total_amount, "amount": condition["amount"]}
    )


def _max_total(order, condition, weight) -> tuple[bool, Reason]:
    return order.total_amount <= Decimal(str(condition["amount"])), Reason(
        N_("total %(total)s, rule: at most %(amount)s"), {"total": order.total_amount, "amount": condition["amount"]}
    )


def _platform(order, condition, weight) -> tuple[bool, Reason]:
    values = condition.get("values", [])
    return order.account.platform in values, Reason(
        N_("platform %(platform)s, rule: %(values)s"), {"platform": order.account.platform, "values": ", ".join(values)}
    )


def _account(order, condition, weight) -> tuple[bool, Reason]:
    ids = [int(value) for value in condition.get("ids", [])]
    return order.account_id in ids, Reason(N_("account %(account)s"), {"account": order.account.name})


def _shipping_method(order, condition, weight) -> tuple[bool, Reason]:
    wanted = str(condition.get("contains", "")).lower()
    return bool(wanted) and wanted in order.shipping_method.lower(), Reason(
        N_("shipping method “%(method)s”, rule: contains “%(wanted)s”"),
        {"method": order.shipping_method, "wanted": wanted},
    )


def _prime(order, condition, weight) -> tuple[bool, Reason]:
    wanted = bool(condition.get("value", True))
    return order.is_prime == wanted, Reason(N_("Prime order") if order.is_prime else N_("not a Prime order"))


def _relay_point(order, condition, weight) -> tuple[bool, Reason]:
    wanted = bool(condition.get("value", True))
    present = bool(order.relay_point_id)
    return present == wanted, Reason(N_("to a relay point") if present else N_("to an address, no relay point"))


def _sku(order, condition, weight) -> tuple[bool, Reason]:
    values = set(condition.get("values", []))
    found = sorted(values & {line.sku for line in order.lines.all()})
    return bool(found), Reason(
        N_("SKU %(found)s, rule: %(values)s"), {"found": ", ".join(found) or "—", "values": ", ".join(sorted(values))}
    )


CONDITIONS: dict[str, Callable] = {
    "country": _country,
    "postcode": _postcode,
    "max_weight": _max_weight,
    "min_weight": _min_weight,
    "min_total": _min_total,
    "max_total": _max_total,
    "platform": _platform,
    "account": _account,
    "shipping_method": _shipping_method,
    "prime": _prime,
    "relay_point": _relay_point,
    "sku": _sku,
}


def validate_conditions(conditions) -> None:
    """Raises ValidationError for conditions the engine cannot read (the admin form calls it)."""
    if not isinstance(conditions, list) or not all(isinstance(item, dict) for item in conditions):
        raise ValidationError(_("Give a list of conditions, each an object with a type."))
    for condition in conditions:
        kind = condition.get("type")
        if kind not in CONDITIONS:
            raise ValidationError(
                _("Unknown condition type %(type)s (known: %(known)s).")
                % {"type": kind, "known": ", ".join(CONDITIONS)}
            )
        try:
            for key in ("grams",):
                if key in condition:
                    int(condition[key])
            if "amount" in condition:
                Decimal(str(condition["amount"]))
        except (TypeError, ValueError, InvalidOperation) as error:
            raise ValidationError(_("Condition %(type)s: %(error)s") % {"type": kind, "error": error}) from error


def relay_network(order: Order) -> Carrier | None:
    """The relay-point network the buyer chose, for an order to a relay point: the carrier with a
    relay-point service whose name the order's shipping method names ("Mondial Relay – Point Relais"),
    else None (any relay-point service then keeps the relay point)."""
    if not order.relay_point_id or not order.shipping_method:
        return None
    method = order.shipping_method.lower().replace(" ", "")
    networks = Carrier.objects.filter(services__kind=CarrierService.Kind.RELAY_POINT, services__active=True).distinct()
    return next((carrier for carrier in networks if carrier.name.lower().replace(" ", "") in method), None)


def _platform_allows(order: Order, service: CarrierService, network: Carrier | None = None) -> Reason | None:
    """Why the marketplace's own constraints exclude the service; None when they do not. A relay-point
    order keeps its relay network (`network`, see relay_network)."""
    platform = order.account.platform
    if service.carrier.code not in PLATFORM_CARRIERS[platform]:
        return Reason(
            N_("%(platform)s does not take %(carrier)s"),
            {"platform": CAPABILITIES[platform].display_name, "carrier": service.carrier.name},
        )
    relay = service.kind == CarrierService.Kind.RELAY_POINT
    if order.relay_point_id and not relay:
        return Reason(N_("the buyer chose a relay point: only a relay-point service keeps it"))
    if relay and not order.relay_point_id:
        return Reason(N_("a relay-point service needs an order to a relay point"))
    if relay and network is not None and service.carrier_id != network.pk:
        return Reason(
            N_("the buyer chose a %(network)s relay point: only %(network)s keeps it"), {"network": network.name}
        )
    return None


def choose(order: Order, rules: Iterable[CarrierRule] | None = None) -> Choice:
    """The first enabled rule (in position order) whose service the platform allows and whose
    conditions all hold; `rules` (a dry run of rules not saved yet) replaces the saved ones."""
    if rules is None:
        rules = CarrierRule.objects.filter(enabled=True).select_related("service__carrier", "warehouse")
    weight = weight_of(order)
    network = relay_network(order)
    refused: list[Reason] = []
    for rule in rules:
        excluded = _platform_allows(order, rule.service, network)
        if excluded is not None:
            refused.append(Reason(N_("%(rule)s: %(why)s"), {"rule": rule.name, "why": excluded.text}))
            continue
        results = [CONDITIONS[condition["type"]](order, condition, weight) for condition in rule.conditions]
        failed = [reason for held, reason in results if not held]
        if not failed:
            return Choice(order=order, rule=rule, reasons=[reason for _held, reason in results])
        why = "; ".join(reason.text for reason in failed)
        refused.append(Reason(N_("%(rule)s: %(why)s"), {"rule": rule.name, "why": why}))
    return Choice(order=order, rule=None, reasons=refused)


def dry_run(orders: Iterable[Order], rules: Iterable[CarrierRule] | None = None) -> list[Choice]:
    """What the rules would choose for each order, changing nothing."""
    rules = list(rules) if rules is not None else None
    return [choose(order, rules) for order in orders]
