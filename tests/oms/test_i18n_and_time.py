"""The UI speaks English and French and shows times in the operator's time zone."""

import datetime as dt

import pytest
from django.urls import reverse

from orders.status import OrderStatus
from tests.factories import make_order


@pytest.mark.django_db
def test_the_order_list_switches_to_french(client, operator):
    make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    client.force_login(operator)
    english = client.get(reverse("orders:list")).content.decode()
    assert "To accept" in english and "Next deadline" in english

    response = client.post(reverse("set_language"), {"language": "fr", "next": reverse("orders:list")}, follow=True)

    french = response.content.decode()
    assert response.status_code == 200
    assert "À accepter" in french and "Prochaine échéance" in french and 'lang="fr"' in french


@pytest.mark.django_db
def test_times_show_in_paris_by_default_and_in_the_chosen_zone(client, operator):
    purchased = dt.datetime(2026, 7, 14, 10, 30, tzinfo=dt.UTC)
    order = make_order(status=OrderStatus.ACCEPTED, purchased_at=purchased)
    client.force_login(operator)

    paris = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "12:30" in paris  # UTC+2 in summer

    client.post(reverse("set_time_zone"), {"time_zone": "America/Martinique", "next": "/"})
    martinique = client.get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "6:30" in martinique  # UTC-4


@pytest.mark.django_db
def test_an_unknown_time_zone_is_refused(client, operator):
    client.force_login(operator)
    response = client.post(reverse("set_time_zone"), {"time_zone": "Mars/Olympus", "next": "/orders/"}, follow=True)
    assert "Unknown time zone." in response.content.decode()
    assert client.session.get("oms_time_zone") is None


@pytest.mark.django_db
def test_the_front_end_strings_come_from_the_javascript_catalogue_in_the_chosen_language(client):
    # Served to the login page too, before anyone is logged in.
    english = client.get(reverse("javascript-catalog"))
    assert english.status_code == 200
    assert "django.gettext = function" in english.content.decode()
    assert "en retard de" not in english.content.decode()

    french = client.get(reverse("javascript-catalog"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '"late by %(span)s": "en retard de %(span)s"' in french
    assert '"%(days)s d %(hours)s h": "%(days)s j %(hours)s h"' in french
    assert "Choisir toutes les valeurs" not in french  # our strings only, not the admin's catalogue


@pytest.mark.django_db
def test_every_page_loads_the_catalogue_before_the_script_that_uses_it(client):
    html = client.get(reverse("login")).content.decode()
    assert html.index('src="/jsi18n/?language=en"') < html.index("js/oms.js")


@pytest.mark.django_db
def test_english_reads_a_24_hour_clock_until_the_operator_asks_for_12_hours(client, operator):
    purchased = dt.datetime(2026, 1, 14, 13, 5, tzinfo=dt.UTC)  # 14:05 in Paris (winter)
    order = make_order(status=OrderStatus.ACCEPTED, purchased_at=purchased)
    client.force_login(operator)
    url = reverse("orders:detail", args=[order.pk])

    page = client.get(url).content.decode()
    assert "14/01/2026 14:05" in page and "2:05 PM" not in page
    assert 'id="clock"' in page and 'lang="en"' in page

    client.post(reverse("set_clock"), {"clock": "12h", "next": url})
    twelve = client.get(url).content.decode()
    assert "14/01/2026 2:05 PM" in twelve and "14:05" not in twelve
    assert '<option value="en" selected>' in twelve  # still English, only the clock changed

    french = client.get(url, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "14/01/2026 14:05" in french and "PM" not in french and 'id="clock"' not in french

    response = client.post(reverse("set_clock"), {"clock": "25h", "next": url}, follow=True)
    assert "Unknown clock." in response.content.decode() and client.session["oms_clock"] == "12h"
