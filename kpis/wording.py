"""A standing or an alert in one sentence, in the active language (dashboard, queue banner, e-mail)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from kpis import metrics


def rate(value: Decimal | None) -> str:
    """ "3.10 %" in the reader's number format; "–" when nothing was counted."""
    if value is None:
        return "–"
    return f"{number_format(value, decimal_pos=2, use_l10n=True)} %"


def hours(value: Decimal | None) -> str:
    """ "5.25 h" in the reader's number format; "–" when nothing was counted."""
    if value is None:
        return "–"
    return f"{number_format(value, decimal_pos=2, use_l10n=True)} h"


def figure(metric, value: Decimal | None) -> str:
    """A metric's value or threshold in its unit: a rate, or hours."""
    return hours(value) if metric.unit == metrics.HOURS else rate(value)


def signed_points(value: Decimal | None, metric=None) -> str:
    """ "+0.40 pt": ours minus the platform's, in percentage points ("+1.50 h" for a metric in hours)."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    unit = "h" if metric is not None and metric.unit == metrics.HOURS else "pt"
    return f"{sign}{number_format(value, decimal_pos=2, use_l10n=True)} {unit}"


def sentence(item, *, now: dt.datetime) -> str:
    """What the figure says: the projection when orders are at stake, else the value against the threshold.

    `item` is a Standing or an Alert (metric, window_days, value, projected_value, threshold, at_stake).
    """
    metric = item.definition
    params = {
        "days": item.window_days,
        "metric": str(metric.label).lower(),
        "value": figure(metric, item.value),
        "projected": figure(metric, item.projected_value),
        "threshold": figure(metric, item.threshold),
        "count": item.at_stake,
    }
    until = getattr(item, "at_stake_until", None)
    if item.at_stake and metric.at_stake_text:
        hours = math.ceil((until - now).total_seconds() / 3600) if until else 0
        return str(metric.at_stake_text) % {**params, "hours": max(hours, 1)}
    return _("The %(days)s-day %(metric)s is %(value)s (threshold %(threshold)s).") % params
