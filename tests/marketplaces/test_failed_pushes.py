"""A push the marketplace does not take reaches the operator: queue filter, the platform's words on the
order, and retry / done by hand / discard, in the UI and the API, over real HTTP to the sandbox."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplaces.clients import connector_for_account
from marketplaces.push_failures import explain
from oms import outbox
from oms.outbox import OutboxMessage
from orders import actions, events, pushes
from orders.models import OrderEvent, SavedView
from shipping import actions as shipping_actions
from tests.marketplaces.test_outbox import applied, ingest_one, messages_of

S = OutboxMessage.Status
pytestmark = pytest.mark.django_db(transaction=True)


def queue(client, **params) -> str:
    response = client.get(reverse("orders:list"), params)
    assert response.status_code == 200
    return response.content.decode()


def order_page(client, order) -> str:
    response = client.get(reverse("orders:detail", args=[order.pk]))
    assert response.status_code == 200
    return response.content.decode()


def push_url(name, order, message) -> str:
    return reverse(f"orders:push_{name}", args=[order.pk, message.pk])


def run_out_of_attempts(order) -> None:
    """The worker tries the order's first push until the outbox gives up on it (a dead letter)."""
    for _ in range(outbox.MAX_ATTEMPTS):
        messages_of(order).filter(status=S.PENDING).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
        outcome = outbox.drain()
    assert outcome == {"dead": 1}


def refused_accept(sandbox, sandbox_account, operator):
    """A Mirakl order the buyer cancelled before we saw it: the operator's accept is refused by Mirakl."""
    account, key = sandbox_account("mirakl")
    order = ingest_one(sandbox, account, key)
    sandbox.admin.buyer_cancel(key, order.marketplace_order_id)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    assert outbox.drain() == {"dead": 1}
    return order, messages_of(order).get()


def test_a_refused_push_is_in_the_queue_filter_with_the_platforms_words_on_the_order(
    sandbox, sandbox_account, operator, client
):
    order, message = refused_accept(sandbox, sandbox_account, operator)
    SavedView.objects.create(name="Push failed", query="push_failed=true", shared=True)
    client.force_login(operator)

    failed = queue(client, push_failed="true")
    assert order.reference in failed and 'class="badge push-failed"' in failed
    assert "1 order<" in failed
    everything = queue(client)
    saved = everything.split('class="saved-views"')[1].split("</nav>")[0]
    assert 'Push failed <span class="view-count">1</span>' in saved
    assert order.reference not in queue(client, push_failed="false")

    # The order page says so next to its status, in our words and Mirakl's own.
    failure = explain(message.last_error)
    assert failure.platform_message and failure.code.startswith("4")
    page = order_page(client, order)
    head = page.split('class="page-head"')[1].split("</div>")[0]
    assert "Push failed" in head
    banner = page.split('class="card push-failure"')[1].split("</section>")[0]
    assert "Mirakl did not take “Accept”" in banner
    assert "The marketplace refused it." in banner
    assert failure.platform_message in banner.replace("&#x27;", "'").replace("&quot;", '"')
    assert "Send again" in banner and "Done on the marketplace" in banner and "Discard the push" in banner

    client.post(reverse("set_language"), {"language": "fr"})
    french = order_page(client, order).split('class="card push-failure"')[1].split("</section>")[0]
    assert "Mirakl n’a pas pris en compte « Accepter »" in french
    assert "La marketplace l’a refusé." in french
    assert failure.platform_message[:20] in french.replace("&#x27;", "'").replace("&quot;", '"')


def test_operator_retries_after_the_fault_is_fixed_and_the_push_goes_once(sandbox, sandbox_account, operator, client):
    account, key = sandbox_account("mirakl", settings={"http_retries": 0})
    order = ingest_one(sandbox, account, key)
    sandbox.admin.inject_fault(key, "http_error", operation="OR21", status=503, count=100)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    run_out_of_attempts(order)
    message = messages_of(order).get()
    client.force_login(operator)
    assert order.reference in queue(client, push_failed="true")
    banner = order_page(client, order).split('class="card push-failure"')[1].split("</section>")[0]
    assert "The marketplace did not answer after several attempts." in banner and "503" in banner

    sandbox.admin.clear_faults()  # Mirakl is back
    response = client.post(push_url("retry", order, message), follow=True)
    assert "The push will be sent again." in response.content.decode()
    assert outbox.drain() == {"sent": 1}
    assert applied(sandbox, key, order) == ["OR21"]
    assert order.reference not in queue(client, push_failed="true")
    assert 'class="card push-failure"' not in order_page(client, order)
    kinds = list(OrderEvent.objects.filter(order=order).values_list("kind", flat=True))
    assert kinds[-3:] == [events.PUSH_FAILED, events.PUSH_RETRIED, events.PUSHED]
    assert OrderEvent.objects.get(order=order, kind=events.PUSH_RETRIED).actor_user == operator

    # Sending it again once more is refused: it no longer waits for anyone.
    response = client.post(push_url("retry", order, message), follow=True)
    assert "This push no longer waits for a person" in response.content.decode()
    assert applied(sandbox, key, order) == ["OR21"]


def test_done_by_hand_on_the_platform_lets_the_orders_next_push_go(sandbox, sandbox_account, operator, client):
    account, key = sandbox_account("mirakl", settings={"http_retries": 0})
    order = ingest_one(sandbox, account, key)
    actor = actions.Actor.of_user(operator)
    sandbox.admin.inject_fault(key, "http_error", operation="OR21", status=503, count=outbox.MAX_ATTEMPTS)
    actions.accept_order(order_id=order.pk, actor=actor)
    shipping_actions.ship_order(order_id=order.pk, actor=actor, carrier="colissimo", tracking_number="6A12345678901")
    run_out_of_attempts(order)
    accept, ship = messages_of(order)
    assert (accept.status, ship.status) == (S.DEAD, S.PENDING)  # the shipment waits behind the failed acceptance
    assert outbox.drain() == {}

    # The operator accepts the order in Mirakl's back office (the same call the portal makes)…
    line_ids = list(order.lines.values_list("marketplace_line_id", flat=True))
    connector_for_account(account).accept_order(order_id=order.marketplace_order_id, line_ids=line_ids)
    # …and says so here.
    client.force_login(operator)
    response = client.post(push_url("mark_done", order, accept), follow=True)
    assert "Marked as done on the marketplace" in response.content.decode()
    assert OutboxMessage.objects.get(pk=accept.pk).status == S.DONE_BY_HAND
    assert outbox.drain() == {"sent": 1}
    assert OutboxMessage.objects.get(pk=ship.pk).status == S.SENT
    assert applied(sandbox, key, order) == ["OR21", "OR23", "OR24"]
    assert sandbox.admin.order(key, order.marketplace_order_id)["status"] == "SHIPPED"
    done = OrderEvent.objects.get(order=order, kind=events.PUSH_DONE_BY_HAND)
    assert done.actor_user == operator and done.params["push"] == "accept"
    assert "Done by hand on the marketplace" in order_page(client, order)


def test_discard_needs_a_confirmation_and_a_viewer_cannot_act(sandbox, sandbox_account, operator, viewer, client):
    order, message = refused_accept(sandbox, sandbox_account, operator)

    client.force_login(viewer)
    page = order_page(client, order)
    assert 'class="card push-failure"' in page and "Send again" not in page  # sees, cannot act
    for name in ("retry", "mark_done", "discard"):
        assert client.post(push_url(name, order, message), {"confirm": "1"}).status_code == 403
    assert OutboxMessage.objects.get(pk=message.pk).status == S.DEAD

    client.force_login(operator)
    response = client.post(push_url("discard", order, message), follow=True)
    assert "Confirm first that the marketplace will never hear this." in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == S.DEAD
    response = client.post(push_url("discard", order, message), {"confirm": "1"}, follow=True)
    assert "The push was discarded" in response.content.decode()
    assert OutboxMessage.objects.get(pk=message.pk).status == S.DISCARDED
    assert OrderEvent.objects.filter(order=order, kind=events.PUSH_DISCARDED, actor_user=operator).count() == 1
    assert order.reference not in queue(client, push_failed="true")


def test_the_api_lists_pushes_and_answers_a_failed_one(sandbox, sandbox_account, operator, operator_api, viewer_api):
    account, key = sandbox_account("mirakl", settings={"http_retries": 0})
    order = ingest_one(sandbox, account, key)
    sandbox.admin.inject_fault(key, "http_error", operation="OR21", status=503, count=100)
    actions.accept_order(order_id=order.pk, actor=actions.Actor.of_user(operator))
    run_out_of_attempts(order)
    message = messages_of(order).get()

    listed = operator_api.get("/api/v1/orders/", {"push_failed": "true"}).json()["results"]
    assert [(row["id"], row["push_failed"]) for row in listed] == [(order.pk, True)]
    detail = viewer_api.get(f"/api/v1/orders/{order.pk}/").json()
    [push] = detail["pushes"]
    assert push["id"] == message.pk and push["kind"] == pushes.ACCEPT and push["status"] == "dead"
    assert push["failure"]["code"] == "503" and push["failure"]["reason"]

    base = f"/api/v1/orders/{order.pk}/pushes/{message.pk}"
    for name in ("retry", "mark-done", "discard"):
        assert viewer_api.post(f"{base}/{name}/").status_code == 403
    assert operator_api.post(f"/api/v1/orders/{order.pk}/pushes/999999/retry/").json()["error"]["code"] == "not_found"

    sandbox.admin.clear_faults()
    first = operator_api.post(f"{base}/retry/", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == 200 and first.json()["push_failed"] is False
    replay = operator_api.post(f"{base}/retry/", HTTP_IDEMPOTENCY_KEY="retry-1")
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert OrderEvent.objects.filter(order=order, kind=events.PUSH_RETRIED).count() == 1
    assert operator_api.post(f"{base}/retry/").status_code == 409  # no longer waits for anyone
    assert outbox.drain() == {"sent": 1}
    assert applied(sandbox, key, order) == ["OR21"]


def test_the_api_marks_done_and_discards(sandbox, sandbox_account, operator, operator_api):
    order, message = refused_accept(sandbox, sandbox_account, operator)
    base = f"/api/v1/orders/{order.pk}/pushes/{message.pk}"
    done = operator_api.post(f"{base}/mark-done/", HTTP_IDEMPOTENCY_KEY="done-1")
    assert done.status_code == 200
    assert [push["status"] for push in done.json()["pushes"]] == ["done_by_hand"]
    assert operator_api.post(f"{base}/discard/").status_code == 409

    order, message = refused_accept(sandbox, sandbox_account, operator)
    discarded = operator_api.post(f"/api/v1/orders/{order.pk}/pushes/{message.pk}/discard/")
    assert discarded.status_code == 200 and discarded.json()["pushes"][0]["status"] == "discarded"
    assert OrderEvent.objects.filter(order=order, kind=events.PUSH_DISCARDED).count() == 1
