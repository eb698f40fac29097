"""Risk: pre-trade margin and position checks, price moves, and the margin sweep.

After every price move each account's wallets are valued at mark. A wallet whose equity is
below its maintenance margin is liquidated: its orders are cancelled (`liquidation`), and each
position is closed by a liquidation IOC against the book, limited at the price collar; whatever
the book cannot absorb is taken over by the house account at mark. A wallet that is solvent but
whose resting orders need more initial margin than it has loses orders, newest first
(`not_enough_margin`), until its available margin is no longer negative.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..accounts.margin import exposure
from ..accounts.positions import after_fill
from ..engine.commands import SetPrices
from ..engine.events import AccountLiquidated, PricesChanged, Trade
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.matching import execute, plan_match
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import FillType, Order, OrderType, OrderView, Side
from . import fills, placing

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome

_ZERO = Decimal(0)


def check_order(
    ex: Exchange,
    acct: Account,
    inst: Instrument,
    side: Side,
    fills: list[tuple[int, int]],
    rest_lots: int,
    replacing: int,
) -> Reject | None:
    """Would this order (its planned fills, then `rest_lots` resting in place of `replacing`
    lots of an order it edits) break the position limit or the account's margin?"""
    market = ex.markets[inst.symbol]
    pos = acct.positions.get(inst.symbol)
    size, entry = (pos.size, pos.entry) if pos is not None else (_ZERO, _ZERO)
    old_size = size
    cash = _ZERO
    fee_rate = ex.settings.fees.taker
    for ticks, lots in fills:
        qty, price = inst.size(lots), inst.price(ticks)
        size, entry, pnl = after_fill(inst, size, entry, side.sign * qty, price)
        cash += pnl - inst.value(qty, price) * fee_rate
    buys = acct.open_buys.get(inst.symbol, 0)
    sells = acct.open_sells.get(inst.symbol, 0)
    old_worst = max(abs(old_size + inst.size(buys)), abs(old_size - inst.size(sells)))
    if side is Side.BUY:
        buys += rest_lots - replacing
    else:
        sells += rest_lots - replacing
    new_buys, new_sells = inst.size(buys), inst.size(sells)
    worst = max(abs(size + new_buys), abs(size - new_sells))
    if worst > inst.max_position_size and worst > old_worst:
        return Reject.MAX_POSITION_VIOLATION
    old = ex.margin.symbol_exposure(acct, inst.symbol)
    new = exposure(inst, size, entry, new_buys, new_sells, market.mark)
    if new.initial_with_orders <= old.initial_with_orders and cash >= 0:
        return None  # reduces risk and costs nothing
    after = ex.margin.summary(acct, inst.margin_wallet).shifted(old, new, cash)
    if fills and after.equity < after.maintenance:
        return Reject.WOULD_CAUSE_LIQUIDATION
    if after.available < 0 and new.initial_with_orders > old.initial_with_orders:
        return Reject.INSUFFICIENT_AVAILABLE_FUNDS
    return None


def set_prices(ex: Exchange, cmd: SetPrices) -> Outcome:
    market = ex.markets.get(cmd.symbol)
    if market is None:
        return ex.outcome(Reject.MARKET_NOT_FOUND)
    new = [p for p in (cmd.mark, cmd.index, cmd.last) if p is not None]
    if any(not p.is_finite() or p <= 0 for p in new):
        return ex.outcome(Reject.INVALID_PRICE)
    market.mark = cmd.mark if cmd.mark is not None else market.mark
    market.index = cmd.index if cmd.index is not None else market.index
    market.last = cmd.last if cmd.last is not None else market.last
    ex.emit(PricesChanged(*ex.stamp(), market.symbol, market.mark, market.index, market.last))
    placing.check_triggers(ex, market)
    sweep(ex)
    return ex.outcome()


def sweep(ex: Exchange) -> None:
    """Liquidate insolvent wallets and trim unaffordable orders, until nothing changes."""
    for _ in range(len(ex.accounts) + 1):
        if not _sweep_once(ex):
            return


def _sweep_once(ex: Exchange) -> bool:
    acted = False
    for acct in list(ex.accounts.values()):
        if acct.account_id == "house":
            continue
        for wallet in sorted(
            {
                ex.instruments[s].margin_wallet
                for s in set(acct.positions) | {o.symbol for o in acct.orders.values()}
            }
        ):
            summary = ex.margin.summary(acct, wallet)
            if summary.maintenance > 0 and summary.equity < summary.maintenance:
                liquidate(ex, acct, wallet, summary.equity, summary.maintenance)
                acted = True
            elif summary.available < 0:
                acted |= _cancel_for_margin(ex, acct, wallet)
    return acted


def _cancel_for_margin(ex: Exchange, acct: Account, wallet: str) -> bool:
    acted = False
    orders = [
        o
        for o in acct.orders.values()
        if not o.kind.is_trigger
        and not o.reduce_only
        and ex.instruments[o.symbol].margin_wallet == wallet
    ]
    for order in reversed(orders):  # newest first
        if ex.margin.summary(acct, wallet).available >= 0:
            break
        ex.remove_order(order, UpdateReason.NOT_ENOUGH_MARGIN)
        acted = True
    return acted


def liquidate(ex: Exchange, acct: Account, wallet: str, equity: Decimal, mm: Decimal) -> None:
    ex.emit(AccountLiquidated(*ex.stamp(), acct.account_id, wallet, equity, mm))
    for order in list(acct.orders.values()):
        if ex.instruments[order.symbol].margin_wallet == wallet:
            ex.remove_order(order, UpdateReason.LIQUIDATION)
    for symbol in sorted(acct.positions):
        inst = ex.instruments[symbol]
        size = acct.positions[symbol].size
        if inst.margin_wallet == wallet and size != 0:
            _close_position(ex, ex.markets[symbol], acct, size)


def _close_position(ex: Exchange, market: Market, acct: Account, size: Decimal) -> None:
    """Close a position with a liquidation IOC against the book; the house takes the rest."""
    inst = market.instrument
    side = Side.SELL if size > 0 else Side.BUY
    band = inst.collar
    limit = (
        inst.ticks_floor(market.mark * (1 + band))
        if side is Side.BUY
        else max(1, inst.ticks_ceiling(market.mark * (1 - band)))
    )
    lots = inst.to_lots(abs(size)) or 0
    order = Order(
        ex.ids.uuid(),
        acct.account_id,
        inst.symbol,
        side,
        OrderType.LIQUIDATION,
        limit,
        lots,
        ex.now,
    )
    plan = plan_match(
        market.book,
        side,
        limit,
        lots,
        placing.conflict_rule(ex, acct),
        fills.reduce_room(ex, inst),
    )
    for maker in plan.cancel_makers:
        ex.remove_order(maker, UpdateReason.WOULD_EXECUTE_SELF)
    for maker in plan.cancel_reduce_only:
        ex.remove_order(maker, UpdateReason.WOULD_NOT_REDUCE_POSITION)
    execute(market.book, plan, ex.now)
    for maker, take in plan.fills:
        order.filled += take
        fills.settle_trade(ex, market, maker, order, take, FillType.LIQUIDATION, False, 0)
    fills.trim_reduce_only(ex, inst, [maker for maker, _ in plan.fills])
    if order.remaining:
        _house_takes_over(ex, market, order)
    order.alive = False
    ex.remember(ex.view(order), True, UpdateReason.LIQUIDATION)
    placing.check_triggers(ex, market)  # the liquidation trades moved `last`


def _house_takes_over(ex: Exchange, market: Market, order: Order) -> None:
    from . import assignment  # participants first (reference §5.1), the house takes the rest

    assignment.assign(ex, market, order)
    if order.remaining:
        off_book_fill(
            ex,
            market,
            order,
            ex.accounts["house"],
            order.remaining,
            market.mark,
            FillType.ASSIGNEE,
            FillType.LIQUIDATION,
        )


def off_book_fill(
    ex: Exchange,
    market: Market,
    order: Order,
    counterparty: Account,
    lots: int,
    price: Decimal,
    counter_fill: FillType,
    order_fill: FillType,
) -> None:
    """Book `lots` of a liquidation order against `counterparty` outside the book (an assignee
    or the house): one Trade, both positions; the liquidated side pays the liquidation fee."""
    inst = market.instrument
    qty = inst.size(lots)
    counter_view = OrderView(
        ex.ids.uuid(),
        counterparty.account_id,
        inst.symbol,
        order.side.opposite,
        OrderType.LIQUIDATION,
        qty,
        qty,
        price,
        None,
        ex.now,
        ex.now,
    )
    order.filled += lots
    order.updated = ex.now
    fee = inst.value(qty, price) * ex.settings.fees.liquidation
    trade_id = ex.ids.uuid()
    ex.emit(
        Trade(
            *ex.stamp(),
            trade_id,
            inst.symbol,
            price,
            qty,
            order.side,
            counter_view,
            ex.view(order),
            counter_fill,
            order_fill,
            _ZERO,
            fee,
            inst.settlement_currency,
        )
    )
    fills.book_fill(
        ex, counterparty, inst, order.side.opposite.sign * qty, price, _ZERO, trade_id
    )
    fills.book_fill(
        ex, ex.accounts[order.account_id], inst, order.side.sign * qty, price, fee, trade_id
    )
