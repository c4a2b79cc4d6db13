"""The API's filter backend: the shared FilterSets, with nothing silently ignored.

A filter sent empty (`?updated_since=`) or a yes/no filter that is neither `true` nor
`false` is refused with 400 rather than dropped; the HTML queue keeps the forgiving
behaviour of a browser form that submits every field.
"""

from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_VALUES = ("true", "false")


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = self._refused(request.query_params, filterset.filters)
            if errors:
                raise ValidationError(errors)
        return filterset

    @staticmethod
    def _refused(params, declared) -> dict:
        errors = {}
        for name, filter_ in declared.items():
            for value in params.getlist(name):
                if not value.strip():
                    errors[name] = ["Leave this filter out rather than empty."]
                elif isinstance(filter_, filters.BooleanFilter) and value not in BOOLEAN_VALUES:
                    errors[name] = ["Either true or false."]
        return errors


def by_assignee(queryset, value: str, *, user):
    """A FilterSet method's body for an `assignee` foreign key, shared by the lists that have one:
    `me` (the requesting user), `none` (unassigned), a user id, or a username."""
    value = value.strip()
    if value == "me":
        return queryset.filter(assignee=user) if user is not None and user.is_authenticated else queryset.none()
    if value == "none":
        return queryset.filter(assignee__isnull=True)
    if value.isdigit():
        return queryset.filter(assignee_id=int(value))
    return queryset.filter(assignee__username=value)
