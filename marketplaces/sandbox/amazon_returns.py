"""Amazon returns, read through the Reports API (specs/amazon/reports_2021-06-30.json): createReport
→ getReport → getReportDocument → the document's URL, for `GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`.

No stored Amazon file has a returns operation (specs/README.md): a buyer's return lives on its order
(`order["returns"]`) and shows in the flat-file report of the returns requested in the report's
`dataStartTime`..`dataEndTime`. The report is made at once (getReport answers DONE). The document is
tab-separated text with a header row; its column names are Amazon's "Returns reports" page's
(README lists Order ID, Return request date, Return request status, Amazon RMA ID, Label type,
Tracking ID, Return reason, Resolution, Refunded Amount); the others, their order, the status and
reason values and the date format are (unverified).
"""

from __future__ import annotations

import secrets

from .amazon_wire import json_body, request_headers
from .wire import ApiError, Response, iso, parse_iso

RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
REPORT_TYPES = (RETURNS_REPORT,)
COLUMNS = (
    "Order ID",
    "Order date",
    "Return request date",
    "Return request status",
    "Amazon RMA ID",
    "Seller RMA ID",
    "Label type",
    "Label cost",
    "Currency code",
    "Return carrier",
    "Tracking ID",
    "Label to be paid by",
    "A-to-z claim",
    "Is prime",
    "ASIN",
    "Merchant SKU",
    "Item Name",
    "Return quantity",
    "Return reason",
    "In policy",
    "Return type",
    "Resolution",
    "Invoice number",
    "Return delivery date",
    "Order Amount",
    "Order quantity",
    "Refunded Amount",
)
REASONS = ("DEFECTIVE", "DAMAGED_BY_CARRIER", "NOT_AS_DESCRIBED", "UNWANTED_ITEM", "ORDERED_WRONG_ITEM")  # (unverified)


def open_return(
    world, order: dict, *, reason_code: str = "DEFECTIVE", quantity: int | None = None, claim=False
) -> dict:
    """The buyer asks to return the first line of a shipped order (an A-to-z claim when `claim`)."""
    if order["status"] not in ("Shipped", "PartiallyShipped"):
        raise ApiError(400, "InvalidInput", f"Order {order['id']} is not shipped")
    line = order["lines"][0]
    record = {
        "rma": "D" + secrets.token_hex(5).upper(),
        "requested_at": iso(world.now()),
        "status": "Pending",
        "line_id": line["id"],
        "sku": line["sku"],
        "quantity": int(quantity or line["quantity"]),
        "reason": reason_code if reason_code in REASONS else "DEFECTIVE",
        "claim": bool(claim),
    }
    order.setdefault("returns", []).append(record)
    world.touch(order)
    world.record_action(order["account"], order["id"], "return_opened", {"rma": record["rma"]})
    return record


def _cell(value) -> str:
    return str(value if value is not None else "").replace("\t", " ").replace("\n", " ")


def returns_document(world, account, start: str, end: str) -> str:
    rows = ["\t".join(COLUMNS)]
    for order in world.orders.get(account.key, {}).values():
        for record in order.get("returns", []):
            if not start <= record["requested_at"] <= end:
                continue
            line = next((entry for entry in order["lines"] if entry["id"] == record["line_id"]), order["lines"][0])
            values = {
                "Order ID": order["id"],
                "Order date": order["created_at"],
                "Return request date": record["requested_at"],
                "Return request status": record["status"],
                "Amazon RMA ID": record["rma"],
                "Label type": "AmazonUnPaidLabel",
                "Currency code": line.get("currency", "EUR"),
                "A-to-z claim": "Y" if record["claim"] else "N",
                "Is prime": "Y" if order.get("prime") else "N",
                "ASIN": line.get("asin", ""),
                "Merchant SKU": record["sku"],
                "Item Name": line.get("title", ""),
                "Return quantity": record["quantity"],
                "Return reason": record["reason"],
                "In policy": "Y",
                "Return type": "C-Returns",
                "Order quantity": line["quantity"],
            }
            rows.append("\t".join(_cell(values.get(column)) for column in COLUMNS))
    return "\n".join(rows) + "\n"


def create_report(world, account, request) -> Response:
    """createReport: `{reportType*, marketplaceIds*, dataStartTime, dataEndTime}` → 202 `{reportId}`."""
    body = json_body(request)
    if not body.get("reportType") or not isinstance(body.get("marketplaceIds"), list) or not body["marketplaceIds"]:
        raise ApiError(400, "InvalidInput", "reportType and marketplaceIds are required")
    if body["reportType"] not in REPORT_TYPES:
        raise ApiError(400, "InvalidInput", f"Report type {body['reportType']} is not served by this sandbox")
    try:
        now = world.now()
        start = parse_iso(body["dataStartTime"]) if body.get("dataStartTime") else None
        end = parse_iso(body["dataEndTime"]) if body.get("dataEndTime") else now
    except ValueError:
        raise ApiError(400, "InvalidInput", "dataStartTime and dataEndTime must be ISO 8601 dates") from None
    start = start or end.replace(year=end.year - 1)
    report_id = str(50_000_000_000 + secrets.randbelow(9_999_999_999))
    document_id = "amzn1.spdoc.1.4.eu." + world.new_document_id("amazon_documents", "").lower()
    world.documents.setdefault("amazon_documents", {})[document_id] = {
        "account": account.key,
        "content": returns_document(world, account, iso(start), iso(end)),
        "content_type": "text/tab-separated-values; charset=UTF-8",
    }
    world.documents.setdefault("amazon_reports", {})[report_id] = {
        "account": account.key,
        "reportId": report_id,
        "reportType": body["reportType"],
        "marketplaceIds": body["marketplaceIds"],
        "dataStartTime": iso(start),
        "dataEndTime": iso(end),
        "createdTime": iso(now),
        "processingStartTime": iso(now),
        "processingEndTime": iso(now),
        "processingStatus": "DONE",
        "reportDocumentId": document_id,
    }
    return Response(202, {"reportId": report_id}, request_headers())


def get_report(world, account, request, reportId: str) -> Response:
    report = world.documents.get("amazon_reports", {}).get(reportId)
    if report is None or report["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested report was not found")
    return Response(200, {k: v for k, v in report.items() if k != "account"}, request_headers())


def get_report_document(world, account, request, reportDocumentId: str) -> Response:
    document = world.documents.get("amazon_documents", {}).get(reportDocumentId)
    if document is None or document["account"] != account.key:
        raise ApiError(404, "NotFound", "The requested report document was not found")
    url = f"{request.base_url}/_documents/{reportDocumentId}"
    return Response(200, {"reportDocumentId": reportDocumentId, "url": url}, request_headers())
