"""Amazon SP-API Solicitations (specs/amazon/solicitations.json): the solicitation types offered for one
order, and asking its buyer for a product review and seller feedback.

getSolicitationActionsForOrder answers the HAL shape of the spec (`_links.actions` and `_links.self`,
`_embedded.actions[]._links.schema`); createProductReviewAndSellerFeedbackSolicitation takes no body and
answers 201 with an empty body. Errors are the spec's `{"errors": [{code, message, details}]}`.

What the spec says: "Send only one productReviewAndSellerFeedback or free form proactive message per order"
and "Currently only the productReviewAndSellerFeedbackSolicitation solicitation type is available". What it
does not say, so the sandbox assumes (unverified):
- the window: Amazon's public documentation (not the spec) says a solicitation can be sent 5 to 30 days after
  the order's delivery date; the sandbox offers it in that window only;
- the delivery date: the Orders API has no delivered status for a seller-fulfilled order, so the sandbox takes
  the order's `delivered_at` if it has one, else its ship date plus the sandbox's delivery delay;
- after one solicitation the action is no longer offered, and a second create is refused with 400
  `InvalidInput` in the spec's error list (the spec names no status or code for this refusal: the sandbox
  answers as its Messaging API does for a type not offered, unverified); a create outside the window is
  refused the same way.
"""

from __future__ import annotations

import datetime as dt

from .amazon_wire import check_marketplaces, request_headers
from .generate import DELIVERY_DELAY
from .routing import route
from .wire import ApiError, Response, parse_iso

BASE = "/solicitations/v1/orders/{amazonOrderId}"
ACTION = "productReviewAndSellerFeedback"
ACTION_PATH = f"{BASE}/solicitations/{ACTION}"
WINDOW_OPENS = dt.timedelta(days=5)  # after the delivery date (Amazon's public docs, not the spec: unverified)
WINDOW_CLOSES = dt.timedelta(days=30)
SHIPPED_STATUSES = ("Shipped", "PartiallyShipped", "InvoiceUnconfirmed")
RECORDED = f"solicitations.{ACTION}"


def _order(world, account, request, order_id: str) -> dict:
    ids = request.args("marketplaceIds")
    check_marketplaces(account, ids)
    if len(ids) > 1:  # spec: maxItems 1
        raise ApiError(400, "InvalidInput", "marketplaceIds: only one marketplace may be given")
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "NotFound", "Invalid order ID")
    return order


def delivered_at(order: dict) -> dt.datetime | None:
    """The order's delivery date as the sandbox assumes it (see the module docstring), or None."""
    if order.get("delivered_at"):
        return parse_iso(order["delivered_at"])
    if order["status"] in SHIPPED_STATUSES and order.get("shipped_at"):
        return parse_iso(order["shipped_at"]) + DELIVERY_DELAY
    return None


def already_solicited(world, account, order_id: str) -> bool:
    actions = world.actions.get(f"{account.key}/{order_id}", [])
    return any(entry["action"] == RECORDED for entry in actions)


def offered(world, account, order: dict) -> bool:
    delivered = delivered_at(order)
    if delivered is None or already_solicited(world, account, order["id"]):
        return False
    return delivered + WINDOW_OPENS <= world.now() <= delivered + WINDOW_CLOSES


def get_actions(world, account, request, amazonOrderId: str) -> Response:
    order = _order(world, account, request, amazonOrderId)
    query = f"?marketplaceIds={account.credentials['marketplace_id']}"
    base = BASE.format(amazonOrderId=amazonOrderId)
    names = [ACTION] if offered(world, account, order) else []
    links = [{"href": f"{base}/solicitations/{name}{query}", "name": name} for name in names]
    embedded = [
        {
            "_links": {
                "self": {"href": f"{base}/solicitations/{name}{query}", "name": name},
                "schema": {"href": f"{base}/solicitations/{name}/schema", "name": name},
            }
        }
        for name in names
    ]
    payload = {"_links": {"self": {"href": f"{base}{query}"}, "actions": links}, "_embedded": {"actions": embedded}}
    return Response(200, payload, request_headers())


def create_review_solicitation(world, account, request, amazonOrderId: str) -> Response:
    order = _order(world, account, request, amazonOrderId)
    if already_solicited(world, account, amazonOrderId):
        raise ApiError(
            400, "InvalidInput", f"A solicitation was already sent for order {amazonOrderId}: only one per order"
        )
    if not offered(world, account, order):
        raise ApiError(
            400, "InvalidInput", f"The {ACTION} solicitation is not available for order {amazonOrderId} at this time"
        )
    world.record_action(account.key, amazonOrderId, RECORDED)
    return Response(201, {}, request_headers())


ROUTES = [
    route("GET", BASE, "getSolicitationActionsForOrder", get_actions),
    route("POST", ACTION_PATH, "createProductReviewAndSellerFeedbackSolicitation", create_review_solicitation),
]
