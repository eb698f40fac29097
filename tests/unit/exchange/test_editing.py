"""Editing and cancelling: priority rules, qty modes, crossing edits, and refusals."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import OrderCancelled, OrderEdited, Trade
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import FillType, QtyMode


def _two_at_one_price(mx: Harness) -> tuple[str, str, str, str]:
    alice, bob, taker = mx.account("alice"), mx.account("bob"), mx.account("taker")
    first = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    second = mx.place(bob, "buy", "lmt", "1", 59000).order_id
    assert first and second
    return alice, taker, first, second


def test_size_decrease_keeps_priority(mx: Harness) -> None:
    alice, taker, first, _ = _two_at_one_price(mx)
    out = mx.edit(alice, first, size=D("0.5"))
    edited = only(out.events, OrderEdited)[0]
    assert (edited.old.qty, edited.new.qty, edited.reason.value) == (D("1"), D("0.5"),
                                                                       "edited_by_user")
    assert edited.new.created == edited.old.created
    out = mx.place(taker, "sell", "lmt", "0.5", 59000)
    assert [t.maker.order_id for t in only(out.events, Trade)] == [first]


def test_size_increase_and_price_change_lose_priority(mx: Harness) -> None:
    alice, taker, first, second = _two_at_one_price(mx)
    mx.edit(alice, first, size=D("2"))
    out = mx.place(taker, "sell", "lmt", "1", 59000)
    assert [t.maker.order_id for t in only(out.events, Trade)] == [second]
    mx.place(mx.account("carol"), "buy", "lmt", "1", 59000)
    mx.edit(alice, first, limit_price=D("59000"), size=D("0.5"))  # same price, smaller: keeps
    out = mx.place(taker, "sell", "lmt", "0.5", 59000)
    assert [t.maker.order_id for t in only(out.events, Trade)] == [first]


def test_price_change_moves_to_the_back_of_the_new_level(mx: Harness) -> None:
    alice, taker, first, second = _two_at_one_price(mx)
    late = mx.place(mx.account("carol"), "buy", "lmt", "1", 59100).order_id
    mx.edit(alice, first, limit_price=D("59100"))
    out = mx.place(taker, "sell", "lmt", "2", 59100)
    assert [t.maker.order_id for t in only(out.events, Trade)] == [late, first]
    assert mx.book() == ([(D("59000"), D("1"))], [])
    assert second in mx.ex.orders


def test_edit_that_crosses_trades_as_taker_after_edit(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "0.4", 60000)
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    out = mx.edit(alice, oid, limit_price=D("60000"))
    assert kinds(out.events)[:2] == ["OrderEdited:edited_by_user", "Trade"]
    trade = only(out.events, Trade)[0]
    assert (trade.taker_fill, trade.taker_resting, trade.taker.order_id) == (
        FillType.TAKER_AFTER_EDIT, True, oid)
    assert mx.book() == ([(D("60000"), D("0.6"))], [])
    assert mx.ex.orders[oid].filled == 4000  # lots of 0.0001


def test_qty_modes_relative_and_absolute(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    mx.place(bob, "sell", "lmt", "0.4", 59000)
    out = mx.edit(alice, oid, size=D("0.8"), qty_mode=QtyMode.ABSOLUTE)
    assert (only(out.events, OrderEdited)[0].new.qty, mx.book()[0]) == (
        D("0.8"), [(D("59000"), D("0.4"))])
    out = mx.edit(alice, oid, size=D("0.8"))  # RELATIVE: 0.8 more open on top of 0.4 filled
    assert only(out.events, OrderEdited)[0].new.qty == D("1.2")
    assert mx.book()[0] == [(D("59000"), D("0.8"))]
    assert mx.edit(alice, oid, size=D("0.3"), qty_mode=QtyMode.ABSOLUTE).reject is (
        Reject.INVALID_SIZE)


def test_edit_refusals_change_nothing(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000)
    post = mx.place(alice, "buy", "post", "1", 59000).order_id
    assert post is not None
    before = (mx.book(), mx.ex.orders[post].price, mx.ex.orders[post].qty)
    cases = {
        Reject.POST_WOULD_EXECUTE: dict(limit_price=D("60000")),
        Reject.ORDER_FOR_EDIT_NOT_A_STOP: dict(stop_price=D("58000")),
        Reject.INVALID_PRICE: dict(limit_price=D("59000.5")),
        Reject.INVALID_SIZE: dict(size=D("0.00001")),
        Reject.OUTSIDE_PRICE_COLLAR: dict(limit_price=D("90000")),
    }
    for reason, fields in cases.items():
        assert mx.edit(alice, post, **fields).reject is reason
    assert (mx.book(), mx.ex.orders[post].price, mx.ex.orders[post].qty) == before
    out = mx.edit(alice, "00000000-0000-4000-8000-000000000000", size=D("1"))
    assert out.reject is Reject.ORDER_FOR_EDIT_NOT_FOUND
    assert kinds(out.events) == ["OrderRejected:order_for_edit_not_found"]


def test_edit_by_client_order_id(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.place(alice, "buy", "lmt", "1", 59000, cli_ord_id="mine-1")
    out = mx.ex.submit(c.EditOrder(alice, cli_ord_id="mine-1", size=D("2")))
    assert out.ok and mx.book()[0] == [(D("59000"), D("2"))]


def test_cancel_by_id_and_client_id(mx: Harness) -> None:
    alice = mx.account("alice")
    oid = mx.place(alice, "buy", "lmt", "1", 59000, cli_ord_id="x").order_id
    out = mx.ex.submit(c.CancelOrder(alice, cli_ord_id="x"))
    assert kinds(out.events) == ["OrderCancelled:cancelled_by_user"]
    assert only(out.events, OrderCancelled)[0].order.order_id == oid
    assert mx.cancel(alice, oid).reject is Reject.NOT_FOUND
    assert mx.place(alice, "buy", "lmt", "1", 59000, cli_ord_id="x").ok  # the id is free again


def test_cancel_of_a_filled_order_says_filled(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    assert oid is not None
    mx.place(bob, "sell", "lmt", "1", 59000)
    assert mx.cancel(alice, oid).reject is Reject.ALREADY_FILLED
    assert mx.cancel(bob, oid).reject is Reject.NOT_FOUND  # not bob's order


def test_cancel_of_another_accounts_order_is_not_found(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    assert oid is not None
    assert mx.cancel(bob, oid).reject is Reject.NOT_FOUND
    assert oid in mx.ex.orders


def test_cancel_all_with_and_without_symbol(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.place(alice, "buy", "lmt", "1", 59000)
    mx.place(alice, "buy", "lmt", "1", 2900, symbol="PF_ETHUSD")
    mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500)
    out = mx.ex.submit(c.CancelAll(alice, "PF_ETHUSD"))
    assert kinds(out.events) == ["OrderCancelled:cancelled_by_user"]
    out = mx.ex.submit(c.CancelAll(alice))
    assert kinds(out.events) == ["OrderCancelled:cancelled_by_user"] * 2
    assert mx.ex.submit(c.CancelAll(alice)).reject is Reject.NO_ORDERS_TO_CANCEL


def test_admin_cancel(mx: Harness) -> None:
    alice = mx.account("alice")
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    assert oid is not None
    out = mx.ex.submit(c.AdminCancel(oid))
    assert kinds(out.events) == ["OrderCancelled:cancelled_by_admin"]
    assert mx.ex.submit(c.AdminCancel(oid)).reject is Reject.NOT_FOUND
