"""Carrier choice: rules in order, first match wins, a reason per condition; the marketplace's own
constraints win; a dry run changes nothing; the order page shows the proposal and why."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from inventory.models import Product
from orders import carriers
from shipping import carrier_choice
from shipping.models import CarrierRule, CarrierService
from tests.factories import MarketplaceAccountFactory, OrderLineDataFactory, make_order

pytestmark = pytest.mark.django_db


def service(code: str, product: str) -> CarrierService:
    return CarrierService.objects.get(carrier__code=code, product_code=product)


@pytest.fixture
def rules(db):
    Product.objects.create(sku="KETTLE", title="Kettle", weight_grams=1200)
    Product.objects.create(sku="ANVIL", title="Anvil", weight_grams=30_000)
    return [
        CarrierRule.objects.create(name="Relay points", position=1, service=service("colissimo", "A2P"), conditions=[]),
        CarrierRule.objects.create(
            name="Heavy by UPS",
            position=2,
            service=service("ups", "11"),
            conditions=[{"type": "min_weight", "grams": 5000}],
        ),
        CarrierRule.objects.create(
            name="France light",
            position=3,
            service=service("colissimo", "DOM"),
            conditions=[{"type": "country", "values": ["FR"]}, {"type": "max_weight", "grams": 5000}],
        ),
    ]


def order_of(sku: str, quantity: int = 1, **fields):
    return make_order(lines=[OrderLineDataFactory(sku=sku, quantity=quantity)], **fields)


def test_the_first_rule_that_holds_wins_with_its_reasons(rules):
    light = carrier_choice.choose(order_of("KETTLE", 2))
    assert light.rule.name == "France light" and light.service.product_code == "DOM"
    assert [reason.text for reason in light.reasons] == [
        "destination FR, rule: FR",
        "weight 2400 g, rule: at most 5000 g",
    ]
    heavy = carrier_choice.choose(order_of("ANVIL"))
    assert heavy.rule.name == "Heavy by UPS"


def test_the_marketplace_constraints_win(rules, monkeypatch):
    relay = carrier_choice.choose(relay_order())
    assert relay.rule.name == "Relay points"
    # An address order never gets the relay-point service, and says why the rule was passed over.
    home = carrier_choice.choose(order_of("KETTLE"))
    assert home.rule.name == "France light"
    # A platform that does not take UPS never gets it.
    monkeypatch.setitem(carriers.PLATFORM_CARRIERS, "mirakl", ("colissimo",))
    anvil = carrier_choice.choose(order_of("ANVIL"))
    assert anvil.rule is None
    assert "Heavy by UPS: Mirakl does not take UPS" in [reason.text for reason in anvil.reasons]


def relay_order():
    order = order_of("KETTLE")
    order.relay_point_id = "PR-123"
    order.save(update_fields=["relay_point_id"])
    return order


def test_a_dry_run_of_rules_not_saved_changes_nothing(rules):
    order = order_of("KETTLE")
    draft = CarrierRule(name="Everything by DHL", service=service("dhl_parcel", "V01PAK"), conditions=[])
    [choice] = carrier_choice.dry_run([order], rules=[draft])
    assert choice.rule is draft and choice.reasons == []
    assert CarrierRule.objects.count() == 3

    out = io.StringIO()
    call_command("carrier_rules_dry_run", orders=5, stdout=out)
    assert f"{order.number}: Colissimo Domicile sans signature (France light)" in out.getvalue()


def test_unknown_conditions_are_refused():
    with pytest.raises(ValidationError, match="Unknown condition type weather"):
        carrier_choice.validate_conditions([{"type": "weather", "values": ["sunny"]}])
    with pytest.raises(ValidationError):
        carrier_choice.validate_conditions({"type": "country"})


def test_the_order_page_shows_the_proposal_and_why_in_french(rules, client, operator):
    order = order_of("KETTLE", account=MarketplaceAccountFactory(platform="amazon"))
    client.force_login(operator)
    page = client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "par la règle « France light »" in page
    assert "destination FR, règle : FR" in page
