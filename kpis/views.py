"""The dashboard (the home page), the KPI settings of each account (admins) and the CSV export.

The dashboard reads the kpis tables only (standings, backlog, buckets, open alerts), written by
the refresh every few minutes: a page view never reads the orders.
"""

import csv
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from kpis import actions, metrics, selectors, wording
from kpis.forms import TargetSettingForm
from kpis.models import Alert, Standing, TargetSetting
from marketplaces.models import MarketplaceAccount
from oms.errors import DomainError

EXPORT_DAYS = 90


def queue_url(*, base: str | None = None, **params) -> str:
    """The order queue filtered by `params`; `base`: the queue's URL reversed once by a caller in a loop."""
    query = [(name, item) for name, value in params.items() for item in (value if isinstance(value, list) else [value])]
    return f"{base or reverse('orders:list')}?{urlencode(query)}"


def _labels(model, name: str) -> dict[str, str]:
    """A choice field's labels in the active language, translated once (get_FOO_display in a loop rebuilds and
    translates every choice per call)."""
    return {value: str(label) for value, label in model._meta.get_field(name).flatchoices}


@require_safe
@permission_required("kpis.view_standing", raise_exception=True)
def dashboard(request):
    """The page reads prepared strings: URLs from one reverse, labels and definitions translated once per
    request (not once per row), so the template does no lookups that fail and no translation in its loops."""
    now = timezone.now()
    boards = selectors.dashboard(request.user, now=now)
    horizon = selectors.at_stake_hours(now=now)
    base = reverse("orders:list")
    status_labels = _labels(Standing, "status")
    platform_labels = _labels(MarketplaceAccount, "platform")
    texts: dict[str, dict] = {}
    windows: dict[int, str] = {}
    for board in boards:
        account = board.account.pk
        board.chart_id = f"kpi-chart-{account}"
        board.platform_label = platform_labels.get(board.account.platform, board.account.platform)
        if board.backlog:
            board.backlog.links = {
                "to_accept": queue_url(base=base, account=account, status="pending_acceptance"),
                "to_ship": queue_url(base=base, account=account, status=["accepted", "partially_shipped"]),
                "late": queue_url(base=base, account=account, deadline="overdue"),
            }
        at_stake_url = queue_url(base=base, account=account, due_within_hours=horizon, sort="risk")
        for standing in board.standings:
            standing.sentence = wording.sentence(standing, now=now)
            definition = standing.definition
            standing.texts = texts.get(definition.key) or texts.setdefault(definition.key, _texts(definition))
            days = standing.window_days
            standing.window_text = windows.get(days) or windows.setdefault(
                days, ngettext("%(days)s day", "%(days)s days", days) % {"days": days}
            )
            standing.status_label = status_labels.get(standing.status, standing.status)
            standing.value_text = wording.figure(definition, standing.value)
            standing.threshold_text = wording.figure(definition, standing.threshold)
            standing.projected_text = wording.figure(definition, standing.projected_value)
            if standing.reported:
                standing.reported_text = wording.figure(definition, standing.reported.value)
                gap = None if standing.value is None else standing.value - standing.reported.value
                standing.gap_text = wording.signed_points(gap, definition)
            target = metrics.target(board.account.platform, standing.target)
            standing.unverified = bool(target and target.unverified and target.threshold == standing.threshold)
            kpi = {"account": account, "kpi": standing.metric, "kpi_days": days}
            standing.numerator_url = queue_url(base=base, **kpi)
            standing.denominator_url = queue_url(base=base, **kpi, kpi_counted="true")
            standing.at_stake_url = at_stake_url
    context = {
        "boards": boards,
        "alerts": list(selectors.open_alerts(request.user)),
        "now": now,
        "horizon": horizon,
        "can_configure": request.user.has_perm("kpis.change_targetsetting"),
    }
    alert_labels = _labels(Alert, "status")
    for alert in context["alerts"]:
        alert.sentence = wording.sentence(alert, now=now)
        alert.status_label = alert_labels.get(alert.status, alert.status)
    return render(request, "kpis/dashboard.html", context)


def _texts(definition: metrics.Metric) -> dict[str, str]:
    """A metric's label and definition, translated once."""
    return {
        "label": str(definition.label),
        "numerator": str(definition.numerator_text),
        "denominator": str(definition.denominator_text),
        "counted": str(definition.counted_text),
        "dated": str(definition.dated_text),
        "hours": definition.unit == metrics.HOURS,
        "lower": definition.better == metrics.LOWER,
    }


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("kpis.change_targetsetting", raise_exception=True)
def target_settings(request):
    """Each account's targets with the platform's figures and the admins' own; one row is saved at a time."""
    accounts = list(selectors.visible_accounts(request.user))
    overrides = {(s.account_id, s.target): s for s in TargetSetting.objects.filter(account__in=accounts)}
    if request.method == "POST":
        form = TargetSettingForm(request.POST, accounts=accounts)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["reset"]:
                    actions.reset_target(account_id=data["account"].pk, target=data["target"])
                else:
                    actions.set_target(
                        account_id=data["account"].pk,
                        target=data["target"],
                        threshold=data["threshold"],
                        window_days=data["window_days"],
                        enabled=data["enabled"],
                    )
            except DomainError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Saved: the dashboard shows it after the next refresh."))
            return redirect("kpis:settings")
        messages.error(request, _("Not saved: %(errors)s") % {"errors": "; ".join(_flat(form.errors))})
        return redirect("kpis:settings")
    rows = []
    for account in accounts:
        for target in metrics.targets_for(account.platform):
            own = overrides.get((account.pk, target.key))
            rows.append({"account": account, "target": target, "own": own})
    return render(request, "kpis/settings.html", {"rows": rows, "max_window": metrics.MAX_WINDOW_DAYS})


def _flat(errors) -> list[str]:
    return [str(message) for field_errors in errors.values() for message in field_errors]


@require_safe
@permission_required("kpis.view_standing", raise_exception=True)
def export_csv(request):
    """The targets as they stand, then each metric's daily numerator and denominator over 90 days."""
    now = timezone.now()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kpis.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "account",
            "platform",
            "target",
            "metric",
            "window_days",
            "threshold",
            "value",
            "numerator",
            "denominator",
            "status",
            "at_stake",
            "projected_value",
            "computed_at",
        ]
    )
    for standing in selectors.standing_list(request.user):
        writer.writerow(
            [
                standing.account.name,
                standing.account.platform,
                standing.target,
                standing.metric,
                standing.window_days,
                standing.threshold,
                standing.value,
                standing.numerator,
                standing.denominator,
                standing.status,
                standing.at_stake,
                standing.projected_value,
                standing.computed_at.isoformat(),
            ]
        )
    writer.writerow([])
    writer.writerow(["account", "metric", "day", "numerator", "denominator"])
    for bucket in selectors.daily_rows(request.user, today=now.date(), days=EXPORT_DAYS):
        writer.writerow(
            [bucket.account.name, bucket.metric, bucket.day.isoformat(), bucket.numerator, bucket.denominator]
        )
    return response
