"""Amazon returns, read through the Reports API (amazon_reports, specs/amazon/reports_2021-06-30.json) as
`GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE`: the buyers' returns and the report's document.

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

from .wire import ApiError, iso

RETURNS_REPORT = "GET_FLAT_FILE_RETURNS_DATA_BY_RETURN_DATE"
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
