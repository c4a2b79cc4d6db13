"""eBay Inventory API: bulkUpdatePriceQuantity (stock), up to 25 requests, per-item answers."""

from __future__ import annotations

from .catalogue import BY_SKU
from .ebay_wire import ebay_error
from .wire import Response, objects

BULK_MAX_REQUESTS = 25


def bulk_update_price_quantity(world, account, request) -> Response:
    """bulkUpdatePriceQuantity: ≤ 25 SKUs, one answer per item; 207 when any item fails."""
    try:
        body = request.json() if request.body else None
    except ValueError:
        body = None
    requests_ = body.get("requests") if isinstance(body, dict) else None
    if objects(requests_) is None:
        raise ebay_error(
            400, 25709, "Invalid value for requests. At least one request is needed.", domain="API_INVENTORY"
        )
    if len(requests_) > BULK_MAX_REQUESTS:
        raise ebay_error(
            400, 25709, f"Invalid value for requests. The maximum is {BULK_MAX_REQUESTS}.", domain="API_INVENTORY"
        )
    responses = []
    for item in requests_:
        sku = str(item.get("sku") or "")
        quantity = (item.get("shipToLocationAvailability") or {}).get("quantity")
        offers = item.get("offers") or []
        if quantity is None and offers:
            quantity = offers[0].get("availableQuantity")
        if sku not in BY_SKU and sku not in world.stock.get(account.key, {}):
            responses.append(
                {
                    "statusCode": 404,
                    "sku": sku,
                    "errors": [
                        {
                            "errorId": 25702,
                            "domain": "API_INVENTORY",
                            "category": "REQUEST",
                            "message": f"SKU {sku} is not available in the system",
                        }
                    ],
                    "warnings": [],
                }
            )
            continue
        if not isinstance(quantity, int) or quantity < 0:
            responses.append(
                {
                    "statusCode": 400,
                    "sku": sku,
                    "errors": [
                        {
                            "errorId": 25709,
                            "domain": "API_INVENTORY",
                            "category": "REQUEST",
                            "message": "Invalid value for quantity. The quantity must be 0 or more.",
                        }
                    ],
                    "warnings": [],
                }
            )
            continue
        world.publish_stock(account.key, sku, quantity, "bulkUpdatePriceQuantity")
        for offer in offers or [{"offerId": f"{abs(hash(sku)) % 10**10:010d}"}]:
            responses.append(
                {"statusCode": 200, "sku": sku, "offerId": str(offer.get("offerId", "")), "errors": [], "warnings": []}
            )
    status = 200 if all(r["statusCode"] == 200 for r in responses) else 207
    world.record_action(account.key, "inventory", "bulkUpdatePriceQuantity", body)
    return Response(status, {"responses": responses})
