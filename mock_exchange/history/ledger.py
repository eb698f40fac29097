"""The account ledger: the one builder of account-log entries, and of position updates.

Every account-log entry the simulator shows — in `GET /api/history/v3/account-log`, in
`accountlogcsv` and on the `account_log` WebSocket feed — is a `LogEntry` built here, once, from
the exchange's events; the protocol only renders it (twice: `encode_history.log_entry` and
`feeds_private.ledger_entry`).

The engine books one fill as `PositionChanged` followed by the realised-PnL and fee
`BalanceChanged` events (each carrying the trade id as `ref`); a settlement books the same after
`ContractSettled`. A transfer is `FundsTransferred` and one `BalanceChanged` (kind TRANSFER, `ref`
the transfer id) per Futures wallet it moves (just the debit for a withdrawal to spot).
The ledger turns them into:
- a `PositionUpdate` and a position entry (asset = the symbol, balances = signed sizes) per
  `PositionChanged`, with the fill's fee, price and kind taken from the batch's current trade;
- one wallet entry per fill or settlement of an account holding its PnL and fee together, old
  balance before both and new balance after both (the fee is positive on the entry);
- one entry per other balance change (deposits, transfers, funding with its absolute rate).

Invariants:
- Entry ids count from 1 per account, in event order; an entry's booking uid is
  `booking_uid(seq)` of the event that opened it, so it depends on the event stream alone.
- An entry is complete once its batch has been recorded (a trade's fee arrives after its PnL;
  a transfer's kind is known once its credit side is seen, or from `FundsTransferred`).
- The state an entry reads (positions, marks, instruments, ids) lives in the `History` passed
  in, the only caller: each `PositionChanged` / `BalanceChanged` is booked once, by the History's
  recorder; the `account_log` feed reads the entries back (`opened_by`), never books them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine import events as ev
from ..engine.types import OrderView
from .records import LogEntry, LogKind, PositionUpdate, booking_uid, uid_for

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
    #: transfer id -> (account, entry) of the first entry booking it
    transfers: dict[str, tuple[str, LogEntry]] = field(default_factory=dict)
    #: transfer id -> its kind, when the batch's `FundsTransferred` was seen
    transfer_kinds: dict[str, LogKind] = field(default_factory=dict)


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
    if ref is not None:  # this fill's PnL and fee open their own wallet entry
        for done in [k for k in batch.rows if k[0] == event.account_id and k[3] == ref]:
            del batch.rows[done]
    inst = history.instruments.get(event.symbol)
    wallet = inst.margin_wallet if inst is not None else "flex"
    row = _row(event, kind, wallet, event.symbol, event.symbol)
    row.old_balance, row.new_balance = old_size, event.size
    row.mark, row.trade_price, row.execution = mark, price, ref
    row.old_entry = old_entry if old_size else None
    row.new_entry = event.entry_price if event.size else None
    _log(account, row)


def on_balance(history: History, event: ev.BalanceChanged, batch: Batch) -> None:
    account = history.account(event.account_id)
    if event.kind in _TRADE_KINDS and event.ref is not None:
        _trade_balance(history, account, event, batch)
        return
    old = event.balance - event.delta
    mark = history.symbol(event.symbol).mark if event.symbol else None
    kind = _LOG_KINDS.get(event.kind, LogKind.TRANSFER)
    row = _row(event, kind, event.wallet, event.currency, event.symbol)
    row.old_balance, row.new_balance, row.mark = old, event.balance, mark
    if kind is LogKind.FUNDING:
        row.realised_funding = event.delta
        row.funding_rate = batch.funding.get(event.symbol or "")
        row.collateral = event.currency
    elif kind is LogKind.LIQUIDATION:
        row.liquidation_fee = -event.delta
        row.collateral = event.currency
    elif event.kind is ev.BalanceKind.TRANSFER and event.ref is not None:
        _transfer(event, row, batch)
    _log(account, row)


def _trade_balance(
    history: History, account: AccountLogs, event: ev.BalanceChanged, batch: Batch
) -> None:
    """The PnL or fee of one fill or settlement, both kept on one wallet entry."""
    assert event.ref is not None
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
        trade_row.old_balance = event.balance - event.delta
        trade_row.mark = history.symbol(event.symbol).mark if event.symbol else None
        trade_row.fee = trade_row.realised_pnl = _ZERO
        trade_row.trade_price, trade_row.execution = price, event.ref
        trade_row.collateral = event.currency
        batch.rows[key] = trade_row
        _log(account, trade_row)
    trade_row.new_balance = event.balance
    if event.kind is ev.BalanceKind.FEE:
        trade_row.fee = (trade_row.fee or _ZERO) - event.delta  # booked negative, shown positive
        if trade_row.kind.charges_liquidation_fee:
            trade_row.liquidation_fee = trade_row.fee
        update = batch.updates.get((event.account_id, event.symbol or ""))
        if update is not None and update.execution is None:
            update.fee -= event.delta  # a settlement's fee arrives after its position
    else:
        trade_row.realised_pnl = (trade_row.realised_pnl or _ZERO) + event.delta


def _transfer(event: ev.BalanceChanged, row: LogEntry, batch: Batch) -> None:
    """A transfer's kind: from `FundsTransferred` when seen, else from its two sides (a debit
    with no credit in the batch is a withdrawal to spot)."""
    assert event.ref is not None
    known = batch.transfer_kinds.get(event.ref)
    first = batch.transfers.get(event.ref)
    if first is None:
        batch.transfers[event.ref] = (event.account_id, row)
        row.kind = known or LogKind.CROSS_EXCHANGE_TRANSFER
        return
    source, first_row = first
    row.kind = first_row.kind = known or LogKind.for_transfer(source, event.account_id)


def _row(event: ev.Event, kind: LogKind, wallet: str, asset: str, symbol: str | None) -> LogEntry:
    return LogEntry(0, "", event.time, kind, wallet, asset, _ZERO, _ZERO, symbol, seq=event.seq)


def _log(account: AccountLogs, entry: LogEntry) -> None:
    entry.id, entry.uid = account.next_log_id, booking_uid(entry.seq)
    account.next_log_id += 1
    account.log.append(entry)


def opened_by(account: AccountLogs, seq: int) -> list[LogEntry]:
    """The entries of an account that the event with this `seq` opened, oldest first (entries
    are kept in opening order, so the search stops at the first older one)."""
    found: list[LogEntry] = []
    for entry in reversed(account.log):
        if entry.seq < seq:
            break
        if entry.seq == seq:
            found.append(entry)
    found.reverse()
    return found
