"""OpenOrdersTracker fed message sequences: every open_orders reason of the seed (and
edited_by_user) in its full-body or id-only shape, qty as the remaining quantity, snapshots
replacing state, verbose-only refusals, fills completing taker orders, and wait_for."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from client.trackers import (
    KNOWN_REASONS,
    OpenOrdersTracker,
    OrderState,
    OrderWaitTimeout,
)
from client.ws_messages import Reconnected, WsMessage, parse_message

D = Decimal
SEED_REASONS = {
    "new_placed_order_by_user", "liquidation", "stop_order_triggered", "limit_order_from_stop",
    "partial_fill", "full_fill", "cancelled_by_user", "contract_expired", "not_enough_margin",
    "market_inactive", "cancelled_by_admin", "dead_man_switch",
    "ioc_order_failed_because_it_would_not_be_executed",
    "post_order_failed_because_it_would_filled", "would_execute_self",
    "would_not_reduce_position", "order_for_edit_not_found",
}


def body(oid: str, qty: str, filled: str = "0", price: str = "59000", **extra: Any) -> dict[
        str, Any]:
    return {"instrument": "PF_XBTUSD", "time": 1, "last_update_time": 2, "qty": D(qty),
            "filled": D(filled), "limit_price": D(price), "stop_price": D(0), "type": "limit",
            "order_id": oid, "direction": 0, "reduce_only": False} | extra


def full(oid: str, reason: str, is_cancel: bool, qty: str = "1", filled: str = "0",
         feed: str = "open_orders", **extra: Any) -> WsMessage:
    return parse_message({"feed": feed, "order": body(oid, qty, filled, **extra),
                          "is_cancel": is_cancel, "reason": reason})


def id_only(oid: str, reason: str, feed: str = "open_orders", cli: str | None = None) -> WsMessage:
    m: dict[str, Any] = {"feed": feed, "order_id": oid, "is_cancel": True, "reason": reason}
    if cli:
        m["cli_ord_id"] = cli
    return parse_message(m)


def snapshot(*orders: dict[str, Any], feed: str = "open_orders") -> WsMessage:
    return parse_message({"feed": f"{feed}_snapshot", "account": "acct", "orders": list(orders)})


def resting(tracker: OpenOrdersTracker, oid: str = "o1", qty: str = "1") -> None:
    tracker.apply(snapshot())
    tracker.apply(full(oid, "new_placed_order_by_user", False, qty))


def test_the_tracker_knows_every_seed_reason_and_edits() -> None:
    assert SEED_REASONS | {"edited_by_user"} <= KNOWN_REASONS


@pytest.mark.parametrize("reason", [
    "cancelled_by_user", "cancelled_by_admin", "dead_man_switch", "contract_expired",
    "not_enough_margin", "market_inactive", "liquidation",
    "would_execute_self", "would_not_reduce_position",  # maker cancel / reduce-only trim
])
def test_id_only_removals_cancel_a_resting_order(reason: str) -> None:
    t = OpenOrdersTracker()
    resting(t)
    t.apply(id_only("o1", reason, cli="c1"))
    assert "o1" not in t and len(t) == 0
    record = t.get("o1")
    assert record is not None
    assert (record.state, record.reason, record.cli_ord_id) == (OrderState.CANCELLED, reason, "c1")
    assert record.order is not None and record.order.qty == D(1)  # the last body is kept


@pytest.mark.parametrize("reason", [
    "post_order_failed_because_it_would_filled",
    "ioc_order_failed_because_it_would_not_be_executed",
    "would_execute_self", "would_not_reduce_position",
])
def test_verbose_refusals_with_a_body_are_rejections_that_never_open(reason: str) -> None:
    t = OpenOrdersTracker(feed="open_orders_verbose")
    t.apply(snapshot(feed="open_orders_verbose"))
    t.apply(full("r1", reason, True, feed="open_orders_verbose"))
    record = t.get("r1")
    assert record is not None and (record.state, record.is_open) == (OrderState.REJECTED, False)
    assert len(t) == 0


def test_edit_not_found_is_a_rejection_and_removes_nothing_else() -> None:
    t = OpenOrdersTracker(feed="open_orders_verbose")
    t.apply(snapshot(body("keep", "2"), feed="open_orders_verbose"))
    t.apply(id_only("ghost", "order_for_edit_not_found", feed="open_orders_verbose"))
    ghost = t.get("ghost")
    assert ghost is not None and ghost.state is OrderState.REJECTED and ghost.order is None
    assert list(t.orders) == ["keep"]


def test_fill_lifecycle_with_remaining_qty() -> None:
    t = OpenOrdersTracker()
    resting(t, qty="1")
    t.apply(full("o1", "partial_fill", False, qty="0.86", filled="0.14"))
    record = t.orders["o1"]
    assert (record.state, record.remaining, record.filled, record.size) == (
        OrderState.PARTIALLY_FILLED, D("0.86"), D("0.14"), D("1.00"))
    t.apply(full("o1", "full_fill", True, qty="0", filled="1"))
    done = t.get("o1")
    assert done is not None and (done.state, done.remaining, done.filled) == (
        OrderState.FILLED, D(0), D(1))
    assert len(t) == 0


def test_edit_replaces_the_body_and_a_crossing_edit_then_fills() -> None:
    t = OpenOrdersTracker()
    resting(t, qty="1")
    t.apply(full("o1", "edited_by_user", False, qty="3", price="59500"))
    edited = t.orders["o1"]
    assert edited.order is not None
    assert (edited.state, edited.order.qty, edited.order.limit_price) == (
        OrderState.OPEN, D(3), D(59500))
    t.apply(full("o1", "partial_fill", False, qty="1", filled="2", price="59500"))
    assert t.orders["o1"].state is OrderState.PARTIALLY_FILLED


def test_stop_limit_trigger_keeps_the_id_and_reopens_as_limit() -> None:
    t = OpenOrdersTracker()
    t.apply(snapshot(body("s1", "1", type="stop", stop_price=D(58000), triggerSignal="mark")))
    t.apply(id_only("s1", "stop_order_triggered"))
    triggered = t.get("s1")
    assert triggered is not None and triggered.state is OrderState.TRIGGERED and "s1" not in t
    t.apply(full("s1", "limit_order_from_stop", False))
    again = t.orders["s1"]
    assert again.order is not None
    assert (again.state, again.reason, again.order.type) == (
        OrderState.OPEN, "limit_order_from_stop", "limit")


def test_a_taker_partly_filled_that_rests_is_partially_filled() -> None:
    t = OpenOrdersTracker()
    t.apply(snapshot())
    t.apply(full("o2", "new_placed_order_by_user", False, qty="0.3", filled="0.2"))
    assert t.orders["o2"].state is OrderState.PARTIALLY_FILLED


def test_snapshot_replaces_state_and_closes_what_is_missing() -> None:
    t = OpenOrdersTracker()
    resting(t, "a")
    t.apply(full("b", "new_placed_order_by_user", False))
    t.apply(Reconnected(1, (("open_orders", None),)))
    assert t.synced is False
    t.apply(snapshot(body("b", "0.5", "0.5"), body("c", "1")))
    assert t.synced and t.account == "acct"
    assert list(t.orders) == ["b", "c"]
    assert t.orders["b"].state is OrderState.PARTIALLY_FILLED
    gone = t.get("a")
    assert gone is not None and gone.state is OrderState.CLOSED


def test_other_feed_is_ignored_and_unknown_reasons_follow_is_cancel() -> None:
    t = OpenOrdersTracker()
    t.apply(snapshot())
    t.apply(full("v", "new_placed_order_by_user", False, feed="open_orders_verbose"))
    assert len(t) == 0
    t.apply(full("x", "some_future_reason", False))
    assert t.orders["x"].state is OrderState.OPEN
    t.apply(id_only("x", "another_future_reason"))
    gone = t.get("x")
    assert gone is not None and gone.state is OrderState.CANCELLED


def test_fills_with_nothing_remaining_mark_taker_orders_filled() -> None:
    t = OpenOrdersTracker()
    resting(t, "maker")
    fill = {"instrument": "PF_XBTUSD", "time": 3, "price": D(59000), "seq": 1, "buy": True,
            "qty": D("0.4"), "order_id": "taker", "fill_id": "f", "fill_type": "taker",
            "fee_paid": D(0), "fee_currency": "USD", "remaining_order_qty": D(0)}
    t.apply(parse_message({"feed": "fills", "username": "acct", "fills": [fill]}))
    taker = t.get("taker")
    assert taker is not None and (taker.state, taker.order) == (OrderState.FILLED, None)
    partial = fill | {"order_id": "maker", "remaining_order_qty": D("0.5")}
    t.apply(parse_message({"feed": "fills", "username": "acct", "fills": [partial]}))
    assert t.orders["maker"].state is OrderState.OPEN  # open_orders, not fills, says how much


def test_wait_for_states_reasons_predicates_and_timeouts() -> None:
    async def main() -> None:
        t = OpenOrdersTracker()
        resting(t)
        assert (await t.wait_for("o1", "open", timeout=0.1)).state is OrderState.OPEN
        waiter = asyncio.ensure_future(t.wait_for("o1", OrderState.CANCELLED,
                                                  reason="dead_man_switch", timeout=2))
        partly = asyncio.ensure_future(t.wait_for(
            "o1", predicate=lambda o: o.filled is not None and o.filled >= D("0.5"), timeout=2))
        await asyncio.sleep(0)
        t.apply(full("o1", "partial_fill", False, qty="0.5", filled="0.5"))
        assert (await partly).state is OrderState.PARTIALLY_FILLED
        assert not waiter.done()
        t.apply(id_only("o1", "dead_man_switch"))
        record = await waiter
        assert (record.state, record.reason) == (OrderState.CANCELLED, "dead_man_switch")
        with pytest.raises(OrderWaitTimeout) as caught:
            await t.wait_for("o1", ["open", "partially_filled"], timeout=0.05)
        assert "last seen cancelled (dead_man_switch)" in str(caught.value)
        with pytest.raises(OrderWaitTimeout, match="never seen"):
            await t.wait_for("nope", "filled", timeout=0.05)
        with pytest.raises(ValueError):
            await t.wait_for("o1")
        with pytest.raises(ValueError):
            await t.wait_for("o1", "gone")

    asyncio.run(main())


def test_wait_synced_after_reconnect() -> None:
    async def main() -> None:
        t = OpenOrdersTracker()
        t.apply(Reconnected(1, ()))
        task = asyncio.ensure_future(t.wait_synced(timeout=2))
        await asyncio.sleep(0)
        assert not task.done()
        t.apply(snapshot())
        await task
        assert t.synced

    asyncio.run(main())
