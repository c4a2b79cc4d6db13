"""The audit trail of configuration changes: who changed what, when, field by field (django-auditlog).

An app tracks one of its models with one line in its AppConfig.ready:

    audit.track(MarketplaceAccount, fields=[...], secret_fields=["credentials_ciphertext"])

`fields` limits the trail to what people configure (not the state that workers write); a secret
field is recorded as changed, never with a value, and shown as "changed". Changes made by
migrations (roles kept in step) are not people's changes: they run under auditlog's `disable_auditlog()`.
The trail is read at /audit/ by whoever may view log entries (admins).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from auditlog.middleware import AuditlogMiddleware
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import FieldDoesNotExist
from django.utils.functional import SimpleLazyObject
from django.utils.translation import pgettext_lazy

HIDDEN = "(hidden)"


def hide(value: str) -> str:
    """The value stored for a secret field, before and after: only the fact that it changed remains."""
    return HIDDEN


def track(
    model,
    *,
    fields: Iterable[str] = (),
    exclude: Iterable[str] = (),
    secret_fields: Iterable[str] = (),
    m2m_fields: Iterable[str] = (),
    labels: dict[str, str] | None = None,
) -> None:
    """Record every create, change and delete of `model` (its `fields` only, if given)."""
    secret_fields = list(secret_fields)
    auditlog.register(
        model,
        include_fields=[*fields, *secret_fields] if fields else [],
        exclude_fields=list(exclude),
        mask_fields=secret_fields,
        mask_callable="oms.audit.hide",
        m2m_fields=set(m2m_fields),
        mapping_fields=dict(labels or {}),
    )


class AuditActorMiddleware(AuditlogMiddleware):
    """Entries name the user of the request. The user is read when an entry is written, not when the
    request comes in: the API authenticates its token inside the view, which then sets request.user."""

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: request.user if request.user.is_authenticated else None)


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str = ""
    new: str = ""
    secret: bool = False


ACTION_LABELS = {
    LogEntry.Action.CREATE: pgettext_lazy("audit", "created"),
    LogEntry.Action.UPDATE: pgettext_lazy("audit", "changed"),
    LogEntry.Action.DELETE: pgettext_lazy("audit", "deleted"),
}
M2M_OPERATIONS = {"add": pgettext_lazy("audit", "added"), "delete": pgettext_lazy("audit", "removed")}


def recent_changes():
    """The trail, newest first, each entry with `model_label`, `action_label` and `field_changes`
    (FieldChange rows) set when the page is read (see `describe`)."""
    return LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp", "-pk")


def describe(entries: Iterable[LogEntry]) -> list[LogEntry]:
    entries = list(entries)
    for entry in entries:
        model = entry.content_type.model_class()
        entry.model_label = model._meta.verbose_name if model else entry.content_type.model
        entry.action_label = ACTION_LABELS.get(entry.action, "")
        entry.field_changes = list(_field_changes(entry, model))
    return entries


def _field_changes(entry: LogEntry, model) -> Iterable[FieldChange]:
    options = auditlog.get_model_fields(model) if model and auditlog.contains(model) else {}
    secrets = set(options.get("mask_fields", ()))
    labels = options.get("mapping_fields", {})
    for name, values in sorted(entry.changes_dict.items()):
        field = _field(model, name)
        label = str(labels.get(name) or (getattr(field, "verbose_name", None) or name))
        if name in secrets:
            yield FieldChange(label=label, secret=True)
        elif isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation", "objects"}
            operation = M2M_OPERATIONS.get(values.get("operation"), values.get("operation", ""))
            yield FieldChange(label=label, old=str(operation), new=", ".join(map(str, values.get("objects", []))))
        else:
            old, new = values
            yield FieldChange(label=label, old=_shown(field, old), new=_shown(field, new))


def _field(model, name):
    try:
        return model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        return None


def _shown(field, value) -> str:
    if value in (None, "None", ""):
        return "—"
    choices = dict(getattr(field, "flatchoices", None) or ())
    return str(choices.get(value, value))
