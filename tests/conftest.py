"""Named personas (admin, operator, viewer, outsider) and API clients for every test."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from oms import roles
from tests.factories import MarketplaceAccountFactory, UserFactory


@pytest.fixture(scope="session", autouse=True)
def forget_this_runs_task_queue():
    """Tasks queued by this run (after-commit wake-ups nobody consumed) go with it."""
    yield
    from marketplaces.ratelimit import redis_client

    redis_client().delete(settings.CELERY_TASK_DEFAULT_QUEUE)


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language: Django's LocaleMiddleware activates a request's language
    for the whole thread, so a test ending on a French page would otherwise hand French to the next one."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def carriers_as_seeded(request):
    """The carriers are data a migration seeds; a transactional test empties every table when it ends
    (pytest-django runs those last): put them back before each one that follows."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        "transactional_db" in request.fixturenames
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    if not django_apps.get_model("shipping", "Carrier").objects.exists():
        importlib.import_module("shipping.migrations.0001_initial").seed_carriers(django_apps, None)


@pytest.fixture
def admin_user(db):
    return UserFactory(username="alice-admin", role=roles.ADMIN, is_staff=True)


@pytest.fixture
def operator(db):
    return UserFactory(username="oscar-operator", role=roles.OPERATOR)


@pytest.fixture
def viewer(db):
    return UserFactory(username="victor-viewer", role=roles.VIEWER)


@pytest.fixture
def outsider(db):
    """Logged in, but in no role: must see nothing."""
    return UserFactory(username="olga-outsider")


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def operator_api(operator):
    return _token_client(operator)


@pytest.fixture
def viewer_api(viewer):
    return _token_client(viewer)


@pytest.fixture
def admin_api(admin_user):
    return _token_client(admin_user)


@pytest.fixture
def account(db):
    return MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
