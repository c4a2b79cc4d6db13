"""Invalid rule definitions are refused with a clear message, and nothing is saved."""

import pytest

from rules import actions
from rules.conditions import InvalidRule
from rules.models import Rule
from tests.rules.conftest import add_rule

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            {"conditions": [{"type": "total", "min": "500", "max": "100"}]},
            "Order total: the minimum 500 is above the maximum 100.",
        ),
        (
            {"conditions": [{"type": "total", "max": "12.345"}]},
            "Maximum total: '12.345' is not an amount (0 or more, at most 2 decimals).",
        ),
        ({"conditions": [{"type": "total"}]}, "Order total: give a minimum, a maximum or both."),
        (
            {"conditions": [{"type": "country", "countries": ["FR", "XX"]}]},
            "Countries: XX not ISO 3166 two-letter codes (FR, BE, DE…).",
        ),
        ({"conditions": [{"type": "sku", "patterns": []}]}, "SKU patterns: give at least one."),
        (
            {"conditions": [{"type": "quantity", "max_per_line": 0}]},
            "Maximum per line: expected a whole number above 0, got 0.",
        ),
        ({"conditions": [{"type": "weather"}]}, "Unknown condition 'weather'"),
        ({"conditions": [{"type": "stock"}, {"type": "stock"}]}, "Condition 'stock' appears twice"),
        ({"conditions": "stock"}, "Conditions: expected a list"),
        ({"conditions": []}, "Conditions: give at least one condition, platform or account"),
        ({"action": "refuse", "conditions": [{"type": "stock"}]}, "Action: a refusal needs a reason."),
        ({"action": "tag", "action_tag": "<b>", "conditions": [{"type": "stock"}]}, "Tag: 1 to 50 letters"),
        (
            {"action": "set_priority", "action_priority": 101, "conditions": [{"type": "stock"}]},
            "Priority: a whole number from -100 to 100.",
        ),
        ({"action": "explode", "conditions": [{"type": "stock"}]}, "Action: expected one of"),
        (
            {"action": "accept", "platforms": ("amazon", "ebay"), "conditions": [{"type": "stock"}]},
            "Action: Amazon, eBay has no acceptance step",
        ),
        ({"platforms": ("fnac",), "conditions": [{"type": "stock"}]}, "Platforms: unknown fnac."),
        ({"name": " ", "conditions": [{"type": "stock"}]}, "Name: required."),
    ],
)
def test_invalid_definitions_are_refused(definition, message):
    fields = {"name": "Bad", "action": "tag", "action_tag": "x", **definition}
    with pytest.raises(InvalidRule) as refused:
        actions.create_rule(definition=actions.RuleDefinition(**fields), created_by=None)
    assert any(error.startswith(message) for error in refused.value.errors), refused.value.errors
    assert not Rule.objects.exists()


def test_accounts_outside_the_platforms_and_duplicate_names(mirakl, amazon):
    add_rule(name="Stock OK FR", conditions=[{"type": "stock"}])
    with pytest.raises(InvalidRule) as refused:
        actions.create_rule(
            definition=actions.RuleDefinition(
                name="stock ok fr",
                action="tag",
                action_tag="x",
                platforms=("mirakl",),
                account_ids=(amazon.pk,),
                conditions=[],
            ),
            created_by=None,
        )
    assert refused.value.errors == [
        "Name: a rule named “stock ok fr” already exists.",
        "Accounts: Amazon FR outside the chosen platforms; the rule would never see them.",
    ]
    assert Rule.objects.count() == 1


def test_every_problem_is_listed_at_once():
    with pytest.raises(InvalidRule) as refused:
        actions.create_rule(
            definition=actions.RuleDefinition(
                name="X", action="refuse", conditions=[{"type": "country", "countries": ["ZZ"]}, {"type": "quantity"}]
            ),
            created_by=None,
        )
    assert len(refused.value.errors) == 3


def test_conditions_are_stored_normalised():
    rule = add_rule(conditions=[{"type": "country", "countries": "fr, be"}, {"type": "total", "max": 500}])
    assert rule.conditions == [
        {"type": "country", "countries": ["FR", "BE"], "exclude": False},
        {"type": "total", "min": None, "max": "500", "currency": "EUR"},
    ]
    assert [str(description) for description in rule.condition_descriptions] == ["ships to FR, BE", "total ≤ €500"]
