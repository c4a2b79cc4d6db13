"""The audit trail: who changed a rule, an account's credentials, a user's role; never a secret's value."""

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.urls import reverse

from inventory.models import ChannelRule
from marketplaces.models import MarketplaceAccount
from oms import roles
from rules.models import Rule
from shipping.models import Carrier, CarrierAccount
from tests.factories import MarketplaceAccountFactory
from tests.rules.conftest import add_rule

pytestmark = pytest.mark.django_db

SECRET = "sk-live-7f3a9c1e"


def entries_for(instance):
    return LogEntry.objects.get_for_object(instance).order_by("pk")


def test_a_rule_changed_through_the_api_names_its_author_and_fields(admin_api, admin_user):
    rule = add_rule(name="Tag big", conditions=[{"type": "stock"}], enabled=False)
    response = admin_api.patch(
        f"/api/v1/rules/{rule.pk}/", {"name": "Tag very big", "action_tag": "big"}, format="json"
    )
    assert response.status_code == 200, response.json()

    change = entries_for(rule).last()
    assert change.action == LogEntry.Action.UPDATE
    assert change.actor == admin_user
    assert change.changes_dict["name"] == ["Tag big", "Tag very big"]
    assert change.changes_dict["action_tag"] == ["rule-tag", "big"]
    assert "updated_at" not in change.changes_dict


def test_a_rule_changed_in_the_ui_shows_on_the_audit_page_in_french(client, admin_user):
    rule = add_rule(name="Hold risky", action="hold", conditions=[{"type": "stock"}])
    client.force_login(admin_user)
    form = client.get(reverse("rules:edit", args=[rule.pk])).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(accounts=[], name="Hold very risky")
    assert client.post(reverse("rules:edit", args=[rule.pk]), data).status_code == 302

    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Journal des modifications" in page
    assert "Hold risky → Hold very risky" in page
    assert admin_user.username in page
    assert Rule.objects.get(pk=rule.pk).name == "Hold very risky"


def test_a_credentials_change_is_recorded_without_the_secret(client, admin_user):
    account = MarketplaceAccountFactory(platform="mirakl", name="Fnac-Darty")
    account.credentials = {"api_key": "sk-live-old"}
    account.save()
    old_ciphertext = account.credentials_ciphertext
    client.force_login(admin_user)
    form = {
        "platform": "mirakl",
        "name": "Fnac-Darty",
        "enabled": "on",
        "handling_days": "3",
        "api_base_url": "",
        "auth_url": "",
        "settings": json.dumps(account.settings),  # unchanged: its reason codes as the factory mapped them
        "poll_interval_seconds": "60",
        "new_credentials": json.dumps({"api_key": SECRET}),
    }
    response = client.post(reverse("admin:marketplaces_marketplaceaccount_change", args=[account.pk]), form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MarketplaceAccount.objects.get(pk=account.pk).credentials == {"api_key": SECRET}

    change = entries_for(account).last()
    assert change.actor == admin_user
    assert set(change.changes_dict) == {"credentials_ciphertext", "handling_days"}
    stored = json.dumps([change.changes, change.changes_text, change.serialized_data, change.object_repr])
    for secret in (
        SECRET,
        "sk-live-old",
        old_ciphertext,
        MarketplaceAccount.objects.get(pk=account.pk).credentials_ciphertext,
    ):
        assert secret not in stored

    page = client.get("/audit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Identifiants</strong> modifié (non affiché)" in page
    assert SECRET not in page


def test_the_poller_s_state_is_not_an_audited_change(account):
    before = entries_for(account).count()
    account.last_poll_error = "timeout"
    account.consecutive_failures = 3
    account.save()
    assert entries_for(account).count() == before


def test_a_role_change_and_a_password_change_are_recorded_the_password_hidden(client, admin_user, viewer):
    client.force_login(admin_user)
    viewer.groups.set([Group.objects.get(name=roles.OPERATOR)])
    viewer.set_password("another secret phrase")
    viewer.save()
    changes = [entry.changes_dict for entry in entries_for(viewer)]
    assert {"type": "m2m", "operation": "add", "objects": [roles.OPERATOR]} in [
        change.get("groups") for change in changes
    ]
    password_change = next(change["password"] for change in changes if "password" in change)
    assert password_change == ["(hidden)", "(hidden)"]


def test_only_admins_read_the_audit_trail(client, operator, viewer, admin_user):
    for user in (operator, viewer):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
    client.force_login(admin_user)
    assert client.get("/audit/").status_code == 200


def test_a_channel_stock_rule_change_names_the_account_not_its_id(client, admin_user, account):
    rule = ChannelRule.objects.create(account=account, buffer=0)
    rule.buffer = 2
    rule.save()
    created, changed = entries_for(rule)
    assert created.changes_dict["account"] == ["None", "Fnac-Darty"]
    assert changed.changes_dict == {"buffer": ["0", "2"]}
    client.force_login(admin_user)
    page = client.get("/audit/").content.decode()
    assert "Buffer</strong> 0 → 2" in page
    assert "Channel stock rule" in page


def test_a_carrier_contract_s_new_credentials_are_audited_without_their_value(admin_user):
    carrier = Carrier.objects.get(code="colissimo")
    account = CarrierAccount(carrier=carrier, name="Colissimo Lyon", base_url="https://ws.colissimo.fr/")
    account.credentials = {"contract_number": "123456", "password": "sk-old"}
    account.save()
    account.credentials = {"contract_number": "123456", "password": SECRET}
    account.save()
    carrier.status_note = "Relay points only on Cdiscount"
    carrier.save()

    created, changed = entries_for(account)
    assert created.action == LogEntry.Action.CREATE
    assert set(changed.changes_dict) == {"credentials_ciphertext"}
    stored = json.dumps([changed.changes, changed.serialized_data, created.changes, created.serialized_data])
    assert SECRET not in stored and "sk-old" not in stored
    assert entries_for(carrier).last().changes_dict["status_note"][1] == "Relay points only on Cdiscount"
