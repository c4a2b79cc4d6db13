"""Carrier rules for admins outside the Django admin: a page to list, create, edit, reorder and switch
rules off with a dry run over the open orders, /api/v1/carrier-rules/ (operators read, admins write),
both in the audit trail; the packing station ships with the service carrier choice proposes."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from inventory.models import Product, Warehouse
from oms import outbox
from oms.access import actions as access_actions
from shipping import packing
from shipping.models import CarrierRule, CarrierService, Shipment
from tests.factories import MarketplaceAccountFactory
from tests.shipping.conftest import SYSTEM
from tests.shipping.paperwork import order_of, stock_in
from tests.shipping.test_api import bearer

pytestmark = pytest.mark.django_db


def service(code: str, product: str) -> CarrierService:
    return CarrierService.objects.get(carrier__code=code, product_code=product)


@pytest.fixture
def amazon_orders(db):
    Product.objects.create(sku="KETTLE", title="Kettle", weight_grams=1200)
    Product.objects.create(sku="ANVIL", title="Anvil", weight_grams=30_000)
    account = MarketplaceAccountFactory(platform="amazon")
    return order_of(account, ("KETTLE", 1)), order_of(account, ("ANVIL", 1))


def test_an_admin_creates_reorders_switches_and_dry_runs_rules(client, admin_user, amazon_orders):
    kettle, anvil = amazon_orders
    client.force_login(admin_user)
    form = {
        "name": "Heavy by UPS",
        "service": service("ups", "11").pk,
        "warehouse": "",
        "conditions": '[{"type": "min_weight", "grams": 5000}]',
    }
    response = client.post(reverse("shipping:carrier_rule_create"), form)
    heavy = CarrierRule.objects.get(name="Heavy by UPS")
    assert response.url == reverse("shipping:carrier_rule_dry_run", args=[heavy.pk])
    assert heavy.enabled is False and heavy.conditions == [{"type": "min_weight", "grams": 5000}]

    # Switched off, the rule is tried in its place by its own dry run only.
    page = client.get(response.url).content.decode()
    assert "This rule decides 1 order." in page and anvil.number in page
    assert (
        "Heavy by UPS" not in client.get(reverse("shipping:carrier_rules_dry_run")).content.decode().split("<tbody>")[1]
    )

    client.post(
        reverse("shipping:carrier_rule_create"),
        {**form, "name": "Everything by Colissimo", "service": service("colissimo", "DOM").pk, "conditions": ""},
    )
    everything = CarrierRule.objects.get(name="Everything by Colissimo")
    assert everything.position > heavy.position and everything.conditions == []
    for rule in (heavy, everything):
        client.post(reverse("shipping:carrier_rule_toggle", args=[rule.pk]), {"enabled": "1"})
    client.post(reverse("shipping:carrier_rule_move", args=[everything.pk]), {"direction": "up"})
    listed = client.get(reverse("shipping:carrier_rules")).content.decode()
    assert listed.index("Everything by Colissimo") < listed.index("Heavy by UPS")
    # Colissimo first catches every order; moved back down, the anvil goes by UPS.
    rows = client.get(reverse("shipping:carrier_rules_dry_run")).content.decode()
    assert rows.count("Everything by Colissimo") >= 2
    client.post(reverse("shipping:carrier_rule_move", args=[everything.pk]), {"direction": "down"})
    assert list(CarrierRule.objects.order_by("position").values_list("name", flat=True)) == [
        "Heavy by UPS",
        "Everything by Colissimo",
    ]
    client.post(reverse("shipping:carrier_rule_toggle", args=[heavy.pk]), {"enabled": "0"})
    assert CarrierRule.objects.get(pk=heavy.pk).enabled is False
    # Every change is in the audit trail, with the admin's name.
    entries = LogEntry.objects.get_for_model(CarrierRule)
    assert entries.filter(actor=admin_user).count() >= 6


def test_bad_conditions_are_refused_and_change_nothing(client, admin_user):
    client.force_login(admin_user)
    for conditions in (
        "not json",
        '[{"type": "moon_phase"}]',
        '{"type": "country"}',
        '[{"type": "max_weight", "grams": "x"}]',
    ):
        response = client.post(
            reverse("shipping:carrier_rule_create"),
            {"name": "Bad", "service": service("ups", "11").pk, "conditions": conditions},
        )
        assert response.status_code == 200 and 'class="error"' in response.content.decode(), conditions
    assert not CarrierRule.objects.exists()


def test_operators_read_the_rules_but_do_not_change_them(client, operator, admin_user):
    rule = CarrierRule.objects.create(name="All UPS", position=10, service=service("ups", "11"))
    client.force_login(operator)
    page = client.get(reverse("shipping:carrier_rules"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "All UPS" in page and "Règles de transporteur" in page
    assert f'href="{reverse("shipping:carrier_rule_edit", args=[rule.pk])}"' not in page
    assert client.post(reverse("shipping:carrier_rule_toggle", args=[rule.pk]), {"enabled": "0"}).status_code == 403
    assert client.get(reverse("shipping:carrier_rule_create")).status_code == 403
    assert CarrierRule.objects.get().enabled is True


def test_the_api_reads_for_operators_and_writes_for_admins(operator_api, admin_api, admin_user, amazon_orders):
    body = {
        "name": "Heavy by UPS",
        "position": 10,
        "enabled": True,
        "service": service("ups", "11").pk,
        "warehouse": None,
        "conditions": [{"type": "min_weight", "grams": 5000}],
    }
    assert operator_api.post("/api/v1/carrier-rules/", body, format="json").status_code == 403
    bad = admin_api.post("/api/v1/carrier-rules/", {**body, "conditions": [{"type": "moon"}]}, format="json")
    assert bad.status_code == 400 and not CarrierRule.objects.exists()

    created = admin_api.post("/api/v1/carrier-rules/", body, format="json", HTTP_IDEMPOTENCY_KEY="rule-1")
    again = admin_api.post("/api/v1/carrier-rules/", body, format="json", HTTP_IDEMPOTENCY_KEY="rule-1")
    assert created.status_code == 201 and again.json() == created.json() and CarrierRule.objects.count() == 1
    rule_id = created.json()["id"]
    assert operator_api.get("/api/v1/carrier-rules/").json()[0]["name"] == "Heavy by UPS"
    assert operator_api.patch(f"/api/v1/carrier-rules/{rule_id}/", {"enabled": False}, format="json").status_code == 403
    assert (
        admin_api.patch(f"/api/v1/carrier-rules/{rule_id}/", {"enabled": False}, format="json").json()["enabled"]
        is False
    )
    admin_api.patch(f"/api/v1/carrier-rules/{rule_id}/", {"enabled": True}, format="json")

    kettle, anvil = amazon_orders
    rows = {row["order"]: row for row in operator_api.get("/api/v1/carrier-rules/dry-run/").json()}
    assert rows[anvil.pk]["rule"] == rule_id and rows[anvil.pk]["service"] == body["service"]
    assert rows[kettle.pk]["rule"] is None and rows[kettle.pk]["reasons"]

    _client, reader = access_actions.create_api_client(name="R", scopes=["carrier_rules:read"], created_by=admin_user)
    assert bearer(reader).get("/api/v1/carrier-rules/").status_code == 200
    assert bearer(reader).post("/api/v1/carrier-rules/", body, format="json").status_code == 403
    assert LogEntry.objects.get_for_model(CarrierRule).filter(object_pk=str(rule_id)).count() >= 3


def test_the_packing_station_ships_with_the_service_carrier_choice_proposes(account, carrier_account, carrier_sandbox):
    lyon = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    paris = Warehouse.objects.create(code="paris", name="Paris", priority=2)
    stock_in(lyon, "KETTLE", 10)
    carrier_account("colissimo")
    carrier_account("dhl_parcel")
    order = order_of(account, ("KETTLE", 1))
    default = order_of(account, ("KETTLE", 1))

    assert packing.default_service(default)[0].carrier.code == "colissimo"  # no rule: as before
    dhl = CarrierService.objects.filter(carrier__code="dhl_parcel", kind="home", active=True).first()
    CarrierRule.objects.create(
        name="Kettles by DHL",
        position=10,
        service=dhl,
        warehouse=paris,
        conditions=[{"type": "sku", "values": ["KETTLE"]}],
    )
    packing.prepare_label(order_id=order.pk, actor=SYSTEM)

    shipment = Shipment.objects.get(order=order)
    assert (shipment.service, shipment.warehouse, shipment.carrier_account.carrier.code) == (dhl, paris, "dhl_parcel")
    assert outbox.drain()["sent"] == 1
    assert Shipment.objects.get(pk=shipment.pk).status == Shipment.Status.LABELLED
