"""The History API (v2 = v3) and the charts API in process: elements, paging, auth, candles."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from support import KrakenTestClient, served_account

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.server.app import create_app

Json = dict[str, Any]
MS0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z, the default manual clock's start
T0 = "2026-01-01T00:00:00.000Z"


@pytest.fixture
def app() -> Any:
    return create_app()


def _clock(app: Any) -> ManualClock:
    clock: ManualClock = app.state.mx.exchange.clock
    return clock


def _send(client: KrakenTestClient, **params: object) -> Json:
    out = client.post("sendorder", **params)
    assert isinstance(out, dict) and out["result"] == "success", out
    return out["sendStatus"]  # type: ignore[no-any-return]


def _history(client: KrakenTestClient, endpoint: str, version: str = "v2", **params: object) -> Any:
    return client.call("GET", f"/api/history/{version}/{endpoint}", params)


def _trade(app: Any) -> tuple[KrakenTestClient, KrakenTestClient, str, str]:
    """Maker sells 1 @ 60000 (cliOrdId m1) at MS0; taker buys 0.25 at market at MS0 + 1 s."""
    maker, taker = served_account(app, "maker"), served_account(app, "taker")
    resting = _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1",
                    limitPrice="60000", cliOrdId="m1")["order_id"]
    _clock(app).advance(1000)
    bought = _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.25")["order_id"]
    return maker, taker, resting, bought


def _order(uid: str, account: str, side: str, qty: str, filled: str, limit: str, kind: str,
           created: int, updated: int, client_id: str = "") -> Json:
    return {"uid": uid, "accountUid": account, "tradeable": "PF_XBTUSD", "direction": side,
            "quantity": qty, "filled": filled, "timestamp": created, "limitPrice": limit,
            "orderType": kind, "clientId": client_id, "reduceOnly": False,
            "lastUpdateTimestamp": updated, "spotData": None}


def test_order_events_of_a_maker_and_a_taker(app: Any) -> None:
    maker, taker, resting, bought = _trade(app)
    body = _history(maker, "orders")
    assert (body["accountUid"], body["len"], body["serverTime"]) == (
        maker.account_id, 2, "2026-01-01T00:00:01.000Z")  # type: ignore[attr-defined]
    assert "continuationToken" not in body
    updated, placed = body["elements"]  # newest first
    me = maker.account_id  # type: ignore[attr-defined]
    assert placed["timestamp"] == MS0 and placed["event"] == {"OrderPlaced": {
        "order": _order(resting, me, "Sell", "1", "0", "60000", "Limit", MS0, MS0, "m1"),
        "reason": "new_user_order", "reducedQuantity": ""}}
    assert updated["timestamp"] == MS0 + 1000 and updated["event"] == {"OrderUpdated": {
        "oldOrder": _order(resting, me, "Sell", "1", "0", "60000", "Limit", MS0, MS0 + 1000,
                           "m1"),
        "newOrder": _order(resting, me, "Sell", "1", "0.25", "60000", "Limit", MS0, MS0 + 1000,
                           "m1"),
        "reason": "partial_fill", "reducedQuantity": ""}}
    (taken,) = _history(taker, "orders")["elements"]
    them = taker.account_id  # type: ignore[attr-defined]
    assert taken["event"] == {"OrderPlaced": {
        "order": _order(bought, them, "Buy", "0.25", "0.25", "60600", "IoC", MS0 + 1000,
                        MS0 + 1000),
        "reason": "new_user_order", "reducedQuantity": ""}}


def test_cancelled_rejected_and_not_found_orders(app: Any) -> None:
    alice = served_account(app)
    resting = _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1",
                    limitPrice="60000")["order_id"]
    bob = served_account(app, "bob")
    post = _send(bob, orderType="post", symbol="PF_XBTUSD", side="buy", size="1",
                 limitPrice="60000")["order_id"]
    bob.post("editorder", orderId="00000000-dead-4000-8000-000000000000", size="1")
    alice.post("cancelorder", order_id=resting)
    (cancelled, _) = _history(alice, "orders", "v3")["elements"]
    assert cancelled["event"]["OrderCancelled"]["reason"] == "cancelled_by_user"
    assert cancelled["event"]["OrderCancelled"]["order"]["uid"] == resting
    not_found, rejected = _history(bob, "orders")["elements"]
    assert rejected["event"]["OrderRejected"]["order"]["uid"] == post
    assert rejected["event"]["OrderRejected"]["order"]["orderType"] == "Post"
    assert (rejected["event"]["OrderRejected"]["orderError"],
            rejected["event"]["OrderRejected"]["reason"]) == (
        "POST_WOULD_EXECUTE", "post_would_execute_reason")
    assert not_found["event"] == {"OrderNotFound": {
        "accountUid": bob.account_id,  # type: ignore[attr-defined]
        "orderId": "00000000-dead-4000-8000-000000000000"}}


def test_trigger_events(app: Any) -> None:
    alice = served_account(app)
    stop = _send(alice, orderType="stp", symbol="PF_XBTUSD", side="buy", size="0.1",
                 stopPrice="61000", triggerSignal="mark")["order_id"]
    alice.post("editorder", orderId=stop, stopPrice="61500")
    trailing = _send(alice, orderType="trailing_stop", symbol="PF_XBTUSD", side="sell",
                     size="0.1", trailingStopMaxDeviation="5",
                     trailingStopDeviationUnit="PERCENT")["order_id"]
    alice.post("cancelorder", order_id=trailing)
    _clock(app).advance(1000)
    app.state.mx.exchange.submit(c.SetPrices("PF_XBTUSD", mark=Decimal(61500)))
    elements = _history(alice, "triggers")["elements"]
    names = [next(iter(e["event"])) for e in elements]
    assert names == ["OrderTriggerActivated", "OrderTriggerCancelled", "OrderTriggerPlaced",
                     "OrderTriggerUpdated", "OrderTriggerPlaced"]
    placed = elements[-1]["event"]["OrderTriggerPlaced"]
    assert placed == {"order": {
        "uid": stop, "accountUid": alice.account_id,  # type: ignore[attr-defined]
        "tradeable": "PF_XBTUSD", "direction": "Buy", "quantity": "0.1", "timestamp": MS0,
        "limitPrice": "", "orderType": "IoC", "clientId": "", "reduceOnly": False,
        "lastUpdateTimestamp": MS0, "accountId": 0,
        "triggerOptions": {"triggerPrice": "61000", "triggerSignal": "MarkPrice",
                           "triggerSide": "Above", "trailingStopOptions": None,
                           "limitPriceOffset": None}},
        "reason": "new_user_order"}
    edit = elements[3]["event"]["OrderTriggerUpdated"]
    assert (edit["oldOrderTrigger"]["triggerOptions"]["triggerPrice"],
            edit["newOrderTrigger"]["triggerOptions"]["triggerPrice"], edit["reason"]) == (
        "61000", "61500", "edited_by_user")
    trail = elements[2]["event"]["OrderTriggerPlaced"]["order"]["triggerOptions"]
    assert (trail["triggerSide"], trail["triggerPrice"], trail["trailingStopOptions"]) == (
        "Below", "57000", {"maxDeviation": "5", "unit": "Percent"})
    activated = elements[0]["event"]["OrderTriggerActivated"]
    assert set(activated) == {"order"} and elements[0]["timestamp"] == MS0 + 1000


def test_executions_show_own_order_data_and_sanitize_the_counterparty(app: Any) -> None:
    maker, taker, resting, bought = _trade(app)
    (element,) = _history(taker, "executions")["elements"]
    execution = element["event"]["Execution"]["execution"]
    assert element["event"]["Execution"]["takerReducedQuantity"] == ""
    assert execution["makerOrder"] == {
        "uid": resting, "tradeable": "PF_XBTUSD", "direction": "Sell", "quantity": "1",
        "timestamp": MS0, "limitPrice": "60000", "orderType": "Limit", "reduceOnly": False,
        "lastUpdateTimestamp": MS0 + 1000}
    assert execution["takerOrder"]["uid"] == bought
    assert execution["takerOrder"]["accountUid"] == taker.account_id  # type: ignore[attr-defined]
    assert {k: v for k, v in execution.items() if k not in ("makerOrder", "takerOrder")} == {
        "uid": _history(maker, "executions")["elements"][0]["event"]["Execution"]["execution"][
            "uid"],
        "timestamp": MS0 + 1000, "quantity": "0.25", "price": "60000", "markPrice": "60000",
        "limitFilled": False, "usdValue": "15000.00", "makerOrderData": None,
        "takerOrderData": {"fee": "7.5", "positionSize": "0.25", "feeCalculationInfo": []}}
    mine = _history(maker, "executions")["elements"][0]["event"]["Execution"]["execution"]
    assert mine["makerOrderData"] == {"fee": "3", "positionSize": "-0.25",
                                      "feeCalculationInfo": []}
    assert mine["takerOrderData"] is None and "accountUid" not in mine["takerOrder"]


def test_account_log_rows(app: Any) -> None:
    maker, taker, _, _ = _trade(app)
    _clock(app).advance(1000)
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.25",
          limitPrice="59000")
    _send(taker, orderType="ioc", symbol="PF_XBTUSD", side="sell", size="0.25",
          limitPrice="59000")
    body = _history(taker, "account-log")
    assert set(body) == {"accountUid", "logs"}
    logs = body["logs"]
    assert [(e["id"], e["asset"], e["info"]) for e in logs] == [
        (5, "usd", "futures trade"), (4, "pf_xbtusd", "futures trade"),
        (3, "usd", "futures trade"), (2, "pf_xbtusd", "futures trade"),
        (1, "usd", "admin transfer")]
    closing = logs[0]
    # bought 0.25 @ 60000, sold @ 59000: PnL -250; fee 0.05 % of 14750 = 7.375
    assert {k: closing[k] for k in ("old_balance", "new_balance", "realized_pnl", "fee",
                                    "trade_price", "margin_account", "contract",
                                    "collateral", "date")} == {
        "old_balance": 99992.5, "new_balance": 99735.125, "realized_pnl": -250, "fee": 7.375,
        "trade_price": 59000, "margin_account": "flex", "contract": "pf_xbtusd",
        "collateral": "usd", "date": "2026-01-01T00:00:02.000Z"}
    position = logs[1]
    assert {k: position[k] for k in ("old_balance", "new_balance", "old_average_entry_price",
                                     "new_average_entry_price", "fee", "collateral")} == {
        "old_balance": 0.25, "new_balance": 0, "old_average_entry_price": 60000,
        "new_average_entry_price": None, "fee": None, "collateral": None}
    assert logs[4] == {
        "id": 1, "date": T0, "asset": "usd", "info": "admin transfer",
        "booking_uid": logs[4]["booking_uid"], "margin_account": "flex", "old_balance": 0,
        "new_balance": 100000, "old_average_entry_price": None, "new_average_entry_price": None,
        "trade_price": None, "mark_price": None, "realized_pnl": None, "fee": None,
        "execution": None, "collateral": None, "funding_rate": None, "realized_funding": None,
        "conversion_spread_percentage": None, "liquidation_fee": None, "contract": None}
    asc = _history(taker, "account-log", sort="asc", count="2")["logs"]
    assert [e["id"] for e in asc] == [1, 2]
    assert [e["id"] for e in _history(taker, "account-log", **{"from": 2, "to": 3})["logs"]] == [
        3, 2]
    transfers = _history(taker, "account-log", info="admin transfer")["logs"]
    assert [e["id"] for e in transfers] == [1]
    iso_before = _history(taker, "account-log", before="2026-01-01T00:00:01.000Z")["logs"]
    assert [e["id"] for e in iso_before] == [1]
    assert [e["id"] for e in _history(taker, "account-log", since=MS0 + 2000)["logs"]] == [5, 4]


def test_funding_in_the_account_log(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    state = app.state.mx
    state.exchange.submit(c.SetFundingRate("PF_XBTUSD", Decimal("0.0001")))
    _clock(app).set(MS0 + 3_600_000)
    state.exchange.advance()
    (funding,) = _history(taker, "account-log", info="funding rate change")["logs"]
    # a long of 0.25 pays 0.25 x 60000 x 0.0001 = 1.5
    assert {k: funding[k] for k in ("realized_funding", "funding_rate", "old_balance",
                                    "new_balance", "contract", "mark_price")} == {
        "realized_funding": -1.5, "funding_rate": 6, "old_balance": 99992.5,
        "new_balance": 99991, "contract": "pf_xbtusd", "mark_price": 60000}


def test_account_log_csv(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    response = taker.http.get("/api/history/v2/accountlogcsv")
    assert response.status_code == 401
    from mock_exchange.protocol.auth import sign_rest

    headers = {"APIKey": taker.key, "Authent": sign_rest(taker.secret, "", "",
                                                         "/api/history/v2/accountlogcsv")}
    response = taker.http.get("/api/history/v2/accountlogcsv", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert lines[0].startswith("id,date,asset,info,booking_uid,margin_account,old_balance,")
    assert lines[1].startswith("3,2026-01-01T00:00:01.000Z,usd,futures trade,")
    assert len(lines) == 4


def test_position_updates(app: Any) -> None:
    _, taker, _, _ = _trade(app)
    (element,) = _history(taker, "positions", "v3")["elements"]
    assert element == {
        "accountUid": taker.account_id,  # type: ignore[attr-defined]
        "tradeable": "PF_XBTUSD", "oldPosition": "0", "oldAverageEntryPrice": None,
        "newPosition": "0.25", "newAverageEntryPrice": "60000", "fillTime": MS0 + 1000,
        "fee": "7.5", "feeCurrency": "USD", "realizedPnL": "0", "positionChange": "open",
        "executionUid": element["executionUid"], "executionPrice": "60000",
        "executionSize": "0.25", "tradeType": "userExecution", "timestamp": MS0 + 1000,
        "updateReason": "trade"}


def test_paging_sorting_and_filters(app: Any) -> None:
    alice = served_account(app)
    ids = []
    for i in range(5):
        _clock(app).advance(1000)
        symbol = "PF_ETHUSD" if i == 2 else "PF_XBTUSD"
        price = "2900" if i == 2 else "59000"
        ids.append(_send(alice, orderType="lmt", symbol=symbol, side="buy", size="0.1",
                         limitPrice=price)["order_id"])

    def uids(body: Json) -> list[str]:
        return [e["event"]["OrderPlaced"]["order"]["uid"] for e in body["elements"]]

    first = _history(alice, "orders", count=2)
    assert uids(first) == [ids[4], ids[3]] and first["len"] == 2
    second = _history(alice, "orders", count=2, continuation_token=first["continuationToken"])
    assert uids(second) == [ids[2], ids[1]]
    third = _history(alice, "orders", count=2, continuation_token=second["continuationToken"])
    assert uids(third) == [ids[0]] and "continuationToken" not in third
    asc = _history(alice, "orders", sort="asc", count=3)
    assert uids(asc) == ids[:3]
    assert uids(_history(alice, "orders", sort="asc", continuation_token=asc[
        "continuationToken"])) == ids[3:]
    window = _history(alice, "orders", since=MS0 + 2000, before=MS0 + 4000)
    assert uids(window) == [ids[2], ids[1]]
    assert uids(_history(alice, "orders", tradeable="pf_ethusd")) == [ids[2]]
    assert _history(alice, "orders", "v3") == _history(alice, "orders", "v2")


def test_bad_parameters_and_auth_failures(app: Any) -> None:
    alice = served_account(app)
    http = alice.http
    response = http.get("/api/history/v3/orders", params={"sort": "sideways"})
    assert response.status_code == 400
    assert response.json() == {"result": "error", "serverTime": T0,
                               "error": "invalidArgument: sort"}
    assert http.get("/api/history/v2/orders", params={"count": "x"}).status_code == 400
    token = http.get("/api/history/v2/orders", params={"continuation_token": "!!"})
    assert token.status_code == 400
    for endpoint in ("orders", "triggers", "executions", "positions", "account-log"):
        unsigned = http.get(f"/api/history/v2/{endpoint}")
        assert unsigned.status_code == 401
        assert unsigned.json() == {"reason": "You are not authorized to access this endpoint.",
                                   "status": "unauthorized"}
    forged = http.get("/api/history/v2/orders", headers={"APIKey": alice.key, "Authent": "AAAA"})
    assert forged.status_code == 401


def test_public_market_history(app: Any) -> None:
    _, _, resting, bought = _trade(app)
    app.state.mx.exchange.submit(c.SetPrices("PF_XBTUSD", mark=Decimal("60123.5")))
    http = KrakenTestClient(app).http
    executions = http.get("/api/history/v3/market/pf_xbtusd/executions").json()
    assert set(executions) == {"len", "elements"} and executions["len"] == 1
    execution = executions["elements"][0]["event"]["Execution"]["execution"]
    assert "makerOrderData" not in execution and "accountUid" not in execution["takerOrder"]
    assert (execution["makerOrder"]["uid"], execution["takerOrder"]["uid"]) == (resting, bought)
    orders = http.get("/api/history/v2/market/PF_XBTUSD/orders").json()["elements"]
    assert [next(iter(e["event"])) for e in orders] == ["OrderPlaced", "OrderUpdated",
                                                        "OrderPlaced"]
    assert "clientId" not in orders[0]["event"]["OrderPlaced"]["order"]
    prices = http.get("/api/history/v2/market/PF_XBTUSD/price").json()["elements"]
    assert [e["event"] for e in prices] == [{"MarkPriceChanged": {"price": "60123.5"}}]
    assert http.get("/api/history/v2/market/PF_NOPE/price").status_code == 404


# -- charts ----------------------------------------------------------------------------------
def test_chart_listings(app: Any) -> None:
    http = KrakenTestClient(app).http
    assert http.get("/api/charts/v1/").json() == ["mark", "spot", "trade"]
    assert http.get("/api/charts/v1/mark").json()[:4] == [
        "PF_XBTUSD", "PF_ETHUSD", "PF_SOLUSD", "PI_XBTUSD"]
    assert http.get("/api/charts/v1/trade/pf_xbtusd").json() == [
        "1m", "5m", "15m", "30m", "1h", "4h", "12h", "1d", "1w"]
    for bad in ("/api/charts/v1/volume", "/api/charts/v1/trade/PF_NOPE",
                "/api/charts/v1/trade/PF_XBTUSD/2m"):
        response = http.get(bad)
        assert response.status_code == 404 and response.json()["error"] == "notFound"


def test_trade_and_mark_candles(app: Any) -> None:
    maker, taker = served_account(app, "maker"), served_account(app, "taker")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="60000")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="60500")
    _clock(app).advance(10_000)
    _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.5")
    _clock(app).advance(20_000)
    _send(taker, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1", limitPrice="60500")
    _clock(app).advance(60_000)
    _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.25")
    http = KrakenTestClient(app).http
    one = http.get("/api/charts/v1/trade/PF_XBTUSD/1m").json()
    assert one == {"candles": [
        {"time": MS0, "open": "60000", "high": "60500", "low": "60000", "close": "60500",
         "volume": 1.5},
        {"time": MS0 + 60_000, "open": "60500", "high": "60500", "low": "60500",
         "close": "60500", "volume": 0.25}], "more_candles": False}
    hour = http.get("/api/charts/v1/trade/PF_XBTUSD/1h").json()["candles"]
    assert [(c["open"], c["close"], c["volume"]) for c in hour] == [("60000", "60500", 1.75)]
    start = (MS0 + 60_000) // 1000
    later = http.get("/api/charts/v1/trade/PF_XBTUSD/1m", params={"from": start}).json()
    assert [c["time"] for c in later["candles"]] == [MS0 + 60_000]
    earlier = http.get("/api/charts/v1/trade/PF_XBTUSD/1m", params={"to": start - 1}).json()
    assert [c["time"] for c in earlier["candles"]] == [MS0]
    counted = http.get("/api/charts/v1/trade/PF_XBTUSD/1m", params={"count": 1}).json()
    assert [c["time"] for c in counted["candles"]] == [MS0 + 60_000] and counted["more_candles"]
    exchange = app.state.mx.exchange
    for mark in ("60100", "59900", "60050"):
        exchange.submit(c.SetPrices("PF_XBTUSD", mark=Decimal(mark), index=Decimal("60001")))
    marks = http.get("/api/charts/v1/mark/PF_XBTUSD/1m").json()["candles"]
    assert marks == [{"time": MS0 + 60_000, "open": "60100", "high": "60100", "low": "59900",
                      "close": "60050", "volume": 0}]
    spot = http.get("/api/charts/v1/spot/PF_XBTUSD/1d").json()["candles"]
    assert [(c["open"], c["close"]) for c in spot] == [("60001", "60001")]
    bad = http.get("/api/charts/v1/trade/PF_XBTUSD/1m", params={"from": "soon"})
    assert bad.status_code == 400
