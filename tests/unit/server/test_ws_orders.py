"""The open_orders feeds in process: a hub attached to a fresh exchange, connections whose
outboxes are read directly, commands submitted to the engine. Every reason, exact messages."""

from __future__ import annotations

import pytest
from ws_support import T0, Tap, body, got, orders

from mock_exchange.engine import commands as c
from mock_exchange.engine.types import MarketState, SelfTradeStrategy
from mock_exchange.server.hub import Connection


def test_new_order_then_partial_then_full_fill_with_remaining_qty(tap: Tap) -> None:
    alice, conn = orders(tap)
    bob = tap.h.account("bob")
    oid = tap.h.place(alice, "buy", "lmt", "1", 59000).order_id
    assert oid is not None
    new = body(oid, 1.0)
    assert got(conn) == [
        {
            "feed": "open_orders",
            "order": new,
            "is_cancel": False,
            "reason": "new_placed_order_by_user",
        },
        {
            "feed": "open_orders_verbose",
            "order": new,
            "is_cancel": False,
            "reason": "new_placed_order_by_user",
        },
    ]
    tap.h.clock.advance(5)
    tap.h.place(bob, "sell", "ioc", "0.14", 59000)
    (partial,) = got(conn, "open_orders")
    assert partial == {
        "feed": "open_orders",
        "order": body(oid, 0.86, 0.14, updated=T0 + 5),
        "is_cancel": False,
        "reason": "partial_fill",
    }
    tap.h.place(bob, "sell", "ioc", "0.86", 59000)
    (full,) = got(conn, "open_orders")
    assert full == {
        "feed": "open_orders",
        "order": body(oid, 0.0, 1.0, updated=T0 + 5),
        "is_cancel": True,
        "reason": "full_fill",
    }


def test_taker_filled_on_arrival_sends_no_open_orders_message(tap: Tap) -> None:
    alice, conn = orders(tap)
    bob = tap.h.account("bob")
    tap.h.place(bob, "sell", "lmt", "1", 60000)
    tap.h.place(alice, "buy", "lmt", "0.5", 60000)
    assert got(conn) == []


def test_aggressive_order_that_rests_reports_filled_part(tap: Tap) -> None:
    alice, conn = orders(tap)
    bob = tap.h.account("bob")
    tap.h.place(bob, "sell", "lmt", "0.25", 60000)
    oid = tap.h.place(alice, "buy", "lmt", "1", 60000).order_id
    (new,) = got(conn, "open_orders")
    assert new["reason"] == "new_placed_order_by_user"
    assert (new["order"]["order_id"], new["order"]["qty"], new["order"]["filled"]) == (
        oid,
        0.75,
        0.25,
    )


def test_cancel_is_id_only_with_cli_ord_id(tap: Tap) -> None:
    alice, conn = orders(tap)
    oid = tap.h.place(alice, "buy", "lmt", "1", 59000, cli_ord_id="mine-1").order_id
    got(conn)
    tap.h.cancel(alice, oid)  # type: ignore[arg-type]
    assert got(conn, "open_orders") == [
        {
            "feed": "open_orders",
            "order_id": oid,
            "cli_ord_id": "mine-1",
            "is_cancel": True,
            "reason": "cancelled_by_user",
        }
    ]


def test_edit_sends_full_body_with_new_values(tap: Tap) -> None:
    alice, conn = orders(tap)
    oid = tap.h.place(alice, "buy", "lmt", "1", 59000).order_id
    got(conn)
    tap.h.clock.advance(7)
    tap.h.edit(alice, oid, size="2", limit_price=59500)  # type: ignore[arg-type]
    (edit,) = got(conn, "open_orders")
    assert edit == {
        "feed": "open_orders",
        "order": body(oid, 2.0, price=59500.0, updated=T0 + 7),
        "is_cancel": False,
        "reason": "edited_by_user",
    }


def test_stop_limit_trigger_then_limit_from_stop(tap: Tap) -> None:
    alice, conn = orders(tap)
    oid = tap.h.place(alice, "buy", "stp", "1", 61500, stop_price=61000).order_id
    (placed,) = got(conn, "open_orders")
    assert placed["order"] == {
        "instrument": "PF_XBTUSD",
        "time": T0,
        "last_update_time": T0,
        "qty": 1.0,
        "filled": 0.0,
        "limit_price": 61500.0,
        "stop_price": 61000.0,
        "type": "stop",
        "order_id": oid,
        "direction": 0,
        "reduce_only": False,
        "triggerSignal": "last",
    }
    tap.h.prices(last=61000)
    triggered, child = got(conn, "open_orders")
    assert triggered == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "stop_order_triggered",
    }
    assert child["reason"] == "limit_order_from_stop" and child["is_cancel"] is False
    assert child["order"] == body(oid, 1.0, price=61500.0)


def test_trailing_stop_snapshot_shape(tap: Tap) -> None:
    alice = tap.h.account("alice")
    from mock_exchange.engine.types import DeviationUnit, TriggerSignal

    oid = tap.h.place(
        alice,
        "sell",
        "trailing_stop",
        "1",
        trailing_max_deviation="5",
        trailing_unit=DeviationUnit.PERCENT,
        trigger_signal=TriggerSignal.MARK,
    ).order_id
    conn = tap.watch(alice, "open_orders")
    (snap,) = got(conn)
    assert snap["feed"] == "open_orders_snapshot" and snap["account"] == alice
    (order,) = snap["orders"]
    assert order == {
        "instrument": "PF_XBTUSD",
        "time": T0,
        "last_update_time": T0,
        "qty": 1.0,
        "filled": 0.0,
        "stop_price": 57000.0,
        "type": "trailing_stop",
        "order_id": oid,
        "direction": 1,
        "reduce_only": False,
        "triggerSignal": "mark",
        "trailing_stop_options": {"max_deviation": 5.0, "unit": "percent"},
    }


@pytest.mark.parametrize(
    ("kind", "price", "reason"),
    [
        ("post", 60000, "post_order_failed_because_it_would_filled"),
        ("ioc", 50000, "ioc_order_failed_because_it_would_not_be_executed"),
    ],
)
def test_refusals_only_on_verbose(tap: Tap, kind: str, price: int, reason: str) -> None:
    alice, conn = orders(tap)
    tap.h.place(tap.h.account("bob"), "sell", "lmt", "1", 60000)
    side = "buy" if kind == "post" else "sell"
    tap.h.place(alice, side, kind, "1", price)
    (verbose,) = got(conn)
    assert verbose["feed"] == "open_orders_verbose"
    assert (verbose["reason"], verbose["is_cancel"]) == (reason, True)
    assert (verbose["order"]["qty"], verbose["order"]["limit_price"]) == (1.0, float(price))


def test_self_trade_refusal_and_maker_cancel(tap: Tap) -> None:
    alice, conn = orders(tap)
    oid = tap.h.place(alice, "buy", "lmt", "1", 59000).order_id
    got(conn)
    tap.h.place(alice, "sell", "lmt", "1", 59000)
    (refused,) = got(conn)
    assert (refused["feed"], refused["reason"], refused["is_cancel"]) == (
        "open_orders_verbose",
        "would_execute_self",
        True,
    )
    tap.h.ex.submit(c.SetSelfTradeStrategy(alice, SelfTradeStrategy.CANCEL_MAKER_SELF))
    tap.h.place(alice, "sell", "lmt", "1", 59000)
    plain = got(conn, "open_orders")
    assert plain[0] == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "would_execute_self",
    }


def test_reduce_only_and_edit_not_found_on_verbose(tap: Tap) -> None:
    alice, conn = orders(tap)
    tap.h.place(alice, "sell", "lmt", "1", 61000, reduce_only=True)
    tap.h.edit(alice, "00000000-0000-4000-8000-000000000000", size="1")
    reduce, missing = got(conn)
    assert (reduce["feed"], reduce["reason"], reduce["order"]["reduce_only"]) == (
        "open_orders_verbose",
        "would_not_reduce_position",
        True,
    )
    assert missing == {
        "feed": "open_orders_verbose",
        "order_id": "00000000-0000-4000-8000-000000000000",
        "is_cancel": True,
        "reason": "order_for_edit_not_found",
    }


def _removed(conn: Connection) -> list[tuple[str, bool]]:
    return [(m["reason"], m["is_cancel"]) for m in got(conn, "open_orders")]


def test_admin_market_and_dead_man_removals(tap: Tap) -> None:
    alice, conn = orders(tap)
    oid = tap.h.place(alice, "buy", "lmt", "1", 59000).order_id
    tap.h.ex.submit(c.AdminCancel(oid))  # type: ignore[arg-type]
    tap.h.place(alice, "buy", "lmt", "1", 2900, symbol="PF_ETHUSD")
    tap.h.ex.submit(c.SetMarketState("PF_ETHUSD", MarketState.INACTIVE))
    tap.h.place(alice, "buy", "lmt", "1", 59000)
    tap.h.ex.submit(c.ArmDeadManSwitch(alice, 60))
    tap.h.advance(60_000)
    assert [r for r in _removed(conn) if r[0] != "new_placed_order_by_user"] == [
        ("cancelled_by_admin", True),
        ("market_inactive", True),
        ("dead_man_switch", True),
    ]


def test_margin_liquidation_and_expiry_removals(tap: Tap) -> None:
    h = tap.h
    poor, conn = orders(tap, "poor", usd=1000)
    # not_enough_margin: resting bids whose margin grows with the mark
    rich = h.account("rich", usd=1_000_000)
    h.place(poor, "buy", "lmt", "0.01", 59000)
    small = h.account("small", usd=1000)
    conn2 = tap.watch(small, "open_orders")
    got(conn2)
    h.place(small, "buy", "lmt", "0.8", 50000)
    h.prices(mark=64000)
    assert _removed(conn2)[-1] == ("not_enough_margin", True)
    # liquidation: a position bought at 60000 loses its margin, its resting order goes
    h.prices(mark=60000)
    h.place(rich, "sell", "lmt", "0.3", 60000)
    h.place(poor, "buy", "lmt", "0.3", 60000)
    got(conn)
    h.prices(mark=56000)
    assert ("liquidation", True) in _removed(conn)
    # contract_expired: an order on the dated future when it stops trading
    dated = next(s for s in h.ex.markets if s.startswith("FF_"))
    h.place(rich, "buy", "lmt", "0.01", 59000, symbol=dated)
    conn3 = tap.watch(rich, "open_orders")
    got(conn3)
    expiry = h.ex.instruments[dated].last_trading_ms
    assert expiry is not None
    h.advance(expiry - h.clock.now_ms())
    assert ("contract_expired", True) in _removed(conn3)
