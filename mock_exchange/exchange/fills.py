"""Booking fills: one execution onto both accounts, and the reduce-only rule positions impose.

`settle_trade` books one maker/taker execution at the maker's price: the `Trade` event, both
positions, realised PnL and fees (`book_fill`, also used for block trades, liquidation
take-overs and expiry settlement), and the market's last trade. `reducible_lots` is how many
lots an order may have and still only reduce its account's position; after a plan's fills are
all booked, `trim_reduce_only` cancels resting reduce-only orders (least aggressive first) until
they fit the positions again.

Invariants: every execution moves both sides' positions by the same size in opposite directions
and credits realised PnL and the fee (never float: Decimal throughout); a fully filled maker
leaves the registry before its `Trade` is emitted, a partly filled one keeps its place and has
its resting lots released; nothing here validates or refuses: callers have checked already.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.events import BalanceKind, PositionChanged, Trade
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.reasons import UpdateReason
from ..engine.types import FillType, Order, OrderView, Side

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange


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


def reducible_lots(acct: Account, inst: Instrument, side: Side) -> int:
    """How many lots an order on `side` may have and still only reduce the position."""
    size = acct.position_size(inst.symbol)
    if size == 0 or (size > 0) == (side is Side.BUY):
        return 0
    return inst.to_lots(abs(size)) or 0


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
