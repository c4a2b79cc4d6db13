"""Rules API: validated like the form, admins only for rules, operators run them, Idempotency-Key honoured."""

import pytest

from rules.models import Rule, RuleDecision
from tests.rules.conftest import add_rule, order_with

pytestmark = pytest.mark.django_db

STOCK_OK_FR = {
    "name": "Stock OK FR",
    "platforms": ["mirakl"],
    "conditions": [{"type": "stock"}, {"type": "total", "max": "500"}],
    "action": "accept",
}


def test_admin_creates_enables_and_lists_rules(admin_api, admin_user):
    response = admin_api.post("/api/v1/rules/", STOCK_OK_FR, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["enabled"], body["created_by"], body["condition_descriptions"]) == (
        False,
        admin_user.username,
        ["stock available for every line", "total ≤ €500"],
    )
    rule_id = body["id"]
    assert admin_api.post(f"/api/v1/rules/{rule_id}/enable/").json()["enabled"] is True
    listed = admin_api.get("/api/v1/rules/").json()
    assert [rule["name"] for rule in listed] == ["Stock OK FR"]

    patched = admin_api.patch(
        f"/api/v1/rules/{rule_id}/", {"conditions": [{"type": "country", "countries": ["fr"]}]}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert Rule.objects.get().conditions == [{"type": "country", "countries": ["FR"], "exclude": False}]


def test_invalid_definition_answers_400_with_every_problem(admin_api):
    bad = {**STOCK_OK_FR, "conditions": [{"type": "total", "min": "900", "max": "500"}, {"type": "weather"}]}
    response = admin_api.post("/api/v1/rules/", bad, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_rule"
    assert error["details"]["errors"] == [
        "Order total: the minimum 900 is above the maximum 500.",
        "Unknown condition 'weather': use one of sku, stock, total, quantity, country, shipping_method, buyer, address.",
    ]
    assert not Rule.objects.exists()


def test_create_with_the_same_idempotency_key_creates_one_rule(admin_api):
    first = admin_api.post("/api/v1/rules/", STOCK_OK_FR, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    again = admin_api.post("/api/v1/rules/", STOCK_OK_FR, format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert Rule.objects.count() == 1


def test_reorder_and_dry_run(admin_api, mirakl):
    first = add_rule(name="A", conditions=[{"type": "country", "countries": ["FR"]}])
    second = add_rule(name="B", conditions=[{"type": "country", "countries": ["FR"]}], enabled=False)
    order_with(account=mirakl)
    response = admin_api.post("/api/v1/rules/reorder/", {"rules": [second.pk, first.pk]}, format="json")
    assert [rule["name"] for rule in response.json()] == ["B", "A"]
    assert admin_api.post("/api/v1/rules/reorder/", {"rules": [first.pk]}, format="json").status_code == 409

    report = admin_api.get(f"/api/v1/rules/{second.pk}/dry-run/", {"days": 7}).json()
    assert (report["looked_at"], report["would_act"]) == (1, 1)
    assert report["rows"][0]["reasons"] == ["ships to FR (in FR)"]
    assert not RuleDecision.objects.exists()
    assert admin_api.get(f"/api/v1/rules/{second.pk}/dry-run/", {"days": 0}).status_code == 400


def test_roles(operator_api, viewer_api, mirakl):
    rule = add_rule(name="Tag FR", action="tag", action_tag="fr", conditions=[{"type": "country", "countries": ["FR"]}])
    order = order_with(account=mirakl)
    for client in (operator_api, viewer_api):
        assert client.get("/api/v1/rules/").status_code == 403
        assert client.post("/api/v1/rules/", STOCK_OK_FR, format="json").status_code == 403
        assert client.post(f"/api/v1/rules/{rule.pk}/disable/").status_code == 403
        assert client.delete(f"/api/v1/rules/{rule.pk}/").status_code == 403
    assert viewer_api.post("/api/v1/rules/apply/", {"orders": [order.pk]}, format="json").status_code == 403
    assert not RuleDecision.objects.exists()

    response = operator_api.post(
        "/api/v1/rules/apply/", {"orders": [order.pk]}, format="json", HTTP_IDEMPOTENCY_KEY="run-1"
    )
    assert response.json() == {"counts": {"tag": 1}}
    decisions = viewer_api.get("/api/v1/rule-decisions/", {"order": order.pk}).json()["results"]
    assert [(d["rule_name"], d["outcome"], d["reasons"]) for d in decisions] == [
        ("Tag FR", "tag", ["ships to FR (in FR)"])
    ]
    assert Rule.objects.get().enabled
