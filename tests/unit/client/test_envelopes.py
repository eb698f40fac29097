"""core.result on answers that look successful but are not: a list key missing (never read as
empty), the RFQ offers list under either of its names, refusals sent as ``result: success``
(``reason``, ``status: failed``), unknown error strings judged by their HTTP status, and the
RFQ-specific error mapping; plus the input refused before sending (ids, booleans, RFQ API)."""

from __future__ import annotations

from decimal import Decimal as D
from typing import Any

import pytest

from client import endpoints as ep
from client import endpoints_funds as fu
from client import errors as e
from client.core import Call, result
from client.orders import BatchSend

OFFER = (b'{"uid":"o1","rfqUid":"r1","placementDate":"2026-01-01T00:00:00.000Z",'
         b'"lastUpdateDate":"2026-01-01T00:00:01.000Z","bid":"100.5","ask":"101.75"}')

LIST_CALLS: list[tuple[str, Call[Any]]] = [
    ("openOrders", ep.get_open_orders()),
    ("orders", ep.get_order_status(["x"])),
    ("openPositions", ep.get_open_positions()),
    ("fills", ep.get_fills()),
    ("leveragePreferences", ep.get_leverage_preferences()),
    ("preferences", ep.get_pnl_preferences()),
    ("instruments", ep.get_instruments()),
    ("tickers", ep.get_tickers()),
    ("history", ep.get_trade_history("PF_XBTUSD")),
    ("rfqs", fu.get_open_rfqs()),
    ("offers", fu.get_rfq_open_offers()),
    ("participants", fu.get_assignment_programs()),
    ("participants", fu.get_assignment_preferences_history()),
    ("batchStatus", ep.batch_order_management(
        [BatchSend("1", "lmt", "PF_XBTUSD", "buy", 1, limit_price=1)])),
]


@pytest.mark.parametrize(("key", "call"), LIST_CALLS, ids=[k for k, _ in LIST_CALLS])
def test_a_success_without_its_list_is_malformed_not_empty(key: str, call: Call[Any]) -> None:
    for body in (b'{"result":"success"}', f'{{"result":"success","{key}":null}}'.encode(),
                 f'{{"result":"success","{key}":{{}}}}'.encode()):
        with pytest.raises(e.UnexpectedResponse, match=key) as caught:
            result(call, 200, body)
        assert (caught.value.code, caught.value.http_status) == ("malformed", 200)
    if key != "batchStatus":  # a batch of one needs one result
        assert result(call, 200, f'{{"result":"success","{key}":[]}}'.encode()) == []


@pytest.mark.parametrize("key", ["offers", "openOffers"])
def test_open_offers_are_read_from_either_key(key: str) -> None:
    body = b'{"result":"success","' + key.encode() + b'":[' + OFFER + b"]}"
    (offer,) = result(fu.get_rfq_open_offers(), 200, body)
    assert (offer.uid, offer.rfq_uid, offer.bid, offer.ask) == ("o1", "r1", D("100.5"),
                                                                  D("101.75"))


@pytest.mark.parametrize(
    ("call", "body", "cls", "code"),
    [
        (fu.cancel_rfq_offer("r1"),
         b'{"result":"success","status":"failed","reason":"offerNotFound"}',
         e.NotFound, "offerNotFound"),
        (fu.cancel_rfq_offer("r1", api="v2"),
         b'{"result":"success","serverTime":"2026-01-01T00:00:00.000Z","reason":"rfqNotFound"}',
         e.NotFound, "rfqNotFound"),
        (fu.update_rfq_open_offer("r1", bid=1),
         b'{"result":"success","reason":"priceTooFarFromMarket"}',
         e.InvalidArgument, "priceTooFarFromMarket"),
        (fu.submit_rfq_new_offer("r1", bid=1),
         b'{"result":"success","reason":"priceTooFarFromMarket"}',
         e.InvalidArgument, "priceTooFarFromMarket"),
        (fu.submit_rfq_new_offer("r1", bid=1, api="v2"),
         b'{"result":"success","reason":"insufficientMargin"}',
         e.InsufficientFunds, "insufficientMargin"),
        (fu.submit_rfq_new_offer("r1", ask=1),
         b'{"result":"success","status":"failed","reason":"wouldCauseLiquidation"}',
         e.InsufficientFunds, "wouldCauseLiquidation"),
        (fu.cancel_rfq_offer("r1"), b'{"result":"success","status":"failed"}',
         e.KrakenError, "failed"),
    ],
)
def test_refusals_sent_as_success_raise_their_class(
    call: Call[Any], body: bytes, cls: type[e.KrakenError], code: str,
) -> None:
    with pytest.raises(e.KrakenError) as caught:
        result(call, 200, body)
    assert type(caught.value) is cls and caught.value.code == code


def test_rfq_wouldcauseliquidation_is_not_an_order_rejection() -> None:
    with pytest.raises(e.InsufficientFunds) as caught:
        result(fu.submit_rfq_new_offer("r1", ask=1), 200,
               b'{"result":"error","error":"wouldCauseLiquidation"}')
    assert not isinstance(caught.value, e.OrderError)


def test_successes_beside_a_status_still_parse() -> None:
    cancelled = result(fu.cancel_rfq_offer("r1", api="v2"), 200,
                       b'{"result":"success","serverTime":"2026-01-01T00:00:00.000Z",'
                       b'"status":"cancelled"}')
    assert cancelled.raw["status"] == "cancelled"
    placed = result(fu.submit_rfq_new_offer("r1", bid=1, api="v2"), 200,
                    b'{"result":"success","offerUid":"o9"}')
    assert placed == "o9"


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (403, b'{"result":"error","errors":[{"code":95,"message":"Account is not permitted to '
              b'perform the requested trading operation"}]}', e.AuthenticationError),
        (401, b'{"result":"error","error":"somethingNew"}', e.AuthenticationError),
        (404, b'{"result":"error","error":"RFQ feature is not enabled"}', e.NotFound),
        (429, b'{"result":"error","error":"slowDown"}', e.RateLimitExceeded),
        (503, b'{"result":"error","error":"maintenance window"}', e.ExchangeUnavailable),
        (200, b'{"result":"error","error":"somethingNew"}', e.KrakenError),
        (400, b'{"result":"error","error":"somethingNew"}', e.KrakenError),
    ],
)
def test_unknown_error_strings_take_the_class_of_their_http_status(
    status: int, body: bytes, cls: type[e.KrakenError],
) -> None:
    with pytest.raises(e.KrakenError) as caught:
        result(fu.get_open_rfqs(), status, body)
    assert type(caught.value) is cls and caught.value.http_status == status


def test_a_known_string_keeps_its_class_whatever_the_status() -> None:
    with pytest.raises(e.NonceError):
        result(ep.get_accounts(), 401, b'{"result":"error","error":"nonceBelowThreshold"}')


def test_order_ids_must_be_a_list_not_one_string() -> None:
    with pytest.raises(TypeError, match=r"order_ids: a list of ids, not one string \(write"):
        ep.get_order_status("3d08c8a4-0000")
    with pytest.raises(TypeError, match="cli_ord_ids"):
        ep.get_order_status(cli_ord_ids="mine")
    with pytest.raises(TypeError, match="non-empty str"):
        ep.get_order_status(["a", ""])
    call = ep.get_order_status(["3d08c8a4-0000", "b"], ["mine"])
    assert call.params == (("orderIds", "3d08c8a4-0000"), ("orderIds", "b"),
                           ("cliOrdIds", "mine"))


@pytest.mark.parametrize("bad", ["false", "true", 0, 1, None])
def test_booleans_must_be_bools_before_sending(bad: object) -> None:
    with pytest.raises(TypeError, match="accept_long: pass True or False"):
        fu.add_assignment_preference("flex", accept_long=bad, accept_short=True,  # type: ignore[arg-type]
                                     time_frame="all")
    with pytest.raises(TypeError, match="enabled"):
        fu.add_assignment_preference("flex", accept_long=True, accept_short=True,
                                     time_frame="all", enabled=bad)  # type: ignore[arg-type]
    if bad is not None:
        with pytest.raises(TypeError, match="reduce_only"):
            ep.submit_order("lmt", "PF_XBTUSD", "buy", 1, limit_price=1,
                            reduce_only=bad)  # type: ignore[arg-type]
        with pytest.raises(TypeError, match="reduce_only"):
            ep.batch_order_management([BatchSend("1", "lmt", "PF_XBTUSD", "buy", 1,
                                                 reduce_only=bad)])  # type: ignore[arg-type]


def test_the_2026_rfq_urls_as_an_option() -> None:
    placed = fu.submit_rfq_new_offer("r1", bid=D("100.5"), ask=101, api="v2")
    assert (placed.method, placed.path, placed.json_body) == (
        "POST", "/derivatives/api/v3/rfqs/place-offer/r1", None)
    assert placed.encode() == ("bid=100.5&ask=101", b"", None)  # query parameters, no body
    cancel = fu.cancel_rfq_offer("r1", api="v2", offer_uid="o1")
    assert (cancel.method, cancel.path, cancel.encode()) == (
        "DELETE", "/derivatives/api/v3/rfqs/cancel-offer/r1", ("offerUid=o1", b"", None))
    assert fu.cancel_rfq_offer("r1", api="v2").encode() == ("", b"", None)
    v1 = fu.submit_rfq_new_offer("r1", bid=D("100.5"))
    assert (v1.path, v1.json_body) == ("/derivatives/api/v3/rfqs/r1/place-offer",
                                       '{"bid":100.5}')
    with pytest.raises(ValueError, match="api: 'v3'"):
        fu.submit_rfq_new_offer("r1", bid=1, api="v3")
    with pytest.raises(ValueError, match="offer_uid: only the v2"):
        fu.cancel_rfq_offer("r1", offer_uid="o1")
