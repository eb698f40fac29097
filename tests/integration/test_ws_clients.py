"""Real client libraries against /ws/v1 over real sockets: python-kraken-sdk 3.5.1
`FuturesWSClient` (with the ws:// patch of real-clients-on-the-wire.md §1.2) and
ccxt.pro `krakenfutures` (urls['api']['ws'] and the REST urls repointed, §1.4)."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from integration.server import running_server

from mock_exchange.server.app import create_app

Json = dict[str, Any]


@pytest.fixture
def base() -> Iterator[str]:
    with running_server(create_app()) as url:
        yield url


def _account(base: str, usd: int = 100_000) -> Json:
    out = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": usd}}).json()
    return dict(out)


def _rest_order(base: str, acct: Json, side: str, size: str, price: str) -> None:
    from kraken.futures import Trade

    trade = Trade(key=acct["api_key"], secret=acct["api_secret"], url=base)
    out = trade.create_order(
        orderType="lmt", side=side, size=size, symbol="PF_XBTUSD", limitPrice=price
    )
    assert out["result"] == "success", out


async def _wait_for(
    messages: list[Json], found: Callable[[Json], bool], timeout: float = 15
) -> Json:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in messages:
            if found(message):
                return message
        await asyncio.sleep(0.05)
    raise AssertionError(f"not seen; got {messages}")


@contextlib.contextmanager
def _pks_ws_scheme() -> Iterator[None]:
    import kraken.futures.websocket as pks_ws

    original = pks_ws.connect

    def patched(uri: str, *args: Any, **kwargs: Any) -> Any:
        return original("ws://" + uri[6:] if uri.startswith("wss://") else uri, *args, **kwargs)

    pks_ws.connect = patched
    try:
        yield
    finally:
        pks_ws.connect = original


def test_python_kraken_sdk_public_and_private(base: str) -> None:
    from kraken.futures import FuturesWSClient

    alice, bob = _account(base), _account(base)

    async def main() -> None:
        messages: list[Json] = []

        async def on_message(message: Json) -> None:
            messages.append(message)

        client = FuturesWSClient(
            key=alice["api_key"],
            secret=alice["api_secret"],
            url=base[len("http://") :] + "/ws/v1",
            callback=on_message,
        )
        await asyncio.wait_for(client.start(), 30)
        try:
            await client.subscribe(feed="ticker", products=["PF_XBTUSD"])
            await client.subscribe(feed="open_orders")
            await _wait_for(messages, lambda m: m == {"event": "info", "version": 1})
            await _wait_for(
                messages,
                lambda m: (
                    m == {"event": "subscribed", "feed": "ticker", "product_ids": ["PF_XBTUSD"]}
                ),
            )
            await _wait_for(messages, lambda m: m.get("feed") == "ticker")
            await _wait_for(messages, lambda m: m == {"event": "subscribed", "feed": "open_orders"})
            snap = await _wait_for(messages, lambda m: m.get("feed") == "open_orders_snapshot")
            assert snap["account"] == alice["account_id"]
            await asyncio.to_thread(_rest_order, base, alice, "buy", "0.5", "59000")
            delta = await _wait_for(messages, lambda m: m.get("reason") is not None)
            assert delta["reason"] == "new_placed_order_by_user"
            assert delta["order"]["qty"] == 0.5
            await asyncio.to_thread(_rest_order, base, bob, "sell", "0.2", "59000")
            fill = await _wait_for(messages, lambda m: m.get("reason") == "partial_fill")
            assert (fill["order"]["qty"], fill["order"]["filled"]) == (0.3, 0.2)
            assert not any(m.get("event") == "alert" for m in messages)
        finally:
            await client.close()

    with _pks_ws_scheme():
        asyncio.run(main())


def test_ccxt_pro_order_book_orders_and_trades(base: str) -> None:
    import ccxt.pro

    alice, bob = _account(base), _account(base)
    _rest_order(base, bob, "sell", "1", "60500")

    async def main() -> None:
        ex = ccxt.pro.krakenfutures(
            {"apiKey": alice["api_key"], "secret": alice["api_secret"], "enableRateLimit": False}
        )
        api = base + "/derivatives/api/"
        ex.urls["api"] = {
            **ex.urls["api"],
            "ws": base.replace("http", "ws") + "/ws/v1",
            "public": api,
            "private": api,
            "charts": base + "/api/charts/",
            "history": base + "/api/history/",
        }
        try:
            await ex.load_markets()
            symbol = ex.markets_by_id["PF_XBTUSD"][0]["symbol"]
            book = await asyncio.wait_for(ex.watch_order_book(symbol), 15)
            assert book["asks"][0][:2] == [60500.0, 1.0]
            watcher = asyncio.ensure_future(ex.watch_orders(symbol))
            await asyncio.sleep(0.5)
            await asyncio.to_thread(_rest_order, base, alice, "buy", "0.25", "59000")
            orders = await asyncio.wait_for(watcher, 15)
            assert orders[-1]["amount"] == 0.25 and orders[-1]["side"] == "buy"
            trades = asyncio.ensure_future(ex.watch_my_trades(symbol))
            next_book = asyncio.ensure_future(ex.watch_order_book(symbol))
            await asyncio.sleep(0.5)
            await asyncio.to_thread(_rest_order, base, alice, "buy", "0.1", "60500")
            mine = await asyncio.wait_for(trades, 15)
            assert mine[-1]["amount"] == 0.1 and mine[-1]["price"] == 60500.0
            book = await asyncio.wait_for(next_book, 15)
            assert book["asks"][0][:2] == [60500.0, 0.9]
        finally:
            await ex.close()

    asyncio.run(main())
