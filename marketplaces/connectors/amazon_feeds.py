"""Amazon seller cancellations and refunds through the Feeds API 2021-06-30.

(unverified) The Orders v0 model has no operation for a seller to cancel or
refund; MARKETPLACES.md says both go through feeds: an order acknowledgement feed
with status Failure cancels items, a payment adjustment feed refunds them. The
feed types and the XML below follow Amazon's XML feed documentation, not a stored
spec, so everything about them lives in this module only. The Feeds calls
themselves (createFeedDocument, upload to the returned URL, createFeed) follow
`shared/specs/amazon/feeds_2021-06-30.json`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import requests

from .base import RefundLine
from .errors import RejectedByMarketplace, TransientError
from .http import HttpClient

FEED_DOCUMENTS_PATH = "/feeds/2021-06-30/documents"
FEEDS_PATH = "/feeds/2021-06-30/feeds"

# (unverified) feed types, XML message types and reason codes.
CANCELLATION_FEED_TYPE = "POST_ORDER_ACKNOWLEDGEMENT_DATA"
REFUND_FEED_TYPE = "POST_PAYMENT_ADJUSTMENT_DATA"
FEED_CONTENT_TYPE = "text/xml; charset=UTF-8"
CANCEL_REASONS = frozenset(
    {
        "NoInventory",
        "ShippingAddressUndeliverable",
        "CustomerExchange",
        "BuyerCanceled",
        "GeneralAdjustment",
        "CarrierCreditDecision",
        "RiskAssessmentInformationNotValid",
        "CarrierCoverageFailure",
        "CustomerReturn",
        "MerchandiseNotReceived",
    }
)
DEFAULT_CANCEL_REASON = "NoInventory"
REFUND_REASONS = frozenset(
    {
        "NoInventory",
        "CustomerReturn",
        "GeneralAdjustment",
        "CouldNotShip",
        "DifferentItem",
        "Abandoned",
        "CustomerCancel",
        "PriceError",
        "ProductOutofStock",
        "CustomerAddressIncorrect",
        "Exchange",
        "Other",
        "CarrierCreditDecision",
        "RiskAssessmentInformationNotValid",
        "CarrierCoverageFailure",
        "TransactionRecord",
        "Undeliverable",
        "RefusedDelivery",
    }
)
DEFAULT_REFUND_REASON = "CustomerReturn"


def _envelope(seller_id: str, message_type: str) -> tuple[ET.Element, ET.Element]:
    root = ET.Element("AmazonEnvelope")
    header = ET.SubElement(root, "Header")
    ET.SubElement(header, "DocumentVersion").text = "1.01"
    ET.SubElement(header, "MerchantIdentifier").text = seller_id
    ET.SubElement(root, "MessageType").text = message_type
    message = ET.SubElement(root, "Message")
    ET.SubElement(message, "MessageID").text = "1"
    return root, message


def _serialize(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def cancellation_feed(*, seller_id: str, order_id: str, item_ids: list[str], reason: str) -> bytes:
    """OrderAcknowledgement with StatusCode Failure for the given items."""
    root, message = _envelope(seller_id, "OrderAcknowledgement")
    acknowledgement = ET.SubElement(message, "OrderAcknowledgement")
    ET.SubElement(acknowledgement, "AmazonOrderID").text = order_id
    ET.SubElement(acknowledgement, "StatusCode").text = "Failure"
    for item_id in item_ids:
        item = ET.SubElement(acknowledgement, "Item")
        ET.SubElement(item, "AmazonOrderItemCode").text = item_id
        ET.SubElement(item, "CancelReason").text = reason if reason in CANCEL_REASONS else DEFAULT_CANCEL_REASON
    return _serialize(root)


def _component(parent: ET.Element, kind: str, amount: Decimal, currency: str) -> None:
    component = ET.SubElement(parent, "Component")
    ET.SubElement(component, "Type").text = kind
    ET.SubElement(component, "Amount", currency=currency).text = f"{amount.quantize(Decimal('0.01')):f}"


def refund_feed(*, seller_id: str, order_id: str, lines: list[RefundLine], reason: str, message_key: str = "") -> bytes:
    """OrderAdjustment refunding principal and shipping per item.

    `message_key` (the caller's idempotency key) and the item's position make each
    item's MerchantAdjustmentItemID (at most 40 characters), the same on every replay
    of the request: the adjustment is traced back to it, and (unverified) Amazon does
    not apply an adjustment item id twice.
    """
    root, message = _envelope(seller_id, "OrderAdjustment")
    adjustment = ET.SubElement(message, "OrderAdjustment")
    ET.SubElement(adjustment, "AmazonOrderID").text = order_id
    for position, line in enumerate(lines, start=1):
        item = ET.SubElement(adjustment, "AdjustedItem")
        ET.SubElement(item, "AmazonOrderItemCode").text = line.line_id
        if message_key:
            ET.SubElement(item, "MerchantAdjustmentItemID").text = f"{message_key[:32]}-{position}"
        ET.SubElement(item, "AdjustmentReason").text = reason if reason in REFUND_REASONS else DEFAULT_REFUND_REASON
        prices = ET.SubElement(item, "ItemPriceAdjustments")
        _component(prices, "Principal", line.amount, line.currency)
        if line.shipping_amount:
            _component(prices, "Shipping", line.shipping_amount, line.currency)
    return _serialize(root)


def submit_feed(
    http: HttpClient,
    *,
    session: requests.Session,
    timeout: tuple[float, float],
    feed_type: str,
    marketplace_id: str,
    document: bytes,
) -> str:
    """createFeedDocument, upload the document to the returned URL, createFeed; returns the feedId.

    createFeed is not idempotent: it is sent once, a failure after sending
    raises TransientError with outcome_unknown (see http.HttpClient).
    """
    created = http.request(
        "POST",
        FEED_DOCUMENTS_PATH,
        json_body={"contentType": FEED_CONTENT_TYPE},
        idempotent=True,
        operation="createFeedDocument",
    )
    body = created.body if isinstance(created.body, dict) else {}
    document_id, upload_url = body.get("feedDocumentId"), body.get("url")
    if not document_id or not upload_url:
        raise TransientError(
            "createFeedDocument response without feedDocumentId/url", platform=http.platform, body=body
        )
    try:
        # A pre-signed storage URL: no SP-API token goes there.
        upload = session.put(upload_url, data=document, headers={"Content-Type": FEED_CONTENT_TYPE}, timeout=timeout)
    except requests.RequestException as exc:
        raise TransientError(f"feed upload failed: {exc}", platform=http.platform) from exc
    if upload.status_code >= 500:
        raise TransientError(f"feed upload failed: HTTP {upload.status_code}", platform=http.platform)
    if upload.status_code >= 400:
        raise RejectedByMarketplace(
            f"feed upload refused: HTTP {upload.status_code}", platform=http.platform, status=upload.status_code
        )
    feed = http.request(
        "POST",
        FEEDS_PATH,
        json_body={"feedType": feed_type, "marketplaceIds": [marketplace_id], "inputFeedDocumentId": str(document_id)},
        operation="createFeed",
    )
    return str(feed.body.get("feedId", "")) if isinstance(feed.body, dict) else ""
