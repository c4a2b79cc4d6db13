from django.db import models
from rest_framework import serializers

from marketplaces.models import Platform
from oms.api.fields import StrictCharField
from rules.actions import RuleDefinition
from rules.models import Rule, RuleDecision, action_choices


class RuleSerializer(serializers.ModelSerializer):
    """A rule as an admin writes it; the definition is validated by rules.actions."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    platforms = serializers.ListField(
        child=serializers.ChoiceField(choices=Platform.choices), required=False, default=list
    )
    accounts = serializers.ListField(
        child=serializers.IntegerField(),
        source="scope_account_ids",
        required=False,
        default=list,
        help_text="Marketplace account ids; empty: every account.",
    )
    conditions = serializers.JSONField(
        help_text='A list of {"type": …}: sku, stock, total, quantity, country, shipping_method, buyer, address.'
    )
    action = serializers.ChoiceField(
        choices=[],  # set per instance: the rules' own actions and those other apps declared
        help_text="accept, refuse, hold, tag, set_priority run when an order arrives; declared actions "
        "(notify_delay: tell the buyer of a delay) run at their own moment (`trigger`).",
    )
    action_params = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        required=False,
        default=dict,
        help_text='A declared action\'s choices, e.g. {"template": "<delay template id>"} for notify_delay.',
    )
    trigger = serializers.CharField(read_only=True, help_text="When the rule runs: order_received, ship_by_at_risk…")
    condition_descriptions = serializers.ListField(child=serializers.CharField(), read_only=True)
    created_by = serializers.CharField(source="created_by.get_username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Rule
        fields = [
            "id",
            "name",
            "enabled",
            "position",
            "platforms",
            "accounts",
            "conditions",
            "condition_descriptions",
            "action",
            "action_reason",
            "action_tag",
            "action_priority",
            "action_params",
            "trigger",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["enabled", "position", "created_at", "updated_at"]
        extra_kwargs = {"name": {"validators": []}}  # uniqueness is checked (case-insensitively) by the action

    def to_definition(self) -> RuleDefinition:
        data = self.validated_data
        return RuleDefinition(
            name=data["name"],
            action=data["action"],
            conditions=data["conditions"],
            platforms=tuple(data.get("platforms") or ()),
            account_ids=tuple(data.get("scope_account_ids") or ()),
            action_reason=data.get("action_reason", ""),
            action_tag=data.get("action_tag", ""),
            action_priority=data.get("action_priority"),
            action_params=data.get("action_params") or {},
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = action_choices()


class ReorderSerializer(serializers.Serializer):
    rules = serializers.ListField(child=serializers.IntegerField(), help_text="Every rule id, in the order they run.")


class ApplySerializer(serializers.Serializer):
    orders = serializers.ListField(child=serializers.IntegerField(), min_length=1, max_length=1000)


class ApplyResultSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Orders per outcome (or “unchanged”).")


class DryRunRowSerializer(serializers.Serializer):
    order = serializers.IntegerField(source="order.pk")
    marketplace_order_id = serializers.CharField(source="order.marketplace_order_id")
    status = serializers.CharField(source="order.status")
    matched = serializers.BooleanField(source="result.matched")
    would_act = serializers.BooleanField(source="wins")
    decided_by = serializers.CharField(source="decided_by.rule.name", default=None, allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField(), source="result.reasons")


class DryRunSerializer(serializers.Serializer):
    days = serializers.IntegerField()
    looked_at = serializers.IntegerField()
    truncated = serializers.BooleanField()
    in_scope = serializers.IntegerField()
    would_act = serializers.SerializerMethodField()
    rows = serializers.SerializerMethodField()

    def get_would_act(self, report) -> int:
        return len(report.would_act)

    def get_rows(self, report) -> list[dict]:
        return DryRunRowSerializer([row for row in report.rows if row.result is not None], many=True).data


class RuleDecisionSerializer(serializers.ModelSerializer):
    reasons = serializers.ListField(
        child=serializers.CharField(),
        source="sentences",
        read_only=True,
        help_text="One sentence per condition, in the request's language",
    )

    class Meta:
        model = RuleDecision
        fields = ["id", "order", "rule", "rule_name", "outcome", "reasons", "dry_run", "created_at"]
