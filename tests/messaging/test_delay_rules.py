"""A delay notice sent by an order rule: messaging declares the action to the rules; the rule runs when an
accepted order's ship-by date comes close, with its own conditions and template, first match wins, one
decision on the order saying why; an order no rule matches stays proposed. Over HTTP against the Mirakl
sandbox (OR43)."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from messaging import delay, delay_rules, tasks
from messaging.models import AccountMessaging, DelayNotice, Template, Topic
from oms import outbox
from oms.outbox import OutboxMessage
from orders.models import Order
from rules import actions as rule_actions
from rules.models import Rule, RuleDecision
from tests.messaging.test_delay_notices import accepted_mirakl_order, notices_on, set_ship_by
from tests.rules.conftest import add_rule

DELAY_TEXT = "Bonjour {buyer_name}, votre commande {order_number} part demain : merci de votre patience."


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def delay_template(db):
    return Template.objects.create(name="Retard court", language="fr", topic=Topic.DELAY, body=DELAY_TEXT)


def delay_rule(*, template=None, enabled=True, **fields) -> Rule:
    params = {"template": str(template.pk)} if template else {}
    return add_rule(
        name=fields.pop("name", "Retards Fnac"),
        action=delay_rules.NOTIFY_DELAY,
        action_params=params,
        enabled=enabled,
        **fields,
    )


@pytest.mark.django_db
def test_an_admin_writes_a_delay_rule_in_the_form_and_it_tells_the_buyer_with_its_template(
    sandbox, sandbox_account, operator, admin_user, delay_template
):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    admin = logged_in(admin_user)
    form = admin.get(reverse("rules:create")).content.decode()
    assert 'value="notify_delay"' in form and "Retard court (fr)" in form
    created = admin.post(
        reverse("rules:create"),
        {
            "name": "Retards Fnac",
            "platforms": ["mirakl"],
            "sku_match": "all",
            "countries_mode": "in",
            "shipping_methods_mode": "in",
            "action": "notify_delay",
            "action_param_notify_delay__template": str(delay_template.pk),
        },
    )
    rule = Rule.objects.get()
    assert created.status_code == 302, created.content.decode()[:2000]
    assert (rule.action, rule.action_params, rule.trigger) == (
        "notify_delay",
        {"template": str(delay_template.pk)},
        delay_rules.TRIGGER,
    )
    listed = admin.get(reverse("rules:list")).content.decode()
    assert "Delay template: Retard court (fr)" in listed and "ship-by date comes close" in listed

    set_ship_by(order, 10)  # beyond the 6 h horizon: the dry run finds nothing to look at
    assert b'id="count-would-act">0<' in admin.get(reverse("rules:dry_run", args=[rule.pk])).content
    set_ship_by(order, 3)
    dry = admin.get(reverse("rules:dry_run", args=[rule.pk])).content.decode()
    assert 'id="count-would-act">1<' in dry and order.reference in dry, dry[dry.find("dry-run-summary") :][:3000]
    assert not DelayNotice.objects.exists()  # a dry run sends nothing

    rule_actions.set_rule_enabled(rule_id=rule.pk, enabled=True, updated_by=admin_user)
    card = logged_in(operator).get(reverse("orders:detail", args=[order.pk])).content.decode()
    assert "The rule “Retards Fnac” tells the buyer automatically within a few minutes." in card
    assert tasks.send_delay_notices() == 1
    assert outbox.drain() == {"sent": 1}
    [remote_thread] = [t for t in sandbox.admin.threads(key) if t["order_id"] == remote["id"]]
    assert remote_thread["messages"][0]["body"].startswith(f"Bonjour {order.buyer_name}, votre commande ")
    assert "part demain" in remote_thread["messages"][0]["body"]
    assert len(notices_on(sandbox, key, remote["id"])) == 1
    notice = DelayNotice.objects.get(order=order)
    assert notice.automatic and notice.sent_by is None

    decision = RuleDecision.objects.get(order=order)
    assert (decision.rule, decision.outcome, decision.get_outcome_display()) == (
        rule,
        "notify_delay",
        "Buyer told of a delay",
    )
    assert decision.sentences == ["ship-by date in 3 h, not shipped"]
    page = logged_in(operator).get(reverse("orders:detail", args=[order.pk]), HTTP_ACCEPT_LANGUAGE="fr").content
    page = page.decode()
    assert "Retards Fnac" in page and "Acheteur prévenu d&#x27;un retard" in page
    assert "date limite d&#x27;expédition dans 3 h, non expédiée" in page

    # Told for this ship-by date: the next runs neither send nor record anything.
    assert tasks.send_delay_notices() == 0
    assert RuleDecision.objects.count() == 1 and len(notices_on(sandbox, key, remote["id"])) == 1


@pytest.mark.django_db
def test_an_order_no_delay_rule_matches_stays_proposed_and_nothing_is_recorded(
    sandbox, sandbox_account, operator, delay_template
):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    delay_rule(template=delay_template, conditions=[{"type": "total", "min": "100000"}])
    set_ship_by(order, 2)
    assert tasks.send_delay_notices() == 0
    assert tasks.send_delay_notices() == 0
    assert not DelayNotice.objects.exists() and not RuleDecision.objects.exists()
    assert delay.proposal(order) is not None  # still the operator's to send

    # Where the account sends every notice itself, an order no rule matches is sent with the default text.
    AccountMessaging.objects.filter(pk=account.pk).update(notify_on_delay="send")
    assert tasks.send_delay_notices() == 1
    outbox.drain()
    [remote_thread] = [t for t in sandbox.admin.threads(key) if t["order_id"] == remote["id"]]
    assert "partira avec un peu de retard" in remote_thread["messages"][0]["body"]
    assert not RuleDecision.objects.exists()


@pytest.mark.django_db
def test_a_delay_rule_never_sends_where_the_account_switched_delay_notices_off(
    sandbox, sandbox_account, operator, delay_template
):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="off")
    delay_rule(template=delay_template, platforms=("mirakl",))
    set_ship_by(order, -2)
    assert tasks.send_delay_notices() == 0
    assert not DelayNotice.objects.exists() and not notices_on(sandbox, key, remote["id"])


@pytest.mark.django_db
def test_delay_rules_and_new_order_rules_do_not_shadow_each_other(sandbox, sandbox_account, operator, delay_template):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    # First in the list and matching everything on Mirakl: it must not stop the rules of new orders...
    delay_rule(template=delay_template, platforms=("mirakl",))
    tag = add_rule(name="Tag Mirakl", action="tag", action_tag="mirakl", platforms=("mirakl",))
    assert rule_actions.apply_rules(order_ids=[order.pk]) == {"tag": 1}
    assert "mirakl" in Order.objects.get(pk=order.pk).tags
    # ...nor do they stop it: the tag rule already acted on the order, the delay rule still runs.
    set_ship_by(order, 1)
    assert tasks.send_delay_notices() == 1
    assert list(RuleDecision.objects.filter(order=order).values_list("outcome", flat=True).order_by("id")) == [
        "tag",
        "notify_delay",
    ]
    assert tag.decisions.count() == 1


@pytest.mark.django_db
def test_a_rule_whose_template_was_deleted_fails_once_and_changes_nothing(
    sandbox, sandbox_account, operator, delay_template
):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    rule = delay_rule(template=delay_template, platforms=("mirakl",))
    Template.objects.filter(pk=delay_template.pk).delete()
    set_ship_by(order, 1)
    assert tasks.send_delay_notices() == 0
    assert tasks.send_delay_notices() == 0
    [failed] = RuleDecision.objects.filter(order=order)
    assert failed.outcome == "failed" and "template no longer exists" in failed.sentences[-1]
    assert not DelayNotice.objects.exists() and not OutboxMessage.objects.filter(kind="messaging.notify").exists()
    # The rule cannot be switched on again with a template no longer offered.
    rule_actions.set_rule_enabled(rule_id=rule.pk, enabled=False, updated_by=None)
    with pytest.raises(rule_actions.InvalidRule, match="not one of the choices"):
        rule_actions.set_rule_enabled(rule_id=rule.pk, enabled=True, updated_by=None)


@pytest.mark.django_db
def test_the_rules_api_takes_a_delay_rule_and_refuses_a_template_of_another_topic(admin_api, delay_template):
    other = Template.objects.create(name="Suivi", language="fr", topic=Topic.WHERE_IS_MY_PARCEL, body="Voici")
    body = {
        "name": "Retards",
        "platforms": ["mirakl"],
        "conditions": [],
        "action": "notify_delay",
        "action_params": {"template": str(other.pk)},
    }
    refused = admin_api.post("/api/v1/rules/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["details"]["errors"] == [f"Delay template: {other.pk} is not one of the choices."]
    refused = admin_api.post("/api/v1/rules/", {**body, "action_params": {"colour": "red"}}, format="json")
    assert refused.json()["error"]["details"]["errors"] == ["Action parameters: notify_delay takes no colour."]
    assert not Rule.objects.exists()

    created = admin_api.post(
        "/api/v1/rules/", {**body, "action_params": {"template": str(delay_template.pk)}}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["trigger"], created.json()["action_params"]) == (
        "ship_by_at_risk",
        {"template": str(delay_template.pk)},
    )
    schema = admin_api.get("/api/schema/").content.decode()
    assert "notify_delay" in schema


@pytest.mark.django_db(transaction=True)
def test_two_beat_runs_at_once_tell_the_buyer_once(sandbox, sandbox_account, operator):
    account, key, remote, order = accepted_mirakl_order(sandbox, sandbox_account, operator, mode="propose")
    delay_rule(platforms=("mirakl",))
    set_ship_by(order, 1)
    barrier = threading.Barrier(2)
    sent = []

    def run():
        try:
            barrier.wait()
            sent.append(delay_rules.send_automatic())
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(sent) == [0, 1]
    assert DelayNotice.objects.filter(order=order).count() == 1
    assert RuleDecision.objects.filter(order=order, outcome="notify_delay").count() == 1
    assert OutboxMessage.objects.filter(kind="messaging.notify").count() == 1
    assert outbox.drain() == {"sent": 1}
    assert len(notices_on(sandbox, key, remote["id"])) == 1
