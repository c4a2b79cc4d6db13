"""Saved views of the queue: save, delete, and their counts for the navigation.

Counts are plain `COUNT(*)` through the same FilterSet as the queue, answered by
the deadline and status indexes, and cached for COUNT_SECONDS per filter (and per
time zone, since "due today" depends on it) as long as no order changes.
"""

from __future__ import annotations

import hashlib

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Value
from django.http import QueryDict
from django.utils import timezone

from oms.access.selectors import scope_key, within_scope
from oms.errors import DomainError
from order_queue.filters import OrderFilter
from orders.models import Order, SavedView

COUNT_SECONDS = 30
COUNT_KEY_PREFIX = "orders:view-count"
# Parameters that describe the page, not the selection.
NOT_FILTERS = ("page", "per_page", "sort", "view")


def clean_query(query: str) -> str:
    """The filters of a query string, without paging or sorting, in a stable order."""
    data = QueryDict(query.lstrip("?"), mutable=True)
    for name in NOT_FILTERS:
        data.pop(name, None)
    known = set(OrderFilter.base_filters)
    kept = QueryDict(mutable=True)
    for name in sorted(data):
        if name in known:
            kept.setlist(name, [value for value in data.getlist(name) if value != ""])
    return kept.urlencode()


@transaction.atomic
def save_view(*, user, name: str, query: str, shared: bool = False) -> SavedView:
    """Save the queue's current filters under a name; `shared` needs orders.publish_savedview."""
    name = (name or "").strip()
    if not name:
        raise DomainError("A saved view needs a name.", details={"name": "required"})
    if shared and not user.has_perm("orders.publish_savedview"):
        raise DomainError("Only an admin may share a view with everyone.", details={"shared": "forbidden"})
    query = clean_query(query)
    owner = None if shared else user
    view, _ = SavedView.objects.update_or_create(name=name[:60], owner=owner, shared=shared, defaults={"query": query})
    return view


@transaction.atomic
def delete_view(*, user, view_id: int) -> None:
    """Delete one's own view, or a shared one with orders.publish_savedview."""
    view = SavedView.objects.filter(pk=view_id).first()
    if view is None:
        raise DomainError("No such saved view.", details={"view": view_id})
    if view.shared and not user.has_perm("orders.publish_savedview"):
        raise DomainError("Only an admin may delete a shared view.", details={"view": view_id})
    if not view.shared and view.owner_id != user.pk:
        raise DomainError("No such saved view.", details={"view": view_id})
    view.delete()


def _count_key(view: SavedView, request, version) -> str:
    per_user = f"u{request.user.pk}" if "assignee=me" in view.query else ""
    zone = timezone.get_current_timezone_name()
    scope = scope_key(request.user)
    digest = hashlib.sha256(f"{view.query}|{zone}|{per_user}|{scope}|{version}".encode()).hexdigest()[:32]
    return f"{COUNT_KEY_PREFIX}:{digest}"


def view_counts(views: list[SavedView], request) -> dict[int, int]:
    """How many orders each view holds now.

    Cached for COUNT_SECONDS, and only while no order changed (the key carries the
    latest `updated_at`, one index lookup): an accepted order leaves "To accept" at
    once. What is not cached is counted in one query (a UNION ALL of the views'
    counts), so the queue's query count does not grow with the number of views.
    """
    if not views:
        return {}
    version = Order.objects.aggregate(latest=Max("updated_at"))["latest"]
    keys = {view.pk: _count_key(view, request, version) for view in views}
    cached = cache.get_many(list(keys.values()))
    counts = {view.pk: cached[keys[view.pk]] for view in views if keys[view.pk] in cached}
    parts = []
    for view in views:
        if view.pk in counts:
            continue
        filterset = OrderFilter(
            QueryDict(view.query), queryset=within_scope(Order.objects.all(), user=request.user), request=request
        )
        if not filterset.is_valid():
            counts[view.pk] = 0
            continue
        parts.append(
            filterset.qs.order_by()
            .annotate(view=Value(view.pk))
            .values("view")
            .annotate(orders=Count("pk"))
            .values_list("view", "orders")
        )
    if parts:
        fresh = {view_id: 0 for view_id in (view.pk for view in views) if view_id not in counts}
        fresh.update(dict(parts[0].union(*parts[1:], all=True)))
        counts.update(fresh)
        cache.set_many({keys[view_id]: count for view_id, count in fresh.items()}, COUNT_SECONDS)
    return counts
