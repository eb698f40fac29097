"""WebSocket v1 dialect, part 3: the private order feeds `open_orders` / `open_orders_verbose`,
`fills` and `account_log`, with the per-account bookkeeping they need.

Job
---
`PrivateFeeds.on_event(event, watched)` turns each committed event into the (feed, account,
message) triples it causes for the (feed, account) pairs in `watched` (the hub's subscription
index), in event order; the bookkeeping (open-order ids, fill counters, kept records) advances
for every account whether watched or not, so a late subscriber sees exactly what an early one
does. Snapshots are rendered on subscribe from kept records: the exchange's open orders, the
newest fills (raw `Trade` plus the fill's `seq`) and the History's ledger entries.
`OrderFeeds` is the open-order part alone (no History needed), for in-process readers.

Invariants (reference kraken-futures-ws.md §3.6, §4)
----------------------------------------------------
* Every order change comes from `order_updates(event)`; its wire reason from `feed_reason`. A
  reason mapped to None (the silent rest of an IOC) is published on neither feed.
* Plain `open_orders` only speaks of orders that rested: a new resting order, or a change to an
  order it already reported. So a taker filled on arrival causes no `open_orders` message, and
  refusals (post-only, IOC, self-trade, reduce-only, edit-not-found) and the self-trade stop of
  a taker that never rested appear only on `open_orders_verbose`, which otherwise carries the
  same messages.
* `is_cancel` is true exactly when the order left the open set (fill to zero, any removal,
  trigger fired, refusal). Shape: full body while live and for `full_fill` and refusals; id-only
  (`order_id`, `cli_ord_id` if any) when a resting order was removed. `qty` is the REMAINING size.
* Hence open_orders snapshot + deltas == the account's open orders after every command.
* Fills: one message per execution and account, `username` on deltas and `account` on
  snapshots, a per-account `seq` counted from when the feeds started; the newest 100 fills and
  account-log entries per account since then make the snapshots.
* Account log: every entry is the History's own `LogEntry` (built once by `history.ledger`; the
  History records a batch before the hub renders it) rendered by `ledger_entry`; the History
  API renders the same record (docs/funds-rfq-assignment.md, "The account log"). Entries are
  final once their batch is recorded, so rendering one on subscribe equals rendering it live.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container

from ..engine.events import (
    BalanceChanged,
    Event,
    OrderCancelled,
    OrderEdited,
    OrderPlaced,
    OrderRejected,
    PositionChanged,
    Trade,
    TriggerActivated,
    order_updates,
)
from ..engine.reasons import UpdateReason
from ..engine.types import FillType, OrderType, OrderView, Side, TriggerSignal
from ..history import History, LogEntry, ledger
from .encode_history import ledger_fields
from .errors import feed_reason
from .feeds import Message, num
from .formats import iso

LOG_SIZE = 100

OPEN_ORDERS, VERBOSE = "open_orders", "open_orders_verbose"

_ORDER_TYPES = {
    OrderType.STP: "stop",
    OrderType.TAKE_PROFIT: "take_profit",
    OrderType.TRAILING_STOP: "trailing_stop",
}
_FILL_ORDER_TYPES = {
    OrderType.LMT: "lmt",
    OrderType.POST: "post",
    OrderType.IOC: "ioc",
    OrderType.MKT: "market",
    OrderType.FOK: "fillOrKill",
    OrderType.STP: "stp",
    OrderType.TAKE_PROFIT: "take_profit",
    OrderType.TRAILING_STOP: "trailing_stop",
    OrderType.LIQUIDATION: "liquidation",
}
#: `takerAfterEdit` is documented but live captures of crossing edits show `taker`.
_FILL_TYPES = {
    FillType.MAKER: "maker",
    FillType.TAKER: "taker",
    FillType.TAKER_AFTER_EDIT: "taker",
    FillType.LIQUIDATION: "liquidation",
    FillType.ASSIGNOR: "assignor",
    FillType.ASSIGNEE: "assignee",
    FillType.UNWIND_BANKRUPT: "unwindBankrupt",
    FillType.UNWIND_COUNTERPARTY: "unwindCounterparty",
    FillType.BLOCK: "block",
}
_SIGNALS = {TriggerSignal.MARK: "mark", TriggerSignal.INDEX: "spot", TriggerSignal.LAST: "last"}


# -- open orders -----------------------------------------------------------------------------
def order_body(v: OrderView) -> Message:
    body: Message = {
        "instrument": v.symbol,
        "time": v.created,
        "last_update_time": v.updated,
        "qty": num(v.remaining),
        "filled": num(v.filled),
    }
    if v.limit_price is not None and v.kind is not OrderType.MKT:
        body["limit_price"] = num(v.limit_price)
    body["stop_price"] = num(v.stop_price)
    body["type"] = _ORDER_TYPES.get(v.kind, "limit")
    body["order_id"] = v.order_id
    if v.cli_ord_id is not None:
        body["cli_ord_id"] = v.cli_ord_id
    body["direction"] = 0 if v.side is Side.BUY else 1
    body["reduce_only"] = v.reduce_only
    if v.signal is not None:
        body["triggerSignal"] = _SIGNALS[v.signal]
    if v.trailing is not None:
        unit = v.trailing.unit.value  # "percent" / "quote_currency", Kraken's spelling
        body["trailing_stop_options"] = {
            "max_deviation": num(v.trailing.max_deviation),
            "unit": unit,
        }
    return body


def orders_snapshot(feed: str, account_id: str, views: list[OrderView]) -> Message:
    orders = [order_body(v) for v in views]
    return {"feed": f"{feed}_snapshot", "account": account_id, "orders": orders}


def order_delta(feed: str, view: OrderView, reason: str, is_cancel: bool, body: bool) -> Message:
    if body:
        return {"feed": feed, "order": order_body(view), "is_cancel": is_cancel, "reason": reason}
    return id_only(feed, view.order_id, view.cli_ord_id, is_cancel, reason)


def id_only(
    feed: str, order_id: str | None, cli_ord_id: str | None, is_cancel: bool, reason: str
) -> Message:
    out: Message = {"feed": feed}
    if order_id is not None:
        out["order_id"] = order_id
    if cli_ord_id is not None:
        out["cli_ord_id"] = cli_ord_id
    return out | {"is_cancel": is_cancel, "reason": reason}


def _is_cancel(event: Event, view: OrderView) -> bool:
    if isinstance(event, OrderPlaced | OrderEdited):
        return False
    if isinstance(event, Trade):
        return view.remaining == 0
    return True


# -- fills and account log -------------------------------------------------------------------
FILLS, ACCOUNT_LOG = "fills", "account_log"


def fee_currency(currency: str) -> str:
    return "BTC" if currency == "XBT" else currency


def fill_entry(trade: Trade, maker: bool, seq: int) -> Message:
    """One side (the maker's or the taker's) of a trade as a `fills` entry."""
    if maker:
        view, fill_type, fee = trade.maker, trade.maker_fill, trade.maker_fee
    else:
        view, fill_type, fee = trade.taker, trade.taker_fill, trade.taker_fee
    entry: Message = {
        "instrument": trade.symbol,
        "time": trade.time,
        "price": num(trade.price),
        "seq": seq,
        "buy": view.side is Side.BUY,
        "qty": num(trade.qty),
        "remaining_order_qty": num(view.remaining),
        "order_id": view.order_id,
    }
    if view.cli_ord_id is not None:
        entry["cli_ord_id"] = view.cli_ord_id
    return entry | {
        "fill_id": trade.trade_id,
        "fill_type": _FILL_TYPES[fill_type],
        "fee_paid": num(fee),
        "fee_currency": fee_currency(trade.fee_currency),
        "taker_order_type": _FILL_ORDER_TYPES[trade.taker.kind],
        "order_type": _FILL_ORDER_TYPES[view.kind],
    }


def ledger_entry(entry: LogEntry) -> Message:
    """The `account_log` rendering of one ledger entry (the History API renders the same
    record): Kraken's WebSocket key order, numbers as doubles with 0.0 and strings "" where the
    entry has none, `contract` only for entries that concern one."""
    out: Message = {"id": entry.id, "date": iso(entry.time), "asset": entry.asset.lower()}
    if entry.symbol is not None:
        out["contract"] = entry.symbol.lower()
    return out | ledger_fields(entry, num, "")


class FillLog:
    """An account's fill counter and its newest fills, kept raw: (trade, maker side?, seq)."""

    __slots__ = ("fills", "seq")

    def __init__(self) -> None:
        self.seq = 0
        self.fills: deque[tuple[Trade, bool, int]] = deque(maxlen=LOG_SIZE)


class _Everyone:
    """`watched` for a reader that wants every message."""

    def __contains__(self, key: object) -> bool:
        return True


EVERYONE: Container[tuple[str, str]] = _Everyone()


# -- the trackers --------------------------------------------------------------------------
class OrderFeeds:
    """The ids of the open orders and the `open_orders` / `open_orders_verbose` deltas."""

    def __init__(self, open_order_ids: set[str]) -> None:
        self.open = open_order_ids

    def on_event(
        self, event: Event, watched: Container[tuple[str, str]] = EVERYONE
    ) -> list[tuple[str, str, Message]]:
        """(feed, account id, message) for the watched pairs, in order; tracks every order."""
        out: list[tuple[str, str, Message]] = []
        if isinstance(event, OrderRejected) and event.order is None:
            wire = feed_reason(event.reason)
            account = event.account_id
            named = event.order_id or event.cli_ord_id
            if (VERBOSE, account) in watched and wire is not None and named:
                msg = id_only(VERBOSE, event.order_id, event.cli_ord_id, True, wire)
                out.append((VERBOSE, account, msg))
            return out
        for view, reason in order_updates(event):
            account = view.account_id
            verbose = (VERBOSE, account) in watched
            if not verbose and (OPEN_ORDERS, account) not in watched:
                continue
            wire = feed_reason(reason)
            if wire is None:
                continue
            known = isinstance(event, OrderPlaced) or view.order_id in self.open
            refused = isinstance(event, OrderRejected | OrderCancelled) and not known
            if not known and not refused:
                continue  # e.g. the synthetic counterparty of a block or house trade
            is_cancel = _is_cancel(event, view)
            body = not is_cancel or reason is UpdateReason.FULL_FILL or refused
            if known and (OPEN_ORDERS, account) in watched:
                msg = order_delta(OPEN_ORDERS, view, wire, is_cancel, body)
                out.append((OPEN_ORDERS, account, msg))
            if verbose:
                out.append((VERBOSE, account, order_delta(VERBOSE, view, wire, is_cancel, body)))
        self._track(event)
        return out

    def _track(self, event: Event) -> None:
        if isinstance(event, OrderPlaced):
            self.open.add(event.order.order_id)
        elif isinstance(event, OrderCancelled | TriggerActivated):
            self.open.discard(event.order.order_id)
        elif isinstance(event, Trade):
            for view in (event.maker, event.taker):
                if view.remaining == 0:
                    self.open.discard(view.order_id)


class PrivateFeeds:
    """Order, fill and account-log feeds for every account of one exchange.

    `history`: the server's `History`, attached before the hub, so it has recorded each batch
    before `on_event` sees its events; the `account_log` feed sends the very entries the History
    API serves. `since`: the exchange's `seq` when the feeds started (snapshots show what
    happened after it).
    """

    def __init__(self, open_order_ids: set[str], history: History, since: int = 0) -> None:
        self.orders = OrderFeeds(open_order_ids)
        self.history = history
        self.since = since
        self.fills: dict[str, FillLog] = {}

    def on_event(
        self, event: Event, watched: Container[tuple[str, str]]
    ) -> list[tuple[str, str, Message]]:
        """(feed, account id, message) triples for the watched (feed, account) pairs, in order."""
        out = self.orders.on_event(event, watched)
        if isinstance(event, Trade):
            fills = self.fills
            for maker, account in ((True, event.maker.account_id), (False, event.taker.account_id)):
                log = fills.get(account)
                if log is None:
                    log = fills[account] = FillLog()
                seq = log.seq
                log.seq = seq + 1
                log.fills.append((event, maker, seq))
                if (FILLS, account) in watched:
                    entry = fill_entry(event, maker, seq)
                    delta = {"feed": FILLS, "username": account, "fills": [entry]}
                    out.append((FILLS, account, delta))
        elif isinstance(event, PositionChanged | BalanceChanged):
            account = event.account_id
            if (ACCOUNT_LOG, account) in watched:
                for row in ledger.opened_by(self.history.account(account), event.seq):
                    message = {"feed": ACCOUNT_LOG, "new_entry": ledger_entry(row)}
                    out.append((ACCOUNT_LOG, account, message))
        return out

    def fills_snapshot(self, account_id: str, only: frozenset[str] | None) -> Message:
        """The newest fills of an account (of the `only` contracts, when given), oldest first."""
        log = self.fills.get(account_id)
        kept = log.fills if log is not None else ()
        fills = [
            fill_entry(trade, maker, seq)
            for trade, maker, seq in kept
            if only is None or trade.symbol in only
        ]
        return {"feed": "fills_snapshot", "account": account_id, "fills": fills}

    def log_snapshot(self, account_id: str) -> Message:
        """The newest account-log entries of an account since the feeds started, newest first."""
        logs: list[Message] = []
        for entry in reversed(self.history.account(account_id).log):
            if entry.seq <= self.since or len(logs) == LOG_SIZE:
                break
            logs.append(ledger_entry(entry))
        return {"feed": "account_log_snapshot", "logs": logs}
