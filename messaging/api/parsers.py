"""The reply's JSON, which may carry files as base64: read from the stream up to its own limit.

DRF reads a JSON body through `request.body`, which Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, answered
by a bare 400): too little for an invoice in base64, and raising it would raise it for every request. This parser
is not a JSONParser subclass, so DRF hands it the stream, and it reads at most MAX_BODY_BYTES.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser
from rest_framework.settings import api_settings
from rest_framework.utils import json

from messaging import attachments

# The files of one reply in base64 (4/3 of their bytes, with line breaks), the text and the JSON around them.
MAX_BODY_BYTES = attachments.MAX_TOTAL_BYTES * 4 // 3 * 78 // 76 + 1024 * 1024


class TooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"
    default_detail = "The request body is too large."


class ReplyJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        raw = stream.read(MAX_BODY_BYTES + 1)
        if len(raw) > MAX_BODY_BYTES:
            raise TooLarge(
                _("A reply with its files weighs at most %(size)s MB as JSON.") % {"size": MAX_BODY_BYTES // 1024**2}
            )
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            return json.loads(
                raw.decode(encoding), parse_constant=json.strict_constant if api_settings.STRICT_JSON else None
            )
        except (UnicodeDecodeError, ValueError) as error:
            raise exceptions.ParseError(f"JSON parse error - {error}") from error
