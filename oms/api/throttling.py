"""API throttling: per user, per address for anonymous calls, and per address for bad credentials.

Rates are the `DEFAULT_THROTTLE_RATES` of settings.REST_FRAMEWORK, read when a throttle is made
(so a test may override them), counted in the default cache (Redis, shared by every web process).
A refused call answers 429 in the error envelope with `Retry-After` (oms.api.errors).
"""

import math

from django.http import JsonResponse
from rest_framework import throttling
from rest_framework.settings import api_settings

from oms.api.errors import error_body

API_PREFIX = "/api/"


class SettingsRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class UserThrottle(SettingsRateMixin, throttling.UserRateThrottle):
    pass


class AnonymousThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    pass


class BadCredentialsThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Counts the calls from one address whose credentials were refused (401 with an Authorization header)."""

    scope = "bad_credentials"

    def __init__(self, request):
        super().__init__()
        self.key = self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
        self.now = self.timer()
        self.history = [moment for moment in self.cache.get(self.key, []) if moment > self.now - self.duration]

    def exhausted(self) -> bool:
        return len(self.history) >= self.num_requests

    def record_failure(self) -> None:
        self.throttle_success()  # stores this moment in the address's history

    def seconds_to_wait(self) -> int:
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))


class BadCredentialsMiddleware:
    """Token guessing: past the `bad_credentials` rate, an address that presents credentials to the API
    is answered 429 until its oldest failure leaves the window, whatever the credentials. Works with any
    DRF authentication class, since it reads only the answer (401) to a call that carried credentials."""

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
        error_body(code="throttled", message=f"Request was throttled. Expected available in {wait} seconds."), status=429
    )
    response["Retry-After"] = str(wait)
    return response
