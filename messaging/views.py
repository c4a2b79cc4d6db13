"""The inbox (one list across platforms, most urgent reply-by first) and the thread page."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from messaging import actions, attachments, delay, selectors, solicitations, templating
from messaging.filters import OPEN, ThreadFilter
from messaging.forms import AssignForm, DelayNoticeForm, ReplyForm
from messaging.models import Message, Template, Thread
from oms.access.selectors import within_scope
from oms.errors import DomainError, InvalidInput
from oms.pagination import CappedPaginator
from orders.models import Order

PAGE_SIZE = 50
ACT = "messaging.reply_to_buyer"
FORM_FIELD_OF = {"files": "file", "attach": "attach_packing_slip", "body": "body"}  # InvalidInput.details → field


def _visible(request):
    return within_scope(Thread.objects.all(), user=request.user)


def in_scope(view):
    """A thread of an account the user may not see answers 404 before anything is read or done."""

    @wraps(view)
    def checked(request, pk: int, **kwargs):
        get_object_or_404(_visible(request), pk=pk)
        return view(request, pk, **kwargs)

    return checked


@require_safe
@permission_required("messaging.view_thread", raise_exception=True)
def inbox(request):
    data = request.GET.copy()
    data.setdefault("status", OPEN)
    filterset = ThreadFilter(data, queryset=within_scope(selectors.thread_list(), user=request.user), request=request)
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = data.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    if request.htmx:
        return render(request, "messaging/_thread_table.html", context)
    context["delays"] = selectors.delay_proposals(request.user)
    return render(request, "messaging/inbox.html", context)


def _thread_context(request, thread: Thread, form: ReplyForm | None = None, warning: str = "") -> dict:
    items = list(thread.messages.all())
    last = items[-1] if items else None
    language = "en" if request.LANGUAGE_CODE.startswith("en") else "fr"
    return {
        "thread": thread,
        "order": thread.order,
        "last_message": last,
        "can_act": request.user.has_perm(ACT),
        "form": form or ReplyForm(initial={"seen_message_id": last.pk if last else None}),
        "assign_form": AssignForm(initial={"assignee": thread.assignee_id}),
        "templates": selectors.templates_for(),
        "language": language,
        "no_reply_needed": selectors.no_reply_needed_allowed(thread),
        "warning": warning,
        "tracking_link": templating.values_for(thread)["tracking_link"],
        "attachments_allowed": attachments.allowed(thread),
        "packing_slip": attachments.packing_slip_available(thread),
        "upload_types": ",".join(attachments.ALLOWED_TYPES),
        "max_files": attachments.MAX_FILES,
        "max_megabytes": attachments.MAX_TOTAL_BYTES // (1024 * 1024),
    }


@require_safe
@permission_required("messaging.view_thread", raise_exception=True)
def thread_page(request, pk: int):
    thread = get_object_or_404(within_scope(selectors.thread_detail(), user=request.user), pk=pk)
    return render(request, "messaging/thread.html", _thread_context(request, thread))


@require_safe
@permission_required(ACT, raise_exception=True)
@in_scope
def template_text(request, pk: int):
    """The reply box filled with a template's text for this thread (HTMX swaps it in)."""
    thread = get_object_or_404(selectors.thread_detail(), pk=pk)
    template = Template.objects.filter(pk=request.GET.get("template") or 0).first()
    body = templating.render(template.body, thread) if template else ""
    form = ReplyForm(initial={"body": body})
    return render(request, "messaging/_reply_body.html", {"form": form})


@require_POST
@permission_required(ACT, raise_exception=True)
@in_scope
def reply(request, pk: int):
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            actions.reply(
                thread_id=pk,
                user=request.user,
                body=form.cleaned_data["body"],
                seen_message_id=form.cleaned_data["seen_message_id"],
                force=form.cleaned_data["force"],
                attach=(attachments.PACKING_SLIP,) if form.cleaned_data["attach_packing_slip"] else (),
                files=form.uploads(),
            )
        except actions.AnsweredMeanwhile as error:
            thread = get_object_or_404(selectors.thread_detail(), pk=pk)
            context = _thread_context(request, thread, form=form, warning=error.message)
            return render(request, "messaging/thread.html", context, status=409)
        except InvalidInput as error:  # a file refused: the operator's text stays in the box
            field = FORM_FIELD_OF.get(next(iter(error.details or {}), ""))
            form.add_error(field, error.message)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("messaging:thread", pk=pk)
        else:
            messages.success(request, _("Reply queued: it leaves for the marketplace now."))
            return redirect("messaging:thread", pk=pk)
    thread = get_object_or_404(selectors.thread_detail(), pk=pk)
    return render(request, "messaging/thread.html", _thread_context(request, thread, form=form), status=400)


@require_POST
@permission_required(ACT, raise_exception=True)
@in_scope
def assign(request, pk: int):
    form = AssignForm(request.POST)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        actions.assign(thread_id=pk, assignee_id=assignee.pk if assignee else None)
        messages.success(request, _("Assignment saved."))
    else:
        messages.error(request, _("Choose an active user."))
    return redirect("messaging:thread", pk=pk)


@require_POST
@permission_required(ACT, raise_exception=True)
@in_scope
def close(request, pk: int):
    try:
        actions.close(thread_id=pk)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("messaging:thread", pk=pk)
    messages.success(request, _("Closed: no reply needed."))
    return redirect("messaging:inbox")


@require_POST
@permission_required(ACT, raise_exception=True)
def delay_notice(request, order_pk: int):
    """The operator tells the buyer the order ships late, with the proposed text or their own."""
    order = get_object_or_404(within_scope(Order.objects.all(), user=request.user), pk=order_pk)
    form = DelayNoticeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A delay notice has between 3 and 2,000 characters."))
        return redirect("orders:detail", pk=order.pk)
    try:
        delay.notify_delay(order_id=order.pk, user=request.user, body=form.text())
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Delay notice queued: it leaves for the marketplace now."))
    return redirect("orders:detail", pk=order.pk)


@require_POST
@permission_required(ACT, raise_exception=True)
def request_review(request, order_pk: int):
    """The operator asks Amazon to send the buyer its review request (the same action as the beat task's)."""
    order = get_object_or_404(within_scope(Order.objects.all(), user=request.user), pk=order_pk)
    try:
        solicitations.request_review(order_id=order.pk, user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Review request queued: it leaves for Amazon now."))
    return redirect("orders:detail", pk=order.pk)


@require_POST
@permission_required(ACT, raise_exception=True)
def resend_anyway(request, message_pk: int):
    """A notice whose Amazon send had an unknown outcome, sent again once the operator checked Seller Central."""
    message = get_object_or_404(
        within_scope(Message.objects.all(), user=request.user, field="thread__account"), pk=message_pk
    )
    if actions.resend_anyway(message_id=message.pk):
        messages.success(request, _("Sent again: it leaves for Amazon now."))
    else:
        messages.error(request, _("This message is not waiting for a decision."))
    return redirect("messaging:thread", pk=message.thread_id)


@require_safe
@permission_required("messaging.view_thread", raise_exception=True)
def attachment(request, pk: int):
    """A file of a message, for users who may see its thread's account."""
    file = selectors.attachment_for(request.user, pk)
    if file is None:
        raise Http404
    response = HttpResponse(bytes(file.content), content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(
        True, file.name
    )  # a buyer's file: downloaded, never shown inline
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
