"""ccxt.pro `krakenfutures` watch_ticker / watch_tickers / watch_positions / watch_balance against
a real server (real-clients-on-the-wire.md §1.4 and §4, kraken-futures-ws.md §6.2).

Positions and balances: arm a watch (wait until ccxt has registered the future for its message
hash), make one concrete change over REST or the admin API (a trade between two accounts, a
price move, a close), and assert the exact values ccxt hands back from the message it caused.
Tickers are periodic full-state messages: make the changes, then take the first ticker that
shows the last of them and assert every value.

Known client-side readings (ccxt 4.5.90), kept visible in the assertions:
* ccxt's WebSocket ticker takes Kraken's `change` (a 24 h change in *percent*, reference §3.2)
  as an absolute price change, so it derives `open = last - change` and `percentage` from it.
* ccxt's flex balance maps `used` to each currency's `collateral_value` (not to margin in use).
* watch_tickers in the default newUpdates mode returns only the ticker that won its
  Future.race; another product's ticker read right behind it is cached but returned by nobody.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import Any

import httpx
import pytest
from integration.server import running_server

from mock_exchange.server.app import create_app

Json = dict[str, Any]
XBT, ETH = "BTC/USD:USD", "ETH/USD:USD"
WAIT_S = 5.0


@pytest.fixture
def base() -> Iterator[str]:
    app = create_app()
    # tickers every 0.1 s instead of Kraken's 1 s, so ticker tests stay fast
    app.state.mx.extras["ws_limits"] = {"ticker_interval_s": 0.1}
    with running_server(app) as url:
        yield url


def _account(base: str, usd: int = 100_000) -> Json:
    out = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": usd}}).json()
    return dict(out)


def _prices(base: str, symbol: str, mark: int, index: int) -> None:
    body = {"symbol": symbol, "mark": mark, "index": index}
    out = httpx.post(f"{base}/__admin/prices", json=body)
    assert out.status_code == 200, out.text


def _order(
    base: str, acct: Json, side: str, size: str, price: str, symbol: str = "PF_XBTUSD"
) -> str:
    from kraken.futures import Trade

    trade = Trade(key=acct["api_key"], secret=acct["api_secret"], url=base)
    out = trade.create_order(orderType="lmt", side=side, size=size, symbol=symbol, limitPrice=price)
    assert out["result"] == "success", out
    return str(out["sendStatus"]["status"])


@contextlib.asynccontextmanager
async def _pro(base: str, acct: Json | None = None) -> AsyncIterator[Any]:
    import ccxt.pro  # type: ignore[import-untyped]

    config: Json = {"enableRateLimit": False}
    if acct is not None:
        config |= {"apiKey": acct["api_key"], "secret": acct["api_secret"]}
    ex = ccxt.pro.krakenfutures(config)
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
        yield ex
    finally:
        await ex.close()


async def _armed(ex: Any, watch: Awaitable[Any], *hashes: str) -> asyncio.Future[Any]:
    """Start `watch` and return once ccxt waits on every one of its message hashes, so a
    message caused by the next action cannot slip past it."""
    task = asyncio.ensure_future(watch)
    deadline = time.monotonic() + WAIT_S
    while True:
        client = ex.clients.get(ex.urls["api"]["ws"])
        if client is not None and all(h in client.futures for h in hashes):
            return task
        if task.done() or time.monotonic() > deadline:
            task.cancel()
            raise AssertionError(f"watch not armed on {hashes}: {task}")
        await asyncio.sleep(0.01)


async def _got(task: Awaitable[Any]) -> Any:
    return await asyncio.wait_for(task, WAIT_S)


def _in_thread(fn: Any, *args: Any) -> Awaitable[Any]:
    return asyncio.to_thread(fn, *args)


# -- watch_positions ---------------------------------------------------------------------------


def _position(pos: Json) -> Json:
    keys = (
        "symbol",
        "side",
        "contracts",
        "entryPrice",
        "markPrice",
        "unrealizedPnl",
        "percentage",
        "initialMargin",
        "maintenanceMargin",
        "liquidationPrice",
        "hedged",
    )
    return {k: pos[k] for k in keys}


def _liquidation(size: float, mark: float, equity: float, maintenance: float) -> float:
    """docs/websocket.md's estimate: the mark L at which equity + size * (L - mark) meets the
    maintenance margin scaled to L (maintenance * L / mark)."""
    return (size * mark - equity) / (size - maintenance / mark)


def test_watch_positions_follow_a_trade_a_price_move_and_a_close(base: str) -> None:
    alice, bob = _account(base), _account(base)

    async def main() -> None:
        async with _pro(base, alice) as a, _pro(base, bob) as b:
            # first open_positions message: the (empty) full list
            assert await _got(a.watch_positions()) == []
            assert await _got(b.watch_positions()) == []
            # a symbol-filtered watch is a second subscribe of the same feed: the server answers
            # "Already subscribed to feed, re-requesting" (tolerated by ccxt) and the full list
            # again; an empty list does not resolve the filtered watch
            again = await _armed(a, a.watch_positions(), "positions")
            a_sym = await _armed(a, a.watch_positions([XBT]), f"positions::{XBT}")
            assert await _got(again) == []
            assert not a_sym.done()

            # Bob rests a sell (no position change: no open_positions), Alice takes it
            a_next = await _armed(a, a.watch_positions(), "positions")
            b_next = await _armed(b, b.watch_positions(), "positions")
            assert await _in_thread(_order, base, bob, "sell", "0.5", "60000") == "placed"
            await _in_thread(_order, base, alice, "buy", "0.5", "60000")
            mine, mine_sym, theirs = await _got(a_next), await _got(a_sym), await _got(b_next)
            flat = {
                "symbol": XBT,
                "contracts": 0.5,
                "entryPrice": 60000.0,
                "markPrice": 60000.0,
                "unrealizedPnl": 0.0,
                "percentage": 0.0,
                "initialMargin": 600.0,
                "maintenanceMargin": 300.0,
                "liquidationPrice": 0.0,
                "hedged": "both",
            }
            assert [_position(p) for p in mine] == [flat | {"side": "long"}]
            assert [_position(p) for p in mine_sym] == [_position(mine[0])]
            assert mine[0]["info"]["balance"] == 0.5
            assert mine[0]["info"]["pnl_currency"] == "USD"
            # Bob paid the maker fee 0.02% x 30000 = 6 USD: equity 99994; a long with this much
            # equity is never liquidated (0.0), a short is, far above the mark
            liquidation = pytest.approx(_liquidation(-0.5, 60000, 99994, 300))
            assert [_position(p) for p in theirs] == [
                flat | {"side": "short", "liquidationPrice": liquidation}
            ]
            assert theirs[0]["info"]["balance"] == -0.5

            # the mark moves: every holder gets the full list again, re-valued
            a_next = await _armed(a, a.watch_positions(), "positions")
            a_sym = await _armed(a, a.watch_positions([XBT]), f"positions::{XBT}")
            b_next = await _armed(b, b.watch_positions(), "positions")
            await _in_thread(_prices, base, "PF_XBTUSD", 61000, 61000)
            mine, mine_sym, theirs = await _got(a_next), await _got(a_sym), await _got(b_next)
            moved = {"markPrice": 61000.0, "initialMargin": 610.0, "maintenanceMargin": 305.0}
            assert [_position(p) for p in mine] == [
                flat | moved | {"side": "long", "unrealizedPnl": 500.0, "percentage": 500 / 610}
            ]
            assert [_position(p) for p in mine_sym] == [_position(mine[0])]
            assert mine[0]["info"]["index_price"] == 61000.0
            assert [_position(p) for p in theirs] == [
                flat
                | moved
                | {
                    "side": "short",
                    "unrealizedPnl": -500.0,
                    "percentage": -500 / 610,
                    "liquidationPrice": pytest.approx(_liquidation(-0.5, 61000, 99494, 305)),
                }
            ]

            # Bob buys back from Alice: both flat, the next full list is empty
            a_next = await _armed(a, a.watch_positions(), "positions")
            b_next = await _armed(b, b.watch_positions(), "positions")
            assert await _in_thread(_order, base, bob, "buy", "0.5", "61000") == "placed"
            await _in_thread(_order, base, alice, "sell", "0.5", "61000")
            assert await _got(a_next) == []
            assert await _got(b_next) == []

    asyncio.run(main())


# -- watch_balance -----------------------------------------------------------------------------


def _usd(balance: Json) -> Json:
    return dict(balance["USD"])


def test_watch_balance_follows_a_trade_and_a_price_move(base: str) -> None:
    alice, bob = _account(base), _account(base)

    async def main() -> None:
        async with _pro(base, alice) as a, _pro(base, bob) as b:
            # balances_snapshot carries every family; the plain hash gets `holding` (empty
            # here: the money is in the flex wallet), the flex_futures hash the flex wallet
            snap = await _got(a.watch_balance())
            assert snap["info"]["feed"] == "balances_snapshot"
            assert snap["total"] == {}
            flex = await _got(a.watch_balance({"account": "flex_futures"}))
            full = {"free": 100000.0, "used": 100000.0, "total": 100000.0}
            assert _usd(flex) == full
            assert _usd(await _got(b.watch_balance({"account": "flex_futures"}))) == full

            # Bob rests a sell: his flex wallet's order margin changes, cash does not
            b_next = await _armed(
                b, b.watch_balance({"account": "flex_futures"}), "balances:flex_futures"
            )
            assert await _in_thread(_order, base, bob, "sell", "0.5", "60000") == "placed"
            resting = await _got(b_next)
            assert _usd(resting) == full
            assert resting["info"]["feed"] == "balances"
            assert "holding" not in resting["info"] and "futures" not in resting["info"]
            assert resting["info"]["flex_futures"]["initial_margin"] == 600.0
            assert resting["info"]["flex_futures"]["initial_margin_without_orders"] == 0.0

            # Alice takes it: 0.5 @ 60000, taker fee 15 USD; Bob is the maker
            a_plain = await _armed(a, a.watch_balance(), "balances")
            a_flex = await _armed(
                a, a.watch_balance({"account": "flex_futures"}), "balances:flex_futures"
            )
            b_next = await _armed(
                b, b.watch_balance({"account": "flex_futures"}), "balances:flex_futures"
            )
            await _in_thread(_order, base, alice, "buy", "0.5", "60000")
            plain, flex, theirs = await _got(a_plain), await _got(a_flex), await _got(b_next)
            after = {"free": 99985.0, "used": 99985.0, "total": 99985.0}
            assert _usd(flex) == after
            assert plain is flex  # a flex-only delta resolves the plain hash with the flex wallet
            wallet = flex["info"]["flex_futures"]
            assert (
                wallet["initial_margin"],
                wallet["maintenance_margin"],
                wallet["pnl"],
                wallet["margin_equity"],
                wallet["available_margin"],
            ) == (600.0, 300.0, 0.0, 99985.0, 99385.0)
            # maker fee 0.02% x 30000 = 6 USD
            assert _usd(theirs) == {"free": 99994.0, "used": 99994.0, "total": 99994.0}
            assert theirs["info"]["flex_futures"]["initial_margin_without_orders"] == 600.0

            # the mark moves +1000: wallet quantity unchanged, unrealised PnL +500
            a_flex = await _armed(
                a, a.watch_balance({"account": "flex_futures"}), "balances:flex_futures"
            )
            await _in_thread(_prices, base, "PF_XBTUSD", 61000, 61000)
            flex = await _got(a_flex)
            assert _usd(flex) == after
            wallet = flex["info"]["flex_futures"]
            assert (
                wallet["initial_margin"],
                wallet["maintenance_margin"],
                wallet["pnl"],
                wallet["margin_equity"],
                wallet["available_margin"],
            ) == (610.0, 305.0, 500.0, 100485.0, 99875.0)

    asyncio.run(main())


# -- watch_ticker / watch_tickers --------------------------------------------------------------


def _trade(base: str, maker: Json, taker: Json, size: str, price: str, symbol: str) -> None:
    assert _order(base, maker, "sell", size, price, symbol) == "placed"
    _order(base, taker, "buy", size, price, symbol)


async def _ticker_until(ex: Any, symbol: str, mark: float) -> Json:
    """The first ticker for `symbol` whose mark is `mark` (tickers are periodic, full state)."""
    while True:
        ticker = await _got(ex.watch_ticker(symbol))
        if ticker["markPrice"] == mark:
            return dict(ticker)


def test_watch_ticker_follows_trades_quotes_and_a_price_move(base: str) -> None:
    alice, bob = _account(base), _account(base)

    async def main() -> None:
        async with _pro(base) as ex:
            first = await _got(ex.watch_ticker(XBT))
            assert (first["symbol"], first["last"], first["markPrice"]) == (XBT, 60000.0, 60000.0)
            assert (first["bid"], first["ask"], first["baseVolume"]) == (None, None, 0.0)

            # two trades (60000 then 60600), a bid and an ask left resting, then the mark moves
            await _in_thread(_trade, base, bob, alice, "0.5", "60000", "PF_XBTUSD")
            await _in_thread(_trade, base, bob, alice, "0.5", "60600", "PF_XBTUSD")
            assert await _in_thread(_order, base, alice, "buy", "1", "59000") == "placed"
            assert await _in_thread(_order, base, bob, "sell", "2", "62000") == "placed"
            await _in_thread(_prices, base, "PF_XBTUSD", 61000, 60900)
            ticker = await asyncio.wait_for(_ticker_until(ex, XBT, 61000.0), WAIT_S)

            assert {
                k: ticker[k]
                for k in (
                    "symbol",
                    "last",
                    "close",
                    "bid",
                    "bidVolume",
                    "ask",
                    "askVolume",
                    "baseVolume",
                    "quoteVolume",
                    "vwap",
                    "markPrice",
                    "indexPrice",
                    "change",
                )
            } == {
                "symbol": XBT,
                "last": 60600.0,
                "close": 60600.0,
                "bid": 59000.0,
                "bidVolume": 1.0,
                "ask": 62000.0,
                "askVolume": 2.0,
                "baseVolume": 1.0,
                "quoteVolume": 60300.0,
                "vwap": 60300.0,
                "markPrice": 61000.0,
                "indexPrice": 60900.0,
                "change": 1.0,  # Kraken's 24 h change in percent, passed through by ccxt
            }
            info = ticker["info"]
            assert (info["open"], info["high"], info["low"], info["openInterest"]) == (
                60000.0,
                60600.0,
                60000.0,
                1.0,
            )
            assert info["premium"] == pytest.approx(100 / 60900 * 100)
            # ccxt reads `change` as absolute: open = last - change (client-side, see module doc)
            assert ticker["open"] == 60599.0

    asyncio.run(main())


def test_watch_tickers_two_products_one_subscription(base: str) -> None:
    async def main() -> None:
        async with _pro(base) as ex:
            # In ccxt's default newUpdates mode watch_tickers returns only the ticker that won
            # its Future.race; a second product's ticker arriving in the same read is cached
            # but resolves nobody (client-side). With newUpdates off it returns the cache.
            ex.newUpdates = False

            async def until(done: Any) -> Json:
                while True:
                    got = dict(await _got(ex.watch_tickers([XBT, ETH])))
                    if done(got):
                        return got

            seen = await asyncio.wait_for(until(lambda got: set(got) == {XBT, ETH}), WAIT_S)
            assert (seen[XBT]["last"], seen[ETH]["last"]) == (60000.0, 3000.0)
            assert (seen[XBT]["markPrice"], seen[ETH]["markPrice"]) == (60000.0, 3000.0)

            await _in_thread(_prices, base, "PF_ETHUSD", 3100, 3050)
            moved = await asyncio.wait_for(
                until(lambda got: got[ETH]["markPrice"] == 3100.0), WAIT_S
            )
            eth = moved[ETH]
            assert (eth["symbol"], eth["markPrice"], eth["indexPrice"], eth["last"]) == (
                ETH,
                3100.0,
                3050.0,
                3000.0,
            )
            assert eth["info"]["premium"] == pytest.approx(50 / 3050 * 100)
            # the other product did not move
            assert (moved[XBT]["markPrice"], moved[XBT]["indexPrice"]) == (60000.0, 60000.0)

    asyncio.run(main())
