"""Order parameters: Python names to Kraken's, for sendorder, editorder and batch instructions.

``send_params``/``edit_params`` render the keyword arguments of ``submit_order``/``edit_order``
into Kraken's ordered (name, value) pairs; ``BatchSend``/``BatchEdit``/``BatchCancel`` are the
instructions of ``batch_order_management`` and ``batch_json`` writes the ``json`` form field
(numbers as exact JSON numbers, never through a float).

What is checked here, before anything is sent: the order type is one of Kraken's eight, the
side is buy or sell, units and trigger signals are Kraken's spellings, numbers are exact
(``Decimal``, ``int`` or numeric ``str``; a ``float`` is refused), and an edit or cancel names
its order by exactly one of ``order_id``/``cli_ord_id``. Everything else (prices on the tick,
sizes, which parameters an order type needs) is the exchange's to judge, so the answer is the
exchange's. Invariant: pure functions.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from types import MappingProxyType

from .values import Number, wire_bool, wire_number, wire_time

ORDER_TYPES = ("lmt", "mkt", "post", "ioc", "fok", "stp", "take_profit", "trailing_stop")
SIDES = ("buy", "sell")
TRIGGER_SIGNALS = ("mark", "index", "last")
DEVIATION_UNITS = ("PERCENT", "QUOTE_CURRENCY")
QTY_MODES = ("ABSOLUTE", "RELATIVE")

Pairs = list[tuple[str, str]]


def _choice(name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return value


_PYTHON_NAMES = MappingProxyType({
    "limitPrice": "limit_price", "stopPrice": "stop_price",
    "trailingStopMaxDeviation": "trailing_stop_max_deviation",
    "limitPriceOffsetValue": "limit_price_offset_value",
})


def _add(out: Pairs, key: str, value: Number | None) -> None:
    if value is not None:
        out.append((key, wire_number(_PYTHON_NAMES.get(key, key), value)))


def _trigger_fields(
    out: Pairs,
    trigger_signal: str | None,
    trailing_stop_max_deviation: Number | None,
    trailing_stop_deviation_unit: str | None,
) -> None:
    if trigger_signal is not None:
        out.append(("triggerSignal", _choice("trigger_signal", trigger_signal, TRIGGER_SIGNALS)))
    _add(out, "trailingStopMaxDeviation", trailing_stop_max_deviation)
    if trailing_stop_deviation_unit is not None:
        unit = _choice("trailing_stop_deviation_unit", trailing_stop_deviation_unit,
                       DEVIATION_UNITS)
        out.append(("trailingStopDeviationUnit", unit))


def send_params(
    order_type: str, symbol: str, side: str, size: Number, *,
    limit_price: Number | None = None, stop_price: Number | None = None,
    cli_ord_id: str | None = None, reduce_only: bool | None = None,
    trigger_signal: str | None = None, trailing_stop_max_deviation: Number | None = None,
    trailing_stop_deviation_unit: str | None = None,
    limit_price_offset_value: Number | None = None, limit_price_offset_unit: str | None = None,
    process_before: datetime | str | None = None,
) -> Pairs:
    """sendorder parameters in Kraken's names and order."""
    out: Pairs = [
        ("orderType", _choice("order_type", order_type, ORDER_TYPES)),
        ("symbol", symbol),
        ("side", _choice("side", side, SIDES)),
        ("size", wire_number("size", size)),
    ]
    _add(out, "limitPrice", limit_price)
    _add(out, "stopPrice", stop_price)
    if cli_ord_id is not None:
        out.append(("cliOrdId", cli_ord_id))
    if reduce_only is not None:
        out.append(("reduceOnly", wire_bool("reduce_only", reduce_only)))
    _trigger_fields(out, trigger_signal, trailing_stop_max_deviation,
                    trailing_stop_deviation_unit)
    _add(out, "limitPriceOffsetValue", limit_price_offset_value)
    if limit_price_offset_unit is not None:
        unit = _choice("limit_price_offset_unit", limit_price_offset_unit, DEVIATION_UNITS)
        out.append(("limitPriceOffsetUnit", unit))
    if process_before is not None:
        out.append(("processBefore", wire_time("process_before", process_before)))
    return out


def order_ref(id_key: str, order_id: str | None, cli_ord_id: str | None) -> Pairs:
    """The one identifier of an existing order (``id_key`` is ``orderId`` or ``order_id``)."""
    if (order_id is None) == (cli_ord_id is None):
        raise ValueError("give exactly one of order_id and cli_ord_id")
    return [(id_key, order_id)] if order_id is not None else [("cliOrdId", cli_ord_id or "")]


def edit_params(
    order_id: str | None = None, cli_ord_id: str | None = None, *,
    size: Number | None = None, limit_price: Number | None = None,
    stop_price: Number | None = None, trailing_stop_max_deviation: Number | None = None,
    trailing_stop_deviation_unit: str | None = None, qty_mode: str | None = None,
    process_before: datetime | str | None = None, id_key: str = "orderId",
) -> Pairs:
    """editorder parameters (``id_key`` is ``order_id`` inside a batch)."""
    out = order_ref(id_key, order_id, cli_ord_id)
    _add(out, "size", size)
    _add(out, "limitPrice", limit_price)
    _add(out, "stopPrice", stop_price)
    _trigger_fields(out, None, trailing_stop_max_deviation, trailing_stop_deviation_unit)
    if qty_mode is not None:
        out.append(("qtyMode", _choice("qty_mode", qty_mode, QTY_MODES)))
    if process_before is not None:
        out.append(("processBefore", wire_time("process_before", process_before)))
    return out


@dataclass(frozen=True)
class BatchSend:
    """A ``send`` instruction; ``order_tag`` comes back on its result."""

    order_tag: str
    order_type: str
    symbol: str
    side: str
    size: Number
    limit_price: Number | None = None
    stop_price: Number | None = None
    cli_ord_id: str | None = None
    reduce_only: bool | None = None
    trigger_signal: str | None = None
    trailing_stop_max_deviation: Number | None = None
    trailing_stop_deviation_unit: str | None = None


@dataclass(frozen=True)
class BatchEdit:
    order_id: str | None = None
    cli_ord_id: str | None = None
    size: Number | None = None
    limit_price: Number | None = None
    stop_price: Number | None = None
    trailing_stop_max_deviation: Number | None = None
    trailing_stop_deviation_unit: str | None = None
    qty_mode: str | None = None


@dataclass(frozen=True)
class BatchCancel:
    order_id: str | None = None
    cli_ord_id: str | None = None


BatchInstruction = BatchSend | BatchEdit | BatchCancel
_NUMERIC = frozenset({"size", "limitPrice", "stopPrice", "trailingStopMaxDeviation"})


def _instruction(item: BatchInstruction) -> list[tuple[str, str | bool | Decimal]]:
    if isinstance(item, BatchSend):
        pairs = send_params(
            item.order_type, item.symbol, item.side, item.size, limit_price=item.limit_price,
            stop_price=item.stop_price, cli_ord_id=item.cli_ord_id,
            trigger_signal=item.trigger_signal,
            trailing_stop_max_deviation=item.trailing_stop_max_deviation,
            trailing_stop_deviation_unit=item.trailing_stop_deviation_unit,
        )
        head: list[tuple[str, str | bool | Decimal]] = [("order", "send"),
                                                         ("order_tag", item.order_tag)]
        extra: list[tuple[str, str | bool | Decimal]] = (
            [] if item.reduce_only is None
            else [("reduceOnly", wire_bool("reduce_only", item.reduce_only) == "true")]
        )
    elif isinstance(item, BatchEdit):
        pairs = edit_params(
            item.order_id, item.cli_ord_id, size=item.size, limit_price=item.limit_price,
            stop_price=item.stop_price,
            trailing_stop_max_deviation=item.trailing_stop_max_deviation,
            trailing_stop_deviation_unit=item.trailing_stop_deviation_unit,
            qty_mode=item.qty_mode, id_key="order_id",
        )
        head, extra = [("order", "edit")], []
    elif isinstance(item, BatchCancel):
        pairs, head, extra = order_ref("order_id", item.order_id, item.cli_ord_id), [
            ("order", "cancel")], []
    else:
        raise TypeError(f"not a batch instruction: {item!r}")
    body: list[tuple[str, str | bool | Decimal]] = [
        (k, Decimal(v) if k in _NUMERIC else v) for k, v in pairs
    ]
    return head + body + extra


def _json_value(value: str | bool | Decimal) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value)


def exact_json(pairs: Sequence[tuple[str, str | bool | Decimal]]) -> str:
    """A flat JSON object with Decimals written as exact JSON numbers."""
    return "{" + ",".join(f"{json.dumps(k)}:{_json_value(v)}" for k, v in pairs) + "}"


def batch_json(instructions: Sequence[BatchInstruction]) -> str:
    """The value of batchorder's ``json`` field: ``{"batchOrder":[...]}``."""
    if not instructions:
        raise ValueError("a batch needs at least one instruction")
    return '{"batchOrder":[' + ",".join(exact_json(_instruction(i)) for i in instructions) + "]}"
