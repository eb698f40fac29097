"""python-kraken-sdk 3.5.1 and ccxt 4.5.90 read methods against a real uvicorn server.

One module-wide market: a maker rests `sell 1 @ 60000` (cliOrdId m1), a taker buys 0.25 at
market one second later, a funding of 0.01 % is paid at the next hour. Each test reads it
through one client library exactly as a user would (reference real-clients-on-the-wire §1, §3).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ccxt
import pytest
from integration.server import running_server
from kraken.futures import Market, Trade, User

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.exchange import Exchange
from mock_exchange.keys import ApiKey
from mock_exchange.server.app import create_app

MS0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@dataclass(frozen=True)
class World:
    base: str
    maker: ApiKey
    taker: ApiKey
    resting: str
    bought: str


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    clock = ManualClock(MS0)
    exchange = Exchange(clock, IdGenerator(11))
    app = create_app(exchange)
    keys = app.state.mx.keys
    ids = []
    for name in ("maker", "taker"):
        opened = exchange.submit(c.OpenAccount(name, {"flex": {"USD": Decimal(100_000)}}))
        assert opened.account_id is not None
        ids.append(opened.account_id)
    resting = exchange.submit(c.PlaceOrder(ids[0], "PF_XBTUSD", Side.SELL, OrderType.LMT,
                                           Decimal(1), Decimal(60000), cli_ord_id="m1"))
    clock.advance(1000)
    bought = exchange.submit(c.PlaceOrder(ids[1], "PF_XBTUSD", Side.BUY, OrderType.MKT,
                                          Decimal("0.25")))
    exchange.submit(c.SetFundingRate("PF_XBTUSD", Decimal("0.0001")))
    clock.set(MS0 + 3_600_000)
    exchange.advance()
    assert resting.order_id is not None and bought.order_id is not None
    with running_server(app) as base:
        yield World(base, keys.issue(ids[0]), keys.issue(ids[1]), resting.order_id,
                    bought.order_id)


def _ccxt(world: World, key: ApiKey) -> Any:
    exchange = ccxt.krakenfutures({"apiKey": key.key, "secret": key.secret,
                                   "enableRateLimit": False})
    base = world.base
    exchange.urls["api"] = {
        **exchange.urls["api"],
        "public": base + "/derivatives/api/",
        "private": base + "/derivatives/api/",
        "charts": base + "/api/charts/",
        "history": base + "/api/history/",
    }
    return exchange


# -- python-kraken-sdk -----------------------------------------------------------------------
def test_pks_market_data(world: World) -> None:
    market = Market(url=world.base)
    symbols = [i["symbol"] for i in market.get_instruments()["instruments"]]
    assert symbols[:4] == ["PF_XBTUSD", "PF_ETHUSD", "PF_SOLUSD", "PI_XBTUSD"]
    ticker = market.get_tickers()["tickers"][0]
    assert (ticker["symbol"], ticker["last"], ticker["vol24h"], ticker["ask"]) == (
        "PF_XBTUSD", 60000, 0.25, 60000)
    assert market.get_orderbook(symbol="PF_XBTUSD")["orderBook"] == {
        "bids": [], "asks": [[60000, 0.75]]}
    assert market.get_instruments_status(instrument="PF_XBTUSD")["tradeable"] == "PF_XBTUSD"
    (trade,) = market.get_trade_history(symbol="PF_XBTUSD")["history"]
    assert (trade["trade_id"], trade["size"], trade["side"]) == (1, 0.25, "buy")
    rates = market.get_historical_funding_rates(symbol="PF_XBTUSD")["rates"]
    assert rates == [{"timestamp": "2026-01-01T01:00:00.000Z", "fundingRate": 6,
                      "relativeFundingRate": 0.0001}]
    candles = market.get_ohlc(tick_type="trade", symbol="PF_XBTUSD", resolution="1m")
    assert candles == {"candles": [{"time": MS0, "open": "60000", "high": "60000",
                                    "low": "60000", "close": "60000", "volume": 0.25}],
                       "more_candles": False}
    assert market.get_tick_types() == ["mark", "spot", "trade"]
    assert "1h" in market.get_resolutions(tick_type="trade", tradeable="PF_XBTUSD")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        schedules = market.get_fee_schedules()["feeSchedules"]
    assert schedules[0]["tiers"] == [{"makerFee": 0.02, "takerFee": 0.05, "usdVolume": 0}]
    public = market.get_public_execution_events(tradeable="PF_XBTUSD")
    assert public["len"] == 1


def test_pks_account_reads(world: World) -> None:
    user = User(key=world.maker.key, secret=world.maker.secret, url=world.base)
    trade = Trade(key=world.maker.key, secret=world.maker.secret, url=world.base)
    flex = user.get_wallets()["accounts"]["flex"]
    # maker fee 0.02 % of 15000 = 3; the short of 0.25 received 1.5 funding
    assert (flex["balanceValue"], flex["initialMargin"]) == (99998.5, 300)
    (order,) = user.get_open_orders()["openOrders"]
    assert (order["order_id"], order["cliOrdId"], order["unfilledSize"]) == (
        world.resting, "m1", 0.75)
    (position,) = user.get_open_positions()["openPositions"]
    assert (position["side"], position["size"], position["price"]) == ("short", 0.25, 60000)
    (fill,) = trade.get_fills()["fills"]
    assert (fill["order_id"], fill["fillType"], fill["cliOrdId"]) == (world.resting, "maker", "m1")
    assert trade.get_fills(lastFillTime="2026-01-01T00:00:01.000Z")["fills"] == []
    (status,) = trade.get_orders_status(orderIds=[world.resting])["orders"]
    assert (status["status"], status["updateReason"]) == ("ENTERED_BOOK", "PARTIAL_FILL")
    assert trade.get_orders_status(cliOrdIds="m1")["orders"][0]["order"]["orderId"] == (
        world.resting)
    market = Market(key=world.maker.key, secret=world.maker.secret, url=world.base)
    assert market.set_leverage_preference(symbol="PF_ETHUSD", maxLeverage=4)["result"] == (
        "success")
    assert market.get_leverage_preference()["leveragePreferences"] == [
        {"symbol": "PF_ETHUSD", "maxLeverage": 4}]
    events = user.get_order_events()["elements"]
    assert [next(iter(e["event"])) for e in events] == ["OrderUpdated", "OrderPlaced"]
    executions = user.get_execution_events()["elements"]
    assert executions[0]["event"]["Execution"]["execution"]["makerOrderData"]["fee"] == "3"
    logs = user.get_account_log()["logs"]
    assert [entry["info"] for entry in logs] == [
        "funding rate change", "futures trade", "futures trade", "admin transfer"]
    assert user.get_account_log_csv().text.startswith("id,date,asset,info,")


# -- ccxt ------------------------------------------------------------------------------------
def test_ccxt_market_data(world: World) -> None:
    exchange = _ccxt(world, world.taker)
    markets = exchange.load_markets()
    assert {"BTC/USD:USD", "ETH/USD:USD", "SOL/USD:USD", "BTC/USD:BTC"} <= set(markets)
    assert markets["BTC/USD:USD"]["precision"] == {"amount": 0.0001, "price": 1.0}
    ticker = exchange.fetch_ticker("BTC/USD:USD")
    assert (ticker["last"], ticker["baseVolume"], ticker["ask"], ticker["markPrice"]) == (
        60000.0, 0.25, 60000.0, 60000.0)
    assert len(exchange.fetch_tickers()) == len(markets)
    book = exchange.fetch_order_book("BTC/USD:USD")
    assert (book["bids"], book["asks"]) == ([], [[60000.0, 0.75]])
    history = exchange.fetch_funding_rate_history("BTC/USD:USD")
    assert [(h["timestamp"], h["fundingRate"]) for h in history] == [(MS0 + 3_600_000, 0.0001)]
    ohlcv = exchange.fetch_ohlcv("BTC/USD:USD", "1m", since=MS0)
    assert ohlcv == [[MS0, 60000.0, 60000.0, 60000.0, 60000.0, 0.25]]
    (trade,) = exchange.fetch_trades("BTC/USD:USD")
    assert (trade["side"], trade["amount"], trade["price"], trade["timestamp"]) == (
        "buy", 0.25, 60000.0, MS0 + 1000)
    rates = exchange.fetch_funding_rates(["BTC/USD:USD"])
    assert rates["BTC/USD:USD"]["fundingRate"] == 0.0001


def test_ccxt_account_reads(world: World) -> None:
    taker = _ccxt(world, world.taker)
    usd = taker.fetch_balance()["USD"]
    # taker fee 7.5, funding paid 1.5; IM 2 % of 0.25 x 60000
    assert (usd["total"], usd["free"], usd["used"]) == (99991.0, 99691.0, 300.0)
    (position,) = taker.fetch_positions()
    assert (position["symbol"], position["side"], position["contracts"],
            position["entryPrice"], position["marginMode"]) == (
        "BTC/USD:USD", "long", 0.25, 60000.0, "cross")
    (mine,) = taker.fetch_my_trades()
    assert (mine["order"], mine["takerOrMaker"], mine["amount"], mine["cost"]) == (
        world.bought, "taker", 0.25, 15000.0)
    (closed,) = taker.fetch_closed_orders()
    assert (closed["id"], closed["status"], closed["filled"], closed["side"]) == (
        world.bought, "closed", 0.25, "buy")
    assert taker.fetch_order(world.bought)["status"] == "closed"
    taker.set_leverage(10, "BTC/USD:USD")
    assert taker.fetch_leverage("BTC/USD:USD")["longLeverage"] == 10
    (levered,) = taker.fetch_positions()
    assert (levered["leverage"], levered["marginMode"]) == (10, "isolated")
    ledger = taker.fetch_ledger()
    assert [(e["type"], e["amount"]) for e in ledger] == [
        ("transfer", 100000.0), ("trade", 0.0), ("fee", 1.5)]
    maker = _ccxt(world, world.maker)
    (open_order,) = maker.fetch_open_orders()
    assert (open_order["id"], open_order["status"], open_order["remaining"]) == (
        world.resting, "open", 0.75)
    fetched = maker.fetch_order(world.resting)
    assert (fetched["status"], fetched["filled"], fetched["clientOrderId"]) == (
        "open", 0.25, "m1")
    with pytest.raises(ccxt.OrderNotFound):
        maker.fetch_order("00000000-0000-4000-8000-000000000000")
