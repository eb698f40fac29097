"""Private v3 reads in Kraken's JSON: openorders, orders/status, openpositions, accounts, fills,
leverage and PnL preferences, the self-trade strategy and fee volumes.

Shapes follow reference §4.7-§4.11, §4.17, §4.18 and §4.21. Every function is pure: engine
views, account state, margin summaries and history records in, JSON-ready dicts out, numbers
through `formats.num`, times through `formats.iso`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from ..accounts.account import Account
from ..accounts.margin import MarginModel, MarginSummary
from ..accounts.positions import Position
from ..engine.instruments import Instrument
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import FillType, OrderView, SelfTradeStrategy, TriggerSide, TriggerSignal
from ..exchange.core import ClosedOrder
from ..history import Fill
from .encode import REST_TYPES
from .errors import REJECTS, update_reason
from .formats import iso, num

JSON = dict[str, Any]
_ZERO = Decimal(0)

OPEN_ORDER_SIGNALS = {
    TriggerSignal.MARK: "mark",
    TriggerSignal.LAST: "last",
    TriggerSignal.INDEX: "spot",
}
STATUS_SIGNALS = {
    TriggerSignal.MARK: "MARK_PRICE",
    TriggerSignal.LAST: "LAST_PRICE",
    TriggerSignal.INDEX: "SPOT_PRICE",
}
STATUS_SIDES = {TriggerSide.ABOVE: "TRIGGER_ABOVE", TriggerSide.BELOW: "TRIGGER_BELOW"}
FILL_TYPES = {
    FillType.MAKER: "maker",
    FillType.TAKER: "taker",
    FillType.TAKER_AFTER_EDIT: "takerAfterEdit",
    FillType.LIQUIDATION: "liquidation",
    FillType.ASSIGNOR: "assignor",
    FillType.ASSIGNEE: "assignee",
    FillType.UNWIND_BANKRUPT: "unwindBankrupt",
    FillType.UNWIND_COUNTERPARTY: "unwindCounterparty",
    FillType.BLOCK: "block",
}
STRATEGIES = {s: s.name for s in SelfTradeStrategy}  # REJECT_TAKER, CANCEL_MAKER_SELF, ...


# -- orders ----------------------------------------------------------------------------------
def open_order(view: OrderView) -> JSON:
    """OpenOrderJson. Trigger orders add `stopPrice` and `triggerSignal`; `limitPrice` and
    `cliOrdId` appear only when set."""
    out: JSON = {"order_id": view.order_id}
    if view.cli_ord_id is not None:
        out["cliOrdId"] = view.cli_ord_id
    out.update(symbol=view.symbol, side=view.side.value, orderType=REST_TYPES[view.kind])
    if view.limit_price is not None:
        out["limitPrice"] = num(view.limit_price)
    if view.is_trigger:
        out["stopPrice"] = num(view.stop_price)
    out.update(
        unfilledSize=num(view.remaining),
        receivedTime=iso(view.created),
        status="untouched" if view.filled == 0 else "partiallyFilled",
        filledSize=num(view.filled),
        reduceOnly=view.reduce_only,
    )
    if view.is_trigger and view.signal is not None:
        out["triggerSignal"] = OPEN_ORDER_SIGNALS[view.signal]
    out["lastUpdateTime"] = iso(view.updated)
    return out


def open_orders(views: Iterable[OrderView]) -> list[JSON]:
    """Newest first; `views` come newest first already, so equal times keep that order."""
    return [open_order(v) for v in sorted(views, key=lambda v: -v.created)]


def order_status(
    view: OrderView, closed: ClosedOrder | None, reason: UpdateReason | Reject | None
) -> JSON:
    """OrderStatusDetailsJson for `orders/status`: an open order (`closed` None) or a closed one.

    `reason` is the order's latest update reason (None for an untouched new order)."""
    error = None
    if closed is None:
        status = "TRIGGER_PLACED" if view.is_trigger else "ENTERED_BOOK"
    elif closed.filled:
        status = "FULLY_EXECUTED"
    elif isinstance(closed.reason, Reject):
        wire = REJECTS.get(closed.reason)
        status, error = "REJECTED", wire.order_error if wire is not None else None
    else:
        status = "CANCELLED"
    return {
        "order": cached_order(view),
        "status": status,
        "updateReason": update_reason(reason),
        "error": error,
    }


def cached_order(view: OrderView) -> JSON:
    triggers = None
    if view.is_trigger:
        triggers = {
            "triggerPrice": num(view.stop_price),
            "triggerSide": STATUS_SIDES[view.trigger_side] if view.trigger_side else None,
            "triggerSignal": STATUS_SIGNALS[view.signal] if view.signal else None,
        }
    return {
        "type": "TRIGGER_ORDER" if view.is_trigger else "ORDER",
        "orderId": view.order_id,
        "cliOrdId": view.cli_ord_id,
        "symbol": view.symbol,
        "side": view.side.value,
        "quantity": num(view.qty),
        "filled": num(view.filled),
        "limitPrice": num(view.limit_price),
        "reduceOnly": view.reduce_only,
        "timestamp": iso(view.created),
        "lastUpdateTimestamp": iso(view.updated),
        "algoId": None,
        "priceTriggerOptions": triggers,
        "triggerTime": None,
    }


# -- positions and wallets -------------------------------------------------------------------
def open_positions(
    positions: Iterable[Position], instruments: Mapping[str, Instrument], account: Account
) -> list[JSON]:
    """Non-zero positions, most recently filled first."""
    live = [p for p in positions if p.size != 0]
    live.sort(key=lambda p: (-p.updated, p.symbol))
    return [open_position(p, instruments[p.symbol], account) for p in live]


def open_position(pos: Position, inst: Instrument, account: Account) -> JSON:
    out: JSON = {
        "side": "long" if pos.size > 0 else "short",
        "symbol": pos.symbol,
        "price": num(pos.entry),
        "fillTime": iso(pos.updated),
        "size": num(abs(pos.size)),
    }
    if inst.kind.perpetual:
        out["unrealizedFunding"] = 0
    if not inst.inverse:
        out["pnlCurrency"] = account.pnl_currency.get(pos.symbol, inst.quote)
    leverage = account.leverage.get(pos.symbol)
    if leverage is not None:
        out["maxFixedLeverage"] = num(leverage)
    return out


def accounts(account: Account, margin: MarginModel) -> JSON:
    """`accounts`: cash, flex and every single-collateral margin wallet (`fi_xbtusd`)."""
    cash = account.wallets["cash"].balances
    out: JSON = {
        "cash": {
            "type": "cashAccount",
            "balances": {c.lower(): num(q) for c, q in sorted(cash.items())},
        },
    }
    for name in sorted(account.wallets):
        if name not in ("cash", "flex"):
            out[name] = margin_account(account, name, margin)
    out["flex"] = flex_account(account, margin)
    return out


def flex_account(account: Account, margin: MarginModel) -> JSON:
    summary = margin.summary(account, "flex")
    available = summary.available
    currencies: JSON = {}
    for currency, qty in sorted(account.wallets["flex"].balances.items()):
        price = margin.usd_price(currency)
        value = qty * price
        haircut = margin.haircuts.get(currency, Decimal("0.1"))
        usable = qty if price <= 0 else min(qty, max(available, _ZERO) / price)
        currencies[currency] = {
            "quantity": num(qty),
            "value": num(value),
            "collateral": num(value * (1 - haircut) if qty > 0 else value),
            "available": num(max(usable, _ZERO)),
        }
    unrealised = summary.unrealised
    return {
        "type": "multiCollateralMarginAccount",
        "currencies": currencies,
        "initialMargin": num(summary.initial),
        "initialMarginWithOrders": num(summary.initial_with_orders),
        "maintenanceMargin": num(summary.maintenance),
        "balanceValue": num(summary.balance_value),
        "portfolioValue": num(summary.portfolio_value),
        "collateralValue": num(summary.collateral),
        "pnl": num(unrealised),
        "unrealizedFunding": 0,
        "totalUnrealized": num(unrealised),
        "totalUnrealizedAsMargin": num(unrealised),
        "availableMargin": num(available),
        "marginEquity": num(summary.equity),
    }


def margin_account(account: Account, wallet: str, margin: MarginModel) -> JSON:
    """A single-collateral wallet: balances hold the coin and the signed position sizes."""
    summary: MarginSummary = margin.summary(account, wallet)
    currency = summary.currency
    balances: JSON = {}
    for symbol in margin.symbols(account, wallet):
        pos = account.positions.get(symbol)
        if pos is not None and pos.size != 0:
            balances[symbol] = num(pos.size)
    balances[currency.lower()] = num(account.wallets[wallet].balance(currency))
    im, mm = summary.initial, summary.maintenance
    return {
        "type": "marginAccount",
        "currency": currency.lower(),
        "balances": balances,
        "auxiliary": {
            "usd": 0,
            "pv": num(summary.portfolio_value),
            "pnl": num(summary.unrealised),
            "af": num(summary.available),
            "funding": 0,
        },
        "marginRequirements": {"im": num(im), "mm": num(mm), "lt": num(mm), "tt": num(mm)},
        "triggerEstimates": {"im": 0, "mm": 0, "lt": 0, "tt": 0},
    }


# -- fills and preferences -------------------------------------------------------------------
def fill(record: Fill) -> JSON:
    out: JSON = {
        "fill_id": record.fill_id,
        "symbol": record.symbol,
        "side": record.side.value,
        "order_id": record.order_id,
        "size": num(record.size),
        "price": num(record.price),
        "fillTime": iso(record.time),
        "fillType": FILL_TYPES[record.fill_type],
    }
    if record.cli_ord_id is not None:
        out["cliOrdId"] = record.cli_ord_id
    return out


def fills(records: Iterable[Fill], before: int | None, limit: int = 100) -> list[JSON]:
    """The `limit` most recent fills (strictly before `before` when given), newest first."""
    chosen = [r for r in reversed(list(records)) if before is None or r.time < before]
    return [fill(r) for r in chosen[:limit]]


def leverage_preferences(account: Account, symbol: str | None) -> list[JSON]:
    return [
        {"symbol": s, "maxLeverage": num(lev)}
        for s, lev in sorted(account.leverage.items())
        if symbol is None or s == symbol
    ]


def pnl_preferences(account: Account, symbol: str | None) -> list[JSON]:
    return [
        {"symbol": s, "pnlCurrency": cur}
        for s, cur in sorted(account.pnl_currency.items())
        if symbol is None or s == symbol
    ]


def coded_error(code: int, message: str, status: str = "BAD_REQUEST") -> JSON:
    """Kraken's coded error form (reference §3.2 form B), without `serverTime`."""
    return {"status": status, "result": "error", "errors": [{"code": code, "message": message}]}


def fee_volumes(uid: str, records: Iterable[Fill], since: int) -> JSON:
    """`volumesByFeeSchedule`: the account's USD volume since `since` (30 days back)."""
    volume = sum(
        (
            r.size * r.price if r.fee_currency == "USD" else r.size
            for r in records
            if r.time >= since
        ),
        _ZERO,
    )
    return {uid: num(volume)}
