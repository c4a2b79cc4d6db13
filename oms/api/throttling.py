"""API throttling: per user, per address for anonymous calls, and per address for bad credentials.

Rates are the `DEFAULT_THROTTLE_RATES` of settings.REST_FRAMEWORK, read when a throttle is made
(so a test may override them), counted in the default cache (Redis, shared by every web process).
A refused call answers 429 in the error envelope with `Retry-After` (oms.api.errors; bad credentials:
oms.api.bad_credentials). This module imports no DRF view: DRF's views import it for their defaults.
"""

import math

from rest_framework import throttling
from rest_framework.settings import api_settings


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
