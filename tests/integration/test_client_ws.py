"""client.ws.FuturesWebSocket and the trackers against a real server (uvicorn on a free
127.0.0.1 port, real sockets): the handshake, every public and private feed, auth and request
failures, OpenOrdersTracker and OrderBookTracker following REST actions of two accounts
(client.AsyncFuturesClient), wait_for, a book resync, ping keep-alive and close, and sync()
(everything sent before it delivered, its round trip invisible, the user's heartbeat kept)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from integration.server import running_server

from client import AsyncFuturesClient, PostWouldExecute
from client.trackers import OpenOrdersTracker, OrderBookTracker
from client.ws import FuturesWebSocket
from client.ws_errors import SubscriptionError, WebSocketAuthError
from client.ws_messages import (
    AccountLog,
    Balances,
    BookLevel,
    BookSnapshot,
    BookUpdate,
    FillsMessage,
    Heartbeat,
    Info,
    Notifications,
    OpenOrdersSnapshot,
    OpenOrdersUpdate,
    OpenPositions,
    SubscriptionEvent,
    Ticker,
    TickerLite,
    TradeSnapshot,
    WsMessage,
)
from mock_exchange.server.app import create_app

D = Decimal
Json = dict[str, Any]
PRIVATE = ("open_orders", "open_orders_verbose", "fills", "open_positions", "balances",
           "account_log", "notifications_auth")


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    app = create_app()
    app.state.mx.extras["ws_limits"] = {"heartbeat_interval_s": 0.1, "ticker_interval_s": 0.1}
    with running_server(app) as url:
        yield url


def account(base: str) -> Json:
    out = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": 100_000}})
    assert out.status_code == 200, out.text
    return dict(out.json())


def socket(base: str, acct: Json | None = None, **options: Any) -> FuturesWebSocket:
    keys = {"api_key": acct["api_key"], "api_secret": acct["api_secret"]} if acct else {}
    return FuturesWebSocket("ws" + base[4:] + "/ws/v1", **keys, **options)


def rest(base: str, acct: Json) -> AsyncFuturesClient:
    return AsyncFuturesClient(acct["api_key"], acct["api_secret"], base_url=base)


async def collect_until(ws: FuturesWebSocket, kind: type, timeout: float) -> list[WsMessage]:
    """Every message up to and including the first of type ``kind``."""
    seen: list[WsMessage] = []

    def done(message: WsMessage) -> bool:
        seen.append(message)
        return isinstance(message, kind)

    await ws.receive_until(done, timeout)
    return seen


def test_handshake_and_every_public_feed(base: str) -> None:
    async def main() -> None:
        async with socket(base) as ws:
            assert await ws.recv(5) == Info(1)
            for feed in ("ticker", "ticker_lite", "book", "trade"):
                await ws.subscribe(feed, ["pf_xbtusd"])
            await ws.subscribe("heartbeat")
            assert ws.subscriptions == (("ticker", "PF_XBTUSD"), ("ticker_lite", "PF_XBTUSD"),
                                        ("book", "PF_XBTUSD"), ("trade", "PF_XBTUSD"),
                                        ("heartbeat", None))
            seen = await collect_until(ws, Heartbeat, 10)
            acks = [m for m in seen if isinstance(m, SubscriptionEvent)]
            assert [a.feed for a in acks] == ["ticker", "ticker_lite", "book", "trade",
                                              "heartbeat"]
            ticker = next(m for m in seen if isinstance(m, Ticker))
            assert ticker.product_id == "PF_XBTUSD" and ticker.mark_price is not None
            assert ticker.mark_price > 0 and ticker.tag == "perpetual"
            assert any(isinstance(m, TickerLite) for m in seen)
            book = next(m for m in seen if isinstance(m, BookSnapshot))
            assert book.product_id == "PF_XBTUSD" and book.seq >= 0
            assert next(m for m in seen if isinstance(m, TradeSnapshot)).product_id == "PF_XBTUSD"
            await ws.unsubscribe("ticker", ["PF_XBTUSD"])
            assert ("ticker", "PF_XBTUSD") not in ws.subscriptions
            with pytest.raises(SubscriptionError, match="unsubscribed_failed"):
                await ws.unsubscribe("ticker", ["PF_XBTUSD"])

    asyncio.run(main())


def test_every_private_feed_with_its_snapshot(base: str) -> None:
    acct = account(base)

    async def main() -> None:
        async with socket(base, acct) as ws:
            for feed in PRIVATE:
                await ws.subscribe(feed)
            seen = await collect_until(ws, Notifications, 5)
            snaps = [m for m in seen if isinstance(m, OpenOrdersSnapshot)]
            assert [(s.feed, s.account, s.orders) for s in snaps] == [
                ("open_orders", acct["account_id"], ()),
                ("open_orders_verbose", acct["account_id"], ())]
            fills = next(m for m in seen if isinstance(m, FillsMessage))
            assert (fills.snapshot, fills.account, fills.fills) == (True, acct["account_id"], ())
            positions = next(m for m in seen if isinstance(m, OpenPositions))
            assert (positions.positions, positions.seq) == ((), 0)
            balances = next(m for m in seen if isinstance(m, Balances))
            assert balances.snapshot and balances.flex_futures is not None
            assert balances.flex_futures.currencies["USD"]["quantity"] == D(100_000)
            log = next(m for m in seen if isinstance(m, AccountLog))
            assert log.snapshot and log.entries[0].value("new_balance") == D(100_000)
            for feed in PRIVATE:
                await ws.unsubscribe(feed)
            assert ws.subscriptions == ()

    asyncio.run(main())


def test_auth_and_request_failures_leave_the_connection_usable(base: str) -> None:
    acct = account(base)
    wrong = acct | {"api_secret": account(base)["api_secret"]}
    stranger = {"api_key": "A" * 56, "api_secret": acct["api_secret"]}

    async def main() -> None:
        for creds in (wrong, stranger):
            async with socket(base, creds) as ws:
                with pytest.raises(WebSocketAuthError) as caught:
                    await ws.subscribe("open_orders")
                assert str(caught.value) == (
                    "open_orders: Failed to subscribe to authenticated feed")
                assert not ws.subscriptions
                await ws.subscribe("heartbeat")
                assert ws.subscriptions == (("heartbeat", None),)
        async with socket(base, acct) as ws:
            with pytest.raises(SubscriptionError, match=r"^tickers: Invalid feed$"):
                await ws.subscribe("tickers", None)
            with pytest.raises(SubscriptionError) as bad:
                await ws.subscribe("book", ["PF_NOPE", "PF_XBTUSD"])
            assert bad.value.product_ids == ("PF_NOPE",)
            assert "Couldn't subscribe to invalid product `PF_NOPE`" in str(bad.value)
            assert ws.subscriptions == (("book", "PF_XBTUSD"),)
            await ws.subscribe("book", ["PF_XBTUSD"])  # "Already subscribed": a new snapshot
            assert ws.subscriptions == (("book", "PF_XBTUSD"),)

    asyncio.run(main())


def test_trackers_follow_rest_actions_of_two_accounts(base: str) -> None:
    alice, bob = account(base), account(base)

    async def main() -> None:
        async with socket(base, alice) as a_ws, socket(base, bob) as b_ws, \
                rest(base, alice) as a_rest, rest(base, bob) as b_rest:
            orders, books = OpenOrdersTracker(a_ws), OrderBookTracker(a_ws)
            b_orders = OpenOrdersTracker(b_ws, feed="open_orders_verbose")
            await a_ws.subscribe("open_orders")
            await a_ws.subscribe("book", ["PF_XBTUSD"])
            await b_ws.subscribe("open_orders_verbose")
            await b_ws.subscribe("fills")
            await orders.wait_synced(5)
            await b_orders.wait_synced(5)

            placed = await a_rest.submit_order("lmt", "PF_XBTUSD", "buy", D("0.5"),
                                               limit_price=D(59000), cli_ord_id="alice-1")
            oid = placed.order_id
            assert oid is not None
            record = await orders.wait_for(oid, "open", timeout=5)
            assert record.order is not None and record.cli_ord_id == "alice-1"
            assert (record.remaining, record.order.limit_price) == (D("0.5"), D(59000))
            book = await books.wait_for("PF_XBTUSD", lambda b: b.best_bid() is not None, 5)
            assert book.best_bid() == BookLevel(D(59000), D("0.5"))

            edited = await a_rest.edit_order(oid, size=D("0.7"), limit_price=D(59100))
            assert edited.status == "edited"
            record = await orders.wait_for(oid, reason="edited_by_user", timeout=5)
            assert record.order is not None
            assert (record.remaining, record.order.limit_price) == (D("0.7"), D(59100))

            sold = await b_rest.submit_order("lmt", "PF_XBTUSD", "sell", D("0.2"),
                                             limit_price=D(59100))
            assert sold.order_id is not None
            record = await orders.wait_for(oid, "partially_filled", timeout=5)
            assert (record.remaining, record.filled, record.size) == (
                D("0.5"), D("0.2"), D("0.7"))
            taker = await b_orders.wait_for(sold.order_id, "filled", timeout=5)
            assert taker.reason == "full_fill" and sold.order_id not in b_orders
            await books.wait_for("PF_XBTUSD", lambda b: b.best_bid() == BookLevel(
                D(59100), D("0.5")), 5)

            with pytest.raises(PostWouldExecute) as post:
                await b_rest.submit_order("post", "PF_XBTUSD", "sell", D("0.1"),
                                          limit_price=D(59000), cli_ord_id="bob-post")
            refused_id = post.value.status.order_id
            refused = await b_orders.wait_for(refused_id, "rejected", timeout=5)
            assert refused.reason == "post_order_failed_because_it_would_filled"
            assert refused.cli_ord_id == "bob-post" and refused_id not in b_orders

            await a_rest.cancel_order(oid)
            gone = await orders.wait_for(oid, "cancelled", reason="cancelled_by_user", timeout=5)
            assert gone.remaining == D("0.5") and len(orders) == 0
            await books.wait_for("PF_XBTUSD", lambda b: b.best_bid() is None, 5)
            open_now = await a_rest.get_open_orders()
            assert [o.order_id for o in open_now] == list(orders.orders) == []

    asyncio.run(main())


def test_wait_for_dead_man_switch_and_stop_trigger(base: str) -> None:
    alice = account(base)

    async def main() -> None:
        async with socket(base, alice) as ws, rest(base, alice) as r:
            orders = OpenOrdersTracker(ws)
            await ws.subscribe("open_orders")
            await orders.wait_synced(5)
            stop = await r.submit_order("stp", "PF_SOLUSD", "sell", D(2), stop_price=D(140),
                                        limit_price=D("139.5"), trigger_signal="mark")
            assert stop.order_id is not None
            armed = await orders.wait_for(stop.order_id, "open", timeout=5)
            assert armed.order is not None and armed.order.type == "stop"
            fired = asyncio.ensure_future(orders.wait_for(stop.order_id, "triggered", timeout=5))
            await asyncio.sleep(0)
            moved = httpx.post(f"{base}/__admin/prices", json={"symbol": "PF_SOLUSD",
                                                              "mark": "139.9"})
            assert moved.status_code == 200, moved.text
            assert (await fired).reason == "stop_order_triggered"
            limit = await orders.wait_for(stop.order_id, "open", reason="limit_order_from_stop",
                                          timeout=5)
            assert limit.order is not None
            assert (limit.order.type, limit.order.limit_price, limit.remaining) == (
                "limit", D("139.5"), D(2))

            await r.cancel_all_orders_after(1)
            advanced = httpx.post(f"{base}/__admin/clock", json={"advance_ms": 2000})
            assert advanced.status_code == 200, advanced.text
            gone = await orders.wait_for(stop.order_id, "cancelled", timeout=5)
            assert gone.reason == "dead_man_switch" and len(orders) == 0

    asyncio.run(main())


def test_a_book_gap_resubscribes_and_the_fresh_book_equals_rest(base: str) -> None:
    makers = [account(base) for _ in range(2)]

    async def main() -> None:
        async with socket(base) as ws:
            books = OrderBookTracker(ws)
            await ws.subscribe("book", ["PF_ETHUSD"])
            book = await books.wait_synced("PF_ETHUSD", 5)
            for i, acct in enumerate(makers):
                async with rest(base, acct) as r:
                    await r.submit_order("lmt", "PF_ETHUSD", "buy", D("1.5"),
                                         limit_price=D(2990) - i)
                    await r.submit_order("lmt", "PF_ETHUSD", "sell", D("0.25"),
                                         limit_price=D(3010) + i)
            await books.wait_for("PF_ETHUSD", lambda b: len(b.asks()) == 2, 5)
            before = book.seq
            books.apply(BookUpdate("PF_ETHUSD", "buy", before + 5, D(1), D(1), 0))  # a gap
            assert (books.gaps, book.synced) == (1, False)
            fresh = await books.wait_synced("PF_ETHUSD", 5)
            assert fresh.seq == before and fresh.best_bid() == BookLevel(D(2990), D("1.5"))
            assert ("book", "PF_ETHUSD") in ws.subscriptions
            async with rest(base, makers[0]) as r:
                depth = await r.get_order_book("PF_ETHUSD")
            assert [(lv.price, lv.qty) for lv in fresh.bids()] == depth.bids
            assert [(lv.price, lv.qty) for lv in fresh.asks()] == depth.asks

    asyncio.run(main())


def test_ping_keep_alive_and_close_ends_the_iterator(base: str) -> None:
    async def main() -> None:
        ws = socket(base, ping_interval=0.05, ping_timeout=5)
        await ws.connect()
        await ws.subscribe("heartbeat")
        await asyncio.sleep(0.3)
        assert ws.connected and ws.latency > 0  # ping frames were answered with pongs
        await ws.close()
        assert not ws.connected
        kinds = [type(m).__name__ async for m in ws]
        assert kinds[:2] == ["Info", "SubscriptionEvent"]
        with pytest.raises(StopAsyncIteration):
            await ws.__anext__()

    asyncio.run(main())


def test_private_deltas_after_a_trade_are_typed_with_exact_numbers(base: str) -> None:
    alice, bob = account(base), account(base)

    async def main() -> None:
        async with socket(base, alice) as ws, rest(base, alice) as a_rest, \
                rest(base, bob) as b_rest:
            for feed in ("fills", "open_positions", "balances", "account_log"):
                await ws.subscribe(feed)
            await ws.receive_until(lambda m: isinstance(m, AccountLog) and m.snapshot, 5)
            await b_rest.submit_order("lmt", "PF_SOLUSD", "sell", D("3.5"),
                                      limit_price=D(150))
            sent = await a_rest.submit_order("lmt", "PF_SOLUSD", "buy", D("3.5"),
                                             limit_price=D(150), cli_ord_id="sol-1")
            seen: dict[type, Any] = {}

            def collect(m: WsMessage) -> bool:
                live = not getattr(m, "snapshot", False)
                if isinstance(m, OpenPositions) and not m.positions:
                    return False
                if live and isinstance(m, (FillsMessage, OpenPositions, Balances, AccountLog)):
                    seen.setdefault(type(m), m)
                return len(seen) == 4

            await ws.receive_until(collect, 5)
            fill = seen[FillsMessage]
            assert fill.account == alice["account_id"]
            f = fill.fills[0]
            assert (f.order_id, f.cli_ord_id, f.instrument, f.buy) == (
                sent.order_id, "sol-1", "PF_SOLUSD", True)
            assert (f.qty, f.price, f.remaining_order_qty, f.fill_type) == (
                D("3.5"), D(150), D(0), "taker")
            assert (f.order_type, f.taker_order_type, f.fee_currency) == ("lmt", "lmt", "USD")
            p = seen[OpenPositions].positions[0]
            assert (p.instrument, p.balance, p.entry_price) == ("PF_SOLUSD", D("3.5"), D(150))
            assert seen[Balances].flex_futures is not None and seen[Balances].seq == 1
            assert len(seen[AccountLog].entries) == 1
            assert f.fee_paid is not None and f.fee_paid > 0
            rest_fills = await a_rest.get_fills()
            assert [(x.fill_id, x.size, x.price) for x in rest_fills] == [
                (f.fill_id, f.qty, f.price)]

    asyncio.run(main())


def test_sync_delivers_everything_sent_before_it_and_keeps_the_heartbeat_as_it_was(
    base: str,
) -> None:
    carol = account(base)

    async def main() -> None:
        async with socket(base, carol) as ws, rest(base, carol) as r:
            seen: list[WsMessage] = []
            ws.add_listener(seen.append)
            await ws.subscribe("open_orders")
            sent = [await r.submit_order("lmt", "PF_XBTUSD", "buy", D(1), limit_price=D(40_000 + n))
                    for n in range(5)]  # fmt: skip
            await ws.sync()  # no waiting: every message the orders caused has arrived
            updates = [m for m in seen if isinstance(m, OpenOrdersUpdate)]
            assert [(u.order_id, u.reason) for u in updates] == [
                (s.order_id, "new_placed_order_by_user") for s in sent]
            assert [type(m).__name__ for m in seen] == [
                "Info", "ChallengeIssued", "SubscriptionEvent", "OpenOrdersSnapshot",
                *["OpenOrdersUpdate"] * 5]
            assert ws.subscriptions == (("open_orders", None),)
            await asyncio.sleep(0.3)  # heartbeats every 0.1 s: sync's subscription is gone
            assert not any(isinstance(m, Heartbeat | SubscriptionEvent) for m in seen[3:])

            await ws.subscribe("heartbeat")
            await ws.sync()
            await ws.sync()
            assert ws.subscriptions == (("open_orders", None), ("heartbeat", None))
            count = sum(isinstance(m, Heartbeat) for m in seen)
            await asyncio.sleep(0.3)  # the user's heartbeat subscription is still served
            assert sum(isinstance(m, Heartbeat) for m in seen) > count
            assert [m for m in seen if isinstance(m, SubscriptionEvent)] == [
                SubscriptionEvent("subscribed", "open_orders"),
                SubscriptionEvent("subscribed", "heartbeat")]  # no ack of the syncs
            await r.cancel_all_orders()

    asyncio.run(main())
