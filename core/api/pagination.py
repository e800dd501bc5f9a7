"""Page-number pagination in the envelope: data is the list, meta has count/next/previous.

``page`` (from 1) and ``pageSize`` (1 to 100) must be integers in range: anything else, a
``pageSize`` over 100 included, is a 400 VALIDATION_ERROR naming the parameter (as the schema's
minimum and maximum say). A page past the last one is a 404.
"""

from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.errors import ApplicationError, ErrorCode


def _query_int(request, name: str, *, minimum: int, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or value < minimum or (maximum is not None and value > maximum):
        expected = f"{minimum} or more" if maximum is None else f"{minimum} to {maximum}"
        raise ApplicationError(
            ErrorCode.VALIDATION_ERROR, "Invalid input", details={name: [f"Must be an integer, {expected}."]}
        )
    return value


class EnvelopePagination(PageNumberPagination):
    page_size = 20
    page_query_param = "page"
    page_size_query_param = "pageSize"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        _query_int(request, self.page_query_param, minimum=1)
        _query_int(request, self.page_size_query_param, minimum=1, maximum=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1. A page past the last one is a 404.",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": (
                    f"Items per page, 1 to {self.max_page_size} (default {self.page_size});"
                    " a value out of range is a 400 VALIDATION_ERROR."
                ),
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size, "default": self.page_size},
            },
        ]

    def get_paginated_response(self, data):
        return Response(
            {
                "success": True,
                "data": data,
                "meta": {
                    "count": self.page.paginator.count,
                    "next": self.get_next_link(),
                    "previous": self.get_previous_link(),
                },
            }
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["success", "data", "meta"],
            "properties": {
                "success": {"type": "boolean", "enum": [True], "example": True},
                "data": schema,
                "meta": {
                    "type": "object",
                    "required": ["count", "next", "previous"],
                    "properties": {
                        "count": {"type": "integer", "description": "Items in all pages", "example": 1},
                        "next": {"type": "string", "format": "uri", "nullable": True, "example": None},
                        "previous": {"type": "string", "format": "uri", "nullable": True, "example": None},
                    },
                },
            },
        }
