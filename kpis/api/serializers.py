from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kpis import metrics, wording
from kpis.models import Alert, Standing


class DefinitionSerializer(serializers.Serializer):
    numerator = serializers.CharField(source="numerator_text")
    denominator = serializers.CharField(source="denominator_text")
    counted = serializers.CharField(source="counted_text")
    dated_by = serializers.CharField(source="dated_text")
    better = serializers.ChoiceField(choices=[metrics.LOWER, metrics.HIGHER])


class StandingSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    platform = serializers.CharField(source="account.platform", read_only=True)
    label = serializers.SerializerMethodField()
    unverified = serializers.SerializerMethodField(
        help_text="The platform's figure is not confirmed by an official source (an admin may set it per account)."
    )
    projection = serializers.SerializerMethodField(help_text="The standing in one sentence, in the request's language.")
    platform_reported_value = serializers.SerializerMethodField(
        help_text="The platform's own figure for this metric and window, when it publishes one (Mirakl A21, eBay seller standards), else null."
    )
    definition = DefinitionSerializer(read_only=True)

    class Meta:
        model = Standing
        fields = [
            "account",
            "account_name",
            "platform",
            "target",
            "metric",
            "label",
            "window_days",
            "threshold",
            "unverified",
            "value",
            "numerator",
            "denominator",
            "status",
            "at_stake",
            "at_stake_until",
            "projected_value",
            "projection",
            "platform_reported_value",
            "definition",
            "computed_at",
        ]

    def get_label(self, standing) -> str:
        return str(standing.definition.label)

    def get_unverified(self, standing) -> bool:
        target = metrics.target(standing.account.platform, standing.target)
        return bool(target and target.unverified and standing.threshold == target.threshold)

    def get_projection(self, standing) -> str:
        return wording.sentence(standing, now=timezone.now())

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True))
    def get_platform_reported_value(self, standing):
        figure = self.context.get("reported", {}).get((standing.account_id, standing.metric, standing.window_days))
        return None if figure is None else f"{figure.value:.2f}"


class AlertSerializer(serializers.ModelSerializer):
    account_name = serializers.CharField(source="account.name", read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "account",
            "account_name",
            "target",
            "metric",
            "status",
            "window_days",
            "threshold",
            "value",
            "projected_value",
            "at_stake",
            "opened_at",
            "closed_at",
            "message",
        ]

    def get_message(self, alert) -> str:
        return wording.sentence(alert, now=timezone.now())
