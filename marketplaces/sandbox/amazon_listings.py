"""Amazon Listings Items 2021-08-01 (stock through fulfillment_availability) and Feeds 2021-06-30 (minimal).

Feeds are processed at once: JSON_LISTINGS_FEED publishes stock, POST_ORDER_ACKNOWLEDGEMENT_DATA
with `Failure` cancels an order, POST_PAYMENT_ADJUSTMENT_DATA refunds; those document formats
and the processing report are (unverified).
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from decimal import Decimal

from .amazon_wire import check_marketplaces, json_body, request_headers
from .catalogue import BY_SKU
from .wire import ApiError, Response, iso


# ---- listings -----------------------------------------------------------------------
def _check_seller(account, seller_id: str) -> None:
    if seller_id != account.credentials["seller_id"]:
        raise ApiError(403, "Unauthorized", "Access to requested resource is denied.")


def get_listings_item(world, account, request, sellerId: str, sku: str) -> Response:
    _check_seller(account, sellerId)
    check_marketplaces(account, request.args("marketplaceIds"))
    published = world.stock.get(account.key, {}).get(sku)
    product = BY_SKU.get(sku)
    if product is None and published is None:
        raise ApiError(
            404, "NOT_FOUND", f"SKU '{sku}' not found in marketplace {account.credentials['marketplace_id']}"
        )
    return Response(
        200,
        {
            "sku": sku,
            "summaries": [
                {
                    "marketplaceId": account.credentials["marketplace_id"],
                    "asin": product.asin if product else "",
                    "productType": "PRODUCT",
                    "conditionType": "new_new",
                    "status": ["BUYABLE", "DISCOVERABLE"],
                    "itemName": product.title if product else sku,
                    "createdDate": "2025-01-06T09:00:00Z",
                    "lastUpdatedDate": published["published_at"] if published else "2025-01-06T09:00:00Z",
                }
            ],
            "fulfillmentAvailability": [
                {"fulfillmentChannelCode": "DEFAULT", "quantity": published["quantity"] if published else 0}
            ],
        },
        request_headers(),
    )


def patch_listings_item(world, account, request, sellerId: str, sku: str) -> Response:
    """patchListingsItem: a fulfillment_availability patch publishes the SKU's stock."""
    _check_seller(account, sellerId)
    check_marketplaces(account, request.args("marketplaceIds"))
    body = json_body(request)
    patches = body.get("patches")
    if not body.get("productType") or not isinstance(patches, list) or not patches:
        raise ApiError(400, "InvalidInput", "productType and at least one patch are required")
    quantity, issues = _availability_quantity(patches)
    submission = uuid.uuid4().hex
    if issues:
        return Response(
            200, {"sku": sku, "status": "INVALID", "submissionId": submission, "issues": issues}, request_headers()
        )
    if request.arg("mode") == "VALIDATION_PREVIEW":
        return Response(
            200, {"sku": sku, "status": "VALID", "submissionId": submission, "issues": []}, request_headers()
        )
    if quantity is not None:
        world.publish_stock(account.key, sku, quantity, "patchListingsItem")
    world.record_action(account.key, f"listing:{sku}", "patchListingsItem", body)
    return Response(
        200, {"sku": sku, "status": "ACCEPTED", "submissionId": submission, "issues": []}, request_headers()
    )


def _availability_quantity(patches: list) -> tuple[int | None, list]:
    quantity = None
    for patch in patches:
        if not isinstance(patch, dict) or patch.get("op") not in ("add", "replace", "merge", "delete"):
            return None, [_issue("4000001", "Invalid patch operation")]
        if patch.get("path") != "/attributes/fulfillment_availability" or patch["op"] == "delete":
            continue
        for entry in patch.get("value") or []:
            value = entry.get("quantity") if isinstance(entry, dict) else None
            if not isinstance(value, int) or value < 0:
                return None, [_issue("90220", "'quantity' must be an integer of 0 or more", "fulfillment_availability")]
            quantity = value
    return quantity, []


def _issue(code: str, message: str, attribute: str = "") -> dict:
    issue = {"code": code, "message": message, "severity": "ERROR"}
    if attribute:
        issue["attributeNames"] = [attribute]
    return issue


# ---- feeds (minimal) ----------------------------------------------------------------
def create_feed_document(world, account, request) -> Response:
    body = json_body(request)
    if not body.get("contentType"):
        raise ApiError(400, "InvalidInput", "contentType is required")
    document_id = "amzn1.tortuga.4." + world.new_document_id("amazon_documents", "").lower()
    world.documents["amazon_documents"][document_id] = {
        "account": account.key,
        "content": "",
        "content_type": body["contentType"],
    }
    url = f"{request.base_url}/_documents/{document_id}"
    return Response(201, {"feedDocumentId": document_id, "url": url}, request_headers())


def upload_document(world, account, request, documentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(documentId)
    if document is None:
        return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    document["content"] = request.body.decode("utf-8", "replace")
    return Response(200, b"")


def download_document(world, account, request, documentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(documentId)
    if document is None:
        return Response(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
    return Response(200, document["content"].encode("utf-8"), content_type=document["content_type"])


def create_feed(world, account, request) -> Response:
    """createFeed: processes the uploaded document at once; getFeed then answers DONE."""
    body = json_body(request)
    missing = [f for f in ("feedType", "marketplaceIds", "inputFeedDocumentId") if not body.get(f)]
    if missing:
        raise ApiError(400, "InvalidInput", f"Missing required field(s): {', '.join(missing)}")
    document = world.documents.get("amazon_documents", {}).get(body["inputFeedDocumentId"])
    if document is None or document["account"] != account.key:
        raise ApiError(400, "InvalidInput", "Invalid inputFeedDocumentId")
    feed_id = str(50_000_000_000 + secrets.randbelow(9_999_999_999))
    report = _process_feed(world, account, body["feedType"], document["content"])
    result_id = "amzn1.tortuga.4." + world.new_document_id("amazon_documents", "").lower()
    world.documents["amazon_documents"][result_id] = {
        "account": account.key,
        "content": json.dumps(report),
        "content_type": "application/json",
    }
    now = iso(world.now())
    world.documents.setdefault("amazon_feeds", {})[feed_id] = {
        "account": account.key,
        "feedId": feed_id,
        "feedType": body["feedType"],
        "marketplaceIds": body["marketplaceIds"],
        "createdTime": now,
        "processingStatus": "DONE",
        "processingStartTime": now,
        "processingEndTime": now,
        "resultFeedDocumentId": result_id,
    }
    return Response(202, {"feedId": feed_id}, request_headers())


def get_feed(world, account, request, feedId: str) -> Response:
    feed = world.documents.get("amazon_feeds", {}).get(feedId)
    if feed is None or feed["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested feed was not found")
    return Response(200, {k: v for k, v in feed.items() if k != "account"}, request_headers())


def get_feed_document(world, account, request, feedDocumentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(feedDocumentId)
    if document is None or document["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested feed document was not found")
    return Response(
        200,
        {"feedDocumentId": feedDocumentId, "url": f"{request.base_url}/_documents/{feedDocumentId}"},
        request_headers(),
    )


def _adjustments(content: str) -> list[tuple[str, list[tuple[str, Decimal]]]]:
    """(order id, [(MerchantAdjustmentItemID or "", amount of every component)]) per OrderAdjustment."""
    found = []
    for adjustment in re.findall(r"<OrderAdjustment>(.*?)</OrderAdjustment>", content, re.S):
        order_id = re.search(r"<AmazonOrderID>\s*([\d-]+)\s*</AmazonOrderID>", adjustment)
        items = [
            (
                (re.findall(r"<MerchantAdjustmentItemID>\s*(\S+?)\s*</MerchantAdjustmentItemID>", item) or [""])[0],
                sum((Decimal(a) for a in re.findall(r"<Amount[^>]*>\s*([\d.]+)\s*</Amount>", item)), Decimal("0")),
            )
            for item in re.findall(r"<AdjustedItem>(.*?)</AdjustedItem>", adjustment, re.S)
        ]
        if order_id:
            found.append((order_id.group(1), items))
    return found


def _process_feed(world, account, feed_type: str, content: str) -> dict:
    """Apply a feed now; returns the processing report (shape (unverified))."""
    accepted, errors = 0, []
    if feed_type == "JSON_LISTINGS_FEED":
        try:
            messages = json.loads(content or "{}").get("messages", [])
        except ValueError:
            messages, errors = [], [{"messageId": 0, "code": "4000003", "message": "Invalid JSON"}]
        for message in messages:
            quantity, issues = _availability_quantity(message.get("patches") or [])
            if issues or not message.get("sku"):
                errors.append({"messageId": message.get("messageId"), "code": "90220", "message": "Invalid message"})
                continue
            if quantity is not None:
                world.publish_stock(account.key, message["sku"], quantity, "JSON_LISTINGS_FEED")
            accepted += 1
    elif feed_type == "POST_ORDER_ACKNOWLEDGEMENT_DATA":
        for order_id, status in re.findall(
            r"<AmazonOrderID>\s*([\d-]+)\s*</AmazonOrderID>.*?" r"<StatusCode>\s*(\w+)\s*</StatusCode>", content, re.S
        ):
            order = world.order(account.key, order_id)
            if (
                order
                and status == "Failure"
                and order["status"] in ("Pending", "Unshipped")
                and not order["fulfilled_by_marketplace"]
            ):
                order["status"] = "Canceled"
                world.touch(order)
                world.record_action(account.key, order_id, "cancel", {"feedType": feed_type})
                accepted += 1
            else:
                errors.append({"orderId": order_id, "message": "Order cannot be cancelled"})
    elif feed_type == "POST_PAYMENT_ADJUSTMENT_DATA":
        for order_id, items in _adjustments(content):
            order = world.order(account.key, order_id)
            if order is None:
                errors.append({"orderId": order_id, "message": "Unknown order"})
                continue
            seen = {refund.get("merchant_adjustment_id") for refund in order["refunds"]}
            fresh = [item for item in items if not item[0] or item[0] not in seen]
            errors.extend(
                {"orderId": order_id, "message": f"MerchantAdjustmentItemID {item[0]} was already applied"}
                for item in items
                if item not in fresh
            )
            if not fresh:
                continue
            for merchant_id, amount in fresh:
                order["refunds"].append(
                    {
                        "id": uuid.uuid4().hex[:12],
                        "amount": str(amount),
                        "merchant_adjustment_id": merchant_id,
                        "created_at": iso(world.now()),
                    }
                )
            world.touch(order)
            total = sum((amount for _, amount in fresh), Decimal("0"))
            world.record_action(account.key, order_id, "refund", {"feedType": feed_type, "amount": str(total)})
            accepted += 1
    return {
        "header": {"sellerId": account.credentials["seller_id"], "version": "2.0"},
        "summary": {
            "errors": len(errors),
            "messagesProcessed": accepted + len(errors),
            "messagesAccepted": accepted,
            "messagesInvalid": len(errors),
        },
        "issues": errors,
    }
