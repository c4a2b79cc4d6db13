"""Shell views: the operator's preferences (time zone; language uses Django's set_language)."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oms.timezones import SESSION_KEY, is_valid_time_zone


@require_POST
def set_time_zone(request):
    name = request.POST.get("time_zone", "")
    if is_valid_time_zone(name):
        request.session[SESSION_KEY] = name
    else:
        messages.error(request, _("Unknown time zone."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    return redirect(target)
