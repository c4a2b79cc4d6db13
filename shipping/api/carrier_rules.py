"""/api/v1/carrier-rules/: the carrier rules in the order they are tried; operators read them, admins
(and clients with `carrier_rules:write`) create, change, switch off and delete them; a dry run shows
what they would propose for the open orders. Changes go in the audit trail like the page's."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent
from shipping import carrier_choice, carrier_rules
from shipping.models import CarrierRule

RULE_EXAMPLE = OpenApiExample(
    "France, light parcels",
    value={
        "name": "France light",
        "position": 10,
        "enabled": True,
        "service": 1,
        "warehouse": None,
        "conditions": [{"type": "country", "values": ["FR"]}, {"type": "max_weight", "grams": 2000}],
    },
)


class CarrierRuleSerializer(serializers.ModelSerializer):
    conditions = serializers.JSONField(
        help_text="All must hold (none: every order); types: " + ", ".join(carrier_choice.CONDITIONS) + "."
    )

    class Meta:
        model = CarrierRule
        fields = ["id", "name", "position", "enabled", "service", "warehouse", "conditions"]

    def validate_conditions(self, conditions):
        try:
            carrier_choice.validate_conditions(conditions)
        except ValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return conditions


class DryRunRowSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    order_number = serializers.CharField()
    rule = serializers.IntegerField(allow_null=True)
    service = serializers.IntegerField(allow_null=True)
    warehouse = serializers.IntegerField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


WRITE = {
    "create": ["shipping.add_carrierrule"],
    "update": ["shipping.change_carrierrule"],
    "partial_update": ["shipping.change_carrierrule"],
    "destroy": ["shipping.delete_carrierrule"],
}


@extend_schema_view(
    list=extend_schema(summary="Carrier rules, in the order they are tried"),
    retrieve=extend_schema(summary="One carrier rule"),
    create=extend_schema(
        summary="Create a carrier rule",
        parameters=[idempotency.PARAMETER],
        examples=[RULE_EXAMPLE],
        responses={201: CarrierRuleSerializer, 400: ErrorSerializer},
    ),
    update=extend_schema(
        summary="Replace a carrier rule", responses={200: CarrierRuleSerializer, 400: ErrorSerializer}
    ),
    partial_update=extend_schema(
        summary="Change a carrier rule (e.g. switch it off, move it)",
        responses={200: CarrierRuleSerializer, 400: ErrorSerializer},
    ),
    destroy=extend_schema(summary="Delete a carrier rule"),
)
class CarrierRuleViewSet(viewsets.ModelViewSet):
    queryset = carrier_rules.rule_list()
    serializer_class = CarrierRuleSerializer
    api_resource = "carrier_rules"
    action_permissions = WRITE
    pagination_class = None

    @idempotent
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(
        summary="What the rules switched on propose for the most recent open orders (nothing changed)",
        responses={200: DryRunRowSerializer(many=True)},
    )
    @action(detail=False, methods=["get"], url_path="dry-run")
    def dry_run(self, request):
        rows = [
            {
                "order": choice.order.pk,
                "order_number": choice.order.number,
                "rule": choice.rule.pk if choice.rule else None,
                "service": choice.service.pk if choice.service else None,
                "warehouse": choice.warehouse.pk if choice.warehouse else None,
                "reasons": [reason.text for reason in choice.reasons],
            }
            for choice in carrier_rules.dry_run(user=request.user)
        ]
        return Response(DryRunRowSerializer(rows, many=True).data)
