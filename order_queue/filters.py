"""One FilterSet for the order list, shared by the queue (HTML) and the API.

Every filter is written so that PostgreSQL can answer from an index on a
million orders: an exact identifier (marketplace order id, reference, tracking
number, our number) through the B-tree indexes of those columns, other search
through the trigram index on `search_document` (accent-free, lower-cased) or
the SKU/EAN indexes of the lines, deadlines
through `due_at`, tags through their GIN index, failed pushes through the
outbox's status index (dead letters are few).
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from inventory import selectors as inventory_selectors
from kpis import metrics as kpi_metrics
from kpis import queue_risk
from kpis import selectors as kpi_selectors
from marketplaces.models import MarketplaceAccount, Platform
from messaging import selectors as messaging_selectors
from oms.access.selectors import within_scope
from oms.api import filters as api_filters
from oms.api.fields import InstantFilter
from order_queue.search import identified_orders, normalise, our_number
from order_queue.selectors import orders_with_failed_pushes
from orders.models import Order, OrderLine
from orders.status import OrderStatus
from rules import selectors as rules_selectors

MAX_SEARCH_TERMS = 5
# An identifier names one order per account: a handful at most.
MAX_EXACT_MATCHES = 50
MAX_DUE_WITHIN_HOURS = 24 * 30


class Deadline:
    OVERDUE = "overdue"
    TODAY = "today"
    CHOICES = [(OVERDUE, _("Overdue")), (TODAY, _("Due today"))]


class Sort:
    """Orderings offered in the queue; `risk` first: late and nearest deadlines, then priority."""

    RISK = "risk"
    ORDERINGS = {
        RISK: (F("due_at").asc(nulls_last=True), F("priority").desc(), F("id").desc()),
        "newest": (F("purchased_at").desc(), F("id").desc()),
        "oldest": (F("purchased_at").asc(), F("id").asc()),
        "total": (F("total_amount").desc(), F("id").desc()),
        "-total": (F("total_amount").asc(), F("id").asc()),
        "priority": (F("priority").desc(), F("due_at").asc(nulls_last=True), F("id").desc()),
        "updated": (F("updated_at").asc(), F("id").asc()),
    }
    CHOICES = [
        (RISK, _("Most at risk")),
        ("newest", _("Newest")),
        ("oldest", _("Oldest")),
        ("total", _("Highest total")),
        ("-total", _("Lowest total")),
        ("priority", _("Priority")),
    ]


def visible_accounts(request) -> QuerySet[MarketplaceAccount]:
    """The accounts offered in the account filter: those the user may see."""
    accounts = MarketplaceAccount.objects.all()
    return accounts if request is None else within_scope(accounts, user=request.user, field="pk")


def _start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


class OrderFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=OrderStatus.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple, distinct=False
    )
    platform = django_filters.ChoiceFilter(method="by_platform", choices=Platform.choices, label=_("Platform"))
    account = django_filters.ModelChoiceFilter(queryset=visible_accounts, label=_("Account"))
    purchased_after = InstantFilter(field_name="purchased_at", lookup_expr="gte", label=_("Purchased after"))
    purchased_before = InstantFilter(field_name="purchased_at", lookup_expr="lt", label=_("Purchased before"))
    purchased_from = django_filters.DateFilter(method="purchased_from_day", label=_("From"))
    purchased_to = django_filters.DateFilter(method="purchased_to_day", label=_("To"))
    deadline = django_filters.ChoiceFilter(choices=Deadline.CHOICES, method="by_deadline", label=_("Deadline"))
    due_within_hours = django_filters.NumberFilter(
        method="due_within", label=_("Due within (hours)"), min_value=1, max_value=MAX_DUE_WITHIN_HOURS
    )
    ship_by_before = InstantFilter(field_name="ship_by", lookup_expr="lt", label=_("Ship by before"))
    accept_by_before = InstantFilter(field_name="acceptance_deadline", lookup_expr="lt", label=_("Accept by before"))
    country = django_filters.CharFilter(method="by_country", label=_("Country"))
    carrier = django_filters.CharFilter(field_name="carrier", lookup_expr="iexact", label=_("Carrier"))
    sku = django_filters.CharFilter(method="by_sku", label=_("SKU"))
    min_total = django_filters.NumberFilter(field_name="total_amount", lookup_expr="gte", label=_("Total from"))
    max_total = django_filters.NumberFilter(field_name="total_amount", lookup_expr="lte", label=_("Total up to"))
    tag = django_filters.CharFilter(method="by_tag", label=_("Tag"))
    assignee = django_filters.CharFilter(method="by_assignee", label=_("Assignee"))
    on_hold = django_filters.BooleanFilter(field_name="on_hold", label=_("On hold"))
    backorder = django_filters.BooleanFilter(method="by_backorder", label=_("Back-order"))
    flagged = django_filters.BooleanFilter(method="by_rule_flag", label=_("Flagged by a rule"))
    push_failed = django_filters.BooleanFilter(
        method="by_failed_push",
        label=_("Push failed"),
        help_text=_(
            "A decision the marketplace did not take (refused, or no answer after every attempt): it waits for a person."
        ),
    )
    buyer_waiting = django_filters.BooleanFilter(
        method="by_buyer_waiting",
        label=_("Buyer message"),
        help_text=_("A buyer waits for a reply on one of the order's conversations."),
    )
    delivery_problem = django_filters.BooleanFilter(
        field_name="delivery_problem",
        label=_("Delivery problem"),
        help_text=_("The carrier reports a problem with a shipment of the order, or is returning it to the sender."),
    )
    kpi = django_filters.ChoiceFilter(
        method="by_kpi",
        choices=[(metric.key, metric.label) for metric in kpi_metrics.METRICS.values()],
        label=_("Counted by the KPI"),
        help_text=_(
            "The orders a seller KPI counts against you over `kpi_days` (every order it counts with kpi_counted)."
        ),
    )
    kpi_days = django_filters.NumberFilter(
        method="keep", label=_("KPI window (days)"), min_value=1, max_value=kpi_metrics.MAX_WINDOW_DAYS
    )
    kpi_counted = django_filters.BooleanFilter(method="keep", label=_("Every order the KPI counts"))
    updated_since = InstantFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label=_("Updated since"),
        help_text=_("Incremental sync: orders changed at or after this instant, oldest change first."),
    )
    sort = django_filters.ChoiceFilter(choices=Sort.CHOICES, method="keep", label=_("Sort"), empty_label=None)

    class Meta:
        model = Order
        fields: list[str] = []

    # The ordering is applied once every filter has run.
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.ordering_key == Sort.RISK:  # accounts about to breach a KPI first (kpis/queue_risk.py)
            return queryset.order_by(*queue_risk.risk_ordering(now=timezone.now()))
        return queryset.order_by(*Sort.ORDERINGS[self.ordering_key])

    @property
    def ordering_key(self) -> str:
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        if data.get("updated_since"):
            return "updated"
        sort = data.get("sort")
        return sort if sort in Sort.ORDERINGS else Sort.RISK

    def keep(self, queryset, name, value):
        return queryset

    # Search -------------------------------------------------------------------------

    @property
    def exact_identifier(self) -> bool:
        """Whether the search was one identifier that named its orders exactly (see `search`)."""
        return getattr(self, "_exact_identifier", False)

    def search(self, queryset, name, value):
        """One identifier (marketplace order id, reference, tracking number or our number)
        finds exactly its orders through their indexes; otherwise every term must match:
        order id, reference, buyer, e-mail, recipient or tracking number (accents and case
        ignored, any part of a word), a line's SKU or EAN, or our number."""
        terms = value.split()
        if len(terms) == 1:
            exact = identified_orders(terms[0], limit=MAX_EXACT_MATCHES)
            if exact:
                self._exact_identifier = True
                return queryset.filter(pk__in=exact)
        for raw in terms[:MAX_SEARCH_TERMS]:
            queryset = queryset.filter(self._term(raw))
        return queryset

    @staticmethod
    def _term(raw: str) -> Q:
        # A plain condition on the order's own column lets PostgreSQL choose: the trigram
        # index for a rare term, the queue's sort index (stopping at one page) for a common one.
        # SKU and EAN are exact codes: looked up first, through the lines' indexes.
        condition = Q(search_document__contains=normalise(raw))
        line_orders = OrderLine.objects.filter(Q(sku__in={raw, raw.upper()}) | Q(ean=raw)).values("order_id")
        if line_orders.exists():
            condition |= Q(pk__in=line_orders)
        number = our_number(raw)
        if number is not None:
            condition |= Q(pk=number)
        return condition

    # Dates and deadlines --------------------------------------------------------------

    def purchased_from_day(self, queryset, name, value):
        return queryset.filter(purchased_at__gte=_start_of_local_day(value))

    def purchased_to_day(self, queryset, name, value):
        return queryset.filter(purchased_at__lt=_start_of_local_day(value + dt.timedelta(days=1)))

    def by_deadline(self, queryset, name, value):
        now = timezone.now()
        if value == Deadline.OVERDUE:
            return queryset.filter(due_at__lt=now)
        end_of_day = _start_of_local_day(timezone.localdate(now) + dt.timedelta(days=1))
        return queryset.filter(due_at__gte=now, due_at__lt=end_of_day)

    @extend_schema_field({"type": "number", "minimum": 1, "maximum": MAX_DUE_WITHIN_HOURS})
    def due_within(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(due_at__gte=now, due_at__lt=now + dt.timedelta(hours=float(value)))

    # Order attributes ----------------------------------------------------------------

    def by_platform(self, queryset, name, value):
        # The accounts first (a handful of rows): the orders' indexes then do the rest.
        accounts = list(MarketplaceAccount.objects.filter(platform=value).values_list("pk", flat=True))
        return queryset.filter(account_id__in=accounts)

    def by_country(self, queryset, name, value):
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        return queryset.filter(ship_country__in=codes) if codes else queryset

    def by_sku(self, queryset, name, value):
        value = value.strip()
        lines = OrderLine.objects.filter(order=OuterRef("pk"), sku__in={value, value.upper()})
        return queryset.filter(Exists(lines))

    def by_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value.strip()])

    def by_assignee(self, queryset, name, value):
        return api_filters.by_assignee(queryset, value, user=getattr(self.request, "user", None))

    # What other apps know about an order -------------------------------------------------

    def by_buyer_waiting(self, queryset, name, value):
        waiting = messaging_selectors.buyer_waiting()
        return queryset.filter(waiting) if value else queryset.exclude(waiting)

    def by_backorder(self, queryset, name, value):
        backordered = inventory_selectors.backorders().filter(order=OuterRef("pk"))
        return queryset.filter(Exists(backordered)) if value else queryset.exclude(Exists(backordered))

    def by_rule_flag(self, queryset, name, value):
        flagged = rules_selectors.flagging_decisions().filter(order=OuterRef("pk"))
        return queryset.filter(Exists(flagged)) if value else queryset.exclude(Exists(flagged))

    def by_kpi(self, queryset, name, value):
        data = self.form.cleaned_data
        days = int(data.get("kpi_days") or 30)
        counted = kpi_selectors.counted_orders(
            metric=value, days=days, now=timezone.now(), numerator=not data.get("kpi_counted")
        )
        return queryset.filter(pk__in=counted)

    def by_failed_push(self, queryset, name, value):
        # From the few dead letters to their orders, never a scan of the orders.
        failed = orders_with_failed_pushes()
        return queryset.filter(pk__in=failed) if value else queryset.exclude(pk__in=failed)
