"""The v3 read endpoints in process: exact shapes, numbers and orderings (reference §4.7-§4.21)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from support import KrakenTestClient, served_account

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.server.app import create_app

Json = dict[str, Any]
T0 = "2026-01-01T00:00:00.000Z"
T1 = "2026-01-01T00:00:01.000Z"


@pytest.fixture
def app() -> Any:
    return create_app()


def _clock(app: Any) -> ManualClock:
    clock: ManualClock = app.state.mx.exchange.clock
    return clock


def _ok(out: object) -> Json:
    assert isinstance(out, dict) and out["result"] == "success" and "error" not in out, out
    return out


def _send(client: KrakenTestClient, **params: object) -> Json:
    return _ok(client.post("sendorder", **params))["sendStatus"]  # type: ignore[no-any-return]


def _trade(app: Any) -> tuple[KrakenTestClient, KrakenTestClient, str, str]:
    """Maker a sells 1 @ 60000 (cliOrdId m1) at T0; taker b buys 0.25 at market at T1."""
    maker, taker = served_account(app, "maker"), served_account(app, "taker")
    resting = _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1",
                    limitPrice="60000", cliOrdId="m1")["order_id"]
    _clock(app).advance(1000)
    bought = _send(taker, orderType="mkt", symbol="pf_xbtusd", side="buy", size="0.25")["order_id"]
    return maker, taker, resting, bought


# -- open orders and order status ------------------------------------------------------------
def test_openorders_lists_regular_and_trigger_orders_newest_first(app: Any) -> None:
    alice = served_account(app)
    first = _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.5",
                  limitPrice="59000", cliOrdId="c1", reduceOnly="false")["order_id"]
    _clock(app).advance(1000)
    stop = _send(alice, orderType="stp", symbol="PF_XBTUSD", side="buy", size="0.1",
                 stopPrice="61000", triggerSignal="mark")["order_id"]
    assert _ok(alice.get("openorders"))["openOrders"] == [
        {"order_id": stop, "symbol": "PF_XBTUSD", "side": "buy", "orderType": "stp",
         "stopPrice": 61000, "unfilledSize": 0.1, "receivedTime": T1, "status": "untouched",
         "filledSize": 0, "reduceOnly": False, "triggerSignal": "mark", "lastUpdateTime": T1},
        {"order_id": first, "cliOrdId": "c1", "symbol": "PF_XBTUSD", "side": "buy",
         "orderType": "lmt", "limitPrice": 59000, "unfilledSize": 0.5, "receivedTime": T0,
         "status": "untouched", "filledSize": 0, "reduceOnly": False, "lastUpdateTime": T0},
    ]


def test_openorders_shows_partial_fills(app: Any) -> None:
    maker, _, resting, _ = _trade(app)
    (row,) = _ok(maker.get("openorders"))["openOrders"]
    assert (row["order_id"], row["status"], row["filledSize"], row["unfilledSize"]) == (
        resting, "partiallyFilled", 0.25, 0.75)
    assert row["lastUpdateTime"] == T1 and row["receivedTime"] == T0


def test_orders_status_without_ids_lists_open_and_recently_closed(app: Any) -> None:
    maker, taker, resting, bought = _trade(app)
    (entry,) = _ok(maker.get("orders/status"))["orders"]
    assert entry == {
        "order": {"type": "ORDER", "orderId": resting, "cliOrdId": "m1", "symbol": "PF_XBTUSD",
                  "side": "sell", "quantity": 1, "filled": 0.25, "limitPrice": 60000,
                  "reduceOnly": False, "timestamp": T0, "lastUpdateTimestamp": T1,
                  "algoId": None, "priceTriggerOptions": None, "triggerTime": None},
        "status": "ENTERED_BOOK", "updateReason": "PARTIAL_FILL", "error": None}
    (done,) = _ok(taker.call("POST", "/derivatives/api/v3/orders/status"))["orders"]
    assert (done["order"]["orderId"], done["status"], done["updateReason"]) == (
        bought, "FULLY_EXECUTED", "FULL_FILL")
    assert (done["order"]["type"], done["order"]["filled"], done["order"]["limitPrice"]) == (
        "ORDER", 0.25, 60600)
    _clock(app).advance(5001)  # out of the 5-second window, still answerable by id
    assert _ok(taker.get("orders/status"))["orders"] == []
    by_id = _ok(taker.get("orders/status", orderIds=bought))["orders"]
    assert [o["status"] for o in by_id] == ["FULLY_EXECUTED"]


def test_orders_status_by_ids_in_the_order_asked(app: Any) -> None:
    alice = served_account(app)
    one = _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1",
                limitPrice="59000", cliOrdId="one")["order_id"]
    two = _send(alice, orderType="take_profit", symbol="PF_XBTUSD", side="sell", size="1",
                stopPrice="65000", limitPrice="64000", reduceOnly="true")["order_id"]
    _ok(alice.post("cancelorder", order_id=one))
    _clock(app).advance(60_000)
    post = _ok(alice.post("orders/status", orderIds=[two, "nope", one]))["orders"]
    assert [(o["order"]["orderId"], o["status"], o["updateReason"]) for o in post] == [
        (two, "TRIGGER_PLACED", None), (one, "CANCELLED", "CANCELLED_BY_USER")]
    assert post[0]["order"]["type"] == "TRIGGER_ORDER"
    assert post[0]["order"]["priceTriggerOptions"] == {
        "triggerPrice": 65000, "triggerSide": "TRIGGER_ABOVE", "triggerSignal": "LAST_PRICE"}
    comma = _ok(alice.get("orders/status", orderIds=f"{one},{two}"))["orders"]
    assert [o["order"]["orderId"] for o in comma] == [one, two]
    by_cli = _ok(alice.post("orders/status", cliOrdIds="one"))["orders"]
    assert [o["order"]["orderId"] for o in by_cli] == [one]


def test_orders_status_reports_rejected_orders_with_their_error(app: Any) -> None:
    alice = served_account(app)
    _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="60000")
    bob = served_account(app, "bob")
    rejected = _send(bob, orderType="post", symbol="PF_XBTUSD", side="buy", size="1",
                     limitPrice="60000")["order_id"]
    (entry,) = _ok(bob.get("orders/status", orderIds=rejected))["orders"]
    assert (entry["status"], entry["error"], entry["updateReason"]) == (
        "REJECTED", "POST_WOULD_EXECUTE", "POST_WOULD_EXECUTE_REASON")


# -- positions, accounts, fills --------------------------------------------------------------
def test_openpositions_and_fixed_leverage(app: Any) -> None:
    maker, taker, _, _ = _trade(app)
    assert _ok(taker.get("openpositions"))["openPositions"] == [
        {"side": "long", "symbol": "PF_XBTUSD", "price": 60000, "fillTime": T1, "size": 0.25,
         "unrealizedFunding": 0, "pnlCurrency": "USD"}]
    _ok(maker.call("PUT", "/derivatives/api/v3/leveragepreferences",
                   {"symbol": "PF_XBTUSD", "maxLeverage": "5"}, style="query"))
    (short,) = _ok(maker.get("openpositions"))["openPositions"]
    assert (short["side"], short["size"], short["maxFixedLeverage"]) == ("short", 0.25, 5)


def test_accounts_values_the_flex_wallet_at_mark(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    app.state.mx.exchange.submit(c.SetPrices("PF_XBTUSD", mark=Decimal(61000)))
    accounts = _ok(taker.get("accounts"))["accounts"]
    assert accounts["cash"] == {"type": "cashAccount", "balances": {}}
    # fee 0.25 x 60000 x 0.05 % = 7.5; unrealised 0.25 x 1000 = 250; IM 2 % of 15250 = 305
    assert accounts["flex"] == {
        "type": "multiCollateralMarginAccount",
        "currencies": {"USD": {"quantity": 99992.5, "value": 99992.5, "collateral": 99992.5,
                               "available": 99937.5}},
        "initialMargin": 305, "initialMarginWithOrders": 305, "maintenanceMargin": 152.5,
        "balanceValue": 99992.5, "portfolioValue": 100242.5, "collateralValue": 99992.5,
        "pnl": 250, "unrealizedFunding": 0, "totalUnrealized": 250,
        "totalUnrealizedAsMargin": 250, "availableMargin": 99937.5, "marginEquity": 100242.5}


def test_accounts_lists_single_collateral_wallets(app: Any) -> None:
    state = app.state.mx
    opened = state.exchange.submit(c.OpenAccount("inv", {"fi_xbtusd": {"XBT": Decimal(1)}}))
    key = state.keys.issue(opened.account_id)
    inverse = KrakenTestClient(app, key.key, key.secret)
    seller = state.exchange.submit(c.OpenAccount("seller", {"fi_xbtusd": {"XBT": Decimal(1)}}))
    skey = state.keys.issue(seller.account_id)
    _send(KrakenTestClient(app, skey.key, skey.secret), orderType="lmt", symbol="PI_XBTUSD",
          side="sell", size="6000", limitPrice="60000")
    _send(inverse, orderType="mkt", symbol="PI_XBTUSD", side="buy", size="6000")
    wallet = _ok(inverse.get("accounts"))["accounts"]["fi_xbtusd"]
    # 6000 USD contracts at 60000 = 0.1 XBT; taker fee 0.05 % of that = 0.00005 XBT
    assert wallet == {
        "type": "marginAccount", "currency": "xbt",
        "balances": {"PI_XBTUSD": 6000, "xbt": 0.99995},
        "auxiliary": {"usd": 0, "pv": 0.99995, "pnl": 0, "af": 0.99795, "funding": 0},
        "marginRequirements": {"im": 0.002, "mm": 0.001, "lt": 0.001, "tt": 0.001},
        "triggerEstimates": {"im": 0, "mm": 0, "lt": 0, "tt": 0}}


def test_fills_both_sides_newest_first_and_before_last_fill_time(app: Any) -> None:
    maker, taker, resting, bought = _trade(app)
    (mine,) = _ok(maker.get("fills"))["fills"]
    (theirs,) = _ok(taker.get("fills"))["fills"]
    assert mine == {"fill_id": theirs["fill_id"], "symbol": "PF_XBTUSD", "side": "sell",
                    "order_id": resting, "size": 0.25, "price": 60000, "fillTime": T1,
                    "fillType": "maker", "cliOrdId": "m1"}
    assert theirs == {"fill_id": mine["fill_id"], "symbol": "PF_XBTUSD", "side": "buy",
                      "order_id": bought, "size": 0.25, "price": 60000, "fillTime": T1,
                      "fillType": "taker"}
    _clock(app).advance(1000)
    _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.5")
    times = [f["fillTime"] for f in _ok(taker.get("fills"))["fills"]]
    assert times == ["2026-01-01T00:00:02.000Z", T1]
    earlier = _ok(taker.get("fills", lastFillTime="2026-01-01T00:00:02.000Z"))["fills"]
    assert [f["order_id"] for f in earlier] == [bought]
    assert taker.get("fills", lastFillTime="yesterday") == {
        "result": "error", "serverTime": "2026-01-01T00:00:02.000Z",
        "error": "invalidArgument: lastFillTime"}


# -- preferences -----------------------------------------------------------------------------
def test_leverage_preferences_round_trip(app: Any) -> None:
    alice = served_account(app)
    put = "/derivatives/api/v3/leveragepreferences"
    assert _ok(alice.call("PUT", put, {"symbol": "pf_ethusd", "maxLeverage": "10"},
                          style="query")) == {"result": "success", "serverTime": T0}
    _ok(alice.call("PUT", put, {"symbol": "PF_XBTUSD", "maxLeverage": "2.5"}, style="query"))
    assert _ok(alice.get("leveragepreferences"))["leveragePreferences"] == [
        {"symbol": "PF_ETHUSD", "maxLeverage": 10}, {"symbol": "PF_XBTUSD", "maxLeverage": 2.5}]
    assert _ok(alice.get("leveragepreferences", symbol="PF_XBTUSD"))["leveragePreferences"] == [
        {"symbol": "PF_XBTUSD", "maxLeverage": 2.5}]
    _ok(alice.call("PUT", put, {"symbol": "PF_XBTUSD"}, style="query"))  # back to cross
    assert [p["symbol"] for p in _ok(alice.get("leveragepreferences"))["leveragePreferences"]] == [
        "PF_ETHUSD"]


def test_preference_errors(app: Any) -> None:
    alice = served_account(app)
    put = "/derivatives/api/v3/leveragepreferences"
    raw = alice.http.request
    assert alice.call("PUT", put, {"maxLeverage": "2"}, style="query") == {
        "result": "error", "serverTime": T0, "error": "requiredArgumentMissing"}
    assert alice.call("PUT", put, {"symbol": "PF_XBTUSD", "maxLeverage": "51"},
                      style="query")["error"] == "invalidArgument: maxLeverage"
    assert alice.call("PUT", put, {"symbol": "PF_NOPE", "maxLeverage": "2"}, style="query") == {
        "status": "BAD_REQUEST", "result": "error",
        "errors": [{"code": 87, "message": "CONTRACT_DOES_NOT_EXIST"}], "serverTime": T0}
    assert alice.call("PUT", put, {"symbol": "PI_XBTUSD", "maxLeverage": "2"},
                      style="query")["errors"][0]["code"] == 88
    pnl = "/derivatives/api/v3/pnlpreferences"
    assert alice.call("PUT", pnl, {"symbol": "PF_XBTUSD", "pnlPreference": "DOGE"},
                      style="query")["errors"][0]["code"] == 89
    assert raw("PUT", put + "?symbol=PF_NOPE").json()["error"] == "authenticationError"


def test_pnl_preferences_show_on_positions(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    pnl = "/derivatives/api/v3/pnlpreferences"
    _ok(taker.call("PUT", pnl, {"symbol": "PF_XBTUSD", "pnlPreference": "usdc"}, style="query"))
    assert _ok(taker.get("pnlpreferences"))["preferences"] == [
        {"symbol": "PF_XBTUSD", "pnlCurrency": "USDC"}]
    assert _ok(taker.get("openpositions"))["openPositions"][0]["pnlCurrency"] == "USDC"


def test_self_trade_strategy(app: Any) -> None:
    alice = served_account(app)
    path = "/derivatives/api/v3/self-trade-strategy"
    assert _ok(alice.get("self-trade-strategy"))["strategy"] == "REJECT_TAKER"
    assert _ok(alice.call("PUT", path, {"strategy": "CANCEL_MAKER_SELF"}, style="query")) == {
        "result": "success", "serverTime": T0, "strategy": "CANCEL_MAKER_SELF"}
    assert _ok(alice.get("self-trade-strategy"))["strategy"] == "CANCEL_MAKER_SELF"
    assert alice.call("PUT", path, {"strategy": "NOPE"}, style="query")["error"] == (
        "invalidArgument: strategy")


def test_small_account_endpoints(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    assert _ok(taker.get("notifications"))["notifications"] == []
    assert _ok(taker.get("unwindqueue"))["queue"] == []
    assert _ok(taker.get("feeschedules/volumes"))["volumesByFeeSchedule"] == {
        "5b755fea-c5b0-4307-a66e-b392cd5bd931": 15000}
    public = taker.http.get("/derivatives/api/v3/feeschedules").json()
    assert public["feeSchedules"] == [{
        "uid": "5b755fea-c5b0-4307-a66e-b392cd5bd931", "name": "Default schedule",
        "tiers": [{"makerFee": 0.02, "takerFee": 0.05, "usdVolume": 0}]}]


def test_private_reads_need_a_signature(app: Any) -> None:
    client = KrakenTestClient(app)
    for endpoint in ("openorders", "accounts", "fills", "openpositions", "orders/status"):
        assert client.get(endpoint) == {
            "result": "error", "serverTime": T0, "error": "authenticationError"}


# -- public market data ----------------------------------------------------------------------
def _public(app: Any, path: str, status: int = 200) -> Json:
    response = KrakenTestClient(app).http.get("/derivatives/api/v3/" + path)
    assert response.status_code == status, response.text
    out: Json = response.json()
    return out


def test_instruments(app: Any) -> None:
    instruments = {i["symbol"]: i for i in _public(app, "instruments")["instruments"]}
    assert list(instruments)[:4] == ["PF_XBTUSD", "PF_ETHUSD", "PF_SOLUSD", "PI_XBTUSD"]
    xbt = instruments["PF_XBTUSD"]
    assert {k: xbt[k] for k in ("type", "tradeable", "tickSize", "contractSize",
                                "contractValueTradePrecision", "maxPositionSize", "openingDate",
                                "fundingRateCoefficient", "maxRelativeFundingRate", "postOnly",
                                "pair", "base", "quote")} == {
        "type": "flexible_futures", "tradeable": True, "tickSize": 1, "contractSize": 1,
        "contractValueTradePrecision": 4, "maxPositionSize": 1200,
        "openingDate": "2022-01-01T00:00:00.000Z", "fundingRateCoefficient": 8,
        "maxRelativeFundingRate": 0.0025, "postOnly": False, "pair": "XBT:USD", "base": "XBT",
        "quote": "USD"}
    assert xbt["marginLevels"][:2] == [
        {"numNonContractUnits": 0, "initialMargin": 0.02, "maintenanceMargin": 0.01},
        {"numNonContractUnits": 1000000, "initialMargin": 0.04, "maintenanceMargin": 0.02}]
    assert "lastTradingTime" not in xbt
    inverse = instruments["PI_XBTUSD"]
    assert (inverse["type"], inverse["tickSize"], inverse["underlying"]) == (
        "futures_inverse", 0.5, "rr_xbtusd")
    assert inverse["marginLevels"][0] == {
        "contracts": 0, "initialMargin": 0.02, "maintenanceMargin": 0.01}
    (dated,) = [i for s, i in instruments.items() if s.startswith("FF_")]
    assert dated["lastTradingTime"] == "2026-01-30T08:00:00.000Z"
    assert "fundingRateCoefficient" not in dated


def test_instrument_status(app: Any) -> None:
    listed = _public(app, "instruments/status")["instrumentStatus"]
    assert listed[0] == {"tradeable": "PF_XBTUSD", "experiencingDislocation": False,
                         "priceDislocationDirection": None,
                         "experiencingExtremeVolatility": False,
                         "extremeVolatilityInitialMarginMultiplier": 1}
    single = _public(app, "instruments/pf_xbtusd/status")
    assert single == {"result": "success", "serverTime": T0, **listed[0]}
    assert _public(app, "instruments/NOPE/status", 404)["error"] == "contractNotFound"


def test_tickers_roll_24_hours_of_trades(app: Any) -> None:
    maker, taker = served_account(app, "maker"), served_account(app, "taker")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="2", limitPrice="60000")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="61000")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1", limitPrice="59000")
    _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="1")  # 1 @ 60000
    _clock(app).advance(3_600_000)
    _send(taker, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1.5",
          limitPrice="61000")  # 1 @ 60000, 0.5 @ 61000
    ticker = _public(app, "tickers/PF_XBTUSD")["ticker"]
    assert ticker == {
        "tag": "perpetual", "pair": "XBT:USD", "symbol": "PF_XBTUSD", "markPrice": 60000,
        "bid": 59000, "bidSize": 1, "ask": 61000, "askSize": 0.5, "vol24h": 2.5,
        "volumeQuote": 150500, "openInterest": 2.5, "open24h": 60000, "high24h": 61000,
        "low24h": 60000, "indexPrice": 60000, "last": 61000,
        "lastTime": "2026-01-01T01:00:00.000Z", "lastSize": 0.5, "suspended": False,
        "fundingRate": 0, "fundingRatePrediction": 0, "postOnly": False,
        "change24h": 1.6666666666666667}
    _clock(app).advance(23 * 3_600_000)  # the first trade leaves the window
    later = _public(app, "tickers")["tickers"][0]
    assert (later["vol24h"], later["open24h"], later["low24h"], later["volumeQuote"]) == (
        1.5, 60000, 60000, 90500)
    _clock(app).advance(3_600_000)
    quiet = _public(app, "tickers")["tickers"][0]
    assert (quiet["vol24h"], quiet["open24h"], quiet["high24h"], quiet["change24h"]) == (
        0, 61000, 61000, 0)


def test_unknown_ticker_is_a_404(app: Any) -> None:
    assert _public(app, "tickers/PF_NOPE", 404) == {
        "result": "error", "serverTime": T0, "error": "contractNotFound"}


def test_orderbook(app: Any) -> None:
    alice = served_account(app)
    for side, price, size in (("buy", "59000", "1"), ("buy", "59500", "0.5"),
                              ("buy", "59500", "0.25"), ("sell", "60500", "2")):
        _send(alice, orderType="lmt", symbol="PF_XBTUSD", side=side, size=size, limitPrice=price)
    assert _public(app, "orderbook?symbol=pf_xbtusd")["orderBook"] == {
        "bids": [[59500, 0.75], [59000, 1]], "asks": [[60500, 2]]}
    assert _public(app, "orderbook")["error"] == "requiredArgumentMissing"
    assert _public(app, "orderbook?symbol=PF_NOPE")["error"] == "contractNotFound"


def test_public_trade_history(app: Any) -> None:
    maker, taker, _, _ = _trade(app)
    _clock(app).advance(1000)
    _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.5")
    _send(maker, orderType="lmt", symbol="PF_ETHUSD", side="sell", size="1", limitPrice="3000")
    _send(taker, orderType="mkt", symbol="PF_ETHUSD", side="buy", size="1")
    history = _public(app, "history?symbol=PF_XBTUSD")["history"]
    assert [(h["trade_id"], h["size"], h["time"]) for h in history] == [
        (2, 0.5, "2026-01-01T00:00:02.000Z"), (1, 0.25, T1)]
    assert set(history[0]) == {"time", "trade_id", "price", "size", "side", "type", "uid"}
    assert (history[0]["side"], history[0]["type"], history[0]["price"]) == ("buy", "fill", 60000)
    eth = _public(app, "history?symbol=PF_ETHUSD")["history"]
    assert [h["trade_id"] for h in eth] == [1]
    before = _public(app, "history?symbol=PF_XBTUSD&lastTime=2026-01-01T00:00:02.000Z")
    assert [h["trade_id"] for h in before["history"]] == [1]


def test_historical_funding_rates(app: Any) -> None:
    state = app.state.mx
    state.exchange.submit(c.SetFundingRate("PF_XBTUSD", Decimal("0.0001")))
    _clock(app).advance(3_600_000)
    state.exchange.advance()
    expected = [{"timestamp": "2026-01-01T01:00:00.000Z", "fundingRate": 6,
                 "relativeFundingRate": 0.0001}]
    assert _public(app, "historical-funding-rates?symbol=PF_XBTUSD")["rates"] == expected
    v4 = KrakenTestClient(app).http.get("/derivatives/api/v4/historicalfundingrates",
                                        params={"symbol": "pf_xbtusd"}).json()
    assert v4["rates"] == expected
    ticker = _public(app, "tickers/PF_XBTUSD")["ticker"]
    assert (ticker["fundingRate"], ticker["fundingRatePrediction"]) == (6, 6)


def test_history_follows_an_exchange_reset(app: Any) -> None:
    _trade(app)
    state = app.state.mx
    from mock_exchange.engine.ids import IdGenerator
    from mock_exchange.exchange import Exchange

    state.replace_exchange(Exchange(ManualClock(), IdGenerator(1)))
    assert _public(app, "history?symbol=PF_XBTUSD")["history"] == []
    again = served_account(app, "again")
    assert _ok(again.get("fills"))["fills"] == []
