from django import template

from oms.l10n import format_money

register = template.Library()


@register.filter
def money(amount, currency: str = "") -> str:
    """`{{ order.total_amount|money:order.currency }}`: `1 234,56 €` in French, `€1,234.56` in English."""
    return format_money(amount, currency)
