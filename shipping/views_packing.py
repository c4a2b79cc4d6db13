"""The packing station (/shipping/pack/): one text field a USB scanner types into, then Enter.

Every answer is the station's partial (HTMX) or its page; the current session is kept in the
browser session, so a reload resumes it. Operators only: packing changes shipments."""

from __future__ import annotations

from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST, require_safe

from oms.access.selectors import within_scope
from oms.errors import DomainError
from orders.actions import Actor
from shipping import packing, station
from shipping.models import PackingSession
from shipping.packing import Outcome, ScanResult

PACKS = "orders.act_on_order"
CURRENT = "packing_session"


def _current(request) -> PackingSession | None:
    session_id = request.session.get(CURRENT)
    if not session_id:
        return None
    sessions = within_scope(PackingSession.objects.filter(pk=session_id), user=request.user, field="order__account")
    return sessions.select_related("order__account", "shipment__service__carrier", "pick_list").first()


SESSIONS = PackingSession.objects.select_related("order__account", "shipment__service__carrier", "pick_list")


SESSIONS = PackingSession.objects.select_related("order__account", "shipment__service__carrier", "pick_list")


def _render(
    request,
    session: PackingSession | None,
    *,
    outcome: str = "",
    message: str = "",
    line_id=None,
    code="",
    loaded: bool = False,
):
    """`loaded`: the session comes with what the station shows (as a scan that only counted or refused
    returns it: its order and account, its shipment's service and carrier), so it is not read again."""
    if session is not None:
        if request.session.get(CURRENT) != session.pk:
            request.session[CURRENT] = session.pk
        if not loaded:
            session = SESSIONS.get(pk=session.pk)
    context = {
        "session": session,
        "lines": station.station_lines(session) if session else [],
        "parcels": station.station_parcels(session) if session else [],
        "outcome": outcome,
        "message": message,
        "line_id": line_id,
        "code": code,
        "waiting": bool(session and session.finished_at is None and session.complete and not session.blocked_by),
    }
    template = "shipping/_station.html" if request.htmx else "shipping/station.html"
    return render(request, template, context)


@require_safe
@permission_required(PACKS, raise_exception=True)
def station_page(request):
    return _render(request, _current(request), code=request.GET.get("code", "")[:100])


@require_POST
@permission_required(PACKS, raise_exception=True)
def scan(request):
    code = request.POST.get("code", "").strip()[:100]
    actor = Actor.of_user(request.user)
    current = _current(request)
    try:
        if current is None or current.finished_at or packing.names_an_order(code):
            if not code and current is not None and current.pick_list_id and current.finished_at:
                code = current.pick_list.code  # Enter after a packed order: the next one of its pick list
            if not code:
                return _render(request, current)
            order_id, pick_list = packing.order_for_code(code, user=request.user)
            if pick_list is None and current is not None and current.order_id == order_id:
                pick_list = current.pick_list
            session = packing.open_session(order_id=order_id, actor=actor, pick_list=pick_list)
            result = ScanResult(session, Outcome.OPENED, "")
        elif not code:
            return _render(request, current)
        else:
            result = packing.scan(session_id=current.pk, code=code, actor=actor, order_id=current.order_id)
    except DomainError as error:
        return _render(request, current, outcome=Outcome.REFUSED, message=error.message)
    return _render(
        request,
        result.session,
        outcome=result.outcome,
        message=result.message,
        line_id=result.line_id,
        loaded=result.outcome in (Outcome.COUNTED, Outcome.REFUSED),
    )


def _in_scope(request, pk: int) -> None:
    """A session of an order the user may not see answers 404 before anything is done."""
    sessions = within_scope(PackingSession.objects.filter(pk=pk), user=request.user, field="order__account")
    if not sessions.exists():
        raise Http404


def _session_action(request, pk: int, perform):
    _in_scope(request, pk)
    try:
        result = perform(Actor.of_user(request.user))
    except DomainError as error:
        return _render(request, _current(request), outcome=Outcome.REFUSED, message=error.message)
    if isinstance(result, ScanResult):
        return _render(request, result.session, outcome=result.outcome, message=result.message)
    return _render(request, result)


@require_POST
@permission_required(PACKS, raise_exception=True)
def put_aside(request, pk: int):
    return _session_action(request, pk, lambda actor: packing.put_aside(session_id=pk, actor=actor))


@require_POST
@permission_required(PACKS, raise_exception=True)
def finish(request, pk: int):
    return _session_action(request, pk, lambda actor: packing.finish(session_id=pk, actor=actor))


@require_POST
@permission_required(PACKS, raise_exception=True)
def label_again(request, pk: int):
    return _session_action(request, pk, lambda actor: packing.ask_label_again(session_id=pk, actor=actor))


@require_POST
@permission_required(PACKS, raise_exception=True)
def abandon(request, pk: int):
    _in_scope(request, pk)
    try:
        packing.abandon(session_id=pk, actor=Actor.of_user(request.user))
    except DomainError as error:
        return _render(request, None, outcome=Outcome.REFUSED, message=error.message)
    request.session.pop(CURRENT, None)
    return _render(request, None)
