"""Amazon SP-API Solicitations (specs/amazon/solicitations.json): asking a buyer for a product review and
seller feedback.

`offered_actions` reads getSolicitationActionsForOrder (`_links.actions[].name`, HAL); `request_review` posts
createProductReviewAndSellerFeedbackSolicitation (no body, 201 with an empty body). The spec: "Send only one
productReviewAndSellerFeedback or free form proactive message per order". Amazon lists no sent solicitation,
but the action stops being offered once one was sent (unverified: the spec does not say it, Amazon's
documentation implies it), so a retry after an unknown outcome reads the offered actions first.
"""

from __future__ import annotations

from marketplaces.connectors.amazon import AmazonConnector
from marketplaces.connectors.amazon_messaging import action_names

ACTIONS_PATH = "/solicitations/v1/orders/{order_id}"
REVIEW = "productReviewAndSellerFeedback"
REVIEW_PATH = "/solicitations/v1/orders/{order_id}/solicitations/productReviewAndSellerFeedback"


def offered_actions(connector: AmazonConnector, *, order_id: str) -> list[str]:
    """The solicitation types Amazon offers for the order now (an empty list: none)."""
    response = connector.http.request(
        "GET",
        ACTIONS_PATH.format(order_id=order_id),
        params={"marketplaceIds": connector.marketplace_id},
        operation="getSolicitationActionsForOrder",
    )
    return action_names(response.body)


def review_offered(connector: AmazonConnector, *, order_id: str) -> bool:
    return REVIEW in offered_actions(connector, order_id=order_id)


def request_review(connector: AmazonConnector, *, order_id: str) -> str:
    """Ask the buyer for a review and seller feedback; returns Amazon's request id. Never retried here
    (a POST); raises the connector errors (a refusal: RejectedByMarketplace with the spec's error list)."""
    response = connector.http.request(
        "POST",
        REVIEW_PATH.format(order_id=order_id),
        params={"marketplaceIds": connector.marketplace_id},
        operation="createProductReviewAndSellerFeedbackSolicitation",
    )
    return str(response.headers.get("x-amzn-RequestId", ""))
