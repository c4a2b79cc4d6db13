"""Token guessing: past the `bad_credentials` rate, an address that presents credentials to the API is
answered 429 until its oldest failure leaves the window, whatever the credentials."""

from django.http import JsonResponse
from rest_framework.exceptions import Throttled

from oms.api.errors import error_body
from oms.api.throttling import BadCredentialsThrottle

API_PREFIX = "/api/"


class BadCredentialsMiddleware:
    """Works with any DRF authentication class: it reads only the answer (401) to a call that carried
    credentials (an Authorization header)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not (request.path_info.startswith(API_PREFIX) and "Authorization" in request.headers):
            return self.get_response(request)
        throttle = BadCredentialsThrottle(request)
        if throttle.exhausted():
            return too_many_requests(wait=throttle.seconds_to_wait())
        response = self.get_response(request)
        if response.status_code == 401:
            throttle.record_failure()
        return response


def too_many_requests(*, wait: int) -> JsonResponse:
    response = JsonResponse(
        # DRF's own words for a throttled call (and their translations), as its throttles answer.
        error_body(code="throttled", message=str(Throttled(wait=wait).detail)),
        status=429,
    )
    response["Retry-After"] = str(wait)
    return response
