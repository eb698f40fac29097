"""The order-management endpoints in process: exact statuses, events and envelopes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support import KrakenTestClient, served_account

from mock_exchange.server.app import create_app

Json = dict[str, Any]


@pytest.fixture
def app() -> Any:
    return create_app()


def _send(client: KrakenTestClient, **params: object) -> Json:
    out = client.post("sendorder", **params)
    assert isinstance(out, dict)
    return out


def test_sendorder_places_a_limit_order(app: Any) -> None:
    alice = served_account(app)
    out = _send(alice, orderType="lmt", symbol="pf_xbtusd", side="buy", size="0.5",
                limitPrice="59000", cliOrdId="c1", reduceOnly="False")
    assert out["result"] == "success" and "error" not in out
    status = out["sendStatus"]
    assert (status["status"], status["cliOrdId"]) == ("placed", "c1")
    (event,) = status["orderEvents"]
    assert event["type"] == "PLACE" and event["reducedQuantity"] is None
    assert event["order"] == {
        "orderId": status["order_id"], "cliOrdId": "c1", "type": "lmt", "symbol": "PF_XBTUSD",
        "side": "buy", "quantity": 0.5, "filled": 0, "limitPrice": 59000, "reduceOnly": False,
        "timestamp": "2026-01-01T00:00:00.000Z",
        "lastUpdateTimestamp": "2026-01-01T00:00:00.000Z"}


def test_ccxt_style_query_parameters_without_nonce(app: Any) -> None:
    alice = served_account(app)
    out = alice.call("POST", "/derivatives/api/v3/sendorder",
                     {"orderType": "post", "symbol": "PF_XBTUSD", "side": "sell",
                      "size": "0.001", "limitPrice": "61000"}, style="query", nonce=False)
    assert isinstance(out, dict) and out["sendStatus"]["status"] == "placed"


def test_market_order_executes_and_reports_placed_with_executions(app: Any) -> None:
    maker, taker = served_account(app, "maker"), served_account(app, "taker")
    _send(maker, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="60100")
    status = _send(taker, orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.25")[
        "sendStatus"]
    assert status["status"] == "placed"
    (execution,) = status["orderEvents"]
    assert (execution["type"], execution["price"], execution["amount"]) == (
        "EXECUTION", 60100, 0.25)
    prior = execution["orderPriorExecution"]
    assert (prior["type"], prior["filled"], prior["quantity"], prior["limitPrice"]) == (
        "ioc", 0, 0.25, 60600)
    assert execution["orderPriorEdit"] is None and execution["takerReducedQuantity"] is None


def test_rejected_orders_report_their_status(app: Any) -> None:
    alice = served_account(app)
    _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="sell", size="1", limitPrice="60000")
    bob = served_account(app, "bob")
    post = _send(bob, orderType="post", symbol="PF_XBTUSD", side="buy", size="1",
                 limitPrice="60000")["sendStatus"]
    assert post["status"] == "postWouldExecute"
    assert [(e["type"], e["reason"]) for e in post["orderEvents"]] == [
        ("REJECT", "POST_WOULD_EXECUTE")]
    ioc = _send(bob, orderType="ioc", symbol="PF_XBTUSD", side="buy", size="1",
                limitPrice="59000")["sendStatus"]
    assert ioc["status"] == "iocWouldNotExecute" and ioc["orderEvents"][0]["type"] == "REJECT"
    cases = {
        "invalidPrice": dict(limitPrice="59000.5"),
        "invalidSize": dict(size="0.00001"),
        "outsidePriceCollar": dict(limitPrice="90000"),
        "selfFill": dict(limitPrice="60000", side="buy"),
    }
    for expected, change in cases.items():
        params = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "1",
                  "limitPrice": "59000", **change}
        status = _send(alice, **params)["sendStatus"]
        assert (status["status"], status["orderEvents"]) == (expected, [])


def test_argument_errors_are_envelopes(app: Any) -> None:
    alice = served_account(app)
    base = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "1",
            "limitPrice": "59000"}
    cases = [
        ({**base, "orderType": "limit"}, "invalidArgument: orderType"),
        ({**base, "side": "long"}, "invalidArgument: side"),
        ({**base, "size": "abc"}, "invalidArgument: size"),
        ({k: v for k, v in base.items() if k != "limitPrice"}, "requiredArgumentMissing"),
        ({**base, "symbol": "PF_NOPEUSD"}, "contractNotFound"),
        ({**base, "reduceOnly": "maybe"}, "invalidArgument: reduceOnly"),
        ({**base, "processBefore": "yesterday"}, "invalidArgument: processBefore"),
    ]
    for params, error in cases:
        out = _send(alice, **params)
        assert (out["result"], out["error"]) == ("error", error), params
    assert app.state.mx.exchange.orders == {}


def test_authentication_failures(app: Any) -> None:
    alice = served_account(app)
    stranger = KrakenTestClient(app, alice.key, "c2VjcmV0")  # a wrong secret
    params = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "1",
              "limitPrice": "59000"}
    assert stranger.post("sendorder", **params)["error"] == "authenticationError"  # type: ignore[index]
    unknown = KrakenTestClient(app, "nokey", alice.secret)
    assert unknown.post("sendorder", **params)["error"] == "authenticationError"  # type: ignore[index]
    assert app.state.mx.exchange.orders == {}
    assert _send(alice, **params)["result"] == "success"
    alice.nonce -= 1  # the same nonce again
    assert alice.post("sendorder", **params)["error"] == "nonceDuplicate"  # type: ignore[index]
    assert len(app.state.mx.exchange.orders) == 1


def test_edit_cancel_and_cancel_all(app: Any) -> None:
    alice = served_account(app)
    oid = _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1",
                limitPrice="59000", cliOrdId="mine")["sendStatus"]["order_id"]
    edit = alice.post("editorder", orderId=oid, size="2", limitPrice="59100")
    status = edit["editStatus"]  # type: ignore[index]
    assert (status["status"], status["orderId"]) == ("edited", oid)
    (event,) = status["orderEvents"]
    assert (event["type"], event["old"]["quantity"], event["new"]["quantity"],
            event["new"]["limitPrice"]) == ("EDIT", 1, 2, 59100)
    missing = alice.post("editorder", orderId="nope", size="1")["editStatus"]  # type: ignore[index]
    assert (missing["status"], missing["orderEvents"]) == ("orderForEditNotFound", [])
    cancel = alice.post("cancelorder", cliOrdId="mine")["cancelStatus"]  # type: ignore[index]
    assert (cancel["status"], cancel["order_id"]) == ("cancelled", oid)
    assert cancel["orderEvents"][0]["type"] == "CANCEL"
    again = alice.post("cancelorder", order_id=oid)["cancelStatus"]  # type: ignore[index]
    assert again == {"status": "notFound", "receivedTime": "2026-01-01T00:00:00.000Z"}
    for price in ("58000", "57000"):
        _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1", limitPrice=price)
    everything = alice.post("cancelallorders")["cancelStatus"]  # type: ignore[index]
    assert (everything["status"], everything["cancelOnly"], len(everything["cancelledOrders"]),
            len(everything["orderEvents"])) == ("cancelled", "all", 2, 2)
    nothing = alice.post("cancelallorders", symbol="pf_xbtusd")["cancelStatus"]  # type: ignore[index]
    assert (nothing["status"], nothing["cancelOnly"]) == ("noOrdersToCancel", "PF_XBTUSD")


def test_dead_man_switch(app: Any) -> None:
    alice = served_account(app)
    armed = alice.post("cancelallordersafter", timeout="60")["status"]  # type: ignore[index]
    assert armed == {"currentTime": "2026-01-01T00:00:00.000Z",
                     "triggerTime": "2026-01-01T00:01:00.000Z"}
    off = alice.post("cancelallordersafter", timeout="0")["status"]  # type: ignore[index]
    assert off["triggerTime"] == "0"
    bad = alice.post("cancelallordersafter", timeout="-1")
    assert bad["error"] == "invalidArgument: timeout"  # type: ignore[index]


def _batch(client: KrakenTestClient, instructions: list[Json], raw: bool = False) -> Json:
    document = json.dumps({"batchOrder": instructions}, separators=(",", ":"))
    if raw:  # ccxt sends the JSON unencoded
        out = client.call("POST", "/derivatives/api/v3/batchorder", raw_body="json=" + document)
    else:
        out = client.post("batchorder", json=document)
    assert isinstance(out, dict)
    return out


def test_batch_order_mixes_send_edit_cancel_in_order(app: Any) -> None:
    alice = served_account(app)
    oid = _send(alice, orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1",
                limitPrice="59000")["sendStatus"]["order_id"]
    out = _batch(alice, [
        {"order": "send", "order_tag": "1", "orderType": "lmt", "symbol": "PF_XBTUSD",
         "side": "buy", "size": 0.5, "limitPrice": 58000, "cliOrdId": "b1"},
        {"order": "edit", "order_id": oid, "size": "2"},
        {"order": "cancel", "cliOrdId": "b1"},
        {"order": "cancel", "order_id": "00000000-0000-4000-8000-000000000000"},
        {"order": "send", "order_tag": 5, "orderType": "lmt", "symbol": "PF_XBTUSD",
         "side": "up", "size": "1", "limitPrice": "1"},
        {"order": "send", "order_tag": "6", "orderType": "lmt", "symbol": "PF_XBTUSD",
         "side": "buy", "size": "1"},
    ], raw=True)
    statuses = [(e["status"], e.get("order_tag"), len(e["orderEvents"]))
                for e in out["batchStatus"]]
    assert statuses == [("placed", "1", 1), ("edited", None, 1), ("cancelled", None, 1),
                        ("notFound", None, 0), ("invalidSide", 5, 0),
                        ("requiredArgumentMissing", "6", 0)]
    assert out["batchStatus"][2]["cliOrdId"] == "b1"
    assert list(app.state.mx.exchange.orders) == [oid]


def test_batch_json_errors(app: Any) -> None:
    alice = served_account(app)
    assert alice.post("batchorder", json="{not json")["error"] == "Json Parse Error"  # type: ignore[index]
    assert alice.post("batchorder")["error"] == "requiredArgumentMissing"  # type: ignore[index]
