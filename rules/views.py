"""Rule pages (admins): list, reorder, enable, edit, dry run, flagged buyers; running rules on a selection."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oms.access.selectors import within_scope
from oms.errors import DomainError
from rules import actions, selectors
from rules.forms import DryRunForm, FlaggedBuyerForm, RuleForm
from rules.models import Rule, RuleDecision

ADD = "order_rules.add_rule"
CHANGE = "order_rules.change_rule"
MAX_SELECTION = 1000
DRY_RUN_PAGE_SIZE = 50


@require_safe
@permission_required(CHANGE, raise_exception=True)
def rule_list(request):
    return render(request, "order_rules/rule_list.html", {"rules": selectors.rule_list()})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(ADD, raise_exception=True)
def rule_create(request):
    form = RuleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        rule = actions.create_rule(definition=form.definition(), created_by=request.user)
        messages.success(
            request, _("Rule “%(name)s” saved, switched off: try a dry run, then switch it on.") % {"name": rule.name}
        )
        return redirect("rules:dry_run", pk=rule.pk)
    return render(request, "order_rules/rule_form.html", {"form": form, "rule": None})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CHANGE, raise_exception=True)
def rule_edit(request, pk: int):
    rule = get_object_or_404(selectors.rule_list(), pk=pk)
    if request.method == "POST":
        form = RuleForm(request.POST, rule_id=rule.pk)
        if form.is_valid():
            actions.update_rule(rule_id=rule.pk, definition=form.definition(), updated_by=request.user)
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": form.cleaned_data["name"]})
            return redirect("rules:list")
    else:
        form = RuleForm(initial=RuleForm.initial_for(rule), rule_id=rule.pk)
    return render(request, "order_rules/rule_form.html", {"form": form, "rule": rule})


def _rule_change(request, perform, success: str):
    try:
        perform()
    except Rule.DoesNotExist:
        messages.error(request, _("This rule no longer exists."))
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("rules:list")


@require_POST
@permission_required(CHANGE, raise_exception=True)
def rule_toggle(request, pk: int):
    enabled = request.POST.get("enabled") == "1"
    return _rule_change(
        request,
        lambda: actions.set_rule_enabled(rule_id=pk, enabled=enabled, updated_by=request.user),
        _("Rule switched on.") if enabled else _("Rule switched off."),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def rule_move(request, pk: int):
    direction = request.POST.get("direction", "")
    return _rule_change(
        request,
        lambda: actions.move_rule(rule_id=pk, direction=direction, updated_by=request.user),
        _("Rules reordered."),
    )


@require_POST
@permission_required("order_rules.delete_rule", raise_exception=True)
def rule_delete(request, pk: int):
    return _rule_change(request, lambda: actions.delete_rule(rule_id=pk, deleted_by=request.user), _("Rule deleted."))


@require_safe
@permission_required(CHANGE, raise_exception=True)
def rule_dry_run(request, pk: int):
    rule = get_object_or_404(selectors.rule_list(), pk=pk)
    form = DryRunForm(request.GET or {"days": 7})
    report = selectors.dry_run(rule=rule, days=form.cleaned_data["days"]) if form.is_valid() else None
    outcome = request.GET.get("outcome", "")
    outcome = outcome if outcome in selectors.DRY_RUN_OUTCOMES else ""
    page = Paginator(report.listed(outcome), DRY_RUN_PAGE_SIZE).get_page(request.GET.get("page")) if report else None
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "rule": rule,
        "form": form,
        "report": report,
        "page": page,
        "outcome": outcome,
        "query": query.urlencode(),
    }
    return render(request, "order_rules/dry_run.html", context)


@require_safe
@permission_required("order_rules.view_ruledecision", raise_exception=True)
def decision_list(request):
    decisions = within_scope(
        RuleDecision.objects.filter(dry_run=False).select_related("order", "order__account"),
        user=request.user,
        field="order__account",
    ).order_by("-created_at", "-id")
    outcome = request.GET.get("outcome", "")
    if outcome in RuleDecision.Outcome.values:
        decisions = decisions.filter(outcome=outcome)
    page = Paginator(decisions, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "order_rules/decision_list.html",
        {"page": page, "outcome": outcome, "outcomes": RuleDecision.Outcome.choices},
    )


@require_POST
@permission_required("orders.act_on_order", raise_exception=True)
def apply_to_selection(request):
    """Run the enabled rules now on the selected orders (`order` ids, at most MAX_SELECTION)."""
    order_ids = [int(value) for value in request.POST.getlist("order") if value.isdigit()]
    if not order_ids:
        messages.error(request, _("Select at least one order."))
    elif len(order_ids) > MAX_SELECTION:
        messages.error(request, _("Select at most %(count)d orders.") % {"count": MAX_SELECTION})
    else:
        counts = actions.apply_rules(order_ids=selectors.visible_order_ids(order_ids, user=request.user))
        summary = ", ".join(f"{_outcome_label(outcome)} {count}" for outcome, count in sorted(counts.items()))
        messages.success(
            request,
            _("Rules ran on %(count)d orders. %(summary)s") % {"count": len(set(order_ids)), "summary": summary},
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "orders:list"
    return redirect(target)


def _outcome_label(outcome: str) -> str:
    if outcome in RuleDecision.Outcome.values:
        return str(RuleDecision.Outcome(outcome).label)
    return {"unchanged": _("Unchanged"), "missing": _("Not found")}.get(outcome, _("Error"))


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CHANGE, raise_exception=True)
def flagged_buyers(request):
    form = FlaggedBuyerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        actions.flag_buyer(**form.cleaned_data, created_by=request.user)
        messages.success(request, _("Buyer flagged."))
        return redirect("rules:flagged_buyers")
    return render(request, "order_rules/flagged_buyers.html", {"form": form, "buyers": selectors.flagged_buyers()})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def unflag_buyer(request, pk: int):
    actions.unflag_buyer(flagged_buyer_id=pk)
    messages.success(request, _("Buyer no longer flagged."))
    return redirect("rules:flagged_buyers")
