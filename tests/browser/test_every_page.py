"""Every main page at desktop and phone sizes: no page wider than the screen, no serious or critical
axe violation; the error pages sit in the layout; the viewer's queue offers no shortcut it cannot use."""

import pytest
from playwright.sync_api import expect

from inventory.models import PurchaseOrder, Warehouse
from orders.status import OrderStatus
from rules.models import Rule
from tests.browser.conftest import check_page
from tests.factories import MarketplaceAccountFactory, make_order
from tests.inventory.conftest import put_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    "/",
    "/kpis/settings/",
    "/orders/",
    "/orders/{open}/",
    "/orders/{closed}/",
    "/inventory/",
    "/inventory/{product}/",
    "/inventory/import/",
    "/inventory/purchase-orders/",
    "/marketplaces/",
    "/marketplaces/outbox/",
    "/marketplaces/quarantine/",
    "/rules/",
    "/rules/new/",
    "/rules/{rule}/",
    "/rules/{rule}/dry-run/",
    "/rules/decisions/",
    "/rules/flagged-buyers/",
    "/shipping/pack/",
    "/shipping/carrier-rules/",
    "/shipping/carrier-rules/new/",
    "/shipping/carrier-rules/dry-run/",
    "/messages/",
    "/returns/",
    "/no-such-page/",
]


@pytest.fixture
def world(db, admin_user):
    account = MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
    open_order = make_order(
        account=account,
        status=OrderStatus.PENDING_ACCEPTANCE,
        buyer_name="Amélie Poulain",
        # Mirakl's relay address: one long word a phone must wrap.
        buyer_email="notification+a2470f28458bfddb0c7e4d2b1f9a6e3c@notification.mirakl.net",
    )
    closed = make_order(account=account, status=OrderStatus.SHIPPED, buyer_name="Jean Valjean")
    warehouse = Warehouse.objects.create(code="lyon", name="Lyon", priority=1)
    product = put_stock("CHAIR-01", 3, warehouse)
    rule = Rule.objects.create(name="Small orders", action="accept", created_by=admin_user)
    return {"open": open_order.pk, "closed": closed.pk, "product": product.pk, "rule": rule.pk}


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_every_main_page_fits_and_passes_axe(live_server, log_in, admin_user, world, viewport, language):
    page = log_in(admin_user)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    for path in PAGES:
        page.goto(live_server.url + path.format(**world))
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_page(page)
    assert PurchaseOrder.objects.count() == 0  # the list above was empty, the page still checked


@pytest.mark.parametrize("viewport", ["desktop", "phone"], indirect=True)
def test_error_pages_are_inside_the_layout_and_translated(live_server, log_in, viewer, viewport):
    page = log_in(viewer)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    response = page.goto(f"{live_server.url}/rules/")
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Votre rôle ne permet pas cela")
    expect(page.locator("header.topbar")).to_be_visible()
    check_page(page)
    response = page.goto(f"{live_server.url}/orders/999999/")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("Cette page n’existe pas")
    check_page(page)


def test_the_viewer_is_offered_no_selection_shortcut_and_a_does_nothing(live_server, log_in, viewer):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    page = log_in(viewer)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.keyboard.press("?")
    help = page.locator("#shortcuts-help")
    expect(help).to_be_visible()
    expect(help.locator("kbd", has_text="x")).to_have_count(0)
    expect(help.locator("kbd", has_text="a")).to_have_count(0)
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("a")
    page.keyboard.press("x")
    expect(page.locator("#confirm-dialog")).to_be_hidden()
    assert errors == []
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_ACCEPTANCE
