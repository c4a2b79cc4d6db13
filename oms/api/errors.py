"""One error body for every 4xx and 5xx: {"error": {"code", "message", "details"}}."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from oms.errors import DomainError


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `illegal_transition`.")
    message = serializers.CharField(help_text="What went wrong, for a person.")
    details = serializers.JSONField(help_text="Field errors or context; may be empty.")


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


def error_body(*, code: str, message: str, details=None) -> dict:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(*, code: str, message: str, details=None, status_code: int, headers=None) -> Response:
    return Response(error_body(code=code, message=message, details=details), status=status_code, headers=headers)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return error_response(code=exc.code, message=exc.message, details=exc.details, status_code=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        code, message, details = "invalid", _("The request is not valid."), exc.detail
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message, details = str(detail), {}
    response.data = error_body(code=code, message=message, details=details)
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Token realm="api"'
    return response
