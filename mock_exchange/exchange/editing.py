"""Editing and cancelling orders.

An edit keeps an order's id and creation time. A pure size decrease keeps its place in the
queue; a price change or a size increase sends it to the back of its (new) price level, and if
the new price crosses, it trades as a taker (`takerAfterEdit`). Trigger orders can have their
stop and limit prices and size changed; a trailing stop's trigger is recomputed from its
deviation and cannot be set directly. A refused edit changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.commands import AdminCancel, CancelAll, CancelOrder, EditOrder
from ..engine.events import OrderEdited
from ..engine.market import Market
from ..engine.reasons import Reject, UpdateReason
from ..engine.triggers import trailing_stop_ticks
from ..engine.types import Order, OrderType, QtyMode, Trailing
from . import fills, placing

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome


def edit(ex: Exchange, cmd: EditOrder) -> Outcome:
    acct = ex.account(cmd.account_id)
    if cmd.process_before is not None and ex.now > cmd.process_before:
        return ex.reject(
            acct.account_id,
            Reject.WOULD_PROCESS_AFTER_SPECIFIED_TIME,
            order_id=cmd.order_id,
            cli_ord_id=cmd.cli_ord_id,
        )
    order = ex.find_order(acct, cmd.order_id, cmd.cli_ord_id)
    if order is None:
        return ex.reject(
            acct.account_id,
            Reject.ORDER_FOR_EDIT_NOT_FOUND,
            order_id=cmd.order_id,
            cli_ord_id=cmd.cli_ord_id,
        )
    market = ex.markets[order.symbol]
    refusal = _new_values(ex, market, acct, order, cmd)
    if isinstance(refusal, Reject):
        return _refuse(ex, order, refusal)
    price, qty, stop, trailing = refusal
    if order.kind.is_trigger:
        return _edit_trigger(ex, market, order, price, qty, stop, trailing)
    return _edit_resting(ex, market, order, price, qty)


def _refuse(ex: Exchange, order: Order, reason: Reject) -> Outcome:
    return ex.outcome(reason, order_id=order.order_id, cli_ord_id=order.cli_ord_id)


def _new_values(
    ex: Exchange, market: Market, acct: Account, order: Order, cmd: EditOrder
) -> tuple[int | None, int, int | None, Trailing | None] | Reject:
    """The edited (price ticks, total lots, stop ticks, trailing), or why the edit is refused."""
    inst = market.instrument
    is_trailing = order.kind is OrderType.TRAILING_STOP
    if not order.kind.is_trigger and (
        cmd.stop_price is not None
        or cmd.trailing_unit is not None
        or cmd.trailing_max_deviation is not None
    ):
        return Reject.ORDER_FOR_EDIT_NOT_A_STOP
    if is_trailing and cmd.stop_price is not None:
        return Reject.CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP
    if is_trailing and cmd.limit_price is not None:
        return Reject.CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP
    price = order.price
    if cmd.limit_price is not None:
        price = inst.to_ticks(cmd.limit_price)
        if price is None:
            return Reject.INVALID_PRICE
        if placing.outside_collar(market, order.side, inst.price(price)):
            return Reject.OUTSIDE_PRICE_COLLAR
    qty = order.qty
    if cmd.size is not None:
        lots = inst.to_lots(cmd.size)
        if lots is None:
            return Reject.INVALID_SIZE
        qty = lots if cmd.qty_mode is QtyMode.ABSOLUTE else order.filled + lots
        if qty <= order.filled:
            return Reject.INVALID_SIZE
    if order.reduce_only and qty > order.qty and not order.kind.is_trigger:
        allowed = fills.reducible_lots(acct, inst, order.side)
        if qty - order.filled > allowed:
            return Reject.WOULD_NOT_REDUCE_POSITION
    stop = order.stop
    trailing = order.trailing
    if cmd.stop_price is not None:
        stop = inst.to_ticks(cmd.stop_price)
        if stop is None:
            return Reject.INVALID_PRICE
    if is_trailing and (cmd.trailing_max_deviation is not None or cmd.trailing_unit is not None):
        assert trailing is not None
        trailing = Trailing(
            cmd.trailing_max_deviation or trailing.max_deviation, cmd.trailing_unit or trailing.unit
        )
    return price, qty, stop, trailing


def _edit_resting(
    ex: Exchange, market: Market, order: Order, price: int | None, qty: int
) -> Outcome:
    assert price is not None
    old_view = ex.view(order)
    if price == order.price and qty <= order.qty:
        if qty < order.qty:  # keeps its place in the queue
            acct = ex.accounts[order.account_id]
            acct.track_order(order.symbol, order.side.sign > 0, qty - order.qty)
            market.book.shrink(order, qty)
        order.updated = ex.now
        ex.emit(OrderEdited(*ex.stamp(), old_view, ex.view(order), UpdateReason.EDITED_BY_USER))
        return ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
    moved = order.clone()
    moved.price, moved.qty, moved.updated = price, qty, ex.now
    checked = placing.preflight(ex, market, moved, replacing=order.remaining)
    if isinstance(checked, Reject):
        return _refuse(ex, order, checked)
    ex.unregister(order)
    market.book.remove(order)
    ex.emit(OrderEdited(*ex.stamp(), old_view, ex.view(moved), UpdateReason.EDITED_BY_USER))
    return placing.commit(ex, market, moved, checked, UpdateReason.EDITED_BY_USER, after_edit=True)


def _edit_trigger(
    ex: Exchange,
    market: Market,
    order: Order,
    price: int | None,
    qty: int,
    stop: int | None,
    trailing: Trailing | None,
) -> Outcome:
    inst = market.instrument
    old_view = ex.view(order)
    order.price, order.qty, order.updated = price, qty, ex.now
    if trailing is not None:
        order.trailing = trailing
        assert order.signal is not None
        stop = trailing_stop_ticks(inst, order, market.signal(order.signal))
    if stop is not None and stop != order.stop:
        market.triggers.reprice(order, stop)
    ex.emit(OrderEdited(*ex.stamp(), old_view, ex.view(order), UpdateReason.EDITED_BY_USER))
    outcome = ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
    placing.check_triggers(ex, market)
    return outcome


def cancel(ex: Exchange, cmd: CancelOrder) -> Outcome:
    acct = ex.account(cmd.account_id)
    if cmd.process_before is not None and ex.now > cmd.process_before:
        return ex.outcome(
            Reject.WOULD_PROCESS_AFTER_SPECIFIED_TIME,
            order_id=cmd.order_id,
            cli_ord_id=cmd.cli_ord_id,
        )
    order = ex.find_order(acct, cmd.order_id, cmd.cli_ord_id)
    if order is None:
        closed = ex.closed.get(cmd.order_id) if cmd.order_id is not None else None
        filled = closed is not None and closed.filled and closed.view.account_id == acct.account_id
        reason = Reject.ALREADY_FILLED if filled else Reject.NOT_FOUND
        return ex.outcome(reason, order_id=cmd.order_id, cli_ord_id=cmd.cli_ord_id)
    ex.remove_order(order, UpdateReason.CANCELLED_BY_USER)
    return ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)


def cancel_all(ex: Exchange, cmd: CancelAll) -> Outcome:
    acct = ex.account(cmd.account_id)
    doomed = [o for o in acct.orders.values() if cmd.symbol is None or o.symbol == cmd.symbol]
    if not doomed:
        return ex.outcome(Reject.NO_ORDERS_TO_CANCEL)
    for order in doomed:
        ex.remove_order(order, UpdateReason.CANCELLED_BY_USER)
    return ex.outcome()


def admin_cancel(ex: Exchange, cmd: AdminCancel) -> Outcome:
    order = ex.orders.get(cmd.order_id)
    if order is None:
        return ex.outcome(Reject.NOT_FOUND, order_id=cmd.order_id)
    ex.remove_order(order, UpdateReason.CANCELLED_BY_ADMIN)
    return ex.outcome(order_id=order.order_id, cli_ord_id=order.cli_ord_id)
