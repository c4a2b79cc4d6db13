"""The same roles as the UI: reading needs the model's view permission; changing
needs the permissions the view declares for that action (none declared: refused).

An API client (`request.auth`, Bearer token) has no role: its scopes on the view's
`api_resource` decide, `<resource>:read` for safe methods, `<resource>:write` for the
actions the view declares."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from oms.access.models import ApiClient


class RolePermission(BasePermission):
    message = _("Your role does not allow this.")

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        action = getattr(view, "action", None)
        required = getattr(view, "action_permissions", {}).get(action)
        if isinstance(request.auth, ApiClient):
            if request.method in SAFE_METHODS:
                return request.auth.allows(getattr(view, "api_resource", None), write=False)
            return bool(required) and request.auth.allows(getattr(view, "api_resource", None), write=True)
        if request.method in SAFE_METHODS:
            return user.has_perms(self._read_permissions(view))
        return bool(required) and user.has_perms(required)

    @staticmethod
    def _read_permissions(view) -> list[str]:
        declared = getattr(view, "read_permissions", None)
        if declared is not None:
            return list(declared)
        queryset = getattr(view, "queryset", None)
        if queryset is None:
            return []
        meta = queryset.model._meta
        return [f"{meta.app_label}.view_{meta.model_name}"]
