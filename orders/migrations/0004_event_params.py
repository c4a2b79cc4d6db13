"""Order events store a kind and parameters instead of an English sentence.

`data` becomes `params`; each past event gains the parameters its kind's
template needs, parsed from its old message and data; status changes and
triage get the finer kinds that `orders.events` declares (accepted, shipped,
tagged…). A message that cannot be parsed is kept, as it was, in the
`legacy_text` parameter, which the timeline shows as it is. Then `message` goes.

Going back restores `message` from `legacy_text` only (other events lose their
old English sentence; their kinds stay the new ones).
"""

import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Substr

BATCH = 2000

SHIPPED = re.compile(r"^Shipped with (?P<carrier>.*), tracking (?P<tracking_number>.*)$", re.S)
REFUNDED = re.compile(r"^Refunded (?P<amount>-?[\d.]+) (?P<currency>[A-Z]{3}): (?P<reason>.*)$", re.S)
TAGGED = re.compile(r"^Tagged “.*?”(?:: (?P<reason>.*))?$", re.S)
PRIORITY = re.compile(r"^Priority set to -?\d+(?:: (?P<reason>.*))?$", re.S)
HELD = re.compile(r"^Held for review: (?P<reason>.*)$", re.S)
REPORTS = "The marketplace reports "
DECISIONS = {"accepted": "accepted", "refused": "refused", "cancelled": "cancelled"}


def _reason(text):
    text = (text or "").strip()
    return {"reason": text} if text else {}


def _status_changed(message, data, actor_type, to_status):
    if actor_type == "marketplace" and (data.get("marketplace_status") or message.startswith(REPORTS)):
        return "status_changed", {"marketplace_status": data.get("marketplace_status") or message[len(REPORTS):]}
    if to_status == "accepted":
        return "accepted", _reason("" if message == "Accepted" else message)
    if to_status in DECISIONS and message:
        return DECISIONS[to_status], _reason(message)
    if to_status == "shipped":
        if data.get("carrier") and data.get("tracking_number"):
            return "shipped", {"carrier": data["carrier"], "tracking_number": data["tracking_number"]}
        match = SHIPPED.match(message)
        if match:
            return "shipped", match.groupdict()
    if to_status == "delivered" and message == "Delivered":
        return "delivered", {}
    return None


def _triaged(message, data):
    if "assignee" in data:
        if data["assignee"] is None:
            return "unassigned", {}
        if message.startswith("Assigned to "):
            return "assigned", {"assignee_id": data["assignee"], "assignee": message[len("Assigned to "):]}
    if "tag" in data and TAGGED.match(message):
        return "tagged", {"tag": data["tag"], **_reason(TAGGED.match(message)["reason"])}
    if "untag" in data:
        return "untagged", {"tag": data["untag"]}
    if "priority" in data and PRIORITY.match(message):
        return "priority_set", {"priority": data["priority"], **_reason(PRIORITY.match(message)["reason"])}
    if data.get("hold") is True and HELD.match(message):
        return "held", _reason(HELD.match(message)["reason"])
    if data.get("hold") is False:
        return "hold_released", {}
    return None


def new_shape(*, kind, message, data, actor_type, to_status, account):
    """The (kind, params) of one old event, or None when its message cannot be parsed."""
    message = message or ""
    if kind == "received" and (data.get("marketplace_status") or message.startswith("Received as ")):
        return kind, {"marketplace_status": data.get("marketplace_status") or message[len("Received as "):]}
    if kind == "updated":
        fields = data.get("fields") or (message[len("Updated: "):].split(", ") if message.startswith("Updated: ") else None)
        return (kind, {"fields": fields}) if fields else None
    if kind == "status_changed":
        return _status_changed(message, data, actor_type, to_status)
    if kind == "status_ignored" and (data.get("marketplace_status") or message.startswith(REPORTS)):
        reported = data.get("marketplace_status") or message[len(REPORTS):].split(";")[0]
        return kind, {"marketplace_status": reported}
    if kind == "refunded":
        match = REFUNDED.match(message)
        if match:
            return kind, {**data, **match.groupdict()}
        return None
    if kind == "triaged":
        return _triaged(message, data)
    if kind == "pushed" and data.get("push"):
        return kind, {"push": data["push"], "account": account}
    if kind == "push_failed" and data.get("push"):
        prefix = f"{data['push']}: "
        error = message[len(prefix):] if message.startswith(prefix) else message
        return kind, {"push": data["push"], "account": account, "error": error}
    return None


def add_params(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    # Most rows are receipts that already hold their marketplace status: one statement for the rest.
    OrderEvent.objects.filter(kind="received", message__startswith="Received as ").exclude(
        params__has_key="marketplace_status"
    ).update(
        params=models.Func(
            Cast(models.Value("marketplace_status"), models.TextField()),
            Substr("message", len("Received as ") + 1),
            function="jsonb_build_object",
            output_field=models.JSONField(),
        )
    )
    events = (
        OrderEvent.objects.exclude(kind="received", params__has_key="marketplace_status")
        .select_related("order__account")
        .order_by("pk")
    )
    batch = []
    for event in events.iterator(chunk_size=BATCH):
        shape = new_shape(
            kind=event.kind,
            message=event.message,
            data=event.params or {},
            actor_type=event.actor_type,
            to_status=event.to_status,
            account=event.order.account.name,
        )
        if shape is None:
            event.params = {**(event.params or {}), "legacy_text": event.message}
        else:
            event.kind, event.params = shape
        batch.append(event)
        if len(batch) >= BATCH:
            OrderEvent.objects.bulk_update(batch, ["kind", "params"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["kind", "params"])


def restore_messages(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    OrderEvent.objects.filter(params__has_key="legacy_text").update(message=KeyTextTransform("legacy_text", "params"))


class Migration(migrations.Migration):

    dependencies = [
        ("orders", "0003_queue_indexes"),
    ]

    operations = [
        migrations.RenameField(model_name="orderevent", old_name="data", new_name="params"),
        migrations.AlterField(
            model_name="orderevent",
            name="params",
            field=models.JSONField(
                blank=True, default=dict, encoder=DjangoJSONEncoder, help_text="What the kind's sentence needs, as values"
            ),
        ),
        migrations.AlterField(
            model_name="orderevent",
            name="kind",
            field=models.CharField(help_text="Declared in orders.events (or an app's own events module)", max_length=30),
        ),
        migrations.RunPython(add_params, restore_messages),
        migrations.RemoveField(model_name="orderevent", name="message"),
    ]
