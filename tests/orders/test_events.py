"""Order events read in the reader's language: the timeline and the API render kind + parameters."""

import html
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from inventory import events as stock_events
from inventory.models import OrderAllocation
from messaging import events as messaging_events
from oms.l10n import format_money
from orders import events
from orders.actions import Actor, record_event
from orders.models import OrderEvent
from orders.status import OrderStatus
from returns import events as return_events
from shipping import events as shipping_events
from shipping.paperwork import events as paperwork_events
from tests.factories import make_order

# One event of every declared kind, as its writer stores it: (params, from_status, to_status).
EXAMPLES = {
    events.RECEIVED: ({"marketplace_status": "WAITING_ACCEPTANCE"}, "", OrderStatus.PENDING_ACCEPTANCE),
    events.UPDATED: ({"fields": ["buyer_name", "ship_by", "total_amount"]}, "", ""),
    events.STATUS_CHANGED: ({"marketplace_status": "SHIPPING"}, OrderStatus.PENDING_ACCEPTANCE, OrderStatus.ACCEPTED),
    events.STATUS_IGNORED: (
        {"marketplace_status": "WAITING_ACCEPTANCE"},
        OrderStatus.ACCEPTED,
        OrderStatus.PENDING_ACCEPTANCE,
    ),
    events.ACCEPTED: ({"reason": "Stock vérifié"}, OrderStatus.PENDING_ACCEPTANCE, OrderStatus.ACCEPTED),
    events.REFUSED: ({"reason": "Rupture"}, OrderStatus.PENDING_ACCEPTANCE, OrderStatus.REFUSED),
    events.CANCELLED: ({"reason": "Demande de l’acheteur"}, OrderStatus.ACCEPTED, OrderStatus.CANCELLED),
    events.SHIPPED: (
        {"carrier": "Colissimo", "tracking_number": "6A12345678901"},
        OrderStatus.ACCEPTED,
        OrderStatus.SHIPPED,
    ),
    events.DELIVERED: ({}, OrderStatus.SHIPPED, OrderStatus.DELIVERED),
    events.REFUNDED: ({"amount": "1234.50", "currency": "EUR", "reason": "Colis abîmé"}, "", ""),
    events.ASSIGNED: ({"assignee_id": 1, "assignee": "oscar"}, "", ""),
    events.UNASSIGNED: ({}, "", ""),
    events.TAGGED: ({"tag": "fragile"}, "", ""),
    events.UNTAGGED: ({"tag": "fragile"}, "", ""),
    events.PRIORITY_SET: ({"priority": 10}, "", ""),
    events.HELD: ({"reason": "Adresse à vérifier"}, "", ""),
    events.HOLD_RELEASED: ({}, "", ""),
    events.MARKETPLACE_REFUND: ({"amount": "57.00", "currency": "EUR", "sku": "KETTLE", "reason": "15"}, "", ""),
    events.MARKETPLACE_CANCELLATION: ({"amount": "24.00", "currency": "EUR", "sku": ""}, "", ""),
    events.PUSH_RETRIED: ({"push": "ship", "message": 1}, "", ""),
    events.PUSH_DONE_BY_HAND: ({"push": "accept", "message": 1}, "", ""),
    events.PUSH_DISCARDED: ({"push": "cancel", "message": 1}, "", ""),
    events.PUSHED: ({"push": "accept", "account": "Fnac-Darty FR"}, "", ""),
    events.PUSH_FAILED: ({"push": "ship", "account": "Fnac-Darty FR", "error": "HTTP 400 OR23"}, "", ""),
    # Why an order holds stock or not (inventory declares these; its allocations show them).
    stock_events.UNKNOWN_SKU: ({"skus": ["NOT-OURS", "GONE"]}, "", ""),
    stock_events.NO_LINES: ({}, "", ""),
    stock_events.NO_WAREHOUSE: ({}, "", ""),
    stock_events.RESERVED: (
        {"warehouse": "Lyon", "passed_over": [{"warehouse": "Paris", "short": ["KETTLE 1/2"]}]},
        "",
        "",
    ),
    stock_events.BACKORDER: ({"missing": [{"sku": "KETTLE", "needed": 2, "available": 1}], "passed_over": []}, "", ""),
    stock_events.RELEASED: ({"status": OrderStatus.CANCELLED}, "", ""),
    stock_events.NOTHING_HELD: ({"status": OrderStatus.REFUSED}, "", ""),
    stock_events.CONSUMED: ({"warehouse": "Lyon"}, "", ""),
    stock_events.CONSUMED_UNRESERVED: ({}, "", ""),
    stock_events.NOTHING_CONSUMED: ({}, "", ""),
    # Shipments (shipping declares these).
    shipping_events.SHIPMENT_CREATED: (
        {"shipment": 7, "units": 3, "parcels": 2, "service": "Colissimo Domicile sans signature"},
        "",
        "",
    ),
    shipping_events.LABEL_REQUESTED: ({"shipment": 7, "carrier": "Colissimo"}, "", ""),
    shipping_events.LABEL_CREATED: (
        {"shipment": 7, "carrier": "Colissimo", "tracking_numbers": "6A12345678901, 6A12345678902"},
        "",
        "",
    ),
    shipping_events.LABEL_REFUSED: (
        {"shipment": 7, "carrier": "Colissimo", "error": "HTTP 400: 30102 Le code produit XXX est incorrect"},
        "",
        "",
    ),
    shipping_events.SHIPMENT_VOIDED: ({"shipment": 7}, "", ""),
    # Paperwork and packing (shipping.paperwork declares these).
    paperwork_events.PICK_LIST_PRINTED: ({"pick_list": "PL-000042"}, "", ""),
    paperwork_events.PACKING_SLIP_PRINTED: ({"language": "en"}, "", ""),
    paperwork_events.LABEL_PRINTED: ({"shipment": 7, "format": "PDF 10×15"}, "", ""),
    paperwork_events.SHIPMENT_PACKED: ({"shipment": 7, "units": 3}, "", ""),
    # Buyer notices (messaging declares these).
    messaging_events.BUYER_TOLD_ACCEPTED: ({"platform": "Mirakl"}, "", ""),
    messaging_events.BUYER_TOLD_SHIPPED: ({"platform": "Mirakl"}, "", ""),
    messaging_events.BUYER_TOLD_DELAYED: ({"platform": "Amazon"}, "", ""),
    messaging_events.BUYER_TOLD_DELIVERED: ({"platform": "Mirakl"}, "", ""),
    messaging_events.REVIEW_REQUESTED: ({"platform": "Amazon"}, "", ""),
    shipping_events.SHIPMENT_SHIPPED: (
        {"shipment": 7, "carrier": "Colissimo", "tracking_numbers": "6A12345678901", "units": 2},
        OrderStatus.ACCEPTED,
        OrderStatus.PARTIALLY_SHIPPED,
    ),
    shipping_events.MARKETPLACE_TOLD_AT_THE_END: ({"platform": "Mirakl", "shipment": 7}, "", ""),
    shipping_events.PARCELS_NOT_TOLD: (
        {
            "platform": "Mirakl",
            "shipment": 7,
            "told": "6A12345678901",
            "not_told": "6A12345678902",
            "reason": "one_tracking_number",
        },
        "",
        "",
    ),
    shipping_events.SHIPMENT_TRACKED: (
        {"shipment": 7, "carrier": "UPS", "shipment_status": "exception", "description": "Adresse incomplète"},
        "",
        "",
    ),
    shipping_events.SHIPMENT_DELIVERED: (
        {"shipment": 7, "carrier": "Colissimo"},
        OrderStatus.SHIPPED,
        OrderStatus.DELIVERED,
    ),
    # Returns (the returns app declares these).
    return_events.RETURN_REQUESTED: ({"return": "RET-0000007", "return_id": 7, "units": 2}, "", ""),
    return_events.RETURN_REQUESTED_LATE: (
        {"return": "RET-0000007", "return_id": 7, "days": 40, "window": 30},
        "",
        "",
    ),
    return_events.RETURN_AUTHORISED: ({"return": "RET-0000007", "return_id": 7}, "", ""),
    return_events.RETURN_REFUSED: ({"return": "RET-0000007", "return_id": 7, "reason": "Hors délai"}, "", ""),
    return_events.RETURN_LABEL_SENT: (
        {"return": "RET-0000007", "return_id": 7, "carrier": "colissimo", "tracking_number": "8R12345678901"},
        "",
        "",
    ),
    return_events.RETURN_IN_TRANSIT: ({"return": "RET-0000007", "return_id": 7}, "", ""),
    return_events.RETURN_RECEIVED: ({"return": "RET-0000007", "return_id": 7, "units": 2}, "", ""),
    return_events.RETURN_INSPECTED: (
        {"return": "RET-0000007", "return_id": 7, "sellable": 1, "written_off": 1},
        "",
        "",
    ),
    return_events.RETURN_CLOSED: ({"return": "RET-0000007", "return_id": 7}, "", ""),
    return_events.RETURN_ARRIVED: ({"return": "RET-0000007", "return_id": 7}, "", ""),
    return_events.INCIDENT_CLOSED_ON_PLATFORM: (
        {"return": "RET-0000008", "return_id": 8, "marketplace_state": "SHIPPED"},
        "",
        "",
    ),
    return_events.INCIDENT_OPENED: (
        {"return": "RET-0000008", "return_id": 8, "units": 1, "reason": "Article défectueux"},
        "",
        "",
    ),
    return_events.INCIDENT_RESOLVED: (
        {
            "return": "RET-0000008",
            "return_id": 8,
            "reason": "Accord trouvé avec le vendeur",
            "reason_code": "11",
            "refunded": "19.90",
            "currency": "EUR",
        },
        "",
        "",
    ),
}


def english_fragments() -> set[str]:
    """The words of every event template and label (placeholders taken out), as in the source."""
    messages = [message for kind in events.KINDS.values() for message in (kind.label, kind.template)]
    messages += [*events.PUSHES.values(), events.WITH_REASON, stock_events.PASSED_OVER, stock_events.MISSING]
    with translation.override("en"):
        sources = [str(message) for message in messages]
    fragments = set()
    for source in sources:
        for piece in re.split(r"%\(\w+\)s", source):
            piece = piece.strip(" .:;“”()")
            if len(re.sub(r"[^A-Za-z]", "", piece)) >= 4:
                fragments.add(piece)
    return fragments


def an_order_with_every_kind_of_event():
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    OrderEvent.objects.filter(order=order).delete()
    for kind, (params, before, after) in EXAMPLES.items():
        record_event(order=order, kind=kind, actor=Actor.system(), from_status=before, to_status=after, params=params)
    OrderAllocation.objects.update_or_create(
        order=order,
        defaults={"status": "released", "reason": stock_events.RELEASED, "params": {"status": OrderStatus.CANCELLED}},
    )
    return order


def timeline_text(page: str) -> str:
    start = page.index('<ol class="timeline">')
    section = page[start : page.index("</ol>", start)]
    return re.sub(r"[ \t\n]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", section)))


def test_every_declared_kind_has_an_example_here():
    assert set(EXAMPLES) == set(events.KINDS)


@pytest.mark.django_db
def test_the_french_timeline_shows_every_kind_in_french(client, operator):
    order = an_order_with_every_kind_of_event()
    client.force_login(operator)

    page = client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()

    text = timeline_text(page)
    english = sorted(fragment for fragment in english_fragments() if re.search(rf"\b{re.escape(fragment)}\b", text))
    assert english == []
    assert "La commande a été acceptée. Motif : Stock vérifié" in text
    assert "Remboursement de 1\xa0234,50\xa0€. Motif : Colis abîmé" in text
    assert "la commande reste « À expédier »" in text
    assert "Modifiée sur la marketplace : acheteur, à expédier avant, total." in text
    assert "Refusé par Fnac-Darty FR : confirmation d’expédition (HTTP 400 OR23)." in text
    assert "L’acheteur a été prévenu sur Mirakl que la commande est expédiée, avec son lien de suivi." in text
    assert "À accepter → À expédier" in text
    assert (
        "Réservé à Lyon, le premier entrepôt par priorité qui peut expédier toute la commande (Paris manque de KETTLE 1/2)."
        in text
    )
    assert "Libéré : la commande est « Annulée »." in html.unescape(page)  # the stock card


@pytest.mark.django_db
def test_the_english_timeline_reads_in_english(client, operator):
    order = an_order_with_every_kind_of_event()
    client.force_login(operator)

    text = timeline_text(
        client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )

    assert "The order was accepted. Reason: Stock vérifié" in text
    assert "Refunded €1,234.50. Reason: Colis abîmé" in text  # as the pages show money
    assert "To accept → To ship" in text


@pytest.mark.django_db
def test_the_api_returns_messages_in_the_requests_language(operator_api):
    order = an_order_with_every_kind_of_event()

    french = operator_api.get(f"/api/v1/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()["events"]
    english = operator_api.get(f"/api/v1/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()["events"]

    assert [event["kind"] for event in french] == list(EXAMPLES)
    with translation.override("fr"):
        expected = [events.describe(event) for event in order.events.all()]
    assert [event["message"] for event in french] == expected
    leftovers = [
        (event["kind"], fragment)
        for event in french
        for fragment in english_fragments()
        if re.search(rf"\b{re.escape(fragment)}\b", event["message"])
    ]
    assert leftovers == []
    assert english[events_index(events.SHIPPED)]["message"] == "Shipped with Colissimo, tracking number 6A12345678901."
    assert french[events_index(events.SHIPPED)]["message"] == "Expédiée avec Colissimo, numéro de suivi 6A12345678901."
    assert french[events_index(events.PUSHED)]["params"] == {"push": "accept", "account": "Fnac-Darty FR"}


def events_index(kind: str) -> int:
    return list(EXAMPLES).index(kind)


@pytest.mark.django_db
def test_an_old_sentence_that_could_not_be_parsed_is_shown_as_it_was(client, operator):
    order = make_order()
    record_event(order=order, kind=events.UPDATED, actor=Actor.system(), params={"legacy_text": "Synced by hand"})
    with translation.override("fr"):
        assert events.describe(order.events.get(kind=events.UPDATED)) == "Synced by hand"


@pytest.mark.django_db
def test_an_undeclared_kind_cannot_be_written():
    order = make_order()
    with pytest.raises(ValueError, match="not declared"):
        record_event(order=order, kind="teleported", actor=Actor.system(), params={})


MONEY_EVENTS = {
    events.REFUNDED: {"amount": "119.80", "currency": "EUR"},
    events.MARKETPLACE_REFUND: {"amount": "119.80", "currency": "EUR", "sku": "KETTLE"},
    events.MARKETPLACE_CANCELLATION: {"amount": "119.80", "currency": "EUR", "sku": "KETTLE"},
    return_events.INCIDENT_RESOLVED: {"return": "RET-0000008", "refunded": "119.80", "currency": "EUR"},
}


@pytest.mark.parametrize("kind", list(MONEY_EVENTS))
def test_every_amount_reads_as_the_pages_show_money_in_both_languages(kind):
    params = MONEY_EVENTS[kind]
    with translation.override("en"):
        english = events.render(kind, params)
        page = format_money(Decimal("119.80"), "EUR")
    with translation.override("fr"):
        french = events.render(kind, params)
        french_page = format_money(Decimal("119.80"), "EUR")
    assert (page, french_page) == ("€119.80", "119,80\xa0€")
    assert page in english and "119.80 €" not in english and "EUR" not in english
    assert french_page in french and "119.80" not in french


def test_an_amount_in_another_currency_keeps_its_code_and_thousands_group():
    with translation.override("en"):
        assert events.render(events.REFUNDED, {"amount": "1234.50", "currency": "GBP"}) == "Refunded £1,234.50."
        assert events.render(events.REFUNDED, {"amount": "12.00", "currency": "PLN"}) == "Refunded 12.00\xa0PLN."
    with translation.override("fr"):
        shown = events.render(events.REFUNDED, {"amount": "1234.50", "currency": "GBP"})
        assert shown == f"Remboursement de {format_money(Decimal('1234.50'), 'GBP')}." and shown.endswith(",50\xa0£.")
        # An event written without its currency still shows the amount, in the reader's format.
        assert events.render(events.REFUNDED, {"amount": "12.50"}) == "Remboursement de 12,50."


@pytest.mark.django_db
def test_the_refund_of_the_pages_and_its_timeline_read_the_same(client, operator):
    order = make_order(status=OrderStatus.SHIPPED)
    record_event(
        order=order, kind=events.REFUNDED, actor=Actor.system(), params={"amount": "119.80", "currency": "EUR"}
    )
    client.force_login(operator)
    english = timeline_text(
        client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    french = timeline_text(
        client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    )
    assert "Refunded €119.80." in english
    assert "Remboursement de 119,80\xa0€." in french
