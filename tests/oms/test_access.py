"""Walk the URLconf: every view and endpoint refuses anonymous users, and a viewer changes nothing."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from orders.models import Order, OrderEvent
from orders.status import OrderStatus
from tests.factories import make_order

PUBLIC = {"login", "healthz", "javascript-catalog"}  # the catalogue holds UI strings only; the login page needs it
# A viewer may change only their own session: language, time zone, logging out.
SESSION_ONLY = {"set_language", "set_time_zone", "set_clock", "logout"}
SAMPLE_KWARGS = {
    "app_label": "orders",
    "model_name": "order",
    "content_type_id": "1",
    "object_id": "1",
    "url": "x",
    "format": "json",
}


def walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            full_ns = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else ns
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield name, prefix + str(entry.pattern)


def concrete_url(name, pattern, pk):
    """Reverse the pattern with sample arguments; fall back on filling the route by hand."""
    groups = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", pattern)
    kwargs = {}
    for route_name, regex_name in groups:
        key = route_name or regex_name
        kwargs[key] = pk if key == "pk" else SAMPLE_KWARGS.get(key, "1")
    if name:
        try:
            return reverse(name, kwargs=kwargs)
        except Exception:
            pass
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), pattern)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\Z", "")
    return "/" + path.lstrip("/")


@pytest.fixture
def all_urls(db):
    order = make_order(status=OrderStatus.PENDING_ACCEPTANCE)
    urls = []
    for name, pattern in walk(get_resolver().url_patterns):
        if pattern.startswith("static/") or pattern.startswith("^static/"):
            continue
        urls.append((name, concrete_url(name, pattern, order.pk)))
    assert len(urls) > 20, "the walk found too few URLs to prove anything"
    return urls


def refused(response) -> bool:
    if response.status_code in (401, 403, 404, 405):
        return True
    return response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_every_view_and_endpoint_refuses_anonymous_users(all_urls):
    client = APIClient()
    leaks = []
    for name, url in all_urls:
        if (name or "").split(":")[-1] in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if not refused(response):
                leaks.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
    assert leaks == [], "\n".join(leaks)


@pytest.mark.django_db
def test_api_answers_anonymous_users_401_with_the_error_body():
    response = APIClient().get("/api/v1/orders/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.django_db
def test_a_viewer_cannot_change_anything(all_urls, viewer):
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(viewer)
    snapshot = list(Order.objects.values_list("id", "status", "updated_at")), OrderEvent.objects.count()
    leaks = []
    for name, url in all_urls:
        if (name or "").split(":")[-1] in PUBLIC | SESSION_ONLY:
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, {"reason": "test", "carrier": "ups", "tracking_number": "1Z1"})
            if not refused(response):
                leaks.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
    assert leaks == [], "\n".join(leaks)
    assert (list(Order.objects.values_list("id", "status", "updated_at")), OrderEvent.objects.count()) == snapshot


@pytest.mark.django_db
def test_someone_in_no_role_sees_no_order(outsider):
    make_order()
    client = APIClient()
    client.force_login(outsider)
    assert client.get("/api/v1/orders/").status_code == 403
    assert client.get(reverse("orders:list")).status_code == 403


@pytest.mark.django_db
def test_health_and_login_are_public(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
