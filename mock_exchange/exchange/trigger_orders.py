"""Trigger orders: stop, take-profit and trailing-stop orders, from placement to activation.

`place_trigger` finishes checking a trigger `place` has begun (limit price or limit offset,
stop price or trailing deviation, collar) and rests it in its market's trigger book.
`activate` fires one trigger that `placing.check_triggers` found due: the trigger leaves the
book and the registry, and its child (same order id and cliOrdId) runs through
`placing.run_order` as a plain limit order (`limit_order_from_stop`), at stop ± the limit offset
when one was given, or as a market order when the trigger had no limit.

Invariants: a refused trigger changes nothing but the record of its refusal; a resting trigger
always has a stop on the tick grid; a reduce-only child is trimmed to the position at
activation, and refused (`wouldNotReducePosition`) when there is nothing left to reduce.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.commands import PlaceOrder
from ..engine.events import OrderPlaced, TriggerActivated
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.reasons import Reject, UpdateReason
from ..engine.triggers import trailing_stop_ticks, trigger_side_for
from ..engine.types import (
    DeviationUnit,
    LimitOffset,
    Order,
    OrderType,
    Side,
    Trailing,
    TriggerSignal,
)
from . import placing
from .fills import reducible_lots

if TYPE_CHECKING:
    from .core import Exchange, Outcome

_HUNDRED = Decimal(100)
_TRAIL_MIN, _TRAIL_MAX = Decimal("0.1"), Decimal(50)


def place_trigger(ex: Exchange, market: Market, order: Order, cmd: PlaceOrder) -> Outcome:
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
    if order.price is not None and placing.outside_collar(
        market, order.side, inst.price(order.price)
    ):
        return ex.reject(aid, Reject.OUTSIDE_PRICE_COLLAR, ex.view(order))
    market.triggers.add(order)
    ex.register(order)
    ex.emit(OrderPlaced(*ex.stamp(), ex.view(order), UpdateReason.NEW_USER_ORDER))
    outcome = ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
    placing.check_triggers(ex, market)
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


def activate(ex: Exchange, market: Market, trigger: Order, signal_price: Decimal) -> None:
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
        child.price = placing.protective_price(ex, market, child.side)
    acct = ex.accounts[trigger.account_id]
    if child.reduce_only:
        allowed = reducible_lots(acct, inst, child.side)
        if allowed == 0:
            ex.reject(acct.account_id, Reject.WOULD_NOT_REDUCE_POSITION, ex.view(child))
            return
        child.qty = min(child.qty, allowed)
    placing.run_order(ex, market, child, UpdateReason.LIMIT_FROM_STOP)


def _offset_price(inst: Instrument, trigger: Order) -> int:
    offset = trigger.limit_offset
    assert offset is not None and trigger.stop is not None
    stop = inst.price(trigger.stop)
    delta = stop * offset.value / _HUNDRED if offset.unit is DeviationUnit.PERCENT else offset.value
    if trigger.side is Side.BUY:
        return max(1, inst.ticks_floor(stop + delta))
    return max(1, inst.ticks_ceiling(stop - delta))
