"""Show every time in the operator's time zone (stored UTC, default Europe/Paris)."""

import zoneinfo

from django.conf import settings
from django.utils import timezone

SESSION_KEY = "oms_time_zone"

# The zones a French seller's team works in; any IANA name is accepted.
COMMON_TIME_ZONES = (
    "Europe/Paris",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Brussels",
    "America/Martinique",
    "Indian/Reunion",
    "UTC",
)


def is_valid_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


class UserTimezoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = request.session.get(SESSION_KEY, settings.OMS_DEFAULT_TIME_ZONE)
        timezone.activate(zoneinfo.ZoneInfo(name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def timezone_choices(request):
    return {
        "time_zones": COMMON_TIME_ZONES,
        "current_time_zone_name": request.session.get(SESSION_KEY, settings.OMS_DEFAULT_TIME_ZONE)
        if hasattr(request, "session")
        else settings.OMS_DEFAULT_TIME_ZONE,
    }
