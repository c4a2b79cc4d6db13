"""KPIs for ERPs: where each account's targets stand (value, threshold, status, projection), read-only."""

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from kpis import selectors
from kpis.api.serializers import StandingSerializer
from kpis.models import METRIC_CHOICES, Standing, Status

EXAMPLE = {
    "account": 1,
    "account_name": "Amazon FR",
    "platform": "amazon",
    "target": "late_shipment_rate_30d",
    "metric": "late_shipment_rate",
    "label": "Late shipment rate",
    "window_days": 30,
    "threshold": "4.00",
    "unverified": False,
    "value": "3.10",
    "numerator": 31,
    "denominator": 1000,
    "status": "projected_breach",
    "at_stake": 7,
    "at_stake_until": "2026-11-20T18:00:00Z",
    "projected_value": "3.77",
    "projection": "7 order(s) must ship within 3 h; if they ship late, the 30-day late shipment rate goes from "
    "3.10 % to 3.77 % (threshold 4.00 %).",
    "platform_reported_value": None,
    "definition": {
        "numerator": "orders shipped after their ship-by date, or not shipped and past it",
        "denominator": "orders due to ship: shipped, or past their ship-by date",
        "counted": "Orders we fulfil (not the marketplace's), neither cancelled nor refused, with a ship-by date.",
        "dated_by": "the ship-by date",
        "better": "lower",
    },
    "computed_at": "2026-11-20T15:00:00Z",
}


class StandingFilter(django_filters.FilterSet):
    metric = django_filters.ChoiceFilter(choices=METRIC_CHOICES)
    status = django_filters.ChoiceFilter(choices=Status.choices)
    window_days = django_filters.NumberFilter(min_value=1, max_value=366)

    class Meta:
        model = Standing
        fields = ["account"]


@extend_schema_view(
    list=extend_schema(
        summary="Every account's KPI targets: value, threshold, status and projection",
        description=(
            "One row per account and target (a metric over a window, against the platform's threshold or the one "
            "an admin set). `status`: ok, warning (within the margin of the threshold), projected_breach (the "
            "orders at stake within the horizon would cross it if they went wrong), breach. Refreshed every few "
            "minutes (`computed_at`). Needs the `kpis:read` scope."
        ),
        examples=[OpenApiExample("Amazon, 30 days", value=[EXAMPLE], response_only=True)],
    ),
)
class StandingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = StandingSerializer
    filterset_class = StandingFilter
    api_resource = "kpis"
    read_permissions = ["kpis.view_standing"]
    pagination_class = None  # a handful of targets per account

    def get_queryset(self):
        return selectors.standing_list(self.request.user)

    def list(self, request, *args, **kwargs):
        standings = list(self.filter_queryset(self.get_queryset()))
        reported = selectors.reported_figures({standing.account_id for standing in standings})
        serializer = self.get_serializer(
            standings, many=True, context={**self.get_serializer_context(), "reported": reported}
        )
        return Response(serializer.data)
