"""The wave-1 outbox table goes, once 0004 moved its rows and inventory points at the new one."""

from django.db import migrations

# Backwards only: the marketplace messages go back to the recreated wave-1 table (other kinds
# have no place there), before inventory points its publications at it again.
MOVE_BACK = """
INSERT INTO marketplaces_outboxmessage (
    id, account_id, order_id, kind, payload, idempotency_key,
    status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at
)
SELECT id, CAST(substr(destination, length('marketplace:') + 1) AS bigint),
       CAST(NULLIF(substr(subject, length('order:') + 1), '') AS bigint), substr(kind, length('marketplace.') + 1),
       payload, idempotency_key, status, attempts, next_attempt_at, lease_until, last_error, created_at, sent_at
FROM oms_outboxmessage
WHERE kind LIKE 'marketplace.%' AND destination LIKE 'marketplace:%'
ORDER BY id
"""

CONTINUE_IDS = """
SELECT setval(pg_get_serial_sequence('marketplaces_outboxmessage', 'id'), COALESCE(MAX(id), 1), MAX(id) IS NOT NULL)
FROM marketplaces_outboxmessage
"""


class Migration(migrations.Migration):
    dependencies = [
        ("marketplaces", "0004_outbox_moved"),
        ("inventory", "0002_publication_message_outbox"),
    ]

    operations = [
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql=[MOVE_BACK, CONTINUE_IDS]),
        migrations.DeleteModel(name="OutboxMessage"),
    ]
