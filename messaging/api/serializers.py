import base64
import binascii

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from messaging import attachments
from messaging.models import Attachment, Message, Thread
from oms.api.fields import StrictBooleanField, StrictCharField

# A base64 text of MAX_TOTAL_BYTES, with room for line breaks some encoders put every 76 characters.
MAX_BASE64_CHARS = (attachments.MAX_TOTAL_BYTES + 2) // 3 * 4 * 78 // 76 + 4


class ThreadSerializer(serializers.ModelSerializer):
    platform = serializers.CharField(source="account.platform", read_only=True)
    account_name = serializers.CharField(source="account.name", read_only=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Thread
        fields = [
            "id",
            "platform",
            "account",
            "account_name",
            "platform_thread_id",
            "order",
            "marketplace_order_id",
            "buyer_name",
            "subject",
            "topic",
            "status",
            "needs_reply_since",
            "reply_by",
            "reply_by_from_platform",
            "assignee",
            "last_message_at",
            "updated_at",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    downloaded = serializers.BooleanField(
        source="has_content", read_only=True, help_text="Whether we keep its content (a buyer's file is fetched later)."
    )

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "downloaded"]
        read_only_fields = fields


class MessageSerializer(serializers.ModelSerializer):
    files = AttachmentSerializer(many=True, read_only=True, help_text="Files on the message: ours and the buyer's.")

    class Meta:
        model = Message
        fields = [
            "id",
            "direction",
            "author_name",
            "body",
            "attachments",
            "files",
            "sent_at",
            "received_at",
            "delivery",
            "delivery_error",
            "response_seconds",
            "within_deadline",
        ]
        read_only_fields = fields


class ThreadDetailSerializer(ThreadSerializer):
    messages = MessageSerializer(many=True, read_only=True)

    class Meta(ThreadSerializer.Meta):
        fields = [*ThreadSerializer.Meta.fields, "messages"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "byte"})
class Base64Field(StrictCharField):
    """Bytes sent as standard base64 (RFC 4648; line breaks ignored)."""

    default_error_messages = {"base64": _("Not valid base64.")}

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        if self.max_length is not None and len(text) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # before decoding it
        text = "".join(text.split())
        try:
            return base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            self.fail("base64")


class UploadSerializer(serializers.Serializer):
    name = StrictCharField(max_length=255, help_text="File name as the buyer sees it; any directory part is dropped.")
    content_type = StrictCharField(
        max_length=100,
        help_text="One of " + ", ".join(attachments.ALLOWED_TYPES) + "; the content must be of that type.",
    )
    content_base64 = Base64Field(
        allow_blank=True, trim_whitespace=False, max_length=MAX_BASE64_CHARS, help_text="The file, base64-encoded."
    )


class ThreadReplySerializer(serializers.Serializer):
    body = StrictCharField(min_length=3, max_length=50_000)
    attach = serializers.ListField(
        child=serializers.ChoiceField(choices=[attachments.PACKING_SLIP]),
        required=False,
        default=list,
        max_length=1,
        help_text="Documents we make for the order: `packing_slip` (where it was printed). "
        "Only where the platform takes files with a reply (Mirakl, Amazon).",
    )
    files = UploadSerializer(
        many=True,
        required=False,
        default=list,
        max_length=attachments.MAX_FILES,
        help_text=f"Your files (e.g. the invoice), at most {attachments.MAX_FILES} with the packing slip and "
        f"{attachments.MAX_TOTAL_BYTES // (1024 * 1024)} MB together: PDF, JPEG, PNG or GIF whose bytes match the "
        "declared type. Only where the platform takes files with a reply (Mirakl, Amazon); eBay and Cdiscount "
        "answer 400.",
    )
    seen_message_id = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The last message you read: refused with 409 answered_meanwhile if someone else answered since.",
    )
    force = StrictBooleanField(required=False, default=False, help_text="Send even if someone else answered since.")


class ThreadAssignSerializer(serializers.Serializer):
    assignee = serializers.IntegerField(allow_null=True, help_text="Id of an active user; null to unassign.")
