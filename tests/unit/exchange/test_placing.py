"""Placing regular orders: resting, matching, fills, fees and positions, with exact numbers."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import OrderCancelled, OrderPlaced, Trade
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import FillType, OrderType, SelfTradeStrategy, Side


def test_limit_order_rests_with_new_placed_reason(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "buy", "lmt", "1", 59000)
    assert out.ok and kinds(out.events) == ["OrderPlaced:new_user_order"]
    placed = out.events[0]
    assert isinstance(placed, OrderPlaced)
    assert (placed.order.qty, placed.order.filled, placed.order.limit_price) == (
        D("1"), D("0"), D("59000"))
    assert placed.order.order_id == out.order_id
    assert mx.book() == ([(D("59000"), D("1"))], [])


def test_partial_then_full_fill_at_maker_price_with_fees(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    maker = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    out = mx.place(bob, "sell", "lmt", "0.4", 58000)  # crosses, fills at the maker's 59000
    trades = only(out.events, Trade)
    assert [(t.price, t.qty, t.maker.order_id, t.maker.remaining, t.taker.remaining)
            for t in trades] == [(D("59000"), D("0.4"), maker, D("0.6"), D("0"))]
    assert (trades[0].maker_fill, trades[0].taker_fill) == (FillType.MAKER, FillType.TAKER)
    assert trades[0].maker_fee == D("4.72")  # 0.02 % of 23,600
    assert trades[0].taker_fee == D("11.8")  # 0.05 % of 23,600
    assert not only(out.events, OrderPlaced)  # a taker filled on arrival never rests
    assert (mx.position(alice), mx.position(bob)) == (D("0.4"), D("-0.4"))
    assert (mx.balance(alice), mx.balance(bob)) == (D("99995.28"), D("99988.2"))
    out = mx.place(bob, "sell", "lmt", "0.6", 58000)
    (trade,) = only(out.events, Trade)
    assert (trade.qty, trade.maker.remaining, trade.maker.filled) == (D("0.6"), 0, D("1"))
    assert mx.book() == ([], [])
    assert mx.position(alice) == D("1")


def test_price_time_priority_across_levels(mx: Harness) -> None:
    mm, taker = mx.account("mm"), mx.account("taker")
    first = mx.place(mm, "sell", "lmt", "1", 60100).order_id
    worse = mx.place(mm, "sell", "lmt", "1", 60200).order_id
    second = mx.place(mm, "sell", "lmt", "1", 60100).order_id
    out = mx.place(taker, "buy", "lmt", "2.5", 60200)
    assert [(t.maker.order_id, t.price, t.qty) for t in only(out.events, Trade)] == [
        (first, D("60100"), D("1")), (second, D("60100"), D("1")), (worse, D("60200"), D("0.5"))]
    assert mx.book() == ([], [(D("60200"), D("0.5"))])


def test_crossing_limit_rests_its_remainder_after_the_fills(mx: Harness) -> None:
    mm, taker = mx.account("mm"), mx.account("taker")
    mx.place(mm, "sell", "lmt", "0.3", 60000)
    out = mx.place(taker, "buy", "lmt", "1", 60050)
    assert kinds(out.events)[0] == "Trade" and kinds(out.events)[-1] == "OrderPlaced:new_user_order"
    placed = only(out.events, OrderPlaced)[0]
    assert (placed.order.qty, placed.order.filled) == (D("1"), D("0.3"))
    assert mx.book() == ([(D("60050"), D("0.7"))], [])


def test_ioc_fills_what_it_can_and_drops_the_rest(mx: Harness) -> None:
    mm, taker = mx.account("mm"), mx.account("taker")
    mx.place(mm, "sell", "lmt", "0.3", 60000)
    out = mx.place(taker, "buy", "ioc", "1", 60050)
    assert kinds(out.events)[0] == "Trade"
    assert kinds(out.events)[-1] == "OrderCancelled:ioc_remainder"
    assert only(out.events, OrderCancelled)[0].order.remaining == D("0.7")
    assert mx.book() == ([], [])


def test_market_order_is_an_ioc_limited_one_percent_beyond_mark(mx: Harness) -> None:
    mm, taker = mx.account("mm"), mx.account("taker")
    mx.place(mm, "sell", "lmt", "1", 60500)
    mx.place(mm, "sell", "lmt", "1", 60700)  # beyond 60,600 = mark 60,000 + 1 %
    out = mx.place(taker, "buy", "mkt", "2")
    (trade,) = only(out.events, Trade)
    assert (trade.price, trade.qty, trade.taker.limit_price) == (D("60500"), D("1"), D("60600"))
    assert trade.taker.kind is OrderType.MKT
    assert kinds(out.events)[-1] == "OrderCancelled:ioc_remainder"
    assert mx.book() == ([], [(D("60700"), D("1"))])


def test_fok_is_all_or_nothing(mx: Harness) -> None:
    mm, taker = mx.account("mm"), mx.account("taker")
    mx.place(mm, "sell", "lmt", "1", 60000)
    out = mx.place(taker, "buy", "fok", "1.5", 60000)
    assert out.reject is Reject.FOK_WOULD_NOT_EXECUTE
    assert mx.book() == ([], [(D("60000"), D("1"))])
    out = mx.place(taker, "buy", "fok", "1", 60000)
    assert out.ok and [t.qty for t in only(out.events, Trade)] == [D("1")]


def test_post_only_rests_or_is_rejected_when_it_would_take(mx: Harness) -> None:
    mm, alice = mx.account("mm"), mx.account("alice")
    mx.place(mm, "sell", "lmt", "1", 60000)
    out = mx.place(alice, "buy", "post", "1", 60000)
    assert out.reject is Reject.POST_WOULD_EXECUTE
    assert kinds(out.events) == ["OrderRejected:post_would_execute"]
    assert mx.place(alice, "buy", "post", "1", 59999).ok
    assert mx.book() == ([(D("59999"), D("1"))], [(D("60000"), D("1"))])


def test_self_trade_reject_taker_keeps_fills_against_others(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "0.5", 60050)
    own = mx.place(alice, "sell", "lmt", "1", 60100).order_id
    out = mx.place(alice, "buy", "lmt", "1", 60100)
    assert out.ok
    assert kinds(out.events)[0] == "Trade"
    assert kinds(out.events)[-1] == "OrderCancelled:would_execute_self"
    assert own in mx.ex.orders
    assert mx.book() == ([], [(D("60100"), D("1"))])
    out = mx.place(alice, "buy", "lmt", "1", 60100)  # nothing but its own order to meet
    assert out.reject is Reject.WOULD_EXECUTE_SELF


def test_self_trade_cancel_maker_self_cancels_the_resting_order(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.ex.submit(c.SetSelfTradeStrategy(alice, SelfTradeStrategy.CANCEL_MAKER_SELF))
    own = mx.place(alice, "sell", "lmt", "1", 60100).order_id
    out = mx.place(alice, "buy", "lmt", "1", 60100)
    assert kinds(out.events) == ["OrderCancelled:would_execute_self", "OrderPlaced:new_user_order"]
    assert only(out.events, OrderCancelled)[0].order.order_id == own
    assert mx.book() == ([(D("60100"), D("1"))], [])


def test_self_trade_across_a_family(mx: Harness) -> None:
    master = mx.account("master")
    sub = mx.account("sub", master=master)
    mx.place(sub, "sell", "lmt", "1", 60100)
    assert mx.place(master, "buy", "lmt", "1", 60100).reject is Reject.WOULD_EXECUTE_SELF
    mx.ex.submit(c.SetSelfTradeStrategy(master, SelfTradeStrategy.CANCEL_MAKER_SELF))
    assert mx.place(master, "buy", "lmt", "1", 60100).reject is Reject.WOULD_EXECUTE_SELF
    mx.ex.submit(c.SetSelfTradeStrategy(master, SelfTradeStrategy.CANCEL_MAKER_CHILD))
    out = mx.place(master, "buy", "lmt", "1", 60100)  # a master may cancel its child's maker
    assert kinds(out.events)[0] == "OrderCancelled:would_execute_self"
    mx.place(master, "sell", "lmt", "1", 60200)
    assert mx.place(sub, "buy", "lmt", "1", 60200).reject is Reject.WOULD_EXECUTE_SELF
    mx.ex.submit(c.SetSelfTradeStrategy(master, SelfTradeStrategy.CANCEL_MAKER_ANY))
    assert kinds(mx.place(sub, "buy", "lmt", "1", 60200).events)[0] == (
        "OrderCancelled:would_execute_self")


def test_reduce_only_is_trimmed_to_the_position(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "0.4", 60000)
    mx.place(alice, "buy", "lmt", "0.4", 60000)
    assert mx.place(alice, "buy", "lmt", "1", 59000, reduce_only=True).reject is (
        Reject.WOULD_NOT_REDUCE_POSITION)
    out = mx.place(alice, "sell", "lmt", "1", 61000, reduce_only=True)
    placed = only(out.events, OrderPlaced)[0]
    assert (placed.order.qty, placed.reduced_qty) == (D("0.4"), D("0.6"))
    assert mx.book() == ([], [(D("61000"), D("0.4"))])


def test_resting_reduce_only_order_goes_when_the_position_closes(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "0.4", 60000)
    mx.place(alice, "buy", "lmt", "0.4", 60000)
    ro = mx.place(alice, "sell", "lmt", "0.4", 61000, reduce_only=True).order_id
    mx.place(bob, "buy", "lmt", "0.4", 59000)
    out = mx.place(alice, "sell", "lmt", "0.4", 59000)  # closes the position elsewhere
    assert kinds(out.events)[-1] == "OrderCancelled:would_not_reduce_position"
    assert only(out.events, OrderCancelled)[0].order.order_id == ro
    assert mx.position(alice) == 0 and ro not in mx.ex.orders


def test_inverse_contract_settles_in_the_coin(mx: Harness) -> None:
    alice, bob = mx.account("alice", xbt=1), mx.account("bob", xbt=1)
    mx.place(bob, "sell", "lmt", "6000", 60000, symbol="PI_XBTUSD")
    out = mx.place(alice, "buy", "lmt", "6000", 60000, symbol="PI_XBTUSD")
    (trade,) = only(out.events, Trade)
    assert (trade.fee_currency, trade.taker_fee) == ("XBT", D("0.00005"))  # 0.1 XBT x 0.05 %
    mx.place(bob, "buy", "lmt", "6000", 50000, symbol="PI_XBTUSD")
    mx.place(alice, "sell", "lmt", "6000", 50000, symbol="PI_XBTUSD")
    # long 6000 USD from 60,000 to 50,000: 6000 x (1/60000 - 1/50000) = -0.02 XBT
    assert mx.ex.accounts[alice].positions["PI_XBTUSD"].realised == D("-0.02")


def test_rejections_leave_the_book_and_accounts_untouched(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000)
    before = (mx.book(), mx.balance(alice), dict(mx.ex.orders))
    for out in (
        mx.place(alice, "buy", "lmt", "1", "60000.5"),
        mx.place(alice, "buy", "lmt", "0.00001", 60000),
        mx.place(alice, "buy", "post", "1", 60000),
        mx.place(alice, "buy", "fok", "2", 60000),
        mx.place(alice, "buy", "lmt", "1", 80000),
        mx.place(alice, "buy", "lmt", "1", 60000, symbol="PF_NOPE"),
    ):
        assert not out.ok
    assert (mx.book(), mx.balance(alice), dict(mx.ex.orders)) == before
    assert mx.position(alice) == 0


def test_side_helpers() -> None:
    assert Side.BUY.opposite is Side.SELL and Side.SELL.sign == -1
