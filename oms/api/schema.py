"""Every operation documents the common error body for its 4xx answers, the header of a replayed
answer where `Idempotency-Key` is honoured, `Retry-After` on a throttled answer, and filters that must not be sent empty."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from oms.api.errors import ErrorSerializer
from oms.api.idempotency import HEADER as IDEMPOTENCY_KEY

COMMON_ERRORS = {
    400: "The request is not valid (see `details`).",
    401: "Missing or invalid credentials.",
    403: "Your role does not allow this.",
    429: "Too many requests (per user, or per address for bad credentials): wait `Retry-After` seconds.",
}
UNSAFE_ERRORS = {
    409: "Not allowed in the order's current state, or not something its platform can do; nothing changed.",
    415: "The request body is not JSON.",
    422: "`Idempotency-Key` reused with a different request body.",
}
REPLAYED = "Idempotent-Replayed"
REPLAYED_DESCRIPTION = "`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`."
RETRY_AFTER = {"schema": {"type": "integer", "minimum": 0}, "description": "Seconds to wait before calling again."}


class BearerScheme(OpenApiAuthenticationExtension):
    """An API client's token (oms.access), limited to the client's scopes and accounts."""

    target_class = "oms.access.authentication.BearerAuthentication"
    name = "clientBearer"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API client's token: `Authorization: Bearer <token>`.",
        }


class OmsAutoSchema(AutoSchema):
    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        if str(status_code) == "429":
            headers["Retry-After"] = RETRY_AFTER
        # Read here, not in get_override_parameters: @extend_schema adds the view's parameters above it.
        if any(getattr(parameter, "name", None) == IDEMPOTENCY_KEY for parameter in self.get_override_parameters()):
            headers[REPLAYED] = {"schema": {"type": "string", "enum": ["true"]}, "description": REPLAYED_DESCRIPTION}
        return headers

    def _get_filter_parameters(self):
        parameters = super()._get_filter_parameters()
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("type") == "string" and not ({"enum", "format", "pattern"} & schema.keys()):
                schema["minLength"] = 1  # oms.api.filters refuses an empty filter
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(COMMON_ERRORS)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors.update(UNSAFE_ERRORS)
        if "{" in self.path:
            errors[404] = "Not found."
        for code, description in errors.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(response=ErrorSerializer, description=description), str(code)
                )
        return responses
