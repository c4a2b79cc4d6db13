"""Amazon SP-API Messaging (specs/amazon/messaging.json): the message types a seller may send a buyer
about one order, and sending one of them.

getMessagingActionsForOrder lists the types offered for the order (`_links.actions`, HAL); each
create operation takes `{"text": …}` (1 to 2,000 characters, no HTML, no e-mail address) and answers
201 with an empty body. A type that is not offered for the order is refused (400 InvalidInput: the
spec names no code for it, unverified), so a client must ask first.

Which types are offered in which order status is Amazon's decision and not published: the table
below is the sandbox's assumption (unverified), plausible from each type's description.
"""

from __future__ import annotations

import re

from .amazon_wire import check_marketplaces, json_body, request_headers
from .routing import route
from .wire import ApiError, Response

BASE = "/messaging/v1/orders/{amazonOrderId}"
# Message type (path segment) → operationId of the spec.
OPERATIONS = {
    "confirmCustomizationDetails": "confirmCustomizationDetails",
    "confirmDeliveryDetails": "createConfirmDeliveryDetails",
    "legalDisclosure": "createLegalDisclosure",
    "confirmOrderDetails": "createConfirmOrderDetails",
    "confirmServiceDetails": "createConfirmServiceDetails",
    "warranty": "CreateWarranty",
    "digitalAccessKey": "createDigitalAccessKey",
    "unexpectedProblem": "createUnexpectedProblem",
}
# Offered types per order status (unverified, see the docstring).
_BEFORE_SHIPPING = ("confirmOrderDetails", "confirmCustomizationDetails", "unexpectedProblem", "legalDisclosure")
OFFERED = {
    "Pending": ("unexpectedProblem",),
    "Unshipped": _BEFORE_SHIPPING,
    "PartiallyShipped": (*_BEFORE_SHIPPING, "confirmDeliveryDetails"),
    "Shipped": ("confirmDeliveryDetails", "unexpectedProblem", "warranty", "legalDisclosure"),
    "Canceled": (),
    "Unfulfillable": (),
}
MAX_TEXT = 2000
_HTML = re.compile(r"<[a-zA-Z/!][^>]*>")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def _order(world, account, request, order_id: str) -> dict:
    ids = request.args("marketplaceIds")
    check_marketplaces(account, ids)
    if len(ids) > 1:
        raise ApiError(400, "InvalidInput", "marketplaceIds: only one marketplace may be given")
    order = world.order(account.key, order_id)
    if order is None:
        raise ApiError(404, "NotFound", "Invalid order ID")
    return order


def offered(order: dict) -> tuple[str, ...]:
    return OFFERED.get(order["status"], ())


def get_actions(world, account, request, amazonOrderId: str) -> Response:
    order = _order(world, account, request, amazonOrderId)
    query = f"?marketplaceIds={account.credentials['marketplace_id']}"
    base = BASE.format(amazonOrderId=amazonOrderId)
    links = [{"href": f"{base}/messages/{name}{query}", "name": name} for name in offered(order)]
    embedded = [
        {
            "_links": {
                "self": {"href": f"{base}/messages/{name}{query}", "name": name},
                "schema": {"href": f"{base}/messages/{name}/schema", "name": name},
            }
        }
        for name in offered(order)
    ]
    payload = {"_links": {"self": {"href": f"{base}{query}"}, "actions": links}, "_embedded": {"actions": embedded}}
    return Response(200, payload, request_headers())


def _sender(message_type: str):
    def send(world, account, request, amazonOrderId: str) -> Response:
        order = _order(world, account, request, amazonOrderId)
        body = json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= MAX_TEXT:
            raise ApiError(400, "InvalidInput", f"text is required, 1 to {MAX_TEXT} characters")
        if _HTML.search(text) or _EMAIL.search(text):
            raise ApiError(400, "InvalidInput", "text must not contain HTML or e-mail addresses")
        if message_type not in offered(order):
            raise ApiError(
                400, "InvalidInput", f"The {message_type} message type is not available for order {amazonOrderId}"
            )
        world.record_action(account.key, amazonOrderId, f"messaging.{message_type}", body)
        return Response(201, {}, request_headers())

    return send


ROUTES = [
    route("GET", BASE, "getMessagingActionsForOrder", get_actions),
    *(route("POST", f"{BASE}/messages/{name}", operation, _sender(name)) for name, operation in OPERATIONS.items()),
]
