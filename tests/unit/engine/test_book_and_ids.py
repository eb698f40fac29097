"""The order book, matching plans, trigger book, ids and clock."""

from __future__ import annotations

import re
from decimal import Decimal as D

import pytest

from mock_exchange.engine.book import Book
from mock_exchange.engine.catalogue import default_instruments
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.matching import Conflict, execute, plan_match
from mock_exchange.engine.triggers import TriggerBook
from mock_exchange.engine.types import Order, OrderType, Side, TriggerSide, TriggerSignal


def order(oid: str, side: Side, price: int, qty: int, account: str = "a") -> Order:
    return Order(oid, account, "X", side, OrderType.LMT, price, qty, 0)


def test_book_levels_fifo_and_lazy_removal() -> None:
    book = Book()
    for o in (order("1", Side.SELL, 101, 5), order("2", Side.SELL, 101, 3),
              order("3", Side.SELL, 102, 4), order("4", Side.BUY, 99, 2)):
        book.add(o)
    assert (book.best_bid(), book.best_ask()) == (99, 101)
    assert book.depth(Side.SELL) == [(101, 8), (102, 4)]
    book.remove(book.orders["1"])
    assert [o.order_id for o in book.makers(Side.BUY, None)] == ["2", "3"]
    assert book.depth(Side.SELL) == [(101, 3), (102, 4)]
    book.remove(book.orders["2"])
    assert book.best_ask() == 102 and 101 not in book.asks


def test_plan_then_execute_sweeps_levels_at_maker_prices() -> None:
    book = Book()
    for o in (order("1", Side.SELL, 101, 5), order("2", Side.SELL, 102, 5),
              order("3", Side.SELL, 103, 5)):
        book.add(o)
    plan = plan_match(book, Side.BUY, 102, 7)
    assert [(m.order_id, n) for m, n in plan.fills] == [("1", 5), ("2", 2)]
    assert book.depth(Side.SELL) == [(101, 5), (102, 5), (103, 5)]  # planning changes nothing
    execute(book, plan, now=1)
    assert book.depth(Side.SELL) == [(102, 3), (103, 5)]
    assert "1" not in book.orders and book.orders["2"].filled == 2


def test_plan_self_trade_verdicts() -> None:
    book = Book()
    book.add(order("mine", Side.SELL, 101, 5, account="me"))
    book.add(order("theirs", Side.SELL, 101, 5, account="them"))
    reject = plan_match(book, Side.BUY, 101, 10,
                        lambda a: Conflict.REJECT_TAKER if a == "me" else Conflict.NONE)
    assert reject.self_trade and reject.lots == 0
    cancel = plan_match(book, Side.BUY, 101, 10,
                        lambda a: Conflict.CANCEL_MAKER if a == "me" else Conflict.NONE)
    assert [o.order_id for o in cancel.cancel_makers] == ["mine"] and cancel.lots == 5


def test_compaction_keeps_time_priority() -> None:
    book = Book()
    orders = [order(str(i), Side.BUY, 100, 1) for i in range(60)]
    for o in orders:
        book.add(o)
    for o in orders[:50]:
        book.remove(o)  # forces a compaction of the level's queue
    assert [o.order_id for o in book.makers(Side.SELL, None)] == [str(i) for i in range(50, 60)]
    assert book.depth(Side.BUY) == [(100, 10)]
    assert len(book.bids[100].queue) < 60


def test_shrink_keeps_place() -> None:
    book = Book()
    first, second = order("1", Side.BUY, 100, 4), order("2", Side.BUY, 100, 4)
    book.add(first)
    book.add(second)
    book.shrink(first, 1)
    assert [o.order_id for o in book.makers(Side.SELL, None)] == ["1", "2"]
    assert book.depth(Side.BUY) == [(100, 5)]


def test_trigger_book_due_in_placement_order() -> None:
    inst = default_instruments(0)[0]
    triggers = TriggerBook(inst)
    for oid, stop, side in (("a", 100, TriggerSide.BELOW), ("b", 105, TriggerSide.BELOW),
                            ("c", 90, TriggerSide.BELOW), ("d", 110, TriggerSide.ABOVE)):
        o = order(oid, Side.SELL, 0, 1)
        o.kind, o.price, o.stop = OrderType.STP, None, stop
        o.signal, o.trigger_side = TriggerSignal.LAST, side
        triggers.add(o)
    assert [o.order_id for o in triggers.due(TriggerSignal.LAST, D("100.5"))] == ["b"]
    assert [o.order_id for o in triggers.due(TriggerSignal.LAST, D(100))] == ["a", "b"]
    assert [o.order_id for o in triggers.due(TriggerSignal.LAST, D(110))] == ["d"]
    assert triggers.due(TriggerSignal.MARK, D(1)) == []


def test_ids_are_deterministic_uuid4_strings() -> None:
    a, b = IdGenerator(42), IdGenerator(42)
    ids = [a.uuid() for _ in range(1000)]
    assert ids == [b.uuid() for _ in range(1000)]
    assert len(set(ids)) == 1000
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(pattern.match(i) for i in ids)
    assert IdGenerator(43).uuid() != IdGenerator(42).uuid()
    assert len(IdGenerator(1).token(64)) == 64


def test_manual_clock_never_goes_back() -> None:
    clock = ManualClock(1000)
    assert clock.advance(5) == 1005 and clock.set(2000) == 2000
    with pytest.raises(ValueError):
        clock.advance(-1)
    with pytest.raises(ValueError):
        clock.set(1999)
