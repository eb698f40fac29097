"""The account ledger: position updates and account-log rows, from position and balance events.

The engine books one fill as `PositionChanged` followed by the realised-PnL and fee
`BalanceChanged` events (each carrying the trade id as `ref`); a settlement books the same after
`ContractSettled`. The ledger turns them into:
- a `PositionUpdate` and a position row (asset = the symbol, balances = signed sizes) per
  `PositionChanged`, with the fill's fee, price and kind taken from the batch's current trade;
- one wallet row per (account, wallet, currency, ref) holding the PnL and the fee together,
  old balance before both and new balance after both (the fee is positive on the row);
- one row per other balance change (deposits, transfers, funding with its absolute rate).
Row ids count from 1 per account, in event order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine import events as ev
from ..engine.types import OrderView
from .records import LogEntry, LogKind, PositionUpdate, uid_for

if TYPE_CHECKING:
    from .recorder import AccountLogs, History

_ZERO = Decimal(0)
_LOG_KINDS = {
    ev.BalanceKind.DEPOSIT: LogKind.DEPOSIT,
    ev.BalanceKind.TRANSFER: LogKind.TRANSFER,
    ev.BalanceKind.FUNDING: LogKind.FUNDING,
    ev.BalanceKind.SETTLEMENT: LogKind.SETTLEMENT,
    ev.BalanceKind.LIQUIDATION_FEE: LogKind.LIQUIDATION,
}
_TRADE_KINDS = (ev.BalanceKind.REALISED_PNL, ev.BalanceKind.FEE)


@dataclass(slots=True)
class Batch:
    """Context carried across the events of one published batch (one atomic command)."""

    takers: dict[str, OrderView] = field(default_factory=dict)  # new taker -> view after fills
    placed: set[str] = field(default_factory=set)
    activated: set[str] = field(default_factory=set)
    trade: ev.Trade | None = None
    settled: ev.ContractSettled | None = None
    rows: dict[tuple[str, str, str, str], LogEntry] = field(default_factory=dict)
    updates: dict[tuple[str, str], PositionUpdate] = field(default_factory=dict)
    funding: dict[str, Decimal] = field(default_factory=dict)  # symbol -> absolute rate


def on_position(history: History, event: ev.PositionChanged, batch: Batch) -> None:
    key = (event.account_id, event.symbol)
    old_size, old_entry, old_realised = history.positions.get(key, (_ZERO, _ZERO, _ZERO))
    history.positions[key] = (event.size, event.entry_price, event.realised_pnl)
    trade, mark = batch.trade, history.symbol(event.symbol).mark
    if trade is not None and trade.symbol == event.symbol:
        maker = trade.maker.account_id == event.account_id
        fill_type = trade.maker_fill if maker else trade.taker_fill
        fee = trade.maker_fee if maker else trade.taker_fee
        ref: str | None = trade.trade_id
        price, qty, kind = trade.price, trade.qty, LogKind.for_fill(fill_type)
    else:
        fill_type, fee, ref, kind = None, _ZERO, None, LogKind.SETTLEMENT
        price = batch.settled.price if batch.settled is not None else mark
        qty = abs(event.size - old_size)
    account = history.account(event.account_id)
    n = history.next_n()
    update = PositionUpdate(
        n,
        uid_for(n),
        event.time,
        event.account_id,
        event.symbol,
        old_size,
        old_entry,
        event.size,
        event.entry_price,
        fee,
        event.realised_pnl - old_realised,
        ref,
        price,
        qty,
        fill_type,
    )
    account.positions.append(update)
    batch.updates[key] = update
    inst = history.instruments.get(event.symbol)
    wallet = inst.margin_wallet if inst is not None else "flex"
    row = _row(event, kind, wallet, event.symbol, event.symbol)
    row.old_balance, row.new_balance = old_size, event.size
    row.mark, row.trade_price, row.execution = mark, price, ref
    row.old_entry = old_entry if old_size else None
    row.new_entry = event.entry_price if event.size else None
    _log(history, account, row)


def on_balance(history: History, event: ev.BalanceChanged, batch: Batch) -> None:
    account = history.account(event.account_id)
    old = event.balance - event.delta
    mark = history.symbol(event.symbol).mark if event.symbol else None
    if event.kind not in _TRADE_KINDS or event.ref is None:
        kind = _LOG_KINDS.get(event.kind, LogKind.TRANSFER)
        row = _row(event, kind, event.wallet, event.currency, event.symbol)
        row.old_balance, row.new_balance, row.mark = old, event.balance, mark
        if kind is LogKind.FUNDING:
            row.realised_funding = event.delta
            row.funding_rate = batch.funding.get(event.symbol or "")
        _log(history, account, row)
        return
    key = (event.account_id, event.wallet, event.currency, event.ref)
    trade_row = batch.rows.get(key)
    if trade_row is None:
        trade, kind, price = batch.trade, LogKind.SETTLEMENT, None
        if trade is not None and trade.trade_id == event.ref:
            maker = trade.maker.account_id == event.account_id
            kind = LogKind.for_fill(trade.maker_fill if maker else trade.taker_fill)
            price = trade.price
        elif batch.settled is not None:
            price = batch.settled.price
        trade_row = _row(event, kind, event.wallet, event.currency, event.symbol)
        trade_row.old_balance, trade_row.mark = old, mark
        trade_row.fee = trade_row.realised_pnl = _ZERO
        trade_row.trade_price, trade_row.execution = price, event.ref
        batch.rows[key] = trade_row
        _log(history, account, trade_row)
    trade_row.new_balance = event.balance
    if event.kind is ev.BalanceKind.FEE:
        trade_row.fee = (trade_row.fee or _ZERO) - event.delta  # booked negative, shown positive
        update = batch.updates.get((event.account_id, event.symbol or ""))
        if update is not None and update.execution is None:
            update.fee -= event.delta  # a settlement's fee arrives after its position
    else:
        trade_row.realised_pnl = (trade_row.realised_pnl or _ZERO) + event.delta


def _row(event: ev.Event, kind: LogKind, wallet: str, asset: str, symbol: str | None) -> LogEntry:
    return LogEntry(0, "", event.time, kind, wallet, asset, _ZERO, _ZERO, symbol)


def _log(history: History, account: AccountLogs, entry: LogEntry) -> None:
    entry.id, entry.uid = account.next_log_id, uid_for(history.next_n())
    account.next_log_id += 1
    account.log.append(entry)
