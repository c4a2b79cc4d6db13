"""Read-side queries of the rules: the rule list, orders loaded for evaluation, decisions, dry runs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from oms.access.selectors import within_scope
from orders.models import Order, OrderLine
from rules import conditions, declared, engine
from rules.models import FlaggedBuyer, Rule, RuleAction, RuleDecision

DRY_RUN_LIMIT = 1000  # the most recent orders a dry run looks at


def rule_list() -> QuerySet[Rule]:
    return (
        Rule.objects.prefetch_related("accounts").select_related("created_by", "updated_by").order_by("position", "id")
    )


def enabled_rules(trigger: str = declared.ORDER_RECEIVED) -> list[Rule]:
    """The enabled rules that run at `trigger`, in their order (new orders: the rules' own actions)."""
    return list(rule_list().filter(enabled=True, action__in=actions_at(trigger)))


def actions_at(trigger: str) -> list[str]:
    return list(RuleAction.values) if trigger == declared.ORDER_RECEIVED else declared.actions_of(trigger)


def orders_for_rules() -> QuerySet[Order]:
    """Orders with what conditions read: account, lines and stock allocation."""
    return Order.objects.select_related("account", "allocation").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("id"))
    )


def visible_order_ids(order_ids, *, user) -> list[int]:
    """The orders of `order_ids` that `user` may act on (their accounts), in the order given."""
    wanted = list(dict.fromkeys(order_ids))
    visible = set(within_scope(Order.objects.filter(pk__in=wanted), user=user).values_list("pk", flat=True))
    return [pk for pk in wanted if pk in visible]


def applied_rule_ids(order_id: int) -> frozenset[int]:
    """Rules that already acted on this order (each acts at most once)."""
    return frozenset(
        RuleDecision.objects.filter(
            order_id=order_id, dry_run=False, outcome__in=RuleDecision.ACTED, rule__isnull=False
        ).values_list("rule_id", flat=True)
    )


def failed_lately(*, order_id: int, rule_id: int, within: dt.timedelta = dt.timedelta(days=1)) -> bool:
    """Whether this rule's action failed on this order within `within` (a repeated trigger says it once)."""
    return RuleDecision.objects.filter(
        order_id=order_id,
        rule_id=rule_id,
        dry_run=False,
        outcome=RuleDecision.Outcome.FAILED,
        created_at__gte=timezone.now() - within,
    ).exists()


def latest_decisions() -> QuerySet[RuleDecision]:
    """What the rules did to orders, newest first ("no rule matched" left out), for a
    `Prefetch("rule_decisions", queryset=latest_decisions())` on a page of orders."""
    return (
        RuleDecision.objects.filter(dry_run=False)
        .exclude(outcome=RuleDecision.Outcome.NO_MATCH)
        .order_by("-created_at", "-id")
    )


def flagging_decisions() -> QuerySet[RuleDecision]:
    """Decisions that put an order in front of a person; narrow with `.filter(order=OuterRef("pk"))`."""
    return RuleDecision.objects.filter(dry_run=False, outcome__in=RuleDecision.FLAGS)


def flagged_buyers() -> QuerySet[FlaggedBuyer]:
    return FlaggedBuyer.objects.select_related("created_by").order_by("email", "name")


@dataclass
class DryRunRow:
    order: Order
    result: engine.RuleResult | None  # None: the order is outside the rule's scope
    decided_by: engine.RuleResult | None  # the rule that would win (this one or an earlier one)

    @property
    def wins(self) -> bool:
        return bool(self.decided_by and self.decided_by.rule.pk == self.result.rule.pk)


@dataclass
class DryRun:
    rule: Rule
    days: int
    rows: list[DryRunRow] = field(default_factory=list)
    looked_at: int = 0
    truncated: bool = False

    @property
    def in_scope(self) -> int:
        return sum(1 for row in self.rows if row.result is not None)

    @property
    def matched(self) -> list[DryRunRow]:
        return [row for row in self.rows if row.result is not None and row.result.matched]

    @property
    def would_act(self) -> list[DryRunRow]:
        return [row for row in self.matched if row.wins]

    @property
    def shadowed(self) -> list[DryRunRow]:
        """Orders the rule matches where an earlier enabled rule would decide first."""
        return [row for row in self.matched if not row.wins]

    @property
    def not_matched(self) -> list[DryRunRow]:
        return [row for row in self.rows if row.result is not None and not row.result.matched]

    def listed(self, outcome: str = "") -> list[DryRunRow]:
        """The orders in scope with one outcome (`DRY_RUN_OUTCOMES`), or all of them: what the rule would act on first."""
        groups = {"would_act": self.would_act, "shadowed": self.shadowed, "no_match": self.not_matched}
        if outcome in groups:
            return groups[outcome]
        return [*self.would_act, *self.shadowed, *self.not_matched]


DRY_RUN_OUTCOMES = ("would_act", "shadowed", "no_match")


def dry_run(*, rule: Rule, days: int, now: dt.datetime | None = None, limit: int = DRY_RUN_LIMIT) -> DryRun:
    """What `rule` would have done on the orders purchased in the last `days` days (a declared action's
    rule: on the orders its trigger would look at now, `days` ignored).

    Read-only: evaluates, writes nothing (no decision, no event). The rule is
    placed among the enabled rules at its position, enabled or not, so the
    result also says where an earlier rule would have decided first. Orders are
    judged as they are now (an order already accepted has nothing to accept).
    """
    now = now or timezone.now()
    earlier = [other for other in enabled_rules(rule.trigger) if (other.position, other.pk) < (rule.position, rule.pk)]
    context = conditions.Context.load()
    declared_action = declared.declared(rule.action)
    if declared_action is None:
        candidates = orders_for_rules().filter(purchased_at__gte=now - dt.timedelta(days=days))
    else:  # the orders its trigger would look at now, whenever they were bought
        candidates = orders_for_rules().filter(pk__in=declared_action.candidates().values("pk"))
    orders = list(candidates.order_by("-purchased_at", "-id")[: limit + 1])
    report = DryRun(rule=rule, days=days, truncated=len(orders) > limit)
    for order in orders[:limit]:
        report.looked_at += 1
        if not rule.in_scope(order):
            report.rows.append(DryRunRow(order=order, result=None, decided_by=None))
            continue
        result = engine.evaluate_rule(order, rule, context)
        winner = None
        if result.matched:
            winner = engine.evaluate(order, earlier, context).winner or result
        report.rows.append(DryRunRow(order=order, result=result, decided_by=winner))
    return report
