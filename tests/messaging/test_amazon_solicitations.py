"""Amazon buyers asked for a product review and seller feedback (specs/amazon/solicitations.json): the sandbox on
the spec's wire format, the connector, the per-account setting and beat task, once per order across retries,
the order page's button and who sees it."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from marketplaces import polling as order_polling
from marketplaces.clients import connector_for_account
from marketplaces.connectors import amazon_solicitations
from messaging import events, outbox_names, solicitations, tasks
from messaging.models import AccountMessaging, ReviewRequest
from oms import outbox, roles
from oms.access.actions import set_account_scope
from oms.outbox import OutboxMessage
from orders import actions
from orders import events as order_events
from orders.models import Order, OrderEvent
from tests.factories import UserFactory
from tests.marketplaces.sandbox.spec_schemas import load_spec, problems, response_schema
from tests.marketplaces.sandbox.support import AMAZON_FR_MARKETPLACE_ID, amazon_session, decoded, new_account

SPEC = "amazon/solicitations.json"
ACTIONS = "/solicitations/v1/orders/{amazonOrderId}"
CREATE = "/solicitations/v1/orders/{amazonOrderId}/solicitations/productReviewAndSellerFeedback"
DAY = 86_400
SANDBOX_DELIVERY_DELAY_DAYS = 3  # the sandbox's assumed delivery date: ship date + 3 days
RECORDED = "solicitations.productReviewAndSellerFeedback"


def test_the_sandbox_offers_the_review_request_in_its_window_and_once(sandbox):
    spec = load_spec(SPEC)
    key, creds = new_account(sandbox, "amazon")
    session = amazon_session(sandbox, creds)
    [shipped] = sandbox.admin.generate_orders(key, 1, status="Shipped")
    [unshipped] = sandbox.admin.generate_orders(key, 1, status="Unshipped")
    api = f"{sandbox.url}/amazon/solicitations/v1/orders"
    market = {"marketplaceIds": AMAZON_FR_MARKETPLACE_ID}

    def offered(order_id):
        response = session.get(f"{api}/{order_id}", params=market, timeout=10)
        assert response.status_code == 200
        assert problems(decoded(response), response_schema(spec, ACTIONS, "get", "200"), spec) == []
        return [action["name"] for action in response.json()["_links"]["actions"]]

    def create(order_id):
        return session.post(f"{api}/{order_id}/solicitations/productReviewAndSellerFeedback", params=market, timeout=10)

    assert offered(shipped["id"]) == []  # delivered (ship date + 3 days) less than 5 days ago
    early = create(shipped["id"])
    assert early.status_code == 400
    assert problems(decoded(early), response_schema(spec, CREATE, "post", "400"), spec) == []
    assert early.json()["errors"][0]["code"] == "InvalidInput"

    sandbox.admin.advance_clock((SANDBOX_DELIVERY_DELAY_DAYS + 6) * DAY)
    session = amazon_session(sandbox, creds)  # the token expired with the clock
    assert offered(shipped["id"]) == ["productReviewAndSellerFeedback"]
    body = session.get(f"{api}/{shipped['id']}", params=market, timeout=10).json()
    assert body["_links"]["self"]["href"].endswith(f"/{shipped['id']}?marketplaceIds={AMAZON_FR_MARKETPLACE_ID}")
    assert body["_embedded"]["actions"][0]["_links"]["schema"]["name"] == "productReviewAndSellerFeedback"
    assert offered(unshipped["id"]) == []  # never shipped, never delivered

    first = create(shipped["id"])
    assert first.status_code == 201 and first.json() == {}
    assert problems(decoded(first), response_schema(spec, CREATE, "post", "201"), spec) == []
    second = create(shipped["id"])  # "Send only one productReviewAndSellerFeedback ... per order"
    assert second.status_code == 400
    [error] = second.json()["errors"]
    assert set(error) == {"code", "message", "details"} and "only one" in error["message"]
    assert offered(shipped["id"]) == []
    assert [a["action"] for a in sandbox.admin.order_actions(key, shipped["id"])] == [RECORDED]

    [late] = sandbox.admin.generate_orders(key, 1, status="Shipped")
    sandbox.admin.advance_clock((SANDBOX_DELIVERY_DELAY_DAYS + 31) * DAY)
    session = amazon_session(sandbox, creds)
    assert offered(late["id"]) == []  # more than 30 days after delivery
    assert session.get(f"{api}/{late['id']}", timeout=10).status_code == 400  # marketplaceIds is required
    assert session.get(f"{api}/999-0000000-0000000", params=market, timeout=10).status_code == 404


def delivered_amazon_order(sandbox, sandbox_account, *, days_ago: float, **messaging):
    """An Amazon order shipped on the sandbox and seen delivered by us `days_ago` days ago; the sandbox's clock
    moved so that its own delivery date is the same."""
    account, key = sandbox_account("amazon")
    AccountMessaging.objects.create(account=account, **messaging)
    [remote] = sandbox.admin.generate_orders(key, 1, status="Shipped")
    order_polling.poll_account(account_id=account.pk)
    order = Order.objects.get(account=account)
    actions.mark_delivered(order_id=order.pk, actor=actions.Actor.system("test"))
    OrderEvent.objects.filter(order=order, kind=order_events.DELIVERED).update(
        created_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    sandbox.admin.advance_clock((SANDBOX_DELIVERY_DELAY_DAYS + days_ago) * DAY)
    order.refresh_from_db()
    return account, key, remote, order


@pytest.mark.django_db
def test_the_connector_lists_the_offered_action_and_creates_the_request(sandbox, sandbox_account):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=8)
    connector = connector_for_account(account)
    assert amazon_solicitations.offered_actions(connector, order_id=remote["id"]) == ["productReviewAndSellerFeedback"]
    assert amazon_solicitations.request_review(connector, order_id=remote["id"])  # Amazon's request id
    assert amazon_solicitations.review_offered(connector, order_id=remote["id"]) is False
    assert [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])] == [RECORDED]


@pytest.mark.django_db
def test_the_beat_task_asks_once_for_each_due_order(sandbox, sandbox_account):
    account, key, remote, order = delivered_amazon_order(
        sandbox, sandbox_account, days_ago=8, request_amazon_reviews=True, review_request_days=7
    )
    assert tasks.request_reviews() == 1
    assert tasks.request_reviews() == 0  # asked for already: never twice from our side
    assert outbox.drain() == {"sent": 1}
    assert [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])] == [RECORDED]
    record = ReviewRequest.objects.get(order=order)
    assert record.status == ReviewRequest.Status.REQUESTED and record.automatic and record.requested_at
    [event] = OrderEvent.objects.filter(order=order, kind=events.REVIEW_REQUESTED)
    assert event.params == {"platform": "Amazon"}
    with override("en"):
        assert order_events.describe(event) == (
            "The buyer was asked on Amazon for a product review and seller feedback."
        )
    with override("fr"):
        assert order_events.describe(event) == (
            "Sur Amazon, l'acheteur a été invité à donner un avis sur le produit et une évaluation du vendeur."
        )
    assert tasks.request_reviews() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("settings_", "days_ago"),
    [
        ({"request_amazon_reviews": False}, 8),  # the setting is off (its default)
        ({"request_amazon_reviews": True, "review_request_days": 7}, 6),  # not due yet
        ({"request_amazon_reviews": True, "review_request_days": 7}, 31),  # past Amazon's window
    ],
)
def test_the_beat_task_leaves_orders_not_due(sandbox, sandbox_account, settings_, days_ago):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=days_ago, **settings_)
    assert solicitations.due().filter(pk=order.pk).exists() is False
    assert tasks.request_reviews() == 0
    assert not ReviewRequest.objects.exists()


@pytest.mark.django_db
def test_the_delay_after_delivery_stays_in_amazons_window(account):
    assert AccountMessaging(account=account).request_amazon_reviews is False
    assert AccountMessaging(account=account).review_request_days == 7
    for days in (4, 31):
        with pytest.raises(ValidationError) as caught:
            AccountMessaging(account=account, review_request_days=days).full_clean()
        assert "review_request_days" in caught.value.message_dict
    AccountMessaging(account=account, review_request_days=30).full_clean()


def _claimed(kind: str) -> OutboxMessage:
    [message] = [m for m in outbox.claim() if m.kind == kind]
    return message


def _lease_expires(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(lease_until=timezone.now() - dt.timedelta(seconds=1))


@pytest.mark.django_db
def test_a_lost_answer_after_the_create_is_not_sent_twice(sandbox, sandbox_account):
    """The worker's create reached Amazon but no answer came back (the sandbox applies it and drops the
    connection), and the worker died before storing anything: the message is claimed again when its lease
    expires, reads that Amazon no longer offers the request, and counts it as done."""
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=8)
    solicitations.request_review(order_id=order.pk)
    sandbox.admin.inject_fault(
        key, "timeout", operation="createProductReviewAndSellerFeedbackSolicitation", seconds=0.1, drop=True, apply=True
    )
    message = _claimed(outbox_names.SOLICIT_REVIEW)
    with pytest.raises(outbox.RetryLater):
        outbox.kind_named(message.kind).send(message)  # the worker is killed here: no outcome stored
    assert ReviewRequest.objects.get(order=order).attempted_at is not None
    _lease_expires(message)

    assert outbox.drain() == {"sent": 1}
    assert [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])] == [RECORDED]
    record = ReviewRequest.objects.get(order=order)
    assert record.status == ReviewRequest.Status.PRESUMED  # honest: we did not see Amazon's answer
    assert OrderEvent.objects.filter(order=order, kind=events.REVIEW_REQUESTED).count() == 1
    assert sandbox.admin.count(key, "createProductReviewAndSellerFeedbackSolicitation")["requests"] == 1


@pytest.mark.django_db
def test_a_request_stored_as_made_is_not_sent_again_by_a_late_reclaim(sandbox, sandbox_account):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=8)
    solicitations.request_review(order_id=order.pk)
    message = _claimed(outbox_names.SOLICIT_REVIEW)
    outbox.kind_named(message.kind).send(message)  # Amazon took it and we stored it; the outbox row did not
    _lease_expires(message)
    assert outbox.drain() == {"sent": 1}
    assert sandbox.admin.count(key, "createProductReviewAndSellerFeedbackSolicitation")["requests"] == 1
    assert ReviewRequest.objects.get(order=order).status == ReviewRequest.Status.REQUESTED


@pytest.mark.django_db
def test_a_request_amazon_does_not_offer_is_recorded_and_not_created(sandbox, sandbox_account):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=8)
    solicitations.request_review(order_id=order.pk)
    sandbox.admin.advance_clock(25 * DAY)  # Amazon's window closed before the outbox sent it
    outbox.drain()
    assert ReviewRequest.objects.get(order=order).status == ReviewRequest.Status.NOT_OFFERED
    assert sandbox.admin.order_actions(key, remote["id"]) == []
    assert not OrderEvent.objects.filter(order=order, kind=events.REVIEW_REQUESTED).exists()


@pytest.mark.django_db
def test_the_order_page_button_for_operators_with_rights_on_the_account(sandbox, sandbox_account, operator, viewer):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=8)
    page = reverse("orders:detail", args=[order.pk])
    url = reverse("messaging:request_review", args=[order.pk])

    as_viewer = Client()
    as_viewer.force_login(viewer)
    html = as_viewer.get(page).content.decode()
    assert 'id="review-request"' in html and "Request a review" not in html
    assert as_viewer.post(url).status_code == 403

    other, _ = sandbox_account("amazon")
    elsewhere = UserFactory(username="scoped-operator", role=roles.OPERATOR)
    set_account_scope(user=elsewhere, account_ids=[other.pk])
    as_elsewhere = Client()
    as_elsewhere.force_login(elsewhere)
    assert as_elsewhere.post(url).status_code == 404
    assert not ReviewRequest.objects.exists()

    as_operator = Client()
    as_operator.force_login(operator)
    assert "Request a review" in as_operator.get(page).content.decode()
    assert as_operator.post(url).status_code == 302
    record = ReviewRequest.objects.get(order=order)
    assert record.requested_by == operator and not record.automatic
    assert as_operator.post(url).status_code == 302  # a second click changes nothing
    assert ReviewRequest.objects.count() == 1
    assert outbox.drain() == {"sent": 1}
    html = as_operator.get(page).content.decode()
    assert "Request a review" not in html and 'data-review-status="requested"' in html
    assert [a["action"] for a in sandbox.admin.order_actions(key, remote["id"])] == [RECORDED]


@pytest.mark.django_db
def test_no_button_outside_the_window_nor_on_other_platforms(sandbox, sandbox_account, operator):
    account, key, remote, order = delivered_amazon_order(sandbox, sandbox_account, days_ago=2)
    client = Client()
    client.force_login(operator)
    assert 'id="review-request"' not in client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    client.post(reverse("messaging:request_review", args=[order.pk]))
    assert not ReviewRequest.objects.exists()
