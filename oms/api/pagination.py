from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Cursor pagination, newest first by primary key: stable under inserts."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
