"""WebSocket v1 dialect, part 3: the private order feeds `open_orders` / `open_orders_verbose`,
`fills` and `account_log`, with the per-account bookkeeping they need.

Job
---
`PrivateFeeds.on_event` turns each committed event into the (feed, account, message) triples it
causes, in event order; snapshots come from the exchange's open orders and the kept logs.

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
  snapshots, a per-account `seq` that snapshots keep; the newest 100 fills and account-log
  entries per account are kept for snapshots (only what happened since the hub attached).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from decimal import Decimal

from ..engine.events import (
    BalanceChanged,
    BalanceKind,
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
_LEDGER_INFO = {
    BalanceKind.DEPOSIT: "admin transfer",
    BalanceKind.FEE: "futures trade",
    BalanceKind.REALISED_PNL: "futures trade",
    BalanceKind.FUNDING: "funding rate change",
    BalanceKind.SETTLEMENT: "settlement",
    BalanceKind.LIQUIDATION_FEE: "futures liquidation",
    BalanceKind.TRANSFER: "transfer",
}


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
def fee_currency(currency: str) -> str:
    return "BTC" if currency == "XBT" else currency


def fill_entries(trade: Trade) -> list[tuple[str, Message]]:
    """(account id, fill without `seq`) for the maker's and the taker's side of a trade."""
    taker_type = _FILL_ORDER_TYPES[trade.taker.kind]
    sides = (
        (trade.maker, trade.maker_fill, trade.maker_fee),
        (trade.taker, trade.taker_fill, trade.taker_fee),
    )
    out = []
    for view, fill_type, fee in sides:
        entry: Message = {
            "instrument": trade.symbol,
            "time": trade.time,
            "price": num(trade.price),
            "seq": 0,
            "buy": view.side is Side.BUY,
            "qty": num(trade.qty),
            "remaining_order_qty": num(view.remaining),
            "order_id": view.order_id,
        }
        if view.cli_ord_id is not None:
            entry["cli_ord_id"] = view.cli_ord_id
        out.append(
            (
                view.account_id,
                entry
                | {
                    "fill_id": trade.trade_id,
                    "fill_type": _FILL_TYPES[fill_type],
                    "fee_paid": num(fee),
                    "fee_currency": fee_currency(trade.fee_currency),
                    "taker_order_type": taker_type,
                    "order_type": _FILL_ORDER_TYPES[view.kind],
                },
            )
        )
    return out


def fills_snapshot(account_id: str, fills: list[Message]) -> Message:
    return {"feed": "fills_snapshot", "account": account_id, "fills": fills}


def margin_account(wallet: str) -> str:
    """Kraken's ledger name of a wallet: `flex`, `cash`, `f-xbt:usd`."""
    if wallet.startswith("fi_") and len(wallet) == 9:
        return f"f-{wallet[3:6]}:{wallet[6:]}"
    return wallet


def ledger_entry(
    event: BalanceChanged, entry_id: int, trade: Trade | None, entries: tuple[Decimal, Decimal]
) -> Message:
    """One `account_log` entry for a balance change (`trade`: the execution it books, if any)."""
    is_trade = trade is not None and event.ref == trade.trade_id
    return {
        "id": entry_id,
        "date": iso(event.time),
        "asset": event.currency.lower(),
        "info": _LEDGER_INFO[event.kind],
        "booking_uid": f"00000000-0000-4000-8000-{event.seq:012x}",
        "margin_account": margin_account(event.wallet),
        "old_balance": num(event.balance - event.delta),
        "new_balance": num(event.balance),
        "old_average_entry_price": num(entries[0]) if is_trade else None,
        "new_average_entry_price": num(entries[1]) if is_trade else None,
        "trade_price": num(trade.price) if is_trade and trade else None,
        "mark_price": None,
        "realized_pnl": num(event.delta) if event.kind is BalanceKind.REALISED_PNL else None,
        "fee": num(-event.delta) if event.kind is BalanceKind.FEE else None,
        "execution": event.ref if is_trade and event.ref else "",
        "collateral": event.currency,
        "funding_rate": None,
        "realized_funding": num(event.delta) if event.kind is BalanceKind.FUNDING else None,
        "conversion_spread_percentage": None,
        "liquidation_fee": num(-event.delta) if event.kind is BalanceKind.LIQUIDATION_FEE else None,
    }


class Log:
    """A per-account counter and its newest entries."""

    __slots__ = ("entries", "seq")

    def __init__(self) -> None:
        self.seq = 0
        self.entries: deque[Message] = deque(maxlen=LOG_SIZE)


# -- the tracker ---------------------------------------------------------------------------
class PrivateFeeds:
    """Open-order ids, fill and ledger logs for every account of one exchange."""

    def __init__(self, open_order_ids: set[str]) -> None:
        self.open = open_order_ids
        self.fills: dict[str, Log] = {}
        self.ledgers: dict[str, Log] = {}
        self._entry: dict[tuple[str, str], tuple[Decimal, Decimal]] = {}
        self._trade: Trade | None = None

    def on_event(self, event: Event) -> Iterator[tuple[str, str, Message]]:
        """(feed, account id, message) triples for this event, in order."""
        yield from self._orders(event)
        if isinstance(event, Trade):
            self._trade = event
            for account_id, entry in fill_entries(event):
                log = self.fills.setdefault(account_id, Log())
                entry["seq"] = log.seq
                log.seq += 1
                log.entries.append(entry)
                yield (
                    "fills",
                    account_id,
                    {"feed": "fills", "username": account_id, "fills": [entry]},
                )
        elif isinstance(event, PositionChanged):
            key = (event.account_id, event.symbol)
            before = self._entry.get(key)
            self._entry[key] = (before[1] if before else Decimal(0), event.entry_price)
        elif isinstance(event, BalanceChanged):
            yield "account_log", event.account_id, self._ledger(event)
        self._track(event)

    def _orders(self, event: Event) -> Iterator[tuple[str, str, Message]]:
        if isinstance(event, OrderRejected) and event.order is None:
            wire = feed_reason(event.reason)
            if wire is not None and (event.order_id or event.cli_ord_id):
                msg = id_only(VERBOSE, event.order_id, event.cli_ord_id, True, wire)
                yield VERBOSE, event.account_id, msg
            return
        for view, reason in order_updates(event):
            wire = feed_reason(reason)
            if wire is None:
                continue
            known = isinstance(event, OrderPlaced) or view.order_id in self.open
            refused = isinstance(event, OrderRejected | OrderCancelled) and not known
            if not known and not refused:
                continue  # e.g. the synthetic counterparty of a block or house trade
            is_cancel = _is_cancel(event, view)
            body = not is_cancel or reason is UpdateReason.FULL_FILL or refused
            account = view.account_id
            if known:
                yield OPEN_ORDERS, account, order_delta(OPEN_ORDERS, view, wire, is_cancel, body)
            yield VERBOSE, account, order_delta(VERBOSE, view, wire, is_cancel, body)

    def _track(self, event: Event) -> None:
        if isinstance(event, OrderPlaced):
            self.open.add(event.order.order_id)
        elif isinstance(event, OrderCancelled | TriggerActivated):
            self.open.discard(event.order.order_id)
        elif isinstance(event, Trade):
            for view in (event.maker, event.taker):
                if view.remaining == 0:
                    self.open.discard(view.order_id)

    def _ledger(self, event: BalanceChanged) -> Message:
        log = self.ledgers.setdefault(event.account_id, Log())
        log.seq += 1
        trade = self._trade
        key = (event.account_id, trade.symbol if trade is not None else "")
        entries = self._entry.get(key, (Decimal(0), Decimal(0)))
        entry = ledger_entry(event, log.seq, trade, entries)
        log.entries.append(entry)
        return {"feed": "account_log", "new_entry": entry}
