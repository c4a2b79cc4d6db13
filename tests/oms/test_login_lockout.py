"""Login lockout (django-axes): 20 wrong passwords lock the username on that address for the cool-off,
the right password included; another address is not locked; the admin's login page is guarded too."""

import time
from datetime import timedelta

import pytest
from django.test import override_settings

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FAILURE_LIMIT = 20


def log_in(client, path, username, password, address="10.0.0.1", **headers):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address, **headers)


def fail(client, path, username, times=FAILURE_LIMIT, address="10.0.0.1"):
    for _ in range(times):
        response = log_in(client, path, username, "wrong password", address)
    return response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_is_refused_after_20_wrong_ones_with_a_french_page(client, operator):
    assert fail(client, "/accounts/login/", operator.username, times=FAILURE_LIMIT - 1).status_code == 200
    assert log_in(client, "/accounts/login/", operator.username, "wrong password").status_code == 429

    response = log_in(client, "/accounts/login/", operator.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    page = response.content.decode()
    assert "Trop de connexions échouées" in page
    assert "Réessayez dans 15 minutes." in page
    assert not logged_in(client)


def test_nineteen_failures_then_the_right_password_logs_in(client, operator):
    fail(client, "/accounts/login/", operator.username, times=FAILURE_LIMIT - 1)
    assert log_in(client, "/accounts/login/", operator.username, PASSWORD).status_code == 302
    assert logged_in(client)


def test_the_lock_holds_one_username_on_one_address_only(client, operator, viewer):
    fail(client, "/accounts/login/", operator.username)
    # The same user from elsewhere (the real operator at the office), another user from the same address.
    assert log_in(client, "/accounts/login/", operator.username, PASSWORD, address="10.0.0.2").status_code == 302
    client.logout()
    assert log_in(client, "/accounts/login/", viewer.username, PASSWORD).status_code == 302


def test_the_admin_login_is_locked_out_too(client, admin_user):
    fail(client, "/admin/login/", admin_user.username)
    response = log_in(client, "/admin/login/", admin_user.username, PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


@override_settings(AXES_COOLOFF_TIME=timedelta(seconds=2))
def test_after_the_cool_off_the_right_password_logs_in(client, operator):
    fail(client, "/accounts/login/", operator.username)
    assert log_in(client, "/accounts/login/", operator.username, PASSWORD).status_code == 429
    time.sleep(2.5)
    assert log_in(client, "/accounts/login/", operator.username, PASSWORD).status_code == 302
    assert logged_in(client)
