"""The examples of docs/testing.md, run as written: python-kraken-sdk and ccxt through the
`kraken_exchange` fixture (in-process by default; against a container with --kraken-url, where
the test that moves the shared mark is skipped by its `clock="manual"` marker).
Numbers: the default market has no makers, PF_XBTUSD marks at 60,000; demo1 and demo2 hold
100,000 USD each."""

from __future__ import annotations

from typing import Any

import ccxt
import pytest
from kraken.futures import Trade, User

from mock_exchange.testing import KrakenExchange


@pytest.mark.kraken_exchange(clock="manual")  # it moves the mark: never on a shared server
def test_a_stop_loss_fires_when_the_mark_falls(kraken_exchange: KrakenExchange) -> None:
    url = kraken_exchange.rest_url
    maker, taker = kraken_exchange["demo1"], kraken_exchange["demo2"]
    seller = Trade(key=maker.api_key, secret=maker.api_secret, url=url)
    buyer = Trade(key=taker.api_key, secret=taker.api_secret, url=url)
    buyer_user = User(key=taker.api_key, secret=taker.api_secret, url=url)

    seller.create_order(orderType="lmt", side="sell", size=0.01, symbol="PF_XBTUSD",
                        limitPrice=60_000)  # fmt: skip
    bought = buyer.create_order(orderType="ioc", side="buy", size=0.01, symbol="PF_XBTUSD",
                                limitPrice=60_000)  # fmt: skip
    assert bought["sendStatus"]["orderEvents"][0]["type"] == "EXECUTION"
    [position] = buyer_user.get_open_positions()["openPositions"]
    assert (position["side"], position["size"], position["price"]) == ("long", 0.01, 60_000)

    stop = buyer.create_order(orderType="stp", side="sell", size=0.01, symbol="PF_XBTUSD",
                              stopPrice=59_000, triggerSignal="mark", reduceOnly=True)  # fmt: skip
    assert stop["sendStatus"]["status"] == "placed"
    seller.create_order(orderType="lmt", side="buy", size=0.01, symbol="PF_XBTUSD",
                        limitPrice=58_800)  # the bid the stop will sell into  # fmt: skip

    kraken_exchange.set_prices("PF_XBTUSD", mark=58_900)  # the stop triggers at once

    assert buyer_user.get_open_positions()["openPositions"] == []
    fills = buyer.get_fills()["fills"]  # newest first
    assert [(f["side"], f["price"], f["size"]) for f in fills] == [
        ("sell", 58_800, 0.01), ("buy", 60_000, 0.01)]  # fmt: skip


def _ccxt(kraken_exchange: KrakenExchange, name: str) -> Any:
    keys = kraken_exchange[name]
    exchange = ccxt.krakenfutures(
        {"apiKey": keys.api_key, "secret": keys.api_secret, "enableRateLimit": False}
    )
    exchange.urls["api"] = {**exchange.urls["api"], **kraken_exchange.ccxt_urls}
    return exchange


def test_ccxt_order_cancelled_by_the_exchange(kraken_exchange: KrakenExchange) -> None:
    exchange = _ccxt(kraken_exchange, "demo1")
    order = exchange.create_order("BTC/USD:USD", "limit", "buy", 0.01, 59_000)
    [still_open] = exchange.fetch_open_orders("BTC/USD:USD")
    assert (still_open["id"], still_open["side"], still_open["amount"]) == (
        order["id"], "buy", 0.01)  # fmt: skip

    cancelled = kraken_exchange.cancel_order(order["id"])  # as an exchange operator would

    assert cancelled.reason == "cancelled_by_admin"
    assert exchange.fetch_open_orders("BTC/USD:USD") == []


def test_ccxt_balance_and_a_fresh_account(kraken_exchange: KrakenExchange) -> None:
    kraken_exchange.open_account("carol", balances={"USD": 2_500})
    balance = _ccxt(kraken_exchange, "carol").fetch_balance()
    assert balance["USD"]["total"] == 2_500
