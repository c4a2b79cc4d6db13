"""How a webhook delivery is sent: the `webhook.deliver` outbox kind.

One POST of the event's JSON, signed, with short timeouts and no redirects followed.
Every attempt is logged (`DeliveryAttempt`). A 2xx is delivered; 408, 429, 5xx, a timeout
or a connection error is retried with the outbox's backoff (honouring Retry-After), then
parked as a dead letter; any other answer is refused for good (a dead letter at once).
"""

from __future__ import annotations

import json
import time

import requests
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oms import outbox
from oms.outbox import OutboxMessage
from webhooks import signing
from webhooks.models import DeliveryAttempt, Endpoint
from webhooks.publishing import DELIVER

CONNECT_TIMEOUT = 3.0  # seconds
READ_TIMEOUT = 5.0
EXCERPT = 500  # characters of the receiver's answer kept in the log
RETRIED_STATUSES = frozenset({408, 429})
USER_AGENT = "OMS-Webhooks/1"

# One session per worker process: connections to a receiver are kept alive between deliveries.
_session = requests.Session()


def endpoint_id_of(destination: str) -> int:
    return int(destination.removeprefix("webhook:"))


def body_of(message: OutboxMessage) -> bytes:
    return json.dumps(message.payload["event"], separators=(",", ":"), ensure_ascii=False).encode()


def send_delivery(message: OutboxMessage) -> None:
    endpoint = Endpoint.objects.filter(pk=endpoint_id_of(message.destination)).first()
    if endpoint is None:
        return  # the endpoint was deleted: nobody is left to tell
    event = message.payload["event"]
    attempt = DeliveryAttempt(
        endpoint=endpoint, message=message, event_id=event["id"], event_type=event["type"], attempted_at=timezone.now()
    )
    if not endpoint.active:
        attempt.error = "Endpoint switched off: not sent."
        _log(attempt)
        return
    body = body_of(message)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        signing.HEADER: signing.signature_header(secrets=endpoint.secrets, body=body),
        "OMS-Event-Id": event["id"],
        "OMS-Event-Type": event["type"],
    }
    started = time.perf_counter()
    try:
        response = _session.post(
            endpoint.url, data=body, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), allow_redirects=False
        )
    except requests.RequestException as error:
        attempt.duration_ms = round((time.perf_counter() - started) * 1000)
        attempt.error = f"{error.__class__.__name__}: {error}"[:500]
        _log(attempt)
        raise outbox.RetryLater(attempt.error) from error
    attempt.duration_ms = round((time.perf_counter() - started) * 1000)
    attempt.status_code = response.status_code
    attempt.response_excerpt = response.text[:EXCERPT].replace("\x00", "")
    _log(attempt)
    if 200 <= response.status_code < 300:
        return
    reason = f"HTTP {response.status_code} from {endpoint.url}"
    if response.status_code >= 500 or response.status_code in RETRIED_STATUSES:
        raise outbox.RetryLater(reason, retry_after=_retry_after(response))
    raise outbox.Undeliverable(reason)


def _log(attempt: DeliveryAttempt) -> None:
    """Write an attempt to the log without waiting for PostgreSQL to flush it to disk: a crash in
    the next instant may lose the row, never the outcome (the outbox commits that durably), and
    a delivery then waits on one disk flush instead of two."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        attempt.save()


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.isdigit() else None


outbox.declare(DELIVER, label=_("Webhook"), send=send_delivery)
