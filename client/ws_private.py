"""Typed messages of Kraken Futures' private WebSocket v1 feeds: ``open_orders`` and
``open_orders_verbose``, ``fills``, ``open_positions``, ``balances``, ``account_log`` and
``notifications_auth``, each with its parser.

Invariants (reference kraken-futures-ws.md §3.6-§3.11, §4)
--------------------------------------------------------
* Quantities, prices, fees and balances are ``Decimal``; times are integer epoch milliseconds.
* ``OrderBody.qty`` is the order's REMAINING quantity and ``filled`` the cumulative filled
  quantity, as the live wire sends them; ``size`` (= qty + filled) is the order's size.
* An ``OpenOrdersUpdate`` has either a full ``order`` body or is id-only (``order is None``);
  ``order_id`` and ``cli_ord_id`` are always filled in from whichever form came.
* Optional fields absent on the wire are None; nothing is invented.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .ws_fields import (
    Json,
    MessageFormatError,
    numbers,
    objects,
    opt_dec,
    opt_int,
    opt_str,
    req_bool,
    req_dec,
    req_int,
    req_obj,
    req_str,
)


@dataclass(frozen=True, slots=True)
class TrailingStopOptions:
    max_deviation: Decimal
    unit: str  # "percent" or "quote_currency"


@dataclass(frozen=True, slots=True)
class OrderBody:
    """One order as the open_orders feeds describe it."""

    instrument: str
    time: int
    last_update_time: int
    qty: Decimal  # remaining
    filled: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    type: str  # limit | stop | take_profit | trailing_stop
    order_id: str
    direction: int  # 0 buy, 1 sell
    reduce_only: bool
    cli_ord_id: str | None = None
    trigger_signal: str | None = None
    trailing_stop_options: TrailingStopOptions | None = None

    @property
    def side(self) -> str:
        return "buy" if self.direction == 0 else "sell"

    @property
    def size(self) -> Decimal:
        """The order's size: remaining plus filled."""
        return self.qty + self.filled


def parse_order_body(m: Json) -> OrderBody:
    direction = req_int(m, "direction")
    if direction not in (0, 1):
        raise MessageFormatError(f"order: direction must be 0 or 1, got {direction}")
    trailing = m.get("trailing_stop_options")
    options = None
    if isinstance(trailing, Mapping):
        options = TrailingStopOptions(req_dec(trailing, "max_deviation"), req_str(trailing, "unit"))
    return OrderBody(
        instrument=req_str(m, "instrument"),
        time=req_int(m, "time"),
        last_update_time=req_int(m, "last_update_time"),
        qty=req_dec(m, "qty"),
        filled=req_dec(m, "filled"),
        limit_price=opt_dec(m, "limit_price"),
        stop_price=opt_dec(m, "stop_price"),
        type=req_str(m, "type"),
        order_id=req_str(m, "order_id"),
        direction=direction,
        reduce_only=req_bool(m, "reduce_only"),
        cli_ord_id=opt_str(m, "cli_ord_id"),
        trigger_signal=opt_str(m, "triggerSignal"),
        trailing_stop_options=options,
    )


@dataclass(frozen=True, slots=True)
class OpenOrdersSnapshot:
    feed: str  # open_orders or open_orders_verbose
    account: str
    orders: tuple[OrderBody, ...]


@dataclass(frozen=True, slots=True)
class OpenOrdersUpdate:
    feed: str  # open_orders or open_orders_verbose
    order_id: str
    cli_ord_id: str | None
    is_cancel: bool
    reason: str
    order: OrderBody | None  # None for the id-only shape


def parse_open_orders_snapshot(m: Json, feed: str) -> OpenOrdersSnapshot:
    orders = tuple(parse_order_body(o) for o in objects(m, "orders"))
    return OpenOrdersSnapshot(feed, str(m.get("account", "")), orders)


def parse_open_orders_update(m: Json, feed: str) -> OpenOrdersUpdate:
    reason = req_str(m, "reason")
    is_cancel = req_bool(m, "is_cancel")
    if m.get("order") is not None:
        body = parse_order_body(req_obj(m, "order"))
        return OpenOrdersUpdate(feed, body.order_id, body.cli_ord_id, is_cancel, reason, body)
    return OpenOrdersUpdate(
        feed, req_str(m, "order_id"), opt_str(m, "cli_ord_id"), is_cancel, reason, None
    )


@dataclass(frozen=True, slots=True)
class Fill:
    instrument: str
    time: int
    price: Decimal
    seq: int
    buy: bool
    qty: Decimal
    order_id: str
    fill_id: str
    fill_type: str
    fee_paid: Decimal | None
    fee_currency: str | None
    remaining_order_qty: Decimal | None = None
    cli_ord_id: str | None = None
    taker_order_type: str | None = None
    order_type: str | None = None


def parse_fill(m: Json) -> Fill:
    return Fill(
        instrument=req_str(m, "instrument"),
        time=req_int(m, "time"),
        price=req_dec(m, "price"),
        seq=req_int(m, "seq"),
        buy=req_bool(m, "buy"),
        qty=req_dec(m, "qty"),
        order_id=req_str(m, "order_id"),
        fill_id=req_str(m, "fill_id"),
        fill_type=req_str(m, "fill_type"),
        fee_paid=opt_dec(m, "fee_paid"),
        fee_currency=opt_str(m, "fee_currency"),
        remaining_order_qty=opt_dec(m, "remaining_order_qty"),
        cli_ord_id=opt_str(m, "cli_ord_id"),
        taker_order_type=opt_str(m, "taker_order_type"),
        order_type=opt_str(m, "order_type"),
    )


@dataclass(frozen=True, slots=True)
class FillsMessage:
    """``fills_snapshot`` (snapshot=True) or a ``fills`` delta; ``account`` is read from
    ``account`` or from the ``username`` key live deltas carry."""

    snapshot: bool
    account: str
    fills: tuple[Fill, ...]


def parse_fills(m: Json, snapshot: bool) -> FillsMessage:
    account = m.get("account", m.get("username", ""))
    return FillsMessage(snapshot, str(account), tuple(parse_fill(f) for f in objects(m, "fills")))


@dataclass(frozen=True, slots=True)
class Position:
    instrument: str
    balance: Decimal  # signed size: > 0 long, < 0 short
    entry_price: Decimal | None
    mark_price: Decimal | None
    index_price: Decimal | None
    pnl: Decimal | None
    liquidation_threshold: Decimal | None
    effective_leverage: Decimal | None
    return_on_equity: Decimal | None
    unrealized_funding: Decimal | None
    initial_margin: Decimal | None
    initial_margin_with_orders: Decimal | None
    maintenance_margin: Decimal | None
    pnl_currency: str | None


_POSITION_NUMBERS = (
    "entry_price", "mark_price", "index_price", "pnl", "liquidation_threshold",
    "effective_leverage", "return_on_equity", "unrealized_funding", "initial_margin",
    "initial_margin_with_orders", "maintenance_margin",
)


def parse_position(m: Json) -> Position:
    values = {key: opt_dec(m, key) for key in _POSITION_NUMBERS}
    return Position(
        instrument=req_str(m, "instrument"),
        balance=req_dec(m, "balance"),
        pnl_currency=opt_str(m, "pnl_currency"),
        **values,
    )


@dataclass(frozen=True, slots=True)
class OpenPositions:
    """The complete list of the account's non-zero positions (every message is complete)."""

    account: str
    positions: tuple[Position, ...]
    seq: int | None
    timestamp: int | None


def parse_open_positions(m: Json) -> OpenPositions:
    rows = tuple(parse_position(p) for p in objects(m, "positions"))
    account = str(m.get("account", ""))
    return OpenPositions(account, rows, opt_int(m, "seq"), opt_int(m, "timestamp"))


@dataclass(frozen=True, slots=True)
class FuturesWallet:
    """A single-collateral wallet (``F-XBT:USD``): every numeric field as Decimal."""

    name: str
    unit: str | None
    values: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class FlexWallet:
    """The multi-collateral wallet: per-currency figures, totals, isolated and cross margin."""

    currencies: Mapping[str, Mapping[str, Decimal]]
    totals: Mapping[str, Decimal]
    isolated: Mapping[str, Mapping[str, Decimal]]
    cross: Mapping[str, Decimal]


@dataclass(frozen=True, slots=True)
class Balances:
    """``balances_snapshot`` (snapshot=True, every family) or a ``balances`` delta that carries
    only the families that changed (the others are None)."""

    snapshot: bool
    account: str
    seq: int | None
    timestamp: int | None
    holding: Mapping[str, Decimal] | None
    futures: Mapping[str, FuturesWallet] | None
    flex_futures: FlexWallet | None


def _nested(m: Json) -> dict[str, dict[str, Decimal]]:
    return {str(k): numbers(v) for k, v in m.items() if isinstance(v, Mapping)}


def parse_balances(m: Json, snapshot: bool) -> Balances:
    holding = numbers(req_obj(m, "holding")) if "holding" in m else None
    futures = None
    if "futures" in m:
        futures = {
            str(k): FuturesWallet(str(v.get("name", k)), opt_str(v, "unit"), numbers(v))
            for k, v in req_obj(m, "futures").items()
            if isinstance(v, Mapping)
        }
    flex = None
    if "flex_futures" in m:
        f = req_obj(m, "flex_futures")
        flex = FlexWallet(
            currencies=_nested(f.get("currencies") or {}),
            totals=numbers(f),
            isolated=_nested(f.get("isolated") or {}),
            cross=numbers(f.get("cross") or {}),
        )
    return Balances(
        snapshot, str(m.get("account", "")), opt_int(m, "seq"), opt_int(m, "timestamp"),
        holding, futures, flex,
    )


@dataclass(frozen=True, slots=True)
class AccountLogEntry:
    id: int
    date: str  # ISO 8601
    asset: str | None
    info: str | None
    booking_uid: str | None
    margin_account: str | None
    execution: str | None
    values: Mapping[str, Decimal]  # old_balance, new_balance, fee, realized_pnl, ...

    def value(self, key: str) -> Decimal | None:
        return self.values.get(key)


def parse_account_log_entry(m: Json) -> AccountLogEntry:
    figures = numbers(m)
    figures.pop("id", None)
    return AccountLogEntry(
        id=req_int(m, "id"),
        date=req_str(m, "date"),
        asset=opt_str(m, "asset"),
        info=opt_str(m, "info"),
        booking_uid=opt_str(m, "booking_uid"),
        margin_account=opt_str(m, "margin_account"),
        execution=opt_str(m, "execution"),
        values=figures,
    )


@dataclass(frozen=True, slots=True)
class AccountLog:
    """``account_log_snapshot`` (newest first) or one ``account_log`` ``new_entry``."""

    snapshot: bool
    entries: tuple[AccountLogEntry, ...]


def parse_account_log(m: Json, snapshot: bool) -> AccountLog:
    if snapshot:
        key = "logs" if "logs" in m else "log"
        return AccountLog(True, tuple(parse_account_log_entry(e) for e in objects(m, key)))
    return AccountLog(False, (parse_account_log_entry(req_obj(m, "new_entry")),))


@dataclass(frozen=True, slots=True)
class Notification:
    id: int
    type: str
    priority: str
    note: str
    effective_time: int | None
    expected_downtime_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Notifications:
    notifications: tuple[Notification, ...]


def parse_notifications(m: Json) -> Notifications:
    items = tuple(
        Notification(
            id=req_int(n, "id"),
            type=req_str(n, "type"),
            priority=req_str(n, "priority"),
            note=req_str(n, "note"),
            effective_time=opt_int(n, "effective_time"),
            expected_downtime_minutes=opt_int(n, "expected_downtime_minutes"),
        )
        for n in objects(m, "notifications")
    )
    return Notifications(items)


__all__ = [
    "AccountLog", "AccountLogEntry", "Balances", "Fill", "FillsMessage", "FlexWallet",
    "FuturesWallet", "Notification", "Notifications", "OpenOrdersSnapshot", "OpenOrdersUpdate",
    "OpenPositions", "OrderBody", "Position", "TrailingStopOptions",
]
