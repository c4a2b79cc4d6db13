"""Stock screens: products and their levels, the product page (channels, history), imports, receipts."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from inventory import actions, selectors
from inventory.filters import ProductFilter
from inventory.forms import AdjustForm, BinForm, ImportForm, ThresholdForm
from inventory.imports import read_stock_counts
from inventory.models import PurchaseOrder
from oms.errors import DomainError
from orders.actions import Actor

PAGE_SIZE = 50
REPORT_ROWS = 500  # applied rows listed on the import report; the counts cover them all


@require_safe
@permission_required("inventory.view_product", raise_exception=True)
def product_list(request):
    filterset = ProductFilter(request.GET, queryset=selectors.product_list())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "low_count": selectors.low_stock(selectors.product_list()).count(),
        "can_adjust": request.user.has_perm("inventory.adjust_stock"),
    }
    template = "inventory/_product_table.html" if request.htmx else "inventory/product_list.html"
    return render(request, template, context)


@require_safe
@permission_required("inventory.view_product", raise_exception=True)
def product_detail(request, pk: int):
    product = get_object_or_404(selectors.product_detail(), pk=pk)
    context = {
        "product": product,
        "is_low": product.low_stock_threshold > 0 and product.available_total <= product.low_stock_threshold,
        "channels": selectors.channel_rows(product, user=request.user),
        "movements": selectors.movements_for(product, user=request.user),
        "reservations": selectors.active_reservations(product, user=request.user),
        "can_adjust": request.user.has_perm("inventory.adjust_stock"),
        "adjust_form": AdjustForm(),
        "bin_form": BinForm(prefix="bin"),
        "threshold_form": ThresholdForm(initial={"threshold": product.low_stock_threshold}),
    }
    return render(request, "inventory/product_detail.html", context)


@require_POST
@permission_required("inventory.adjust_stock", raise_exception=True)
def adjust(request, pk: int):
    product = get_object_or_404(selectors.product_list(), pk=pk)
    form = AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A warehouse, a change and a reason are required."))
        return redirect("inventory:product", pk=pk)
    data = form.cleaned_data
    try:
        level = actions.adjust_stock(
            product_id=product.pk,
            warehouse_id=data["warehouse"].pk,
            change=data["change"],
            note=data["note"],
            actor=Actor.of_user(request.user),
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(warehouse)s: %(on_hand)s on hand now.")
            % {"warehouse": level.warehouse.name, "on_hand": level.on_hand},
        )
    return redirect("inventory:product", pk=pk)


@require_POST
@permission_required("inventory.adjust_stock", raise_exception=True)
def set_bin(request, pk: int):
    product = get_object_or_404(selectors.product_list(), pk=pk)
    form = BinForm(request.POST, prefix="bin")
    if not form.is_valid():
        messages.error(request, _("Choose a warehouse; a bin is at most 30 characters."))
        return redirect("inventory:product", pk=pk)
    try:
        level = actions.set_bin_location(
            product_id=product.pk,
            warehouse_id=form.cleaned_data["warehouse"].pk,
            bin_location=form.cleaned_data["bin_location"],
            actor=Actor.of_user(request.user),
        )
    except DomainError:
        messages.error(request, _("A bin is 1 to 30 letters, digits, spaces, dots, dashes or slashes."))
    else:
        messages.success(
            request,
            _("%(warehouse)s: bin %(bin)s.") % {"warehouse": level.warehouse.name, "bin": level.bin_location or "—"},
        )
    return redirect("inventory:product", pk=pk)


@require_POST
@permission_required("inventory.adjust_stock", raise_exception=True)
def set_threshold(request, pk: int):
    product = get_object_or_404(selectors.product_list(), pk=pk)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        actions.set_low_stock_threshold(
            product_id=product.pk, threshold=form.cleaned_data["threshold"], actor=Actor.of_user(request.user)
        )
        messages.success(request, _("Low-stock alert saved."))
    else:
        messages.error(request, _("The threshold must be a whole number, 0 or more."))
    return redirect("inventory:product", pk=pk)


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("inventory.adjust_stock", raise_exception=True)
def import_counts(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warehouses = list(selectors.warehouses().values_list("code", flat=True))
        try:
            rows, refused = read_stock_counts(
                data["file"].file, default_warehouse=warehouses[0] if len(warehouses) == 1 else None
            )
            report = actions.import_stock_counts(
                rows=rows, refused=refused, actor=Actor.of_user(request.user), note=data["note"], strict=data["strict"]
            )
        except DomainError as error:
            messages.error(request, error.message)
    context = {
        "form": form,
        "report": report,
        "applied_rows": report.applied[:REPORT_ROWS] if report else [],
        "warehouses": selectors.warehouses(),
    }
    return render(request, "inventory/import.html", context, status=200)


@require_safe
@permission_required("inventory.view_purchaseorder", raise_exception=True)
def purchase_order_list(request):
    page = Paginator(selectors.purchase_order_list(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inventory/purchase_order_list.html", {"page": page})


@require_safe
@permission_required("inventory.view_purchaseorder", raise_exception=True)
def purchase_order_detail(request, pk: int):
    purchase_order = get_object_or_404(selectors.purchase_order_detail(), pk=pk)
    context = {
        "purchase_order": purchase_order,
        "can_receive": request.user.has_perm("inventory.receive_stock")
        and purchase_order.status == PurchaseOrder.Status.OPEN,
    }
    return render(request, "inventory/purchase_order_detail.html", context)


@require_POST
@permission_required("inventory.receive_stock", raise_exception=True)
def receive(request, pk: int):
    purchase_order = get_object_or_404(PurchaseOrder, pk=pk)
    quantities, bad = {}, []
    for key, value in request.POST.items():
        if not key.startswith("line-"):
            continue
        value = value.strip() or "0"
        try:
            quantities[int(key.removeprefix("line-"))] = int(value)
        except ValueError:
            bad.append(value)
    if bad:
        messages.error(request, _("Quantities must be whole numbers."))
        return redirect("inventory:purchase_order", pk=pk)
    try:
        actions.receive_purchase_order(
            purchase_order_id=purchase_order.pk, quantities=quantities, actor=Actor.of_user(request.user)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Received into %(warehouse)s.") % {"warehouse": purchase_order.warehouse.name})
    return redirect("inventory:purchase_order", pk=pk)
