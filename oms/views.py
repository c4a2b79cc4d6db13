"""Shell views: the operator's preferences (time zone; language uses Django's set_language), the
audit trail, and the error pages: under /api/ the API's error body, elsewhere Django's HTML pages."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_POST, require_safe

from oms import audit, clock
from oms.api.errors import error_body
from oms.timezones import SESSION_KEY, is_valid_time_zone

API_PREFIX = "/api/"


@require_POST
def set_time_zone(request):
    name = request.POST.get("time_zone", "")
    if is_valid_time_zone(name):
        request.session[SESSION_KEY] = name
    else:
        messages.error(request, _("Unknown time zone."))
    return redirect(_safe_next(request))


def _safe_next(request) -> str:
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return target


@require_POST
def set_clock(request):
    value = request.POST.get("clock", "")
    if clock.is_valid_clock(value):
        request.session[clock.SESSION_KEY] = value
    else:
        messages.error(request, _("Unknown clock."))
    return redirect(_safe_next(request))


@require_safe
@permission_required("auditlog.view_logentry", raise_exception=True)
def audit_log(request):
    page = Paginator(audit.recent_changes(), 50).get_page(request.GET.get("page"))
    return render(request, "oms/audit_log.html", {"page": page, "entries": audit.describe(page)})


def _api_error(request, *, status: int, code: str, message: str):
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body(code=code, message=message), status=status)
    return None


def bad_request(request, exception=None):
    # A SuspiciousOperation too: more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS, a bad Host...
    return _api_error(
        request, status=400, code="bad_request", message=_("The request is not valid.")
    ) or defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    return _api_error(
        request, status=403, code="permission_denied", message=_("Your role does not allow this.")
    ) or defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    return _api_error(request, status=404, code="not_found", message=_("Not found.")) or defaults.page_not_found(
        request, exception
    )


def server_error(request):
    return _api_error(
        request, status=500, code="server_error", message=_("Something went wrong on our side.")
    ) or defaults.server_error(request)
