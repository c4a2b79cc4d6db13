"""Every condition, holding and not holding, with the sentence the timeline shows."""

import pytest

from rules import actions
from rules.conditions import Context, build, clean_conditions
from tests.rules.conftest import order_with, put_in_stock


def check(order, condition: dict, context=None):
    [built] = build(clean_conditions([condition]))
    result = built.check(order, context or Context.load())
    return result.passed, str(result.reason)


@pytest.mark.django_db
class TestSku:
    def test_all_lines_match(self, mirakl):
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "10"), ("chair-02", 1, "10")])
        assert check(order, {"type": "sku", "patterns": ["CHAIR-*"]}) == (True, "all SKUs match CHAIR-*")

    def test_one_line_does_not_match(self, mirakl):
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "10"), ("LAMP-02", 1, "10")])
        assert check(order, {"type": "sku", "patterns": ["CHAIR-*"]}) == (False, "SKU LAMP-02 does not match CHAIR-*")

    def test_any_and_none(self, mirakl):
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "10"), ("LAMP-02", 1, "10")])
        assert check(order, {"type": "sku", "patterns": ["LAMP-?2", "SOFA-*"], "match": "any"}) == (
            True,
            "SKU LAMP-02 matches LAMP-?2, SOFA-*",
        )
        assert check(order, {"type": "sku", "patterns": ["SOFA-*"], "match": "any"}) == (False, "no SKU matches SOFA-*")
        assert check(order, {"type": "sku", "patterns": ["SOFA-*"], "match": "none"}) == (True, "no SKU matches SOFA-*")
        assert check(order, {"type": "sku", "patterns": ["LAMP-*"], "match": "none"}) == (
            False,
            "SKU LAMP-02 matches LAMP-*",
        )


@pytest.mark.django_db
class TestTotal:
    def test_within_maximum(self, mirakl):
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])
        assert check(order, {"type": "total", "max": "500"}) == (True, "total €42.90 ≤ €500")

    def test_range_and_outside(self, mirakl):
        order = order_with(account=mirakl, lines=[("CHAIR-01", 2, "300.00")], shipping="4.90")
        assert check(order, {"type": "total", "max": "500"}) == (False, "total €604.90 > €500")
        assert check(order, {"type": "total", "min": "1000"}) == (False, "total €604.90 < €1,000")
        assert check(order, {"type": "total", "min": "10", "max": "999.99"}) == (True, "total €10 ≤ €604.90 ≤ €999.99")
        assert check(order, {"type": "total", "min": "600"}) == (True, "total €604.90 ≥ €600")

    def test_other_currency_never_matches(self, mirakl):
        order = order_with(account=mirakl, currency="GBP")
        assert check(order, {"type": "total", "max": "500"}) == (False, "total in GBP, the rule's range is in EUR")


@pytest.mark.django_db
class TestQuantity:
    def test_within_limits(self, mirakl):
        order = order_with(account=mirakl, lines=[("A", 2, "1"), ("B", 1, "1")])
        assert check(order, {"type": "quantity", "max_per_line": 2, "max_per_order": 5}) == (
            True,
            "quantity 2 ≤ 2 per line, 3 units ≤ 5 per order",
        )

    def test_over_a_limit(self, mirakl):
        order = order_with(account=mirakl, lines=[("A", 4, "1"), ("B", 3, "1")])
        assert check(order, {"type": "quantity", "max_per_line": 3}) == (False, "quantity 4 > 3 per line (A)")
        assert check(order, {"type": "quantity", "max_per_order": 6}) == (False, "7 units > 6 per order")


@pytest.mark.django_db
class TestCountry:
    def test_in_and_out_of_the_list(self, mirakl):
        order = order_with(account=mirakl)  # the factory ships to FR
        assert check(order, {"type": "country", "countries": ["fr", "BE"]}) == (True, "ships to FR (in FR, BE)")
        assert check(order, {"type": "country", "countries": ["DE"]}) == (False, "ships to FR, not in DE")

    def test_excluded(self, mirakl):
        order = order_with(account=mirakl)
        assert check(order, {"type": "country", "countries": ["FR"], "exclude": True}) == (
            False,
            "ships to FR (excluded)",
        )
        assert check(order, {"type": "country", "countries": ["DE"], "exclude": True}) == (
            True,
            "ships to FR, not in DE",
        )


@pytest.mark.django_db
class TestShippingMethod:
    def test_listed_or_not(self, mirakl):
        order = order_with(account=mirakl, shipping_method="Express")
        assert check(order, {"type": "shipping_method", "methods": ["express", "Relay"]}) == (
            True,
            "shipping method Express (in express, Relay)",
        )
        assert check(order, {"type": "shipping_method", "methods": ["Standard"]}) == (
            False,
            "shipping method Express, not in Standard",
        )
        assert check(order, {"type": "shipping_method", "methods": ["Express"], "exclude": True}) == (
            False,
            "shipping method Express (excluded)",
        )


@pytest.mark.django_db
class TestBuyerFlagged:
    def test_flagged_by_email_or_name(self, mirakl, admin_user):
        actions.flag_buyer(email="Fraud@Example.com", reason="chargebacks", created_by=admin_user)
        actions.flag_buyer(name="Jean  Dupont", created_by=admin_user)
        by_email = order_with(account=mirakl, buyer_email="fraud@example.com", buyer_name="Someone")
        by_name = order_with(account=mirakl, buyer_email="jd@example.com", buyer_name="jean dupont")
        clean = order_with(account=mirakl, buyer_email="ok@example.com", buyer_name="Marie Curie")
        assert check(by_email, {"type": "buyer", "flagged": False}) == (
            False,
            "buyer fraud@example.com flagged (chargebacks)",
        )
        assert check(by_name, {"type": "buyer", "flagged": True}) == (True, "buyer jean dupont flagged")
        assert check(clean, {"type": "buyer", "flagged": False}) == (True, "buyer not flagged")
        assert check(clean, {"type": "buyer", "flagged": True}) == (False, "buyer not flagged")


@pytest.mark.django_db
class TestAddressRisk:
    def test_billing_and_shipping_countries(self, mirakl):
        from tests.factories import AddressDataFactory

        same = order_with(account=mirakl, billing_address=AddressDataFactory(country_code="FR"))
        other = order_with(account=mirakl, billing_address=AddressDataFactory(country_code="NG"))
        unknown = order_with(account=mirakl, billing_address=None)
        assert check(same, {"type": "address", "mismatch": False}) == (True, "billing country FR = shipping country FR")
        assert check(other, {"type": "address", "mismatch": False}) == (
            False,
            "billing country NG ≠ shipping country FR",
        )
        assert check(other, {"type": "address", "mismatch": True}) == (True, "billing country NG ≠ shipping country FR")
        assert check(unknown, {"type": "address", "mismatch": True}) == (
            False,
            "no billing or shipping country to compare",
        )


@pytest.mark.django_db
class TestStock:
    def test_reserved_lines_pass_with_the_figures(self, mirakl):
        put_in_stock("CHAIR-01", 3)
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])
        assert check(order, {"type": "stock"}) == (True, "stock 3 ≥ 1 for all lines")

    def test_several_lines(self, mirakl):
        put_in_stock("CHAIR-01", 3)
        put_in_stock("LAMP-02", 5)
        order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "10"), ("LAMP-02", 2, "10")])
        assert check(order, {"type": "stock"}) == (True, "stock CHAIR-01 3 ≥ 1, LAMP-02 5 ≥ 2 for all lines")

    def test_lines_that_cannot_be_reserved(self, mirakl):
        put_in_stock("CHAIR-01", 1)
        order = order_with(account=mirakl, lines=[("CHAIR-01", 2, "42.90")])
        assert check(order, {"type": "stock"}) == (False, "cannot reserve stock: CHAIR-01 1 < 2")

    def test_no_reservation_cannot_be_confirmed(self, mirakl):
        order = order_with(account=mirakl)
        type(order.allocation).objects.filter(order=order).delete()
        order = type(order).objects.get(pk=order.pk)
        assert check(order, {"type": "stock"}) == (False, "cannot confirm stock: no stock reservation for this order")
