"""Carrier codes per platform and tracking-number checks."""

import pytest

from marketplaces.connectors.carriers import validate_tracking
from marketplaces.connectors.errors import InvalidRequest
from orders.carriers import (
    AMAZON_CARRIER_CODES,
    CARRIER_NAMES,
    CARRIERS,
    CDISCOUNT_CARRIER_CODES,
    EBAY_CARRIER_CODES,
    normalize_tracking,
    platform_carrier_code,
    tracking_url,
)


def test_every_carrier_has_a_name_and_every_map_uses_our_codes():
    assert set(CARRIER_NAMES) == set(CARRIERS)
    for table in (AMAZON_CARRIER_CODES, EBAY_CARRIER_CODES, CDISCOUNT_CARRIER_CODES):
        assert set(table) <= set(CARRIERS)
    assert set(EBAY_CARRIER_CODES) == set(CARRIERS)  # eBay needs a code for every shipment


@pytest.mark.parametrize(
    "carrier, number, normalized",
    [
        ("ups", "1Z 999 AA1 01 2345 6784", "1Z999AA10123456784"),
        ("colissimo", "6A12345678901", "6A12345678901"),
        ("colissimo", "8l-1234-5678-901", "8L12345678901"),
        ("colissimo", "XY123456789FR", "XY123456789FR"),
        ("chronopost", "xy 123 456 789 fr", "XY123456789FR"),
        ("dhl_express", "1234567890", "1234567890"),
        ("mondial_relay", "1234-5678", "12345678"),
        ("gls", "ZW12AB34", "ZW12AB34"),
    ],
)
def test_valid_tracking_numbers_are_normalized(carrier, number, normalized):
    assert validate_tracking(carrier, number) == normalized


@pytest.mark.parametrize(
    "carrier, number",
    [
        ("ups", "1Z999AA1012345678"),  # 15 characters after 1Z
        ("ups", "999AA10123456784XX"),
        ("colissimo", "6A1234567890"),  # 12 characters
        ("colissimo", "AA12345678901"),
        ("chronopost", "XY12345678FR"),
        ("dhl_express", "123456789"),
        ("mondial_relay", "123456789"),
        ("dpd", "12#45"),
        ("dpd", ""),
    ],
)
def test_malformed_tracking_numbers_are_refused(carrier, number):
    with pytest.raises(InvalidRequest):
        validate_tracking(carrier, number)


def test_unknown_carrier_is_refused():
    with pytest.raises(InvalidRequest, match="unknown carrier"):
        validate_tracking("la_poste_pigeon", "12345678")


def test_account_overrides_win_over_defaults():
    assert platform_carrier_code("dpd", EBAY_CARRIER_CODES) == "DPD"
    assert platform_carrier_code("dpd", EBAY_CARRIER_CODES, {"dpd": "DPDFrance"}) == "DPDFrance"
    assert platform_carrier_code("relais_colis", AMAZON_CARRIER_CODES) is None


def test_normalize_and_tracking_url():
    assert normalize_tracking(" 6a-123 ") == "6A123"
    assert tracking_url("ups", "1Z999AA10123456784") == "https://www.ups.com/track?tracknum=1Z999AA10123456784"
