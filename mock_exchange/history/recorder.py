"""The recorder: turns each published batch of exchange events into history records.

Per account it keeps fills, order and trigger elements, executions, account-log entries and
position updates; per symbol the public trades, order and mark-price events, the trades of the
last 24 hours and OHLC candles; per order its last update reason and, for client ids, the id.

How events map (one batch is one atomic command, so a new taker's fills are seen whole):
- a taker that trades on arrival gets one PLACED element showing it after its immediate fills;
  a maker's fill is an UPDATED element with reason partial/full fill;
- `OrderEdited` is UPDATED (TRIGGER_UPDATED for triggers); `OrderCancelled` CANCELLED; an
  `OrderRejected` with an order REJECTED, an edit of an unknown id NOT_FOUND;
- each `PositionChanged` gives a position update and a position row in the account log; the PnL
  and fee `BalanceChanged` of one trade share one wallet row.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..engine import events as ev
from ..engine.instruments import Instrument
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import OrderType, OrderView
from . import ledger
from .ledger import Batch
from .records import (
    DAY_MS,
    PRICE_SOURCES,
    RESOLUTIONS_MS,
    Candle,
    CandleSource,
    Execution,
    Fill,
    LogEntry,
    OrderKind,
    OrderRecord,
    PositionUpdate,
    PriceRecord,
    PublicTrade,
    bucket_start,
    uid_for,
)

if TYPE_CHECKING:
    from ..server.state import ServerState

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class HistoryLimits:
    per_account: int = 10_000  # each of: fills, orders, triggers, executions, log, positions
    per_symbol: int = 10_000  # each of: public trades, public order events, mark prices
    candles: int = 5_000  # buckets kept per (source, symbol, resolution)
    orders: int = 50_000  # remembered update reasons, client ids, recently closed orders
    ticker_trades: int = 100_000  # trades kept for the rolling 24-hour statistics


@dataclass(slots=True)
class AccountLogs:
    fills: deque[Fill]
    orders: deque[OrderRecord]
    triggers: deque[OrderRecord]
    executions: deque[Execution]
    log: deque[LogEntry]
    positions: deque[PositionUpdate]
    next_log_id: int = 1


@dataclass(slots=True)
class SymbolLogs:
    trades: deque[PublicTrade]
    orders: deque[OrderRecord]
    prices: deque[PriceRecord]
    window: deque[tuple[int, Decimal, Decimal, Decimal]]  # (time, price, qty, quote volume)
    trade_count: int = 0
    mark: Decimal = _ZERO


class History:
    def __init__(
        self,
        instruments: Mapping[str, Instrument] | None = None,
        limits: HistoryLimits | None = None,
    ) -> None:
        self.limits = limits or HistoryLimits()
        self.instruments: Mapping[str, Instrument] = instruments or {}
        self._n = 0
        self._accounts: dict[str, AccountLogs] = {}
        self._symbols: dict[str, SymbolLogs] = {}
        self._candles: dict[tuple[CandleSource, str, str], OrderedDict[int, Candle]] = {}
        #: (source, symbol) -> (width, series) for every resolution: the same series objects as
        #: `_candles`, found with one lookup per trade instead of one per resolution
        self._series: dict[tuple[CandleSource, str], list[tuple[int, OrderedDict[int, Candle]]]]
        self._series = {}
        self.positions: dict[tuple[str, str], tuple[Decimal, Decimal, Decimal]] = {}
        self.reasons: OrderedDict[str, UpdateReason | Reject] = OrderedDict()
        self.cli_ids: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.closed: deque[tuple[int, str, str]] = deque(maxlen=self.limits.orders)
        self._handlers = self._dispatch()

    # -- queries -----------------------------------------------------------------------------
    def account(self, account_id: str) -> AccountLogs:
        logs = self._accounts.get(account_id)
        if logs is None:
            n = self.limits.per_account
            queues = [deque[object](maxlen=n) for _ in range(6)]
            logs = self._accounts[account_id] = AccountLogs(*queues)  # type: ignore[arg-type]
        return logs

    def symbol(self, symbol: str) -> SymbolLogs:
        logs = self._symbols.get(symbol)
        if logs is None:
            n = self.limits.per_symbol
            logs = self._symbols[symbol] = SymbolLogs(
                deque(maxlen=n), deque(maxlen=n), deque(maxlen=n), deque()
            )
        return logs

    def candles(self, source: CandleSource, symbol: str, resolution: str) -> list[Candle]:
        return list(self._candles.get((source, symbol, resolution), {}).values())

    def stats(self, symbol: str, now: int) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal]:
        """(open, high, low, volume, quote volume) of the trades in the 24 hours up to `now`;
        all zero when nothing traded."""
        rows = [r for r in self.symbol(symbol).window if now - DAY_MS < r[0] <= now]
        if not rows:
            return _ZERO, _ZERO, _ZERO, _ZERO, _ZERO
        prices = [r[1] for r in rows]
        volume = sum((r[2] for r in rows), _ZERO)
        quote = sum((r[3] for r in rows), _ZERO)
        return prices[0], max(prices), min(prices), volume, quote

    # -- recording ---------------------------------------------------------------------------
    def record(self, events: Sequence[ev.Event]) -> None:
        batch = Batch()
        for event in events:
            if type(event) is ev.Trade:
                if not event.taker_resting:
                    batch.takers[event.taker.order_id] = event.taker
            elif type(event) is ev.TriggerActivated:
                batch.activated.add(event.order.order_id)
        handlers = self._handlers
        for event in events:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(event, batch)

    def _placed(self, event: ev.OrderPlaced, batch: Batch) -> None:
        if event.order.order_id not in batch.placed:
            kind = OrderKind.TRIGGER_PLACED if event.order.is_trigger else OrderKind.PLACED
            self._order(event.time, kind, event.order, None, event.reason, event.reduced_qty)
            if event.reason is not UpdateReason.NEW_USER_ORDER:
                self._reason(event.order, event.reason)

    def _edited(self, event: ev.OrderEdited, batch: Batch) -> None:
        kind = OrderKind.TRIGGER_UPDATED if event.new.is_trigger else OrderKind.UPDATED
        self._order(event.time, kind, event.new, event.old, event.reason, event.reduced_qty)
        self._reason(event.new, event.reason)

    def _cancelled(self, event: ev.OrderCancelled, batch: Batch) -> None:
        kind = OrderKind.TRIGGER_CANCELLED if event.order.is_trigger else OrderKind.CANCELLED
        self._order(event.time, kind, event.order, None, event.reason, None)
        self._closed(event.time, event.order, event.reason)

    def _activated(self, event: ev.TriggerActivated, batch: Batch) -> None:
        self._order(event.time, OrderKind.TRIGGER_ACTIVATED, event.order, None, None, None)
        self._reason(event.order, UpdateReason.STOP_ORDER_TRIGGERED)

    def _settled(self, event: ev.ContractSettled, batch: Batch) -> None:
        batch.settled, batch.trade = event, None

    def _funding(self, event: ev.FundingRateApplied, batch: Batch) -> None:
        inst = self.instruments.get(event.symbol)
        rate, mark = event.rate, event.mark
        batch.funding[event.symbol] = rate / mark if inst and inst.inverse else rate * mark

    def _dispatch(self) -> dict[type, Callable[[Any, Batch], None]]:
        """Event type -> what recording it means (one lookup per event by exact type: no event
        class derives from another, tests/unit/history/test_dispatch.py); the PnL and fee
        rows of a trade are the ledger module's business."""
        return {
            ev.Trade: self._trade,
            ev.OrderPlaced: self._placed,
            ev.OrderEdited: self._edited,
            ev.OrderCancelled: self._cancelled,
            ev.OrderRejected: lambda e, b: self._rejected(e),
            ev.TriggerActivated: self._activated,
            ev.PositionChanged: lambda e, b: ledger.on_position(self, e, b),
            ev.BalanceChanged: lambda e, b: ledger.on_balance(self, e, b),
            ev.PricesChanged: lambda e, b: self._prices(e),
            ev.ContractSettled: self._settled,
            ev.FundingRateApplied: self._funding,
        }

    def next_n(self) -> int:
        self._n += 1
        return self._n

    def _order(
        self,
        time: int,
        kind: OrderKind,
        order: OrderView,
        old: OrderView | None,
        reason: UpdateReason | Reject | None,
        reduced: Decimal | None,
    ) -> None:
        n = self.next_n()
        aid = order.account_id
        record = OrderRecord(n, uid_for(n), time, kind, aid, order, old, reason, reduced)
        logs = self.account(aid)
        (logs.triggers if kind.is_trigger else logs.orders).append(record)
        if kind in (OrderKind.PLACED, OrderKind.UPDATED, OrderKind.CANCELLED):
            self.symbol(order.symbol).orders.append(record)
        if order.cli_ord_id is not None:
            self.cli_ids[(aid, order.cli_ord_id)] = order.order_id
            self.cli_ids.move_to_end((aid, order.cli_ord_id))
            if len(self.cli_ids) > self.limits.orders:
                self.cli_ids.popitem(last=False)

    def _reason(self, order: OrderView, reason: UpdateReason | Reject) -> None:
        self.reasons[order.order_id] = reason
        self.reasons.move_to_end(order.order_id)
        if len(self.reasons) > self.limits.orders:
            self.reasons.popitem(last=False)

    def _closed(self, time: int, order: OrderView, reason: UpdateReason | Reject) -> None:
        self._reason(order, reason)
        self.closed.append((time, order.account_id, order.order_id))

    def _rejected(self, event: ev.OrderRejected) -> None:
        if event.order is not None:
            self._order(event.time, OrderKind.REJECTED, event.order, None, event.reason, None)
            self._closed(event.time, event.order, event.reason)
        elif event.reason is Reject.ORDER_FOR_EDIT_NOT_FOUND and event.order_id is not None:
            n = self.next_n()
            self.account(event.account_id).orders.append(
                OrderRecord(
                    n,
                    uid_for(n),
                    event.time,
                    OrderKind.NOT_FOUND,
                    event.account_id,
                    None,
                    None,
                    event.reason,
                    None,
                    event.order_id,
                )
            )

    def _trade(self, trade: ev.Trade, batch: Batch) -> None:
        batch.trade, batch.settled = trade, None
        maker, taker, qty = trade.maker, trade.taker, trade.qty
        self._fill_update(trade.time, maker, qty)
        if trade.taker_resting:
            self._fill_update(trade.time, taker, qty)
        else:
            if taker.order_id not in batch.placed:
                batch.placed.add(taker.order_id)
                reason = (
                    UpdateReason.LIMIT_FROM_STOP
                    if taker.order_id in batch.activated
                    else UpdateReason.LIQUIDATION
                    if taker.kind is OrderType.LIQUIDATION
                    else UpdateReason.NEW_USER_ORDER
                )
                final = batch.takers.get(taker.order_id, taker)
                self._order(trade.time, OrderKind.PLACED, final, None, reason, None)
            self._reason(taker, _fill_reason(taker))
            if taker.remaining == 0:
                self.closed.append((trade.time, taker.account_id, taker.order_id))
        positions: dict[str, Decimal] = {}
        for view in (maker, taker):
            size = self.positions.get((view.account_id, trade.symbol), (_ZERO, _ZERO, _ZERO))[0]
            positions[view.account_id] = size + view.side.sign * qty
        logs = self.symbol(trade.symbol)
        n = self.next_n()
        execution = Execution(
            n,
            uid_for(n),
            trade,
            logs.mark,
            positions[maker.account_id],
            positions[taker.account_id],
        )
        for view, fill_type, fee in (
            (maker, trade.maker_fill, trade.maker_fee),
            (taker, trade.taker_fill, trade.taker_fee),
        ):
            account = self.account(view.account_id)
            account.executions.append(execution)
            account.fills.append(
                Fill(
                    trade.trade_id,
                    trade.symbol,
                    view.side,
                    view.order_id,
                    view.cli_ord_id,
                    qty,
                    trade.price,
                    trade.time,
                    fill_type,
                    fee,
                    trade.fee_currency,
                )
            )
        logs.trade_count += 1
        logs.trades.append(PublicTrade(logs.trade_count, execution))
        self._ticker(logs, trade)
        self._candle(CandleSource.TRADE, trade.symbol, trade.time, trade.price, qty)

    def _fill_update(self, time: int, view: OrderView, qty: Decimal) -> None:
        before = view.with_filled(view.filled - qty)
        self._order(time, OrderKind.UPDATED, view, before, _fill_reason(view), None)
        self._reason(view, _fill_reason(view))
        if view.remaining == 0:
            self.closed.append((time, view.account_id, view.order_id))

    def _ticker(self, logs: SymbolLogs, trade: ev.Trade) -> None:
        inst = self.instruments.get(trade.symbol)
        size = trade.qty * (inst.contract_size if inst is not None else 1)
        quote = size if inst is not None and inst.inverse else size * trade.price
        window = logs.window
        window.append((trade.time, trade.price, trade.qty, quote))
        limit = self.limits.ticker_trades
        while window and (window[0][0] <= trade.time - DAY_MS or len(window) > limit):
            window.popleft()

    def _candle(
        self, source: CandleSource, symbol: str, time: int, price: Decimal, qty: Decimal
    ) -> None:
        series_list = self._series.get((source, symbol))
        if series_list is None:
            series_list = self._series[(source, symbol)] = [
                (width, self._candles.setdefault((source, symbol, resolution), OrderedDict()))
                for resolution, width in RESOLUTIONS_MS.items()
            ]
        limit = self.limits.candles
        for width, series in series_list:
            start = bucket_start(time, width)
            candle = series.get(start)
            if candle is not None:
                candle.add(price, qty)
                continue
            series[start] = Candle(start, price, qty)
            if len(series) > limit:
                series.popitem(last=False)

    def _prices(self, event: ev.PricesChanged) -> None:
        logs = self.symbol(event.symbol)
        if event.mark != logs.mark:
            n = self.next_n()
            logs.prices.append(PriceRecord(n, uid_for(n), event.time, event.mark))
        logs.mark = event.mark
        for source in PRICE_SOURCES:
            price = event.mark if source is CandleSource.MARK else event.index
            self._candle(source, event.symbol, event.time, price, _ZERO)

    # -- attachment --------------------------------------------------------------------------
    def follow(self, state: ServerState) -> None:
        """Start over on `state.exchange`: forget everything, seed marks and positions."""
        exchange = state.exchange
        self.__init__(exchange.instruments, self.limits)  # type: ignore[misc]
        for symbol, market in exchange.markets.items():
            self.symbol(symbol).mark = market.mark
        for account_id, acct in exchange.accounts.items():
            for symbol, pos in acct.positions.items():
                self.positions[(account_id, symbol)] = (pos.size, pos.entry, pos.realised)
        if self.record not in exchange.listeners:
            exchange.subscribe(self.record)

    @classmethod
    def attach(cls, state: ServerState) -> History:
        """Record `state.exchange` from now on, and start over whenever it is replaced."""
        history = cls()
        state.extras["history"] = history
        history.follow(state)
        state.reset_hooks.append(lambda: history.follow(state))
        return history


def _fill_reason(view: OrderView) -> UpdateReason:
    return UpdateReason.FULL_FILL if view.remaining == 0 else UpdateReason.PARTIAL_FILL
