"""Kraken's order-management and read endpoints as ``Call`` builders (pure: nothing is sent).

One function per client method, with the method's Python signature; the sync and async
clients expose each one unchanged (``rest.py``), so signature, validation, encoding and parsing
live here once. Costs are Kraken's rate-limit costs (reference kraken-futures-rest.md §6).

Rejection policy: ``submit_order``, ``edit_order`` and ``cancel_order`` raise the exception
``errors.ERRORS`` names for a rejected status (the parsed status is on ``exc.status``);
``cancel_all_orders`` returns ``noOrdersToCancel`` as a status; ``batch_order_management``
returns one ``BatchResult`` per instruction, rejected ones included (``result.error()``),
paired with the instructions by position; an answer with another number of results than
instructions is malformed (``UnexpectedResponse``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .core import V3, Call, Json, listed, params, payload, payload_list, segment
from .errors import raise_for_status
from .models import (
    BatchResult,
    CancelAllStatus,
    CancelStatus,
    DeadMansSwitch,
    EditStatus,
    OpenOrder,
    OrderStatus,
    SendStatus,
)
from .models_funds import Ack
from .models_market import (
    Accounts,
    Fill,
    Instrument,
    LeveragePreference,
    OrderBook,
    PnlPreference,
    Position,
    Ticker,
    Trade,
)
from .orders import (
    BatchCancel,
    BatchEdit,
    BatchInstruction,
    BatchSend,
    batch_json,
    edit_params,
    order_ref,
    send_params,
)
from .values import Number, wire_number, wire_time


def _checked(key: str, kind: str, parse: Any) -> Any:
    def read(envelope: Json) -> Any:
        status = parse(envelope[key])
        raise_for_status(kind, status.status, status, envelope)
        return status

    return read


# -- order management ----------------------------------------------------------------------
def submit_order(
    order_type: str, symbol: str, side: str, size: Number, *,
    limit_price: Number | None = None, stop_price: Number | None = None,
    cli_ord_id: str | None = None, reduce_only: bool | None = None,
    trigger_signal: str | None = None, trailing_stop_max_deviation: Number | None = None,
    trailing_stop_deviation_unit: str | None = None,
    limit_price_offset_value: Number | None = None, limit_price_offset_unit: str | None = None,
    process_before: datetime | str | None = None,
) -> Call[SendStatus]:
    """POST /derivatives/api/v3/sendorder. ``order_type``: lmt, mkt, post, ioc, fok, stp,
    take_profit or trailing_stop. Returns the ``sendStatus``; a rejection raises."""
    pairs = send_params(
        order_type, symbol, side, size, limit_price=limit_price, stop_price=stop_price,
        cli_ord_id=cli_ord_id, reduce_only=reduce_only, trigger_signal=trigger_signal,
        trailing_stop_max_deviation=trailing_stop_max_deviation,
        trailing_stop_deviation_unit=trailing_stop_deviation_unit,
        limit_price_offset_value=limit_price_offset_value,
        limit_price_offset_unit=limit_price_offset_unit, process_before=process_before,
    )
    parse = _checked("sendStatus", "send", SendStatus.from_json)
    return Call("POST", f"{V3}/sendorder", parse, tuple(pairs), cost=10)


def edit_order(
    order_id: str | None = None, cli_ord_id: str | None = None, *,
    size: Number | None = None, limit_price: Number | None = None,
    stop_price: Number | None = None, trailing_stop_max_deviation: Number | None = None,
    trailing_stop_deviation_unit: str | None = None, qty_mode: str | None = None,
    process_before: datetime | str | None = None,
) -> Call[EditStatus]:
    """POST /derivatives/api/v3/editorder. ``qty_mode``: ABSOLUTE or RELATIVE (Kraken's
    default). Returns the ``editStatus``; a rejection raises."""
    pairs = edit_params(
        order_id, cli_ord_id, size=size, limit_price=limit_price, stop_price=stop_price,
        trailing_stop_max_deviation=trailing_stop_max_deviation,
        trailing_stop_deviation_unit=trailing_stop_deviation_unit, qty_mode=qty_mode,
        process_before=process_before,
    )
    parse = _checked("editStatus", "edit", EditStatus.from_json)
    return Call("POST", f"{V3}/editorder", parse, tuple(pairs), cost=10)


def cancel_order(
    order_id: str | None = None, cli_ord_id: str | None = None, *,
    process_before: datetime | str | None = None,
) -> Call[CancelStatus]:
    """POST /derivatives/api/v3/cancelorder. Raises ``OrderNotFound`` for ``notFound`` and
    ``OrderAlreadyFilled`` for ``filled``."""
    pairs = order_ref("order_id", order_id, cli_ord_id)
    if process_before is not None:
        pairs.append(("processBefore", wire_time("process_before", process_before)))
    parse = _checked("cancelStatus", "cancel", CancelStatus.from_json)
    return Call("POST", f"{V3}/cancelorder", parse, tuple(pairs), cost=10)


def cancel_all_orders(symbol: str | None = None) -> Call[CancelAllStatus]:
    """POST /derivatives/api/v3/cancelallorders, for one ``symbol`` or everything."""
    parse = _checked("cancelStatus", "cancel_all", CancelAllStatus.from_json)
    return Call("POST", f"{V3}/cancelallorders", parse, params(("symbol", symbol)), cost=25)


def cancel_all_orders_after(timeout: int) -> Call[DeadMansSwitch]:
    """POST /derivatives/api/v3/cancelallordersafter: the dead man's switch. ``timeout`` in
    whole seconds; 0 disarms it."""
    if isinstance(timeout, bool) or not isinstance(timeout, int) or timeout < 0:
        raise ValueError(f"timeout: whole seconds >= 0, not {timeout!r}")
    return Call("POST", f"{V3}/cancelallordersafter", payload("status", DeadMansSwitch.from_json),
                (("timeout", str(timeout)),), cost=25)


def batch_order_management(
    instructions: Sequence[BatchInstruction], *, process_before: datetime | str | None = None,
) -> Call[list[BatchResult]]:
    """POST /derivatives/api/v3/batchorder with ``BatchSend``/``BatchEdit``/``BatchCancel``
    instructions. Returns one ``BatchResult`` per instruction; rejections are not raised."""
    pairs = [("json", batch_json(instructions))]
    if process_before is not None:
        pairs.append(("processBefore", wire_time("process_before", process_before)))
    kinds = tuple(_batch_kind(i) for i in instructions)

    def parse(envelope: Json) -> list[BatchResult]:
        statuses = listed(envelope, ("batchStatus",))
        if len(statuses) != len(kinds):
            raise ValueError(
                f"{len(statuses)} batchStatus entries for {len(kinds)} instructions"
            )
        return [BatchResult.from_json(obj, kind) for obj, kind in zip(statuses, kinds, strict=True)]

    return Call("POST", f"{V3}/batchorder", parse, tuple(pairs), cost=9 + len(instructions))


def _batch_kind(instruction: BatchInstruction) -> str:
    if isinstance(instruction, BatchSend):
        return "send"
    if isinstance(instruction, BatchEdit):
        return "edit"
    if isinstance(instruction, BatchCancel):
        return "cancel"
    raise TypeError(f"not a batch instruction: {instruction!r}")


# -- private reads -----------------------------------------------------------------------
def get_open_orders() -> Call[list[OpenOrder]]:
    """GET /derivatives/api/v3/openorders."""
    return Call("GET", f"{V3}/openorders", payload_list("openOrders", OpenOrder.from_json),
                cost=2)


def get_order_status(
    order_ids: Sequence[str] = (), cli_ord_ids: Sequence[str] = (),
) -> Call[list[OrderStatus]]:
    """POST /derivatives/api/v3/orders/status: orders open or closed in the last seconds.
    ``order_ids``/``cli_ord_ids`` are lists of ids; a single ``str`` is refused (TypeError):
    write ``[order_id]``."""
    pairs = [("orderIds", o) for o in _ids("order_ids", order_ids)]
    pairs += [("cliOrdIds", c) for c in _ids("cli_ord_ids", cli_ord_ids)]
    return Call("POST", f"{V3}/orders/status", payload_list("orders", OrderStatus.from_json),
                tuple(pairs), cost=1)


def _ids(name: str, ids: Sequence[str]) -> list[str]:
    if isinstance(ids, str | bytes):
        raise TypeError(f"{name}: a list of ids, not one string (write [{ids!r}])")
    out = list(ids)
    for one in out:
        if not isinstance(one, str) or not one:
            raise TypeError(f"{name}: every id must be a non-empty str, not {one!r}")
    return out


def get_open_positions() -> Call[list[Position]]:
    """GET /derivatives/api/v3/openpositions."""
    return Call("GET", f"{V3}/openpositions",
                payload_list("openPositions", Position.from_json), cost=2)


def get_accounts() -> Call[Accounts]:
    """GET /derivatives/api/v3/accounts."""
    return Call("GET", f"{V3}/accounts", payload("accounts", Accounts.from_json), cost=2)


def get_fills(last_fill_time: datetime | str | None = None) -> Call[list[Fill]]:
    """GET /derivatives/api/v3/fills: the last 100 fills, or the 100 before ``last_fill_time``."""
    since = None if last_fill_time is None else wire_time("last_fill_time", last_fill_time)
    return Call("GET", f"{V3}/fills", payload_list("fills", Fill.from_json),
                params(("lastFillTime", since)), cost=2 if since is None else 25)


def get_leverage_preferences() -> Call[list[LeveragePreference]]:
    """GET /derivatives/api/v3/leveragepreferences."""
    return Call("GET", f"{V3}/leveragepreferences",
                payload_list("leveragePreferences", LeveragePreference.from_json), cost=2)


def set_leverage_preference(symbol: str, max_leverage: Number | None = None) -> Call[Ack]:
    """PUT /derivatives/api/v3/leveragepreferences: ``max_leverage`` makes the contract
    isolated-margin with that cap; None makes it cross-margin again."""
    lev = None if max_leverage is None else wire_number("max_leverage", max_leverage)
    return Call("PUT", f"{V3}/leveragepreferences", Ack.from_json,
                params(("symbol", symbol), ("maxLeverage", lev)), cost=10)


def get_pnl_preferences() -> Call[list[PnlPreference]]:
    """GET /derivatives/api/v3/pnlpreferences."""
    return Call("GET", f"{V3}/pnlpreferences",
                payload_list("preferences", PnlPreference.from_json), cost=2)


def set_pnl_preference(symbol: str, pnl_preference: str) -> Call[Ack]:
    """PUT /derivatives/api/v3/pnlpreferences: settle ``symbol``'s PnL in ``pnl_preference``."""
    return Call("PUT", f"{V3}/pnlpreferences", Ack.from_json,
                (("symbol", symbol), ("pnlPreference", pnl_preference)), cost=10)


# -- public reads ------------------------------------------------------------------------
def get_instruments() -> Call[list[Instrument]]:
    """GET /derivatives/api/v3/instruments (public)."""
    return Call("GET", f"{V3}/instruments", payload_list("instruments", Instrument.from_json),
                private=False)


def get_tickers() -> Call[list[Ticker]]:
    """GET /derivatives/api/v3/tickers (public)."""
    return Call("GET", f"{V3}/tickers", payload_list("tickers", Ticker.from_json),
                private=False)


def get_ticker(symbol: str) -> Call[Ticker]:
    """GET /derivatives/api/v3/tickers/{symbol} (public); unknown symbols raise NotFound."""
    return Call("GET", f"{V3}/tickers/{segment(symbol)}", payload("ticker", Ticker.from_json),
                private=False)


def get_order_book(symbol: str) -> Call[OrderBook]:
    """GET /derivatives/api/v3/orderbook?symbol= (public)."""
    return Call("GET", f"{V3}/orderbook", payload("orderBook", OrderBook.from_json),
                (("symbol", symbol),), private=False)


def get_trade_history(
    symbol: str, last_time: datetime | str | None = None,
) -> Call[list[Trade]]:
    """GET /derivatives/api/v3/history (public): the last 100 trades, or those before
    ``last_time``, newest first."""
    before = None if last_time is None else wire_time("last_time", last_time)
    return Call("GET", f"{V3}/history", payload_list("history", Trade.from_json),
                params(("symbol", symbol), ("lastTime", before)), private=False)

