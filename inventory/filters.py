"""One FilterSet per list, shared by the HTML views and the API."""

import django_filters
from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.models import Product, StockLevel, StockMovement, Warehouse
from oms.api.fields import InstantFilter


class ProductFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    sku = django_filters.CharFilter(field_name="sku", lookup_expr="exact", label=_("SKU"))
    low_stock = django_filters.BooleanFilter(method="only_low", label=_("Low stock"))
    warehouse = django_filters.CharFilter(method="in_warehouse", label=_("Warehouse"), help_text=_("Warehouse code"))

    class Meta:
        model = Product
        fields = ["q", "sku", "low_stock", "warehouse"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *Warehouse.objects.order_by("priority", "id").values_list("code", "name")]
        self.filters["warehouse"].extra["widget"] = forms.Select(choices=choices)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(sku__icontains=value) | Q(ean=value) | Q(title__icontains=value))

    def only_low(self, queryset, name, value):
        if value is None:
            return queryset
        low = Q(low_stock_threshold__gt=0, available_total__lte=F("low_stock_threshold"))
        return queryset.filter(low) if value else queryset.exclude(low)

    def in_warehouse(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(pk__in=StockLevel.objects.filter(warehouse__code=value).values("product_id"))


class MovementFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku", label=_("SKU"))
    reason = django_filters.ChoiceFilter(choices=StockMovement.Reason.choices, label=_("Reason"))
    warehouse = django_filters.CharFilter(field_name="level__warehouse__code", label=_("Warehouse"))
    since = InstantFilter(field_name="created_at", lookup_expr="gte", label=_("Since"))

    class Meta:
        model = StockMovement
        fields = ["sku", "reason", "warehouse", "since"]
