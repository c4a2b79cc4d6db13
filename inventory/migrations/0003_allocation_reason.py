"""An allocation stores why as a kind and parameters (see inventory.events), not an English sentence.

Past explanations are parsed into their kind and parameters; one that cannot be
parsed is kept, as it was, in the `legacy_text` parameter, shown as it is.
Going back restores `explanation` from `legacy_text` only.
"""

import re

from django.db import migrations, models
from django.db.models.fields.json import KeyTextTransform

BATCH = 2000

# Status labels as releases wrote them (in the language active at the time) → status values.
STATUS_LABELS = {
    "Awaiting payment": "awaiting_payment", "En attente de paiement": "awaiting_payment",
    "To accept": "pending_acceptance", "À accepter": "pending_acceptance",
    "To ship": "accepted", "À expédier": "accepted",
    "Partially shipped": "partially_shipped", "Partiellement expédiée": "partially_shipped",
    "Shipped": "shipped", "Expédiée": "shipped",
    "Delivered": "delivered", "Livrée": "delivered",
    "Refused": "refused", "Refusée": "refused",
    "Cancelled": "cancelled", "Annulée": "cancelled",
}
UNKNOWN_SKU = re.compile(r"^Unknown SKU (?P<skus>.*): not in the catalogue, nothing reserved\.$", re.S)
RESERVED = re.compile(
    r"^Reserved in (?P<warehouse>.*?), the first warehouse by priority that can ship the whole order(?: \((?P<passed>.*)\))?\.$", re.S
)
BACKORDER = re.compile(r"^Back-order: no warehouse can ship the whole order \((?P<body>.*)\)\.$", re.S)
MISSING = re.compile(r"(?:^|, |; )(?P<sku>\S+) needs (?P<needed>\d+), (?P<available>\d+) available in all")
LACKS = re.compile(r"^(?P<warehouse>.*) lacks (?P<short>.*)$", re.S)
RELEASED = re.compile(r"^(?P<held>Released|Nothing held): the order was (?P<label>.*)\.$", re.S)
SHIPPED_FROM = re.compile(r"^Shipped from (?P<warehouse>.*): the units left the stock\.$", re.S)
FIXED = {
    "The order has no line to reserve.": "stock_no_lines",
    "No active warehouse ships this account's orders.": "stock_no_warehouse",
    "Shipped: the units left the stock.": "stock_consumed_unreserved",
    "Shipped: nothing known in stock was taken.": "stock_nothing_consumed",
}


def _passed_over(text):
    passed = []
    for piece in (text or "").split("; "):
        match = LACKS.match(piece)
        if match is None:
            return None
        passed.append({"warehouse": match["warehouse"], "short": match["short"].split(", ")})
    return passed


def new_shape(explanation):
    """The (reason, params) of one old explanation, or None when it cannot be parsed."""
    if explanation in FIXED:
        return FIXED[explanation], {}
    if match := UNKNOWN_SKU.match(explanation):
        return "stock_unknown_sku", {"skus": match["skus"].split(", ")}
    if match := RESERVED.match(explanation):
        passed = _passed_over(match["passed"]) if match["passed"] else []
        return None if passed is None else ("stock_reserved", {"warehouse": match["warehouse"], "passed_over": passed})
    if match := BACKORDER.match(explanation):
        missing = [
            {"sku": m["sku"], "needed": int(m["needed"]), "available": int(m["available"])}
            for m in MISSING.finditer(match["body"])
        ]
        rest = MISSING.sub("", match["body"]).lstrip("; ")
        passed = _passed_over(rest) if rest else []
        if not missing or passed is None:
            return None
        return "stock_backorder", {"missing": missing, "passed_over": passed}
    if (match := RELEASED.match(explanation)) and match["label"] in STATUS_LABELS:
        reason = "stock_released" if match["held"] == "Released" else "stock_nothing_held"
        return reason, {"status": STATUS_LABELS[match["label"]]}
    if match := SHIPPED_FROM.match(explanation):
        return "stock_consumed", {"warehouse": match["warehouse"]}
    return None


def add_reasons(apps, schema_editor):
    OrderAllocation = apps.get_model("inventory", "OrderAllocation")
    batch = []
    for allocation in OrderAllocation.objects.exclude(explanation="").order_by("pk").iterator(chunk_size=BATCH):
        shape = new_shape(allocation.explanation)
        allocation.reason, allocation.params = shape if shape else ("", {"legacy_text": allocation.explanation})
        batch.append(allocation)
        if len(batch) >= BATCH:
            OrderAllocation.objects.bulk_update(batch, ["reason", "params"])
            batch = []
    OrderAllocation.objects.bulk_update(batch, ["reason", "params"])


def restore_explanations(apps, schema_editor):
    OrderAllocation = apps.get_model("inventory", "OrderAllocation")
    OrderAllocation.objects.filter(params__has_key="legacy_text").update(explanation=KeyTextTransform("legacy_text", "params"))


class Migration(migrations.Migration):

    dependencies = [
        ("inventory", "0002_publication_message_outbox"),
    ]

    operations = [
        migrations.AddField(
            model_name="orderallocation",
            name="reason",
            field=models.CharField(blank=True, help_text="Why: a kind declared in inventory.events", max_length=40),
        ),
        migrations.AddField(
            model_name="orderallocation",
            name="params",
            field=models.JSONField(blank=True, default=dict, help_text="What the reason's sentence needs, as values"),
        ),
        migrations.RunPython(add_reasons, restore_explanations),
        migrations.RemoveField(model_name="orderallocation", name="explanation"),
    ]
