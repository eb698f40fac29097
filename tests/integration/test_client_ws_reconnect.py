"""FuturesWebSocket reconnect with resubscription over real sockets: after an admin reset
(the server closes every WebSocket with 1012) and after the server process restarts on the
same port; trackers resynchronise from the new snapshots. Without reconnect the close ends the
stream with ConnectionClosedError carrying the server's code."""

from __future__ import annotations

import asyncio
import signal
from decimal import Decimal
from typing import Any

import httpx
import pytest
from integration.server import ServeProcess, free_port, running_server

from client import AsyncFuturesClient
from client.trackers import OpenOrdersTracker, OrderBookTracker, OrderState
from client.ws import FuturesWebSocket
from client.ws_errors import ConnectionClosedError, WebSocketAuthError
from client.ws_messages import BookLevel, Reconnected
from mock_exchange.server.app import create_app

D = Decimal
Json = dict[str, Any]


def account(base: str) -> Json:
    out = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": 100_000}})
    assert out.status_code == 200, out.text
    return dict(out.json())


def socket(base: str, acct: Json, **options: Any) -> FuturesWebSocket:
    return FuturesWebSocket("ws" + base[4:] + "/ws/v1", api_key=acct["api_key"],
                            api_secret=acct["api_secret"], **options)


async def place(base: str, acct: Json, symbol: str, price: int) -> str:
    async with AsyncFuturesClient(acct["api_key"], acct["api_secret"], base_url=base) as r:
        sent = await r.submit_order("lmt", symbol, "buy", D(1), limit_price=D(price))
    assert sent.order_id is not None
    return sent.order_id


def test_admin_reset_renews_public_feeds_and_reports_the_lost_key() -> None:
    with running_server(create_app()) as base:
        alice = account(base)

        async def main() -> None:
            async with socket(base, alice, reconnect=True, reconnect_delays=[0.05]) as ws:
                orders, books = OpenOrdersTracker(ws), OrderBookTracker(ws)
                await ws.subscribe("book", ["PF_XBTUSD"])
                await ws.subscribe("open_orders")
                oid = await place(base, alice, "PF_XBTUSD", 59000)
                await orders.wait_for(oid, "open", timeout=5)
                await books.wait_for("PF_XBTUSD", lambda b: b.best_bid() is not None, 5)

                reset = httpx.post(f"{base}/__admin/reset", json={})
                assert reset.status_code == 200, reset.text
                seen = await ws.receive_until(lambda m: isinstance(m, Reconnected), 10)
                assert seen == Reconnected(1, (("book", "PF_XBTUSD"), ("open_orders", None)))
                assert (ws.close_code, ws.close_reason) == (1012, "Exchange reset")
                # the reset forgot alice's key: renewing open_orders is refused
                with pytest.raises(WebSocketAuthError, match="open_orders: Failed to sub"):
                    await ws.receive_until(lambda m: False, 10)
                assert ws.subscriptions == (("book", "PF_XBTUSD"),)
                book = await books.wait_synced("PF_XBTUSD", 5)
                assert (book.best_bid(), book.best_ask()) == (None, None)
                assert orders.synced is False and oid in orders  # stale until a snapshot

                bob = account(base)
                await place(base, bob, "PF_XBTUSD", 58000)
                await books.wait_for(
                    "PF_XBTUSD", lambda b: b.best_bid() == BookLevel(D(58000), D(1)), 5)

        asyncio.run(main())


def test_without_reconnect_the_reset_ends_the_stream() -> None:
    with running_server(create_app()) as base:
        alice = account(base)

        async def main() -> None:
            async with socket(base, alice) as ws:
                await ws.subscribe("heartbeat")
                httpx.post(f"{base}/__admin/reset", json={})
                with pytest.raises(ConnectionClosedError) as caught:
                    async for _ in ws:
                        pass
                assert (caught.value.code, caught.value.reason) == (1012, "Exchange reset")
                assert not ws.connected and ws.closed_error is caught.value

        asyncio.run(main())


def _serve(port: int) -> ServeProcess:
    """`serve` on a given port."""
    proc = ServeProcess("--seed", "11", "--no-makers", "--clock", "manual", port=port)
    proc.wait_healthy()
    return proc


def test_server_restart_on_the_same_port_renews_private_and_public_feeds() -> None:
    port = free_port()
    first = _serve(port)
    try:
        demo1 = httpx.post(f"{first.base}/__admin/reset", json={}).json()["accounts"][0]
    except BaseException:
        first.stop()
        raise

    async def main() -> None:
        procs: list[ServeProcess] = [first]
        ws = socket(first.base, demo1, reconnect=True, reconnect_delays=[0.1])
        try:
            orders, books = OpenOrdersTracker(ws), OrderBookTracker(ws)
            await ws.connect()
            await ws.subscribe("open_orders")
            await ws.subscribe("book", ["PF_ETHUSD"])
            old = await place(first.base, demo1, "PF_ETHUSD", 2900)
            await orders.wait_for(old, "open", timeout=5)

            assert await asyncio.to_thread(first.stop) in (0, -signal.SIGTERM)
            second = await asyncio.to_thread(_serve, port)
            procs.append(second)
            seen = await ws.receive_until(lambda m: isinstance(m, Reconnected), 30)
            assert isinstance(seen, Reconnected) and ws.reconnects == 1
            await orders.wait_synced(10)
            await books.wait_synced("PF_ETHUSD", 10)
            # the same seed brings demo1's key back; the new exchange has no orders
            closed = orders.get(old)
            assert closed is not None and closed.state is OrderState.CLOSED and len(orders) == 0
            assert books.book("PF_ETHUSD").best_bid() is None
            new = await place(second.base, demo1, "PF_ETHUSD", 2950)
            assert (await orders.wait_for(new, "open", timeout=5)).remaining == D(1)
            assert ws.subscriptions == (("open_orders", None), ("book", "PF_ETHUSD"))
        finally:
            await ws.close()
            if len(procs) > 1:
                await asyncio.to_thread(procs[1].stop)

    asyncio.run(main())
