"""Margin and risk: pre-trade checks, not_enough_margin, liquidation against book and house."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness, kinds, only

from mock_exchange.engine.events import AccountLiquidated, Trade
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import FillType


def test_insufficient_available_funds(mx: Harness) -> None:
    small = mx.account("small", usd=1000)
    out = mx.place(small, "buy", "lmt", "1", 59000)  # IM 2 % of 60,000 = 1,200 > 1,000
    assert out.reject is Reject.INSUFFICIENT_AVAILABLE_FUNDS
    assert mx.book() == ([], [])
    assert mx.place(small, "buy", "lmt", "0.8", 59000).ok  # IM 960
    summary = mx.ex.margin.summary(mx.ex.accounts[small], "flex")
    assert (summary.initial, summary.initial_with_orders, summary.available) == (
        0, D("960.0000"), D("40.0000"))


def test_max_position(mx: Harness) -> None:
    whale = mx.account("whale", usd=10**9)
    assert mx.place(whale, "buy", "lmt", "1200.0001", 59000).reject is (
        Reject.MAX_POSITION_VIOLATION)
    assert mx.place(whale, "buy", "lmt", "1200", 59000).ok


def test_would_cause_liquidation(mx: Harness) -> None:
    mm, small = mx.account("mm"), mx.account("small", usd=610)
    mx.place(mm, "sell", "lmt", "0.5", 60600)
    # buying 0.5 at 60,600 with mark 60,000: equity 610 - 300 - 15.15 < maintenance 300
    assert mx.place(small, "buy", "lmt", "0.5", 60600).reject is Reject.WOULD_CAUSE_LIQUIDATION
    assert mx.book() == ([], [(D("60600"), D("0.5"))])


def test_not_enough_margin_removes_resting_orders(mx: Harness) -> None:
    small = mx.account("small", usd=1500)
    first = mx.place(small, "buy", "lmt", "0.5", 59000).order_id
    mx.place(small, "buy", "lmt", "0.5", 58000)
    out = mx.prices(mark=70000)  # IM with orders 1,400 at mark 70,000: still fits 1,500
    assert kinds(out.events) == ["PricesChanged"]
    out = mx.prices(mark=80000)  # 1,600 > 1,500: the newest order goes, then it fits
    assert kinds(out.events) == ["PricesChanged", "OrderCancelled:not_enough_margin"]
    assert list(mx.ex.orders) == [first]


def _long_one_btc(mx: Harness) -> tuple[str, str]:
    alice, bob = mx.account("alice", usd=1300), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000)
    mx.place(alice, "buy", "lmt", "1", 60000)  # taker fee 30: balance 1,270
    mx.place(alice, "buy", "lmt", "0.01", 50000)
    return alice, bob


def test_liquidation_closes_against_the_book(mx: Harness) -> None:
    alice, _ = _long_one_btc(mx)
    mm = mx.account("mm")
    mx.place(mm, "buy", "lmt", "1", 59000)
    out = mx.prices(mark=59300)  # equity 1,270 - 700 = 570 < maintenance 593
    assert kinds(out.events)[:4] == ["PricesChanged", "AccountLiquidated",
                                     "OrderCancelled:liquidation", "Trade"]
    liq = only(out.events, AccountLiquidated)[0]
    assert (liq.equity, liq.maintenance_margin) == (D("570.0000"), D("593.0000"))
    (trade,) = only(out.events, Trade)
    assert (trade.price, trade.qty, trade.taker_fill, trade.taker.kind.value) == (
        D("59000"), D("1"), FillType.LIQUIDATION, "liquidation")
    assert trade.taker_fee == D("472")  # taker 0.05 % + liquidation 0.75 % of 59,000
    assert mx.position(alice) == 0 and mx.position(mm) == 1
    assert mx.balance(alice) == D("1270") - 1000 - 472


def test_liquidation_remainder_goes_to_the_house_at_mark(mx: Harness) -> None:
    alice, _ = _long_one_btc(mx)
    out = mx.prices(mark=59300)
    (trade,) = only(out.events, Trade)
    assert (trade.price, trade.maker.account_id, trade.maker_fill) == (
        D("59300"), "house", FillType.ASSIGNEE)
    assert (mx.position(alice), mx.position("house")) == (0, 1)
    assert mx.balance(alice) == D("1270") - 700 - D("444.75")
    assert kinds(mx.prices(mark=59200).events) == ["PricesChanged"]  # the house is never swept


def test_margin_summary_counts_collateral_with_haircuts(mx: Harness) -> None:
    acct = mx.account("multi", usd=1000)
    mx.ex.accounts[acct].wallet("flex").credit("XBT", D("0.1"))  # 6,000 USD, 5 % haircut
    summary = mx.ex.margin.summary(mx.ex.accounts[acct], "flex")
    assert (summary.balance_value, summary.collateral) == (D("7000.0"), D("6700.00"))
