"""API clients, for admins: the list, a new client (its token shown once), revoking one."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oms.access import actions, resources, selectors
from oms.access.forms import ApiClientForm
from oms.errors import DomainError


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("oms.add_apiclient", raise_exception=True)
def client_list(request):
    form = ApiClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client, token = actions.create_api_client(
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                account_ids=form.account_ids(),
                created_by=request.user,
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            # Rendered, not redirected: the token is in this one response and nowhere else.
            return render(request, "access/client_created.html", {"client": client, "token": token})
    context = {"form": form, "clients": selectors.api_clients(), "resources": resources.declared()}
    return render(request, "access/client_list.html", context)


@require_POST
@permission_required("oms.change_apiclient", raise_exception=True)
def client_revoke(request, pk: int):
    try:
        client = actions.revoke_api_client(client_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s was revoked: its token is refused from now on.") % {"name": client.name})
    return redirect("clients:list")
