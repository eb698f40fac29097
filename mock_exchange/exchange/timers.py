"""Timers and market administration: dead man's switch, funding, expiry, market states.

`next_deadline` is the earliest of: an armed dead man's switch, the next funding time (when a
perpetual is listed), and the last trading time of a dated contract still trading. `fire_due`
runs everything due at one instant, in a fixed order (switches, then expiries, then funding).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..engine.commands import ArmDeadManSwitch, SetFundingRate, SetMarketState
from ..engine.events import BalanceKind, ContractSettled, FundingRateApplied, MarketStateChanged
from ..engine.market import Market
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import MarketState
from . import fills, placing, rfq

if TYPE_CHECKING:
    from .core import Exchange, Outcome


def arm_dead_man_switch(ex: Exchange, cmd: ArmDeadManSwitch) -> Outcome:
    acct = ex.account(cmd.account_id)
    if cmd.timeout_s < 0:
        return ex.outcome(Reject.INVALID_SIZE)
    acct.dms_deadline = None if cmd.timeout_s == 0 else ex.now + cmd.timeout_s * 1000
    if acct.dms_deadline is None:
        ex.armed.pop(acct.account_id, None)
    else:
        ex.armed[acct.account_id] = acct.dms_deadline
    return ex.outcome(account_id=acct.account_id, deadline=acct.dms_deadline)


def next_deadline(ex: Exchange) -> int | None:
    """Checked before every command, so it reads only what can change: the armed switches,
    the dated markets still trading, the funding time and open RFQs (the market list and
    which markets are dated or perpetual are fixed when the exchange is built)."""
    due = ex.next_funding if ex.has_perpetual else None
    if ex.armed:
        first = min(ex.armed.values())
        due = first if due is None or first < due else due
    for market in ex.dated_markets:
        if market.state is not MarketState.INACTIVE:
            expiry: int = market.instrument.last_trading_ms  # type: ignore[assignment]
            due = expiry if due is None or expiry < due else due
    if ex.rfqs.open:
        expiry_rfq = rfq.next_expiry(ex)
        if expiry_rfq is not None and (due is None or expiry_rfq < due):
            due = expiry_rfq
    return due


def _expiring(ex: Exchange) -> list[Market]:
    return [m for m in ex.dated_markets if m.state is not MarketState.INACTIVE]


def fire_due(ex: Exchange, due: int) -> None:
    for account_id, deadline in sorted(ex.armed.items()):
        if deadline == due:
            acct = ex.accounts[account_id]
            del ex.armed[account_id]
            acct.dms_deadline = None
            for order in list(acct.orders.values()):
                ex.remove_order(order, UpdateReason.DEAD_MAN_SWITCH)
    for market in _expiring(ex):
        if market.instrument.last_trading_ms == due:
            _expire(ex, market)
    if ex.next_funding == due:
        for market in ex.markets.values():
            if market.instrument.kind.perpetual and market.state is not MarketState.INACTIVE:
                _pay_funding(ex, market)
        ex.next_funding += ex.settings.funding_interval_ms
    rfq.expire_due(ex)


def _pay_funding(ex: Exchange, market: Market) -> None:
    """Longs pay shorts when the rate is positive: size x contract value x rate, per interval."""
    inst, mark = market.instrument, market.mark
    rate = market.relative_funding_rate()
    absolute = rate / mark if inst.inverse else rate * mark
    market.funding_history.append((ex.now, rate, absolute))
    ex.emit(FundingRateApplied(*ex.stamp(), inst.symbol, rate, mark))
    if rate == 0:
        return
    for account_id in sorted(ex.accounts):
        acct = ex.accounts[account_id]
        pos = acct.positions.get(inst.symbol)
        if pos is None or pos.size == 0:
            continue
        payment = -pos.size * inst.contract_size * absolute
        ex.credit(
            acct,
            inst.margin_wallet,
            inst.settlement_currency,
            payment,
            BalanceKind.FUNDING,
            inst.symbol,
        )


def _expire(ex: Exchange, market: Market) -> None:
    """Last trading time: orders go (`contract_expired`), positions settle at mark with a
    taker fee, and the market turns inactive."""
    inst, price = market.instrument, market.mark
    for order in _market_orders(ex, market):
        ex.remove_order(order, UpdateReason.CONTRACT_EXPIRED)
    ex.emit(ContractSettled(*ex.stamp(), inst.symbol, price))
    for account_id in sorted(ex.accounts):
        acct = ex.accounts[account_id]
        pos = acct.positions.get(inst.symbol)
        if pos is None or pos.size == 0:
            continue
        fee = inst.value(pos.size, price) * ex.settings.fees.taker
        fills.book_fill(ex, acct, inst, -pos.size, price, fee, f"settlement:{inst.symbol}")
    market.state = MarketState.INACTIVE
    ex.emit(MarketStateChanged(*ex.stamp(), inst.symbol, MarketState.INACTIVE))


def _market_orders(ex: Exchange, market: Market) -> list:  # type: ignore[type-arg]
    return [o for o in ex.orders.values() if o.symbol == market.symbol]


def set_market_state(ex: Exchange, cmd: SetMarketState) -> Outcome:
    market = ex.markets.get(cmd.symbol)
    if market is None:
        return ex.outcome(Reject.MARKET_NOT_FOUND)
    if market.state is cmd.state:
        return ex.outcome()
    market.state = cmd.state
    if cmd.state is MarketState.INACTIVE:
        for order in _market_orders(ex, market):
            ex.remove_order(order, UpdateReason.MARKET_INACTIVE)
    ex.emit(MarketStateChanged(*ex.stamp(), market.symbol, cmd.state))
    if cmd.state is MarketState.OPEN:
        placing.check_triggers(ex, market)
    return ex.outcome()


def set_funding_rate(ex: Exchange, cmd: SetFundingRate) -> Outcome:
    market = ex.markets.get(cmd.symbol)
    if market is None or not market.instrument.kind.perpetual:
        return ex.outcome(Reject.MARKET_NOT_FOUND)
    if cmd.rate is not None and not cmd.rate.is_finite():
        return ex.outcome(Reject.INVALID_PRICE)
    market.funding_rate = cmd.rate
    return ex.outcome()
