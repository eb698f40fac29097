"""Admin request handling: a JSON object body and its fields, checked strictly and exactly,
and `endpoint`, which turns a handler's dict or `AdminError` into the JSON answer.

Invariants:
- numbers are read with `parse_float=Decimal`, so `0.1` is exactly `Decimal("0.1")`; a number
  may also be sent as a string ("0.1"); NaN, Infinity and booleans are never numbers;
- every problem raises `AdminError` with a message naming the field, before anything changes;
- unknown fields are refused (a misspelt field must not be silently ignored).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..engine.instruments import Instrument
from ..server.http import KrakenJSON, state_of
from ..server.state import ServerState

MAX_BODY_BYTES = 1 << 16
#: Largest magnitude and finest step accepted for an amount or a price.
_LIMIT = Decimal(10) ** 18
_MIN_EXPONENT = -18


class AdminError(Exception):
    """Bad admin input (400) or a request the server cannot honour as configured (409)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


Handler = Callable[[Request, ServerState], Awaitable[dict[str, Any]]]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """A Starlette endpoint from `handler(request, state) -> dict`: the dict as JSON, or an
    `AdminError` as `{"error": message}` with its status."""

    async def run(request: Request) -> Response:
        try:
            payload = await handler(request, state_of(request))
        except AdminError as exc:
            return KrakenJSON({"error": exc.message}, status_code=exc.status)
        return KrakenJSON(payload)

    run.__name__ = handler.__name__
    return run


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


async def body(request: Request, allowed: Iterable[str]) -> dict[str, Any]:
    """The request's JSON object (an empty body is `{}`), with only `allowed` fields."""
    raw = bytearray()
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY_BYTES:
            raise AdminError(f"body is larger than {MAX_BODY_BYTES} bytes")
    if not raw.strip():
        return {}
    try:
        document = json.loads(bytes(raw), parse_float=Decimal, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise AdminError(f"body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise AdminError("body must be a JSON object")
    unknown = sorted(set(document) - set(allowed))
    if unknown:
        raise AdminError(
            f"unknown field(s): {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})"
        )
    return document


def decimal(value: object, field: str) -> Decimal:
    """An exact decimal from a JSON number or a numeric string."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        raise AdminError(f"{field} must be a number or a numeric string, got {_show(value)}")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise AdminError(f"{field} is not a number: {_show(value)}") from None
    if not number.is_finite():
        raise AdminError(f"{field} must be finite, got {_show(value)}")
    exponent = number.normalize().as_tuple().exponent
    if abs(number) >= _LIMIT or (isinstance(exponent, int) and exponent < _MIN_EXPONENT):
        raise AdminError(f"{field} is out of range (|x| < 1e18, at most 18 decimals)")
    return number


def positive(value: object, field: str) -> Decimal:
    number = decimal(value, field)
    if number <= 0:
        raise AdminError(f"{field} must be greater than zero, got {_show(value)}")
    return number


def integer(value: object, field: str) -> int:
    """A whole number (JSON integer, integral decimal, or a string of one)."""
    number = decimal(value, field)
    if number != number.to_integral_value():
        raise AdminError(f"{field} must be a whole number, got {_show(value)}")
    return int(number)


def text(value: object, field: str, max_length: int = 100) -> str:
    if not isinstance(value, str) or not value.strip():
        raise AdminError(f"{field} must be a non-empty string, got {_show(value)}")
    if len(value) > max_length:
        raise AdminError(f"{field} is longer than {max_length} characters")
    return value.strip()


def mapping(value: object, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise AdminError(f"{field} must be a JSON object, got {_show(value)}")
    return value


def required(document: dict[str, Any], field: str) -> Any:
    if field not in document:
        raise AdminError(f"missing field: {field}")
    return document[field]


def choice(value: object, field: str, options: Iterable[str]) -> str:
    options = list(options)
    if not isinstance(value, str) or value not in options:
        raise AdminError(f"{field} must be one of {', '.join(options)}, got {_show(value)}")
    return value


def _show(value: object) -> str:
    shown = json.dumps(value, default=str)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def funding(
    instruments: Iterable[Instrument],
    haircuts: Mapping[str, Decimal],
    balances: object,
    wallets: object,
) -> dict[str, dict[str, Decimal]]:
    """Starting balances per wallet from `balances` (the flex wallet) and `wallets` (any wallet).

    Currencies must be ones the exchange can value (collateral currencies and the listed
    instruments' base and quote); a single-collateral wallet (`fi_xbtusd`) holds only its coin.
    Amounts must not be negative.
    """
    insts = list(instruments)
    currencies = set(haircuts) | {i.base for i in insts} | {i.quote for i in insts}
    coins = {i.margin_wallet: i.settlement_currency for i in insts if i.inverse}
    out: dict[str, dict[str, Decimal]] = {}
    if balances is not None:
        out["flex"] = _wallet(mapping(balances, "balances"), "balances", currencies)
    for wallet, content in mapping(wallets, "wallets").items() if wallets is not None else ():
        field = f"wallets.{wallet}"
        if wallet in ("flex", "cash"):
            allowed = currencies
        elif wallet in coins:
            allowed = {coins[wallet]}
        else:
            names = ", ".join(["flex", "cash", *sorted(coins)])
            raise AdminError(f"unknown wallet {wallet!r} (wallets: {names})")
        if wallet == "flex" and "flex" in out:
            raise AdminError("give flex balances either as balances or as wallets.flex, not both")
        out[wallet] = _wallet(mapping(content, field), field, allowed)
    return out


def _wallet(content: dict[str, Any], field: str, allowed: set[str]) -> dict[str, Decimal]:
    wallet: dict[str, Decimal] = {}
    for currency, value in content.items():
        if currency not in allowed:
            raise AdminError(
                f"{field}: unknown currency {currency!r} (accepted: {', '.join(sorted(allowed))})"
            )
        qty = decimal(value, f"{field}.{currency}")
        if qty < 0:
            raise AdminError(f"{field}.{currency} must not be negative")
        wallet[currency] = qty
    return wallet
