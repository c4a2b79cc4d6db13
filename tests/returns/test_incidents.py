"""Mirakl incidents: opened by the buyer in the sandbox, read by polling (OR11 has_incident) as returns of
kind "incident" once, with a deadline; resolved by the operator with a refund and/or OR64, over real HTTP."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from marketplaces.clients import connector_for_account
from oms import outbox, roles
from oms.access import actions as access_actions
from orders.models import OrderEvent
from returns import actions, polling
from returns.models import Refund, ReturnRequest, ReturnStatus
from tests.factories import UserFactory
from tests.returns.test_api import bearer
from tests.returns.test_marketplace_returns import shipped_on_mirakl

pytestmark = pytest.mark.django_db(transaction=True)


def incident_on(sandbox, sandbox_account, operator, **options):
    account, key = sandbox_account("mirakl")
    order = shipped_on_mirakl(sandbox, account, key, operator)
    first, second = order.lines.order_by("pk")
    sandbox.admin.open_incident(key, order.marketplace_order_id, line_id=second.marketplace_line_id, **options)
    return account, key, order, second


def test_an_incident_opened_on_mirakl_is_read_once_with_its_deadline(sandbox, sandbox_account, operator):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator, reason_code="3")

    assert polling.poll_returns(account_id=account.pk) == 1
    found = ReturnRequest.objects.get(order=order)
    assert (found.kind, found.source, found.status) == ("incident", "marketplace", ReturnStatus.REQUESTED)
    assert found.marketplace_return_id == f"incident:{line.marketplace_line_id}"
    assert found.marketplace_state == "INCIDENT_OPEN" and found.reason == "defective"
    assert found.respond_by - found.requested_at == dt.timedelta(days=3)
    [incident_line] = found.lines.all()
    assert (incident_line.order_line_id, incident_line.quantity, incident_line.note) == (
        line.pk,
        line.quantity,
        "Defective item",
    )
    assert OrderEvent.objects.filter(order=order, kind="incident_opened").count() == 1

    # Read again (the overlap, and the order changing on Mirakl): still one incident, one event.
    sandbox.admin.advance_clock(60)
    polling.poll_returns(account_id=account.pk)
    polling.poll_returns(account_id=account.pk)
    assert ReturnRequest.objects.filter(order=order).count() == 1
    assert OrderEvent.objects.filter(order=order, kind="incident_opened").count() == 1
    # The incident does not stop a return of the same units.
    actions.request_return(
        order_id=order.pk,
        lines=[actions.LineReturn(line.pk, line.quantity)],
        actor=actions.Actor.system(),
    )


def test_the_operator_resolves_an_incident_with_a_refund_and_or64(client, sandbox, sandbox_account, operator):
    cache.clear()
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    client.force_login(operator)

    page = client.get(f"/returns/{found.pk}/").content.decode()
    assert "I finally received my order" in page  # RE12's reasons, read from the sandbox
    assert 'value="refund"' in page or 'name="refund"' in page
    french = client.get(f"/returns/{found.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Résoudre l’incident" in french

    # An unknown reason is refused and changes nothing.
    client.post(f"/returns/{found.pk}/resolve/", {"reason_code": "99"})
    found.refresh_from_db()
    assert found.status == ReturnStatus.REQUESTED and not Refund.objects.filter(order=order).exists()

    client.post(f"/returns/{found.pk}/resolve/", {"reason_code": "11", "refund": "yes"})
    found.refresh_from_db()
    assert found.status == ReturnStatus.CLOSED
    [refund] = Refund.objects.filter(order=order)
    assert refund.return_request_id == found.pk and refund.total_amount == line.total_amount
    assert outbox.drain() == {"sent": 2}  # the refund (OR28) first, then OR64

    applied = sandbox.admin.order_actions(key, order.marketplace_order_id)
    assert [a["action"] for a in applied][-2:] == ["OR28", "OR64"]
    assert applied[-1]["body"] == {"line": line.marketplace_line_id, "reason_code": "11"}
    remote = sandbox.admin.order(key, order.marketplace_order_id)
    [remote_line] = [entry for entry in remote["lines"] if entry["id"] == line.marketplace_line_id]
    assert remote_line["status"] != "INCIDENT_OPEN"

    # Resolved once: a second resolution is refused, and polling again opens nothing new.
    response = client.post(f"/returns/{found.pk}/resolve/", {"reason_code": "11"}, follow=True)
    assert "cannot become" in response.content.decode()
    polling.poll_returns(account_id=account.pk)
    assert ReturnRequest.objects.filter(order=order).count() == 1
    event = OrderEvent.objects.get(order=order, kind="incident_resolved")
    assert event.params["reason"] == "Agreement made with the vendor"
    assert Decimal(event.params["refunded"]) == line.total_amount


def test_or64_replayed_on_a_resolved_line_counts_as_done_and_a_resolution_needs_a_reason(
    sandbox, sandbox_account, operator
):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    actor = actions.Actor.of_user(operator)
    with pytest.raises(actions.InvalidInput):
        actions.resolve_incident(return_id=found.pk, actor=actor)
    found.refresh_from_db()
    assert found.status == ReturnStatus.REQUESTED

    actions.resolve_incident(return_id=found.pk, actor=actor, reason_code="8")
    assert outbox.drain() == {"sent": 1}
    # The same OR64 again (a retry after a lost answer): the sandbox refuses, the connector sees it done.
    connector_for_account(account).resolve_incident(
        order_id=order.marketplace_order_id, line_id=line.marketplace_line_id, reason_code="8"
    )
    assert not Refund.objects.filter(order=order).exists()


def test_the_queue_filters_incidents_and_the_order_page_shows_them(client, sandbox, sandbox_account, operator):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    incident = ReturnRequest.objects.get(order=order)
    other = actions.request_return(
        order_id=order.pk, lines=[actions.LineReturn(line.pk, 1)], actor=actions.Actor.system()
    )
    client.force_login(operator)
    french = client.get("/returns/", {"kind": "incident"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Type" in french and "Incident" in french
    incidents = client.get("/returns/", {"kind": "incident"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert incident.number in incidents and other.number not in incidents
    returns = client.get("/returns/", {"kind": "return"}).content.decode()
    assert other.number in returns and incident.number not in returns
    assert "Incident" in client.get("/returns/").content.decode()
    order_page = client.get(f"/orders/{order.pk}/").content.decode()
    assert incident.number in order_page and "Incident" in order_page


def test_an_erp_resolves_an_incident_through_the_api(operator_api, viewer_api, sandbox, sandbox_account, operator):
    cache.clear()
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    url = f"/api/v1/returns/{found.pk}/resolve/"

    assert viewer_api.post(url, {"reason_code": "11"}, format="json").status_code == 403
    # The same checks as the page: a reason or a refund, a reason RE12 knows, amounts within what was paid.
    nothing = operator_api.post(url, {}, format="json")
    assert nothing.status_code == 400 and nothing.json()["error"]["details"] == {"reason_code": "required"}
    unknown = operator_api.post(url, {"reason_code": "99"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["error"]["message"] == "Unknown resolution reason."
    over = {"refund": True, "lines": [{"order_line": line.pk, "amount": str(line.total_amount + 1)}]}
    too_much = operator_api.post(url, over, format="json")
    assert too_much.status_code == 400 and "left to refund" in too_much.json()["error"]["message"]
    other_line = order.lines.exclude(pk=line.pk).get()
    foreign = {"refund": True, "lines": [{"order_line": other_line.pk, "amount": "1.00"}]}
    assert operator_api.post(url, foreign, format="json").json()["error"]["details"] == {"lines": [other_line.pk]}
    no_refund = {"lines": [{"order_line": line.pk, "amount": "1.00"}]}
    assert operator_api.post(url, no_refund, format="json").status_code == 400
    found.refresh_from_db()
    assert found.status == ReturnStatus.REQUESTED and not Refund.objects.filter(order=order).exists()

    body = {"reason_code": "11", "refund": True, "lines": [{"order_line": line.pk, "amount": "5.00"}]}
    resolved = operator_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="resolve-1")
    assert resolved.status_code == 200, resolved.content
    assert (resolved.json()["status"], resolved.json()["kind"]) == ("closed", "incident")
    again = operator_api.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="resolve-1")
    assert again.status_code == 200 and again.json() == resolved.json()
    [refund] = Refund.objects.filter(order=order)
    assert refund.total_amount == Decimal("5.00") and refund.return_request_id == found.pk
    assert outbox.drain() == {"sent": 2}  # the refund (OR28) first, then OR64
    applied = sandbox.admin.order_actions(key, order.marketplace_order_id)
    assert [a["action"] for a in applied][-2:] == ["OR28", "OR64"]
    assert applied[-1]["body"] == {"line": line.marketplace_line_id, "reason_code": "11"}

    # Resolved once: a second resolution (another key) is refused, changing nothing.
    twice = operator_api.post(url, {"reason_code": "11"}, format="json")
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "illegal_transition"
    event = OrderEvent.objects.get(order=order, kind="incident_resolved")
    assert event.params["reason"] == "Agreement made with the vendor" and event.params["refunded"] == "5.00"


def test_a_return_is_not_resolved_as_an_incident_and_the_scope_is_returns(
    admin_user, operator_api, sandbox, sandbox_account, operator
):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    returned = actions.request_return(
        order_id=order.pk, lines=[actions.LineReturn(line.pk, 1)], actor=actions.Actor.system()
    )
    response = operator_api.post(f"/api/v1/returns/{returned.pk}/resolve/", {"refund": True}, format="json")
    assert response.status_code == 409 and "not an incident" in response.json()["error"]["message"]
    assert not Refund.objects.filter(order=order).exists()

    polling.poll_returns(account_id=account.pk)
    incident = ReturnRequest.objects.get(order=order, kind="incident")
    _, reader = access_actions.create_api_client(name="Reader", scopes=["returns:read"], created_by=admin_user)
    _, writer = access_actions.create_api_client(
        name="ERP", scopes=["returns:read", "returns:write"], created_by=admin_user
    )
    url = f"/api/v1/returns/{incident.pk}/resolve/"
    assert bearer(reader).post(url, {"refund": True}, format="json").status_code == 403
    done = bearer(writer).post(url, {"refund": True}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "closed"
    assert Refund.objects.get(order=order).total_amount == line.total_amount


def test_an_incident_closed_on_mirakl_closes_ours_at_the_next_poll(client, sandbox, sandbox_account, operator):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    found = ReturnRequest.objects.get(order=order)
    # Another incident, on the other line, stays open on Mirakl.
    first = order.lines.exclude(pk=line.pk).get()
    sandbox.admin.open_incident(key, order.marketplace_order_id, line_id=first.marketplace_line_id)
    polling.poll_returns(account_id=account.pk)
    other = ReturnRequest.objects.get(order=order, marketplace_return_id=f"incident:{first.marketplace_line_id}")
    # Nothing closed on Mirakl yet: a poll closes nothing.
    polling.poll_returns(account_id=account.pk)
    assert set(ReturnRequest.objects.filter(order=order).values_list("status", flat=True)) == {"requested"}

    sandbox.admin.close_incident(key, order.marketplace_order_id, line_id=line.marketplace_line_id)
    polling.poll_returns(account_id=account.pk)
    found.refresh_from_db()
    other.refresh_from_db()
    assert (found.status, found.marketplace_state) == (ReturnStatus.CLOSED, "SHIPPED")
    assert other.status == ReturnStatus.REQUESTED
    event = OrderEvent.objects.get(order=order, kind="incident_closed_on_platform")
    assert event.params["return"] == found.number and event.actor_type == "marketplace"
    # Read again: one event, nothing sent to Mirakl, no refund.
    polling.poll_returns(account_id=account.pk)
    assert OrderEvent.objects.filter(order=order, kind="incident_closed_on_platform").count() == 1
    assert outbox.drain() == {}  # nothing queued for Mirakl
    assert not Refund.objects.filter(order=order).exists()
    applied = [a["action"] for a in sandbox.admin.order_actions(key, order.marketplace_order_id)]
    assert "OR64" not in applied
    client.force_login(operator)
    french = client.get(f"/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert f"L’incident {found.number} a été clos sur la marketplace" in french


def test_a_refund_through_the_api_needs_the_role_that_refunds_orders(sandbox, sandbox_account, operator):
    account, key, order, line = incident_on(sandbox, sandbox_account, operator)
    polling.poll_returns(account_id=account.pk)
    incident = ReturnRequest.objects.get(order=order)
    clerk = UserFactory(username="rita-returns", role=roles.VIEWER)
    clerk.user_permissions.add(Permission.objects.get(content_type__app_label="returns", codename="act_on_return"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=clerk).key}")
    url = f"/api/v1/returns/{incident.pk}/resolve/"

    assert api.post(url, {"refund": True}, format="json").status_code == 403
    assert not Refund.objects.filter(order=order).exists()
    done = api.post(url, {"reason_code": "8"}, format="json")  # the platform's resolution alone: their role
    assert done.status_code == 200 and done.json()["status"] == "closed"
