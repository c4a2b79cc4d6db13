"""Authentication required everywhere by default, and the page of a locked-out login.

Every view needs a logged-in user unless it is explicitly marked with
`django.contrib.auth.decorators.login_not_required` (login, /healthz).
The REST API answers 401/403 JSON itself (DRF authentication + RolePermission)
instead of redirecting to the login page.
"""

import math

from axes.helpers import get_cool_off
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.shortcuts import render


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a login refused for too many failures (settings.AXES_LOCKOUT_CALLABLE):
    the login page's look, 429, and how long to wait."""
    seconds = math.ceil(get_cool_off(request).total_seconds())
    response = render(request, "registration/locked_out.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
