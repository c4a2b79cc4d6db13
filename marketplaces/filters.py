"""The outbox list's filters, shared by the API (the HTML page keeps its own forgiving form)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from oms import outbox
from oms.outbox import OutboxMessage


def _declared_kinds() -> list[tuple[str, str]]:
    return [(kind.name, kind.label) for kind in outbox.declared_kinds()]


class OutboxMessageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OutboxMessage.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=_declared_kinds, label=_("Kind"))
    destination = django_filters.CharFilter(
        field_name="destination", label=_("Destination"), help_text="e.g. `marketplace:12`, `webhook:3`"
    )
    subject = django_filters.CharFilter(field_name="subject", label=_("About"), help_text="e.g. `order:42`")

    class Meta:
        model = OutboxMessage
        fields = ["status", "kind", "destination", "subject"]
