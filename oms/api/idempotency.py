"""`Idempotency-Key` on state-changing POSTs.

The key is claimed by inserting its record in the same transaction as the
effect: a concurrent request with the same key blocks on the unique index until
the first commits, then replays its response. Same key + same request → the
first response again (header `Idempotent-Replayed: true`), never a second
effect; same key + another request → 422; a crash mid-way leaves neither the
effect nor the record, so a retry runs normally.
"""

from __future__ import annotations

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response

from oms.api.errors import error_response
from oms.models import IdempotencyRecord

HEADER = "Idempotency-Key"
# The header as the OpenAPI schema declares it on every operation that honours it.
PARAMETER = OpenApiParameter(
    name=HEADER,
    location=OpenApiParameter.HEADER,
    required=False,
    description="Any unique string; a retry with the same key and body replays the first response.",
)
MAX_KEY_LENGTH = 255


def _fingerprint(request) -> str:
    try:
        body = json.dumps(request.data, sort_keys=True, default=str)
    except (TypeError, ValueError):
        body = request.body.decode("utf-8", "replace")
    raw = f"{request.method}\n{request.path}\n{body}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotencyRecord, fingerprint: str) -> Response:
    if record.request_fingerprint != fingerprint:
        return error_response(
            code="idempotency_key_reused",
            message="This Idempotency-Key was already used with a different request.",
            details={"key": record.key},
            status_code=422,
        )
    return Response(record.response_body, status=record.response_status, headers={"Idempotent-Replayed": "true"})


def idempotent(view_method):
    """Decorate a DRF view method (POST) so that `Idempotency-Key` is honoured."""

    @functools.wraps(view_method)
    def wrapper(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if not key:
            return view_method(self, request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            return error_response(
                code="invalid", message=f"{HEADER} is longer than {MAX_KEY_LENGTH} characters.", status_code=400
            )
        fingerprint = _fingerprint(request)
        existing = IdempotencyRecord.objects.filter(user=request.user, key=key).first()
        if existing:
            return _replay(existing, fingerprint)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:500],
                        request_fingerprint=fingerprint,
                        response_status=0,
                    )
            except IntegrityError:
                record = None  # another request with this key committed first
            if record is not None:
                response = _run_view(view_method, self, request, *args, **kwargs)
                record.response_status = response.status_code
                record.response_body = response.data
                record.save(update_fields=["response_status", "response_body"])
        if record is None:
            return _replay(IdempotencyRecord.objects.get(user=request.user, key=key), fingerprint)
        return response

    return wrapper


def _run_view(view_method, view, request, *args, **kwargs) -> Response:
    """Run the view; its errors become the stored response, so a replay answers them too."""
    try:
        return view_method(view, request, *args, **kwargs)
    except Exception as exc:
        response = view.handle_exception(exc)
        if response.status_code >= 500:
            raise
        return response
