"""The returns queue's filters, shared by the page and the API."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from inventory.models import Warehouse
from orders.models import Order
from orders.platforms import CAPABILITIES
from returns.models import OPEN_STATUSES, ReturnReason, ReturnRequest, ReturnStatus

OPEN = "open"
STATUS_CHOICES = [(OPEN, _("Open")), *ReturnStatus.choices]
DEADLINES = [("overdue", _("Overdue")), ("24", _("Within 24 hours")), ("72", _("Within 3 days"))]
PLATFORMS = [(code, caps.display_name) for code, caps in CAPABILITIES.items()]


class ReturnFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    platform = django_filters.ChoiceFilter(choices=PLATFORMS, label=_("Platform"))
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="in_status", label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=ReturnRequest.Kind.choices, label=_("Kind"))
    reason = django_filters.ChoiceFilter(choices=ReturnReason.choices, label=_("Reason"))
    deadline = django_filters.ChoiceFilter(choices=DEADLINES, method="due", label=_("Deadline"))
    warehouse = django_filters.CharFilter(field_name="warehouse__code", label=_("Warehouse"))
    late = django_filters.BooleanFilter(field_name="late_request", label=_("After the return window"))

    class Meta:
        model = ReturnRequest
        fields = ["q", "platform", "status", "kind", "reason", "deadline", "warehouse", "late"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *Warehouse.objects.order_by("priority", "id").values_list("code", "name")]
        warehouse = self.filters["warehouse"]
        warehouse.extra["widget"] = forms.Select(choices=choices)
        # A form field built earlier (the API schema reads the class's filters) is copied with the
        # filter: drop it, so this request's field is built with today's warehouses.
        vars(warehouse).pop("_field", None)

    def search(self, queryset, name, value):
        """An identifier pasted or scanned: each column probed through its own index (an OR across the
        order's table would read every return), the few returns found kept."""
        value = value.strip()
        if not value:
            return queryset
        orders = Order.objects.filter(Q(marketplace_order_id=value) | Q(reference=value)).values("pk")
        found = set(ReturnRequest.objects.filter(order_id__in=orders).values_list("pk", flat=True))
        found |= set(ReturnRequest.objects.filter(marketplace_return_id=value).values_list("pk", flat=True))
        found |= set(ReturnRequest.objects.filter(tracking_number=value).values_list("pk", flat=True))
        for prefix, field in (("RET-", "pk"), ("OMS-", "order_id")):
            if value.upper().startswith(prefix) and value[4:].isdigit():
                found |= set(ReturnRequest.objects.filter(**{field: int(value[4:])}).values_list("pk", flat=True))
        return queryset.filter(pk__in=sorted(found))

    def in_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.filter(status__in=[s for s in OPEN_STATUSES if s != ReturnStatus.REFUSED])
        return queryset.filter(status=value) if value else queryset

    def due(self, queryset, name, value):
        now = timezone.now()
        if value == "overdue":
            return queryset.filter(respond_by__lt=now)
        if value and value.isdigit():
            return queryset.filter(respond_by__lte=now + dt.timedelta(hours=int(value)))
        return queryset
