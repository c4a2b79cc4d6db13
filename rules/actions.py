"""Every change to rules, and the rules' changes to orders.

Rule definitions are validated here (`InvalidRule` lists every problem, nothing
is saved). Applying rules locks the order, evaluates the enabled rules (first
match wins), acts through `orders.actions` / `orders.triage` with the rule as
the actor, and records a `RuleDecision` with the reason per condition; the
same rule never acts twice on the same order.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from marketplaces.models import MarketplaceAccount, Platform
from oms.errors import DomainError
from orders import actions as order_actions
from orders import triage
from orders.models import Order
from orders.platforms import CAPABILITIES
from orders.status import OrderStatus
from rules import conditions, declared, engine, selectors
from rules.conditions import InvalidRule
from rules.models import FlaggedBuyer, Rule, RuleAction, RuleDecision
from rules.reasons import stored

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
POSITION_STEP = 10


# Rule definitions -------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDefinition:
    """Everything an admin writes for a rule, as the form and the API hand it over."""

    name: str
    action: str
    conditions: list
    platforms: tuple[str, ...] = ()
    account_ids: tuple[int, ...] = ()
    action_reason: str = ""
    action_tag: str = ""
    action_priority: int | None = None
    action_params: dict | None = None  # a declared action's choices (`rules.declared`), by parameter name


def clean_definition(
    definition: RuleDefinition, *, rule_id: int | None = None
) -> tuple[dict, list[MarketplaceAccount]]:
    """Check a definition; return the model fields and accounts, or raise InvalidRule with every problem."""
    errors: list[str] = []
    name = (definition.name or "").strip()
    if not name:
        errors.append("Name: required.")
    elif len(name) > 100:
        errors.append("Name: at most 100 characters.")
    elif Rule.objects.filter(name__iexact=name).exclude(pk=rule_id).exists():
        errors.append(f"Name: a rule named “{name}” already exists.")

    try:
        cleaned_conditions = conditions.clean_conditions(definition.conditions)
    except InvalidRule as invalid:
        errors.extend(invalid.errors)
        cleaned_conditions = []

    platforms = list(dict.fromkeys(definition.platforms or ()))
    unknown = [platform for platform in platforms if platform not in Platform.values]
    if unknown:
        errors.append(f"Platforms: unknown {', '.join(map(str, unknown))}.")
    account_ids = list(dict.fromkeys(definition.account_ids or ()))
    accounts = list(MarketplaceAccount.objects.filter(pk__in=account_ids).order_by("name"))
    if len(accounts) != len(account_ids):
        errors.append("Accounts: some of them do not exist.")
    outside = [account.name for account in accounts if platforms and account.platform not in platforms]
    if outside:
        errors.append(f"Accounts: {', '.join(outside)} outside the chosen platforms; the rule would never see them.")

    fields = {"name": name, "conditions": cleaned_conditions, "platforms": platforms, "action": definition.action}
    fields.update(_clean_action(definition, platforms, accounts, errors))
    if not cleaned_conditions and not platforms and not accounts and not errors:
        errors.append(
            "Conditions: give at least one condition, platform or account; a rule never applies to everything blindly."
        )
    if errors:
        raise InvalidRule(errors)
    return fields, accounts


def _clean_action(definition: RuleDefinition, platforms: list[str], accounts, errors: list[str]) -> dict:
    action = definition.action
    fields = {
        "action_reason": (definition.action_reason or "").strip(),
        "action_tag": "",
        "action_priority": None,
        "action_params": {},
    }
    declared_action = declared.declared(action)
    if declared_action is not None:
        fields["action_params"] = _clean_params(declared_action, definition.action_params, errors)
        return fields
    if action not in RuleAction.values:
        known = [*RuleAction.values, *(found.name for found in declared.declared_actions())]
        errors.append(f"Action: expected one of {', '.join(known)}.")
        return fields
    if action == RuleAction.REFUSE and not fields["action_reason"]:
        errors.append("Action: a refusal needs a reason.")
    if len(fields["action_reason"]) > 500:
        errors.append("Reason: at most 500 characters.")
    if action == RuleAction.TAG:
        tag = (definition.action_tag or "").strip()
        if not triage.TAG_PATTERN.match(tag):
            errors.append("Tag: 1 to 50 letters, digits, spaces, dots, dashes or underscores.")
        fields["action_tag"] = tag
    if action == RuleAction.SET_PRIORITY:
        priority = definition.action_priority
        if (
            priority is None
            or isinstance(priority, bool)
            or not isinstance(priority, int)
            or not -100 <= priority <= 100
        ):
            errors.append("Priority: a whole number from -100 to 100.")
        fields["action_priority"] = priority
    if action in (RuleAction.ACCEPT, RuleAction.REFUSE):
        scope = set(platforms) | {account.platform for account in accounts}
        if scope and not any(CAPABILITIES[platform].acceptance_step for platform in scope):
            names = ", ".join(sorted(Platform(platform).label for platform in scope))
            errors.append(f"Action: {names} has no acceptance step; this rule would never {action} an order.")
    return fields


def _clean_params(action: declared.DeclaredAction, given: dict | None, errors: list[str]) -> dict:
    """A declared action's parameters: each one of its offered values (or empty where optional)."""
    given = given or {}
    if not isinstance(given, dict):
        errors.append("Action parameters: an object of parameter names and values.")
        return {}
    names = {param.name for param in action.params}
    unknown = sorted(set(given) - names)
    if unknown:
        errors.append(f"Action parameters: {action.name} takes no {', '.join(unknown)}.")
    cleaned = {}
    for param in action.params:
        value = given.get(param.name)
        value = "" if value is None else str(value).strip()
        if not value:
            if param.required:
                errors.append(f"{param.label}: required.")
            continue
        if value not in {str(choice) for choice, _label in param.choices()}:
            errors.append(f"{param.label}: {value} is not one of the choices.")
            continue
        cleaned[param.name] = value
    return cleaned


@transaction.atomic
def create_rule(*, definition: RuleDefinition, created_by, enabled: bool = False) -> Rule:
    """Add a rule at the end of the list (disabled unless said otherwise). Raises InvalidRule."""
    fields, accounts = clean_definition(definition)
    last = Rule.objects.select_for_update().aggregate(last=Max("position"))["last"] or 0
    rule = Rule.objects.create(
        **fields, enabled=enabled, position=last + POSITION_STEP, created_by=created_by, updated_by=created_by
    )
    rule.accounts.set(accounts)
    return rule


@transaction.atomic
def update_rule(*, rule_id: int, definition: RuleDefinition, updated_by) -> Rule:
    """Replace a rule's definition (position and enabled flag unchanged). Raises InvalidRule."""
    rule = Rule.objects.select_for_update().get(pk=rule_id)
    fields, accounts = clean_definition(definition, rule_id=rule_id)
    for name, value in fields.items():
        setattr(rule, name, value)
    rule.updated_by = updated_by
    rule.save()
    rule.accounts.set(accounts)
    return rule


@transaction.atomic
def set_rule_enabled(*, rule_id: int, enabled: bool, updated_by) -> Rule:
    rule = Rule.objects.select_for_update().get(pk=rule_id)
    if enabled and (rule.action in (RuleAction.ACCEPT, RuleAction.REFUSE) or declared.declared(rule.action)):
        # Stored before a validation rule tightened, or a declared action's choice no longer offered.
        clean_definition(definition_of(rule), rule_id=rule.pk)
    rule.enabled, rule.updated_by = enabled, updated_by
    rule.save(update_fields=["enabled", "updated_by", "updated_at"])
    return rule


def _renumber(rules: list[Rule]) -> None:
    for index, rule in enumerate(rules, start=1):
        rule.position = index * POSITION_STEP
    Rule.objects.bulk_update(rules, ["position"])


@transaction.atomic
def move_rule(*, rule_id: int, direction: str, updated_by) -> Rule:
    """Swap the rule with its neighbour ("up": runs earlier, "down": later)."""
    if direction not in ("up", "down"):
        raise DomainError("Move a rule up or down.", details={"direction": direction})
    rules = list(Rule.objects.select_for_update().order_by("position", "id"))
    index = next((i for i, rule in enumerate(rules) if rule.pk == rule_id), None)
    if index is None:
        raise Rule.DoesNotExist(f"No rule {rule_id}")
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    _renumber(rules)
    return rules[other if 0 <= other < len(rules) else index]


@transaction.atomic
def reorder_rules(*, rule_ids: list[int], updated_by) -> list[Rule]:
    """Set the whole order at once; `rule_ids` must list every rule exactly once."""
    rules = {rule.pk: rule for rule in Rule.objects.select_for_update().order_by("pk")}
    if sorted(rule_ids) != sorted(rules):
        raise DomainError("List every rule exactly once to reorder them.", details={"rules": sorted(rules)})
    ordered = [rules[rule_id] for rule_id in rule_ids]
    _renumber(ordered)
    return ordered


@transaction.atomic
def delete_rule(*, rule_id: int, deleted_by) -> None:
    """Delete a rule; its past decisions stay on the orders with the rule's name."""
    Rule.objects.filter(pk=rule_id).delete()


def definition_of(rule: Rule) -> RuleDefinition:
    return RuleDefinition(
        name=rule.name,
        action=rule.action,
        conditions=rule.conditions,
        platforms=tuple(rule.platforms),
        account_ids=tuple(account.pk for account in rule.accounts.all()),
        action_reason=rule.action_reason,
        action_tag=rule.action_tag,
        action_priority=rule.action_priority,
        action_params=dict(rule.action_params or {}),
    )


# Flagged buyers ---------------------------------------------------------------------


@transaction.atomic
def flag_buyer(*, email: str = "", name: str = "", reason: str = "", created_by) -> FlaggedBuyer:
    email, name = (email or "").strip(), " ".join((name or "").split())
    if not email and not name:
        raise DomainError("Give the buyer's e-mail, name or both.", details={"email": "required"})
    existing = FlaggedBuyer.objects.filter(email__iexact=email, name__iexact=name).first()
    if existing:
        return existing
    return FlaggedBuyer.objects.create(email=email, name=name, reason=(reason or "").strip(), created_by=created_by)


@transaction.atomic
def unflag_buyer(*, flagged_buyer_id: int) -> None:
    FlaggedBuyer.objects.filter(pk=flagged_buyer_id).delete()


# Applying rules to orders -----------------------------------------------------------


def _act(order: Order, rule: Rule) -> None:
    """The rule's action, by the rule (the event's actor); why it matched is its decision's reasons,
    which read in the reader's language, so the event carries only the admin's own words."""
    actor = order_actions.Actor.of_rule(rule.name)
    declared_action = declared.declared(rule.action)
    if declared_action is not None:
        declared_action.act(order, rule, actor)
    elif rule.action == RuleAction.ACCEPT:
        order_actions.accept_order(order_id=order.pk, actor=actor)
    elif rule.action == RuleAction.REFUSE:
        order_actions.refuse_order(order_id=order.pk, actor=actor, reason=rule.action_reason)
    elif rule.action == RuleAction.HOLD:
        triage.hold_order(order_id=order.pk, actor=actor, reason=rule.action_reason or rule.name)
    elif rule.action == RuleAction.TAG:
        triage.tag_order(order_id=order.pk, actor=actor, tag=rule.action_tag)
    elif rule.action == RuleAction.SET_PRIORITY:
        triage.set_priority(order_id=order.pk, actor=actor, priority=rule.action_priority)


@transaction.atomic
def apply_rules_to_order(
    *,
    order_id: int,
    rules: list[Rule] | None = None,
    context: conditions.Context | None = None,
    trigger: str = declared.ORDER_RECEIVED,
) -> RuleDecision | None:
    """Run the enabled rules of `trigger` on one order and act on the first match.

    Returns the decision recorded: the action taken, "no_match" (with why each
    rule in scope did not match) or "failed" (the action raised a DomainError:
    nothing changed but the decision). Returns None when no rule covers the
    order, or when the winning rule already acted on it (nothing is done twice).
    A declared trigger runs again and again on the same orders (every few minutes
    while an order is at risk): it records no "no_match", and a rule's failure once
    a day, so the order's page shows what happened rather than every look.
    """
    rules = selectors.enabled_rules(trigger) if rules is None else rules
    context = context or conditions.Context.load()
    # Locked: runs on one order happen one at a time, each seeing what the previous one did.
    order = selectors.orders_for_rules().select_for_update(of=("self",)).get(pk=order_id)
    evaluation = engine.evaluate(order, rules, context, applied_rule_ids=selectors.applied_rule_ids(order_id))
    winner = evaluation.winner
    repeated = trigger != declared.ORDER_RECEIVED
    if winner is None:
        if not evaluation.tried or repeated:
            return None
        return RuleDecision.objects.create(
            order=order, outcome=RuleDecision.Outcome.NO_MATCH, reasons=stored(evaluation.reasons)
        )
    if winner.already_applied:
        return None
    try:
        with transaction.atomic():
            _act(order, winner.rule)
    except DomainError as error:
        if repeated and selectors.failed_lately(order_id=order.pk, rule_id=winner.rule.pk):
            return None
        return RuleDecision.objects.create(
            order=order,
            rule=winner.rule,
            rule_name=winner.rule.name,
            outcome=RuleDecision.Outcome.FAILED,
            reasons=[*stored(winner.reasons), error.message],
        )
    return RuleDecision.objects.create(
        order=order,
        rule=winner.rule,
        rule_name=winner.rule.name,
        outcome=winner.rule.action,
        reasons=stored(winner.reasons),
    )


def apply_rules(*, order_ids: list[int], batch_size: int = BATCH_SIZE) -> dict[str, int]:
    """Run the rules on many orders, one transaction per order; returns counts per outcome.

    Rules and flagged buyers are read once per batch. Safe to run twice: a rule
    that acted on an order does not act again. "unchanged" counts orders that no
    rule covers or that their rule already handled; "missing" orders that do not
    exist; "error" orders where something unexpected happened (logged, rolled back).
    """
    counts: Counter[str] = Counter()
    ids = list(dict.fromkeys(order_ids))
    for start in range(0, len(ids), batch_size):
        rules, context = selectors.enabled_rules(), conditions.Context.load()
        for order_id in ids[start : start + batch_size]:
            try:
                decision = apply_rules_to_order(order_id=order_id, rules=rules, context=context)
            except Order.DoesNotExist:
                counts["missing"] += 1
                continue
            except Exception:  # one order's surprise must not keep the rest of an unattended batch waiting
                logger.exception("rules could not run on order %s", order_id)
                counts["error"] += 1
                continue
            counts[decision.outcome if decision else "unchanged"] += 1
    return dict(counts)


def apply_rules_to_undecided_orders(*, within_hours: int = 48, limit: int = 2000) -> dict[str, int]:
    """Catch-up for orders the unattended run missed (the broker was down when they arrived).

    Runs the rules on orders waiting for acceptance, received in the last
    `within_hours`, that no rule run has looked at yet. Safe from beat or cron.
    """
    if not Rule.objects.filter(enabled=True, action__in=RuleAction.values).exists():
        return {}
    since = timezone.now() - dt.timedelta(hours=within_hours)
    order_ids = list(
        Order.objects.filter(status=OrderStatus.PENDING_ACCEPTANCE, created_at__gte=since, rule_decisions__isnull=True)
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    return apply_rules(order_ids=order_ids)
