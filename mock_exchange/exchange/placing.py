"""Placing orders: validation, matching, trade settlement and trigger activation.

`place` validates a `PlaceOrder` completely, then hands a new `Order` to `run_order`, which
plans the match, runs the risk checks and only then mutates the book and the accounts. Trigger
orders rest in the trigger book until `check_triggers` activates them; activation removes the
trigger and runs its child order (same order id) through `run_order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.commands import PlaceOrder
from ..engine.events import (
    BalanceKind,
    OrderEdited,
    OrderPlaced,
    PositionChanged,
    Trade,
    TriggerActivated,
)
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.matching import Conflict, Plan, execute, plan_match
from ..engine.reasons import Reject, UpdateReason
from ..engine.triggers import trailing_stop_ticks, trigger_side_for
from ..engine.types import (
    DeviationUnit,
    FillType,
    LimitOffset,
    MarketState,
    Order,
    OrderType,
    OrderView,
    SelfTradeStrategy,
    Side,
    Trailing,
    TriggerSignal,
)
from . import risk

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome

MAX_CLI_ORD_ID = 100
_HUNDRED = Decimal(100)
_TRAIL_MIN, _TRAIL_MAX = Decimal("0.1"), Decimal(50)


def place(ex: Exchange, cmd: PlaceOrder) -> Outcome:
    acct = ex.account(cmd.account_id)
    aid, cli = cmd.account_id, cmd.cli_ord_id
    if not acct.trading_enabled:
        return ex.reject(aid, Reject.ACCOUNT_INACTIVE, cli_ord_id=cli)
    if cmd.process_before is not None and ex.now > cmd.process_before:
        return ex.reject(aid, Reject.WOULD_PROCESS_AFTER_SPECIFIED_TIME, cli_ord_id=cli)
    market = ex.markets.get(cmd.symbol)
    if market is None:
        return ex.reject(aid, Reject.MARKET_NOT_FOUND, cli_ord_id=cli)
    if market.state is MarketState.INACTIVE:
        return ex.reject(aid, Reject.MARKET_INACTIVE, cli_ord_id=cli)
    if market.state is MarketState.SUSPENDED:
        return ex.reject(aid, Reject.MARKET_SUSPENDED, cli_ord_id=cli)
    if cli is not None:
        if len(cli) > MAX_CLI_ORD_ID:
            return ex.reject(aid, Reject.CLIENT_ORDER_ID_TOO_LONG, cli_ord_id=cli)
        if cli in acct.cli_ids:
            return ex.reject(aid, Reject.CLIENT_ORDER_ID_ALREADY_EXIST, cli_ord_id=cli)
    inst = market.instrument
    lots = inst.to_lots(cmd.size)
    if lots is None:
        return ex.reject(aid, Reject.INVALID_SIZE, cli_ord_id=cli)
    order = Order(
        ex.ids.uuid(),
        aid,
        inst.symbol,
        cmd.side,
        cmd.order_type,
        None,
        lots,
        ex.now,
        cli,
        cmd.reduce_only,
    )
    if cmd.order_type.is_trigger:
        return _place_trigger(ex, market, order, cmd)
    if cmd.order_type is OrderType.MKT:
        order.price = protective_price(ex, market, cmd.side)
    else:
        ticks = inst.to_ticks(cmd.limit_price) if cmd.limit_price is not None else None
        if ticks is None or cmd.order_type is OrderType.LIQUIDATION:
            return ex.reject(aid, Reject.INVALID_PRICE, ex.view(order))
        order.price = ticks
        if outside_collar(market, cmd.side, inst.price(ticks)):
            return ex.reject(aid, Reject.OUTSIDE_PRICE_COLLAR, ex.view(order))
    reduced = 0
    if cmd.reduce_only:
        allowed = reducible_lots(acct, inst, cmd.side)
        if allowed == 0:
            return ex.reject(aid, Reject.WOULD_NOT_REDUCE_POSITION, ex.view(order))
        if lots > allowed:
            reduced, order.qty = lots - allowed, allowed
    return run_order(ex, market, order, UpdateReason.NEW_USER_ORDER, reduced)


def run_order(
    ex: Exchange, market: Market, order: Order, reason: UpdateReason, reduced_lots: int = 0
) -> Outcome:
    """Check a new order completely, then match it and rest (or drop) what is left."""
    checked = preflight(ex, market, order)
    if isinstance(checked, Reject):
        return ex.reject(order.account_id, checked, ex.view(order))
    return commit(ex, market, order, checked, reason, reduced_lots)


def preflight(ex: Exchange, market: Market, order: Order, replacing: int = 0) -> Plan | Reject:
    """Everything that could refuse `order` as a taker, without changing anything.

    `replacing`: lots of the same account's resting order that this one replaces (an edit).
    """
    acct = ex.accounts[order.account_id]
    book, side, inst, kind = market.book, order.side, market.instrument, order.kind
    if kind is OrderType.POST:
        if book.crosses(side, order.price):
            return Reject.POST_WOULD_EXECUTE
        plan = Plan()
    else:
        if (
            market.state is MarketState.POST_ONLY
            and kind is not OrderType.LIQUIDATION
            and (kind.is_immediate or book.crosses(side, order.price))
        ):
            return Reject.MARKET_IS_POST_ONLY
        plan = plan_match(
            book, side, order.price, order.remaining, conflict_rule(ex, acct), reduce_room(ex, inst)
        )
        if plan.self_trade and plan.lots == 0:
            return Reject.WOULD_EXECUTE_SELF
        if kind is OrderType.FOK and plan.lots < order.remaining:
            return Reject.FOK_WOULD_NOT_EXECUTE
        if kind.is_immediate and plan.lots == 0:
            return Reject.IOC_WOULD_NOT_EXECUTE
    rest = _resting_lots(order, plan)
    if rest and not replacing and acct.order_counts.get(market.symbol, 0) >= inst.max_open_orders:
        return Reject.TOO_MANY_ORDERS
    if kind is OrderType.LIQUIDATION:
        return plan
    fills = [(maker.price, lots) for maker, lots in plan.fills]
    refusal = risk.check_order(ex, acct, inst, side, fills, rest, replacing)  # type: ignore[arg-type]
    return refusal if refusal is not None else plan


def _resting_lots(order: Order, plan: Plan) -> int:
    if order.kind.is_immediate or plan.self_trade:
        return 0
    return order.remaining - plan.lots


def commit(
    ex: Exchange,
    market: Market,
    order: Order,
    plan: Plan,
    reason: UpdateReason,
    reduced_lots: int = 0,
    after_edit: bool = False,
) -> Outcome:
    """Apply a checked plan: cancel conflicting makers, trade, then rest or drop the rest."""
    for maker in plan.cancel_makers:
        ex.remove_order(maker, UpdateReason.WOULD_EXECUTE_SELF)
    for maker in plan.cancel_reduce_only:
        ex.remove_order(maker, UpdateReason.WOULD_NOT_REDUCE_POSITION)
    outcome = ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
    rests = _resting_lots(order, plan) > 0
    view: OrderView | None = None  # the taker as its last trade showed it (unchanged since)
    if plan.fills:
        taker_fill = (
            FillType.LIQUIDATION
            if order.kind is OrderType.LIQUIDATION
            else FillType.TAKER_AFTER_EDIT
            if after_edit
            else FillType.TAKER
        )
        execute(market.book, plan, ex.now)
        for maker, lots in plan.fills:
            order.filled += lots
            order.updated = ex.now
            view = settle_trade(
                ex, market, maker, order, lots, taker_fill, after_edit, reduced_lots
            )
            reduced_lots = 0
        trim_reduce_only(ex, market.instrument, [order, *(m for m, _ in plan.fills)])
    if order.remaining == 0:
        order.alive = False
        ex.remember(view or ex.view(order), True, UpdateReason.FULL_FILL)
    elif rests:
        market.book.add(order)
        ex.register(order)
        if not after_edit:
            ex.emit(
                OrderPlaced(
                    *ex.stamp(),
                    view or ex.view(order),
                    reason,
                    market.instrument.size(reduced_lots) if reduced_lots else None,
                )
            )
    else:  # the unfilled rest of an immediate order, or self-trade prevention stopped it
        why = UpdateReason.WOULD_EXECUTE_SELF if plan.self_trade else UpdateReason.IOC_REMAINDER
        ex.cancel_detached(order, why)
    check_triggers(ex, market)
    return outcome


def settle_trade(
    ex: Exchange,
    market: Market,
    maker: Order,
    taker: Order,
    lots: int,
    taker_fill: FillType,
    taker_resting: bool,
    taker_reduced_lots: int,
) -> OrderView:
    """Book one execution: the trade event, both positions, realised PnL and fees. Returns
    the taker's view as the trade shows it."""
    inst = market.instrument
    price, qty = inst.price(maker.price), inst.size(lots)  # type: ignore[arg-type]
    fees = ex.settings.fees
    value = inst.value(qty, price)
    maker_fee = value * fees.maker
    taker_fee = value * (
        fees.taker + (fees.liquidation if taker_fill is FillType.LIQUIDATION else 0)
    )
    maker_acct, taker_acct = ex.accounts[maker.account_id], ex.accounts[taker.account_id]
    maker_view = ex.view(maker)
    if maker.remaining == 0:
        maker.filled -= lots  # unregister releases the lots that were resting before this fill
        ex.unregister(maker)
        maker.filled += lots
        ex.remember(maker_view, True, UpdateReason.FULL_FILL)
    else:
        maker_acct.track_order(inst.symbol, maker.side.sign > 0, -lots)
    trade_id = ex.ids.uuid()
    taker_view = ex.view(taker)
    ex.emit(
        Trade(
            *ex.stamp(),
            trade_id,
            inst.symbol,
            price,
            qty,
            taker.side,
            maker_view,
            taker_view,
            FillType.MAKER,
            taker_fill,
            maker_fee,
            taker_fee,
            inst.settlement_currency,
            taker_resting,
            inst.size(taker_reduced_lots) if taker_reduced_lots else None,
        )
    )
    for acct, order, fee in ((maker_acct, maker, maker_fee), (taker_acct, taker, taker_fee)):
        book_fill(ex, acct, inst, order.side.sign * qty, price, fee, trade_id)
    market.last, market.last_size, market.last_time = price, qty, ex.now
    market.trade_count += 1
    return taker_view


def book_fill(
    ex: Exchange,
    acct: Account,
    inst: Instrument,
    signed_qty: Decimal,
    price: Decimal,
    fee: Decimal,
    ref: str,
) -> None:
    """Apply a signed fill to an account: position, realised PnL and fee, with their events."""
    pos = acct.position(inst.symbol)
    pnl = pos.apply(inst, signed_qty, price, ex.now)
    ex.emit(
        PositionChanged(
            *ex.stamp(), acct.account_id, inst.symbol, pos.size, pos.entry, pos.realised
        )
    )
    wallet, currency = inst.margin_wallet, inst.settlement_currency
    ex.credit(acct, wallet, currency, pnl, BalanceKind.REALISED_PNL, inst.symbol, ref)
    ex.credit(acct, wallet, currency, -fee, BalanceKind.FEE, inst.symbol, ref)


def reduce_room(ex: Exchange, inst: Instrument) -> Callable[[Order], int]:
    """For matching: how many lots a resting order's account may still reduce its position by."""
    return lambda maker: reducible_lots(ex.accounts[maker.account_id], inst, maker.side)


def trim_reduce_only(ex: Exchange, inst: Instrument, orders: list[Order]) -> None:
    """After a plan's fills are all booked: the accounts of `orders` keep no more resting
    reduce-only lots than their positions allow."""
    for account_id in dict.fromkeys(o.account_id for o in orders):
        _trim_reduce_only(ex, ex.accounts[account_id], inst)


def _trim_reduce_only(ex: Exchange, acct: Account, inst: Instrument) -> None:
    """Resting reduce-only orders may not exceed the position: cancel the least aggressive."""
    if not acct.reduce_only:
        return
    size = acct.position_size(inst.symbol)
    for side in (Side.BUY, Side.SELL):
        orders = [
            o
            for o in reversed(acct.orders.values())
            if o.order_id in acct.reduce_only and o.symbol == inst.symbol and o.side is side
        ]  # newest first
        if not orders:
            continue
        allowed = (inst.to_lots(abs(size)) or 0) if size * side.sign < 0 else 0
        total = sum(o.remaining for o in orders)
        # least aggressive first (lowest bid / highest ask), the newest first among equals
        orders.sort(key=lambda o: (o.price or 0) * side.sign)
        for order in orders:
            if total <= allowed:
                break
            total -= order.remaining
            ex.remove_order(order, UpdateReason.WOULD_NOT_REDUCE_POSITION)


# -- helpers -------------------------------------------------------------------------------
def conflict_rule(ex: Exchange, taker: Account) -> Callable[[str], Conflict]:
    """Self-trade prevention for `taker`, by its family's strategy (set on the master)."""
    family = ex.family_of(taker)
    if len(family) == 1:
        me = taker.account_id
        if ex.strategy_of(taker) is SelfTradeStrategy.REJECT_TAKER:
            return lambda maker: Conflict.REJECT_TAKER if maker == me else Conflict.NONE
        return lambda maker: Conflict.CANCEL_MAKER if maker == me else Conflict.NONE
    strategy = ex.strategy_of(taker)

    def rule(maker: str) -> Conflict:
        if maker not in family:
            return Conflict.NONE
        if strategy is SelfTradeStrategy.CANCEL_MAKER_ANY:
            return Conflict.CANCEL_MAKER
        if maker == taker.account_id and strategy is not SelfTradeStrategy.REJECT_TAKER:
            return Conflict.CANCEL_MAKER
        if strategy is SelfTradeStrategy.CANCEL_MAKER_CHILD and taker.master_id is None:
            return Conflict.CANCEL_MAKER  # a master may cancel its subaccounts' makers
        return Conflict.REJECT_TAKER

    return rule


def protective_price(ex: Exchange, market: Market, side: Side) -> int:
    """A market order is an IOC limited 1% beyond the mark, rounded toward the passive side."""
    factor = ex.settings.market_protection
    inst = market.instrument
    if side is Side.BUY:
        return inst.ticks_floor(market.mark * (1 + factor))
    return max(1, inst.ticks_ceiling(market.mark * (1 - factor)))


def outside_collar(market: Market, side: Side, price: Decimal) -> bool:
    """A buy far above mark, or a sell far below it, is a fat finger."""
    band = market.instrument.collar
    if side is Side.BUY:
        return price > market.mark * (1 + band)
    return price < market.mark * (1 - band)


def reducible_lots(acct: Account, inst: Instrument, side: Side) -> int:
    """How many lots an order on `side` may have and still only reduce the position."""
    size = acct.position_size(inst.symbol)
    if size == 0 or (size > 0) == (side is Side.BUY):
        return 0
    return inst.to_lots(abs(size)) or 0


# -- triggers ------------------------------------------------------------------------------
def _place_trigger(ex: Exchange, market: Market, order: Order, cmd: PlaceOrder) -> Outcome:
    inst, aid = market.instrument, order.account_id
    order.signal = cmd.trigger_signal or TriggerSignal.LAST
    is_trailing = cmd.order_type is OrderType.TRAILING_STOP
    order.trigger_side = trigger_side_for(cmd.order_type is OrderType.TAKE_PROFIT, cmd.side)
    if cmd.limit_price is not None and cmd.limit_offset_value is not None:
        return ex.reject(aid, Reject.LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE, ex.view(order))
    if cmd.limit_price is not None:
        order.price = inst.to_ticks(cmd.limit_price)
        if order.price is None or is_trailing:
            return ex.reject(aid, Reject.INVALID_PRICE, ex.view(order))
    if (cmd.limit_offset_value is None) != (cmd.limit_offset_unit is None):
        return ex.reject(aid, Reject.LIMIT_PRICE_OFFSET_INVALID, ex.view(order))
    if cmd.limit_offset_value is not None and cmd.limit_offset_unit is not None:
        offset = LimitOffset(cmd.limit_offset_value, cmd.limit_offset_unit)
        if offset.unit is DeviationUnit.QUOTE_CURRENCY and inst.to_ticks(abs(offset.value)) is None:
            return ex.reject(aid, Reject.LIMIT_PRICE_OFFSET_INVALID, ex.view(order))
        order.limit_offset = offset
    if is_trailing:
        refusal = _validate_trailing(inst, cmd)
        if refusal is not None:
            return ex.reject(aid, refusal, ex.view(order))
        assert cmd.trailing_max_deviation is not None and cmd.trailing_unit is not None
        order.trailing = Trailing(cmd.trailing_max_deviation, cmd.trailing_unit)
        order.stop = trailing_stop_ticks(inst, order, market.signal(order.signal))
    else:
        stop = inst.to_ticks(cmd.stop_price) if cmd.stop_price is not None else None
        if stop is None:
            return ex.reject(aid, Reject.INVALID_PRICE, ex.view(order))
        order.stop = stop
    if order.price is not None and outside_collar(market, order.side, inst.price(order.price)):
        return ex.reject(aid, Reject.OUTSIDE_PRICE_COLLAR, ex.view(order))
    market.triggers.add(order)
    ex.register(order)
    ex.emit(OrderPlaced(*ex.stamp(), ex.view(order), UpdateReason.NEW_USER_ORDER))
    outcome = ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
    check_triggers(ex, market)
    return outcome


def _validate_trailing(inst: Instrument, cmd: PlaceOrder) -> Reject | None:
    dev, unit = cmd.trailing_max_deviation, cmd.trailing_unit
    if cmd.stop_price is not None:
        return Reject.INVALID_PRICE
    if dev is None or unit is None or not dev.is_finite() or dev <= 0:
        return Reject.TRAILING_STOP_MAX_DEVIATION_TOO_SMALL
    if unit is DeviationUnit.PERCENT:
        if dev < _TRAIL_MIN:
            return Reject.TRAILING_STOP_MAX_DEVIATION_TOO_SMALL
        if dev > _TRAIL_MAX:
            return Reject.TRAILING_STOP_MAX_DEVIATION_TOO_LARGE
    elif inst.to_ticks(dev) is None:
        return Reject.TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE
    return None


def check_triggers(ex: Exchange, market: Market) -> None:
    """Fire every trigger the current prices set off, until none is left to fire."""
    if not market.triggers.orders:
        return
    while True:
        for signal in TriggerSignal:
            for order, old_stop in market.triggers.trail(signal, market.signal(signal)):
                before = replace(ex.view(order), stop_price=market.instrument.price(old_stop))
                order.updated = ex.now
                ex.emit(
                    OrderEdited(
                        *ex.stamp(),
                        before,
                        ex.view(order),
                        UpdateReason.TRAILING_STOP_PRICE_UPDATED,
                    )
                )
        fired = None
        for signal in TriggerSignal:
            due = market.triggers.due(signal, market.signal(signal))
            if due:
                fired = (due[0], market.signal(signal))
                break
        if fired is None or market.state is not MarketState.OPEN:
            return
        _activate(ex, market, *fired)


def _activate(ex: Exchange, market: Market, trigger: Order, signal_price: Decimal) -> None:
    inst = market.instrument
    ex.unregister(trigger)
    market.triggers.remove(trigger)
    trigger.updated = ex.now
    view = ex.view(trigger)
    ex.emit(TriggerActivated(*ex.stamp(), view, signal_price))
    child = Order(
        trigger.order_id,
        trigger.account_id,
        trigger.symbol,
        trigger.side,
        OrderType.LMT,
        trigger.price,
        trigger.qty,
        trigger.created,
        trigger.cli_ord_id,
        trigger.reduce_only,
    )
    child.updated = ex.now
    if child.price is None and trigger.limit_offset is not None:
        child.price = _offset_price(inst, trigger)
    if child.price is None:
        child.kind = OrderType.MKT
        child.price = protective_price(ex, market, child.side)
    acct = ex.accounts[trigger.account_id]
    if child.reduce_only:
        allowed = reducible_lots(acct, inst, child.side)
        if allowed == 0:
            ex.reject(acct.account_id, Reject.WOULD_NOT_REDUCE_POSITION, ex.view(child))
            return
        child.qty = min(child.qty, allowed)
    run_order(ex, market, child, UpdateReason.LIMIT_FROM_STOP)


def _offset_price(inst: Instrument, trigger: Order) -> int:
    offset = trigger.limit_offset
    assert offset is not None and trigger.stop is not None
    stop = inst.price(trigger.stop)
    delta = stop * offset.value / _HUNDRED if offset.unit is DeviationUnit.PERCENT else offset.value
    if trigger.side is Side.BUY:
        return max(1, inst.ticks_floor(stop + delta))
    return max(1, inst.ticks_ceiling(stop - delta))
