"""Mirakl stock imports: STO01 (multipart CSV "offer-sku";"quantity";…), STO02 status, STO03 error report.

SKUs the account was told to refuse (admin `PUT /accounts/{key}/stock-rejections`) go to the error
report with that reason, like unknown SKUs, and their stock is not published."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import secrets

from .catalogue import BY_SKU
from .wire import ApiError, Response, iso

STOCK_CSV_HEADER = ("offer-sku", "quantity", "warehouse-code", "update-delete")


def _csv_part(request) -> str | None:
    content_type = request.header("content-type")
    if not content_type.startswith("multipart/form-data"):
        return None
    message = email.message_from_bytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.body, policy=email.policy.HTTP
    )
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") == "file":
            return part.get_payload(decode=True).decode("utf-8-sig", "replace")
    return None


def stock_import(world, account, request) -> Response:
    """STO01: applies the CSV at once (unknown SKUs go to the error report) → 201 {import_id}."""
    text = _csv_part(request)
    if text is None:
        raise ApiError(400, "VALIDATION_ERROR", "A multipart 'file' part with the CSV is required")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    if not rows or rows[0][:2] != list(STOCK_CSV_HEADER[:2]):
        raise ApiError(400, "VALIDATION_ERROR", 'The CSV header must start with "offer-sku";"quantity"')
    ok, errors = 0, []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        sku, quantity = ([*row, "", ""])[:2]
        if sku in account.stock_rejections:
            errors.append([str(number), account.stock_rejections[sku], *row])
        elif sku not in BY_SKU:
            errors.append([str(number), f"The offer with sku {sku} does not exist", *row])
        elif not quantity.strip().isdigit():
            errors.append([str(number), "The quantity must be a positive integer", *row])
        else:
            world.publish_stock(account.key, sku, int(quantity), "STO01")
            ok += 1
    import_id = str(10_000 + secrets.randbelow(90_000_000))
    world.documents.setdefault("mirakl_imports", {})[import_id] = {
        "account": account.key,
        "import_id": import_id,
        "date_created": iso(world.now()),
        "has_error_report": bool(errors),
        "lines_in_error": len(errors),
        "lines_in_success": ok,
        "shop_id": (
            int(account.credentials["shop_id"])
            if account.credentials["shop_id"].isdigit()
            else account.credentials["shop_id"]
        ),
        "status": "COMPLETE",
        "errors": errors,
        "header": rows[0],
    }
    world.record_action(account.key, "stock", "STO01", {"csv": text})
    return Response(201, {"import_id": import_id})


def _import(world, account, import_id: str) -> dict:
    record = world.documents.get("mirakl_imports", {}).get(import_id)
    if record is None or record["account"] != account.key:
        raise ApiError(404, "", f"Import {import_id} not found")
    return record


def stock_import_status(world, account, request, import_id: str) -> Response:
    record = _import(world, account, import_id)
    return Response(
        200,
        {
            k: record[k]
            for k in (
                "date_created",
                "has_error_report",
                "import_id",
                "lines_in_error",
                "lines_in_success",
                "shop_id",
                "status",
            )
        },
    )


def stock_import_errors(world, account, request, import_id: str) -> Response:
    record = _import(world, account, import_id)
    if not record["errors"]:
        raise ApiError(404, "", f"No error report for import {import_id}")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL)
    # Spec (STO03): "The first column contains the line number in error. The second column contains
    # the error reason"; then the imported line. The two header names are (unverified).
    writer.writerow(["line-number", "error-message", *record["header"]])
    writer.writerows(record["errors"])
    return Response(200, out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
