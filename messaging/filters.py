"""The inbox's filters, shared by the page and the API."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplaces.models import MarketplaceAccount, Platform
from messaging.models import Thread, Topic
from oms.access.selectors import within_scope
from oms.api import filters as api_filters

OPEN = "open"  # needs reply or waiting for the buyer
STATUS_CHOICES = [(OPEN, _("Open")), *Thread.Status.choices]


def visible_accounts(request) -> QuerySet[MarketplaceAccount]:
    accounts = MarketplaceAccount.objects.all()
    return accounts if request is None else within_scope(accounts, user=request.user, field="pk")


class ThreadFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="by_status", label=_("Status"))
    platform = django_filters.ChoiceFilter(
        field_name="account__platform", choices=Platform.choices, label=_("Platform")
    )
    account = django_filters.ModelChoiceFilter(queryset=visible_accounts, label=_("Account"))
    topic = django_filters.ChoiceFilter(choices=Topic.choices, label=_("Topic"))
    assignee = django_filters.CharFilter(method="by_assignee", label=_("Assignee"))
    overdue = django_filters.BooleanFilter(method="by_overdue", label=_("Overdue"))
    order = django_filters.NumberFilter(field_name="order_id", label=_("Order"))

    class Meta:
        model = Thread
        fields: list[str] = []

    def by_status(self, queryset, name, value):
        if value == OPEN:
            return queryset.exclude(status=Thread.Status.CLOSED)
        return queryset.filter(status=value)

    def by_assignee(self, queryset, name, value):
        return api_filters.by_assignee(queryset, value, user=getattr(self.request, "user", None))

    def by_overdue(self, queryset, name, value):
        late = {"status": Thread.Status.NEEDS_REPLY, "reply_by__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)
