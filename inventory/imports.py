"""Reading a stock count file: CSV with the columns sku, warehouse, quantity (comma or semicolon),
and optionally bin (where the units are; an empty cell leaves the level's bin as it is).

Reading only: every line becomes a `StockCount` or a reason it could not be read;
`actions.import_stock_counts` applies them. A file that is not a readable CSV at
all (no header, not text, broken quoting) raises DomainError and nothing is applied.
"""

from __future__ import annotations

import csv
import io

from inventory.actions import BIN_PATTERN, StockCount
from oms.errors import DomainError

COLUMNS = ("sku", "warehouse", "quantity")
OPTIONAL = ("bin",)


def read_stock_counts(binary_file, *, default_warehouse: str | None = None):
    """→ (rows: [(line number, StockCount)], refused: [(line number, text, reason)]).

    Without a warehouse column every row goes to `default_warehouse` (the only one).
    """
    text = io.TextIOWrapper(binary_file, encoding="utf-8-sig", newline="")
    try:
        first = text.readline()
    except UnicodeDecodeError as error:
        raise DomainError("The file is not UTF-8 text.", details={"line": 1}) from error
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [name.strip().lower() for name in next(csv.reader([first], delimiter=delimiter), [])]
    missing = [name for name in ("sku", "quantity") if name not in header]
    if missing or (("warehouse" not in header) and not default_warehouse):
        expected = ", ".join(COLUMNS)
        raise DomainError(
            f"The first line must name the columns {expected} (found: {', '.join(header) or 'nothing'}).",
            details={"line": 1, "header": header},
        )
    position = {name: header.index(name) for name in COLUMNS + OPTIONAL if name in header}
    rows, refused = [], []
    reader = csv.reader(text, delimiter=delimiter, strict=True)
    line_number = 1
    try:
        for record in reader:
            line_number = reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            raw = delimiter.join(record)
            if len(record) < len(header):
                refused.append((line_number, raw, f"Expected {len(header)} columns, found {len(record)}."))
                continue
            quantity_text = record[position["quantity"]].strip()
            try:
                quantity = int(quantity_text)
            except ValueError:
                refused.append((line_number, raw, f"Quantity {quantity_text or '(empty)'} is not a whole number."))
                continue
            warehouse = record[position["warehouse"]].strip() if "warehouse" in position else default_warehouse
            bin_location = record[position["bin"]].strip().upper() or None if "bin" in position else None
            if bin_location and not BIN_PATTERN.match(bin_location):
                refused.append(
                    (line_number, raw, f"Bin {bin_location} is not 1 to 30 letters, digits, spaces, . - or /.")
                )
                continue
            rows.append(
                (
                    line_number,
                    StockCount(
                        sku=record[position["sku"]].strip(),
                        warehouse=warehouse,
                        quantity=quantity,
                        bin_location=bin_location,
                    ),
                )
            )
    except (csv.Error, UnicodeDecodeError) as error:
        raise DomainError(
            f"Line {line_number}: the file is not valid CSV ({error}). Nothing was imported.",
            details={"line": line_number},
        ) from error
    return rows, refused
