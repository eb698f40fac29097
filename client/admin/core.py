"""The pure core of the admin clients: errors, request builders and answer parsing, no I/O.

Each builder (`open_account`, `advance_clock`, ...) returns a `Call`: method, path, JSON body
and the parser of the answer; `finish(call, status, content)` turns the answer into the typed
result or the matching `AdminError`. The shells (`client.admin.shells`) only send calls.

Invariants:
- amounts go out as exact, finite decimal strings in plain notation (floats and booleans are
  refused with TypeError; non-numbers, NaN and Infinity with ValueError);
- a non-200 answer is an `AdminError` subclass chosen by its status (400 input, 404 unknown id
  or symbol in the path, 409 not possible as configured) carrying the server's `{"error"}`
  message; a server without the admin API and a malformed answer have their own classes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from .models import (
    AccountDetails,
    AccountKeys,
    AdminCancellation,
    ClockMove,
    ClockState,
    FundingRate,
    MarketPrices,
    MarketStateChange,
    ResetResult,
    RfqAcceptance,
    RfqCreated,
    StateDump,
)
from .reader import Reader

T = TypeVar("T")
Number = Decimal | int | str
Json = dict[str, Any]

ADMIN = "/__admin"


# -- errors --------------------------------------------------------------------------------


class AdminError(Exception):
    """A refused or failed admin call: `status` (0 when no answer came) and the server's message."""

    def __init__(self, status: int, message: str, method: str = "", path: str = "") -> None:
        super().__init__(f"{method} {path} -> {status}: {message}" if method else message)
        self.status = status
        self.message = message
        self.method = method
        self.path = path


class AdminInputError(AdminError):
    """HTTP 400: bad input (the message names the field); nothing changed on the server."""


class AdminNotFoundError(AdminError):
    """HTTP 404: an unknown account id, order id, RFQ uid or symbol in the path."""


class AdminConflictError(AdminError):
    """HTTP 409: not possible as the server is configured (e.g. moving a real clock)."""


class AdminUnavailableError(AdminError):
    """The server answers but does not serve `/__admin/` (started with `--no-admin`)."""


class AdminConnectionError(AdminError):
    """No answer: the server could not be reached or timed out."""


class AdminResponseError(AdminError):
    """An answer the admin API does not give: unexpected status, not JSON, or missing fields."""


_BY_STATUS: Mapping[int, type[AdminError]] = MappingProxyType({
    400: AdminInputError,
    404: AdminNotFoundError,
    409: AdminConflictError,
})


# -- the pure core -------------------------------------------------------------------------


@dataclass(frozen=True)
class Call(Generic[T]):
    """One admin request and how to read its answer."""

    method: str
    path: str
    body: Json | None
    parse: Callable[[Reader], T]


def finish(call: Call[T], status: int, content: bytes) -> T:
    """The typed result of `call` from the answer's status and body, or the matching error."""
    try:
        doc = json.loads(content, parse_float=Decimal) if content.strip() else None
    except (ValueError, UnicodeDecodeError):
        doc = None
    if status != 200:
        raise _error(call, status, doc, content)
    if not isinstance(doc, dict):
        raise AdminResponseError(status, f"answer is not a JSON object: {content[:200]!r}",
                                 call.method, call.path)  # fmt: skip
    try:
        return call.parse(Reader(doc, call.path))
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise AdminResponseError(status, f"unexpected answer: {exc}", call.method,
                                 call.path) from None  # fmt: skip


def _error(call: Call[Any], status: int, doc: object, content: bytes) -> AdminError:
    if isinstance(doc, dict) and doc.get("result") == "error":  # Kraken's envelope, not ours
        return AdminUnavailableError(
            status, "the server does not serve the admin API at /__admin/ "
            "(was it started with --no-admin?)", call.method, call.path,
        )  # fmt: skip
    if isinstance(doc, dict) and isinstance(doc.get("error"), str):
        kind = _BY_STATUS.get(status, AdminResponseError)
        return kind(status, doc["error"], call.method, call.path)
    return AdminResponseError(status, f"unexpected answer: {content[:200]!r}", call.method,
                              call.path)  # fmt: skip


def _amount(value: Number, name: str) -> str:
    """An exact, finite decimal string for the wire, in plain notation; floats and booleans
    are refused (TypeError), strings that are not numbers and NaN/Infinity too (ValueError)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{name} must be a Decimal, int or decimal string, not {value!r}")
    if isinstance(value, int):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(value.strip())
    except InvalidOperation:
        raise ValueError(f"{name}: {value!r} is not a decimal number") from None
    if not number.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return format(number, "f")


def _amounts(table: Mapping[str, Number], name: str) -> dict[str, str]:
    return {cur: _amount(qty, f"{name}.{cur}") for cur, qty in table.items()}


def _segment(value: str, name: str) -> str:
    """One path segment, quoted; an empty or non-string id is refused before sending."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return quote(value, safe="")


def health() -> Call[str]:
    return Call("GET", f"{ADMIN}/health", None, lambda r: r.text("status"))


def open_account(
    name: str | None = None,
    balances: Mapping[str, Number] | None = None,
    wallets: Mapping[str, Mapping[str, Number]] | None = None,
    master: str | None = None,
) -> Call[AccountKeys]:
    body: Json = {}
    if name is not None:
        body["name"] = name
    if balances is not None:
        body["balances"] = _amounts(balances, "balances")
    if wallets is not None:
        body["wallets"] = {w: _amounts(t, f"wallets.{w}") for w, t in wallets.items()}
    if master is not None:
        body["master"] = master
    return Call("POST", f"{ADMIN}/accounts", body, AccountKeys.read)


def account(account_id: str) -> Call[AccountDetails]:
    path = f"{ADMIN}/accounts/{_segment(account_id, 'account_id')}"
    return Call("GET", path, None, AccountDetails.read)


def reset() -> Call[ResetResult]:
    return Call("POST", f"{ADMIN}/reset", {}, ResetResult.read)


def clock() -> Call[ClockState]:
    return Call("GET", f"{ADMIN}/clock", None, ClockState.read)


def advance_clock(ms: int) -> Call[ClockMove]:
    return Call("POST", f"{ADMIN}/clock", {"advance_ms": _integer(ms, "ms")}, ClockMove.read)


def set_clock(now_ms: int) -> Call[ClockMove]:
    return Call("POST", f"{ADMIN}/clock", {"set_ms": _integer(now_ms, "now_ms")}, ClockMove.read)


def _integer(value: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int (milliseconds), not {value!r}")
    return value


def set_prices(
    symbol: str,
    mark: Number | None = None,
    index: Number | None = None,
    last: Number | None = None,
) -> Call[MarketPrices]:
    body: Json = {"symbol": symbol}
    for key, value in (("mark", mark), ("index", index), ("last", last)):
        if value is not None:
            body[key] = _amount(value, key)
    return Call("POST", f"{ADMIN}/prices", body, MarketPrices.read)


def set_market_state(symbol: str, state: str) -> Call[MarketStateChange]:
    path = f"{ADMIN}/markets/{_segment(symbol, 'symbol')}"
    return Call("POST", path, {"state": state}, MarketStateChange.read)


def cancel_order(order_id: str) -> Call[AdminCancellation]:
    path = f"{ADMIN}/orders/{_segment(order_id, 'order_id')}/cancel"
    return Call("POST", path, {}, AdminCancellation.read)


def set_funding_rate(symbol: str, rate: Number | None) -> Call[FundingRate]:
    body: Json = {"symbol": symbol, "rate": None if rate is None else _amount(rate, "rate")}
    return Call("POST", f"{ADMIN}/funding", body, FundingRate.read)


def state() -> Call[StateDump]:
    return Call("GET", f"{ADMIN}/state", None, StateDump.read)


def create_rfq(
    symbol: str, size: Number, side: str | None = None, lifetime_ms: int | None = None
) -> Call[RfqCreated]:
    body: Json = {"symbol": symbol, "side": side, "size": _amount(size, "size")}
    if lifetime_ms is not None:
        body["lifetime_ms"] = _integer(lifetime_ms, "lifetime_ms")
    return Call("POST", f"{ADMIN}/rfqs", body, RfqCreated.read)


def accept_rfq(rfq_uid: str, account_id: str | None = None) -> Call[RfqAcceptance]:
    body: Json = {} if account_id is None else {"account_id": account_id}
    path = f"{ADMIN}/rfqs/{_segment(rfq_uid, 'rfq_uid')}/accept"
    return Call("POST", path, body, RfqAcceptance.read)
