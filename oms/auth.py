"""Authentication required everywhere by default.

Every view needs a logged-in user unless it is explicitly marked with
`django.contrib.auth.decorators.login_not_required` (login, /healthz).
The REST API answers 401/403 JSON itself (DRF authentication + RolePermission)
instead of redirecting to the login page.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
