"""Strict input fields for the API and the filters shared with the UI.

Instants: ISO 8601 with a UTC offset PostgreSQL can store (±15:59 at most; a naive
value is read in the current time zone), normalised to UTC. Text: a JSON string, never
a number coerced to one.
"""

from __future__ import annotations

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

# PostgreSQL refuses a time zone displacement beyond ±15:59 ("time zone displacement out of range").
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)
# RFC 3339 date-time with such an offset, as the schema promises it.
INSTANT_PATTERN = (
    r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?"
    r"([Zz]|[+-](0\d|1[0-5])(:?[0-5]\d)?)?$"
)


def parse_instant(value: str) -> dt.datetime:
    """The UTC instant `value` names; ValueError if it is not one PostgreSQL can store."""
    parsed = parse_datetime(value.strip())  # ValueError for an impossible date or offset
    if parsed is None:
        raise ValueError(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if abs(parsed.utcoffset()) > MAX_UTC_OFFSET:
        raise ValueError(value)
    try:
        return parsed.astimezone(dt.timezone.utc)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00+01:00 lies before year 1 in UTC
        raise ValueError(value) from exc


class InstantField(forms.Field):
    """A form field for an instant (see parse_instant); present but empty is an error too."""

    default_error_messages = {
        "invalid": _("Enter a date and time in ISO 8601 with a UTC offset between -15:59 and +15:59."),
        "empty": _("Leave this filter out rather than empty."),
    }

    def to_python(self, value):
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value
        if not str(value).strip():
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            raise forms.ValidationError(self.error_messages["empty"], code="empty")
        try:
            return parse_instant(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


@extend_schema_field({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN})
class InstantFilter(django_filters.Filter):
    """The one date-time filter of the API and the UI's filters."""

    field_class = InstantField


class StrictCharField(serializers.CharField):
    """A JSON string; a number or a boolean is refused instead of turned into text."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """A JSON true or false; 0, 1, "yes" or "true" are refused instead of read as one."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data
