"""The clock times are shown on: 24-hour by default, 12-hour for an English-speaking operator who
asks for it (a session preference, like the time zone). French pages are always on 24 hours.

The 12-hour clock is the `en-us` locale's formats (oms/formats/en_US): the middleware activates
that variant of English, whose translations are English's, so only dates and times change."""

from django.utils import translation
from django.utils.translation import gettext_lazy as _

SESSION_KEY = "oms_clock"
TWENTY_FOUR_HOUR, TWELVE_HOUR = "24h", "12h"
CLOCKS = ((TWENTY_FOUR_HOUR, _("24-hour clock")), (TWELVE_HOUR, _("12-hour clock")))
TWELVE_HOUR_LANGUAGE = "en-us"


def is_valid_clock(value: str) -> bool:
    return value in dict(CLOCKS)


class UserClockMiddleware:
    """After LocaleMiddleware: English stays English, on the clock the operator chose."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) == TWELVE_HOUR and translation.get_language() == "en":
            translation.activate(TWELVE_HOUR_LANGUAGE)
            request.LANGUAGE_CODE = TWELVE_HOUR_LANGUAGE
        return self.get_response(request)


def clock_choices(request):
    session = getattr(request, "session", None)
    return {
        "clocks": CLOCKS,
        "current_clock": session.get(SESSION_KEY, TWENTY_FOUR_HOUR) if session is not None else TWENTY_FOUR_HOUR,
    }
