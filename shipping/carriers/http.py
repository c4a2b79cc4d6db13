"""The one way the carrier connectors call HTTP: timeouts, and carrier errors from statuses."""

from __future__ import annotations

from collections.abc import Callable

import requests

from shipping.carriers import CarrierRefused, CarrierUnavailable

TIMEOUT_SECONDS = (5, 30)  # connect, read


def call(
    session: requests.Session, method: str, url: str, *, error_text: Callable[[requests.Response], str], **kwargs
) -> requests.Response:
    """The response when its status is 2xx; raises CarrierUnavailable (network, 429, 5xx) or
    CarrierRefused (other 4xx) with the carrier's own message from `error_text`."""
    try:
        response = session.request(method, url, timeout=TIMEOUT_SECONDS, **kwargs)
    except requests.RequestException as error:
        raise CarrierUnavailable(f"{type(error).__name__}: {error}") from error
    if response.ok:
        return response
    text = f"HTTP {response.status_code}: {_safe(error_text, response)}"
    if response.status_code == 429 or response.status_code >= 500:
        retry_after = response.headers.get("Retry-After")
        raise CarrierUnavailable(
            text,
            status=response.status_code,
            retry_after=float(retry_after) if retry_after and retry_after.isdigit() else None,
        )
    raise CarrierRefused(text, status=response.status_code)


def _safe(error_text: Callable[[requests.Response], str], response: requests.Response) -> str:
    try:
        return error_text(response) or response.text[:500]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return response.text[:500]
