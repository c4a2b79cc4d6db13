"""The main pages under the Content-Security-Policy of production: nothing refused by the browser."""

import pytest
from playwright.sync_api import expect

from orders.status import OrderStatus
from tests.factories import MarketplaceAccountFactory, make_order
from tests.rules.conftest import add_rule

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def test_the_main_pages_raise_no_csp_violation(live_server, page, log_in, admin_user):
    account = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    order = make_order(account=account, status=OrderStatus.PENDING_ACCEPTANCE, buyer_name="Amélie Poulain")
    rule = add_rule(name="Hold risky", action="hold", conditions=[{"type": "stock"}])
    console_errors = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)

    def visit(path, ready):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator(ready).first).to_be_visible()
        assert page.evaluate("window.cspViolations") == [], path

    visit("/accounts/login/", "#id_username")
    log_in(admin_user)
    assert page.evaluate("window.cspViolations") == []
    # The queue's filters swap the table through htmx (no eval, no injected style).
    page.locator("label.chip", has_text="To accept").locator("input").check()
    expect(page.locator("table.orders")).to_contain_text("Amélie Poulain")
    assert page.evaluate("window.cspViolations") == []

    visit(f"/orders/{order.pk}/", "h1")
    visit("/inventory/", "h1")
    visit("/marketplaces/", "h1")
    visit("/marketplaces/outbox/", "h1")
    visit("/rules/", "h1")
    visit(f"/rules/{rule.pk}/", "form")
    visit("/audit/", "table.audit")
    visit("/admin/", "#content")
    visit(f"/admin/order_rules/rule/{rule.pk}/change/", "#content")
    visit("/admin/marketplaces/marketplaceaccount/add/", "#content")
    # Swagger UI renders the schema: its start-up script came from a URL, its styles from files.
    visit("/api/docs/", ".swagger-ui .info")

    page.goto(f"{live_server.url}/orders/")
    page.select_option("#time_zone", "UTC")
    expect(page.locator("#time_zone")).to_have_value("UTC")
    assert page.evaluate("window.cspViolations") == []
    assert not [text for text in console_errors if "Content Security Policy" in text], console_errors
