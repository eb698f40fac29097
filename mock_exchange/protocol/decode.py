"""Wire parameters to engine commands.

`Params` merges the query string and an x-www-form-urlencoded body (query first), accepts
repeated keys, `+` and `%20` for spaces, and reads names exactly as Kraken spells them (plus the
`ProcessBefore` alias one SDK sends). Decoders raise `WireError` for a missing or malformed
argument, so the request fails before it reaches the exchange; unknown parameters are ignored.
Commands come back with an empty account id; the handler fills it in after authentication.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qsl

from ..engine import commands as c
from ..engine.types import DeviationUnit, OrderType, QtyMode, Side, TriggerSignal
from .errors import WireError, invalid, missing
from .formats import parse_bool, parse_iso, symbol

MAX_NUMBER_CHARS = 64
MAX_EXPONENT = 18  # |x| within 1e-18 .. 1e19: anything beyond is not a price or a size


class Params:
    """Request parameters as lists of strings per name."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, list[str]] | None = None) -> None:
        self._values: dict[str, list[str]] = values or {}

    @classmethod
    def parse(cls, raw_query: bytes, raw_body: bytes) -> Params:
        values: dict[str, list[str]] = {}
        for raw in (raw_query, raw_body):
            if not raw:
                continue
            text = raw.decode("utf-8", errors="replace")
            for key, value in parse_qsl(text, keep_blank_values=True):
                values.setdefault(key, []).append(value)
        return cls(values)

    @classmethod
    def from_mapping(cls, mapping: Mapping[str, Any]) -> Params:
        """Parameters from a decoded JSON object (batch instructions)."""
        values: dict[str, list[str]] = {}
        for key, value in mapping.items():
            items = value if isinstance(value, list) else [value]
            values[key] = [_json_text(v) for v in items if v is not None]
        return cls(values)

    def merged(self, other: Params) -> Params:
        """These parameters followed by `other`'s (query first, then body)."""
        values = {k: list(v) for k, v in self._values.items()}
        for key, more in other._values.items():
            values.setdefault(key, []).extend(more)
        return Params(values)

    def text(self, name: str, required: bool = False) -> str | None:
        values = self._values.get(name)
        if not values or values[0] == "":
            if required:
                raise missing(name)
            return None
        return values[0]

    def all(self, name: str) -> list[str]:
        """Every value of a repeated parameter; comma-joined lists are split too."""
        out: list[str] = []
        for value in self._values.get(name, []):
            out.extend(part for part in value.split(",") if part)
        return out

    def decimal(self, name: str, required: bool = False) -> Decimal | None:
        text = self.text(name, required)
        if text is None:
            return None
        return to_decimal(text, name)

    def integer(self, name: str, required: bool = False) -> int | None:
        value = self.decimal(name, required)
        if value is None:
            return None
        if value != value.to_integral_value():
            raise invalid(name)
        return int(value)

    def flag(self, name: str) -> bool:
        text = self.text(name)
        if text is None:
            return False
        value = parse_bool(text)
        if value is None:
            raise invalid(name)
        return value

    def time(self, *names: str) -> int | None:
        for name in names:
            text = self.text(name)
            if text is not None:
                ms = parse_iso(text)
                if ms is None:
                    raise invalid(name)
                return ms
        return None

    def __contains__(self, name: str) -> bool:
        return self.text(name) is not None


def _json_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    raise WireError("Json Parse Error")


def to_decimal(text: str, name: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise invalid(name)
    try:
        value = Decimal(text.strip())
    except (InvalidOperation, ValueError):
        raise invalid(name) from None
    if not value.is_finite() or (value and not -MAX_EXPONENT <= value.adjusted() <= MAX_EXPONENT):
        raise invalid(name)
    return value


def _enum(params: Params, name: str, table: Mapping[str, Any], required: bool = False) -> Any:
    text = params.text(name, required)
    if text is None:
        return None
    value = table.get(text.strip().lower())
    if value is None:
        raise invalid(name)
    return value


ORDER_TYPES = {t.value: t for t in OrderType if t is not OrderType.LIQUIDATION}
SIDES = {"buy": Side.BUY, "sell": Side.SELL}
SIGNALS = {
    "mark": TriggerSignal.MARK,
    "index": TriggerSignal.INDEX,
    "spot": TriggerSignal.INDEX,
    "last": TriggerSignal.LAST,
}
UNITS = {"percent": DeviationUnit.PERCENT, "quote_currency": DeviationUnit.QUOTE_CURRENCY}
QTY_MODES = {"relative": QtyMode.RELATIVE, "absolute": QtyMode.ABSOLUTE}


_LIMIT_TYPES = (OrderType.LMT, OrderType.POST, OrderType.IOC, OrderType.FOK)


def _process_before(params: Params) -> int | None:
    return params.time("processBefore", "ProcessBefore")


def place_order(params: Params) -> c.PlaceOrder:
    """`sendorder` parameters (and batch `send` instructions)."""
    text = params.text("orderType", True)
    assert text is not None
    order_type = ORDER_TYPES.get(text.strip().lower())
    if order_type is None:
        raise WireError("invalidArgument: orderType")
    side = _enum(params, "side", SIDES, True)
    sym = symbol(params.text("symbol", True) or "")
    size = params.decimal("size", True)
    limit = params.decimal("limitPrice")
    stop = params.decimal("stopPrice")
    if order_type in _LIMIT_TYPES and limit is None:
        raise missing("limitPrice")
    if order_type in (OrderType.STP, OrderType.TAKE_PROFIT) and stop is None:
        raise missing("stopPrice")
    if order_type is OrderType.TRAILING_STOP and (
        "trailingStopMaxDeviation" not in params or "trailingStopDeviationUnit" not in params
    ):
        raise missing("trailingStopMaxDeviation")
    return c.PlaceOrder(
        account_id="",
        symbol=sym,
        side=side,
        order_type=order_type,
        size=size,  # type: ignore[arg-type]
        limit_price=limit,
        stop_price=stop,
        trigger_signal=_enum(params, "triggerSignal", SIGNALS),
        reduce_only=params.flag("reduceOnly"),
        cli_ord_id=params.text("cliOrdId"),
        trailing_max_deviation=params.decimal("trailingStopMaxDeviation"),
        trailing_unit=_enum(params, "trailingStopDeviationUnit", UNITS),
        limit_offset_value=params.decimal("limitPriceOffsetValue"),
        limit_offset_unit=_enum(params, "limitPriceOffsetUnit", UNITS),
        process_before=_process_before(params),
    )


def edit_order(params: Params) -> c.EditOrder:
    """`editorder` parameters (and batch `edit` instructions, which say `order_id`)."""
    order_id = params.text("orderId") or params.text("order_id")
    cli = params.text("cliOrdId")
    if order_id is None and cli is None:
        raise missing("orderId")
    return c.EditOrder(
        account_id="",
        order_id=order_id,
        cli_ord_id=None if order_id is not None else cli,
        size=params.decimal("size"),
        limit_price=params.decimal("limitPrice"),
        stop_price=params.decimal("stopPrice"),
        trailing_max_deviation=params.decimal("trailingStopMaxDeviation"),
        trailing_unit=_enum(params, "trailingStopDeviationUnit", UNITS),
        qty_mode=_enum(params, "qtyMode", QTY_MODES) or QtyMode.RELATIVE,
        process_before=_process_before(params),
    )


def cancel_order(params: Params) -> c.CancelOrder:
    order_id = params.text("order_id") or params.text("orderId")
    cli = params.text("cliOrdId")
    if order_id is None and cli is None:
        raise missing("order_id")
    return c.CancelOrder(
        "", order_id, None if order_id is not None else cli, _process_before(params)
    )


def cancel_all(params: Params) -> c.CancelAll:
    sym = params.text("symbol")
    return c.CancelAll("", symbol(sym) if sym is not None else None)


MAX_DEAD_MAN_SWITCH_S = 86_400


def dead_man_switch(params: Params) -> c.ArmDeadManSwitch:
    timeout = params.integer("timeout", True)
    assert timeout is not None
    if not 0 <= timeout <= MAX_DEAD_MAN_SWITCH_S:
        raise invalid("timeout")
    return c.ArmDeadManSwitch("", timeout)


def leverage_preference(params: Params, max_leverage: Decimal | None) -> c.SetLeveragePreference:
    """PUT leveragepreferences: `symbol` (required) at `maxLeverage`, decoded by the caller
    before authentication (`params.decimal`); absent: back to cross margin."""
    return c.SetLeveragePreference("", _preference_symbol(params), max_leverage)


def pnl_preference(params: Params, currency: str) -> c.SetPnlPreference:
    """PUT pnlpreferences: `symbol` (required) and the `pnlPreference` currency (the caller
    reads it, required, before authentication); both are upper-cased."""
    return c.SetPnlPreference("", _preference_symbol(params), symbol(currency))


def _preference_symbol(params: Params) -> str:
    text = params.text("symbol")
    if text is None:
        raise missing("symbol")
    return symbol(text)


MAX_BATCH = 100


def batch_instructions(params: Params) -> list[dict[str, Any]]:
    """The `json` parameter of `batchorder`: a list of instruction objects."""
    text = params.text("json", True)
    assert text is not None
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise WireError("Json Parse Error") from None
    instructions = document.get("batchOrder") if isinstance(document, dict) else None
    if not isinstance(instructions, list):
        raise missing("batchOrder")
    if len(instructions) > MAX_BATCH:
        raise invalid("batchOrder")
    if not all(isinstance(i, dict) for i in instructions):
        raise WireError("Json Parse Error")
    return instructions
