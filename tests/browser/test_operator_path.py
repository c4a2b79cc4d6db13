"""An operator's main path in a real browser: log in, filter, open an order, accept it, switch to French."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import SavedView
from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_operator_filters_opens_accepts_and_switches_to_french(live_server, log_in, operator):
    account = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    waiting = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE, buyer_name="Amélie Poulain")
    make_order(account=account, status=OrderStatus.SHIPPED, buyer_name="Jean Valjean")

    page = log_in(operator)
    expect(page.locator("table.orders")).to_contain_text("Amélie Poulain")
    expect(page.locator("table.orders")).to_contain_text("Jean Valjean")

    # Filtering swaps the table through HTMX, without a full reload.
    page.locator("label.chip", has_text="To accept").locator("input").check()
    expect(page.locator("table.orders")).not_to_contain_text("Jean Valjean")
    expect(page).to_have_url(re.compile(r"status=pending_acceptance"))
    expect(page.locator("time[data-deadline]").first).to_have_text(re.compile(r"^(in|late by) "))

    page.get_by_role("link", name=waiting.reference).click()
    expect(page.locator("h1")).to_contain_text("To accept")
    page.get_by_role("button", name="Accept").click()
    # Irreversible: asked first, with what the marketplace will be told.
    expect(page.locator("#confirm-dialog h2")).to_have_text("Accept this order?")
    expect(page.locator("#confirm-dialog")).to_contain_text("will ship it by")
    page.locator("#confirm-button").click()
    expect(page.locator(".messages")).to_contain_text("Order accepted.")
    expect(page.locator(".timeline")).to_contain_text(operator.username)
    expect(page.locator("h1")).to_contain_text("To ship")

    page.select_option("#language", "fr")
    expect(page.locator("h1")).to_contain_text("À expédier")
    expect(page.locator(".timeline")).to_contain_text("La commande a été acceptée.")
    # The countdowns speak French too (the JavaScript catalogue).
    page.goto(f"{live_server.url}/orders/?status=accepted")
    expect(page.locator("time[data-deadline]").first).to_have_text(re.compile(r"^(dans|en retard de) \d+ (j|h|min)"))
    waiting.refresh_from_db()
    assert waiting.status == OrderStatus.ACCEPTED


def test_viewer_is_offered_no_action(live_server, log_in, viewer):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    page = log_in(viewer)
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    expect(page.locator(".timeline")).to_be_visible()
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)


def test_operator_bulk_accepts_from_a_saved_view_with_the_keyboard_and_reads_the_timeline_in_french(
    live_server, log_in, operator, celery_worker
):
    account = MarketplaceAccountFactory(platform="cdiscount", name="Cdiscount FR")
    # Fixed e-mail addresses: the factory's random French user names ("helene.martin@…") would match
    # the search below now and then.
    waiting = [
        make_order(
            account=account,
            status=OrderStatus.PENDING_ACCEPTANCE,
            buyer_name=name,
            buyer_email=f"buyer{index}@marketplace.example",
        )
        for index, name in enumerate(("Hélène Côté", "Gérard Lenôtre", "Zoé Dubois"))
    ]
    make_order(account=account, status=OrderStatus.SHIPPED, buyer_name="Jean Valjean")
    # Shared by an admin (a transactional test starts without the migration's built-in views).
    SavedView.objects.get_or_create(name="To accept", shared=True, defaults={"query": "status=pending_acceptance"})

    page = log_in(operator)
    page.locator(".saved-views a", has_text="To accept").click()
    expect(page).to_have_url(re.compile(r"status=pending_acceptance"))
    expect(page.locator("table.orders")).not_to_contain_text("Jean Valjean")
    expect(page.locator(".saved-views a", has_text="To accept").locator(".view-count")).to_have_text("3")

    # The search box finds a French name typed without its accents, through HTMX.
    page.fill("#id_q", "helene")
    expect(page.locator("table.orders tbody tr")).to_have_count(1)
    expect(page.locator("table.orders")).to_contain_text("Hélène Côté")
    page.fill("#id_q", "")
    expect(page.locator("table.orders tbody tr")).to_have_count(3)

    # Keyboard: Esc leaves the search box, ? opens the help, j moves, x selects, a accepts.
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("table.orders tbody tr.selected")).to_have_count(1)
    page.locator("#select-page").check()
    expect(page.locator("table.orders tbody tr.selected")).to_have_count(3)
    page.keyboard.press("a")  # accept the selection, once confirmed
    expect(page.locator("#confirm-dialog h2")).to_have_text("Accept 3 orders?")
    page.locator("#confirm-button").click()

    # The job runs in a Celery worker; its progress is polled until done, then the table reloads.
    job = page.locator(".bulk-job")
    expect(job).to_have_attribute("data-job-status", "done", timeout=30_000)
    expect(job).to_contain_text("3 of 3 processed")
    expect(page.locator("table.orders")).to_contain_text("No order matches these filters.")
    assert {order.status for order in type(waiting[0]).objects.filter(pk__in=[o.pk for o in waiting])} == {
        OrderStatus.ACCEPTED
    }

    page.goto(f"{live_server.url}/orders/{waiting[0].pk}/")
    expect(page.locator(".timeline")).to_contain_text("The order was accepted.")
    expect(page.locator(".timeline")).to_contain_text(operator.username)
    page.select_option("#language", "fr")
    expect(page.locator("h1")).to_contain_text("À expédier")
    expect(page.locator(".timeline")).to_contain_text("La commande a été acceptée.")
    # The countdowns speak French too (the JavaScript catalogue).
    page.goto(f"{live_server.url}/orders/?status=accepted")
    expect(page.locator("time[data-deadline]").first).to_have_text(re.compile(r"^(dans|en retard de) \d+ (j|h|min)"))


def test_sorting_and_paging_swap_the_table_without_reloading(live_server, log_in, operator):
    from decimal import Decimal

    account = MarketplaceAccountFactory(platform="amazon", name="Amazon FR")
    for index in range(30):
        make_order(account=account, status=OrderStatus.SHIPPED, total_amount=Decimal(10 + index))
    page = log_in(operator)
    page.evaluate("window.notReloaded = true")
    page.get_by_role("link", name="Total").click()
    expect(page).to_have_url(re.compile(r"sort=total"))
    expect(page.locator("table.orders tbody tr").first).to_contain_text("€39.00")
    page.locator("details.more-filters summary").click()
    page.select_option("select[name=per_page]", "25")
    expect(page.locator("table.orders tbody tr")).to_have_count(25)
    page.locator(".pager a", has_text="Next").click()
    expect(page.locator("table.orders tbody tr")).to_have_count(5)
    expect(page.locator("table.orders tbody tr").last).to_contain_text("€10.00")
    assert page.evaluate("window.notReloaded") is True
