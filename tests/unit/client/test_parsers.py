"""Parsers against the golden JSON examples of the reference (kraken-futures-rest.md §4), read
as the client reads answers: json.loads with parse_float=Decimal, through core.result."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal as D

import pytest

from client import endpoints as ep
from client.core import result
from client.errors import IocWouldNotExecute, OrderNotFound, UnexpectedResponse


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


SEND_PLACED = b"""{"result":"success","serverTime":"2019-09-05T16:33:50.734Z",
 "sendStatus":{"order_id":"179f9af8-e45e-469d-b3e9-2fd4675cb7d0","status":"placed",
  "receivedTime":"2019-09-05T16:33:50.734Z",
  "orderEvents":[{"type":"PLACE","reducedQuantity":null,
    "order":{"orderId":"179f9af8-e45e-469d-b3e9-2fd4675cb7d0","cliOrdId":null,"type":"lmt",
      "symbol":"PF_XBTUSD","side":"buy","quantity":10000,"filled":0,"limitPrice":9400,
      "reduceOnly":false,"timestamp":"2019-09-05T16:33:50.734Z",
      "lastUpdateTimestamp":"2019-09-05T16:33:50.734Z"}}]}}"""

SEND_EXECUTED = b"""{"result":"success","serverTime":"2026-03-02T06:10:31.955Z",
 "sendStatus":{"status":"placed","order_id":"a133a4f9-254d-4806-8176-9acc936b6944",
  "receivedTime":"2026-03-02T06:10:31.954Z",
  "orderEvents":[{"type":"EXECUTION","executionId":"403bf49f-dbbe-448b-8de7-fd3cf38cc5dd",
    "price":66596.0,"amount":0.001,"orderPriorEdit":null,
    "orderPriorExecution":{"orderId":"a133a4f9-...","cliOrdId":null,"type":"ioc","symbol":"PF_XBTUSD",
      "side":"buy","quantity":0.001,"filled":0,"limitPrice":67261.000,"reduceOnly":false,
      "timestamp":"2026-03-02T06:10:31.954Z","lastUpdateTimestamp":"2026-03-02T06:10:31.954Z"},
    "takerReducedQuantity":null}]}}"""

SEND_TRIGGER = b"""{"result":"success","serverTime":"2023-04-07T15:12:08.131Z",
 "sendStatus":{"order_id":"e58ed100-1fb8-4e6c-a5ea-1cf85b0f0654","status":"placed",
  "receivedTime":"2023-04-07T15:12:08.131Z",
  "orderEvents":[{"type":"PLACE","orderTrigger":{"uid":"e58ed100-...","clientId":null,"type":"lmt",
    "symbol":"pi_ethusd","side":"buy","quantity":10,"limitPrice":1860.0,"triggerPrice":1880.4,
    "triggerSide":"trigger_below","triggerSignal":"last_price","reduceOnly":false,
    "timestamp":"2023-04-07T15:12:08.131Z","lastUpdateTimestamp":"2023-04-07T15:12:08.131Z",
    "startTime":null}}]}}"""


def test_sendorder_placed() -> None:
    status = result(ep.submit_order("lmt", "PF_XBTUSD", "buy", 10000, limit_price=9400), 200,
                    SEND_PLACED)
    assert (status.status, status.order_id, status.received_time) == (
        "placed", "179f9af8-e45e-469d-b3e9-2fd4675cb7d0", at("2019-09-05T16:33:50.734Z"))
    (event,) = status.order_events
    assert (event.type, event.reduced_quantity) == ("PLACE", None)
    assert event.order is not None
    assert (event.order.type, event.order.quantity, event.order.filled, event.order.limit_price,
            event.order.cli_ord_id, event.order.reduce_only) == (
        "lmt", D(10000), D(0), D(9400), None, False)
    assert status.filled_quantity == D(0)


def test_sendorder_executed_at_once_is_still_placed_with_exact_amounts() -> None:
    status = result(ep.submit_order("mkt", "PF_XBTUSD", "buy", "0.001"), 200, SEND_EXECUTED)
    (event,) = status.order_events
    assert (event.type, event.execution_id, event.price, event.amount) == (
        "EXECUTION", "403bf49f-dbbe-448b-8de7-fd3cf38cc5dd", D("66596.0"), D("0.001"))
    assert event.order_prior_execution is not None
    assert event.order_prior_execution.limit_price == D("67261.000")
    assert status.filled_quantity == D("0.001")


def test_sendorder_trigger_placed() -> None:
    status = result(ep.submit_order("take_profit", "pi_ethusd", "buy", 10, stop_price="1880.4",
                                    limit_price=1860), 200, SEND_TRIGGER)
    trigger = status.order_events[0].order_trigger
    assert trigger is not None
    assert (trigger.uid, trigger.limit_price, trigger.trigger_price, trigger.trigger_side,
            trigger.trigger_signal) == (
        "e58ed100-...", D("1860.0"), D("1880.4"), "trigger_below", "last_price")


def test_sendorder_rejected_ioc_raises_with_the_status() -> None:
    body = b"""{"result":"success","serverTime":"2019-09-05T16:33:50.734Z","sendStatus":{
      "order_id":"61ca5732-3478-42fe-8362-abbfd9465294","status":"iocWouldNotExecute",
      "receivedTime":"2019-09-05T16:33:50.734Z","orderEvents":[{"type":"REJECT",
      "uid":"61ca5732-3478-42fe-8362-abbfd9465294","reason":"IOC_WOULD_NOT_EXECUTE",
      "order":{"orderId":"61ca5732-3478-42fe-8362-abbfd9465294","cliOrdId":null,"type":"ioc",
      "symbol":"PF_XBTUSD","side":"buy","quantity":1,"filled":0,"limitPrice":100,
      "reduceOnly":false,"timestamp":"2019-09-05T16:33:50.734Z",
      "lastUpdateTimestamp":"2019-09-05T16:33:50.734Z"}}]}}"""
    with pytest.raises(IocWouldNotExecute) as caught:
        result(ep.submit_order("ioc", "PF_XBTUSD", "buy", 1, limit_price=100), 200, body)
    (event,) = caught.value.status.order_events
    assert (event.type, event.reason) == ("REJECT", "IOC_WOULD_NOT_EXECUTE")


def test_editorder_edited_and_not_found() -> None:
    body = b"""{"result":"success","serverTime":"2019-09-05T16:47:47.521Z",
 "editStatus":{"status":"edited","orderId":"022774bc-2c4a-4f26-9317-436c8d85746d",
  "receivedTime":"2019-09-05T16:47:47.521Z",
  "orderEvents":[{"type":"EDIT","reducedQuantity":null,
    "old":{"orderId":"022774bc-...","cliOrdId":null,"type":"lmt","symbol":"PI_XBTUSD","side":"buy",
      "quantity":1000,"filled":0,"limitPrice":9400.0,"reduceOnly":false,
      "timestamp":"2019-09-05T16:41:35.173Z","lastUpdateTimestamp":"2019-09-05T16:41:35.173Z"},
    "new":{"orderId":"022774bc-...","cliOrdId":null,"type":"lmt","symbol":"PI_XBTUSD","side":"buy",
      "quantity":1501,"filled":0,"limitPrice":7200,"reduceOnly":false,
      "timestamp":"2019-09-05T16:41:35.173Z","lastUpdateTimestamp":"2019-09-05T16:47:47.519Z"}}]}}"""
    call = ep.edit_order("022774bc-2c4a-4f26-9317-436c8d85746d", size=1501, limit_price=7200)
    edit = result(call, 200, body)
    (event,) = edit.order_events
    assert event.old is not None and event.new is not None
    assert (event.old.quantity, event.new.quantity, event.new.limit_price) == (
        D(1000), D(1501), D(7200))
    assert event.new.last_update_timestamp == at("2019-09-05T16:47:47.519Z")
    missing = b"""{"result":"success","serverTime":"2019-09-05T16:47:47.521Z","editStatus":{
      "status":"orderForEditNotFound","orderId":"fc589be9-...",
      "receivedTime":"2019-09-05T16:47:47.521Z","orderEvents":[]}}"""
    with pytest.raises(OrderNotFound):
        result(call, 200, missing)


def test_cancelorder_cancelled_and_not_found() -> None:
    body = b"""{"result":"success","serverTime":"2020-07-22T13:26:20.806Z",
 "cancelStatus":{"status":"cancelled","order_id":"cb4e34f6-4eb3-4d4b-9724-4c3035b99d47",
  "receivedTime":"2020-07-22T13:26:20.806Z",
  "orderEvents":[{"type":"CANCEL","uid":"cb4e34f6-...","order":{"orderId":"cb4e34f6-...",
    "cliOrdId":"1234568","type":"lmt","symbol":"PI_XBTUSD","side":"buy","quantity":5500,"filled":0,
    "limitPrice":8000,"reduceOnly":false,"timestamp":"2020-07-22T13:25:56.366Z",
    "lastUpdateTimestamp":"2020-07-22T13:25:56.366Z"}}]}}"""
    call = ep.cancel_order("cb4e34f6-4eb3-4d4b-9724-4c3035b99d47")
    cancel = result(call, 200, body)
    assert (cancel.status, cancel.order_id) == ("cancelled", "cb4e34f6-4eb3-4d4b-9724-4c3035b99d47")
    assert cancel.order_events[0].order is not None
    assert cancel.order_events[0].order.cli_ord_id == "1234568"
    with pytest.raises(OrderNotFound):
        result(call, 200, b'{"result":"success","cancelStatus":{"status":"notFound",'
                          b'"receivedTime":"2020-07-22T13:26:20.806Z"},"serverTime":"x"}')


def test_cancelallorders_and_the_dead_mans_switch() -> None:
    body = b"""{"result":"success","serverTime":"2019-08-01T15:57:37.520Z",
 "cancelStatus":{"receivedTime":"2019-08-01T15:57:37.518Z","cancelOnly":"all","status":"cancelled",
  "cancelledOrders":[{"order_id":"6180adfa-..."},{"order_id":"89e3edbe-..."}],"orderEvents":[]}}"""
    done = result(ep.cancel_all_orders(), 200, body)
    assert [o.order_id for o in done.cancelled_orders] == ["6180adfa-...", "89e3edbe-..."]
    assert done.cancel_only == "all"
    armed = result(ep.cancel_all_orders_after(60), 200, b"""{"result":"success",
      "serverTime":"2018-06-19T16:51:23.839Z","status":{"currentTime":"2018-06-19T16:51:23.839Z",
      "triggerTime":"2018-06-19T16:52:23.839Z"}}""")
    assert armed.trigger_time is not None
    assert (armed.trigger_time - armed.current_time).total_seconds() == 60
    disarmed = result(ep.cancel_all_orders_after(0), 200, b"""{"result":"success",
      "status":{"currentTime":"2018-06-19T16:51:23.839Z","triggerTime":"0"}}""")
    assert disarmed.trigger_time is None


def test_batchorder_results_carry_their_own_statuses() -> None:
    from client.orders import BatchCancel, BatchSend

    body = b"""{"result":"success","serverTime":"2019-09-05T16:41:40.996Z","batchStatus":[
  {"status":"placed","order_tag":"1","order_id":"022774bc-...","dateTimeReceived":"2019-09-05T16:41:35.173Z","orderEvents":[]},
  {"status":"notFound","cliOrdId":"my_client_id","orderEvents":[]},
  {"status":"insufficientAvailableFunds","order_tag":"2","orderEvents":[]},
  {"status":"cancelled","order_id":"CANCEL-...","orderEvents":[]}]}"""
    batch = [BatchSend("1", "lmt", "PF_XBTUSD", "buy", 1, limit_price=1),
             BatchCancel(cli_ord_id="my_client_id"),
             BatchSend("2", "lmt", "PF_XBTUSD", "buy", 1, limit_price=1),
             BatchCancel(order_id="x")]
    placed, missing, poor, cancelled = result(ep.batch_order_management(batch), 200, body)
    assert [r.kind for r in (placed, missing, poor, cancelled)] == [
        "send", "cancel", "send", "cancel"]
    assert (placed.ok, placed.order_tag, placed.error()) == (True, "1", None)
    assert type(missing.error()).__name__ == "OrderNotFound"
    assert missing.cli_ord_id == "my_client_id"
    assert type(poor.error()).__name__ == "InsufficientAvailableFunds"
    assert cancelled.ok


def test_batch_results_are_judged_by_the_instruction_at_their_position() -> None:
    """A send answered without order_tag is still a send: `cancelled` is a rejection for it
    and `filled` a success; for a cancel it is the other way round."""
    from client.orders import BatchCancel, BatchSend

    body = b"""{"result":"success","batchStatus":[{"status":"requiredArgumentMissing"},
      {"status":"cancelled"},{"status":"filled"},{"status":"filled"},{"status":"cancelled"}]}"""
    send = BatchSend("1", "lmt", "PF_XBTUSD", "buy", 1, limit_price=1)
    cancel = BatchCancel(order_id="x")
    missing, not_placed, filled, too_late, done = result(
        ep.batch_order_management([send, send, send, cancel, cancel]), 200, body)
    assert type(missing.error()).__name__ == "InvalidArgument" and missing.kind == "send"
    assert not not_placed.ok and type(not_placed.error()).__name__ == "OrderRejected"
    assert filled.ok
    assert type(too_late.error()).__name__ == "OrderAlreadyFilled"
    assert done.ok


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_batch_answer_with_another_number_of_results_is_malformed(count: int) -> None:
    from client.orders import BatchCancel

    entries = ",".join(['{"status":"cancelled","orderEvents":[]}'] * count)
    call = ep.batch_order_management([BatchCancel(order_id="a"), BatchCancel(order_id="b")])
    with pytest.raises(UnexpectedResponse, match=f"{count} batchStatus entries for 2"):
        result(call, 200, ('{"result":"success","batchStatus":[' + entries + "]}").encode())
    with pytest.raises(UnexpectedResponse, match="batchStatus"):
        result(call, 200, b'{"result":"success"}')


def test_openorders_and_order_status() -> None:
    body = b"""{"result":"success","serverTime":"2019-09-05T17:08:18.138Z","openOrders":[
  {"order_id":"59302619-41d2-4f0b-941f-7e7914760ad3","symbol":"PI_XBTUSD","side":"sell","orderType":"lmt",
   "limitPrice":10640,"unfilledSize":304,"receivedTime":"2019-09-05T17:01:17.410Z","status":"untouched",
   "filledSize":0,"reduceOnly":true,"lastUpdateTime":"2019-09-05T17:01:17.410Z"},
  {"order_id":"c8135f52-...","symbol":"pi_ethusd","side":"buy","orderType":"take_profit","limitPrice":1860,
   "stopPrice":1880.4,"unfilledSize":10,"receivedTime":"2023-04-07T15:14:25.995Z","status":"untouched",
   "filledSize":0,"reduceOnly":false,"triggerSignal":"last","lastUpdateTime":"2023-04-07T15:14:25.995Z"}]}"""
    lmt, stop = result(ep.get_open_orders(), 200, body)
    assert (lmt.unfilled_size, lmt.reduce_only, lmt.stop_price) == (D(304), True, None)
    assert (stop.order_type, stop.stop_price, stop.trigger_signal) == (
        "take_profit", D("1880.4"), "last")
    status_body = b"""{"result":"success","serverTime":"2026-09-12T04:05:06.789Z",
 "orders":[{"order":{"type":"ORDER","orderId":"c2e0b1b4-...","cliOrdId":null,"symbol":"PF_XBTUSD",
    "side":"sell","quantity":0.0002,"filled":0,"limitPrice":71000.5,"reduceOnly":true,
    "timestamp":"2026-09-12T04:05:05.000Z","lastUpdateTimestamp":"2026-09-12T04:05:05.000Z",
    "algoId":null,"priceTriggerOptions":null,"triggerTime":null},
   "status":"ENTERED_BOOK","updateReason":null,"error":null}]}"""
    (order,) = result(ep.get_order_status(["c2e0b1b4-..."]), 200, status_body)
    assert (order.status, order.quantity, order.limit_price, order.update_reason) == (
        "ENTERED_BOOK", D("0.0002"), D("71000.5"), None)


OPEN_ORDER = {"order_id": "a", "symbol": "PF_XBTUSD", "side": "buy", "orderType": "lmt",
              "limitPrice": 1, "unfilledSize": 1, "filledSize": 0, "status": "untouched",
              "reduceOnly": False, "receivedTime": "2026-01-01T00:00:00.000Z",
              "lastUpdateTime": "2026-01-01T00:00:00.000Z"}


def _open_orders(**change: object) -> bytes:
    import json

    entry = {k: v for k, v in {**OPEN_ORDER, **change}.items() if v is not None}
    return json.dumps({"result": "success", "openOrders": [entry]}).encode()


def test_booleans_are_read_as_written_never_by_truthiness() -> None:
    (order,) = result(ep.get_open_orders(), 200, _open_orders(reduceOnly="false"))
    assert order.reduce_only is False
    for bad in (0, "no", [False]):
        with pytest.raises(UnexpectedResponse, match="expected a boolean"):
            result(ep.get_open_orders(), 200, _open_orders(reduceOnly=bad))


@pytest.mark.parametrize("missing", ["filledSize", "reduceOnly"])
def test_fields_kraken_always_sends_are_required_not_made_up(missing: str) -> None:
    import json

    body = json.loads(_open_orders())
    del body["openOrders"][0][missing]
    with pytest.raises(UnexpectedResponse, match=missing):
        result(ep.get_open_orders(), 200, json.dumps(body).encode())


def test_cancel_all_needs_cancel_only_and_the_list_of_cancelled_orders() -> None:
    base = {"status": "noOrdersToCancel", "cancelOnly": "PF_XBTUSD", "cancelledOrders": [],
            "orderEvents": [], "receivedTime": "2026-01-01T00:00:00.000Z"}
    import json

    ok = result(ep.cancel_all_orders("PF_XBTUSD"), 200,
                json.dumps({"result": "success", "cancelStatus": base}).encode())
    assert (ok.status, ok.cancel_only, ok.cancelled_orders) == (
        "noOrdersToCancel", "PF_XBTUSD", [])
    for missing in ("cancelOnly", "cancelledOrders"):
        partial = {k: v for k, v in base.items() if k != missing}
        with pytest.raises(UnexpectedResponse, match=missing):
            result(ep.cancel_all_orders(), 200,
                   json.dumps({"result": "success", "cancelStatus": partial}).encode())
