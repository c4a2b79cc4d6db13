"""Forms of the returns screens: plain fields, the actions check the rules."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from returns.actions import LineRefund, LineReturn, UnitGrade
from returns.models import Grade, ReturnReason


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label=_("Reason"))


class LabelForm(forms.Form):
    carrier = forms.CharField(max_length=50, label=_("Carrier"), initial="colissimo")
    tracking_number = forms.CharField(max_length=100, label=_("Return tracking number"))


class ScanForm(forms.Form):
    code = forms.CharField(max_length=100, label=_("Return label or order number"))


class ReceiveForm(forms.Form):
    scanned = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        label=_("Items scanned (one SKU or EAN per line)"),
    )

    def codes(self) -> list[str]:
        return [code.strip() for code in self.cleaned_data["scanned"].splitlines() if code.strip()]


def _decimal(value: str) -> Decimal:
    try:
        return Decimal((value or "0").replace(",", ".").strip() or "0")
    except InvalidOperation:
        return Decimal("-1")  # refused by the action with a clear message


def _int(value: str) -> int:
    try:
        return int((value or "0").strip() or "0")
    except ValueError:
        return -1


def refund_lines_from(data, order_lines) -> list[LineRefund]:
    """The refund form's rows: `quantity_<line>`, `amount_<line>`, `shipping_<line>` per order line."""
    return [
        LineRefund(
            order_line_id=line.pk,
            quantity=_int(data.get(f"quantity_{line.pk}")),
            amount=_decimal(data.get(f"amount_{line.pk}")),
            shipping_amount=_decimal(data.get(f"shipping_{line.pk}")),
        )
        for line in order_lines
        if any(
            (data.get(f"{field}_{line.pk}") or "").strip() not in ("", "0")
            for field in ("quantity", "amount", "shipping")
        )
    ]


def return_lines_from(data, order_lines) -> list[LineReturn]:
    """The new-return form's rows: `quantity_<line>`, `reason_<line>`, `note_<line>`."""
    return [
        LineReturn(
            order_line_id=line.pk,
            quantity=_int(data.get(f"quantity_{line.pk}")),
            reason=data.get(f"reason_{line.pk}") or ReturnReason.OTHER,
            note=data.get(f"note_{line.pk}", ""),
        )
        for line in order_lines
        if _int(data.get(f"quantity_{line.pk}")) != 0
    ]


def grades_from(data, lines) -> list[UnitGrade]:
    """The inspection form: `grade_<line>_<n>` and `note_<line>_<n>` for each received unit."""
    grades = []
    for line in lines:
        for number in range(line.quantity_received):
            grade = data.get(f"grade_{line.pk}_{number}") or ""
            grades.append(
                UnitGrade(line.pk, grade if grade in Grade.values else "", data.get(f"note_{line.pk}_{number}", ""))
            )
    return grades
