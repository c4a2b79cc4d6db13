"""An admin writes a rule in the browser, dry-runs it, switches it on; a new order is then decided by it."""

import pytest

from rules import actions
from rules.models import Rule, RuleDecision
from tests.rules.conftest import order_with, put_in_stock

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_writes_dry_runs_and_switches_on_a_rule(log_in, live_server, admin_user, mirakl):
    put_in_stock("CHAIR-01", 3)
    order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])
    page = log_in(admin_user)

    page.click("nav.mainnav >> text=Rules")
    page.click("text=New rule")
    page.fill("#id_name", "Stock OK FR")
    page.check("#id_require_stock")
    page.fill("#id_total_max", "500")
    page.fill("#id_countries", "FR")
    page.select_option("#id_action", "accept")
    page.click("button:has-text('Save')")

    page.wait_for_url(f"{live_server.url}/rules/*/dry-run/")
    summary = page.locator("#dry-run-summary")
    assert "Would act" in summary.inner_text()
    assert "stock 3 ≥ 1 for all lines; total €42.90 ≤ €500; ships to FR (in FR)" in page.inner_text("table")
    page.click("button:has-text('Switch it on')")
    page.wait_for_url(f"{live_server.url}/rules/")
    assert "Rule switched on." in page.inner_text(".messages")
    assert Rule.objects.get().enabled

    # The rule now decides the next order that arrives.
    order = order_with(account=mirakl, lines=[("CHAIR-01", 1, "42.90")])
    actions.apply_rules(order_ids=[order.pk])
    assert RuleDecision.objects.get(order=order).outcome == "accept"


def test_an_invalid_rule_is_refused_in_the_form(log_in, live_server, admin_user):
    page = log_in(admin_user)
    page.goto(f"{live_server.url}/rules/new/")
    page.fill("#id_name", "Broken")
    page.fill("#id_total_min", "900")
    page.fill("#id_total_max", "500")
    page.select_option("#id_action", "refuse")
    page.click("button:has-text('Save')")
    errors = page.inner_text(".messages")
    assert "Order total: the minimum 900 is above the maximum 500." in errors
    assert "Action: a refusal needs a reason." in errors
    assert not Rule.objects.exists()
