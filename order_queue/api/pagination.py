from oms.api.pagination import IdCursorPagination


class SyncCursorPagination(IdCursorPagination):
    """Incremental sync (`updated_since`): oldest change first, then id, so a page boundary never
    skips an order; an order changed again while an ERP pages moves to a later page."""

    ordering = ("updated_at", "id")
