"""Placing orders: validation, the preflight/commit split and the trigger cascade.

`place` validates a `PlaceOrder` completely (trigger orders are finished by `trigger_orders`),
then hands a new `Order` to `run_order`: `preflight` plans the match and runs every check that
could refuse it (post-only, FOK, IOC, self-trade, order count, margin) without changing
anything, and only then `commit` mutates the book and the accounts: it cancels conflicting
makers, books each fill (`fills.settle_trade`), rests or drops the remainder and runs
`check_triggers`, which moves trailing stops and activates due triggers until none is left to
fire (an activated child goes through `run_order` again, so cascades stay inside one step).

Invariants: a refused order changes nothing but the record of its refusal; `commit` applies only
a plan `preflight` accepted, at the makers' prices; every accepted order ends in exactly one
terminal event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.commands import PlaceOrder
from ..engine.events import OrderEdited, OrderPlaced
from ..engine.market import Market
from ..engine.matching import Conflict, Plan, execute, plan_match
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import (
    FillType,
    MarketState,
    Order,
    OrderType,
    OrderView,
    SelfTradeStrategy,
    Side,
    TriggerSignal,
)
from . import risk, trigger_orders
from .fills import reduce_room, reducible_lots, settle_trade, trim_reduce_only

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome

MAX_CLI_ORD_ID = 100


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
        return trigger_orders.place_trigger(ex, market, order, cmd)
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


# -- the trigger cascade -------------------------------------------------------------------
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
        trigger_orders.activate(ex, market, *fired)
