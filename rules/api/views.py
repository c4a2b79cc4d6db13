"""Rules API: admins write rules (validated like the form) and dry-run them; operators run them on orders."""

import django_filters
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer, error_response
from oms.api.idempotency import idempotent
from rules import actions, selectors
from rules.api.serializers import (
    ApplyResultSerializer,
    ApplySerializer,
    DryRunSerializer,
    ReorderSerializer,
    RuleDecisionSerializer,
    RuleSerializer,
)
from rules.models import RuleDecision

CHANGE = ["order_rules.change_rule"]
IDEMPOTENCY_KEY = idempotency.PARAMETER
STOCK_OK_FR = {
    "name": "Stock OK FR",
    "platforms": ["mirakl", "cdiscount"],
    "accounts": [],
    "conditions": [
        {"type": "stock"},
        {"type": "total", "max": "500", "currency": "EUR"},
        {"type": "country", "countries": ["FR"]},
    ],
    "action": "accept",
}
INVALID = OpenApiExample(
    "Invalid definition",
    value={
        "error": {
            "code": "invalid_rule",
            "message": "Order total: the minimum 900 is above the maximum 500.",
            "details": {"errors": ["Order total: the minimum 900 is above the maximum 500."]},
        }
    },
    response_only=True,
    status_codes=["400"],
)


@extend_schema_view(
    list=extend_schema(summary="List the rules in the order they run"),
    retrieve=extend_schema(summary="One rule"),
    create=extend_schema(
        summary="Add a rule (switched off, at the end)",
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Auto-accept", value=STOCK_OK_FR, request_only=True), INVALID],
        responses={201: RuleSerializer, 400: ErrorSerializer},
    ),
    update=extend_schema(summary="Replace a rule's definition", responses={200: RuleSerializer, 400: ErrorSerializer}),
    partial_update=extend_schema(
        summary="Change part of a rule's definition", responses={200: RuleSerializer, 400: ErrorSerializer}
    ),
    destroy=extend_schema(summary="Delete a rule (its decisions stay on the orders)"),
)
class RuleViewSet(viewsets.ModelViewSet):
    queryset = selectors.rule_list()
    serializer_class = RuleSerializer
    api_resource = "rules"
    pagination_class = None  # a handful of rules, always shown whole and in order
    filter_backends = []
    read_permissions = CHANGE  # rules are admin pages, in the API too
    action_permissions = {
        "create": ["order_rules.add_rule"],
        "update": CHANGE,
        "partial_update": CHANGE,
        "destroy": ["order_rules.delete_rule"],
        "enable": CHANGE,
        "disable": CHANGE,
        "reorder": CHANGE,
        "apply": ["orders.act_on_order"],
    }

    def _saved(self, rule, code=status.HTTP_200_OK) -> Response:
        rule = selectors.rule_list().get(pk=rule.pk)
        return Response(RuleSerializer(rule, context=self.get_serializer_context()).data, status=code)

    @idempotent
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        rule = actions.create_rule(definition=serializer.to_definition(), created_by=request.user)
        return self._saved(rule, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        rule = self.get_object()
        partial = kwargs.pop("partial", False)
        if partial:
            # Checked on its own first: a body that is not an object is refused, not merged.
            self.get_serializer(rule, data=request.data, partial=True).is_valid(raise_exception=True)
            data = {**RuleSerializer(rule).data, **request.data}
        else:
            data = request.data
        serializer = self.get_serializer(rule, data=data)
        serializer.is_valid(raise_exception=True)
        rule = actions.update_rule(rule_id=rule.pk, definition=serializer.to_definition(), updated_by=request.user)
        return self._saved(rule)

    def perform_destroy(self, instance):
        actions.delete_rule(rule_id=instance.pk, deleted_by=self.request.user)

    @extend_schema(summary="Switch a rule on", request=None, responses=RuleSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def enable(self, request, pk=None):
        rule = actions.set_rule_enabled(rule_id=self.get_object().pk, enabled=True, updated_by=request.user)
        return self._saved(rule)

    @extend_schema(summary="Switch a rule off", request=None, responses=RuleSerializer, parameters=[IDEMPOTENCY_KEY])
    @action(detail=True, methods=["post"])
    @idempotent
    def disable(self, request, pk=None):
        rule = actions.set_rule_enabled(rule_id=self.get_object().pk, enabled=False, updated_by=request.user)
        return self._saved(rule)

    @extend_schema(
        summary="Set the order the rules run in",
        request=ReorderSerializer,
        responses=RuleSerializer(many=True),
        parameters=[IDEMPOTENCY_KEY],
        examples=[OpenApiExample("Three rules", value={"rules": [3, 1, 2]}, request_only=True)],
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def reorder(self, request):
        serializer = ReorderSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        actions.reorder_rules(rule_ids=serializer.validated_data["rules"], updated_by=request.user)
        return Response(RuleSerializer(selectors.rule_list(), many=True, context=self.get_serializer_context()).data)

    @extend_schema(
        summary="What the rule would have done on the last N days of orders (writes nothing)",
        parameters=[
            OpenApiParameter("days", {"type": "integer", "minimum": 1, "maximum": 90}, description="Default 7.")
        ],
        responses=DryRunSerializer,
    )
    @action(detail=True, methods=["get"], url_path="dry-run")
    def dry_run(self, request, pk=None):
        try:
            days = int(request.query_params.get("days", 7))
        except ValueError:
            days = 0
        if not 1 <= days <= 90:
            return error_response(code="invalid", message="days: a whole number from 1 to 90.", status_code=400)
        report = selectors.dry_run(rule=self.get_object(), days=days)
        return Response(DryRunSerializer(report).data)

    @extend_schema(
        summary="Run the enabled rules now on these orders",
        request=ApplySerializer,
        responses=ApplyResultSerializer,
        parameters=[IDEMPOTENCY_KEY],
        examples=[
            OpenApiExample("Two orders", value={"orders": [41, 42]}, request_only=True),
            OpenApiExample("Result", value={"counts": {"accept": 1, "no_match": 1}}, response_only=True),
        ],
    )
    @action(detail=False, methods=["post"])
    @idempotent
    def apply(self, request):
        serializer = ApplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        order_ids = selectors.visible_order_ids(serializer.validated_data["orders"], user=request.user)
        return Response({"counts": actions.apply_rules(order_ids=order_ids)})


class RuleDecisionFilter(django_filters.FilterSet):
    class Meta:
        model = RuleDecision
        fields = ["order", "rule", "outcome"]


@extend_schema_view(
    list=extend_schema(summary="Rule decisions, newest first (filter by order, rule, outcome)"),
    retrieve=extend_schema(summary="One rule decision"),
)
class RuleDecisionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = RuleDecision.objects.filter(dry_run=False)
    serializer_class = RuleDecisionSerializer
    filterset_class = RuleDecisionFilter
    api_resource = "rules"

    def get_queryset(self):
        return within_scope(RuleDecision.objects.filter(dry_run=False), user=self.request.user, field="order__account")
