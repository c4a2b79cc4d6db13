"""The outbox core with a kind only this module declares: adding a kind is one declaration."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from oms import outbox
from oms.outbox import OutboxMessage

S = OutboxMessage.Status
RECEIVED: list[dict] = []


def send_echo(message):
    """The test kind's sender: the payload says how the attempt ends."""
    outcome = message.payload["outcome"]
    if outcome == "retry":
        raise outbox.RetryLater("busy", retry_after=30)
    if outcome == "refuse":
        raise outbox.Undeliverable("RefusedByEcho: no")
    if outcome == "crash":
        raise KeyError("a bug")
    RECEIVED.append(message.payload)


# The whole declaration of a kind:
outbox.declare("test.echo", label="Echo", send=send_echo)


@pytest.fixture(autouse=True)
def forget_received():
    RECEIVED.clear()


@pytest.fixture
def outcomes():
    told = []

    def sent(message, **kwargs):
        told.append(("sent", message.pk))

    def failed(message, error, **kwargs):
        told.append(("failed", message.pk, error))

    outbox.outbox_message_sent.connect(sent)
    outbox.outbox_message_failed.connect(failed)
    yield told
    outbox.outbox_message_sent.disconnect(sent)
    outbox.outbox_message_failed.disconnect(failed)


def echo(outcome="ok", **fields):
    return outbox.enqueue(kind="test.echo", destination="echo:inbox", payload={"outcome": outcome}, **fields)


@pytest.mark.django_db
def test_a_declared_kind_goes_through_the_real_drain(outcomes):
    message = echo(subject="thing:1")
    assert outbox.drain() == {"sent": 1}
    message.refresh_from_db()
    assert message.status == S.SENT and message.sent_at and message.attempts == 1
    assert RECEIVED == [{"outcome": "ok"}]
    assert outcomes == [("sent", message.pk)]
    assert list(outbox.messages_about("thing:1")) == [message]
    assert "test.echo" in [kind.name for kind in outbox.declared_kinds()]


@pytest.mark.django_db
def test_an_undeclared_kind_is_refused_when_written():
    with pytest.raises(ValueError, match="undeclared"):
        outbox.enqueue(kind="test.nobody", destination="nowhere", payload={})
    with pytest.raises(ValueError, match="already declared"):
        outbox.declare("test.echo", label="Echo", send=send_echo)


@pytest.mark.django_db
def test_retry_later_honours_retry_after_then_a_refusal_is_a_dead_letter(outcomes):
    message = echo("retry")
    before = timezone.now()
    assert outbox.drain() == {"retry": 1}
    message.refresh_from_db()
    assert message.status == S.PENDING and message.last_error == "busy"
    assert before + dt.timedelta(seconds=29) < message.next_attempt_at < timezone.now() + dt.timedelta(seconds=31)

    OutboxMessage.objects.filter(pk=message.pk).update(payload={"outcome": "refuse"}, next_attempt_at=before)
    assert outbox.drain() == {"dead": 1}
    message.refresh_from_db()
    assert message.status == S.DEAD and message.last_error == "RefusedByEcho: no"
    assert outcomes == [("failed", message.pk, "RefusedByEcho: no")]

    assert outbox.retry_dead(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (S.PENDING, 0, "")
    assert not outbox.retry_dead(message_id=message.pk)  # only a dead letter is sent again


@pytest.mark.django_db
def test_a_bug_in_a_sender_is_retried_then_parked(outcomes):
    message = echo("crash")
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        assert outbox.drain() == {"retry": 1}
        OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox.drain() == {"dead": 1}
    message.refresh_from_db()
    assert message.status == S.DEAD and message.attempts == outbox.MAX_ATTEMPTS and "KeyError" in message.last_error


@pytest.mark.django_db
def test_one_ordering_key_goes_out_in_order_and_a_discard_frees_the_next():
    first = echo("refuse", ordering_key="thing:7")
    second = echo(ordering_key="thing:7")
    unrelated = echo(ordering_key="thing:8")
    assert outbox.drain() == {"dead": 1, "sent": 1}  # the second waits behind the dead first
    assert OutboxMessage.objects.get(pk=second.pk).status == S.PENDING
    assert OutboxMessage.objects.get(pk=unrelated.pk).status == S.SENT

    assert outbox.discard_dead(message_id=first.pk)
    assert outbox.drain() == {"sent": 1}
    assert OutboxMessage.objects.get(pk=second.pk).status == S.SENT


@pytest.mark.django_db
def test_done_by_hand_frees_the_next_and_only_a_dead_letter_is_marked():
    first = echo("refuse", ordering_key="thing:9")
    second = echo(ordering_key="thing:9")
    assert not outbox.mark_done(message_id=second.pk)  # pending: not a person's to settle
    assert outbox.drain() == {"dead": 1}

    assert outbox.mark_done(message_id=first.pk)
    assert OutboxMessage.objects.get(pk=first.pk).status == S.DONE_BY_HAND
    assert not outbox.retry_dead(message_id=first.pk) and not outbox.discard_dead(message_id=first.pk)
    assert outbox.drain() == {"sent": 1}
    assert OutboxMessage.objects.get(pk=second.pk).status == S.SENT


@pytest.mark.django_db(transaction=True)
def test_concurrent_drainers_claim_disjoint_messages():
    ids = {echo().pk for _ in range(40)}
    claimed: list[list[int]] = []
    ready = threading.Barrier(2)

    def claim_some():
        try:
            ready.wait()
            claimed.append([message.pk for message in outbox.claim(limit=25)])
        finally:
            connection.close()

    threads = [threading.Thread(target=claim_some) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = claimed
    assert not set(first) & set(second)
    assert set(first) | set(second) <= ids and len(first) + len(second) == 40
    assert OutboxMessage.objects.filter(status=S.SENDING).count() == 40
