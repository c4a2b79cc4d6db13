from django import template
from django.utils.formats import number_format

from oms.l10n import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`{{ order.total_amount|money:order.currency }}`: `1 234,56 €` in French, `€1,234.56` in English."""
    return format_money(amount, currency)


@register.filter
def grouped(number) -> str:
    """A whole number with the language's thousands separator: `172 810`, `172,810`."""
    return number_format(number, 0, use_l10n=True, force_grouping=True)
