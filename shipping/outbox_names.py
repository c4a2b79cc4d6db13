"""The carrier outbox kinds' names and destinations (written by shipping.actions, sent by shipping.outbox_kinds)."""

CARRIER_LABEL = "carrier.label"
CARRIER_VOID = "carrier.void"


def carrier_destination(carrier_account_id: int) -> str:
    return f"carrier:{carrier_account_id}"
