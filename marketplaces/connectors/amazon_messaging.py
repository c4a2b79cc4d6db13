"""Amazon SP-API Messaging (specs/amazon/messaging.json): the only way to write to an Amazon buyer
first, through the message types Amazon offers for the order.

`offered_types` reads getMessagingActionsForOrder (`_links.actions[].name`); `send` posts one type's
`{"text": …}` (201, empty body). The API has no read-back of sent messages, so a retry after an unknown
outcome may send the message twice (the outbox retries only on timeouts and 5xx).
"""

from __future__ import annotations

from collections.abc import Mapping

from marketplaces.connectors.amazon import AmazonConnector
from marketplaces.connectors.errors import InvalidRequest
from marketplaces.connectors.messages import SentMessage

ACTIONS_PATH = "/messaging/v1/orders/{order_id}"
MESSAGE_PATH = "/messaging/v1/orders/{order_id}/messages/{message_type}"
# The message types we send (path segment → operationId).
OPERATIONS: Mapping[str, str] = {
    "unexpectedProblem": "createUnexpectedProblem",
    "confirmOrderDetails": "createConfirmOrderDetails",
    "confirmDeliveryDetails": "createConfirmDeliveryDetails",
}
MAX_TEXT = 2000  # every create request's `text`: minLength 1, maxLength 2000


def offered_types(connector: AmazonConnector, *, order_id: str) -> list[str]:
    response = connector.http.request(
        "GET",
        ACTIONS_PATH.format(order_id=order_id),
        params={"marketplaceIds": connector.marketplace_id},
        operation="getMessagingActionsForOrder",
    )
    body = response.body if isinstance(response.body, Mapping) else {}
    actions = (body.get("_links") or {}).get("actions") or []
    return [str(action.get("name")) for action in actions if isinstance(action, Mapping) and action.get("name")]


def send(connector: AmazonConnector, *, order_id: str, message_type: str, text: str) -> SentMessage:
    """One message of `message_type` about the order; the caller has checked the type is offered."""
    if message_type not in OPERATIONS:
        raise InvalidRequest(f"no message type {message_type!r}", platform="amazon")
    text = text.strip()
    if not 1 <= len(text) <= MAX_TEXT:
        raise InvalidRequest(f"a message has 1 to {MAX_TEXT} characters", platform="amazon")
    response = connector.http.request(
        "POST",
        MESSAGE_PATH.format(order_id=order_id, message_type=message_type),
        params={"marketplaceIds": connector.marketplace_id},
        json_body={"text": text},
        operation=OPERATIONS[message_type],
    )
    # No thread on Amazon: the request id names the message; our thread keeps its own id.
    return SentMessage("", str(response.headers.get("x-amzn-RequestId", "")))
