"""Return labels printed by a carrier (its return product), asked through the outbox.

The request goes the other way round from a shipment: the buyer sends, our warehouse (the
carrier account's sender address) receives. Only Colissimo's return product is imitated by
the carrier sandbox (`CORE`, "8R" parcel numbers); UPS ReturnService and DHL's retoure
service are not (unverified), so their accounts are not offered.
"""

from __future__ import annotations

from shipping import selectors as shipping_selectors
from shipping.carriers import LabelRequest, ParcelSpec

RETURN_LABEL = "carrier.return_label"
RETURN_PRODUCTS = {"colissimo": "CORE"}
DEFAULT_WEIGHT_GRAMS = 1000


def carrier_destination(carrier_account_id: int) -> str:
    return f"carrier:{carrier_account_id}"


def return_label_request(found, *, weight_grams: int) -> LabelRequest:
    """What the carrier needs: the buyer as sender, our warehouse as addressee, its return product."""
    order, warehouse = found.order, found.carrier_account.sender
    return LabelRequest(
        reference=found.number,
        product_code=RETURN_PRODUCTS[found.carrier_account.carrier.code],
        sender=shipping_selectors.buyer_address(order),
        addressee=shipping_selectors.account_address(warehouse),
        parcels=[ParcelSpec(weight_grams=weight_grams)],
        label_format="PDF",
    )
