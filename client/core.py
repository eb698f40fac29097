"""The pure core shared by the sync and async clients: one ``Call`` per request, and the one
function that turns an HTTP answer into a typed result or a ``KrakenError``.

A ``Call`` says everything about a request without doing it: method, path (with the
``/derivatives`` prefix, as sent), parameters (already rendered as strings, in order), an
optional JSON body, whether it is signed, its rate-limit cost (reference §6) and the parser of
the success envelope. ``Call.encode()`` gives the exact query string and body the shells send
(and sign): POST parameters go in an ``application/x-www-form-urlencoded`` body (unless
``query_params``), GET/PUT/DELETE parameters in the query string, as python-kraken-sdk and
Kraken's Go SDK do.

``result(call, http_status, body)`` checks the envelope (§3): an ``error`` string, an
``errors`` list, or (the 2026 RFQ API's refusals) a ``reason`` / ``status:"failed"`` beside
``result:"success"`` raises the class that ``errors.ERRORS`` names; a string the table does not
know raises the class its HTTP status implies (401/403, 404, 429, 5xx), else ``KrakenError``; a
non-2xx status without a Kraken body raises by status; otherwise ``call.parse`` reads the
payload, which may itself raise for an order-level rejection, and a payload missing what Kraken
always sends (a list key included: it is never read as empty) raises ``UnexpectedResponse``.
(Network failures stay httpx's ``httpx.TransportError``.)

Invariant: no I/O, no clock, no randomness here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from .errors import (
    ERRORS,
    AuthenticationError,
    ExchangeUnavailable,
    KrakenError,
    NotFound,
    RateLimitExceeded,
    UnexpectedResponse,
    error_class,
)
from .values import decode_json

T = TypeVar("T")
Json = dict[str, Any]

DEFAULT_BASE_URL = "https://futures.kraken.com"
V3 = "/derivatives/api/v3"
FORM = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"

_STATUS_ERRORS: Mapping[int, type[KrakenError]] = MappingProxyType({
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFound,
    429: RateLimitExceeded,
})


@dataclass(frozen=True)
class Call(Generic[T]):
    """One Kraken request, fully described; ``parse`` reads the success envelope."""

    method: str
    path: str
    parse: Callable[[Json], T]
    params: tuple[tuple[str, str], ...] = ()
    json_body: str | None = None
    private: bool = True
    cost: int = 0
    errors: Mapping[str, type[KrakenError]] | None = field(default=None, compare=False)
    #: POST parameters in the query string instead of a form body (the 2026 RFQ API)
    query_params: bool = False

    def encode(self) -> tuple[str, bytes, str | None]:
        """(query string, body bytes, content type) exactly as they go on the wire."""
        encoded = urlencode(self.params)
        if self.json_body is not None:
            return encoded, self.json_body.encode("utf-8"), JSON_TYPE
        if self.method == "POST" and not self.query_params:
            return "", encoded.encode("ascii"), FORM
        return encoded, b"", None


def params(*pairs: tuple[str, str | None]) -> tuple[tuple[str, str], ...]:
    """Parameter pairs in order, leaving out those whose value is None."""
    return tuple((k, v) for k, v in pairs if v is not None)


def result(call: Call[T], http_status: int, body: bytes | str) -> T:
    """The typed result of ``call`` from its HTTP answer, or the matching ``KrakenError``."""
    try:
        decoded = decode_json(body) if body else None
    except ValueError:
        decoded = None
    if not isinstance(decoded, dict):
        raise _by_status(http_status, body)
    error = _error_code(decoded)
    if error is not None:
        cls = error_class(error, overrides=call.errors, fallback=_status_class(http_status))
        raise cls(error, payload=decoded, http_status=http_status)
    if not 200 <= http_status < 300:
        raise _by_status(http_status, body, decoded)
    if decoded.get("result", "success") != "success":
        raise UnexpectedResponse(str(decoded.get("result")), payload=decoded,
                                 http_status=http_status)
    try:
        return call.parse(decoded)
    except (KeyError, ValueError, TypeError, AttributeError) as broken:
        raise UnexpectedResponse(
            "malformed", f"{call.path}: answer not in Kraken's shape ({broken!r})",
            payload=decoded, http_status=http_status,
        ) from broken


def _error_code(decoded: Json) -> str | None:
    """Kraken's error string: ``error`` (form A); else, for a coded ``errors`` list (form B),
    the first message the table knows, else the envelope ``status`` if known, else the
    message; else ``status`` on any other ``result: error`` answer; else, on a success
    envelope, a refusal ``reason`` (or ``status: "failed"`` without one)."""
    error = decoded.get("error")
    if isinstance(error, str) and error:
        return error
    status = decoded.get("status")
    status = status if isinstance(status, str) and status else None
    errors = decoded.get("errors")
    if isinstance(errors, list) and errors:
        first = errors[0] if isinstance(errors[0], dict) else {}
        message = str(first.get("message") or "") or None
        for candidate in (message, status):
            if candidate is not None and candidate in ERRORS:
                return candidate
        return message or status or "unknownError"
    if decoded.get("result") == "error":
        return status or "unknownError"
    if decoded.get("result") != "success":
        return None
    reason = decoded.get("reason")
    if isinstance(reason, str) and reason:
        return reason
    if status == "failed":
        return "failed"
    return None


def _status_class(http_status: int) -> type[KrakenError] | None:
    """The class an error status implies on its own (None for 2xx and unmapped 4xx)."""
    cls = _STATUS_ERRORS.get(http_status)
    if cls is None and http_status >= 500:
        cls = ExchangeUnavailable
    return cls


def _by_status(http_status: int, body: bytes | str, decoded: Json | None = None) -> KrakenError:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    cls = _status_class(http_status) or UnexpectedResponse
    message = f"HTTP {http_status}: {text[:200]!r}"
    return cls(f"HTTP {http_status}", message, payload=decoded or {}, http_status=http_status)


def payload(key: str, parse: Callable[[Json], T]) -> Callable[[Json], T]:
    """A parser reading the object under ``key`` of the envelope."""

    def read(envelope: Json) -> T:
        return parse(envelope[key])

    return read


def payload_list(key: str, parse: Callable[[Json], T]) -> Callable[[Json], list[T]]:
    """A parser reading each element of the list under ``key`` of the envelope; a missing key
    or a non-list is a malformed answer (``UnexpectedResponse``), never an empty list."""
    return payload_list_any((key,), parse)


def payload_list_any(
    keys: tuple[str, ...], parse: Callable[[Json], T],
) -> Callable[[Json], list[T]]:
    """Like ``payload_list``, reading the first of ``keys`` the envelope has (for a list Kraken
    has renamed between API generations)."""

    def read(envelope: Json) -> list[T]:
        return [parse(item) for item in listed(envelope, keys)]

    return read


def listed(envelope: Json, keys: tuple[str, ...]) -> list[Any]:
    """The list under the first of ``keys`` present in ``envelope``; ``ValueError`` if none is
    there or it is not a list."""
    for key in keys:
        if key in envelope:
            items = envelope[key]
            if not isinstance(items, list):
                raise ValueError(f"{key!r} is not a list: {items!r:.80}")
            return items
    raise ValueError(f"the answer has no {' or '.join(map(repr, keys))}")


def segment(value: str) -> str:
    """``value`` as one URL path segment; refuses what would change the path instead."""
    if not value or any(ch in value for ch in "/?#%\\ ") or value in (".", ".."):
        raise ValueError(f"{value!r} cannot be used in a URL path")
    return value
