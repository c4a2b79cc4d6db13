"""The order rules' "tell the buyer of a delay" action, declared to the rules (`rules.declared`).

A rule with this action runs when an accepted order's ship-by date comes close (`delay.at_risk`: within
its account's horizon or past, not told yet for this date, on an account whose delay notices are not
switched off), among the other rules of that moment, first match wins, every five minutes with the
beat task `messaging.send_delay_notices`. Its conditions are the rules' own (platform, account, total,
SKU, country…); it sends the delay notice with the template the admin chose, or the default text. An
order no rule sends for is proposed to the operator, or sent anyway where its account sends every delay
notice by itself. Each notice a rule sends leaves a decision on the order with why the rule matched.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_noop as N_

from messaging import delay
from messaging.models import DelayNotice, Template, Topic
from oms.errors import DomainError
from orders.models import Order
from rules import actions as rule_actions
from rules import conditions, declared, engine
from rules import selectors as rule_selectors
from rules.reasons import Reason, status
from rules.stock import Check

logger = logging.getLogger(__name__)

TRIGGER = "ship_by_at_risk"
NOTIFY_DELAY = "notify_delay"


def template_choices() -> list[tuple[str, str]]:
    return [
        (str(pk), f"{name} ({language})")
        for pk, name, language in Template.objects.filter(topic=Topic.DELAY)
        .order_by("language", "name")
        .values_list("pk", "name", "language")
    ]


def _hours(delta: dt.timedelta) -> int:
    return max(0, round(delta.total_seconds() / 3600))


def guard(order: Order) -> list[Check]:
    """Why a delay notice cannot go to this order's buyer now; when it can, why it is due (a passed check)."""
    if order.status not in delay.AT_RISK_STATUSES:
        return [Check(False, Reason(N_("status is %(status)s: no delay to announce"), status(order.status)))]
    if order.ship_by is None:
        return [Check(False, Reason(N_("no ship-by date: no delay to announce")))]
    if DelayNotice.objects.filter(order_id=order.pk, ship_by=order.ship_by).exists():
        return [Check(False, Reason(N_("the buyer was already told of a delay for this ship-by date")))]
    if not delay.at_risk().filter(pk=order.pk).exists():
        return [
            Check(
                False,
                Reason(N_("not at risk of shipping late yet, or its account sends no delay notice")),
            )
        ]
    left = order.ship_by - timezone.now()
    if left.total_seconds() <= 0:
        return [Check(True, Reason(N_("ship-by date passed %(hours)s h ago, not shipped"), {"hours": _hours(-left)}))]
    return [Check(True, Reason(N_("ship-by date in %(hours)s h, not shipped"), {"hours": _hours(left)}))]


def act(order: Order, rule, actor) -> None:
    """Send the delay notice with the rule's template (or the default text); DomainError when it cannot."""
    body = ""
    template_id = (rule.action_params or {}).get("template")
    if template_id:
        template = Template.objects.filter(pk=template_id, topic=Topic.DELAY).first()
        if template is None:
            raise DomainError(_("The rule's delay template no longer exists: choose another one on the rule."))
        body = template.body
    delay.notify_delay(order_id=order.pk, body=body, automatic=True)


declared.declare(
    declared.DeclaredAction(
        name=NOTIFY_DELAY,
        label=gettext_lazy("Tell the buyer of a delay"),
        outcome_label=gettext_lazy("Buyer told of a delay"),
        trigger=TRIGGER,
        trigger_label=gettext_lazy("When an accepted order's ship-by date comes close"),
        guard=guard,
        act=act,
        candidates=delay.at_risk,
        params=(
            declared.ActionParam(
                name="template",
                label=gettext_lazy("Delay template"),
                choices=template_choices,
                help_text=gettext_lazy("For “Tell the buyer of a delay”; empty: the default text."),
                empty_label=gettext_lazy("Default text"),
            ),
        ),
    )
)


def rule_that_would_send(order: Order) -> str | None:
    """The name of the enabled delay rule that would tell this order's buyer at the next run, if any
    (read-only: for the order page's card)."""
    rules = rule_selectors.enabled_rules(TRIGGER)
    if not rules:
        return None
    loaded = rule_selectors.orders_for_rules().get(pk=order.pk)
    winner = engine.evaluate(loaded, rules, conditions.Context.load()).winner
    return winner.rule.name if winner is not None and not winner.already_applied else None


def send_automatic(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The beat task: each order at risk, soonest ship-by first, goes to the enabled delay rules (the
    first that matches tells the buyer); one no rule told is sent anyway where its account sends every
    delay notice itself, and otherwise stays proposed to the operator. Returns the notices sent."""
    rules = rule_selectors.enabled_rules(TRIGGER)
    orders = delay.at_risk(now=now, mode=None if rules else delay.Mode.SEND)
    context = conditions.Context.load() if rules else None
    sent = 0
    for order_id, mode in orders.order_by("ship_by", "pk").values_list("pk", "account__messaging__notify_on_delay")[
        :limit
    ]:
        if rules:
            try:
                decision = rule_actions.apply_rules_to_order(
                    order_id=order_id, rules=rules, context=context, trigger=TRIGGER
                )
            except Order.DoesNotExist:
                continue
            except Exception:  # one order's surprise must not keep the other buyers waiting
                logger.exception("the delay rules could not run on order %s", order_id)
                continue
            if decision is not None and decision.outcome == NOTIFY_DELAY:
                sent += 1
                continue
        if (mode or delay.DEFAULT_MODE) != delay.Mode.SEND:
            continue
        try:
            delay.notify_delay(order_id=order_id, automatic=True)
        except DomainError:
            continue  # shipped or told meanwhile
        sent += 1
    return sent
