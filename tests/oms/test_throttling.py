"""API throttling: per user, and per address for bad credentials; 429 in the error envelope with Retry-After."""

import pytest
import yaml
from django.conf import settings
from django.test import override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def rates(**overrides):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **overrides},
        }
    )


def assert_throttled(response):
    assert response.status_code == 429
    body = response.json()
    assert body["error"]["code"] == "throttled"
    assert set(body["error"]) == {"code", "message", "details"}
    assert 1 <= int(response["Retry-After"]) <= 60


def test_a_user_past_their_rate_is_answered_429_and_another_user_is_not(operator_api, viewer_api):
    with rates(user="3/minute"):
        for _ in range(3):
            assert operator_api.get("/api/v1/orders/").status_code == 200
        assert_throttled(operator_api.get("/api/v1/orders/"))
        assert viewer_api.get("/api/v1/orders/").status_code == 200


def test_bad_tokens_from_one_address_are_throttled_even_a_good_one_then(operator):
    guesser = APIClient(REMOTE_ADDR="10.0.0.9")
    good_token = Token.objects.create(user=operator).key
    with rates(bad_credentials="5/minute"):
        for attempt in range(5):
            guesser.credentials(HTTP_AUTHORIZATION=f"Token guess-{attempt}")
            response = guesser.get("/api/v1/orders/")
            assert response.status_code == 401
            assert response.json()["error"]["code"] == "authentication_failed"
        guesser.credentials(HTTP_AUTHORIZATION="Token guess-6")
        assert_throttled(guesser.get("/api/v1/orders/"))
        guesser.credentials(HTTP_AUTHORIZATION=f"Token {good_token}")
        assert_throttled(guesser.get("/api/v1/orders/"))

        elsewhere = APIClient(REMOTE_ADDR="10.0.0.10")
        elsewhere.credentials(HTTP_AUTHORIZATION=f"Token {good_token}")
        assert elsewhere.get("/api/v1/orders/").status_code == 200


def test_good_tokens_are_not_counted_as_bad_credentials(operator):
    # An address of its own: failures counted for 127.0.0.1 by earlier tests do not count here.
    client = APIClient(REMOTE_ADDR="10.0.0.7")
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operator).key}")
    with rates(bad_credentials="2/minute"):
        for _ in range(4):
            assert client.get("/api/v1/orders/").status_code == 200


def test_the_schema_declares_429_with_retry_after_on_every_operation(admin_api):
    schema = yaml.safe_load(admin_api.get("/api/schema/").content)
    operations = [
        operation
        for item in schema["paths"].values()
        for method, operation in item.items()
        if method in {"get", "post", "patch", "put", "delete"}
    ]
    assert operations
    for operation in operations:
        throttled = operation["responses"]["429"]
        assert "Retry-After" in throttled["headers"]
        assert throttled["content"]["application/json"]["schema"]["$ref"].endswith("/Error")
