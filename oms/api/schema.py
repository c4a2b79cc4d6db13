"""Every operation documents the common error body for its 4xx answers."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse

from oms.api.errors import ErrorSerializer

COMMON_ERRORS = {
    400: "The request is not valid (see `details`).",
    401: "Missing or invalid credentials.",
    403: "Your role does not allow this.",
}
UNSAFE_ERRORS = {
    409: "Not allowed in the order's current state, or not something its platform can do; nothing changed.",
    422: "`Idempotency-Key` reused with a different request body.",
}


class OmsAutoSchema(AutoSchema):
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
