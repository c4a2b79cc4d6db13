"""Evaluate rules on an order: in order, first match wins. Reads only; never writes.

A rule matches when the order is in its scope, every condition holds, and its
action can apply to the order as it is now (an accept needs an order waiting
for acceptance on a platform that has that step, not held, not fulfilled by
the marketplace, with its stock reserved). A rule that cannot act does not
match, so the next rule gets its chance; a rule that already acted on the
order wins again without acting (the same rule never acts twice).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext_noop as N_

from orders.models import Order
from orders.platforms import CAPABILITIES
from orders.status import TERMINAL, OrderStatus
from rules import conditions, declared, reasons
from rules.models import Rule, RuleAction, RuleDecision
from rules.reasons import Reason, nested
from rules.stock import Check, check_stock


@dataclass(frozen=True)
class RuleResult:
    rule: Rule
    matched: bool
    reasons: list[Reason]  # matched: why it holds, per condition; otherwise: what did not hold
    already_applied: bool = False


@dataclass(frozen=True)
class Evaluation:
    order: Order
    winner: RuleResult | None
    tried: list[RuleResult] = field(default_factory=list)  # rules in scope, in order, up to the winner

    @property
    def outcome(self) -> str:
        return self.winner.rule.action if self.winner else RuleDecision.Outcome.NO_MATCH

    @property
    def reasons(self) -> list[Reason]:
        """What the decision records: the winner's reasons, or why each rule in scope did not match."""
        if self.winner:
            return self.winner.reasons
        return [
            Reason("%(rule)s: %(reasons)s", {"rule": result.rule.name, "reasons": nested(result.reasons)})
            for result in self.tried
        ]


def _can_accept_or_refuse(order: Order, verb: str) -> list[Check]:
    platform = order.account.get_platform_display()
    if not CAPABILITIES[order.account.platform].acceptance_step:
        template = (
            N_("%(platform)s has no acceptance step: nothing to accept")
            if verb == "accept"
            else N_("%(platform)s has no acceptance step: nothing to refuse")
        )
        return [Check(False, Reason(template, {"platform": platform}))]
    if order.fulfilled_by_marketplace:
        return [Check(False, Reason(N_("fulfilled by the marketplace: read-only here")))]
    if order.status != OrderStatus.PENDING_ACCEPTANCE:
        template = (
            N_("status is %(status)s: nothing to accept")
            if verb == "accept"
            else N_("status is %(status)s: nothing to refuse")
        )
        return [Check(False, Reason(template, {"status": reasons.status(order.status)}))]
    return []


def action_guards(order: Order, rule: Rule) -> list[Check]:
    """Whether the rule's action can apply to the order as it is now (stock aside: see `evaluate_rule`)."""
    declared_action = declared.declared(rule.action)
    if declared_action is not None:
        return declared_action.guard(order)
    if rule.action == RuleAction.ACCEPT:
        blocked = _can_accept_or_refuse(order, "accept")
        if blocked:
            return blocked
        if order.on_hold:
            return [Check(False, Reason(N_("held for review: a rule does not accept it")))]
    if rule.action == RuleAction.REFUSE:
        return _can_accept_or_refuse(order, "refuse")
    if rule.action == RuleAction.HOLD:
        if order.status in TERMINAL or order.status == OrderStatus.SHIPPED:
            return [
                Check(
                    False, Reason(N_("status is %(status)s: nothing to hold"), {"status": reasons.status(order.status)})
                )
            ]
        if order.on_hold:
            return [Check(False, Reason(N_("already held for review")))]
    if rule.action == RuleAction.TAG and rule.action_tag in order.tags:
        return [Check(False, Reason(N_("already tagged %(tag)s"), {"tag": rule.action_tag}))]
    if rule.action == RuleAction.SET_PRIORITY and order.priority == rule.action_priority:
        return [Check(False, Reason(N_("priority already %(priority)s"), {"priority": rule.action_priority}))]
    return []


def evaluate_rule(order: Order, rule: Rule, context: conditions.Context) -> RuleResult:
    """One rule on one order (scope assumed checked): its conditions, then whether its action can apply.

    Stock is looked up last, only when everything cheaper holds; an accept rule
    checks stock even when the admin did not ask for it. A match quotes every
    condition in the rule's order; a miss says what did not hold.
    """
    built = conditions.build(rule.conditions)
    checks: dict[int, Check] = {
        index: condition.check(order, context) for index, condition in enumerate(built) if not condition.looks_up_stock
    }
    guards = action_guards(order, rule)  # a declared action's guard also says why it can act (passed checks)
    failed = [check.reason for check in checks.values() if not check.passed]
    failed += [check.reason for check in guards if not check.passed]
    if failed:
        return RuleResult(rule=rule, matched=False, reasons=failed)
    for index, condition in enumerate(built):
        if condition.looks_up_stock:
            checks[index] = condition.check(order, context)
    ordered = [checks[index] for index in range(len(built))]
    if rule.action == RuleAction.ACCEPT and not any(condition.looks_up_stock for condition in built):
        ordered.append(check_stock(order))
    failed = [check.reason for check in ordered if not check.passed]
    if failed:
        return RuleResult(rule=rule, matched=False, reasons=failed)
    ordered += [check for check in guards if check.passed]
    return RuleResult(rule=rule, matched=True, reasons=[check.reason for check in ordered if check.reason])


def evaluate(
    order: Order, rules: list[Rule], context: conditions.Context, *, applied_rule_ids: frozenset[int] = frozenset()
) -> Evaluation:
    """Rules in their order; the first that matches (or already acted on this order) wins."""
    tried: list[RuleResult] = []
    for rule in rules:
        if not rule.in_scope(order):
            continue
        if rule.pk in applied_rule_ids:
            result = RuleResult(
                rule=rule, matched=True, reasons=[Reason(N_("already applied to this order"))], already_applied=True
            )
            return Evaluation(order=order, winner=result, tried=[*tried, result])
        result = evaluate_rule(order, rule, context)
        tried.append(result)
        if result.matched:
            return Evaluation(order=order, winner=result, tried=tried)
    return Evaluation(order=order, winner=None, tried=tried)
