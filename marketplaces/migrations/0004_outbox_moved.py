"""Wave-1 outbox messages move to the outbox core (oms.OutboxMessage), ids kept.

Kinds get their family ("accept" → "marketplace.accept"), the account becomes the
destination ("marketplace:<account id>") and the order both the ordering key and the
subject ("order:<order id>"). Ids are kept, so stock publications keep pointing at their
message; the id sequence continues after the highest one.
"""

from django.db import migrations

MOVE = """
INSERT INTO oms_outboxmessage (
    id, kind, destination, ordering_key, subject, payload, idempotency_key,
    status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at
)
SELECT id, 'marketplace.' || kind, 'marketplace:' || account_id,
       COALESCE('order:' || order_id, ''), COALESCE('order:' || order_id, ''), payload, idempotency_key,
       status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at
FROM marketplaces_outboxmessage
ORDER BY id
"""

CONTINUE_IDS = """
SELECT setval(pg_get_serial_sequence('oms_outboxmessage', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)
FROM oms_outboxmessage
"""


class Migration(migrations.Migration):
    dependencies = [
        ("marketplaces", "0003_quarantine_raw_encoder"),
        ("oms", "0002_outbox"),
    ]

    # Backwards, 0005 has copied the messages back before this runs: nothing to do.
    operations = [migrations.RunSQL([MOVE, CONTINUE_IDS], reverse_sql=migrations.RunSQL.noop)]
