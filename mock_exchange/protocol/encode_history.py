"""History-API JSON (`/api/history/v2|v3`): order, trigger, execution, position and price
elements, account-log rows and CSV, and the paging rules they share.

Shapes follow reference §4.22 and Kraken's history OpenAPI: decimals are strings (`text`),
timestamps integer milliseconds, order objects `HistoricalOrder` / `HistoricalTrigger`. Public
(`market/...`) variants are "sanitized": no account, client id or fee data. Reasons are Kraken's
lower-snake names: the `orders/status` update reason, lower-cased.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Callable, Iterable, Sequence
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol, TypeVar

from ..engine.reasons import Reject, UpdateReason
from ..engine.types import DeviationUnit, FillType, OrderType, OrderView, TriggerSide, TriggerSignal
from ..history import (
    Execution,
    LogEntry,
    LogKind,
    OrderKind,
    OrderRecord,
    PositionUpdate,
    PriceRecord,
)
from .errors import REJECTS, invalid, update_reason
from .formats import iso, num

JSON = dict[str, Any]

HISTORY_TYPES = {
    OrderType.LMT: "Limit",
    OrderType.POST: "Post",
    OrderType.IOC: "IoC",
    OrderType.MKT: "IoC",
    OrderType.FOK: "FoK",
    OrderType.LIQUIDATION: "Liquidation",
    OrderType.STP: "Limit",
    OrderType.TAKE_PROFIT: "Limit",
    OrderType.TRAILING_STOP: "Limit",
}
HISTORY_SIGNALS = {
    TriggerSignal.MARK: "MarkPrice",
    TriggerSignal.LAST: "LastPrice",
    TriggerSignal.INDEX: "SpotPrice",
}
HISTORY_SIDES = {TriggerSide.ABOVE: "Above", TriggerSide.BELOW: "Below"}
HISTORY_UNITS = {DeviationUnit.PERCENT: "Percent", DeviationUnit.QUOTE_CURRENCY: "QuoteCurrency"}
ORDER_EVENTS = {
    OrderKind.PLACED: "OrderPlaced",
    OrderKind.UPDATED: "OrderUpdated",
    OrderKind.CANCELLED: "OrderCancelled",
    OrderKind.REJECTED: "OrderRejected",
    OrderKind.NOT_FOUND: "OrderNotFound",
    OrderKind.TRIGGER_PLACED: "OrderTriggerPlaced",
    OrderKind.TRIGGER_UPDATED: "OrderTriggerUpdated",
    OrderKind.TRIGGER_CANCELLED: "OrderTriggerCancelled",
    OrderKind.TRIGGER_ACTIVATED: "OrderTriggerActivated",
}
#: Account-log `info` of each entry kind, the same on the History API and the `account_log` feed.
LOG_INFO = {
    LogKind.TRADE: "futures trade",
    LogKind.LIQUIDATION: "futures liquidation",
    LogKind.ASSIGNOR: "futures assignor",
    LogKind.ASSIGNEE: "futures assignee",
    LogKind.UNWIND_COUNTERPARTY: "futures unwind counterparty",
    LogKind.UNWIND_BANKRUPT: "futures unwind bankrupt",
    LogKind.SETTLEMENT: "settlement",
    LogKind.FUNDING: "funding rate change",
    LogKind.DEPOSIT: "admin transfer",
    LogKind.TRANSFER: "transfer",
    LogKind.SUBACCOUNT_TRANSFER: "subaccount transfer",
    LogKind.CROSS_EXCHANGE_TRANSFER: "cross-exchange transfer",
}
#: Other `info` filter values Kraken documents: older spellings of ours, and kinds of entry the
#: simulator never books (a filter on those is valid and finds nothing).
LOG_INFO_ALIASES: dict[str, LogKind | None] = {
    "liquidation": LogKind.LIQUIDATION, "assignor": LogKind.ASSIGNOR,
    "assignee": LogKind.ASSIGNEE, "unwind counterparty": LogKind.UNWIND_COUNTERPARTY,
    "unwind bankrupt": LogKind.UNWIND_BANKRUPT, "covered liquidation": None, "conversion": None,
    "interest payment": None, "kfee applied": None,
}  # fmt: skip
_SINGLE_COLLATERAL = ("fi_", "fv_")
TRADE_TYPES = {  # position history `tradeType`; any other fill is a userExecution
    FillType.LIQUIDATION: "liquidation",
    FillType.ASSIGNOR: "assignment",
    FillType.ASSIGNEE: "assignment",
    FillType.UNWIND_BANKRUPT: "unwind",
    FillType.UNWIND_COUNTERPARTY: "unwind",
}
_CENT = Decimal("0.01")


def text(value: Decimal | None) -> str:
    """A decimal as Kraken's history strings write it: plain digits, no exponent; "" for None."""
    if value is None:
        return ""
    return format(value.normalize(), "f") if value else "0"


def reason_name(reason: UpdateReason | Reject | None) -> str:
    if reason is None:
        return ""
    name = update_reason(reason)
    if name is None and isinstance(reason, Reject):
        name = _order_error(reason) or reason.value
    return (name or "").lower()


def _order_error(reason: Reject) -> str | None:
    wire = REJECTS.get(reason)
    return wire.order_error if wire is not None else None


def history_order(view: OrderView, sanitized: bool = False, kind: str | None = None) -> JSON:
    """HistoricalOrder (or its sanitized public form)."""
    out: JSON = {"uid": view.order_id}
    if not sanitized:
        out["accountUid"] = view.account_id
    out.update(tradeable=view.symbol, direction=view.side.value.capitalize())
    out["quantity"] = text(view.qty)
    if not sanitized:
        out["filled"] = text(view.filled)
    out.update(timestamp=view.created, limitPrice=text(view.limit_price))
    out["orderType"] = kind or HISTORY_TYPES[view.kind]
    if not sanitized:
        out["clientId"] = view.cli_ord_id or ""
    out.update(reduceOnly=view.reduce_only, lastUpdateTimestamp=view.updated)
    if not sanitized:
        out["spotData"] = None
    return out


def history_trigger(view: OrderView) -> JSON:
    """HistoricalTrigger: the order plus its trigger options; stop-market shows IoC and ""."""
    out = history_order(view, kind="Limit" if view.limit_price is not None else "IoC")
    del out["filled"], out["spotData"]
    trailing = view.trailing
    offset = view.limit_offset
    out["accountId"] = 0
    out["triggerOptions"] = {
        "triggerPrice": text(view.stop_price),
        "triggerSignal": HISTORY_SIGNALS[view.signal] if view.signal else None,
        "triggerSide": HISTORY_SIDES[view.trigger_side] if view.trigger_side else None,
        "trailingStopOptions": (
            {"maxDeviation": text(trailing.max_deviation), "unit": HISTORY_UNITS[trailing.unit]}
            if trailing is not None
            else None
        ),
        "limitPriceOffset": (
            {"priceOffset": text(offset.value), "unit": HISTORY_UNITS[offset.unit]}
            if offset is not None
            else None
        ),
    }
    return out


def order_element(record: OrderRecord, sanitized: bool = False) -> JSON:
    """One element of `orders`, `triggers` or public `market/{symbol}/orders`."""
    name = ORDER_EVENTS[record.kind]
    order, reason = record.order, reason_name(record.reason)
    body: JSON
    if record.kind is OrderKind.NOT_FOUND:
        body = {"accountUid": record.account_id, "orderId": record.order_id}
    elif record.kind.is_trigger:
        assert order is not None
        body = {"order": history_trigger(order)}
        if record.kind is OrderKind.TRIGGER_UPDATED:
            assert record.old is not None
            body = {
                "oldOrderTrigger": history_trigger(record.old),
                "newOrderTrigger": body["order"],
            }
        if record.kind is not OrderKind.TRIGGER_ACTIVATED:
            body["reason"] = reason
    else:
        assert order is not None
        body = {"order": history_order(order, sanitized)}
        if record.kind is OrderKind.UPDATED:
            assert record.old is not None
            body = {"oldOrder": history_order(record.old, sanitized), "newOrder": body["order"]}
        if record.kind is OrderKind.REJECTED:
            assert isinstance(record.reason, Reject)
            body["orderError"] = _order_error(record.reason) or ""
        body["reason"] = reason
        if record.kind in (OrderKind.PLACED, OrderKind.UPDATED):
            body["reducedQuantity"] = text(record.reduced_qty)
    return {"uid": record.uid, "timestamp": record.time, "event": {name: body}}


def execution_element(execution: Execution, account_id: str | None = None) -> JSON:
    """An `Execution` element; with `account_id` None the public, sanitized form."""
    trade = execution.trade
    public = account_id is None
    maker_kind = "Assignment" if trade.maker_fill is FillType.ASSIGNEE else None
    maker_mine = trade.maker.account_id == account_id
    taker_mine = trade.taker.account_id == account_id
    inner: JSON = {
        "uid": trade.trade_id,
        "makerOrder": history_order(trade.maker, not maker_mine, maker_kind),
        "takerOrder": history_order(trade.taker, not taker_mine),
        "timestamp": trade.time,
        "quantity": text(trade.qty),
        "price": text(trade.price),
        "markPrice": text(execution.mark),
        "limitFilled": trade.taker.limit_price == trade.price,
        "usdValue": format(_usd_value(trade.fee_currency, trade.qty, trade.price), "f"),
    }
    if not public:
        inner["makerOrderData"] = _order_data(maker_mine, trade.maker_fee, execution.maker_position)
        inner["takerOrderData"] = _order_data(taker_mine, trade.taker_fee, execution.taker_position)
    reduced = text(trade.taker_reduced)
    return {
        "uid": execution.uid,
        "timestamp": trade.time,
        "event": {"Execution": {"execution": inner, "takerReducedQuantity": reduced}},
    }


def _order_data(mine: bool, fee: Decimal, position: Decimal) -> JSON | None:
    if not mine:
        return None
    return {"fee": text(fee), "positionSize": text(position), "feeCalculationInfo": []}


def _usd_value(fee_currency: str, qty: Decimal, price: Decimal) -> Decimal:
    """Linear contracts are worth size x price USD; inverse ones are 1 USD per contract."""
    value = qty * price if fee_currency == "USD" else qty
    return value.quantize(_CENT, ROUND_HALF_EVEN)


def position_element(update: PositionUpdate, fee_currency: str) -> JSON:
    """HistoricalPositionUpdateElement (v3 `positions`)."""
    old, new = update.old_size, update.new_size
    trade = update.execution is not None
    out: JSON = {
        "accountUid": update.account_id,
        "tradeable": update.symbol,
        "oldPosition": text(old),
        "oldAverageEntryPrice": text(update.old_entry) if old else None,
        "newPosition": text(new),
        "newAverageEntryPrice": text(update.new_entry if new else Decimal(0)),
        "fillTime": update.time if trade else None,
        "fee": text(update.fee),
        "feeCurrency": fee_currency,
        "realizedPnL": text(update.realised),
        "positionChange": position_change(old, new),
        "executionUid": update.execution or "",
        "executionPrice": text(update.price),
        "executionSize": text(update.qty),
        "tradeType": _trade_type(update.fill_type),
        "timestamp": update.time,
        "updateReason": "trade" if trade else "settlement",
    }
    if not trade:
        out["settlementPrice"] = text(update.price)
    return out


def position_change(old: Decimal, new: Decimal) -> str:
    if old == new:
        return "noChange"
    if old == 0:
        return "open"
    if new == 0:
        return "close"
    if (old > 0) != (new > 0):
        return "reverse"
    return "increase" if abs(new) > abs(old) else "decrease"


def _trade_type(fill_type: FillType | None) -> str:
    if fill_type is None:
        return "userExecution"
    return TRADE_TYPES.get(fill_type, "userExecution")


def public_trade_type(maker_fill: FillType, taker_fill: FillType) -> str:
    """`type` of a public trade (`/history`): fill, liquidation or assignment."""
    if maker_fill is FillType.ASSIGNEE:
        return "assignment"
    return "liquidation" if taker_fill is FillType.LIQUIDATION else "fill"


def ledger_account(wallet: str) -> str:
    """Kraken's account-log name (`margin_account`) of a wallet, on both transports: `flex` and
    `cash` as they are, a single-collateral wallet `fi_<base><quote>` as `f-<base>:<quote>`."""
    if wallet.startswith(_SINGLE_COLLATERAL) and len(wallet) > 6:
        return f"f-{wallet[3:-3]}:{wallet[-3:]}"
    return wallet


def ledger_fields(entry: LogEntry, number: Callable[[Decimal | int | None], float | None],
                  absent: str | None) -> JSON:  # fmt: skip
    """`info` to `liquidation_fee` of a ledger entry for both renderings (feed, History API): each
    passes its `number` writer and `absent` string, and places id, date, asset, contract itself."""
    return {
        "info": LOG_INFO[entry.kind],
        "booking_uid": entry.uid,
        "margin_account": ledger_account(entry.wallet),
        "old_balance": number(entry.old_balance),
        "new_balance": number(entry.new_balance),
        "old_average_entry_price": number(entry.old_entry),
        "new_average_entry_price": number(entry.new_entry),
        "trade_price": number(entry.trade_price),
        "mark_price": number(entry.mark),
        "realized_pnl": number(entry.realised_pnl),
        "fee": number(entry.fee),
        "execution": absent if entry.execution is None else entry.execution,
        "collateral": entry.collateral.lower() if entry.collateral else absent,
        "funding_rate": number(entry.funding_rate),
        "realized_funding": number(entry.realised_funding),
        "conversion_spread_percentage": number(None),
        "liquidation_fee": number(entry.liquidation_fee),
    }


def log_entry(entry: LogEntry) -> JSON:
    """One `account-log` row; assets, contracts and currencies are lower-case as Kraken writes
    them, and what an entry does not have is null (the feed writes "" and 0.0 instead)."""
    head = {"id": entry.id, "date": iso(entry.time), "asset": entry.asset.lower()}
    contract = entry.symbol.lower() if entry.symbol else None
    return head | ledger_fields(entry, num, None) | {"contract": contract}


def log_csv(entries: Iterable[LogEntry]) -> str:
    """`accountlogcsv`: the account-log fields as columns, one row per entry."""
    rows = [log_entry(e) for e in entries]
    out = io.StringIO()
    fields = list(log_entry_fields())
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row[k] is None else row[k] for k in fields})
    return out.getvalue()


def log_entry_fields() -> tuple[str, ...]:
    return (
        "id", "date", "asset", "info", "booking_uid", "margin_account", "old_balance",
        "new_balance", "old_average_entry_price", "new_average_entry_price", "trade_price",
        "mark_price", "realized_pnl", "fee", "execution", "collateral", "funding_rate",
        "realized_funding", "conversion_spread_percentage", "liquidation_fee", "contract",
    )  # fmt: skip


def price_element(record: PriceRecord) -> JSON:
    return {
        "uid": record.uid,
        "timestamp": record.time,
        "event": {"MarkPriceChanged": {"price": text(record.mark)}},
    }


# -- paging ----------------------------------------------------------------------------------
class Paged(Protocol):
    @property
    def n(self) -> int: ...

    @property
    def time(self) -> int: ...


P = TypeVar("P", bound=Paged)


def token_for(n: int) -> str:
    return base64.b64encode(str(n).encode()).decode()


def token_position(token: str) -> int:
    try:
        return int(base64.b64decode(token.encode(), validate=True).decode())
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise invalid("continuation_token") from None


def page(
    items: Sequence[P],
    since: int | None,
    before: int | None,
    ascending: bool,
    count: int,
    after: int | None,
) -> tuple[list[P], str | None]:
    """Items with since <= time < before, in order, after position `after` (a decoded
    continuation token); and the next token (None when nothing is left)."""
    chosen = [
        item
        for item in (items if ascending else reversed(items))
        if (since is None or item.time >= since)
        and (before is None or item.time < before)
        and (after is None or (item.n > after if ascending else item.n < after))
    ]
    out = chosen[:count]
    more = len(chosen) > count
    return out, token_for(out[-1].n) if more and out else None
