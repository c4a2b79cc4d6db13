"""Threads API: list (the inbox's filters), read, reply, assign, close."""

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from messaging import actions, attachments, selectors
from messaging.api.parsers import ReplyJSONParser
from messaging.api.serializers import (
    ThreadAssignSerializer,
    ThreadDetailSerializer,
    ThreadReplySerializer,
    ThreadSerializer,
)
from messaging.filters import ThreadFilter
from oms.access.selectors import within_scope
from oms.api import idempotency
from oms.api.errors import ErrorSerializer
from oms.api.idempotency import idempotent

ACT = ["messaging.reply_to_buyer"]
THREAD_EXAMPLE = {
    "id": 812,
    "platform": "mirakl",
    "account": 3,
    "account_name": "Fnac-Darty",
    "platform_thread_id": "702c3e56-dcca-41e2-b6bd-72ba3fa809be",
    "order": 4211,
    "marketplace_order_id": "FD-98231-A",
    "buyer_name": "Margot Charpentier",
    "subject": "Où est mon colis ?",
    "topic": "where_is_my_parcel",
    "status": "needs_reply",
    "needs_reply_since": "2026-11-27T17:00:00Z",
    "reply_by": "2026-12-01T17:00:00Z",
    "reply_by_from_platform": True,
    "assignee": "oscar",
    "last_message_at": "2026-11-27T17:00:00Z",
    "updated_at": "2026-11-27T17:00:04.120000Z",
}


@extend_schema_view(
    list=extend_schema(
        summary="List buyer threads across platforms, the reply due soonest first",
        description="Filters: `status` (open, needs_reply, waiting_for_buyer, closed), `platform`, `account`, "
        "`topic`, `assignee` (me, none, an id or a user name), `overdue`, `order`.",
        examples=[OpenApiExample("A thread to answer", value=[THREAD_EXAMPLE], response_only=True)],
    ),
    retrieve=extend_schema(summary="One thread with its messages"),
)
class ThreadViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = selectors.thread_list()
    filterset_class = ThreadFilter
    api_resource = "messages"
    action_permissions = {"reply": ACT, "assign": ACT, "close": ACT}

    def get_queryset(self):
        threads = selectors.thread_list() if self.action == "list" else selectors.thread_detail()
        return within_scope(threads, user=self.request.user)

    def get_serializer_class(self):
        return ThreadSerializer if self.action == "list" else ThreadDetailSerializer

    def _respond(self, thread_id: int, status: int = 200) -> Response:
        thread = selectors.thread_detail().get(pk=thread_id)
        return Response(ThreadDetailSerializer(thread, context=self.get_serializer_context()).data, status=status)

    def _validated(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(
        summary="Reply to the buyer (sent through the platform's channel by the outbox)",
        description="With files where the platform takes them (Mirakl M12, Amazon's relay): the order's "
        "`packing_slip` by name, and your own in `files` (base64). A refused file answers 400 with the field "
        "error in `error.details` (`files`: one object per file, or a message for the files together); then "
        "nothing is saved or sent.",
        request=ThreadReplySerializer,
        responses={
            201: ThreadDetailSerializer,
            413: OpenApiResponse(ErrorSerializer, description="The files weigh more than a reply may carry."),
        },
        parameters=[idempotency.PARAMETER],
        examples=[
            OpenApiExample(
                "Reply",
                value={"body": "Bonjour, votre colis arrive demain.", "seen_message_id": 5120},
                request_only=True,
            ),
            OpenApiExample(
                "Reply with the invoice and the packing slip",
                value={
                    "body": "Bonjour, voici votre facture et votre bon de livraison.",
                    "attach": ["packing_slip"],
                    "files": [
                        {
                            "name": "facture-FA-2026-0412.pdf",
                            "content_type": "application/pdf",
                            "content_base64": "JVBERi0xLjQKJcOkw7zDtsOfCjEgMCBvYmoKPDwvVHlwZS9DYXRhbG9nPj4KZW5kb2JqCiUlRU9GCg==",
                        }
                    ],
                },
                request_only=True,
            ),
        ],
    )
    @action(detail=True, methods=["post"], parser_classes=[ReplyJSONParser])
    @idempotent
    def reply(self, request, pk=None):
        thread = self.get_object()
        data = self._validated(ThreadReplySerializer)
        actions.reply(
            thread_id=thread.pk,
            user=request.user,
            body=data["body"],
            seen_message_id=data["seen_message_id"],
            force=data["force"],
            attach=tuple(data["attach"]),
            files=[attachments.Upload(f["name"], f["content_type"], f["content_base64"]) for f in data["files"]],
        )
        return self._respond(thread.pk, status=201)

    @extend_schema(
        summary="Assign a thread to a user (null to unassign)",
        request=ThreadAssignSerializer,
        responses=ThreadDetailSerializer,
        parameters=[idempotency.PARAMETER],
        examples=[
            OpenApiExample("Assign", value={"assignee": 7}, request_only=True),
            OpenApiExample("Unassign", value={"assignee": None}, request_only=True),
        ],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def assign(self, request, pk=None):
        thread = self.get_object()
        data = self._validated(ThreadAssignSerializer)
        actions.assign(thread_id=thread.pk, assignee_id=data["assignee"])
        return self._respond(thread.pk)

    @extend_schema(
        summary="Close a thread without replying (where the platform allows it)",
        request=None,
        responses=ThreadDetailSerializer,
        parameters=[idempotency.PARAMETER],
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def close(self, request, pk=None):
        thread = self.get_object()
        actions.close(thread_id=thread.pk)
        return self._respond(thread.pk)
