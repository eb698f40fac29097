"""Trigger orders: stop, take-profit, trailing stop, limit offsets, signals, activation."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness, kinds, only

from mock_exchange.engine.events import OrderEdited, OrderPlaced, OrderRejected, Trade
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import DeviationUnit, TriggerSide, TriggerSignal


def test_stop_limit_triggers_on_mark_and_becomes_a_limit_order(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500,
                   trigger_signal=TriggerSignal.MARK)
    placed = only(out.events, OrderPlaced)[0]
    assert (placed.order.stop_price, placed.order.trigger_side) == (D("58500"), TriggerSide.BELOW)
    assert mx.book() == ([], [])
    assert kinds(mx.prices(mark=58501).events) == ["PricesChanged"]
    out = mx.prices(mark=58500)
    assert kinds(out.events) == ["PricesChanged", "TriggerActivated",
                                 "OrderPlaced:limit_from_stop"]
    child = only(out.events, OrderPlaced)[0].order
    activated = out.events[1].order
    assert (child.order_id, child.limit_price, child.stop_price) == (activated.order_id,
                                                                     D("58000"), None)
    assert mx.book() == ([], [(D("58000"), D("1"))])


def test_stop_market_executes_on_trigger(mx: Harness) -> None:
    alice, mm = mx.account("alice"), mx.account("mm")
    mx.place(mm, "sell", "lmt", "1", 61000)
    mx.place(alice, "buy", "stp", "1", stop_price=60800, trigger_signal=TriggerSignal.MARK)
    out = mx.prices(mark=60800)
    assert kinds(out.events)[:3] == ["PricesChanged", "TriggerActivated", "Trade"]
    assert only(out.events, Trade)[0].price == D("61000")  # within mark + 1 %
    assert mx.position(alice) == D("1")


def test_take_profit_triggers_in_the_other_direction(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "buy", "take_profit", "1", 57000, stop_price=57500,
                   trigger_signal=TriggerSignal.INDEX)
    assert only(out.events, OrderPlaced)[0].order.trigger_side is TriggerSide.BELOW
    assert kinds(mx.prices(mark=57000).events) == ["PricesChanged"]  # index did not move
    out = mx.prices(index=57400)
    assert "OrderPlaced:limit_from_stop" in kinds(out.events)


def test_last_price_trigger_fires_from_a_trade(mx: Harness) -> None:
    alice, bob, carol = mx.account("alice"), mx.account("bob"), mx.account("carol")
    mx.place(alice, "buy", "stp", "1", 61000, stop_price=60500)  # default signal: last
    mx.place(bob, "sell", "lmt", "0.1", 60500)
    out = mx.place(carol, "buy", "lmt", "0.1", 60500)
    assert kinds(out.events)[0] == "Trade"
    assert "TriggerActivated" in kinds(out.events)
    assert "OrderPlaced:limit_from_stop" in kinds(out.events)


def test_trailing_stop_ratchets_and_fires(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "sell", "trailing_stop", "1", trigger_signal=TriggerSignal.MARK,
                   trailing_max_deviation=D(1), trailing_unit=DeviationUnit.PERCENT)
    assert only(out.events, OrderPlaced)[0].order.stop_price == D("59400")  # 60,000 - 1 %
    out = mx.prices(mark=61000)
    edited = only(out.events, OrderEdited)[0]
    assert (edited.reason.value, edited.old.stop_price, edited.new.stop_price) == (
        "trailing_stop_price_updated", D("59400"), D("60390"))
    assert not only(mx.prices(mark=60500).events, OrderEdited)  # never moves back
    out = mx.prices(mark=60390)
    assert kinds(out.events)[1] == "TriggerActivated"


def test_trailing_stop_in_quote_currency_and_its_limits(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "buy", "trailing_stop", "1", symbol="PF_ETHUSD",
                   trailing_max_deviation=D("15.5"), trailing_unit=DeviationUnit.QUOTE_CURRENCY)
    assert only(out.events, OrderPlaced)[0].order.stop_price == D("3015.5")
    cases = [(D("0.15"), DeviationUnit.QUOTE_CURRENCY,
              Reject.TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE),
             (D("60"), DeviationUnit.PERCENT, Reject.TRAILING_STOP_MAX_DEVIATION_TOO_LARGE),
             (D("0.05"), DeviationUnit.PERCENT, Reject.TRAILING_STOP_MAX_DEVIATION_TOO_SMALL)]
    for dev, unit, reason in cases:
        assert mx.place(alice, "buy", "trailing_stop", "1", symbol="PF_ETHUSD",
                        trailing_max_deviation=dev, trailing_unit=unit).reject is reason


def test_limit_price_offset_sets_the_limit_at_activation(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.place(alice, "sell", "stp", "1", stop_price=59000, trigger_signal=TriggerSignal.MARK,
             limit_offset_value=D(100), limit_offset_unit=DeviationUnit.QUOTE_CURRENCY)
    mx.place(alice, "sell", "stp", "1", stop_price=59000, trigger_signal=TriggerSignal.MARK,
             limit_offset_value=D(1), limit_offset_unit=DeviationUnit.PERCENT)
    out = mx.prices(mark=59000)
    assert [p.order.limit_price for p in only(out.events, OrderPlaced)] == [D("58900"),
                                                                            D("58410")]
    assert mx.place(alice, "sell", "stp", "1", 58000, stop_price=59000,
                    limit_offset_value=D(1), limit_offset_unit=DeviationUnit.PERCENT
                    ).reject is Reject.LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE
    assert mx.place(alice, "sell", "stp", "1", stop_price=59000, limit_offset_value=D(1)
                    ).reject is Reject.LIMIT_PRICE_OFFSET_INVALID


def test_reduce_only_trigger_is_checked_at_activation(mx: Harness) -> None:
    alice = mx.account("alice")
    out = mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500, reduce_only=True,
                   trigger_signal=TriggerSignal.MARK)
    assert out.ok  # accepted without a position
    out = mx.prices(mark=58000)
    assert kinds(out.events) == ["PricesChanged", "TriggerActivated",
                                 "OrderRejected:would_not_reduce_position"]
    assert only(out.events, OrderRejected)[0].order_id == out.events[1].order.order_id


def test_edit_trigger_prices_and_trailing_rules(mx: Harness) -> None:
    alice = mx.account("alice")
    stp = mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500,
                   trigger_signal=TriggerSignal.MARK).order_id
    assert stp is not None
    out = mx.edit(alice, stp, stop_price=D("59000"), limit_price=D("58800"))
    edited = only(out.events, OrderEdited)[0]
    assert (edited.new.stop_price, edited.new.limit_price) == (D("59000"), D("58800"))
    assert "TriggerActivated" in kinds(mx.prices(mark=58999).events)
    trail = mx.place(alice, "sell", "trailing_stop", "1", trigger_signal=TriggerSignal.MARK,
                     trailing_max_deviation=D(2), trailing_unit=DeviationUnit.PERCENT).order_id
    assert trail is not None
    assert mx.edit(alice, trail, stop_price=D("1")).reject is (
        Reject.CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP)
    assert mx.edit(alice, trail, limit_price=D("1")).reject is (
        Reject.CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP)
    out = mx.edit(alice, trail, trailing_max_deviation=D(1))
    assert only(out.events, OrderEdited)[0].new.stop_price == D("58409")  # 58,999 - 1 %, floor


def test_cancelled_trigger_never_fires(mx: Harness) -> None:
    alice = mx.account("alice")
    oid = mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500,
                   trigger_signal=TriggerSignal.MARK).order_id
    assert oid is not None
    assert kinds(mx.cancel(alice, oid).events) == ["OrderCancelled:cancelled_by_user"]
    assert kinds(mx.prices(mark=50000).events) == ["PricesChanged"]
