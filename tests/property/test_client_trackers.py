"""Hypothesis against a real server: random sequences of orders (limit, post-only, IOC,
market), edits and cancels from two fresh accounts. After every action, once each account's
socket is synced (`FuturesWebSocket.sync()`: every message the server sent before it has been
delivered), the OpenOrdersTracker state equals REST
openorders exactly (ids, remaining and filled sizes, prices, sides), and the fills seen on the
fills feed equal REST fills (ids, orders, sizes, prices, sides)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from integration.server import running_server

from client import AsyncFuturesClient, KrakenError
from client.trackers import OpenOrdersTracker
from client.ws import FuturesWebSocket
from client.ws_messages import FillsMessage, WsMessage
from mock_exchange.server.app import create_app

D = Decimal
MID = 60_000
SYMBOL = "PF_XBTUSD"

places = st.tuples(
    st.just("place"), st.integers(0, 1), st.sampled_from(["buy", "sell"]),
    st.sampled_from(["lmt", "lmt", "post", "ioc", "mkt"]), st.integers(1, 8), st.integers(-3, 3),
)
edits = st.tuples(st.just("edit"), st.integers(0, 1), st.integers(0, 7), st.integers(1, 8),
                  st.integers(-3, 3))
cancels = st.tuples(st.just("cancel"), st.integers(0, 1), st.integers(0, 7))
actions = st.lists(st.one_of(places, places, edits, cancels), min_size=1, max_size=10)


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running_server(create_app()) as url:
        yield url


class Trader:
    """One fresh account: REST client, socket, tracker and the fills its feed delivered."""

    def __init__(self, base: str) -> None:
        out = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": 1_000_000}})
        assert out.status_code == 200, out.text
        keys = out.json()
        self.rest = AsyncFuturesClient(keys["api_key"], keys["api_secret"], base_url=base)
        self.ws = FuturesWebSocket("ws" + base[4:] + "/ws/v1", api_key=keys["api_key"],
                                   api_secret=keys["api_secret"], max_buffered=0)
        self.tracker = OpenOrdersTracker(self.ws)
        self.fills: dict[str, tuple[str, Decimal, Decimal, str]] = {}
        self.ws.add_listener(self._on_message)

    def _on_message(self, message: WsMessage) -> None:
        if isinstance(message, FillsMessage):
            for f in message.fills:
                self.fills[f.fill_id] = (f.order_id, f.qty, f.price, "buy" if f.buy else "sell")

    async def start(self) -> None:
        await self.ws.connect()
        await self.ws.subscribe("open_orders")
        await self.ws.subscribe("fills")

    async def stop(self) -> None:
        await self.ws.close()
        await self.rest.aclose()

    async def check(self) -> None:
        await self.ws.sync()
        rest_open = {
            o.order_id: (o.unfilled_size, o.filled_size, o.limit_price, o.side)
            for o in await self.rest.get_open_orders()
        }
        tracked = {
            oid: (r.order.qty, r.order.filled, r.order.limit_price, r.order.side)
            for oid, r in self.tracker.orders.items()
            if r.order is not None
        }
        assert len(tracked) == len(self.tracker)
        assert tracked == rest_open
        rest_fills = {
            f.fill_id: (f.order_id, f.size, f.price, f.side) for f in await self.rest.get_fills()
        }
        assert self.fills == rest_fills


async def act(trader: Trader, action: tuple[Any, ...]) -> None:
    kind = action[0]
    open_ids = list(trader.tracker.orders)
    try:
        if kind == "place":
            _, _, side, order_type, tenths, offset = action
            price = None if order_type == "mkt" else D(MID + offset)
            await trader.rest.submit_order(order_type, SYMBOL, side, D(tenths) / 10,
                                           limit_price=price)
        elif kind == "edit" and open_ids:
            _, _, pick, tenths, offset = action
            await trader.rest.edit_order(open_ids[pick % len(open_ids)], size=D(tenths) / 10,
                                         limit_price=D(MID + offset))
        elif kind == "cancel" and open_ids:
            await trader.rest.cancel_order(open_ids[action[2] % len(open_ids)])
    except KrakenError:
        pass  # refusals are part of the game: the tracker must still agree with REST


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script=actions)
def test_tracker_and_fills_feed_agree_with_rest(base: str, script: list[tuple[Any, ...]]) -> None:
    async def main() -> None:
        traders = [Trader(base), Trader(base)]
        try:
            for trader in traders:
                await trader.start()
                await trader.tracker.wait_synced(5)
            for action in script:
                await act(traders[action[1]], action)
                for trader in traders:
                    await trader.check()
            for trader in traders:
                await trader.rest.cancel_all_orders()
                await trader.check()
                assert len(trader.tracker) == 0
        finally:
            for trader in traders:
                await trader.stop()

    asyncio.run(main())
