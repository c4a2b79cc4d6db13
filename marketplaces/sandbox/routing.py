"""Routes of a platform module: method + path pattern → operation name and handler.

A platform module exposes `ROUTES`, `authenticate(world, request)` (the account or an
ApiError 401), `token_account(world, request)` (the account a token request names, or
None), `error_response(ApiError)`, `throttled(retry_after)` and `server_error(status)`.
Handlers are `handler(world, account, request, **path_params) -> Response`, called under
the world lock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .wire import ApiError


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    operation: str
    handler: Callable
    kind: str = "api"  # "api": needs a token/key; "token": the auth endpoint; "public": no auth
    is_list: bool = False  # paginated list: the page faults apply


def route(
    method: str, template: str, operation: str, handler: Callable, *, kind: str = "api", is_list: bool = False
) -> Route:
    """`template` like "/orders/v0/orders/{orderId}"; each {name} matches one path segment."""
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "/?$"
    return Route(method, re.compile(regex), operation, handler, kind, is_list)


def match(routes: list[Route], method: str, path: str) -> tuple[Route | None, dict[str, str]]:
    """The route for this request; raises ApiError 405 when only the method is wrong."""
    path_matched = False
    for candidate in routes:
        found = candidate.pattern.match(path)
        if not found:
            continue
        path_matched = True
        if candidate.method == method:
            return candidate, found.groupdict()
    if path_matched:
        raise ApiError(405, "MethodNotAllowed", f"Method {method} is not allowed on {path}")
    return None, {}


def bearer(header_value: str) -> str:
    """The token of an `Authorization: Bearer …` header ("" when absent)."""
    scheme, _, token = header_value.partition(" ")
    return token.strip() if scheme.lower() in ("bearer", "iaf") else ""
