"""Mirakl refund reasons: the sandbox answers RE01 on its wire format; an admin maps our reasons to the
platform's on the account's "Reason codes" page (read over HTTP); a refund whose reason is not mapped is
refused before anything is sent, and a mapped one sends the platform's code in OR28."""

import pytest

from marketplaces.clients import connector_for_account
from marketplaces.models import MarketplaceAccount
from oms import outbox
from oms.errors import InvalidInput
from oms.outbox import OutboxMessage
from orders.models import OrderEvent
from returns import actions
from returns.models import Refund
from tests.returns.test_marketplace_returns import shipped_on_mirakl

pytestmark = pytest.mark.django_db(transaction=True)
UNMAPPED = {"settings": {"reason_codes": {}}}


def test_the_sandbox_answers_re01_with_refund_and_incident_reasons_in_french(sandbox, sandbox_account):
    account, _key = sandbox_account("mirakl")
    connector = connector_for_account(account)

    every = connector.reasons()
    kinds = {kind for kind, _code, _label in every}
    assert {"REFUND", "INCIDENT_OPEN", "INCIDENT_CLOSE"} <= kinds
    assert [kind for kind, _c, _l in every] == sorted(kind for kind, _c, _l in every)  # by type, as RE01 sorts
    refunds = {code: label for _kind, code, label in connector.reasons(kind="REFUND")}
    assert refunds["12"] == "Produit endommagé à la livraison" and refunds["15"] == "Rupture de stock"
    closing = {code: label for kind, code, label in every if kind == "INCIDENT_CLOSE"}
    assert closing["11"] == "Accord trouvé avec le vendeur"
    english = {code: label for _k, code, label in connector.reasons(kind="REFUND", locale="en_GB")}
    assert english["15"] == "Out of stock"  # the spec's example


def test_an_admin_maps_our_reasons_to_the_platforms_on_the_accounts_page(
    client, admin_user, operator, sandbox, sandbox_account
):
    account, _key = sandbox_account("mirakl", name="Fnac-Darty", **UNMAPPED)
    url = f"/returns/accounts/{account.pk}/reason-codes/"
    client.force_login(operator)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)

    accounts = client.get("/marketplaces/").content.decode()
    assert url in accounts
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Codes motifs" in page and "Produit endommagé à la livraison (12)" in page  # RE01, read over HTTP
    assert 'name="reason_damaged"' in page and 'name="reason_other"' in page

    # A code the platform does not list is refused, changing nothing.
    client.post(url, {"reason_damaged": "99"})
    account.refresh_from_db()
    assert account.settings["reason_codes"] == {}

    response = client.post(url, {"reason_damaged": "12", "reason_other": "18"}, follow=True)
    assert "Reason codes saved." in response.content.decode()
    account.refresh_from_db()
    assert account.settings["reason_codes"] == {"damaged": "12", "other": "18"}
    page = client.get(url).content.decode()
    assert '<option value="12" selected>' in page

    # Unmapping one keeps the others and the account's other settings.
    MarketplaceAccount.objects.filter(pk=account.pk).update(
        settings={
            **account.settings,
            "page_size": 50,
            "reason_codes": {**account.settings["reason_codes"], "SHOP": "34"},
        }
    )
    client.post(url, {"reason_damaged": "", "reason_other": "18"})
    account.refresh_from_db()
    assert account.settings == {"page_size": 50, "reason_codes": {"other": "18", "SHOP": "34"}}


def test_a_refund_of_a_reason_not_mapped_is_refused_before_sending(sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl", name="Fnac-Darty", **UNMAPPED)
    order = shipped_on_mirakl(sandbox, account, key, operator)
    actor = actions.Actor.of_user(operator)
    queued = OutboxMessage.objects.count()

    with pytest.raises(InvalidInput) as refused:
        actions.refund_order(order_id=order.pk, actor=actor, reason="damaged")
    assert "map the reason “Arrived damaged”" in refused.value.message and "Reason codes" in refused.value.message
    assert refused.value.details == {"reason": "damaged", "account": account.pk}
    # A typed reason needs the mapping of "Other".
    with pytest.raises(InvalidInput) as typed:
        actions.refund_order(order_id=order.pk, actor=actor, reason="Colis abîmé")
    assert typed.value.details["reason"] == "other"
    assert not Refund.objects.filter(order=order).exists()
    assert OutboxMessage.objects.count() == queued
    assert not OrderEvent.objects.filter(order=order, kind="refunded").exists()
    order.refresh_from_db()
    assert order.refunded_amount == 0


def test_a_mapped_reason_sends_the_platforms_code_in_or28(client, admin_user, sandbox, sandbox_account, operator):
    account, key = sandbox_account("mirakl", **UNMAPPED)
    order = shipped_on_mirakl(sandbox, account, key, operator)
    client.force_login(admin_user)
    client.post(f"/returns/accounts/{account.pk}/reason-codes/", {"reason_damaged": "12", "reason_other": "18"})

    line = order.lines.order_by("pk").first()
    actions.refund_order(
        order_id=order.pk,
        actor=actions.Actor.of_user(operator),
        reason="damaged",
        lines=[actions.LineRefund(line.pk, amount=line.total_amount)],
    )
    actions.refund_order(
        order_id=order.pk,
        actor=actions.Actor.of_user(operator),
        reason="Geste commercial",
        lines=[actions.LineRefund(order.lines.order_by("pk").last().pk, amount="1.00")],
    )
    assert outbox.drain() == {"sent": 2}
    sent = [a["body"] for a in sandbox.admin.order_actions(key, order.marketplace_order_id) if a["action"] == "OR28"]
    assert [refund["reason_code"] for body in sent for refund in body["refunds"]] == ["12", "18"]
    assert list(Refund.objects.filter(order=order).order_by("pk").values_list("reason", "status")) == [
        ("damaged", "sent"),
        ("Geste commercial", "sent"),
    ]


def test_the_refund_form_says_so_at_the_preview(client, operator, sandbox, sandbox_account):
    account, key = sandbox_account("mirakl", name="Fnac-Darty", **UNMAPPED)
    order = shipped_on_mirakl(sandbox, account, key, operator)
    line = order.lines.order_by("pk").first()
    client.force_login(operator)
    body = {"reason": "Colis abîmé", f"amount_{line.pk}": "1.00", "preview": "yes"}

    page = client.post(f"/returns/orders/{order.pk}/refund/", body, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Fnac-Darty n’accepte que ses propres motifs de remboursement" in page
    assert "Codes motifs" in page and 'id="preview"' not in page
    assert not Refund.objects.filter(order=order).exists()
