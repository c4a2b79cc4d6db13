"""Carrier rules for admins: list in the order they are tried, create, edit, switch on or off, move
up or down, and a dry run over the open orders (nothing changed). Operators read the list."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from oms.errors import DomainError
from shipping import carrier_rules
from shipping.forms import CarrierRuleForm
from shipping.models import CarrierRule

VIEW = "shipping.view_carrierrule"
ADD = "shipping.add_carrierrule"
CHANGE = "shipping.change_carrierrule"


@require_safe
@permission_required(VIEW, raise_exception=True)
def rule_list(request):
    return render(request, "shipping/carrier_rules.html", {"rules": carrier_rules.rule_list()})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(ADD, raise_exception=True)
def rule_create(request):
    form = CarrierRuleForm(request.POST or None, initial={"enabled": False})
    if request.method == "POST" and form.is_valid():
        last = CarrierRule.objects.order_by("-position").values_list("position", flat=True).first() or 0
        form.instance.position = last + 10
        rule = form.save()
        messages.success(request, _("Carrier rule “%(name)s” saved.") % {"name": rule.name})
        return redirect("shipping:carrier_rule_dry_run", pk=rule.pk)
    return render(request, "shipping/carrier_rule_form.html", {"form": form, "rule": None})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CHANGE, raise_exception=True)
def rule_edit(request, pk: int):
    rule = get_object_or_404(CarrierRule, pk=pk)
    form = CarrierRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Carrier rule “%(name)s” saved.") % {"name": rule.name})
        return redirect("shipping:carrier_rules")
    return render(request, "shipping/carrier_rule_form.html", {"form": form, "rule": rule})


@require_POST
@permission_required(CHANGE, raise_exception=True)
def rule_toggle(request, pk: int):
    enabled = request.POST.get("enabled") == "1"
    try:
        carrier_rules.set_enabled(rule_id=pk, enabled=enabled)
    except CarrierRule.DoesNotExist:
        messages.error(request, _("This rule no longer exists."))
    else:
        messages.success(request, _("Rule switched on.") if enabled else _("Rule switched off."))
    return redirect("shipping:carrier_rules")


@require_POST
@permission_required(CHANGE, raise_exception=True)
def rule_move(request, pk: int):
    try:
        carrier_rules.move_rule(rule_id=pk, direction=request.POST.get("direction", ""))
    except CarrierRule.DoesNotExist:
        messages.error(request, _("This rule no longer exists."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect("shipping:carrier_rules")


@require_safe
@permission_required(VIEW, raise_exception=True)
def dry_run(request, pk: int | None = None):
    """Every rule switched on (and rule `pk`, even switched off) over the open orders."""
    rule = get_object_or_404(CarrierRule, pk=pk) if pk is not None else None
    choices = carrier_rules.dry_run(user=request.user, trying=rule)
    context = {
        "rule": rule,
        "choices": choices,
        "by_this_rule": sum(1 for choice in choices if rule is not None and choice.rule == rule),
        "limit": carrier_rules.DRY_RUN_ORDERS,
    }
    return render(request, "shipping/carrier_rules_dry_run.html", context)
