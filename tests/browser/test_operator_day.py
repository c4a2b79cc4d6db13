"""The operator's day at desktop and phone sizes, in English and French: log in, filter, bulk accept
after a confirmation, open an order, ship it, log out; every page fits the screen and passes axe."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from orders.status import OrderStatus
from tests.browser.conftest import check_page
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "en": {
        "confirm": "Accept 2 orders?",
        "told": "The marketplace will be told that you accept them",
        "shipped": "Shipped",
        "log_in": "Log in to the OMS",
    },
    "fr": {
        "confirm": "Accepter 2 commandes ?",
        "told": "La marketplace saura que vous les acceptez",
        "shipped": "Expédiée",
        "log_in": "Connexion à l’OMS",
    },
}


def open_menu(page, viewport):
    """On a phone the top bar's links and preferences are behind the Menu button."""
    if viewport == "phone":
        toggle = page.locator(".menu-toggle")
        expect(toggle).to_be_visible()
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    else:
        expect(page.locator(".menu-toggle")).to_be_hidden()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_operators_day(live_server, log_in, operator, celery_worker, viewport, language):
    words = WORDS[language]
    account = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    waiting = [
        make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE, buyer_name=name)
        for name in ("Amélie Poulain", "Hélène Côté")
    ]
    make_order(account=account, status=OrderStatus.SHIPPED, buyer_name="Jean Valjean")

    page = log_in(operator)
    if language == "fr":
        open_menu(page, viewport)
        page.select_option("#language", "fr")
        expect(page.locator("html")).to_have_attribute("lang", "fr")
    check_page(page)

    # Filter: on a phone the filters open behind a button, the rows are cards.
    if viewport == "phone":
        expect(page.locator("#filters")).to_be_hidden()
        page.locator(".filters-toggle").click()
    page.locator("label.chip input[value=pending_acceptance]").check()
    expect(page).to_have_url(re.compile(r"status=pending_acceptance"))
    expect(page.locator("table.orders")).not_to_contain_text("Jean Valjean")
    if viewport == "phone":
        expect(page.locator("table.orders thead th", has_text=re.compile("Buyer|Acheteur"))).to_be_hidden()
    check_page(page)

    # Bulk accept: the confirmation says how many orders and what the marketplace will be told.
    page.locator("#select-page").check()
    page.select_option("#bulk-action", "accept")
    page.locator("#bulk-submit").click()
    dialog = page.locator("#confirm-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("h2")).to_have_text(words["confirm"])
    expect(dialog).to_contain_text(words["told"])
    check_page(page)
    page.locator("#confirm-button").click()
    expect(page.locator(".bulk-job")).to_have_attribute("data-job-status", "done", timeout=30_000)
    assert set(Order.objects.filter(pk__in=[o.pk for o in waiting]).values_list("status", flat=True)) == {
        OrderStatus.ACCEPTED
    }

    # Open an order and ship it with Colissimo.
    page.goto(f"{live_server.url}/orders/?status=accepted")
    page.get_by_role("link", name=waiting[0].reference).click()
    expect(page.locator("time[data-deadline]")).to_have_count(1)  # the ship-by counts down
    check_page(page)
    ship = page.locator(f"form[action='/orders/{waiting[0].pk}/ship/']")
    ship.locator("select[name=carrier]").select_option("colissimo")
    ship.locator("input[name=tracking_number]").fill("6A12345678901")
    ship.locator("button[type=submit]").click()
    page.locator("#confirm-button").click()  # shipping is told to the marketplace: it asks first
    expect(page.locator("h1 .badge")).to_have_text(words["shipped"])
    # A shipped order counts down to nothing and offers no move.
    expect(page.locator("time[data-deadline]")).to_have_count(0)
    expect(page.locator("section.actions:not(.triage)")).to_have_count(0)
    check_page(page)
    assert Order.objects.get(pk=waiting[0].pk).status == OrderStatus.SHIPPED

    open_menu(page, viewport)
    page.locator(".prefs button.link").click()
    expect(page.locator("h1")).to_have_text(words["log_in"])
    check_page(page)
