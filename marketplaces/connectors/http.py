"""HTTP plumbing shared by the connectors: timeouts, JSON with Decimal, retries, 401 refresh.

One `HttpClient` per connector (so per account) wraps one `requests.Session`.
Rules it enforces for every platform:
- every call has a timeout (connect 5 s, read 30 s unless the account says otherwise);
- JSON goes through simplejson with `use_decimal`: non-integer numbers are decoded as Decimal and
  Decimals are written with their exact digits, never through float;
- a 401 (Amazon also 403) triggers one token refresh and one new attempt;
- only idempotent calls (GET, and PUTs the connector marks idempotent) are retried
  on transient errors and 429, a couple of times with a short backoff; writes are
  never re-sent here: the connector checks the platform first (check-before-retry);
- errors leave as the classes of `errors.py`, built by the platform's error parser.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import simplejson
from urllib3.exceptions import NewConnectionError

from oms.backoff import backoff_seconds

from .errors import (
    AuthenticationFailed,
    MarketplaceError,
    RateLimited,
    TransientError,
    error_for_status,
    parse_retry_after,
)
from .tokens import CachedToken

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_SECONDS = 5.0
READ_TIMEOUT_SECONDS = 30.0
RETRIES_FOR_SAFE_CALLS = 2
BACKOFF_SECONDS = 1.0
# A Retry-After longer than this is not slept through inside a call: the
# RateLimited error goes up so the caller can reschedule instead of blocking a worker.
MAX_INLINE_WAIT_SECONDS = 10.0

# parse_error(status, headers, decoded body or None, raw text) -> the error to raise
ErrorParser = Callable[[int, Mapping[str, str], Any, str], MarketplaceError]


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: Mapping[str, str]
    body: Any  # decoded JSON (numbers as Decimal), or None for an empty/unreadable body
    text: str
    content: bytes = b""  # the raw bytes of a file (BINARY_TYPES), whose body and text are empty


# Files a platform serves (a message's attachment, Mirakl M13): kept as bytes, never decoded.
BINARY_TYPES = ("application/pdf", "application/octet-stream", "image/")


def loads_json(text: str) -> Any:
    """Decode JSON with every non-integer number as Decimal (money never becomes float)."""
    return simplejson.loads(text, use_decimal=True)


def dumps_json(payload: Any) -> str:
    """Encode JSON writing each Decimal as a JSON number with its exact digits; NaN and infinities raise ValueError."""
    return simplejson.dumps(payload, use_decimal=True, allow_nan=False, ensure_ascii=False)


class HttpClient:
    """Sends requests for one account of one platform."""

    def __init__(
        self,
        *,
        platform: str,
        base_url: str,
        session: requests.Session,
        parse_error: ErrorParser,
        token: CachedToken | None = None,
        token_headers: Callable[[str], dict[str, str]] | None = None,
        static_headers: Mapping[str, str] | None = None,
        refresh_on_statuses: tuple[int, ...] = (401,),
        timeout: tuple[float, float] = (CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS),
        retries: int = RETRIES_FOR_SAFE_CALLS,
        backoff_seconds: float = BACKOFF_SECONDS,
        max_inline_wait: float = MAX_INLINE_WAIT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        call_gate: Callable[[str], None] | None = None,
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.session = session
        self.parse_error = parse_error
        self.token = token
        self.token_headers = token_headers or (lambda token: {"Authorization": f"Bearer {token}"})
        self.static_headers = dict(static_headers or {})
        self.refresh_on_statuses = refresh_on_statuses
        self.timeout = timeout
        self.retries = retries
        self.backoff_seconds = backoff_seconds
        self.max_inline_wait = max_inline_wait
        self.sleep = sleep
        # Called with the operation's name before every attempt: the shared rate
        # limiter waits there (or raises), and the call is counted.
        self.call_gate = call_gate

    def url_for(self, path_or_url: str) -> str:
        """Absolute URL for a path below the base, or a platform-given link on the same origin.

        Raises MarketplaceError for a link to another host (never follow it with our token).
        """
        if path_or_url.startswith(("http://", "https://")):
            url = path_or_url
        elif path_or_url.startswith("/"):
            return self.base_url + path_or_url
        else:
            url = urljoin(self.base_url + "/", path_or_url)
        base, target = urlsplit(self.base_url), urlsplit(url)
        if (base.scheme, base.netloc) != (target.scheme, target.netloc):
            raise MarketplaceError(f"refusing to follow a link to another host: {url}", platform=self.platform)
        return url

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        operation: str = "",
    ) -> HttpResponse:
        """Send one call and return its 2xx response.

        `idempotent` defaults to True for GET/HEAD only; idempotent calls are retried
        on TransientError/RateLimited (see `_retry_delay`). A rejected token is refreshed
        once. Raises the platform's MarketplaceError subclass.
        """
        method = method.upper()
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        url = self.url_for(path)
        call_headers = {"Content-Type": "application/json"} if json_body is not None else {}
        call_headers.update(headers or {})
        body = dumps_json(json_body).encode("utf-8") if json_body is not None else data
        attempt = 0
        refreshed = False
        while True:
            sent_token = self.token.get() if self.token else None
            if self.call_gate is not None:
                self.call_gate(operation or f"{method} {path}")
            try:
                return self._attempt(
                    method,
                    url,
                    params=params,
                    body=body,
                    files=files,
                    headers=call_headers,
                    token=sent_token,
                    idempotent=idempotent,
                )
            except MarketplaceError as error:
                if error.status in self.refresh_on_statuses and self.token and not refreshed:
                    refreshed = True
                    logger.info("%s %s: %s, refreshing the token once", self.platform, url, error.status)
                    self.token.refresh(sent_token)
                    continue
                delay = self._retry_delay(error, idempotent=idempotent, attempt=attempt)
                if delay is None:
                    raise
                attempt += 1
                if delay > 0:
                    self.sleep(delay)

    def _attempt(
        self,
        method: str,
        url: str,
        *,
        params: Any,
        body: Any,
        files: Any,
        headers: Mapping[str, str],
        token: str | None,
        idempotent: bool,
    ) -> HttpResponse:
        """Send the call once, with `token`; return its 2xx response or raise the platform's error for it."""
        request_headers = {"Accept": "application/json", **self.static_headers}
        if token is not None:
            request_headers.update(self.token_headers(token))
        request_headers.update(headers)
        try:
            response = self.session.request(
                method, url, params=params, data=body, files=files, headers=request_headers, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise self._network_error(exc, method, url, idempotent) from exc
        return self._outcome(response, method, url, idempotent)

    def _outcome(self, response: requests.Response, method: str, url: str, idempotent: bool) -> HttpResponse:
        """The response as an HttpResponse with its decoded body, or the platform's error for it."""
        if response.status_code >= 400:
            raise self._http_error(response, idempotent)
        body = None
        content_type = response.headers.get("Content-Type", "")
        if content_type.startswith(BINARY_TYPES):
            return HttpResponse(response.status_code, response.headers, None, "", response.content)
        if content_type.startswith("text/csv"):  # a report file (Mirakl STO03): UTF-8 unless it says otherwise
            text = response.text if "charset=" in content_type else response.content.decode("utf-8", "replace")
            return HttpResponse(response.status_code, response.headers, None, text)
        if response.content.strip():
            try:
                body = loads_json(response.text)
            except ValueError as exc:
                if not idempotent:
                    # The write was applied (2xx); an unreadable confirmation must not
                    # make anyone send it again.
                    logger.warning("%s %s: 2xx with unreadable body", self.platform, url)
                    return HttpResponse(response.status_code, response.headers, None, response.text)
                raise TransientError(
                    f"malformed JSON in the response to {method} {url}: {exc}",
                    platform=self.platform,
                    status=response.status_code,
                    body=response.text[:2000],
                ) from exc
        return HttpResponse(response.status_code, response.headers, body, response.text)

    def _retry_delay(self, error: MarketplaceError, *, idempotent: bool, attempt: int) -> float | None:
        """Seconds to wait before sending the call again, or None when the error goes up to the caller.

        Only TransientError and RateLimited are retried, `retries` times. A write is sent
        again only when it surely never reached the platform (a connect timeout); a
        Retry-After longer than `max_inline_wait` goes up so that the caller reschedules
        instead of blocking a worker.
        """
        if attempt >= self.retries or not isinstance(error, (TransientError, RateLimited)):
            return None
        if not idempotent and (isinstance(error, RateLimited) or error.outcome_unknown):
            return None
        retry_after = error.retry_after if isinstance(error, RateLimited) else None
        if retry_after is None:
            return backoff_seconds(attempt + 1, base=self.backoff_seconds)
        return retry_after if retry_after <= self.max_inline_wait else None

    def _network_error(self, exc: requests.RequestException, method: str, url: str, idempotent: bool) -> TransientError:
        # A connect timeout or a refused connection (no TCP connection, so no byte of the request) means
        # nothing reached the platform; anything later (read timeout, reset connection) may have been applied.
        never_sent = isinstance(exc, requests.ConnectTimeout) or _connection_refused(exc)
        return TransientError(
            f"{method} {url} failed: {type(exc).__name__}: {exc}",
            platform=self.platform,
            outcome_unknown=not idempotent and not never_sent,
        )

    def _http_error(self, response: requests.Response, idempotent: bool) -> MarketplaceError:
        try:
            body = loads_json(response.text) if response.content.strip() else None
        except ValueError:
            body = None
        error = self.parse_error(response.status_code, response.headers, body, response.text)
        if isinstance(error, TransientError) and not idempotent:
            error.outcome_unknown = True
        return error


def _connection_refused(exc: requests.RequestException) -> bool:
    """A new connection that could not be opened (refused, no route, unknown host): urllib3 says so with a
    NewConnectionError (or a NameResolutionError, its subclass) as the reason of the error requests wraps."""
    if not isinstance(exc, requests.ConnectionError):
        return False
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


def fetch_token(
    *,
    session: requests.Session,
    platform: str,
    url: str,
    form: Mapping[str, str],
    timeout: tuple[float, float],
    auth: tuple[str, str] | None = None,
) -> tuple[str, float]:
    """POST an OAuth2 token request (form-encoded) and return (access_token, expires_in).

    Raises AuthenticationFailed when the credentials are refused (400/401 `invalid_grant`,
    `invalid_client`...), RateLimited on 429, TransientError on 5xx, network errors
    or a response without `access_token`.
    """
    try:
        response = session.post(
            url, data=dict(form), auth=auth, timeout=timeout, headers={"Accept": "application/json"}
        )
    except requests.RequestException as exc:
        raise TransientError(f"token request failed: {type(exc).__name__}: {exc}", platform=platform) from exc
    try:
        body = loads_json(response.text) if response.content.strip() else None
    except ValueError:
        body = None
    if response.status_code >= 400:
        code, message = "", response.text[:500]
        if isinstance(body, dict):
            code = str(body.get("error") or body.get("title") or "")
            message = str(body.get("error_description") or body.get("detail") or body.get("message") or message)
        if response.status_code < 500 and response.status_code != 429:
            raise AuthenticationFailed(
                f"token refused: {message}", platform=platform, status=response.status_code, code=code, body=body
            )
        raise error_for_status(
            response.status_code,
            f"token request failed: {message}",
            platform=platform,
            code=code,
            body=body,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
        )
    if not isinstance(body, dict) or not body.get("access_token"):
        raise TransientError("token response without access_token", platform=platform, body=response.text[:500])
    try:
        expires_in = float(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        expires_in = 3600.0
    return str(body["access_token"]), expires_in
