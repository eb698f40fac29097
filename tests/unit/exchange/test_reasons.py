"""Every domain reason has a use: a real command sequence that produces it.

`SCENARIOS` maps each `UpdateReason` and `Reject` member to a function that drives a fresh
exchange into that outcome; the tests check the table is complete and each entry delivers.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from support import Harness

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import order_updates
from mock_exchange.engine.instruments import Instrument
from mock_exchange.engine.reasons import Reject, UpdateReason
from mock_exchange.engine.types import DeviationUnit, MarketState, TriggerSignal
from mock_exchange.exchange import Outcome

Reason = UpdateReason | Reject


def _resting(mx: Harness) -> tuple[str, str]:
    a = mx.account("a")
    oid = mx.place(a, "buy", "lmt", "1", 59000).order_id
    assert oid is not None
    return a, oid


def _long(mx: Harness, usd: int = 100_000) -> str:
    a, b = mx.account("a", usd=usd), mx.account("b")
    mx.place(b, "sell", "lmt", "1", 60000)
    mx.place(a, "buy", "lmt", "1", 60000)
    return a


def _trailing(mx: Harness, dev: str, unit: DeviationUnit) -> Outcome:
    return mx.place(mx.account("a"), "sell", "trailing_stop", "1",
                    trailing_max_deviation=D(dev), trailing_unit=unit)


def _too_many(mx: Harness) -> Outcome:
    inst = mx.ex.instruments["PF_XBTUSD"]
    narrow = Instrument(inst.symbol, inst.kind, inst.base, inst.quote, inst.tick_size,
                        inst.precision, inst.margin_tiers, inst.max_position_size,
                        max_open_orders=1)
    mx.ex.instruments["PF_XBTUSD"] = mx.ex.markets["PF_XBTUSD"].instrument = narrow
    a = mx.account("a")
    mx.place(a, "buy", "lmt", "1", 59000)
    return mx.place(a, "buy", "lmt", "1", 58000)


def _liquidated(mx: Harness) -> Outcome:
    a = _long(mx, usd=1300)
    mx.place(a, "buy", "lmt", "0.01", 50000)
    return mx.prices(mark=59000)


def _expired(mx: Harness) -> None:
    ff = next(s for s in mx.ex.instruments if s.startswith("FF_"))
    mx.place(mx.account("a"), "buy", "lmt", "1", 59000, symbol=ff)
    mx.clock.set(mx.ex.instruments[ff].last_trading_ms or 0)
    mx.ex.advance()


def _self_cancel(mx: Harness) -> None:
    a = mx.account("a")
    mx.ex.submit(c.SetSelfTradeStrategy(a, c.SelfTradeStrategy.CANCEL_MAKER_SELF))
    mx.place(a, "sell", "lmt", "1", 60000)
    mx.place(a, "buy", "lmt", "1", 60000)


def _edit_trailing(mx: Harness, **fields: object) -> Outcome:
    out = _trailing(mx, "1", DeviationUnit.PERCENT)
    assert out.order_id is not None
    return mx.edit(mx.ex.orders[out.order_id].account_id, out.order_id, **fields)


def _reduce_only_orphaned(mx: Harness) -> None:
    a = _long(mx)
    mx.place(a, "sell", "lmt", "1", 61000, reduce_only=True)
    mx.place(mx.account("c"), "buy", "lmt", "1", 59000)
    mx.place(a, "sell", "lmt", "1", 59000)  # closes the position: the reduce-only order goes


def _dms(mx: Harness) -> None:
    a, _ = _resting(mx)
    mx.ex.submit(c.ArmDeadManSwitch(a, 1))
    mx.advance(1000)


def _transfer(mx: Harness, src: str = "flex", dst: str = "cash", unit: str = "USD",
              amount: str = "1", from_user: str | None = None) -> Outcome:
    return mx.ex.submit(c.TransferFunds(mx.account("a"), src, dst, unit, D(amount), from_user))


def _rfq(mx: Harness, account: str | None = None, *legs: tuple[str, str],
         expiry_ms: int | None = None) -> Outcome:
    wanted = legs or (("PF_XBTUSD", "1"),)
    expiry = None if expiry_ms is None else mx.clock.now_ms() + expiry_ms
    return mx.ex.submit(c.CreateRfq(account, tuple(c.RfqLeg(s, D(q)) for s, q in wanted),
                                    expiry=expiry))


def _offer(mx: Harness, twice: bool = False, **prices: str) -> Outcome:
    uid = getattr(_rfq(mx).events[0], "rfq_uid", "")
    b = mx.account("b")
    fields = {k: D(v) for k, v in prices.items()}
    out = mx.ex.submit(c.PlaceRfqOffer(b, uid, **fields))  # type: ignore[arg-type]
    return mx.ex.submit(c.PlaceRfqOffer(b, uid, **fields)) if twice else out  # type: ignore[arg-type]


def _stale_accept(mx: Harness) -> Outcome:
    _offer(mx, ask="60100")
    uid = next(iter(mx.ex.rfqs.open))
    return mx.ex.submit(c.AcceptRfqOffer(None, uid, c.Quote.ASK, D(60099)))


def _inactive(mx: Harness) -> Outcome:
    m = mx.account("m")
    sub = mx.account("s", master=m)
    mx.ex.submit(c.SetTradingEnabled(m, sub, False))
    return _rfq(mx, sub)


SCENARIOS: dict[Reason, Callable[[Harness], object]] = {
    UpdateReason.NEW_USER_ORDER: _resting,
    UpdateReason.LIQUIDATION: _liquidated,
    UpdateReason.STOP_ORDER_TRIGGERED: lambda mx: (
        mx.place(mx.account("a"), "sell", "stp", "1", 58000, stop_price=59000),
        mx.prices(last=58900)),
    UpdateReason.LIMIT_FROM_STOP: lambda mx: (
        mx.place(mx.account("a"), "sell", "stp", "1", 58000, stop_price=59000),
        mx.prices(last=58900)),
    UpdateReason.PARTIAL_FILL: lambda mx: (
        _resting(mx), mx.place(mx.account("b"), "sell", "lmt", "0.5", 59000)),
    UpdateReason.FULL_FILL: lambda mx: (
        _resting(mx), mx.place(mx.account("b"), "sell", "lmt", "1", 59000)),
    UpdateReason.CANCELLED_BY_USER: lambda mx: mx.cancel(*_resting(mx)),
    UpdateReason.CONTRACT_EXPIRED: _expired,
    UpdateReason.NOT_ENOUGH_MARGIN: lambda mx: (
        mx.place(mx.account("a", usd=1500), "buy", "lmt", "1", 59000), mx.prices(mark=80000)),
    UpdateReason.MARKET_INACTIVE: lambda mx: (
        _resting(mx), mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.INACTIVE))),
    UpdateReason.CANCELLED_BY_ADMIN: lambda mx: mx.ex.submit(c.AdminCancel(_resting(mx)[1])),
    UpdateReason.DEAD_MAN_SWITCH: _dms,
    UpdateReason.EDITED_BY_USER: lambda mx: mx.edit(*_resting(mx), size=D("2")),
    UpdateReason.TRAILING_STOP_PRICE_UPDATED: lambda mx: (
        _trailing(mx, "1", DeviationUnit.PERCENT), mx.prices(last=61000)),
    UpdateReason.WOULD_EXECUTE_SELF: _self_cancel,
    UpdateReason.WOULD_NOT_REDUCE_POSITION: _reduce_only_orphaned,
    UpdateReason.IOC_REMAINDER: lambda mx: (
        mx.place(mx.account("b"), "sell", "lmt", "0.5", 60000),
        mx.place(mx.account("a"), "buy", "ioc", "1", 60000)),
    Reject.MARKET_SUSPENDED: lambda mx: (
        mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.SUSPENDED)),
        mx.place(mx.account("a"), "buy", "lmt", "1", 59000)),
    Reject.MARKET_INACTIVE: lambda mx: (
        mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.INACTIVE)),
        mx.place(mx.account("a"), "buy", "lmt", "1", 59000)),
    Reject.MARKET_NOT_FOUND: lambda mx: mx.place(mx.account("a"), "buy", "lmt", "1", 1,
                                                 symbol="PF_NOPEUSD"),
    Reject.MARKET_IS_POST_ONLY: lambda mx: (
        mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.POST_ONLY)),
        mx.place(mx.account("a"), "buy", "mkt", "1")),
    Reject.INVALID_PRICE: lambda mx: mx.place(mx.account("a"), "buy", "lmt", "1", "1.5"),
    Reject.INVALID_SIZE: lambda mx: mx.place(mx.account("a"), "buy", "lmt", "0", 59000),
    Reject.INSUFFICIENT_AVAILABLE_FUNDS: lambda mx: mx.place(
        mx.account("a", usd=10), "buy", "lmt", "1", 59000),
    Reject.WOULD_CAUSE_LIQUIDATION: lambda mx: (
        mx.place(mx.account("b"), "sell", "lmt", "0.5", 60600),
        mx.place(mx.account("a", usd=610), "buy", "lmt", "0.5", 60600)),
    Reject.CLIENT_ORDER_ID_ALREADY_EXIST: lambda mx: [
        mx.place(a, "buy", "lmt", "1", 59000, cli_ord_id="dup")
        for a in [mx.account("a")] for _ in range(2)],
    Reject.CLIENT_ORDER_ID_TOO_LONG: lambda mx: mx.place(
        mx.account("a"), "buy", "lmt", "1", 59000, cli_ord_id="x" * 101),
    Reject.MAX_POSITION_VIOLATION: lambda mx: mx.place(
        mx.account("a", usd=10**9), "buy", "lmt", "1201", 59000),
    Reject.OUTSIDE_PRICE_COLLAR: lambda mx: mx.place(mx.account("a"), "buy", "lmt", "1", 90000),
    Reject.POST_WOULD_EXECUTE: lambda mx: (
        mx.place(mx.account("b"), "sell", "lmt", "1", 60000),
        mx.place(mx.account("a"), "buy", "post", "1", 60000)),
    Reject.IOC_WOULD_NOT_EXECUTE: lambda mx: mx.place(mx.account("a"), "buy", "ioc", "1", 60000),
    Reject.FOK_WOULD_NOT_EXECUTE: lambda mx: mx.place(mx.account("a"), "buy", "fok", "1", 60000),
    Reject.WOULD_EXECUTE_SELF: lambda mx: [
        (mx.place(a, "sell", "lmt", "1", 60000), mx.place(a, "buy", "lmt", "1", 60000))
        for a in [mx.account("a")]],
    Reject.WOULD_NOT_REDUCE_POSITION: lambda mx: mx.place(
        mx.account("a"), "sell", "lmt", "1", 61000, reduce_only=True),
    Reject.TOO_MANY_ORDERS: _too_many,
    Reject.ORDER_FOR_EDIT_NOT_FOUND: lambda mx: mx.edit(mx.account("a"), "nope", size=D(1)),
    Reject.ORDER_FOR_EDIT_NOT_A_STOP: lambda mx: mx.edit(*_resting(mx), stop_price=D(58000)),
    Reject.NOT_FOUND: lambda mx: mx.cancel(mx.account("a"), "nope"),
    Reject.ALREADY_FILLED: lambda mx: [
        (mx.place(mx.account("b"), "sell", "lmt", "1", 59000), mx.cancel(a, oid))
        for a, oid in [_resting(mx)]],
    Reject.NO_ORDERS_TO_CANCEL: lambda mx: mx.ex.submit(c.CancelAll(mx.account("a"))),
    Reject.WOULD_PROCESS_AFTER_SPECIFIED_TIME: lambda mx: mx.place(
        mx.account("a"), "buy", "lmt", "1", 59000, process_before=mx.clock.now_ms() - 1),
    Reject.CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP: lambda mx: _edit_trailing(
        mx, stop_price=D(1)),
    Reject.CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP: lambda mx: _edit_trailing(
        mx, limit_price=D(1)),
    Reject.TRAILING_STOP_MAX_DEVIATION_TOO_LARGE: lambda mx: _trailing(
        mx, "51", DeviationUnit.PERCENT),
    Reject.TRAILING_STOP_MAX_DEVIATION_TOO_SMALL: lambda mx: _trailing(
        mx, "0.09", DeviationUnit.PERCENT),
    Reject.TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE: lambda mx: _trailing(
        mx, "10.5", DeviationUnit.QUOTE_CURRENCY),
    Reject.LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE: lambda mx: mx.place(
        mx.account("a"), "sell", "stp", "1", 58000, stop_price=59000,
        limit_offset_value=D(1), limit_offset_unit=DeviationUnit.PERCENT),
    Reject.LIMIT_PRICE_OFFSET_INVALID: lambda mx: mx.place(
        mx.account("a"), "sell", "stp", "1", stop_price=59000, limit_offset_value=D(1)),
    Reject.INSUFFICIENT_FUNDS: lambda mx: _transfer(mx, amount="1000000"),
    Reject.INVALID_ACCOUNT: lambda mx: _transfer(mx, dst="nowhere"),
    Reject.INVALID_UNIT: lambda mx: _transfer(mx, unit="DOGE"),
    Reject.INVALID_AMOUNT: lambda mx: _transfer(mx, amount="0"),
    Reject.INVALID_ARGUMENT: lambda mx: _transfer(mx, from_user="stranger"),
    Reject.ACCOUNT_INACTIVE: _inactive,
    Reject.RFQ_NOT_FOUND: lambda mx: mx.ex.submit(c.CancelRfq(mx.account("a"), "nope")),
    Reject.OFFER_NOT_FOUND: lambda mx: mx.ex.submit(c.CancelRfqOffer(
        mx.account("a"), getattr(_rfq(mx).events[0], "rfq_uid", ""))),
    Reject.OFFER_NO_LONGER_VALID: _stale_accept,
    Reject.OFFER_ALREADY_EXISTS: lambda mx: _offer(mx, True, bid="59900"),
    Reject.PRICE_TOO_FAR_FROM_MARKET: lambda mx: _offer(mx, ask="90000"),
    Reject.NO_LEGS_SPECIFIED: lambda mx: mx.ex.submit(c.CreateRfq(mx.account("a"), ())),
    Reject.TOO_MANY_LEGS: lambda mx: _rfq(mx, mx.account("a"), *[("PF_XBTUSD", "1")] * 11),
    Reject.MIXED_CURRENCY_PAIRS: lambda mx: _rfq(
        mx, mx.account("a"), ("PF_XBTUSD", "1"), ("PF_ETHUSD", "1")),
    Reject.INVALID_EXPIRY: lambda mx: _rfq(mx, mx.account("a"), expiry_ms=0),
    Reject.EXPIRY_TOO_SHORT: lambda mx: _rfq(mx, mx.account("a"), expiry_ms=1),
    Reject.TOO_MANY_OPEN_RFQS: lambda mx: [_rfq(mx, a) for a in [mx.account("a")]
                                           for _ in range(11)],
    Reject.CONTRACT_DOES_NOT_EXIST: lambda mx: mx.ex.submit(
        c.SetLeveragePreference(mx.account("a"), "PF_NOPEUSD", D(2))),
    Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL: lambda mx: mx.ex.submit(
        c.SetPnlPreference(mx.account("a"), "PI_XBTUSD", "USD")),
    Reject.CURRENCY_DOES_NOT_EXIST: lambda mx: mx.ex.submit(
        c.SetPnlPreference(mx.account("a"), "PF_XBTUSD", "DOGE")),
    Reject.INVALID_MAX_LEVERAGE: lambda mx: mx.ex.submit(
        c.SetLeveragePreference(mx.account("a"), "PF_XBTUSD", D(51))),
}


def produced(mx: Harness, result: object) -> set[Reason]:
    """Reasons in the events the exchange published, plus the rejections it answered."""
    reasons: set[Reason] = {r for e in mx.events for _, r in order_updates(e)}
    stack = [result]
    while stack:
        item = stack.pop()
        if isinstance(item, Outcome) and item.reject is not None:
            reasons.add(item.reject)
        elif isinstance(item, tuple | list):
            stack.extend(item)
    return reasons


def test_the_table_names_every_reason() -> None:
    assert set(SCENARIOS) == set(UpdateReason) | set(Reject)


@pytest.mark.parametrize("reason", list(SCENARIOS), ids=lambda r: r.value)
def test_reason_is_reachable(reason: Reason) -> None:
    mx = Harness()
    result = SCENARIOS[reason](mx)
    assert reason in produced(mx, result)


def test_trigger_signal_default_is_last() -> None:
    mx = Harness()
    out = mx.place(mx.account("a"), "sell", "stp", "1", 58000, stop_price=59000)
    assert mx.ex.orders[out.order_id or ""].signal is TriggerSignal.LAST
