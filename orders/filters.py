"""One FilterSet for the order list, shared by the HTML view and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from marketplaces.models import MarketplaceAccount, Platform
from orders.models import Order
from orders.status import OrderStatus


class OrderFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(
        choices=OrderStatus.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple
    )
    platform = django_filters.ChoiceFilter(field_name="account__platform", choices=Platform.choices, label=_("Platform"))
    account = django_filters.ModelChoiceFilter(queryset=MarketplaceAccount.objects.all(), label=_("Account"))
    purchased_after = django_filters.IsoDateTimeFilter(field_name="purchased_at", lookup_expr="gte", label=_("Purchased after"))
    purchased_before = django_filters.IsoDateTimeFilter(field_name="purchased_at", lookup_expr="lt", label=_("Purchased before"))
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = Order
        fields = ["status", "platform", "account", "purchased_after", "purchased_before", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(marketplace_order_id__icontains=value)
            | Q(reference__icontains=value)
            | Q(buyer_name__icontains=value)
            | Q(lines__sku__iexact=value)
        ).distinct()
