"""What the pure core puts on the wire (client.endpoints, client.orders, client.core.Call):
Kraken's parameter names and order, exact numbers, the transport per method, and the input
refused before anything is sent."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from client import endpoints as ep
from client import endpoints_funds as fu
from client.orders import ORDER_TYPES, BatchCancel, BatchEdit, BatchSend
from client.rest import generate_new_order_id


def test_submit_order_renders_every_parameter_in_kraken_names() -> None:
    call = ep.submit_order(
        "trailing_stop", "PF_XBTUSD", "sell", D("0.5"), limit_price=None, stop_price=None,
        cli_ord_id="mine", reduce_only=True, trigger_signal="mark",
        trailing_stop_max_deviation=D("1.5"), trailing_stop_deviation_unit="PERCENT",
        limit_price_offset_value=5, limit_price_offset_unit="QUOTE_CURRENCY",
        process_before=datetime(2026, 1, 1, 1, 2, 3, 456789, tzinfo=UTC),
    )
    assert (call.method, call.path, call.cost, call.private) == (
        "POST", "/derivatives/api/v3/sendorder", 10, True)
    assert call.params == (
        ("orderType", "trailing_stop"), ("symbol", "PF_XBTUSD"), ("side", "sell"),
        ("size", "0.5"), ("cliOrdId", "mine"), ("reduceOnly", "true"),
        ("triggerSignal", "mark"), ("trailingStopMaxDeviation", "1.5"),
        ("trailingStopDeviationUnit", "PERCENT"), ("limitPriceOffsetValue", "5"),
        ("limitPriceOffsetUnit", "QUOTE_CURRENCY"), ("processBefore", "2026-01-01T01:02:03.456Z"),
    )
    query, body, content_type = call.encode()
    assert (query, content_type) == ("", "application/x-www-form-urlencoded")
    assert body.startswith(b"orderType=trailing_stop&symbol=PF_XBTUSD&side=sell&size=0.5&")
    assert b"processBefore=2026-01-01T01%3A02%3A03.456Z" in body


@pytest.mark.parametrize("order_type", ORDER_TYPES)
def test_all_eight_order_types_are_accepted(order_type: str) -> None:
    call = ep.submit_order(order_type, "PF_XBTUSD", "buy", 1, limit_price="60000.5",
                           stop_price=D("1E+1"))
    assert call.params[:1] == (("orderType", order_type),)
    assert ("limitPrice", "60000.5") in call.params and ("stopPrice", "10") in call.params


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"order_type": "limit"}, ValueError, "order_type"),
        ({"side": "long"}, ValueError, "side"),
        ({"size": 0.1}, TypeError, "floats are inexact"),
        ({"limit_price": 1.5}, TypeError, "limit_price"),
        ({"size": "abc"}, ValueError, "not a number"),
        ({"size": D("NaN")}, ValueError, "finite"),
        ({"trigger_signal": "spot"}, ValueError, "trigger_signal"),
        ({"trailing_stop_deviation_unit": "percent"}, ValueError, "PERCENT"),
        ({"process_before": datetime(2026, 1, 1)}, ValueError, "naive"),
        ({"process_before": "tomorrow"}, ValueError, "RFC 3339"),
    ],
)
def test_bad_order_input_is_refused_before_sending(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    args: dict[str, object] = {"order_type": "lmt", "symbol": "PF_XBTUSD", "side": "buy",
                               "size": 1} | kwargs
    with pytest.raises(error, match=match):
        ep.submit_order(**args)  # type: ignore[arg-type]


def test_process_before_in_another_zone_is_written_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    call = ep.cancel_order("o1", process_before=datetime(2026, 1, 1, 2, 0, tzinfo=plus_two))
    assert call.params == (("order_id", "o1"), ("processBefore", "2026-01-01T00:00:00.000Z"))


def test_edit_and_cancel_name_exactly_one_order() -> None:
    edit = ep.edit_order(cli_ord_id="c1", size=2, limit_price=3, stop_price=4,
                         trailing_stop_max_deviation=5, trailing_stop_deviation_unit="PERCENT",
                         qty_mode="ABSOLUTE")
    assert edit.params == (("cliOrdId", "c1"), ("size", "2"), ("limitPrice", "3"),
                           ("stopPrice", "4"), ("trailingStopMaxDeviation", "5"),
                           ("trailingStopDeviationUnit", "PERCENT"), ("qtyMode", "ABSOLUTE"))
    assert ep.edit_order("o1").params == (("orderId", "o1"),)
    assert ep.cancel_order("o1").params == (("order_id", "o1"),)
    assert ep.cancel_order(cli_ord_id="c1").params == (("cliOrdId", "c1"),)
    for bad in ({}, {"order_id": "o", "cli_ord_id": "c"}):
        with pytest.raises(ValueError, match="exactly one"):
            ep.cancel_order(**bad)  # type: ignore[arg-type]
        with pytest.raises(ValueError, match="exactly one"):
            ep.edit_order(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="qty_mode"):
        ep.edit_order("o1", qty_mode="absolute")


def test_batch_json_is_exact_and_costs_nine_plus_one_per_instruction() -> None:
    call = ep.batch_order_management([
        BatchSend("t1", "lmt", "PF_XBTUSD", "buy", D("0.10"), limit_price="59999.5",
                  reduce_only=False, cli_ord_id="c1"),
        BatchEdit(order_id="o1", size=2, qty_mode="RELATIVE"),
        BatchCancel(cli_ord_id="c2"),
    ], process_before="2026-01-01T00:00:00.000Z")
    assert call.cost == 12
    (name, text), (pb, when) = call.params
    assert (name, pb, when) == ("json", "processBefore", "2026-01-01T00:00:00.000Z")
    assert text == (
        '{"batchOrder":[{"order":"send","order_tag":"t1","orderType":"lmt",'
        '"symbol":"PF_XBTUSD","side":"buy","size":0.10,"limitPrice":59999.5,"cliOrdId":"c1",'
        '"reduceOnly":false},{"order":"edit","order_id":"o1","size":2,"qtyMode":"RELATIVE"},'
        '{"order":"cancel","cliOrdId":"c2"}]}')
    assert json.loads(text, parse_float=D)["batchOrder"][0]["size"] == D("0.10")
    with pytest.raises(ValueError, match="at least one"):
        ep.batch_order_management([])
    with pytest.raises(ValueError, match="exactly one"):
        ep.batch_order_management([BatchCancel()])


def test_transport_per_method() -> None:
    assert ep.get_fills().encode() == ("", b"", None)
    assert ep.get_fills().cost == 2
    since = ep.get_fills("2026-01-01T00:00:00.000Z")
    assert (since.encode()[0], since.cost) == ("lastFillTime=2026-01-01T00%3A00%3A00.000Z", 25)
    put = ep.set_leverage_preference("PF_XBTUSD", D("5"))
    assert (put.method, put.encode()) == ("PUT", ("symbol=PF_XBTUSD&maxLeverage=5", b"", None))
    assert ep.set_leverage_preference("PF_XBTUSD").params == (("symbol", "PF_XBTUSD"),)
    status = ep.get_order_status(["a", "b"], ["c"])
    assert status.encode()[1] == b"orderIds=a&orderIds=b&cliOrdIds=c"
    offer = fu.submit_rfq_new_offer("r1", bid=D("-15884.5"))
    assert (offer.method, offer.path, offer.encode()) == (
        "POST", "/derivatives/api/v3/rfqs/r1/place-offer",
        ("", b'{"bid":-15884.5}', "application/json"))
    replace = fu.update_rfq_open_offer("r1", bid=1, ask="2.5")
    assert (replace.method, replace.json_body) == ("PUT", '{"bid":1,"ask":2.5}')
    assert fu.cancel_rfq_offer("r1").method == "DELETE"
    assert not fu.get_open_rfqs().private and not ep.get_ticker("PF_XBTUSD").private
    assert fu.submit_transfer_to_spot("USDT", 5).cost == 100


def test_funds_and_assignment_parameters() -> None:
    assert fu.submit_wallet_transfer("flex", "cash", "USD", D("125.5")).params == (
        ("fromAccount", "flex"), ("toAccount", "cash"), ("unit", "USD"), ("amount", "125.5"))
    sub = fu.submit_subaccount_transfer("m", "s", "flex", "flex", "USD", "10")
    assert [k for k, _ in sub.params] == [
        "fromUser", "toUser", "fromAccount", "toAccount", "unit", "amount"]
    add = fu.add_assignment_preference("flex", accept_long=True, accept_short=False,
                                       time_frame="all", contract="PF_XBTUSD", max_size=5558)
    assert add.params == (
        ("contractType", "flex"), ("contract", "PF_XBTUSD"), ("maxSize", "5558"),
        ("acceptLong", "true"), ("acceptShort", "false"), ("timeFrame", "all"),
        ("enabled", "true"))
    assert fu.delete_assignment_preference(7).params == (("id", "7"),)
    with pytest.raises(ValueError, match="time_frame"):
        fu.add_assignment_preference("flex", accept_long=True, accept_short=True,
                                     time_frame="sometimes")
    with pytest.raises(ValueError, match="at least one"):
        fu.submit_rfq_new_offer("r1")
    with pytest.raises(TypeError):
        fu.delete_assignment_preference("7")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["", "a/b", "..", "x?y=1", "a#b", "%2F"])
def test_path_parameters_cannot_change_the_path(bad: str) -> None:
    with pytest.raises(ValueError, match="URL path"):
        fu.get_open_rfq(bad)
    with pytest.raises(ValueError, match="URL path"):
        ep.get_ticker(bad)


def test_dead_mans_switch_timeout_is_whole_seconds() -> None:
    assert ep.cancel_all_orders_after(60).params == (("timeout", "60"),)
    for bad in (-1, 1.5, True, "60"):
        with pytest.raises(ValueError, match="timeout"):
            ep.cancel_all_orders_after(bad)  # type: ignore[arg-type]


def test_generated_order_ids_are_32_random_alphanumerics() -> None:
    ids = {generate_new_order_id() for _ in range(200)}
    assert len(ids) == 200
    assert all(len(i) == 32 and i.isalnum() and i.isascii() for i in ids)


SEED_METHODS = [
    "submit_order", "edit_order", "cancel_order", "cancel_all_orders", "cancel_all_orders_after",
    "batch_order_management", "submit_wallet_transfer", "submit_transfer_to_spot",
    "submit_subaccount_transfer", "get_open_rfqs", "get_open_rfq", "get_rfq_open_offers",
    "submit_rfq_new_offer", "update_rfq_open_offer", "cancel_rfq_offer",
    "get_assignment_programs", "add_assignment_preference", "delete_assignment_preference",
    "get_assignment_preferences_history",
]
READS = [
    "get_open_orders", "get_order_status", "get_open_positions", "get_accounts", "get_fills",
    "get_instruments", "get_tickers", "get_ticker", "get_order_book", "get_trade_history",
    "get_leverage_preferences", "set_leverage_preference", "get_pnl_preferences",
    "set_pnl_preference",
]


@pytest.mark.parametrize("name", SEED_METHODS + READS)
def test_both_clients_expose_each_method_with_its_builders_signature(name: str) -> None:
    import asyncio
    import inspect

    from client import AsyncFuturesClient, FuturesClient

    builder = getattr(ep, name, None) or getattr(fu, name)
    built = inspect.signature(builder)
    assert built.return_annotation.startswith("Call[")
    expected = built.replace(return_annotation=built.return_annotation[5:-1])
    with FuturesClient() as sync:
        method = getattr(sync, name)
        assert inspect.signature(method) == expected
        assert method.__doc__ == builder.__doc__ and "/derivatives/api/v3/" in builder.__doc__

    async def check() -> None:
        async with AsyncFuturesClient() as client:
            coroutine = getattr(client, name)
            assert inspect.iscoroutinefunction(coroutine)
            assert inspect.signature(coroutine) == expected

    asyncio.run(check())
