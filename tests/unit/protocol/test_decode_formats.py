"""Parameter decoding and wire formats."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_exchange.engine.types import OrderType, QtyMode, Side, TriggerSignal
from mock_exchange.protocol import decode
from mock_exchange.protocol.decode import Params
from mock_exchange.protocol.errors import WireError
from mock_exchange.protocol.formats import iso, num, parse_bool, parse_iso


def p(query: str = "", body: str = "") -> Params:
    return Params.parse(query.encode(), body.encode())


def test_query_and_body_merge_with_both_space_encodings() -> None:
    params = p("cliOrdId=a+b&orderIds=1", "orderIds=2&orderIds=3,4&note=x%20y")
    assert params.text("cliOrdId") == "a b" and params.text("note") == "x y"
    assert params.all("orderIds") == ["1", "2", "3", "4"]


def test_place_order_decodes_every_parameter() -> None:
    cmd = decode.place_order(p(body=(
        "orderType=STP&symbol=pf_ethusd&side=sell&size=1.5&limitPrice=2900&stopPrice=2950"
        "&triggerSignal=spot&reduceOnly=True&cliOrdId=x&processBefore=2026-01-01T00:00:01Z"
        "&broker=ignored")))
    assert (cmd.order_type, cmd.symbol, cmd.side, cmd.size) == (
        OrderType.STP, "PF_ETHUSD", Side.SELL, D("1.5"))
    assert (cmd.limit_price, cmd.stop_price, cmd.trigger_signal) == (
        D(2900), D(2950), TriggerSignal.INDEX)
    assert (cmd.reduce_only, cmd.cli_ord_id, cmd.process_before) == (True, "x", 1767225601000)


@pytest.mark.parametrize(("body", "error"), [
    ("", "requiredArgumentMissing"),
    ("orderType=lmt&symbol=X&side=buy&size=1", "requiredArgumentMissing"),
    ("orderType=stp&symbol=X&side=buy&size=1", "requiredArgumentMissing"),
    ("orderType=trailing_stop&symbol=X&side=buy&size=1", "requiredArgumentMissing"),
    ("orderType=lmt&symbol=X&side=buy&size=1e999999&limitPrice=1", "invalidArgument: size"),
    ("orderType=lmt&symbol=X&side=buy&size=NaN&limitPrice=1", "invalidArgument: size"),
    ("orderType=lmt&symbol=X&side=buy&size=1&limitPrice=" + "9" * 80,
     "invalidArgument: limitPrice"),
    ("orderType=mkt&symbol=X&side=buy&size=1&triggerSignal=moon", "invalidArgument: triggerSignal"),
])
def test_place_order_argument_errors(body: str, error: str) -> None:
    with pytest.raises(WireError) as caught:
        decode.place_order(p(body=body))
    assert caught.value.code == error


def test_edit_and_cancel_identifiers() -> None:
    edit = decode.edit_order(p(body="orderId=o1&size=2&qtyMode=ABSOLUTE"))
    assert (edit.order_id, edit.size, edit.qty_mode) == ("o1", D(2), QtyMode.ABSOLUTE)
    assert decode.edit_order(p(body="cliOrdId=c")).cli_ord_id == "c"
    assert decode.cancel_order(p(body="order_id=o1")).order_id == "o1"
    with pytest.raises(WireError):
        decode.cancel_order(p())


def test_batch_instructions() -> None:
    params = p(body='json={"batchOrder":[{"order":"cancel","order_id":"x"}]}')
    assert decode.batch_instructions(params) == [{"order": "cancel", "order_id": "x"}]
    for bad in ('json=[1]', 'json={"batchOrder":[1]}', "json=nope"):
        with pytest.raises(WireError):
            decode.batch_instructions(p(body=bad))
    mapped = Params.from_mapping({"size": 0.5, "reduceOnly": True, "order_tag": 3})
    assert (mapped.text("size"), mapped.flag("reduceOnly"), mapped.text("order_tag")) == (
        "0.5", True, "3")


def test_formats() -> None:
    assert iso(1_767_225_600_123) == "2026-01-01T00:00:00.123Z"
    assert parse_iso("2023-11-08T19:56:35.441899Z") == 1_699_473_395_441
    assert parse_iso("2026-01-01T01:00:00+01:00") == 1_767_225_600_000
    assert parse_iso("2026-02-30T00:00:00Z") is None and parse_iso("soon") is None
    assert (num(D("1.0")), num(D("0.5")), num(None), num(7)) == (1, 0.5, None, 7)
    assert [parse_bool(v) for v in ("True", "false", "1", "0", "x")] == [
        True, False, True, False, None]


@given(st.integers(min_value=0, max_value=4_102_444_800_000))
def test_iso_round_trip(ms: int) -> None:
    assert parse_iso(iso(ms)) == ms


@given(st.text(max_size=200))
def test_params_never_raise_on_garbage(text: str) -> None:
    params = Params.parse(text.encode("utf-8", "surrogatepass"), text.encode("utf-8", "replace"))
    for name in ("size", "limitPrice", "reduceOnly", "processBefore"):
        try:
            params.decimal(name)
            params.flag(name)
            params.time(name)
        except WireError:
            pass
