"""Packing slips in the buyer's language with the seller's details, the lines and a return form:
from the order page and for a selection; an operator's print is on the timeline, a viewer only reads."""

import pytest
from django.urls import reverse

from oms.access.models import AccountScope
from orders.models import OrderEvent
from tests.factories import AddressDataFactory, MarketplaceAccountFactory
from tests.shipping.paperwork import order_of, pdf_pages, pdf_text

pytestmark = pytest.mark.django_db


def addressed_to(country: str, name: str = "Jeanne Martin"):
    return AddressDataFactory(
        name=name, line1="3 rue des Lilas", postal_code="75011", city="Paris", country_code=country
    )


def test_a_french_buyer_reads_a_french_slip_with_the_seller_lines_and_return_form(client, operator, account, settings):
    settings.OMS_SELLER = {**settings.OMS_SELLER, "name": "Maison Dupré", "vat_number": "FR42424242424"}
    order = order_of(account, ("KETTLE", 2, "3760000000017"), ("TEAPOT", 1), shipping_address=addressed_to("FR"))
    client.force_login(operator)

    response = client.get(reverse("shipping:packing_slip_pdf", args=[order.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Bon de livraison",
        "Maison Dupré",
        "FR42424242424",
        "Jeanne Martin",
        "3 rue des Lilas",
        "KETTLE",
        "3760000000017",
        "TEAPOT",
        "Formulaire de retour",
        "Adresse de retour",
        order.number,  # under the order's barcode
        f"Commande {order.reference} sur {account.name}",
    ):
        assert expected in text, expected
    assert "Packing slip" not in text
    event = OrderEvent.objects.get(order=order, kind="packing_slip_printed")
    assert event.params == {"language": "fr"} and event.actor_user == operator


def test_a_german_address_reads_english_and_an_account_may_say_its_language(client, viewer, account):
    german = order_of(account, ("KETTLE", 1), shipping_address=addressed_to("DE", "Hans Weber"))
    english_site = MarketplaceAccountFactory(platform="amazon", name="Amazon UK", settings={"language": "en"})
    french_address_on_english_site = order_of(english_site, ("KETTLE", 1), shipping_address=addressed_to("FR"))
    client.force_login(viewer)

    for order in (german, french_address_on_english_site):
        text = pdf_text(client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).content)
        assert "Packing slip" in text and "Return form" in text and "Bon de livraison" not in text

    assert not OrderEvent.objects.filter(kind="packing_slip_printed").exists()  # a viewer reads, does not print


def test_packing_slips_for_a_selection_one_page_per_order_each_in_its_language(client, operator, account):
    french = order_of(account, ("KETTLE", 1), shipping_address=addressed_to("FR"))
    german = order_of(account, ("TEAPOT", 1), shipping_address=addressed_to("DE"))
    client.force_login(operator)

    response = client.post(reverse("orders:paperwork"), {"document": "packing_slips", "order": [french.pk, german.pk]})

    assert response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    assert len(pages) == 2
    assert "Bon de livraison" in pages[0].extract_text() and french.number in pages[0].extract_text()
    assert "Packing slip" in pages[1].extract_text() and german.number in pages[1].extract_text()
    assert dict(OrderEvent.objects.filter(kind="packing_slip_printed").values_list("order_id", "params__language")) == {
        french.pk: "fr",
        german.pk: "en",
    }


def test_no_slip_without_a_role_nor_of_an_order_out_of_scope(client, outsider, viewer, account):
    order = order_of(account, ("KETTLE", 1))
    client.force_login(outsider)
    assert client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).status_code == 403
    AccountScope.objects.create(user=viewer)  # no account at all
    client.force_login(viewer)
    assert client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("shipping:packing_slip_pdf", args=[order.pk])).status_code == 302
