"""Platform data in an operator's words: shipping methods, tracking links, money and dates by locale."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from marketplaces.models import Platform
from oms.l10n import format_money
from orders.models import Order
from orders.shipping_methods import shipping_method_label
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = pytest.mark.django_db


def test_shipping_method_codes_read_as_words_per_platform_and_unknown_ones_as_sent():
    assert shipping_method_label(Platform.EBAY, "FR_ColiposteColissimo") == "Colissimo (standard)"
    assert shipping_method_label(Platform.AMAZON, "Exp FR Dom_2") == "Express"
    assert shipping_method_label(Platform.MIRAKL, "RELAY") == "Relay point"
    assert shipping_method_label(Platform.CDISCOUNT, "SOMETHING_NEW") == "SOMETHING_NEW"
    with translation.override("fr"):
        assert shipping_method_label(Platform.EBAY, "FR_MondialRelay") == "Mondial Relay (point relais)"


def test_order_page_links_the_tracking_number_and_keeps_raw_values_in_details(client, operator):
    order = make_order(account=MarketplaceAccountFactory(platform=Platform.EBAY))
    Order.objects.filter(pk=order.pk).update(
        shipping_method="FR_ColiposteColissimo",
        carrier="colissimo",
        tracking_number="6A12345678901",
        marketplace_status="orderFulfillmentStatus=NOT_STARTED",
    )
    client.force_login(operator)
    html = client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Colissimo (standard)" in html
    assert 'href="https://www.laposte.fr/outils/suivre-vos-envois?code=6A12345678901"' in html
    details = html.split('<details class="marketplace-values">')[1].split("</details>")[0]
    assert "FR_ColiposteColissimo" in details and "orderFulfillmentStatus=NOT_STARTED" in details
    assert html.count("orderFulfillmentStatus=NOT_STARTED") == 1  # nowhere else on the page


def test_money_and_dates_follow_the_language(client, operator):
    with translation.override("fr"):
        assert format_money(Decimal("1234.56"), "EUR") == "1\xa0234,56\xa0€"
        assert format_money(Decimal("12.5"), "CHF") == "12,50\xa0CHF"
    with translation.override("en"):
        assert format_money(Decimal("1234.56"), "EUR") == "€1,234.56"
        assert format_money(Decimal("-3"), "GBP") == "-£3.00"
    order = make_order(purchased_at=dt.datetime(2026, 11, 29, 13, 3, tzinfo=dt.UTC))
    Order.objects.filter(pk=order.pk).update(total_amount=Decimal("1234.56"), currency="EUR")
    client.force_login(operator)
    for language in ("fr", "en"):
        html = client.get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert "29/11/2026 14:03" in html  # Europe/Paris, day first, 24-hour clock in both languages
        assert " EUR" not in html
    french = client.get(reverse("orders:list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "1\xa0234,56\xa0€" in french
    english = client.get(reverse("orders:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "€1,234.56" in english and "p.m." not in english
