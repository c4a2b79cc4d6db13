"""Carriers are data: seeded from orders.carriers, checked when an admin edits them."""

import pytest
from django.core.exceptions import ValidationError

from orders import carriers as seed
from shipping.models import Carrier, CarrierService


def test_the_seed_is_the_cores_carrier_list(db):
    assert set(Carrier.objects.values_list("code", flat=True)) == set(seed.CARRIERS)
    colissimo = Carrier.objects.get(code="colissimo")
    assert colissimo.tracking_pattern == seed.TRACKING_PATTERNS["colissimo"].pattern
    assert colissimo.marketplace_codes == {
        "amazon": "Colissimo",
        "ebay": "Colissimo",
        "mirakl": "COLISSIMO",
        "cdiscount": "COLISSIMO",
    }
    assert Carrier.objects.get(code="relais_colis").marketplace_codes == {
        "ebay": "RelaisColis",
        "cdiscount": "RELAIS_COLIS",
    }
    assert Carrier.objects.get(code="dpd").tracking_pattern == ""  # the generic pattern applies
    assert set(CarrierService.objects.filter(carrier=colissimo).values_list("kind", flat=True)) == {
        "home",
        "signature",
        "relay_point",
    }


def test_an_admin_cannot_store_a_broken_pattern_or_url(db):
    carrier = Carrier.objects.get(code="gls")
    carrier.tracking_pattern = "^([0-9]{11}"
    carrier.tracking_url_template = "https://gls.example/track"
    with pytest.raises(ValidationError) as invalid:
        carrier.full_clean()
    assert set(invalid.value.message_dict) == {"tracking_pattern", "tracking_url_template"}
