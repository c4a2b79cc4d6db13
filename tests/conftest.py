"""Named personas (admin, operator, viewer, outsider) and API clients for every test."""

import pytest
from django.conf import settings
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
