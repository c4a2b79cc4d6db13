"""The shipments list's filters (the API's; the order page reads an order's own shipments)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from oms.api.fields import InstantFilter
from shipping.models import Shipment

MAX_ID = 2**63 - 1


class ShipmentFilter(django_filters.FilterSet):
    order = django_filters.NumberFilter(
        field_name="order_id", label=_("Order"), min_value=1, max_value=MAX_ID, decimal_places=0
    )
    status = django_filters.MultipleChoiceFilter(choices=Shipment.Status.choices, label=_("Status"))
    origin = django_filters.ChoiceFilter(choices=Shipment.Origin.choices, label=_("Origin"))
    carrier = django_filters.CharFilter(field_name="carrier__code", label=_("Carrier"))
    tracking_number = django_filters.CharFilter(method="by_tracking_number", label=_("Tracking number"))
    updated_since = InstantFilter(field_name="updated_at", lookup_expr="gte", label=_("Updated since"))

    class Meta:
        model = Shipment
        fields: list[str] = []

    def by_tracking_number(self, queryset, name, value):
        return queryset.filter(parcels__tracking_number=value.replace(" ", "").replace("-", "").upper()).distinct()
