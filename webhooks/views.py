"""Webhook pages (admins): the endpoints, and one endpoint with its secrets, test button, replays and delivery log."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from oms.errors import DomainError
from webhooks import actions, selectors
from webhooks.forms import EndpointForm, ReplaySinceForm

CHANGE = "webhooks.change_endpoint"


def _show_secret(request, secret: str) -> None:
    messages.warning(request, _("Signing secret (shown once, keep it now): %(secret)s") % {"secret": secret})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CHANGE, raise_exception=True)
def endpoint_list(request):
    form = EndpointForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = actions.create_endpoint(definition=form.definition(), created_by=request.user)
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Endpoint added."))
            _show_secret(request, secret)
            return redirect("webhooks:detail", pk=endpoint.pk)
    return render(request, "webhooks/endpoint_list.html", {"endpoints": selectors.endpoint_list(), "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CHANGE, raise_exception=True)
def endpoint_detail(request, pk: int):
    endpoint = get_object_or_404(selectors.endpoint_list(), pk=pk)
    if request.method == "POST":
        form = EndpointForm(request.POST)
        if form.is_valid():
            try:
                actions.update_endpoint(endpoint_id=endpoint.pk, definition=form.definition())
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Endpoint saved."))
                return redirect("webhooks:detail", pk=endpoint.pk)
    else:
        form = EndpointForm(initial=EndpointForm.initial_for(endpoint))
    page = Paginator(selectors.deliveries(endpoint_id=endpoint.pk), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "webhooks/endpoint_detail.html",
        {"endpoint": endpoint, "form": form, "replay_form": ReplaySinceForm(), "page": page},
    )


def _change(request, pk: int, perform, success: str):
    get_object_or_404(selectors.endpoint_list(), pk=pk)
    try:
        result = perform()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
        if isinstance(result, tuple):  # (endpoint, new secret)
            _show_secret(request, result[1])
    return redirect("webhooks:detail", pk=pk)


@require_POST
@permission_required(CHANGE, raise_exception=True)
def rotate_secret(request, pk: int):
    return _change(
        request,
        pk,
        lambda: actions.rotate_secret(endpoint_id=pk),
        _("New secret: both sign until you finish the rotation."),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def finish_rotation(request, pk: int):
    return _change(
        request, pk, lambda: actions.finish_rotation(endpoint_id=pk), _("Rotation finished: only the new secret signs.")
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def send_test(request, pk: int):
    return _change(
        request,
        pk,
        lambda: actions.send_test_event(endpoint_id=pk, sent_by=request.user),
        _("Test event queued: its delivery shows below."),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def replay_delivery(request, pk: int, delivery_id: int):
    return _change(
        request,
        pk,
        lambda: actions.replay_delivery(endpoint_id=pk, delivery_id=delivery_id),
        _("Delivery queued again."),
    )


@require_POST
@permission_required(CHANGE, raise_exception=True)
def replay_since(request, pk: int):
    form = ReplaySinceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("since", [])))
        return redirect("webhooks:detail", pk=pk)
    since = form.cleaned_data["since"]
    return _change(
        request,
        pk,
        lambda: actions.replay_since(endpoint_id=pk, since=since),
        _("Every event delivered since then is queued again."),
    )


@require_POST
@permission_required("webhooks.delete_endpoint", raise_exception=True)
def endpoint_delete(request, pk: int):
    actions.delete_endpoint(endpoint_id=pk)
    messages.success(request, _("Endpoint deleted."))
    return redirect("webhooks:list")
